"""fastapi-codemods: rewrite FastAPI backends to apply the fixes of a best-practices audit."""

__version__ = "0.1.0"

# The user's manual (the README); the audit's SARIF rules link to its sections.
DOCUMENTATION_URL = "https://github.com/fastapi-codemods/fastapi-codemods"
