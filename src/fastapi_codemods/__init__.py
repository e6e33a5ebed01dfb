"""fastapi-codemods: rewrite FastAPI backends to apply the fixes of a best-practices audit."""

__version__ = "0.1.0"
