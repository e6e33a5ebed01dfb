"""`analysis.sleep_sites.blocking_names`: which files async_sleep parses, and on which
it may skip the scope analysis (every possibly blocking call is the builtin ``open``
and nothing in the module binds that name)."""

from __future__ import annotations

import ast

import pytest

from fastapi_codemods.analysis import sleep_sites
from fastapi_codemods.engine.fileinfo import FileInfo

READ = "async def read(path):\n    return open(path).read()\n"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        pytest.param("async def idle():\n    pass\n", sleep_sites.NONE, id="nothing blocking"),
        pytest.param("def read(path):\n    return open(path).read()\n", sleep_sites.NONE, id="sync def"),
        pytest.param(READ, sleep_sites.OPEN_ONLY, id="builtin open"),
        pytest.param("import time\n\n\nasync def wait():\n    time.sleep(1)\n", sleep_sites.ANY, id="time.sleep"),
        pytest.param("import requests\n\n" + READ + "\n\nasync def get(url):\n    return requests.get(url)\n",
                     sleep_sites.ANY, id="open and requests"),
        pytest.param("import builtins\n\n\nasync def read(path):\n    return builtins.open(path)\n",
                     sleep_sites.ANY, id="spelled builtins.open"),
        pytest.param("from aiofiles import open\n\n" + READ, sleep_sites.ANY, id="imported"),
        pytest.param("from helpers import *\n\n" + READ, sleep_sites.ANY, id="star import"),
        pytest.param("import open\n\n" + READ, sleep_sites.ANY, id="module named open"),
        pytest.param(READ + "\n\ndef open(path):\n    return path\n", sleep_sites.ANY, id="def"),
        pytest.param(READ + "\n\nclass open:\n    pass\n", sleep_sites.ANY, id="class"),
        pytest.param("async def read(open, path):\n    return open(path)\n", sleep_sites.ANY, id="parameter"),
        pytest.param("async def read(*, open=None):\n    return open('x')\n", sleep_sites.ANY, id="keyword-only"),
        pytest.param("open = print\n\n" + READ, sleep_sites.ANY, id="assigned"),
        pytest.param(READ + "\n\nfor open in []:\n    pass\n", sleep_sites.ANY, id="for target"),
        pytest.param(READ + "\n\nwith x as open:\n    pass\n", sleep_sites.ANY, id="with target"),
        pytest.param(READ + "\n\ntry:\n    pass\nexcept E as open:\n    pass\n", sleep_sites.ANY, id="except as"),
        pytest.param(READ + "\n\nif (open := 1):\n    pass\n", sleep_sites.ANY, id="walrus"),
        pytest.param(READ + "\n\ndef f():\n    global open\n", sleep_sites.ANY, id="global"),
        pytest.param(READ + "\n\nmatch x:\n    case [open]:\n        pass\n", sleep_sites.ANY, id="match capture"),
        pytest.param(READ + "\n\nmatch x:\n    case {**open}:\n        pass\n", sleep_sites.ANY, id="match rest"),
        pytest.param(READ + "\n\ndel open\n", sleep_sites.ANY, id="del"),
        pytest.param(READ + "\n\nvalues = [open for open in []]\n", sleep_sites.ANY, id="comprehension"),
    ],
)
def test_blocking_names(source: str, expected: str) -> None:
    info = FileInfo(path="app/module.py", relpath="app/module.py")
    assert sleep_sites.blocking_names(info, ast.parse(source), source, {}) == expected
