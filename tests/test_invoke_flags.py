"""invoke habits: `--dry`, `--echo`, flag help and short flags, bad values, plugin failures."""

from __future__ import annotations

import json
import re
from pathlib import Path

from conftest import run_tool

from edgespark_tasks import errors
from edgespark_tasks.testing import FakeCli


def inv(repo: Path, fake: FakeCli, *args: str, **env: str):  # type: ignore[no-untyped-def]
    return run_tool("inv", *args, cwd=repo, env=fake.environ(**env))


def test_invoke_dry_is_a_dry_run_in_every_task(tasks_repo: Path, fake_cli: FakeCli) -> None:
    deploy = inv(tasks_repo, fake_cli, "--dry", "deploy")
    assert deploy.returncode == 0, deploy.stderr
    assert "Plan for notes-app" in deploy.stdout and "$ " in deploy.stdout
    single = inv(tasks_repo, fake_cli, "--dry", "storage.apply")
    assert single.returncode == 0, single.stderr
    assert "would run" in single.stdout and "storage apply" in single.stdout
    (tasks_repo / "invoke.yaml").write_text("run:\n  dry: true\n")  # the config form
    configured = inv(tasks_repo, fake_cli, "pull.types")
    assert configured.returncode == 0 and "nothing was run" in configured.stdout
    assert fake_cli.calls() == []


def test_invoke_echo_prints_each_cli_command(tasks_repo: Path, fake_cli: FakeCli) -> None:
    result = inv(tasks_repo, fake_cli, "--echo", "deploy")
    assert result.returncode == 0, result.stderr
    echoed = re.findall(r"^\$ \S*edgespark (.+)$", result.stdout, re.M)
    assert echoed == fake_cli.commands()  # each call, as it was run, in order
    assert "deploy --dry-run" in echoed
    assert fake_cli.api_key not in result.stdout + result.stderr


def test_flags_in_help(tasks_repo: Path, fake_cli: FakeCli) -> None:
    text = inv(tasks_repo, fake_cli, "--help", "deploy").stdout
    assert "--only=STRING" in text and "--skip=STRING" in text
    for surprising in ("-r,", "-c,", "-o,", "-s,", "-t ", "-j "):
        assert surprising not in text, surprising
    assert "-e STRING, --environment=STRING" in text and "-d, --dry-run" in text


def test_bad_flag_values_are_one_clear_line(tasks_repo: Path, fake_cli: FakeCli) -> None:
    tail = inv(tasks_repo, fake_cli, "deploy", "--tail", "abc")
    assert tail.returncode == errors.BAD_INPUT
    assert tail.stderr.strip() == ("inv: error: --tail 'abc': expected a number of seconds: "
                                   "e.g. --tail 30")
    skip = inv(tasks_repo, fake_cli, "plan", "--skip")
    assert skip.returncode != 0 and "Traceback" not in skip.stderr
    assert "--skip needed value" in skip.stderr
    assert fake_cli.calls() == []
    seconds = inv(tasks_repo, fake_cli, "log.tail", "--seconds", "soon")
    assert seconds.returncode == errors.BAD_INPUT and "--seconds 'soon'" in seconds.stderr


def test_plan_json_to_stdout(tasks_repo: Path, fake_cli: FakeCli) -> None:
    result = inv(tasks_repo, fake_cli, "plan", "--json", "-")
    assert json.loads(result.stdout)["result"] == "planned"
    assert "Plan for notes-app" in result.stderr


def test_a_plugin_that_fails_to_load_is_reported(tasks_repo: Path, fake_cli: FakeCli) -> None:
    (tasks_repo / "pyproject.toml").write_text(
        '[tool.edgespark-tasks]\nplugins = ["plugins/broken.py"]\n')
    (tasks_repo / "plugins").mkdir()
    (tasks_repo / "plugins/broken.py").write_text("import no_such_module_here\n")
    listed = inv(tasks_repo, fake_cli, "--list")
    assert listed.returncode == 0 and "deploy" in listed.stdout
    assert "inv: warning: plugin steps not loaded:" in listed.stderr
    assert "broken" in listed.stderr
