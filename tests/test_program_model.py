"""The program model (`analysis.program_model`) on small multi-file trees: which
programs a root has, what each imports and reaches, and how each configures logging."""

from __future__ import annotations

from pathlib import Path

from fastapi_codemods.analysis.program_model import LEVELS, ProgramModel
from fastapi_codemods.analysis.project import Project
from fastapi_codemods.engine.discovery import iter_python_files
from fastapi_codemods.engine.fileinfo import FileInfo


def model_of(root: Path, files: dict[str, str], deployment: dict[str, str] | None = None) -> ProgramModel:
    for relpath, text in files.items():
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    found = []
    for path in iter_python_files(root):
        relpath = path.relative_to(root).as_posix()
        found.append((path, FileInfo(relpath, relpath)))
    return ProgramModel(Project(root, found), deployment)


def kinds(model: ProgramModel) -> dict[str, str]:
    return {program.entry: program.kind for program in model.programs}


def running(model: ProgramModel, module: str, scope: str) -> set[tuple[str, str]]:
    return {(program.kind, program.entry) for program in model.running(module, scope)}


WEB = """\
from fastapi import Depends, FastAPI

from app.core import rbac
from app.services.users import UserService, load_user

app = FastAPI()


@app.get("/users/{user_id}")
def get_user(user=Depends(load_user)):
    service = UserService()
    return service.describe(user)
"""
RBAC = """\
ROLES = {"admin": ["user"]}


def check(role):
    return role in ROLES


def print_role_hierarchy():
    for role in ROLES:
        print(role)


if __name__ == "__main__":
    print_role_hierarchy()
"""
USERS = """\
def load_user():
    return {"id": 1}


class UserService:
    def describe(self, user):
        return self._format(user)

    def _format(self, user):
        return str(user)


def unused():
    print("never called")
"""
CLI = """\
import typer

from app.services.users import load_user

cli = typer.Typer()


@cli.command()
def seed():
    print(load_user())
"""


# The web app, the module only its __main__ block runs, a service and a CLI: the
# tree most tests below start from.
SHOP = {
    "app/__init__.py": "",
    "app/main.py": WEB,
    "app/core/__init__.py": "",
    "app/core/rbac.py": RBAC,
    "app/services/__init__.py": "",
    "app/services/users.py": USERS,
    "app/cli.py": CLI,
}


def test_programs_and_their_kinds(tmp_path: Path) -> None:
    model = model_of(tmp_path, {
        **SHOP,
        "app/worker.py": "from celery import Celery\n\ncelery = Celery('w')\n",
        "scripts/prepare.py": "import json\n\nfor row in json.load(open('d.json')):\n    print(row)\n",
        "tools/preimage.py": "import sys\n\nprint(sys.argv[1])\n",
        "app/helpers.py": "def helper():\n    return 1\n",
    })
    assert kinds(model) == {
        "app.main": "web",
        "app.worker": "worker",
        "app.cli": "cli",
        "app.core.rbac": "main",
        "scripts.prepare": "script",
        "tools.preimage": "script",
    }
    web = model.web_app("app.main")
    assert web is not None
    assert {"app.main", "app.core.rbac", "app.services.users", "app", "app.services", "app.core"} <= web.closure
    assert "app.cli" not in web.closure


def test_call_reach_through_imports_methods_and_instances(tmp_path: Path) -> None:
    model = model_of(tmp_path, {
        **SHOP,
    })
    web = ("web", "app.main")
    assert running(model, "app.main", "get_user") == {web}
    # Depends(load_user) in the route and a call in the CLI's command.
    assert running(model, "app.services.users", "load_user") == {web, ("cli", "app.cli")}
    # service = UserService(); service.describe() -> self._format()
    assert running(model, "app.services.users", "UserService.describe") == {web}
    assert running(model, "app.services.users", "UserService._format") == {web}
    # Only the module's own __main__ block calls it.
    assert running(model, "app.core.rbac", "print_role_hierarchy") == {("main", "app.core.rbac")}
    assert running(model, "app.services.users", "unused") == set()
    # A module's top level runs in every program importing it.
    assert web in running(model, "app.services.users", "<module>")


def test_reexports_and_relative_imports_are_followed(tmp_path: Path) -> None:
    model = model_of(tmp_path, {
        "pkg/__init__.py": "from .tasks import cleanup as run_cleanup\n",
        "pkg/tasks.py": "def cleanup():\n    print('cleaning')\n",
        "pkg/api.py": (
            "from fastapi import FastAPI\n\nfrom pkg import run_cleanup\n\napp = FastAPI()\n\n\n"
            "@app.post('/cleanup')\ndef cleanup_route():\n    run_cleanup()\n"
        ),
    })
    assert running(model, "pkg.tasks", "cleanup") == {("web", "pkg.api")}


def test_logging_of_each_program_is_its_own(tmp_path: Path) -> None:
    model = model_of(tmp_path, {
        "app/__init__.py": "",
        "app/main.py": "from fastapi import FastAPI\n\nfrom app import routes\n\napp = FastAPI()\n",
        "app/routes.py": "def index():\n    print('hi')\n",
        "app/workers/__init__.py": "",
        "app/workers/email.py": (
            "import logging\n\nfrom celery import Celery\n\nlogging.basicConfig(level=logging.INFO)\n"
            "celery = Celery('mail')\n"
        ),
        "scripts/seed.py": "import logging\n\nlogging.basicConfig(level='DEBUG')\nprint('seeding')\n",
    })
    web = model.web_app("app.main")
    assert web is not None and not web.configured and web.shown_level() is None
    worker = next(p for p in model.programs if p.kind == "worker")
    assert worker.shown_level() == LEVELS["info"]
    script = next(p for p in model.programs if p.kind == "script")
    assert script.shown_level() == LEVELS["debug"]


def test_levels_read_from_the_configuration(tmp_path: Path) -> None:
    model = model_of(tmp_path, {
        "app/__init__.py": "",
        "app/main.py": (
            "import logging\nimport os\n\nfrom fastapi import FastAPI\n\n"
            "logging.basicConfig(level=os.getenv('LOG_LEVEL', 'WARNING'))\napp = FastAPI()\n"
        ),
        "api/__init__.py": "",
        "api/main.py": "import logging\n\nfrom fastapi import FastAPI\n\nlogging.basicConfig()\napp = FastAPI()\n",
    })
    assert model.web_app("app.main").shown_level() == LEVELS["warning"]
    assert model.web_app("api.main").shown_level() == LEVELS["warning"]


def test_serving_module_and_log_config(tmp_path: Path) -> None:
    model = model_of(tmp_path, {
        "app/__init__.py": "",
        "app/main.py": "from fastapi import FastAPI\n\napp = FastAPI()\n",
        "run.py": (
            "import uvicorn\n\nif __name__ == '__main__':\n"
            "    uvicorn.run('app.main:app', log_config='logging.yaml')\n"
        ),
    })
    web = model.web_app("app.main")
    assert web is not None and "run" in web.entries and web.configured
    assert "run" not in kinds(model)  # part of the web program, not a program of its own


def test_log_config_in_a_deployment_file(tmp_path: Path) -> None:
    files = {"app/__init__.py": "", "app/main.py": "from fastapi import FastAPI\n\napp = FastAPI()\n"}
    without = model_of(tmp_path / "a", files, {"Dockerfile": 'CMD ["uvicorn", "app.main:app"]\n'})
    assert not without.web_app("app.main").configured
    docker = {"Dockerfile": 'CMD ["uvicorn", "app.main:app", "--log-config", "log.yaml"]\n'}
    with_config = model_of(tmp_path / "b", files, docker)
    assert with_config.web_app("app.main").configured


def test_a_mounted_sub_app_is_part_of_the_main_one(tmp_path: Path) -> None:
    model = model_of(tmp_path, {
        "app/__init__.py": "",
        "app/admin.py": "from fastapi import FastAPI\n\nadmin = FastAPI()\n",
        "app/main.py": (
            "from fastapi import FastAPI\n\nfrom app.admin import admin\n\napp = FastAPI()\napp.mount('/admin', admin)\n"
        ),
    })
    assert kinds(model) == {"app.main": "web"}


def test_project_scripts_are_command_line_programs(tmp_path: Path) -> None:
    (tmp_path).mkdir(exist_ok=True)
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n\n[project.scripts]\nx = "tool.main:run"\n')
    model = model_of(tmp_path, {
        "tool/__init__.py": "",
        "tool/main.py": "def run():\n    report()\n\n\ndef report():\n    print('report')\n",
    })
    assert kinds(model) == {"tool.main": "cli"}
    assert running(model, "tool.main", "report") == {("cli", "tool.main")}


def test_log_config_read_from_the_root_s_deployment_files(tmp_path: Path) -> None:
    (tmp_path / "Procfile").write_text("web: uvicorn app.main:app --log-config logging.yaml\n")
    files = {"app/__init__.py": "", "app/main.py": "from fastapi import FastAPI\n\napp = FastAPI()\n"}
    for relpath, text in files.items():
        (tmp_path / relpath).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relpath).write_text(text)
    found = [(tmp_path / r, FileInfo(r, r)) for r in files]
    web = ProgramModel(Project(tmp_path, found)).web_app("app.main")
    assert web is not None and web.configured and "Procfile" in web.describe_logging()
