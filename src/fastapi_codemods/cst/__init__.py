"""The libcst toolkit transforms are written with.

`transform.Transform` is the base class every transform derives from; the other
modules are what it and several transforms need: positions and parents computed
cheaply (`positions`, `parent_map`, `expression_context`), imports placed where
isort would put them (`imports`), and what counts as a FastAPI app, router or
route in a libcst tree (`fastapi`). Helpers only one transform uses live in that
transform's package instead.
"""
