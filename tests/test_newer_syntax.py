"""`engine.sources.parse` reads syntax newer than the running Python (3.12 to 3.14)
through `normalised`, keeping each statement at its line; Python 2 stays unread."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from fastapi_codemods.engine.sources import normalised, parse

CASES = {
    "type_statement": ("type Pair[T] = tuple[T, T]\ntype UserId = int\n", [("Assign", 1), ("Assign", 2)]),
    "generics": ("def first[T](items: list[T]) -> T:\n    return items[0]\n\n\nclass Box[T: (int, str), *Ts, **P]:\n"
                 "    pass\n", [("FunctionDef", 1), ("ClassDef", 5)]),
    "pep_701_fstring": ('def f(d):\n    x = f"{d["a"]}"\n    y = f\'{"\\n".join(d)}\'\n    return x, y\n',
                        [("FunctionDef", 1)]),
    "pep_758_except": ("try:\n    pass\nexcept KeyError, ValueError:\n    pass\n", [("Try", 1)]),
    "multi_line_fstring": ('x = f"""{\n    "a" + f"{"b"}"\n}"""\ny = 1\n', [("Assign", 1), ("Assign", 4)]),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_newer_syntax_is_read_at_its_lines(case: str) -> None:
    text, expected = CASES[case]
    tree = parse(text, Path("x.py"))
    assert tree is not None, normalised(text)
    assert [(type(node).__name__, node.lineno) for node in tree.body] == expected


def test_names_inside_kept_where_the_old_syntax_has_them() -> None:
    tree = parse("def load(raw):\n    try:\n        print(raw)\n    except KeyError, TypeError:\n        pass\n",
                 Path("x.py"))
    assert tree is not None
    handler = tree.body[0].body[0].handlers[0]
    assert isinstance(handler.type, ast.Tuple) and [e.id for e in handler.type.elts] == ["KeyError", "TypeError"]


def test_python_2_and_broken_code_stay_unread() -> None:
    assert parse('print "hello"\n', Path("x.py")) is None
    assert parse("def f(:\n    pass\n", Path("x.py")) is None


def test_current_syntax_is_left_alone() -> None:
    text = 'x = f"{a!r}" # {not a field}\ny = {"k": [1, 2]}[0:1]\nclass A(B[int]):\n    pass\n'
    assert normalised(text) == text
