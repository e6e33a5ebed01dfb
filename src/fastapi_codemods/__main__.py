"""Entry point for ``python -m fastapi_codemods``."""

from fastapi_codemods.entry import main

main()
