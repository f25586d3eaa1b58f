"""`run deploy --all-projects --jobs N` and `inv deploy --all-projects`, tried as a new user
would: a monorepo of three example projects, the fake CLI, the real executables."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections import defaultdict
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from conftest import BIN, run_tool

from edgespark_tasks import errors
from edgespark_tasks.testing import FakeCli, commit_all, make_monorepo

PROJECTS = ["apps/a", "apps/b", "apps/c"]
REFUSED = errors.StepFailedError.exit_code  # a preflight that found problems


@pytest.fixture
def mono(tmp_path: Path) -> Path:
    repo = tmp_path / "mono"
    make_monorepo(repo, files={"tasks.py": "from edgespark_tasks.invoke import ns\n"})
    return repo


def deploy_all(repo: Path, fake: FakeCli, *args: str, tool: str = "edgespark-tasks",
               **env: str) -> subprocess.CompletedProcess[str]:
    argv = (["deploy", "--all-projects"] if tool == "inv"
            else ["run", "deploy", "--all-projects"])
    return run_tool(tool, *argv, *args, cwd=repo, env=fake.environ(**env), timeout=300)


def intervals_by_project(fake: FakeCli) -> dict[str, list[tuple[float, float]]]:
    spans: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for call in fake.calls():
        spans[call["cwd"]].append((call["start"], call["end"]))
    return spans


def test_three_projects_in_parallel_one_cli_at_a_time_each(mono: Path, fake_cli: FakeCli,
                                                           tmp_path: Path) -> None:
    fake_cli.set(sleep={"deploy": 1.5})  # deploy --dry-run and deploy: 3 s per project
    report = tmp_path / "all.json"
    started = time.monotonic()
    result = deploy_all(mono, fake_cli, "--jobs", "3", "--json", str(report))
    wall = time.monotonic() - started
    assert result.returncode == 0, result.stdout + result.stderr
    data = json.loads(report.read_text())
    assert data["result"] == "ok"
    assert [(p["project"], p["result"]) for p in data["projects"]] == [
        (p, "ok") for p in PROJECTS]
    durations = [p["duration"] for p in data["projects"]]
    assert all(d >= 3.0 for d in durations)
    assert wall < sum(durations)  # in parallel across projects...
    assert fake_cli.overlaps() == 0  # ...never two CLI calls at once inside one project
    spans = intervals_by_project(fake_cli)
    assert len(spans) == 3
    for calls in spans.values():
        calls.sort()
        assert all(end <= nxt_start for (_, end), (nxt_start, _) in pairwise(calls))
    # Every project's own report is in the combined one; lines carry the project.
    assert {p["report"]["project"] for p in data["projects"]} == {"a", "b", "c"}
    for project in PROJECTS:
        assert f"[{project}] [9/11] deploy (first run for the default environment)" \
            in result.stdout
    assert result.stdout.splitlines()[-1].startswith("ok in ")
    assert "(3 deployed, 0 failed, 0 with nothing to do)" in result.stdout
    assert fake_cli.api_key not in result.stdout + result.stderr + report.read_text()


def test_only_projects_with_something_to_do(mono: Path, fake_cli: FakeCli) -> None:
    assert deploy_all(mono, fake_cli, "--jobs", "2").returncode == 0
    commit_all(mono, "deployed")
    fake_cli.clear()
    again = deploy_all(mono, fake_cli, "--jobs", "2")
    assert again.returncode == 0
    assert "Deploying 0 of 3 project(s)" in again.stdout
    assert fake_cli.calls() == []
    index = mono / "apps/b/server/src/index.ts"
    index.write_text(index.read_text() + "\n// edited\n")
    third = deploy_all(mono, fake_cli, "--jobs", "2")
    assert third.returncode == 0, third.stdout + third.stderr
    assert "Deploying 1 of 3 project(s), 1 at a time: apps/b" in third.stdout
    assert {Path(c["cwd"]).name for c in fake_cli.calls()} == {"b"}


def unmigrated(repo: Path, project: str) -> None:
    """A schema change without a migration: that project's preflight fails (exit 11)."""
    schema = repo / project / "server/src/defs/db_schema.ts"
    schema.write_text(schema.read_text() + "\n// edited\n")


def test_a_failing_project_does_not_stop_the_others(mono: Path, fake_cli: FakeCli,
                                                    tmp_path: Path) -> None:
    unmigrated(mono, "apps/b")
    report = tmp_path / "all.json"
    result = deploy_all(mono, fake_cli, "--jobs", "1", "--json", str(report))
    assert result.returncode == REFUSED  # b's preflight
    data = json.loads(report.read_text())
    assert [(p["project"], p["result"]) for p in data["projects"]] == [
        ("apps/a", "ok"), ("apps/b", "failed"), ("apps/c", "ok")]
    assert data["result"] == "failed"
    assert "edgespark-tasks: error: 1 project(s) failed: apps/b" in result.stderr
    assert {Path(c["cwd"]).name for c in fake_cli.calls()} == {"a", "c"}


def test_fail_fast_stops_the_rest(mono: Path, fake_cli: FakeCli, tmp_path: Path) -> None:
    unmigrated(mono, "apps/b")
    report = tmp_path / "all.json"
    result = deploy_all(mono, fake_cli, "--jobs", "1", "--fail-fast", "--json", str(report))
    assert result.returncode == REFUSED  # b's preflight
    assert [(p["project"], p["result"]) for p in json.loads(report.read_text())["projects"]] \
        == [("apps/a", "ok"), ("apps/b", "failed"), ("apps/c", "not-started")]
    assert {Path(c["cwd"]).name for c in fake_cli.calls()} == {"a"}


def test_fail_fast_stops_running_projects(mono: Path, fake_cli: FakeCli,
                                          tmp_path: Path) -> None:
    unmigrated(mono, "apps/b")  # fails in its preflight, before any CLI call
    fake_cli.set(sleep={"deploy": 30})
    report = tmp_path / "all.json"
    result = deploy_all(mono, fake_cli, "--jobs", "3", "--fail-fast", "--json", str(report))
    assert result.returncode == REFUSED  # b's preflight
    projects = json.loads(report.read_text())["projects"]
    assert [(p["project"], p["result"]) for p in projects] == [
        ("apps/a", "interrupted"), ("apps/b", "failed"), ("apps/c", "interrupted")]
    assert all(p["duration"] < 25 for p in projects)  # stopped, not waited for
    assert json.loads(report.read_text())["result"] == "failed"
    assert not [c for c in fake_cli.calls() if c["command"] == "deploy" and c["exit"] == 0]


def test_inv_deploy_all_projects(mono: Path, fake_cli: FakeCli, tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    result = deploy_all(mono, fake_cli, "--jobs", "3", tool="inv",
                        GITHUB_STEP_SUMMARY=str(summary))
    quiet = deploy_all(mono, fake_cli, "--jobs", "3", "--quiet")
    assert quiet.returncode == 0 and "Deploying 0 of 3" in quiet.stdout
    assert result.returncode == 0, result.stdout + result.stderr
    text = summary.read_text()
    assert text.count("EdgeSpark deploy: ") == 4  # each project's own, then the table of all
    assert "EdgeSpark deploy: all projects: ok" in text
    for project in PROJECTS:
        assert f"| {project} | ok | " in text
    assert "(3 deployed, 0 failed, 0 with nothing to do)" in result.stdout
    assert len({c["cwd"] for c in fake_cli.calls()}) == 3
    assert fake_cli.overlaps() == 0


def _descendants(pid: int) -> set[int]:
    children: dict[int, set[int]] = defaultdict(set)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children[ppid].add(int(entry.name))
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), ()):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the process tree from /proc")
def test_ctrl_c_stops_every_project_and_every_cli(mono: Path, fake_cli: FakeCli,
                                                  tmp_path: Path) -> None:
    fake_cli.set(sleep={"deploy": 60})
    report = tmp_path / "all.json"
    proc = subprocess.Popen(
        [str(BIN / "edgespark-tasks"), "run", "deploy", "--all-projects", "--jobs", "3",
         "--json", str(report)], cwd=mono, env=fake_cli.environ(), stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if len({s["cwd"] for s in fake_cli.started() if s["command"] == "deploy"}) == 3:
            break
        time.sleep(0.1)
    else:
        proc.kill()
        pytest.fail("the three deploys never started: " + str(fake_cli.started()))
    tree = _descendants(proc.pid)
    running = {s["pid"] for s in fake_cli.started()} - {c.get("pid") for c in fake_cli.calls()}
    running = {pid for pid in running if _alive(pid)}
    assert len(running) == 3 and running <= tree  # one CLI per project, all ours
    os.killpg(proc.pid, signal.SIGINT)  # what a terminal's Ctrl-C does to its foreground group
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, out + err
    assert not [pid for pid in tree if _alive(pid)]
    data: dict[str, Any] = json.loads(report.read_text())
    assert [p["result"] for p in data["projects"]] == ["interrupted"] * 3
    assert data["result"] == "interrupted"
    assert "interrupted" in err


def test_json_to_stdout(mono: Path, fake_cli: FakeCli) -> None:
    result = deploy_all(mono, fake_cli, "--jobs", "3", "--json", "-")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)  # nothing else on stdout
    assert [p["result"] for p in data["projects"]] == ["ok"] * 3
    assert "[apps/a] [9/11] deploy" in result.stderr


def test_a_broken_project_fails_alone(mono: Path, fake_cli: FakeCli) -> None:
    (mono / "apps/a/edgespark.toml").write_text("name = [unclosed\n")
    result = deploy_all(mono, fake_cli, "--jobs", "2")
    assert result.returncode == errors.ProjectError.exit_code, result.stdout + result.stderr
    assert "[apps/a] error: " in result.stdout
    assert "(2 deployed, 1 failed, 0 with nothing to do)" in result.stdout
    assert {Path(c["cwd"]).name for c in fake_cli.calls()} == {"b", "c"}


@pytest.mark.parametrize("args", [["--jobs", "0", "--all-projects"], ["--jobs", "3"],
                                  ["--fail-fast"], ["--since", "HEAD"]])
def test_bad_flags_are_one_line(mono: Path, fake_cli: FakeCli, args: list[str]) -> None:
    result = run_tool("edgespark-tasks", "run", "deploy", *args, cwd=mono,
                      env=fake_cli.environ())
    assert result.returncode == errors.SettingsError.exit_code
    assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.stderr
    assert args[0] in result.stderr
    assert fake_cli.calls() == []
