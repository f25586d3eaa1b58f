"""Bad input gives one line, a non-zero exit and no traceback, from every front-end."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_tool

from edgespark_tasks.testing import FakeCli


def one_line_error(result) -> str:  # type: ignore[no-untyped-def]
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize("tool", ["edgespark-tasks", "inv"])
def test_no_project(tmp_path: Path, fake_cli: FakeCli, tool: str) -> None:
    (tmp_path / "tasks.py").write_text("from edgespark_tasks.invoke import ns\n")
    args = ["run", "deploy"] if tool == "edgespark-tasks" else ["deploy"]
    line = one_line_error(run_tool(tool, *args, cwd=tmp_path, env=fake_cli.environ()))
    assert "no edgespark.toml found" in line and "--project DIR" in line


@pytest.mark.parametrize("tool", ["edgespark-tasks", "inv"])
def test_malformed_toml(edgespark_project, fake_cli: FakeCli, tool: str) -> None:  # type: ignore[no-untyped-def]
    repo = edgespark_project(files={"tasks.py": "from edgespark_tasks.invoke import ns\n"})
    (repo / "edgespark.toml").write_text('project_id = "unterminated\n')
    args = ["plan"]
    line = one_line_error(run_tool(tool, *args, cwd=repo, env=fake_cli.environ()))
    assert "edgespark.toml is not valid TOML" in line


def test_unknown_step(edgespark_project, fake_cli: FakeCli) -> None:  # type: ignore[no-untyped-def]
    repo = edgespark_project()
    line = one_line_error(run_tool("edgespark-tasks", "run", "deploy-all", cwd=repo,
                                   env=fake_cli.environ()))
    assert "unknown step 'deploy-all'" in line and "known steps: db-generate" in line


def test_unknown_settings_key(edgespark_project, fake_cli: FakeCli) -> None:  # type: ignore[no-untyped-def]
    repo = edgespark_project(files={"pyproject.toml": "[tool.edgespark-tasks]\nplugns = []\n"})
    line = one_line_error(run_tool("edgespark-tasks", "plan", cwd=repo, env=fake_cli.environ()))
    assert "unknown setting 'plugns'" in line


def test_unreadable_state_file(edgespark_project, fake_cli: FakeCli) -> None:  # type: ignore[no-untyped-def]
    repo = edgespark_project()
    (repo / ".edgespark-tasks").mkdir()
    (repo / ".edgespark-tasks/state.json").write_text("{not json")
    line = one_line_error(run_tool("edgespark-tasks", "plan", cwd=repo, env=fake_cli.environ()))
    assert "state.json is unreadable" in line and "delete it" in line


def test_malformed_vars_file(edgespark_project, fake_cli: FakeCli) -> None:  # type: ignore[no-untyped-def]
    repo = edgespark_project()
    (repo / "configs/vars.yaml").write_text("A: [unclosed\n")
    line = one_line_error(run_tool("edgespark-tasks", "plan", cwd=repo, env=fake_cli.environ()))
    assert "configs/vars.yaml" in line and "not valid YAML" in line


def test_version_and_help(tmp_path: Path, fake_cli: FakeCli) -> None:
    version = run_tool("edgespark-tasks", "--version", cwd=tmp_path, env=fake_cli.environ())
    assert version.returncode == 0 and version.stdout.startswith("edgespark-tasks 0.")
    helped = run_tool("edgespark-tasks", "--help", cwd=tmp_path, env=fake_cli.environ())
    for command in ("steps", "hooks", "plan", "run", "check", "doctor", "init"):
        assert command in helped.stdout
