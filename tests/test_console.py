"""The `edgespark-tasks` command as a person types it: global options anywhere, `python -m`,
verbosity, `plan --json`, and exit codes a CI script can tell apart."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from conftest import BIN, REPO, run_tool

from edgespark_tasks import errors
from edgespark_tasks.testing import FakeCli


def es(repo: Path, fake: FakeCli, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return run_tool("edgespark-tasks", *args, cwd=repo, env=fake.environ(**env))


def test_global_options_after_the_subcommand(tasks_repo: Path, fake_cli: FakeCli) -> None:
    before = es(tasks_repo, fake_cli, "-e", "production", "plan")
    after = es(tasks_repo, fake_cli, "plan", "-e", "production")
    assert after.returncode == 0, after.stderr
    assert after.stdout == before.stdout
    assert "Plan for notes-app (production)" in after.stdout
    assert "--environment production" in after.stdout
    elsewhere = es(tasks_repo.parent, fake_cli, "plan", "--project", str(tasks_repo))
    assert elsewhere.returncode == 0 and "Plan for notes-app" in elsewhere.stdout


def test_python_dash_m(tasks_repo: Path, fake_cli: FakeCli) -> None:
    result = subprocess.run([sys.executable, "-m", "edgespark_tasks", "plan"], cwd=tasks_repo,
                            env=fake_cli.environ(), capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "Plan for notes-app" in result.stdout
    version = subprocess.run([sys.executable, "-m", "edgespark_tasks", "--version"],
                             capture_output=True, text=True, timeout=60)
    assert version.stdout.startswith("edgespark-tasks ")


def test_plan_says_nothing_of_dry_run_and_names_the_environment(tasks_repo: Path,
                                                                fake_cli: FakeCli) -> None:
    out = es(tasks_repo, fake_cli, "plan").stdout
    assert "--dry-run)" not in out.splitlines()[0]
    assert "(--dry-run)" not in out
    # No --environment: say what the CLI will use, not just "default".
    assert "no --environment: the CLI's default (production per the docs" in out.splitlines()[0]


def test_plan_columns_stay_aligned(tasks_repo: Path, fake_cli: FakeCli) -> None:
    fake_cli.set(missing=["storage apply"])
    es(tasks_repo, fake_cli, "doctor")  # fills the capability cache
    out = es(tasks_repo, fake_cli, "plan").stdout
    rows = [line for line in out.splitlines() if re.match(r"\s*\[\d+/\d+\]", line)]
    assert len(rows) == 11
    verbs = [re.search(r"  (run|skip|blocked)  ", row) for row in rows]
    assert all(verbs) and len({m.start() for m in verbs if m}) == 1  # one column
    assert any("blocked" in row for row in rows)
    assert "[10/11]" in out


def test_plan_exits_non_zero_when_blocked(tasks_repo: Path, fake_cli: FakeCli) -> None:
    fake_cli.set(missing=["storage apply"])
    es(tasks_repo, fake_cli, "doctor")
    result = es(tasks_repo, fake_cli, "plan")
    assert result.returncode == errors.BLOCKED == 12
    assert "storage-apply" in result.stderr and "--skip storage-apply" in result.stderr
    skipped = es(tasks_repo, fake_cli, "plan", "--skip", "storage-apply")
    assert skipped.returncode == 0, skipped.stderr
    assert fake_cli.calls() == []


def test_plan_json_to_stdout_file_and_with_dry_run(tasks_repo: Path, fake_cli: FakeCli) -> None:
    result = es(tasks_repo, fake_cli, "plan", "--json")
    data = json.loads(result.stdout)  # stdout holds only the JSON
    assert data["result"] == "planned" and data["project"] == "notes-app"
    deploy = next(s for s in data["steps"] if s["id"] == "deploy")
    assert deploy["decision"] == "run" and deploy["command"].endswith("edgespark deploy")
    assert "Plan for notes-app" in result.stderr  # the human output, on stderr
    es(tasks_repo, fake_cli, "plan", "--json", "plan.json")
    assert json.loads((tasks_repo / "plan.json").read_text())["steps"] == data["steps"]
    es(tasks_repo, fake_cli, "run", "deploy", "--dry-run", "--json", "dry.json")
    dry = json.loads((tasks_repo / "dry.json").read_text())
    assert dry["result"] == "planned" and len(dry["steps"]) == len(data["steps"])
    assert fake_cli.calls() == []
    assert fake_cli.api_key not in result.stdout + result.stderr


def test_quiet_and_verbose(tasks_repo: Path, fake_cli: FakeCli) -> None:
    quiet = es(tasks_repo, fake_cli, "run", "deploy", "-q")
    assert quiet.returncode == 0, quiet.stderr
    assert "[1/11]" not in quiet.stdout and re.search(r"^ok in \d", quiet.stdout, re.M)
    fake_cli.clear()
    (tasks_repo / "server/src/index.ts").write_text("export default {};\n")
    verbose = es(tasks_repo, fake_cli, "-v", "run", "deploy")
    assert verbose.returncode == 0, verbose.stderr
    assert re.search(r"^\$ \S*edgespark deploy --dry-run$", verbose.stdout, re.M)
    assert fake_cli.api_key not in verbose.stdout


def test_usage_errors_use_the_suites_code(tasks_repo: Path, fake_cli: FakeCli) -> None:
    result = es(tasks_repo, fake_cli, "plan", "--no-such-option")
    assert result.returncode == errors.BAD_INPUT
    assert "unrecognized arguments: --no-such-option" in result.stderr


def test_exit_code_table_is_published_and_distinct() -> None:
    readme = (REPO / "README.md").read_text()
    table = readme.split("## Exit codes", 1)[1].split("\n## ", 1)[0]
    rows = dict(re.findall(r"^\| (\d+)\S* \| ([^|]+) \|", table, re.M))
    assert {int(code) for code in rows} == set(errors.EXIT_CODES)
    suite = {code for code, (who, _) in errors.EXIT_CODES.items() if who == "suite"}
    assert not suite & set(range(1, 8))  # never one of the CLI's codes
    for cls in (errors.ProjectError, errors.SettingsError, errors.PluginError,
                errors.StepUnavailableError, errors.StepFailedError, errors.LockTimeoutError,
                errors.CliNotFoundError, errors.Interrupted):
        assert cls.exit_code in suite, cls


def test_shell_completion_through_argcomplete(tmp_path: Path) -> None:
    # What the shell function installed by `register-python-argcomplete edgespark-tasks` does.
    out = tmp_path / "completions.txt"
    env = {**os.environ, "_ARGCOMPLETE": "1", "_ARGCOMPLETE_IFS": "\n",
           "COMP_LINE": "edgespark-tasks pl", "COMP_POINT": "18",
           "_ARGCOMPLETE_STDOUT_FILENAME": str(out)}
    result = subprocess.run([str(BIN / "edgespark-tasks")], env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert out.read_text().split() == ["plan"]
