"""Entry point for ``python -m fastapi_codemods``: the console script's."""

from fastapi_codemods.main import main

main()
