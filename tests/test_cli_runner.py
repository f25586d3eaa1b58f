"""The CLI runner, tried as a new user would: real processes, the fake CLI, real signals."""

from __future__ import annotations

import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
from conftest import BIN, alive, run_tool

from edgespark_tasks import errors
from edgespark_tasks.testing import FakeCli


def run(repo: Path, fake: FakeCli, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return run_tool("edgespark-tasks", *args, cwd=repo, env=fake.environ(**env))


def test_missing_cli_says_how_to_install(edgespark_project, fake_cli: FakeCli) -> None:  # type: ignore[no-untyped-def]
    repo = edgespark_project()
    result = run(repo, fake_cli, "run", "storage-apply", EDGESPARK_CLI="", PATH="/usr/bin:/bin")
    assert result.returncode == 127
    assert result.stderr.strip() == (
        "edgespark-tasks: error: the edgespark CLI was not found: install it with "
        "`npm install -g @edgespark/cli`, or set EDGESPARK_CLI")
    configured = run(repo, fake_cli, "run", "storage-apply", EDGESPARK_CLI="/nowhere/edgespark")
    assert configured.returncode == 127 and "'/nowhere/edgespark' was not found" in configured.stderr


def test_cli_found_in_project_node_modules(edgespark_project, fake_cli: FakeCli) -> None:  # type: ignore[no-untyped-def]
    repo = edgespark_project()
    local = repo / "node_modules/.bin"
    local.mkdir(parents=True)
    shutil.copy(fake_cli.executable, local / "edgespark")
    result = run(repo, fake_cli, "run", "storage-apply", EDGESPARK_CLI="", PATH="/usr/bin:/bin")
    assert result.returncode == 0, result.stderr
    assert fake_cli.commands() == ["storage apply"]


def test_command_missing_from_the_installed_cli_is_not_run(edgespark_project, fake_cli: FakeCli) -> None:  # type: ignore[no-untyped-def]
    repo = edgespark_project()
    fake_cli.set(version="0.2.0", missing=["db generate", "storage", "auth"])
    for step, command in (("storage-apply", "storage apply"), ("auth-apply", "auth apply")):
        result = run(repo, fake_cli, "run", step)
        assert result.returncode == errors.BLOCKED  # not the CLI's 3 (no API key)
        assert f"`edgespark {command}` is not available in edgespark 0.2.0" in result.stderr
    assert fake_cli.calls() == []
    ok = run(repo, fake_cli, "run", "pull-types")
    assert ok.returncode == 0 and fake_cli.commands() == ["pull types"]


@pytest.mark.parametrize(("code", "words"), [
    (1, "exit 1, error"), (2, "exit 2, usage"), (3, "EDGESPARK_API_KEY"), (4, "not-found"),
    (5, "already-exists"), (6, "network or API error"), (7, "exit 7, config"),
])
def test_exit_code_classes(edgespark_project, fake_cli: FakeCli, code: int, words: str) -> None:  # type: ignore[no-untyped-def]
    repo = edgespark_project()
    fake_cli.respond("storage apply", exit=code, stderr=f"Error: code {code}\n")
    result = run(repo, fake_cli, "run", "storage-apply")
    assert result.returncode == code
    assert words in result.stderr
    assert result.stderr.count("edgespark-tasks: error:") == 1
    assert "Traceback" not in result.stderr


def test_stale_types_check(edgespark_project, fake_cli: FakeCli) -> None:  # type: ignore[no-untyped-def]
    repo = edgespark_project()
    fake_cli.respond("pull types", exit=1, stderr="Server types are stale\n")
    result = run(repo, fake_cli, "run", "types-check")
    assert result.returncode == 1
    assert "generated files are stale: run `edgespark pull types`" in result.stderr


def test_timeout_stops_and_reaps_the_child(edgespark_project, fake_cli: FakeCli) -> None:  # type: ignore[no-untyped-def]
    repo = edgespark_project(files={
        "pyproject.toml": "[tool.edgespark-tasks.timeouts]\nstorage-apply = 1\n"})
    fake_cli.set(sleep={"storage apply": 60})
    started = time.monotonic()
    result = run(repo, fake_cli, "run", "storage-apply")
    assert time.monotonic() - started < 20
    assert result.returncode == 124
    assert "ran past its 1s timeout and was stopped" in result.stderr
    assert not alive(int((fake_cli.state / "last.pid").read_text()))
    state = repo / ".edgespark-tasks/state.json"
    assert not state.exists() or "storage-apply" not in state.read_text()


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_reaches_the_child_and_exits_130(edgespark_project, fake_cli: FakeCli, sig: int) -> None:  # type: ignore[no-untyped-def]
    repo = edgespark_project()
    fake_cli.set(sleep={"deploy": 60})
    proc = subprocess.Popen([str(BIN / "edgespark-tasks"), "run", "deploy", "--json", "r.json"],
                            cwd=repo, env=fake_cli.environ(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    pid_file = fake_cli.state / "last.pid"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        # pull types is the call before deploy --dry-run, which sleeps
        if any(c["command"] == "pull types" for c in fake_cli.calls()):
            break
        assert proc.poll() is None, proc.communicate()  # it must not have ended on its own
        time.sleep(0.05)
    time.sleep(0.5)
    child = int(pid_file.read_text())
    assert alive(child)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    assert not alive(child)
    state = (repo / ".edgespark-tasks/state.json").read_text()
    assert '"pull-types"' in state and '"deploy-dry-run"' not in state
    assert '"result": "interrupted"' in (repo / "r.json").read_text()


def test_two_concurrent_runs_never_overlap(edgespark_project, fake_cli: FakeCli) -> None:  # type: ignore[no-untyped-def]
    repo = edgespark_project()
    fake_cli.set(sleep={"storage apply": 1.0, "auth apply": 1.0})
    procs = [subprocess.Popen([str(BIN / "edgespark-tasks"), "run", step], cwd=repo,
                              env=fake_cli.environ(), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
             for step in ("storage-apply", "auth-apply")]
    outputs = [p.communicate(timeout=60) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    assert fake_cli.overlaps() == 0
    assert sorted(fake_cli.commands()) == ["auth apply", "storage apply"]
    calls = sorted(fake_cli.calls(), key=lambda c: c["start"])
    assert calls[0]["end"] <= calls[1]["start"]
    assert any("waiting for another edgespark command" in err for _, err in outputs)


def test_planted_api_key_appears_nowhere(edgespark_project, fake_cli: FakeCli) -> None:  # type: ignore[no-untyped-def]
    repo = edgespark_project(files={"tasks.py": "from edgespark_tasks.invoke import ns\n"})
    planted = "esk_live_PLANTED9876543210zyxwvu"
    fake_cli.respond("storage apply", exit=6, stdout=f"using key {planted}\n",
                     stderr=f"Error: 401 for key {planted}\n", times=1)
    env = {"EDGESPARK_API_KEY": planted}
    failed = run_tool("inv", "deploy", "--json", "report.json", cwd=repo,
                      env=fake_cli.environ(**env))
    assert failed.returncode == 6
    assert "using key ***" in failed.stdout and "401 for key ***" in failed.stderr
    ok = run_tool("inv", "deploy", "--json", "report.json", cwd=repo, env=fake_cli.environ(**env))
    assert ok.returncode == 0
    for text in (failed.stdout, failed.stderr, ok.stdout, ok.stderr):
        assert planted not in text
    written = [p for p in repo.rglob("*") if p.is_file() and ".git" not in p.parts]
    assert any(p.name == "state.json" for p in written)
    assert all(planted.encode() not in p.read_bytes() for p in written)
