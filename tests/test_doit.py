"""The doit front-end, through the real `doit` executable in temporary git repos (fake CLI)."""

from __future__ import annotations

import http.server
import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from edgespark_tasks.testing import FakeCli, commit_all, git, rehash_schema
from edgespark_tasks.testing.projects import init_repo, write_project

DOIT = str(Path(sys.executable).with_name("doit"))
DODO = "from edgespark_tasks.doit import *\n"
DEFS = "server/src/defs"
# What a first deploy of the example project runs: the documented order, as `inv deploy` runs
# it (independent steps too: an OAuth provider is applied only after its secret is checked).
FIRST_DEPLOY = [
    "db migrate", "storage apply",
    "var set PUBLIC_APP_NAME=Notes GOOGLE_CLIENT_ID=1234567890-notesapp.apps.googleusercontent.com"
    " MAX_NOTES_PER_USER=500",
    "secret list", "auth apply", "pull types", "deploy --dry-run", "deploy",
]
# (step, step that must come first) for the commands above.
PREREQUISITES = [("pull types", "db migrate"), ("pull types", "storage apply"),
                 ("deploy --dry-run", "pull types"), ("deploy --dry-run", "auth apply"),
                 ("deploy --dry-run", "secret list"), ("deploy --dry-run", FIRST_DEPLOY[2]),
                 ("deploy", "deploy --dry-run")]
TASKS = ["db-generate", "db-migrate", "db-check", "storage-apply", "vars-apply", "secrets-check",
         "auth-apply", "pull-types", "types-check", "deploy-dry-run", "deploy"]


def doit(root: Path, fake: FakeCli, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run the real doit in `root` with the fake CLI; stdout and stderr merged."""
    environ = fake.environ(**env)
    if "EDGESPARK_TASKS_ENVIRONMENT" not in env:
        environ.pop("EDGESPARK_TASKS_ENVIRONMENT", None)
    return subprocess.run([DOIT, *args], cwd=root, env=environ, stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=120)


def add_journal_entry(root: Path, tag: str) -> None:
    """Register a migration in meta/_journal.json (and give it a snapshot), as drizzle does."""
    meta = root / "server/drizzle/meta"
    journal = json.loads((meta / "_journal.json").read_text())
    idx = len(journal["entries"])
    journal["entries"].append({"idx": idx, "version": "6", "when": 1700000000000 + idx,
                               "tag": tag, "breakpoints": True})
    (meta / "_journal.json").write_text(json.dumps(journal, indent=2) + "\n")
    (meta / f"{idx:04d}_snapshot.json").write_text(json.dumps({"id": tag}) + "\n")


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stdout
    assert "Traceback" not in result.stdout
    return result.stdout


def assert_first_deploy(commands: list[str]) -> None:
    """Every step of a first deploy ran once, in the documented order."""
    assert commands == FIRST_DEPLOY
    for later, earlier in PREREQUISITES:
        assert commands.index(earlier) < commands.index(later), (earlier, later, commands)


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text() + text)


@pytest.fixture
def repo(edgespark_project: Callable[..., Path]) -> Path:
    """The example project in a git repo, with a dodo.py using the front-end."""
    return edgespark_project(files={"dodo.py": DODO})


@pytest.fixture
def deployed(repo: Path, fake_cli: FakeCli) -> Path:
    """`repo` after a first successful `doit`, with the recorded calls cleared."""
    ok(doit(repo, fake_cli))
    assert_first_deploy(fake_cli.commands())
    fake_cli.clear()
    return repo


def test_first_deploy_runs_steps_in_order_then_nothing(repo: Path, fake_cli: FakeCli) -> None:
    out = ok(doit(repo, fake_cli, "edgespark:deploy"))
    assert_first_deploy(fake_cli.commands())
    assert ".  edgespark:deploy: deploy (edgespark deploy)" in out
    fake_cli.clear()
    out = ok(doit(repo, fake_cli))  # bare `doit`: the default tasks are the pipeline
    assert fake_cli.commands() == []
    assert "-- edgespark:deploy" in out


def test_touch_without_change_runs_nothing(deployed: Path, fake_cli: FakeCli) -> None:
    for path in [*(deployed / DEFS).glob("*.ts"), deployed / "server/src/index.ts",
                 deployed / "configs/auth-config.yaml", deployed / "configs/vars.yaml"]:
        os.utime(path, (1_900_000_000, 1_900_000_000))
    ok(doit(deployed, fake_cli))
    assert fake_cli.commands() == []


# Each edit (applied in turn to one deployed repo) and exactly the commands it must run.
EDITS = [
    (f"{DEFS}/storage_schema.ts", ["storage apply", "pull types", "deploy --dry-run", "deploy"]),
    (f"{DEFS}/db_relations.ts", ["pull types", "deploy --dry-run", "deploy"]),
    (f"{DEFS}/runtime.ts", ["secret list", "pull types", "deploy --dry-run", "deploy"]),
    ("configs/auth-config.yaml", ["secret list", "auth apply", "deploy --dry-run", "deploy"]),
    ("server/src/index.ts", ["deploy --dry-run", "deploy"]),
    ("web/src/main.ts", ["deploy --dry-run", "deploy"]),
    ("configs/vars.yaml", ["var set MAX_NOTES_PER_USER=600"]),
]


def test_each_change_runs_its_step_and_dependents_only(deployed: Path,
                                                       fake_cli: FakeCli) -> None:
    for rel, expected in EDITS:
        path = deployed / rel
        if rel.endswith("vars.yaml"):
            path.write_text(path.read_text().replace('"500"', '"600"'))
        else:
            append(path, "\n// edited\n" if rel.endswith(".ts") else "\n# edited\n")
        ok(doit(deployed, fake_cli))
        assert fake_cli.commands() == expected, rel
        fake_cli.clear()


def test_db_schema_with_reviewed_migration_migrates(deployed: Path, fake_cli: FakeCli) -> None:
    # A person ran `db generate` and reviewed the SQL; doit migrates it, generates nothing.
    append(deployed / DEFS / "db_schema.ts", "\n// a new column would go here\n")
    rehash_schema(deployed)
    (deployed / "server/drizzle/0002_more.sql").write_text("ALTER TABLE `notes` ADD `x` text;\n")
    add_journal_entry(deployed, "0002_more")  # as `db generate` does; preflight checks it
    ok(doit(deployed, fake_cli))
    assert fake_cli.commands() == ["db migrate", "pull types", "deploy --dry-run", "deploy"]


def test_db_schema_without_migration_stops_unattended(deployed: Path, fake_cli: FakeCli) -> None:
    append(deployed / DEFS / "db_schema.ts", "\n// edited\n")
    result = doit(deployed, fake_cli)
    assert result.returncode != 0
    assert "doit: error: schema changed without a migration" in result.stdout
    assert "Traceback" not in result.stdout
    assert fake_cli.commands() == []


def test_failed_step_is_not_recorded_and_retried(deployed: Path, fake_cli: FakeCli) -> None:
    append(deployed / DEFS / "runtime.ts", "\n// edited\n")
    fake_cli.respond("pull types", exit=6, stderr="HTTP 503\n", times=1)
    result = doit(deployed, fake_cli)
    assert result.returncode != 0
    assert "doit: error: edgespark pull types failed (exit 6, network)" in result.stdout
    assert "Traceback" not in result.stdout
    assert fake_cli.commands() == ["secret list", "pull types"]
    fake_cli.clear()
    ok(doit(deployed, fake_cli))
    # The failed step runs again; the step that succeeded before it stays recorded.
    assert fake_cli.commands() == ["pull types", "deploy --dry-run", "deploy"]


def test_forget_makes_the_next_run_deploy(deployed: Path, fake_cli: FakeCli) -> None:
    ok(doit(deployed, fake_cli, "forget", "edgespark:deploy"))
    # The success record shared with `inv deploy` still says "done with these inputs"...
    ok(doit(deployed, fake_cli))
    assert fake_cli.commands() == []
    ok(doit(deployed, fake_cli, "forget", "edgespark:deploy"))
    ok(doit(deployed, fake_cli, "force=1"))  # ...so redoing it on purpose says so
    assert fake_cli.commands() == ["deploy"]


def test_list_shows_every_edgespark_task(repo: Path, fake_cli: FakeCli) -> None:
    out = ok(doit(repo, fake_cli, "list"))
    names = {line.split()[0] for line in out.splitlines() if line.startswith("edgespark:")}
    assert names == {f"edgespark:{step}" for step in TASKS}
    assert "edgespark:storage-apply    storage apply: Create or remove buckets" in out
    assert "Gate: runs whenever asked" in out
    assert fake_cli.commands() == []


def test_info_shows_the_changed_input(deployed: Path, fake_cli: FakeCli) -> None:
    append(deployed / "server/src/index.ts", "\n// edited\n")
    result = doit(deployed, fake_cli, "info", "edgespark:deploy")
    assert "The following file dependencies have changed:\n    - server/src/index.ts" \
        in result.stdout
    assert "storage_schema" not in result.stdout.split("file_dep")[0]
    result = doit(deployed, fake_cli, "info", "edgespark:storage-apply")
    assert "status     : up-to-date" in result.stdout


def test_gate_runs_whenever_asked(deployed: Path, fake_cli: FakeCli) -> None:
    ok(doit(deployed, fake_cli, "edgespark:types-check"))
    ok(doit(deployed, fake_cli, "edgespark:types-check"))
    assert fake_cli.commands() == ["pull types --check"] * 2


def test_missing_input_runs_no_cli_until_it_appears(repo: Path, fake_cli: FakeCli) -> None:
    schema = repo / DEFS / "storage_schema.ts"
    content = schema.read_text()
    schema.unlink()
    commit_all(repo, "no buckets")
    # -s (doit's --single): this task alone, without the steps before it.
    ok(doit(repo, fake_cli, "-s", "edgespark:storage-apply"))
    assert fake_cli.commands() == []
    schema.write_text(content)
    ok(doit(repo, fake_cli, "-s", "edgespark:storage-apply"))
    assert fake_cli.commands() == ["storage apply"]


def test_one_step_brings_the_steps_before_it_up_to_date(repo: Path, fake_cli: FakeCli) -> None:
    ok(doit(repo, fake_cli, "edgespark:auth-apply"))
    assert fake_cli.commands() == FIRST_DEPLOY[:5]  # ... secret list, then auth apply


def test_no_drizzle_targets_no_op_runs_nothing(edgespark_project: Callable[..., Path],
                                               fake_cli: FakeCli) -> None:
    import shutil

    repo = edgespark_project(files={"dodo.py": DODO})
    shutil.rmtree(repo / "server/drizzle")  # no database: no migrations, no schema
    (repo / DEFS / "db_schema.ts").unlink()
    commit_all(repo, "no database")
    ok(doit(repo, fake_cli))
    fake_cli.clear()
    out = ok(doit(repo, fake_cli))
    assert "-- edgespark:db-generate" in out  # up to date, not run again
    assert fake_cli.commands() == []


def test_tooling_edits_never_deploy(deployed: Path, fake_cli: FakeCli) -> None:
    for rel in ("tasks.py", ".pre-commit-config.yaml", "pyproject.toml", "README.md",
                "server/README.md", ".github/workflows/ci.yml", "server/src/dev/seed.ts",
                "examples/demo/index.ts"):
        path = deployed / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text((path.read_text() if path.exists() else "") + "\n# edited\n")
    ok(doit(deployed, fake_cli))
    assert fake_cli.commands() == []
    info = ok(doit(deployed, fake_cli, "info", "edgespark:deploy"))
    assert "'deploy_inputs': [" in info and "'server/src/**'" in info
    assert "'**/*.md'" in info and "'tasks.py'" in info


@pytest.mark.parametrize("mode", [["-P", "thread"], []], ids=["thread", "process"])
def test_parallel_runs_never_overlap(repo: Path, fake_cli: FakeCli, mode: list[str]) -> None:
    # Slow independent steps: without the project lock they would overlap.
    fake_cli.set(sleep={"db migrate": 0.3, "storage apply": 0.3, "auth apply": 0.3,
                        "secret list": 0.3})
    ok(doit(repo, fake_cli, "-n", "4", *mode))
    assert_first_deploy(fake_cli.commands())  # parallel, and still the documented order
    assert fake_cli.overlaps() == 0


PLUGIN = '''
from edgespark_tasks.engine.hookspecs import hookimpl
from edgespark_tasks.engine.steps import Step


@hookimpl
def edgespark_add_steps():
    return [Step(id="bucket-list", title="bucket list", help="List the buckets.",
                 argv=("storage", "bucket", "list"), after="storage-apply",
                 inputs=("server/src/defs/storage_schema.ts",), prerequisites=("storage-apply",))]
'''


def test_plugin_step_is_a_task_and_runs(edgespark_project: Callable[..., Path],
                                        fake_cli: FakeCli) -> None:
    root = edgespark_project(files={
        "dodo.py": DODO, "plugins/x.py": PLUGIN,
        "pyproject.toml": '[tool.edgespark-tasks]\nplugins = ["plugins/x.py"]\n'})
    out = ok(doit(root, fake_cli, "list"))
    assert "edgespark:bucket-list      bucket list: List the buckets." in out
    ok(doit(root, fake_cli, "edgespark:bucket-list"))
    assert fake_cli.commands() == ["db migrate", "storage apply", "storage bucket list"]
    fake_cli.clear()
    ok(doit(root, fake_cli))
    assert "storage bucket list" not in fake_cli.commands()
    append(root / DEFS / "storage_schema.ts", "\n// edited\n")
    fake_cli.clear()
    ok(doit(root, fake_cli))
    assert fake_cli.commands()[:2] == ["storage apply", "storage bucket list"]


def test_smoke_check_runs_after_each_deploy_only(edgespark_project: Callable[..., Path],
                                                 fake_cli: FakeCli) -> None:
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        root = edgespark_project(files={"dodo.py": DODO, "pyproject.toml":
                                        '[tool.edgespark-tasks.smoke]\nchecks = ["/api/health"]\n'})
        fake_cli.set(url=f"http://127.0.0.1:{server.server_port}")
        ok(doit(root, fake_cli))
        assert hits == ["/api/health"]  # checked the URL the deploy printed
        ok(doit(root, fake_cli))
        assert hits == ["/api/health"]  # nothing deployed: no check
        append(root / "server/src/index.ts", "\n// edited\n")
        ok(doit(root, fake_cli))
        assert hits == ["/api/health"] * 2
    finally:
        server.shutdown()


def test_environments_are_isolated(repo: Path, fake_cli: FakeCli) -> None:
    ok(doit(repo, fake_cli, "environment=staging", "edgespark:deploy"))
    commands = fake_cli.commands()
    assert "deploy" in commands and not any(c.startswith("var set") for c in commands)
    # (argv, not "command": the fake takes `--environment`'s value for a subcommand)
    assert {c["environment"] for c in fake_cli.calls() if c["argv"][0] == "deploy"} == {"staging"}
    fake_cli.clear()
    ok(doit(repo, fake_cli, "edgespark:deploy", EDGESPARK_TASKS_ENVIRONMENT="production"))
    assert "deploy" in fake_cli.commands()
    assert {c["environment"] for c in fake_cli.calls()} - {None} == {"production"}
    fake_cli.clear()
    ok(doit(repo, fake_cli, "environment=staging"))
    ok(doit(repo, fake_cli, "environment=production"))
    assert fake_cli.commands() == []
    state = repo / ".edgespark-tasks"
    assert {p.name for p in state.glob("doit-*.json")} == {"doit-staging.json",
                                                           "doit-production.json"}


def test_api_key_never_reaches_doit_files_or_output(repo: Path, fake_cli: FakeCli) -> None:
    key = fake_cli.api_key
    fake_cli.respond("storage apply", exit=6, stderr=f"rejected key {key}\n", times=1)
    fake_cli.respond("deploy", stdout=f"key {key}\nURL: https://notes.example.app/{key}\n")
    outputs = [doit(repo, fake_cli).stdout, ok(doit(repo, fake_cli)),
               ok(doit(repo, fake_cli, "info", "edgespark:deploy"))]
    assert "rejected key ***" in outputs[0]
    assert "deploy" in fake_cli.commands()
    dep_file = repo / ".edgespark-tasks/doit-default.json"
    saved = json.loads(dep_file.read_text())
    assert saved["edgespark:deploy"]["_values_:"]["url"] == "https://notes.example.app/***"
    assert all(key not in out for out in outputs)
    for path in (repo / ".edgespark-tasks").rglob("*"):
        if path.is_file():
            assert key not in path.read_text(errors="replace"), path


def test_monorepo_has_tasks_per_project(tmp_path: Path, fake_cli: FakeCli) -> None:
    root = tmp_path / "mono"
    for name in ("api", "admin"):
        write_project(root / "apps" / name)
    (root / "dodo.py").write_text(DODO)
    init_repo(root)
    out = ok(doit(root, fake_cli, "list"))
    for name in ("api", "admin"):
        assert f"edgespark:apps/{name}:deploy " in out
        assert f"[apps/{name}] deploy: Build and upload" in out
    ok(doit(root, fake_cli, "edgespark:apps/api:deploy"))
    assert_first_deploy(fake_cli.commands())
    assert {Path(c["cwd"]).name for c in fake_cli.calls()} == {"api"}
    fake_cli.clear()
    ok(doit(root, fake_cli))  # the other project's pipeline only
    assert {Path(c["cwd"]).name for c in fake_cli.calls()} == {"admin"}
    assert git(root, "status", "--short", "--", "dodo.py") == ""


def test_no_project_is_one_line_error(tmp_path: Path, fake_cli: FakeCli) -> None:
    (tmp_path / "dodo.py").write_text(DODO)
    result = doit(tmp_path, fake_cli, "list")
    assert result.returncode != 0
    assert "ERROR: doit: error: no edgespark.toml found" in result.stdout
    assert "Traceback" not in result.stdout
