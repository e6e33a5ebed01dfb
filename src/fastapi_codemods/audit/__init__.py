"""``fastapi-codemods audit``: the 15-practice audit report, generated from the code.

`runner.audit` reads the roots (discovered and configured as ``run`` does) with the
stdlib ``ast`` analyses and runs the checks of `checks`; `render` writes the report
as Markdown or JSON and decides the exit code. No libcst here: the audit never
parses with it.
"""
