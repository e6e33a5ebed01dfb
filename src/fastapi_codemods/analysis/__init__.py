"""Read-only project facts, built from the stdlib ``ast`` (never libcst).

`project` is the view of one root; `filepasses` the per-file steps it runs once
per file (in worker processes when asked); `astindex` and `astnames` walk and
resolve names in those trees. Each other module is named after the fact it
provides: FastAPI names, settings objects, Pydantic models, the main app,
logging configuration, command-line programs, docs gates, dict responses, side
effects in routes, declared dependencies. Transforms and the audit checks share
them; a test keeps the whole package importable without libcst.
"""
