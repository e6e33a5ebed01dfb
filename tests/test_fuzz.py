"""Property-based fuzzing: every transform, on generated and mutated code, keeps the rules.

For any input the pipeline (all transforms in run order, facts from a one-file
project) must: never fail with an internal error, only produce code that parses
(and compiles when the input did), change nothing on a second run, and hand back
unchanged files untouched. Inputs are hypothesmith-generated modules behind a
FastAPI preamble, and the fixtures of every transform mutated (statements inserted,
wrapped in ``try``/``if``, functions made ``async`` or decorated as routes, names
renamed).

Bounded for CI (30 examples per test, derandomized); set
``FASTAPI_CODEMODS_FUZZ_EXAMPLES=2000`` for a longer, randomized run.
"""

from __future__ import annotations

import ast
import io
import os
import tempfile
import tokenize
import warnings
from pathlib import Path

import hypothesmith
import libcst as cst
import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from fastapi_codemods.analysis.project import Project
from fastapi_codemods.codemods import all_transforms
from fastapi_codemods.engine.fileinfo import FileInfo
from fastapi_codemods.engine.pipeline import Plan, process_source
from fastapi_codemods.engine.results import Status

FIXTURES = Path(__file__).parent / "fixtures"
EXAMPLES_ENV = "FASTAPI_CODEMODS_FUZZ_EXAMPLES"
LONG_RUN = EXAMPLES_ENV in os.environ
EXAMPLES = int(os.environ.get(EXAMPLES_ENV, "30"))

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not LONG_RUN,
    database=None if not LONG_RUN else settings.default.database,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)

# Code shaped like the FastAPI backends the transforms target, so that generated
# and mutated inputs reach the rewriting paths and not only the prefilters.
SEEDS = [
    '''"""Service module."""
import logging

from fastapi import BackgroundTasks, FastAPI

app = FastAPI(title="demo")
logger = logging.getLogger(__name__)


def send_email(to: str) -> None:
    print(f"sending to {to}")


@app.post("/users")
async def create_user(name: str, tasks: BackgroundTasks):
    user = {"name": name}
    print("created", name)
    send_email(name)
    return {"id": 1, "name": user["name"]}
''',
    '''from fastapi import APIRouter, Depends
from pydantic import BaseModel

router = APIRouter(prefix="/items")


class ItemOut(BaseModel):
    id: int
    name: str


@router.get("/{item_id}", response_model=ItemOut)
def read_item(item_id: int, db=Depends(lambda: None)):
    item = db.get(item_id)
    print("read %d%%" % item_id)
    return {"id": item.id, "name": item.name}
''',
    '''import os
import sys

from fastapi import FastAPI

app = FastAPI(docs_url="/docs", openapi_url="/openapi.json")

if __name__ == "__main__":
    print("starting", file=sys.stderr)
''',
]

STATEMENTS = [
    'print("hello")',
    'print(f"value={value!r} {ratio:.2f} 100%")',
    'print("a", "b", sep=", ", end="")',
    "print(f'{x=}')",
    'print(f"{name:>10}")',
    "print(*args, file=sys.stderr)",
    "print",
    "print >> sys.stderr, 'x'",
    "logger.info('done')",
    "import logging",
    "import logging.config",
    "from rich import print",
    "print = logger.info",
    "logging.basicConfig(level=logging.INFO)",
    "app = FastAPI()",
    "app.docs_url = None",
    "tasks.add_task(send_email, 'x')",
    "raise",
    "return {'id': obj.id, 'name': obj.name}",
    "pass  # fastapi-codemods: skip",
    "x = 1  # fastapi-codemods: skip=print_to_logging",
]
DECORATORS = ['@app.get("/fuzz")', '@router.post("/fuzz")', "@functools.lru_cache", "@app.on_event('startup')"]
RELPATHS = ["app/main.py", "app/routers/items.py", "app/cli.py", "tests/test_api.py", "main.py", "app/__init__.py"]
RENAMES = ["print", "app", "router", "logger", "logging", "FastAPI", "BaseModel", "tasks", "db", "item"]


def _corpus() -> list[str]:
    texts = list(SEEDS)
    for path in sorted(FIXTURES.rglob("*.py")):
        if path.name.endswith(".input.py") or "input" in path.parts:
            texts.append(path.read_text(encoding="utf-8", errors="replace"))
    return texts


CORPUS = _corpus()


def _statements(text: str) -> list[ast.stmt]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return []
    lines = text.splitlines()
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.stmt) and node.lineno <= len(lines) and not lines[node.lineno - 1][: node.col_offset].strip()
    ]


def _insert(text: str, pick: int, statement: str) -> str:
    statements = _statements(text)
    lines = text.splitlines(keepends=True)
    if not statements:
        return text + ("" if text.endswith("\n") or not text else "\n") + statement + "\n"
    node = statements[pick % len(statements)]
    indent = lines[node.lineno - 1][: node.col_offset]
    lines.insert(node.lineno - 1, f"{indent}{statement}\n")
    return "".join(lines)


def _wrap(text: str, pick: int, header: str) -> str:
    statements = [node for node in _statements(text) if node.end_lineno is not None]
    if not statements:
        return text
    node = statements[pick % len(statements)]
    lines = text.splitlines(keepends=True)
    indent = lines[node.lineno - 1][: node.col_offset]
    body = ["    " + line if line.strip() else line for line in lines[node.lineno - 1 : node.end_lineno]]
    if body and not body[-1].endswith("\n"):
        body[-1] += "\n"
    footer = [f"{indent}except Exception:\n", f"{indent}    raise\n"] if header == "try:" else []
    return "".join([*lines[: node.lineno - 1], f"{indent}{header}\n", *body, *footer, *lines[node.end_lineno :]])


def _functions(text: str) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    return [node for node in _statements(text) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]


def _make_async(text: str, pick: int) -> str:
    functions = [node for node in _functions(text) if isinstance(node, ast.FunctionDef)]
    if not functions:
        return text
    node = functions[pick % len(functions)]
    lines = text.splitlines(keepends=True)
    line = lines[node.lineno - 1]
    lines[node.lineno - 1] = line[: node.col_offset] + line[node.col_offset :].replace("def ", "async def ", 1)
    return "".join(lines)


def _decorate(text: str, pick: int, decorator: str) -> str:
    functions = _functions(text)
    if not functions:
        return text
    node = functions[pick % len(functions)]
    first = min([node.lineno, *(d.lineno - 1 for d in node.decorator_list)])
    lines = text.splitlines(keepends=True)
    lines.insert(first - 1, f"{' ' * node.col_offset}{decorator}\n")
    return "".join(lines)


def _rename(text: str, old: str, new: str) -> str:
    """Rename a NAME token everywhere (strings and comments untouched)."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return text
    lines = text.splitlines(keepends=True)
    for token in reversed(tokens):
        if token.type == tokenize.NAME and token.string == old and token.start[0] == token.end[0]:
            row, column = token.start[0] - 1, token.start[1]
            if row < len(lines):
                lines[row] = lines[row][:column] + new + lines[row][column + len(old) :]
    return "".join(lines)


@st.composite
def mutations(draw: st.DrawFn) -> tuple[str, ...]:
    kind = draw(st.sampled_from(["insert", "wrap", "async", "decorate", "rename"]))
    pick = draw(st.integers(min_value=0, max_value=10_000))
    if kind == "insert":
        return (kind, str(pick), draw(st.sampled_from(STATEMENTS)))
    if kind == "wrap":
        return (kind, str(pick), draw(st.sampled_from(["try:", "if True:", "with open('f') as f:", "for _ in range(1):"])))
    if kind == "decorate":
        return (kind, str(pick), draw(st.sampled_from(DECORATORS)))
    if kind == "rename":
        return (kind, draw(st.sampled_from(RENAMES)), draw(st.sampled_from(["renamed", "print", "app", "logger"])))
    return (kind, str(pick))


def apply_mutation(text: str, mutation: tuple[str, ...]) -> str:
    kind = mutation[0]
    if kind == "insert":
        return _insert(text, int(mutation[1]), mutation[2])
    if kind == "wrap":
        return _wrap(text, int(mutation[1]), mutation[2])
    if kind == "async":
        return _make_async(text, int(mutation[1]))
    if kind == "decorate":
        return _decorate(text, int(mutation[1]), mutation[2])
    return _rename(text, mutation[1], mutation[2])


def run_all_transforms(data: bytes, relpath: str) -> tuple:
    """Process ``data`` as the only file of a project, as a real run would."""
    transforms = all_transforms()
    options = {t.NAME: dict(t.OPTIONS) for t in transforms}
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        info = FileInfo(path=relpath, relpath=relpath)
        project = Project(root, [(path, info)])
        facts = {t.NAME: t.analyze_project(project, options[t.NAME]) for t in transforms}
    plan = Plan(root=".", transforms=transforms, options=options, facts=facts)
    created = {
        f"{t.NAME}:{name}": text for t in transforms for name, text in t.new_files(facts[t.NAME], options[t.NAME]).items()
    }
    return process_source(data, info, plan), created


def _compiles(data: bytes) -> bool:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            compile(data, "<fuzz>", "exec", dont_inherit=True)
        except (SyntaxError, ValueError):
            return False
    return True


def check_invariants(source: str, relpath: str) -> None:
    try:
        data = source.encode("utf-8")
    except UnicodeEncodeError:
        assume(False)
    result, created = run_all_transforms(data, relpath)
    event(f"status: {result.status.value}")
    assert not (result.status is Status.FAILED and "internal error" in (result.error or "")), result.error
    assert result.old == data
    for name, text in created.items():
        cst.parse_module(text)
        assert _compiles(text.encode("utf-8")), name
    if result.status is not Status.CHANGED:
        assert result.new is None
        return
    assert result.new is not None and result.new != data
    cst.parse_module(result.new)
    if _compiles(data):
        assert _compiles(result.new)
    second, _ = run_all_transforms(result.new, relpath)
    assert second.status is Status.UNCHANGED, (second.status, second.error, second.new)


@FUZZ
@given(
    base=st.sampled_from(CORPUS),
    changes=st.lists(mutations(), min_size=1, max_size=4),
    relpath=st.sampled_from(RELPATHS),
)
def test_mutated_fixtures_keep_the_invariants(base: str, changes: list[tuple[str, ...]], relpath: str) -> None:
    source = base
    for change in changes:
        source = apply_mutation(source, change)
    check_invariants(source, relpath)


PREAMBLE = "import logging\nimport sys\nfrom fastapi import FastAPI, APIRouter\napp = FastAPI()\nprint('start')\n"


@settings(FUZZ, max_examples=max(1, EXAMPLES // 2))
@given(generated=hypothesmith.from_node(), statement=st.sampled_from(STATEMENTS), relpath=st.sampled_from(RELPATHS))
def test_generated_modules_keep_the_invariants(generated: str, statement: str, relpath: str) -> None:
    source = PREAMBLE + generated
    if not source.endswith("\n"):
        source += "\n"
    check_invariants(source + statement + "\n", relpath)


@FUZZ
@given(generated=hypothesmith.from_grammar())
def test_grammar_generated_text_never_crashes(generated: str) -> None:
    check_invariants(generated, "app/main.py")


@pytest.mark.parametrize(
    ("mutation", "expected"),
    [
        (("insert", "0", "print(1)"), "print(1)\nx = 1\nif x:\n    y = 2\n"),
        (("insert", "2", "print(1)"), "x = 1\nif x:\n    print(1)\n    y = 2\n"),
        (("wrap", "2", "try:"), "x = 1\nif x:\n    try:\n        y = 2\n    except Exception:\n        raise\n"),
        (("rename", "x", "z"), "z = 1\nif z:\n    y = 2\n"),
    ],
)
def test_mutations_produce_the_intended_code(mutation: tuple[str, ...], expected: str) -> None:
    assert apply_mutation("x = 1\nif x:\n    y = 2\n", mutation) == expected
