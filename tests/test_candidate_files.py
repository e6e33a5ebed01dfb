"""Transforms that know their candidate files from the ``ast`` pass parse only those.

For each, a small project mixes files that can be rewritten or reported on with
files that pass the text prefilter but hold nothing to do. Only the first kind may
reach libcst, and the run must give exactly what it gives when every file passing
the prefilter is parsed.
"""

from __future__ import annotations

from pathlib import Path

import libcst
import pytest

from fastapi_codemods.codemods import load
from fastapi_codemods.engine.driver import Mode, RunOptions, run

BACKGROUND_PROJECT = {
    "pyproject.toml": (
        "[tool.fastapi-codemods.background_tasks]\n"
        'calls = ["app.mail.deliver"]\n'
        'exclude = ["send_email_digest"]\n'
    ),
    "app/__init__.py": "",
    "app/main.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
    "app/mail.py": "import asyncio\n\n\nasync def deliver(to):\n    await asyncio.sleep(0)\n",
    "app/notify.py": (
        "import asyncio\n\n\nasync def send_email(to):\n    await asyncio.sleep(0)\n\n\n"
        "async def send_sms(to):\n    await asyncio.sleep(0)\n\n\n"
        "async def send_email_digest(to):\n    await asyncio.sleep(0)\n"
    ),
    # Moved: an awaited send_email statement in an async route.
    "app/routes.py": (
        "from fastapi import APIRouter\n\nfrom .notify import send_email\n\nrouter = APIRouter()\n\n\n"
        '@router.post("/signup")\nasync def signup(email: str):\n    await send_email(email)\n    return {}\n'
    ),
    # Reported: a matching call handed to asyncio.gather.
    "app/gathered.py": (
        "import asyncio\n\nfrom fastapi import APIRouter\n\nfrom .notify import send_email, send_sms\n\n"
        "router = APIRouter()\n\n\n"
        '@router.post("/both")\nasync def both(to: str):\n'
        "    await asyncio.gather(send_email(to), send_sms(to))\n    return {}\n"
    ),
    # Moved: a route registered with add_api_route, its call named under `calls` through an alias.
    "app/registered.py": (
        "from fastapi import APIRouter\n\nfrom app.mail import deliver as post_it\n\n\n"
        "async def handler(to: str):\n    await post_it(to)\n    return {}\n\n\n"
        "router = APIRouter()\n"
        'router.add_api_route("/deliver", handler, methods=["POST"])\n'
    ),
    # Not candidates: awaits nothing matching, matches only an excluded name, or is no route.
    "app/plain.py": (
        "import asyncio\n\nfrom fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n"
        '@router.get("/wait")\nasync def wait():\n    await asyncio.sleep(0)\n    return {}\n'
    ),
    "app/excluded.py": (
        "from fastapi import APIRouter\n\nfrom .notify import send_email_digest\n\nrouter = APIRouter()\n\n\n"
        '@router.post("/digest")\nasync def digest(to: str):\n    await send_email_digest(to)\n    return {}\n'
    ),
    "app/service.py": (
        "from .notify import send_email\n\n\nasync def welcome(to):\n    await send_email(to)\n"
    ),
    "app/sync_route.py": (
        "from fastapi import APIRouter\n\nfrom .notify import send_email\n\nrouter = APIRouter()\n\n\n"
        '@router.post("/sync")\ndef sync(to: str):\n    send_email(to)\n    return {"await": False}\n'
    ),
    # Moved: the route's router is built in another module of the project.
    "app/api.py": "import fastapi\n\nshared = fastapi.APIRouter()\n",
    "app/remote.py": (
        "from .api import shared as api_router\nfrom .notify import send_email\n\n\n"
        '@api_router.post("/remote")\nasync def remote(to: str):\n    await send_email(to)\n    return {}\n'
    ),
    # Moved: an app built and routed inside a factory function.
    "app/factory.py": (
        "from fastapi import FastAPI as Api\n\nfrom .notify import send_email\n\n\n"
        "def create():\n    made = Api()\n\n"
        '    @made.post("/hello")\n    async def hello(to: str):\n        await send_email(to)\n        return {}\n\n'
        "    return made\n"
    ),
    # Not candidates: routes on a router subclass, on a router from outside the project.
    "app/custom.py": (
        "from fastapi import APIRouter\n\nfrom .notify import send_email\n\n\n"
        "class LoggedRouter(APIRouter):\n    pass\n\n\nrouter = LoggedRouter()\n\n\n"
        '@router.post("/custom")\nasync def custom(to: str):\n    await send_email(to)\n    return {}\n'
    ),
    "app/foreign.py": (
        "from plugins.web import router\n\nfrom .notify import send_email\n\n\n"
        '@router.post("/foreign")\nasync def foreign(to: str):\n    await send_email(to)\n    return {}\n'
    ),
}

ORM_PROJECT = {
    "app/__init__.py": "",
    "app/schemas.py": (
        "from pydantic import BaseModel, ConfigDict\n\n\n"
        "class Item(BaseModel):\n    model_config = ConfigDict(from_attributes=True)\n\n    id: int\n    name: str\n"
    ),
    # Rewritten: a dict copied from the object's attributes.
    "app/items.py": (
        "from fastapi import APIRouter\n\nfrom .schemas import Item\n\nrouter = APIRouter()\n\n\n"
        '@router.get("/items/{item_id}", response_model=Item)\ndef read(item_id: int):\n'
        "    item = load(item_id)\n    return {\"id\": item.id, \"name\": item.name}\n"
    ),
    # Reported: the dict is built in a variable that is also changed.
    "app/payload.py": (
        "from fastapi import APIRouter\n\nfrom .schemas import Item\n\nrouter = APIRouter()\n\n\n"
        '@router.get("/other/{item_id}", response_model=Item)\ndef other(item_id: int):\n'
        "    item = load(item_id)\n    data = dict(id=item.id, name=item.name)\n"
        "    data[\"name\"] = 'x'\n    return data\n"
    ),
    # Not candidates: returns the object, returns a dict of constants, no response_model.
    "app/direct.py": (
        "from fastapi import APIRouter\n\nfrom .schemas import Item\n\nrouter = APIRouter()\n\n\n"
        '@router.get("/direct/{item_id}", response_model=Item)\ndef direct(item_id: int):\n'
        "    return load(item_id)\n\n\n"
        '@router.get("/constant", response_model=Item)\ndef constant():\n    return {"id": 1, "name": "x"}\n'
    ),
    "app/no_model.py": (
        "from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n"
        '@router.get("/raw", response_model=None)\ndef raw(item):\n    return {"id": item.id, "name": item.name}\n'
    ),
    "app/mentions.py": '"""Routes here set response_model on every decorator."""\n',
}


SLEEP_PROJECT = {
    "app/__init__.py": "",
    "app/waits.py": "import time\n\n\nasync def wait():\n    time.sleep(1)\n",
    "app/alias.py": "from time import sleep as nap\n\n\nasync def wait():\n    nap(1)\n",
    "app/reads.py": "async def read(path):\n    return open(path).read()\n",
    "app/fetch.py": "import requests as r\n\n\nasync def fetch(url):\n    return r.get(url)\n",
    # pass the text check (async, time and sleep; requests and get) but call nothing blocking
    "app/dicts.py": "import requests\n\n\nasync def pick(d):\n    return d.get('x')\n",
    "app/nested.py": "import time\n\n\nasync def outer():\n    def inner():\n        time.sleep(1)\n    return inner\n",
    "app/sync.py": "import time\n\n\ndef wait():\n    time.sleep(1)\n\n\nasync def other():\n    pass\n",
}


def write(root: Path, files: dict[str, str]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    return root


def parsed_files(
    monkeypatch: pytest.MonkeyPatch, target: Path, name: str, root: Path | None = None
) -> tuple[set[str], list]:
    """The files under ``root`` libcst parsed when running on ``target`` (validation of
    rewritten code aside), and the results."""
    root = root or target
    contents = {path.read_bytes(): path.relative_to(root).as_posix() for path in root.rglob("*.py")}
    parsed: set[str] = set()
    original = libcst.parse_module

    def spy(source, *args, **kwargs):
        if isinstance(source, bytes) and source in contents:
            parsed.add(contents[source])
        return original(source, *args, **kwargs)

    monkeypatch.setattr(libcst, "parse_module", spy)
    outcome = run(RunOptions(paths=[target], mode=Mode.DIFF, only=[name], jobs=1))
    monkeypatch.setattr(libcst, "parse_module", original)
    results = sorted((r.path, r.status.value, r.new, r.findings) for r in outcome.results)
    return parsed, results


def prefilter_only(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.setattr(load(name), "wants", classmethod(lambda cls, file, text, facts: cls.matches_text(text)))


@pytest.mark.parametrize(
    ("name", "files", "expected"),
    [
        (
            "background_tasks",
            BACKGROUND_PROJECT,
            {"app/routes.py", "app/gathered.py", "app/registered.py", "app/remote.py", "app/factory.py"},
        ),
        ("return_orm_objects", ORM_PROJECT, {"app/items.py", "app/payload.py"}),
        ("async_sleep", SLEEP_PROJECT, {"app/waits.py", "app/alias.py", "app/reads.py", "app/fetch.py"}),
    ],
)
def test_only_candidate_files_are_parsed_and_results_are_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, files: dict[str, str], expected: set[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    root = write(tmp_path / "proj", files)
    parsed, results = parsed_files(monkeypatch, root, name)
    assert parsed == expected
    changed_or_reported = {path.removeprefix("proj/") for path, status, _, findings in results if status == "changed" or findings}
    assert changed_or_reported == expected

    prefilter_only(monkeypatch, name)
    parsed_before, results_before = parsed_files(monkeypatch, root, name)
    assert parsed_before > expected
    assert results == results_before


@pytest.mark.parametrize(
    ("name", "files", "path"),
    [("background_tasks", BACKGROUND_PROJECT, "app/routes.py"), ("return_orm_objects", ORM_PROJECT, "app/items.py")],
)
def test_a_file_given_alone_is_still_a_candidate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, files: dict[str, str], path: str
) -> None:
    monkeypatch.chdir(tmp_path)
    root = write(tmp_path / "proj", files)
    parsed, results = parsed_files(monkeypatch, root / path, name, root)
    assert parsed == {path}
    assert results[0][3]  # alone, the rest of the project is unknown: reported, not rewritten
    prefilter_only(monkeypatch, name)
    assert parsed_files(monkeypatch, root / path, name, root)[1] == results


@pytest.mark.parametrize("name", ["background_tasks", "return_orm_objects"])
def test_a_file_the_ast_cannot_read_is_left_to_the_prefilter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.chdir(tmp_path)
    root = write(tmp_path / "proj", {"broken.py": "async def f(:\n    await response_model\n"})
    outcome = run(RunOptions(paths=[root], mode=Mode.CHECK, only=[name], jobs=1))
    assert [result.status.value for result in outcome.results] == ["failed"]
