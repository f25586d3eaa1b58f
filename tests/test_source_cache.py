"""The content-hash cache of source facts under `.edgespark-tasks/cache/`: used, invalidated,
safe when broken, read-only or written by several commits at once."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from edgespark_tasks.checks import run_checks
from edgespark_tasks.checks.sources import CACHE_FILE, SourceIndex
from edgespark_tasks.project.model import load_project
from edgespark_tasks.project.settings import load_settings
from edgespark_tasks.testing.projects import make_project_repo

HOOK = str(Path(sys.executable).parent / "edgespark-tasks-hook")
UNDECLARED = 'import {{ secret }} from "edgespark";\nexport const k = secret.get("NOPE_{n}");\n'


@pytest.fixture
def app(tmp_path: Path) -> Path:
    return make_project_repo(tmp_path / "app")


def cache_of(root: Path) -> Path:
    return root / ".edgespark-tasks" / "cache" / CACHE_FILE


def keys_errors(root: Path) -> list[str]:
    settings = load_settings(root)
    found = run_checks(load_project(root, settings.paths), settings, ["runtime-keys"])
    return sorted(f.message for f in found if f.severity == "error")


def test_cache_is_written_ignored_by_git_and_follows_content(app: Path) -> None:
    (app / "server/src/a.ts").write_text(UNDECLARED.format(n=1))
    assert keys_errors(app) == ['secret.get("NOPE_1") reads a secret that runtime.ts does not '
                                'declare']
    data = json.loads(cache_of(app).read_text())
    assert "server/src/a.ts" in data["files"]
    status = subprocess.run(["git", "status", "--porcelain", "--ignored=no"], cwd=app,
                            capture_output=True, text=True, check=True).stdout
    assert ".edgespark-tasks" not in status
    (app / "server/src/a.ts").write_text(UNDECLARED.format(n=2))  # new bytes: facts recomputed
    assert ["NOPE_2" in m for m in keys_errors(app)] == [True]


def test_a_corrupt_or_foreign_cache_is_ignored_and_replaced(app: Path) -> None:
    (app / "server/src/a.ts").write_text(UNDECLARED.format(n=1))
    keys_errors(app)
    cache_of(app).write_text('{"key": "old-version", "files": {"server/src/a.ts": ["x", {}]}}')
    assert len(keys_errors(app)) == 1
    cache_of(app).write_text("{ not json")
    assert len(keys_errors(app)) == 1
    assert json.loads(cache_of(app).read_text())["key"] != "old-version"


def test_stale_entry_for_the_same_path_is_not_trusted(app: Path) -> None:
    (app / "server/src/a.ts").write_text(UNDECLARED.format(n=1))
    keys_errors(app)
    data = json.loads(cache_of(app).read_text())
    facts = data["files"]["server/src/a.ts"][1]
    facts["reads"] = []  # a poisoned entry whose digest does not match the file any more
    data["files"]["server/src/a.ts"] = ["0" * 64, facts]
    cache_of(app).write_text(json.dumps(data))
    assert len(keys_errors(app)) == 1


def test_unwritable_cache_costs_only_the_speed_up(app: Path) -> None:
    (app / ".edgespark-tasks").mkdir()
    (app / ".edgespark-tasks/cache").write_text("a file where the folder belongs\n")
    (app / "server/src/a.ts").write_text(UNDECLARED.format(n=1))
    assert len(keys_errors(app)) == 1  # the same answer, nothing cached, no error


def test_disabled_cache_writes_nothing(app: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EDGESPARK_TASKS_NO_CACHE", "1")
    assert SourceIndex(load_project(app)).facts
    assert not cache_of(app).exists()


def test_concurrent_hooks_leave_a_complete_cache(app: Path) -> None:
    for n in range(12):
        (app / f"server/src/m{n}.ts").write_text(UNDECLARED.format(n=n))
    procs = [subprocess.Popen([HOOK, "runtime-keys"], cwd=app, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(6)]
    outputs = [proc.communicate(timeout=120) for proc in procs]
    assert [proc.returncode for proc in procs] == [1] * 6
    assert all(out.count("does not declare") == 12 and not err for out, err in outputs)
    data = json.loads(cache_of(app).read_text())  # a whole file, whoever wrote last
    assert {f"server/src/m{n}.ts" for n in range(12)} <= set(data["files"])
    assert not [p for p in cache_of(app).parent.iterdir() if p.suffix == ".tmp"]


def test_a_warm_commit_loads_neither_yaml_nor_the_tokenizer_nor_openssl(app: Path) -> None:
    """What a hook imports on a typical commit (caches warm, one route edited): only the
    project and checks layers it needs. `python -X importtime` shows the same."""
    code = ("import sys; from edgespark_tasks import precommit; "
            "code = precommit.main(['offline', '--staged', 'server/src/defs/runtime.ts']); "
            "print(code, sorted(m for m in ('yaml', 'edgespark_tasks.checks.jstokens', "
            "'_hashlib', 'httpx', 'invoke', 'doit', 'pluggy', 'filelock', 'shutil', "
            "'edgespark_tasks.engine', 'edgespark_tasks.runner') if m in sys.modules))")
    subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                   cwd=app)  # the first run fills the cache
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=app).stdout
    assert out.strip() == "0 []"
