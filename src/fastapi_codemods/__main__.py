"""Entry point for ``python -m fastapi_codemods``."""

from fastapi_codemods.cli import main

main()
