"""Transforms parse with libcst only the files their project analysis names.

Each test builds a small project where several files pass the text prefilter but
only some can be rewritten or reported on, runs the driver in-process (``jobs=1``)
with ``libcst.parse_module`` watched, and checks two things: exactly the expected
files were parsed, and the outcome (changes and findings) is the same as when every
file passing the prefilter is parsed.
"""

from __future__ import annotations

from pathlib import Path

import libcst
import pytest

from fastapi_codemods.codemods import load
from fastapi_codemods.engine.driver import Mode, RunOptions, run


def _write(root: Path, files: dict[str, str]) -> None:
    for relpath, text in files.items():
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _run(monkeypatch: pytest.MonkeyPatch, target: Path, name: str, root: Path) -> tuple[set[str], list]:
    """(relpaths of the original files libcst parsed, the outcome of the run)."""
    originals = {path.read_bytes(): path.relative_to(root).as_posix() for path in root.rglob("*.py")}
    parsed: set[str] = set()
    real = libcst.parse_module

    def watched(source, *args, **kwargs):
        if isinstance(source, bytes) and source in originals:
            parsed.add(originals[source])
        return real(source, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(libcst, "parse_module", watched)
        outcome = run(RunOptions(paths=[target], mode=Mode.CHECK, only=[name], jobs=1))
    results = [(r.path, r.status, r.new, r.findings) for r in outcome.results]
    return parsed, results


def _prefilter_only(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """Make the transform parse every file its text prefilter accepts (the old way)."""
    transform = load(name)
    monkeypatch.setattr(transform, "wants", classmethod(lambda cls, file, text, facts: cls.matches_text(text)))


def _check(monkeypatch: pytest.MonkeyPatch, root: Path, name: str, expected: set[str]) -> list:
    parsed, results = _run(monkeypatch, root, name, root)
    assert parsed == expected
    assert any(findings or new for _, _, new, findings in results)
    _prefilter_only(monkeypatch, name)
    parsed_all, results_all = _run(monkeypatch, root, name, root)
    assert parsed_all > parsed
    assert results_all == results
    return results


PRINT_PROJECT = {
    "app/__init__.py": "",
    "app/service.py": (
        "from app import concat, tool\n\n\ndef work():\n    print('working')\n"
    ),
    "app/callback.py": "def each(items):\n    list(map(print, items))\n",
    "app/via_builtins.py": "import builtins\n\n\ndef say():\n    builtins.print('hi')\n",
    # print only in a __main__ block of a module the app imports (not a CLI program).
    "app/tool.py": "def helper():\n    return 1\n\n\nif __name__ == '__main__':\n    print(helper())\n",
    # A concatenated "__main__" is a main guard all the same (libcst does not see
    # one; the program model does): parsed, and its print kept.
    "app/concat.py": "def f():\n    return 2\n\n\nif __name__ == '__ma' 'in__':\n    print(f())\n",
    "app/words.py": '"""Functions to print reports."""\n\n\ndef printer(doc):\n    doc.print()\n',
    "app/cli.py": "import click\n\n\n@click.command()\ndef main():\n    print('hello')\n",
    "tests/test_service.py": "def test_work():\n    print('debug')\n",
    "tests/helpers.py": "import pytest\n\n\ndef show():\n    print('x')\n",
    # The web app running these modules, its logging showing their records.
    "app/web.py": (
        "import logging\n\nfrom fastapi import FastAPI\n\nfrom app import callback, service, via_builtins\n\n"
        "logging.basicConfig(level=logging.INFO)\napp = FastAPI()\n"
    ),
}


def test_print_to_logging_parses_only_files_naming_the_builtin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write(tmp_path, PRINT_PROJECT)
    expected = {"app/service.py", "app/callback.py", "app/via_builtins.py", "app/concat.py"}
    results = _check(monkeypatch, tmp_path, "print_to_logging", expected)
    touched = {Path(path).name for path, _, new, findings in results if new or findings}
    assert touched == {"service.py", "callback.py", "via_builtins.py"}


def test_print_to_logging_without_skips_parses_tests_and_main_blocks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(tmp_path, PRINT_PROJECT)
    (tmp_path / "pyproject.toml").write_text(
        "[tool.fastapi-codemods.print_to_logging]\nskip_tests = false\nskip_cli = false\nskip_main_guard = false\n",
        encoding="utf-8",
    )
    expected = {
        "app/service.py", "app/callback.py", "app/via_builtins.py", "app/concat.py",
        "app/tool.py", "app/cli.py", "tests/test_service.py", "tests/helpers.py",
    }
    _check(monkeypatch, tmp_path, "print_to_logging", expected)


def test_print_to_logging_keeps_files_ast_cannot_parse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # ``print "x"`` is no Python 3: libcst rejects it too, but only the pipeline may say so.
    _write(tmp_path, {"app/old.py": 'print "x"\n', "app/words.py": "# print\n", "app/ok.py": "def f():\n    print(1)\n"})
    parsed, results = _run(monkeypatch, tmp_path, "print_to_logging", tmp_path)
    assert parsed == {"app/old.py", "app/ok.py"}
    assert {Path(path).name: status.name for path, status, _, _ in results}["old.py"] == "FAILED"


def test_setup_logging_parses_only_the_app_modules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/main.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
            "app/admin.py": "from fastapi import FastAPI\n\nadmin = FastAPI()\n",
            "app/deps.py": "from fastapi import FastAPI\n\n\ndef title(app: FastAPI) -> str:\n    return app.title\n",
        },
    )
    results = _check(monkeypatch, tmp_path, "setup_logging", {"app/main.py", "app/admin.py"})
    assert {Path(path).name for path, _, new, findings in results if new or findings} >= {"main.py", "admin.py"}


DOCS_PROJECT = {
    "app/__init__.py": "",
    "app/main.py": "import fastapi as fa\n\napp = fa.FastAPI()\n",
    "app/late.py": "from fastapi import FastAPI as Api\n\nother = Api(openapi_url=None)\nother.docs_url = None\n",
    "app/pages.py": (
        "from fastapi.openapi.docs import get_swagger_ui_html as swagger\n\nfrom app.main import app\n\n\n"
        "def page():\n    return swagger(openapi_url=app.openapi_url, title='docs')\n"
    ),
    "app/types.py": "from fastapi import FastAPI\n\n\ndef title(app: FastAPI) -> str:\n    return app.title\n",
    "app/links.py": 'DOCS = "/docs"\nREDOC = "/redoc"\n',
    "tests/test_docs.py": "def test_docs(client):\n    assert client.get('/docs').status_code == 200\n",
    "tests/test_types.py": "from fastapi import FastAPI\n\n\ndef test_type():\n    assert FastAPI\n",
}


def test_conditional_docs_parses_only_files_it_acts_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write(tmp_path, DOCS_PROJECT)
    # The test requesting /docs is read by the project analysis alone: it keeps
    # app/main.py from being rewritten (a finding there), and is not parsed.
    expected = {"app/main.py", "app/late.py", "app/pages.py"}
    results = _check(monkeypatch, tmp_path, "conditional_docs", expected)
    touched = {Path(path).name for path, _, new, findings in results if new or findings}
    assert touched == {"main.py", "late.py", "pages.py"}


@pytest.mark.parametrize(
    ("name", "relpath"),
    [("print_to_logging", "app/service.py"), ("conditional_docs", "app/main.py")],
)
def test_a_file_given_alone_is_still_rewritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, relpath: str
) -> None:
    _write(tmp_path, {**PRINT_PROJECT, **DOCS_PROJECT})
    parsed, results = _run(monkeypatch, tmp_path / relpath, name, tmp_path)
    assert parsed == {relpath}
    # A file given alone shows no program running it: print_to_logging keeps its prints.
    assert [new is not None for _, _, new, _ in results] == [name != "print_to_logging"]
