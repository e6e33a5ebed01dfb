#!/usr/bin/env python3
"""Run real FastAPI projects' own test suites before and after fastapi-codemods.

usage: suites.py [TOOL_SRC] [OUT_DIR] [--only NAME[,NAME]] [--rebuild]

TOOL_SRC  folder put on PYTHONPATH for `python -m fastapi_codemods` (default: this repository's src)
OUT_DIR   where reports go (default: out/ in the work folder); summary.md is written there

The work folder (downloads, unpacked trees, one venv per project) is
$FASTAPI_CODEMODS_SUITES, else ~/.cache/fastapi-codemods-suites. The tool runs with
the interpreter running this script, which must have fastapi-codemods' dependencies.

For each project below:
  (a) the sdist (pip download --no-deps --no-binary NAME NAME==VERSION, cached in dl/)
      is unpacked into src/<name>, `git init` + one commit;
  (b) venvs/<name> is created (once; reused while its install spec is unchanged):
      the sdist with its extras + the test deps, pinned by constraints/<name>.txt
      (written from `pip freeze` on the first build); then the project's own dist is
      uninstalled, so the tests can import only the unpacked tree's code;
  (c) pytest -p no:cacheprovider -q --timeout T --junitxml, inside `unshare -n`
      (a fresh network namespace with only loopback up: no network at all);
  (d) PYTHONPATH=$TOOL_SRC python -m fastapi_codemods run --no-progress
      --report OUT/<name>.json .   then git status --porcelain / git diff --stat;
  (e) the suite again; tests that passed before and did not pass after are listed;
      then `git checkout . && git clean -fdq` and the tree is checked clean.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(os.environ.get("FASTAPI_CODEMODS_SUITES") or Path.home() / ".cache" / "fastapi-codemods-suites")
TOOL_PY = sys.executable  # runs the tool (has libcst, black, ...)
BASE_PY = sys.executable  # creates the project venvs
REPO_SRC = Path(__file__).resolve().parent.parent / "src"
PER_TEST_TIMEOUT = 120  # pytest-timeout, seconds per test
SUITE_TIMEOUT = 900  # whole pytest run, seconds
TOOL_TIMEOUT = 600

PROJECTS = [
    {
        "name": "fastapi-users",
        "dist": "fastapi-users",
        "version": "15.0.5",
        "import": "fastapi_users",
        "extras": "[oauth,redis]",
        # from [tool.hatch.envs.default] dependencies: the ones the tests import
        "test_deps": ["pytest", "pytest-asyncio", "pytest-mock", "pytest-timeout",
                      "httpx", "asgi-lifespan"],
        "pytest_args": [],
        "deselect": [],  # (node id, reason)
    },
    {
        "name": "fastapi-azure-auth",
        "dist": "fastapi-azure-auth",
        "version": "5.3.0",
        "import": "fastapi_azure_auth",
        "extras": "",
        # [dependency-groups] dev, without pre-commit and pytest-cov
        "test_deps": ["pytest", "pytest-asyncio", "pytest-mock", "requests-mock",
                      "pytest-socket", "pytest-dotenv", "uvicorn", "pytest-freezer",
                      "anyio", "trio", "pytest-httpx2", "openapi-spec-validator",
                      "pydantic-settings", "asgi-lifespan", "pytest-timeout"],
        "pytest_args": [],
        "deselect": [],
    },
    {
        "name": "fastapi-offline",
        "dist": "fastapi-offline",
        "version": "1.7.7",
        "import": "fastapi_offline",
        "extras": "",
        # the sdist declares no test deps; the tests use fastapi.testclient (httpx)
        "test_deps": ["pytest", "pytest-timeout", "httpx"],
        "pytest_args": [],
        "deselect": [],
    },
]


def log(*a):
    print(time.strftime("%H:%M:%S"), *a, file=sys.stderr, flush=True)


def run(cmd, cwd=None, env=None, timeout=None, check=False):
    p = subprocess.run(cmd, cwd=cwd, env=env, timeout=timeout, text=True,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if check and p.returncode != 0:
        raise RuntimeError(f"{cmd!r} failed ({p.returncode}):\n{p.stdout}\n{p.stderr}")
    return p


def git(tree, *args, check=True):
    return run(["git", "-c", "user.name=suites", "-c", "user.email=suites@localhost",
                "-c", "commit.gpgsign=false", "-c", f"safe.directory={tree}", *args],
               cwd=tree, check=check)


def clean_env():
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTHON", "VIRTUAL_ENV", "PYTEST", "PIP_"))}
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # keep the tree free of __pycache__
    env.pop("CI", None)
    return env


# ---------------------------------------------------------------- (a) sdist -> git tree
def fetch_sdist(p):
    dl = ROOT / "dl"
    dl.mkdir(parents=True, exist_ok=True)
    stem = p["dist"].replace("-", "_")
    for cand in (f"{stem}-{p['version']}.tar.gz", f"{p['dist']}-{p['version']}.tar.gz"):
        if (dl / cand).exists():
            return dl / cand
    run([BASE_PY, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", p["dist"],
         "-d", str(dl), f"{p['dist']}=={p['version']}"], check=True, timeout=300)
    for cand in (f"{stem}-{p['version']}.tar.gz", f"{p['dist']}-{p['version']}.tar.gz"):
        if (dl / cand).exists():
            return dl / cand
    raise RuntimeError(f"no sdist for {p['dist']}=={p['version']} in {dl}")


def unpack(p, sdist):
    tree = ROOT / "src" / p["name"]
    if tree.exists():
        shutil.rmtree(tree)
    tmp = ROOT / "src" / f".{p['name']}.tmp"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    with tarfile.open(sdist) as tf:
        tf.extractall(tmp, filter="data")  # no owners, no absolute paths
    (top,) = list(tmp.iterdir())
    top.rename(tree)
    tmp.rmdir()
    git(tree, "init", "-q")
    git(tree, "add", "-A")
    git(tree, "commit", "-q", "-m", f"{p['dist']} {p['version']} sdist")
    return tree


# ---------------------------------------------------------------- (b) venv
def ensure_venv(p, sdist):
    venv = ROOT / "venvs" / p["name"]
    cons = ROOT / "constraints" / f"{p['name']}.txt"
    spec = {"sdist": sdist.name, "extras": p["extras"], "test_deps": p["test_deps"],
            "constraints": cons.read_text() if cons.exists() else None}
    key = hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()
    marker = venv / ".suite-spec"
    if REBUILD and venv.exists():
        shutil.rmtree(venv)
    if marker.exists() and marker.read_text() == key:
        return venv, False
    if venv.exists():
        shutil.rmtree(venv)
    run([BASE_PY, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin/python"), "-m", "pip", "install", "-q",
           "--disable-pip-version-check"]
    if cons.exists():
        pip += ["-c", str(cons)]
    run(pip + [f"{sdist}{p['extras']}", *p["test_deps"]], check=True, timeout=900)
    if not cons.exists():  # first build: pin everything for the next builds
        frz = run([str(venv / "bin/python"), "-m", "pip", "freeze", "--all",
                   "--disable-pip-version-check"], check=True).stdout
        keep = [l for l in frz.splitlines()
                if l and " @ " not in l and not l.lower().startswith(("pip==", "setuptools=="))]
        cons.parent.mkdir(parents=True, exist_ok=True)
        cons.write_text("\n".join(keep) + "\n")
        spec["constraints"] = cons.read_text()
        key = hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()
    # the tests must import the unpacked tree's code, never an installed copy
    run([str(venv / "bin/python"), "-m", "pip", "uninstall", "-q", "-y",
         "--disable-pip-version-check", p["dist"]], check=True)
    marker.write_text(key)
    return venv, True


# ---------------------------------------------------------------- (c)/(e) tests
def run_suite(p, tree, venv, out, phase):
    xml = out / f"{p['name']}.{phase}.junit.xml"
    if xml.exists():
        xml.unlink()
    args = [str(venv / "bin/python"), "-m", "pytest", "-p", "no:cacheprovider", "-q",
            f"--timeout={PER_TEST_TIMEOUT}", f"--junitxml={xml}", "-o",
            "junit_family=xunit1", *p["pytest_args"]]
    for node, _why in p["deselect"]:
        args += ["--deselect", node]
    if shutil.which("unshare") and os.geteuid() == 0:
        # new network namespace: only loopback, no route anywhere
        cmd = ["unshare", "-n", "sh", "-c", 'ip link set lo up && exec "$@"', "sh", *args]
        offline = "unshare -n (loopback only)"
    else:
        cmd = args
        offline = "NOT isolated (no unshare/root)"
    t0 = time.monotonic()
    try:
        pr = run(["timeout", str(SUITE_TIMEOUT), *cmd], cwd=tree, env=clean_env())
        rc, so, se = pr.returncode, pr.stdout, pr.stderr
    except subprocess.TimeoutExpired as e:
        rc, so, se = -1, str(e.stdout or ""), str(e.stderr or "")
    secs = time.monotonic() - t0
    (out / f"{p['name']}.{phase}.pytest.log").write_text(so + "\n--- stderr ---\n" + se)
    lines = [l for l in so.strip().splitlines() if l.strip()]
    res = {"rc": rc, "seconds": round(secs, 1), "last_line": lines[-1] if lines else "",
           "offline": offline, "cases": {}}
    if xml.exists():
        root = ET.parse(xml).getroot()
        for tc in root.iter("testcase"):
            tid = f"{tc.get('classname')}::{tc.get('name')}"
            status, msg = "passed", ""
            for child in tc:
                if child.tag in ("failure", "error"):
                    status = "failed" if child.tag == "failure" else "error"
                    msg = child.get("message") or (child.text or "")
                    break
                if child.tag == "skipped":
                    status, msg = "skipped", child.get("message") or ""
            # a test with a passing call and an erroring teardown has both
            if tid in res["cases"] and res["cases"][tid][0] != "passed":
                continue
            res["cases"][tid] = (status, msg)
    c = [s for s, _ in res["cases"].values()]
    res["counts"] = {k: c.count(k) for k in ("passed", "failed", "error", "skipped")}
    return res


_ORD_CACHE: dict = {}


def ordinal_key(cases, tid):
    """(classname::function, n): n-th test of that function in report order."""
    cache = _ORD_CACHE.get(id(cases))
    if cache is None or cache[0] is not cases:
        seen, keys = {}, {}
        for t in cases:
            base = t.split("[", 1)[0]
            n = seen.get(base, 0)
            seen[base] = n + 1
            keys[t] = (base, n)
        cache = _ORD_CACHE[id(cases)] = (cases, keys)
    return cache[1][tid]


# ---------------------------------------------------------------- (d) the tool
def run_tool(p, tree, out, tool_src):
    report = out / f"{p['name']}.json"
    if report.exists():
        report.unlink()
    env = clean_env()
    env["PYTHONPATH"] = tool_src
    t0 = time.monotonic()
    pr = run([TOOL_PY, "-m", "fastapi_codemods", "run", "--no-progress", "--report",
              str(report), "."], cwd=tree, env=env, timeout=TOOL_TIMEOUT)
    secs = time.monotonic() - t0
    (out / f"{p['name']}.tool.log").write_text(
        f"exit {pr.returncode}\n--- stdout ---\n{pr.stdout}\n--- stderr ---\n{pr.stderr}")
    status = git(tree, "status", "--porcelain", "--untracked-files=all").stdout
    stat = git(tree, "diff", "--stat").stdout
    diff = git(tree, "diff").stdout
    files = []
    for line in status.splitlines():
        code, path = line[:2], line[3:]
        files.append((code.strip(), path))
        if code == "??":
            diff += git(tree, "diff", "--no-index", "--", "/dev/null", path, check=False).stdout
    (out / f"{p['name']}.tool.diff").write_text(diff)
    findings = None
    if report.exists():
        try:
            findings = len(json.loads(report.read_text()).get("findings", []))
        except ValueError:
            pass
    return {"rc": pr.returncode, "seconds": round(secs, 1), "files": files,
            "porcelain": status, "diff_stat": stat, "findings": findings,
            "stderr_head": pr.stderr.strip().splitlines()[:2]}


def restore(tree):
    git(tree, "checkout", "-q", ".")
    git(tree, "clean", "-fdq")
    return git(tree, "status", "--porcelain", "--untracked-files=all").stdout


def tool_identity(tool_src):
    src = Path(tool_src)
    h = hashlib.sha256()
    for f in sorted(src.rglob("*.py")):
        if "__pycache__" in f.parts:
            continue
        h.update(str(f.relative_to(src)).encode() + b"\0" + f.read_bytes() + b"\0")
    ident = {"path": tool_src, "py_sha256": h.hexdigest()[:16]}
    g = run(["git", "-C", tool_src, "rev-parse", "--short", "HEAD"])
    if g.returncode == 0:
        ident["git_head"] = g.stdout.strip()
        st = run(["git", "-C", tool_src, "status", "--porcelain", "--", "."]).stdout
        ident["uncommitted_entries_under_src"] = len(st.splitlines())
    return ident


# ---------------------------------------------------------------- one project
def do_project(p, out, tool_src):
    t0 = time.monotonic()
    r = {"name": p["name"], "version": p["version"],
         "deselect": [list(d) for d in p["deselect"]]}
    sdist = fetch_sdist(p)
    r["sdist"] = sdist.name
    tree = unpack(p, sdist)
    log(p["name"], "unpacked into", tree)
    venv, built = ensure_venv(p, sdist)
    r["venv_built_now"] = built
    log(p["name"], "venv", "built" if built else "reused", venv)
    imp = run([str(venv / "bin/python"), "-c", f"import {p['import']} as m; print(m.__file__)"],
              cwd=tree, env=clean_env())
    r["imports_from"] = imp.stdout.strip() or imp.stderr.strip().splitlines()[-1:]
    dirty = restore(tree)
    if dirty:
        raise RuntimeError(f"{tree} not clean before the tests:\n{dirty}")
    r["before"] = run_suite(p, tree, venv, out, "before")
    log(p["name"], "before:", r["before"]["counts"], f"{r['before']['seconds']}s")
    dirty = restore(tree)  # whatever the tests left (none expected)
    r["left_by_tests_before"] = dirty
    r["tool"] = run_tool(p, tree, out, tool_src)
    log(p["name"], "tool: exit", r["tool"]["rc"], len(r["tool"]["files"]), "files changed")
    r["after"] = run_suite(p, tree, venv, out, "after")
    log(p["name"], "after:", r["after"]["counts"], f"{r['after']['seconds']}s")
    # Match before/after by (test function, n-th parametrization) rather than by the
    # full id: some suites put random values in their parameter ids (fastapi-users
    # parametrizes with a secret generated at import time).
    after_by_key = {ordinal_key(r["after"]["cases"], t): t for t in r["after"]["cases"]}
    r["broke"], r["fixed"] = [], []
    for tid, (st, _m) in r["before"]["cases"].items():
        atid = after_by_key.get(ordinal_key(r["before"]["cases"], tid))
        st2, msg = (r["after"]["cases"][atid] if atid
                    else ("missing", "not in the after run's report"))
        if st == "passed" and st2 != "passed":
            head = " ".join(msg.strip().split())[:240]
            r["broke"].append({"test": atid or tid, "after": st2, "reason": head})
        elif st in ("failed", "error") and st2 == "passed":
            r["fixed"].append(tid)
    r["left_after_restore"] = restore(tree)
    r["seconds"] = round(time.monotonic() - t0, 1)
    for ph in ("before", "after"):
        r[ph]["cases"] = {k: list(v) for k, v in r[ph]["cases"].items()}
    return r


# ---------------------------------------------------------------- summary.md
def md_counts(res):
    c = res["counts"]
    s = f"{c['passed']} / {c['failed'] + c['error']} / {c['skipped']}"
    if c["error"]:
        s += f" (of the failed, {c['error']} errors)"
    return s


def write_summary(results, out, tool_src, ident, total):
    L = ["# fastapi-codemods on real projects' own test suites", ""]
    L.append(f"- TOOL_SRC: `{tool_src}` (python files sha256[:16] `{ident['py_sha256']}`"
             + (f", git HEAD `{ident['git_head']}`, {ident['uncommitted_entries_under_src']}"
                " uncommitted entries under it" if "git_head" in ident else "") + ")")
    L.append(f"- tool command: `PYTHONPATH=$TOOL_SRC {TOOL_PY} -m fastapi_codemods run "
             f"--no-progress --report {out}/<name>.json .` (run in the tree's root)")
    L.append(f"- tests: `<venv>/bin/python -m pytest -p no:cacheprovider -q "
             f"--timeout={PER_TEST_TIMEOUT} --junitxml=...` under `timeout {SUITE_TIMEOUT}`, "
             "inside `unshare -n` (network namespace with loopback only)")
    L.append(f"- date: {time.strftime('%Y-%m-%d %H:%M:%S %Z')}; one pass took {total:.0f} s")
    L.append("- counts are passed / failed / skipped, from the JUnit XML")
    L.append("")
    for r in results:
        L.append(f"## {r['name']} {r['version']}")
        L.append("")
        if "error" in r:
            L.append(f"**harness error**: {r['error']}")
            L.append("")
            continue
        t = r["tool"]
        files = t["files"]
        L += ["| | |", "| --- | --- |",
              f"| version | {r['version']} (`{r['sdist']}`) |",
              f"| deselected | {'; '.join(f'`{n}` ({w})' for n, w in r['deselect']) or 'none'} |",
              f"| tests before (p/f/s) | {md_counts(r['before'])} — pytest: `{r['before']['last_line']}` |",
              f"| tool exit code, findings | {t['rc']}, {t['findings']} |",
              f"| files changed by the tool | {len(files)}: "
              + (", ".join(f"`{c} {f}`" for c, f in files) or "none") + " |",
              f"| tests after (p/f/s) | {md_counts(r['after'])} — pytest: `{r['after']['last_line']}` |",
              f"| tests that broke | {len(r['broke'])} |",
              f"| tree clean after restore | {'yes' if not r['left_after_restore'] else 'NO: ' + r['left_after_restore']} |",
              f"| time | {r['seconds']} s (tests {r['before']['seconds']} s + {r['after']['seconds']} s, tool {t['seconds']} s; venv {'built' if r['venv_built_now'] else 'reused'}) |",
              ""]
        if r["broke"]:
            L += ["| broke test | after | reason (head) |", "| --- | --- | --- |"]
            for b in r["broke"]:
                reason = b["reason"].replace("|", "\\|")
                L.append(f"| `{b['test']}` | {b['after']} | {reason} |")
            L.append("")
        if r["fixed"]:
            L.append(f"Failed before, passed after: {', '.join(r['fixed'])}")
            L.append("")
        if t["diff_stat"].strip():
            L += ["```", t["diff_stat"].rstrip(), "```", ""]
    (out / "summary.md").write_text("\n".join(L) + "\n")


def main(argv):
    global REBUILD
    REBUILD = "--rebuild" in argv
    only = None
    pos = []
    it = iter(argv)
    for a in it:
        if a == "--rebuild":
            continue
        if a == "--only":
            only = set(next(it).split(","))
            continue
        pos.append(a)
    tool_src = os.path.abspath(pos[0]) if pos else str(REPO_SRC)
    out = Path(pos[1]).resolve() if len(pos) > 1 else ROOT / "out"
    out.mkdir(parents=True, exist_ok=True)
    ident = tool_identity(tool_src)
    t0 = time.monotonic()
    results = []
    for p in PROJECTS:
        if only and p["name"] not in only:
            continue
        try:
            results.append(do_project(p, out, tool_src))
        except Exception as e:  # report and go on with the next project
            log(p["name"], "HARNESS ERROR", e)
            results.append({"name": p["name"], "version": p["version"], "error": str(e)})
    total = time.monotonic() - t0
    (out / "results.json").write_text(json.dumps(
        {"tool_src": tool_src, "tool": ident, "seconds": round(total, 1),
         "projects": results}, indent=1))
    write_summary(results, out, tool_src, ident, total)
    log(f"done in {total:.0f} s; {out / 'summary.md'}")
    return 1 if any("error" in r for r in results) else 0


REBUILD = False
if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
