"""CONTRIBUTING.md's recipe, followed for a tiny transform: its module, its fixtures
folder, its registry line and its README section, and nothing else, make it a
transform that runs, is listed and passes the same checks as the real ones."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
import test_fixtures
import test_registry
from click.testing import CliRunner

from fastapi_codemods import codemods
from fastapi_codemods.cli import cli

NAME = "drop_redundant_pass"

MODULE = '''\
"""Remove ``pass`` statements from blocks that hold other statements.

Beside other statements a ``pass`` does nothing, so removing it keeps behaviour. One
that carries a comment is kept and reported: the comment may be why it is there.
"""

from __future__ import annotations

import libcst as cst

from fastapi_codemods.cst.transform import Transform


class DropRedundantPass(Transform):
    PREFILTER = ("pass",)

    def leave_IndentedBlock(self, original_node: cst.IndentedBlock, updated_node: cst.IndentedBlock) -> cst.IndentedBlock:
        if all(_is_pass(statement) for statement in updated_node.body):
            return updated_node
        kept = []
        for original, statement in zip(original_node.body, updated_node.body):
            if not _is_pass(statement):
                kept.append(statement)
            elif statement.trailing_whitespace.comment or any(line.comment for line in statement.leading_lines):
                self.report(original, "pass carries a comment: kept")
                kept.append(statement)
        return updated_node.with_changes(body=kept)


def _is_pass(statement: cst.BaseStatement) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and all(
        isinstance(small, cst.Pass) for small in statement.body
    )
'''

FIXTURES = {
    "removes_pass.input.py": """\
        def handler():
            pass
            return 1


        class Empty:
            pass


        for item in range(3):
            pass
            print(item)
        """,
    "removes_pass.output.py": """\
        def handler():
            return 1


        class Empty:
            pass


        for item in range(3):
            print(item)
        """,
    "commented_pass.input.py": """\
        def handler():
            pass  # the service call lands here
            return 1
        """,
    "commented_pass.findings": "2: pass carries a comment\n",
}

README_SECTION = f"""\
### `{NAME}`

Removes `pass` beside other statements; keeps (and reports) one carrying a comment.
"""


@pytest.fixture
def recipe_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A repository laid out as the real one, holding only the new transform's four places."""
    repo = tmp_path / "repo"
    package = repo / "src" / "fastapi_codemods" / "codemods"
    package.mkdir(parents=True)
    (package / f"{NAME}.py").write_text(MODULE, encoding="utf-8")  # 1. the module
    fixtures = repo / "tests" / "fixtures" / NAME  # 2. the fixtures folder
    fixtures.mkdir(parents=True)
    for file_name, text in FIXTURES.items():
        (fixtures / file_name).write_text(textwrap.dedent(text), encoding="utf-8")
    monkeypatch.setattr(codemods, "ORDER", (*codemods.ORDER, NAME))  # 3. the registry line
    (repo / "README.md").write_text(README_SECTION, encoding="utf-8")  # 4. the README section

    monkeypatch.setattr(codemods, "__path__", [*codemods.__path__, str(package)])
    monkeypatch.setattr(test_fixtures, "FIXTURES", repo / "tests" / "fixtures")
    monkeypatch.setattr(test_registry, "REPO", repo)
    yield repo
    codemods.load.cache_clear()
    sys.modules.pop(f"{codemods.__name__}.{NAME}", None)


def test_the_recipe_registers_a_documented_tested_transform(recipe_repo: Path) -> None:
    assert codemods.discovered_names() == set(codemods.ORDER)
    test_registry.test_transform_is_documented_and_tested(NAME)
    test_registry.test_transform_uses_no_matcher_decorators_or_attribute_hooks(NAME)
    listed = CliRunner().invoke(cli, ["list"])
    assert listed.exit_code == 0
    assert "Remove ``pass`` statements from blocks that hold other statements." in listed.output


@pytest.mark.parametrize("case", ["removes_pass", "commented_pass"])
def test_the_recipe_fixtures_run_through_the_shared_fixture_test(
    recipe_repo: Path, case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert [param.values for param in test_fixtures._cases()] == [(NAME, "commented_pass"), (NAME, "removes_pass")]
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    test_fixtures.test_fixture(NAME, case, scratch, monkeypatch)
