"""``# fastapi-codemods: skip`` markers: parsing, which statements they cover, and
that they stay on their statements after an earlier transform moved lines; a
``# noqa`` for a transform's lint code marks its statement for that transform."""

from __future__ import annotations

import pytest
from sample_transforms import Flag, InsertTop

from fastapi_codemods.engine.fileinfo import FileInfo
from fastapi_codemods.engine.pipeline import Plan, process_source
from fastapi_codemods.engine.results import Status
from fastapi_codemods.engine.skip_markers import skip_markers, source_lines

FILE = FileInfo(path="app/mod.py", relpath="app/mod.py")


def run(source: str, *transforms: type) -> tuple[str, list[tuple[int, str]], Status]:
    result = process_source(source.encode(), FILE, Plan(root=".", transforms=transforms or (Flag,)))
    new = (result.new or result.old).decode()
    return new, [(f.line, f.reason) for f in result.findings], result.status


def test_parses_line_markers_names_and_skip_file() -> None:
    text = (
        "a = 1  # fastapi-codemods: skip\n"
        "b = 2  # FASTAPI-CODEMODS: Skip=Flag, other_one because of X\n"
        "c = 3  # fastapi-codemods:skip=flag\n"
        "# fastapi-codemods: skip-file=insert_top\n"
    )
    lines, file_names, whole = skip_markers(text)
    assert lines == {1: None, 2: frozenset({"flag", "other_one"}), 3: frozenset({"flag"})}
    assert file_names == frozenset({"insert_top"})
    assert whole is False
    assert skip_markers("x = 1\n# fastapi-codemods: skip-file\n")[1:] == (None, True)
    assert skip_markers("x = 1  # fastapi-codemods is great\n") == ({}, frozenset(), False)


def test_noqa_for_print_rules_marks_lines_for_print_to_logging() -> None:
    text = (
        "print(1)  # noqa: T201\n"
        "print(2)  # noqa\n"
        "print(3)  # noqa:E501,t20 why\n"
        "print(4)  # noqa: E501\n"
        "print(5)  # noqa: T201  # fastapi-codemods: skip=flag\n"
        "print(6)  # noqa: T201  # fastapi-codemods: skip\n"
        "x = 'no noqa here'\n"
    )
    printing = frozenset({"print_to_logging"})
    assert skip_markers(text) == (
        {1: printing, 2: printing, 3: printing, 5: printing | {"flag"}, 6: None},
        frozenset(),
        False,
    )


def test_line_numbers_ignore_form_feeds_and_unicode_separators() -> None:
    text = "a = '\u2028'\n\x0c\nb = 1  # fastapi-codemods: skip\r\nc = 2\r"
    assert source_lines(text) == ["a = '\u2028'", "\x0c", "b = 1  # fastapi-codemods: skip", "c = 2"]
    assert list(skip_markers(text)[0]) == [3]


def test_marker_skips_only_its_statement() -> None:
    new, findings, _ = run("flagged()  # fastapi-codemods: skip\nflagged()\n")
    assert new == "flagged()  # fastapi-codemods: skip\ndone()\n"
    assert findings == [(1, "skipped flagged"), (2, "renamed flagged")]


def test_marker_on_any_line_of_a_multiline_statement() -> None:
    source = "call(\n    flagged,\n    1,  # fastapi-codemods: skip\n)\n"
    assert run(source)[0] == source


def test_marker_for_another_transform_does_not_skip() -> None:
    new, _, _ = run("flagged()  # fastapi-codemods: skip=insert_top\nx = flagged  # fastapi-codemods: skip=flag\n")
    assert new == "done()  # fastapi-codemods: skip=insert_top\nx = flagged  # fastapi-codemods: skip=flag\n"


@pytest.mark.parametrize(
    "source",
    [
        "def f():  # fastapi-codemods: skip\n    flagged()\n    if x:\n        flagged()\n",
        "@decorator  # fastapi-codemods: skip\ndef f():\n    flagged()\n",
        "def f(\n    a,  # fastapi-codemods: skip\n):\n    flagged()\n",
        "with open(p) as f:  # Fastapi-Codemods: SKIP\n    flagged()\n",
        "if x:\n    pass\nelse:  # fastapi-codemods: skip\n    flagged()\n",
        "try:\n    pass\nexcept E:  # fastapi-codemods: skip\n    flagged()\n",
        "class C:  # fastapi-codemods: skip=flag\n    a = flagged\n",
        "if x: flagged()  # fastapi-codemods: skip\n",
    ],
    ids=["def", "decorator", "multiline_header", "with_case", "else", "except", "class_named", "one_line_suite"],
)
def test_marker_on_a_header_skips_the_block(source: str) -> None:
    assert run(source)[0] == source


def test_marker_inside_a_block_does_not_skip_the_block() -> None:
    source = "def f():\n    # fastapi-codemods: skip\n    flagged()\n    flagged()  # fastapi-codemods: skip\n    flagged()\n"
    new, _, _ = run(source)
    # A marker alone on a comment line covers no statement; only line 4 is skipped.
    assert new == "def f():\n    # fastapi-codemods: skip\n    done()\n    flagged()  # fastapi-codemods: skip\n    done()\n"


def test_skip_file_skips_the_whole_file() -> None:
    _, findings, status = run("flagged()\n# fastapi-codemods: skip-file\n")
    assert status is Status.SKIPPED and findings == []


def test_skip_file_for_one_transform_runs_the_others() -> None:
    new, _, status = run("# fastapi-codemods: skip-file=flag\nflagged()\n", InsertTop, Flag)
    assert status is Status.CHANGED
    assert new == "# fastapi-codemods: skip-file=flag\ninserted()\nflagged()\n"


def test_markers_follow_their_statement_after_an_earlier_transform_inserted_lines() -> None:
    source = "flagged()\nflagged()  # fastapi-codemods: skip\nflagged()\n"
    new, findings, _ = run(source, InsertTop, Flag)
    assert new == "inserted()\ndone()\nflagged()  # fastapi-codemods: skip\ndone()\n"
    # Findings name the lines of the file as it was before the run.
    assert findings == [(1, "renamed flagged"), (2, "skipped flagged"), (3, "renamed flagged")]
