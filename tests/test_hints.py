"""Hints name commands the person can run: in their front-end, and never a CLI command the
installed CLI lacks without saying so."""

from __future__ import annotations

from pathlib import Path

from conftest import run_tool
from test_doit import DOIT

from edgespark_tasks.testing import FakeCli


def test_configured_cli_missing_is_not_told_to_set_it(tasks_repo: Path,
                                                     fake_cli: FakeCli) -> None:
    result = run_tool("inv", "storage.apply", cwd=tasks_repo,
                      env=fake_cli.environ(EDGESPARK_CLI="/nowhere/edgespark"))
    assert result.returncode == 127
    assert "set EDGESPARK_CLI" not in result.stderr
    assert "fix EDGESPARK_CLI (it names '/nowhere/edgespark')" in result.stderr


def test_no_api_key_hint_says_login_is_missing_from_0_0_9(tasks_repo: Path,
                                                          fake_cli: FakeCli) -> None:
    fake_cli.respond("pull types", exit=3, stderr="Error: no API key configured\n")
    result = run_tool("inv", "pull.types", cwd=tasks_repo, env=fake_cli.environ())
    assert result.returncode == 3
    assert "set EDGESPARK_API_KEY" in result.stderr and "0.0.9 does not" in result.stderr


def test_secret_set_hint_says_when_the_cli_lacks_it(edgespark_project,  # type: ignore[no-untyped-def]
                                                   fake_cli: FakeCli) -> None:
    repo = edgespark_project(layout="server-only",
                             files={"tasks.py": "from edgespark_tasks.invoke import ns\n"})
    fake_cli.set(version="0.0.9", missing=["secret set"], secrets=["GOOGLE_CLIENT_SECRET"])
    run_tool("edgespark-tasks", "doctor", cwd=repo, env=fake_cli.environ())  # caches the CLI
    result = run_tool("inv", "secrets.check", cwd=repo, env=fake_cli.environ())
    assert result.returncode == 11
    assert ("`edgespark secret set OPENAI_API_KEY` (not available in edgespark 0.0.9: "
            "upgrade the CLI") in result.stderr
    assert "inv secrets.set" in result.stderr  # the invoke user's own command


def test_doit_users_get_doit_commands(edgespark_project, fake_cli: FakeCli) -> None:  # type: ignore[no-untyped-def]
    repo = edgespark_project(files={"dodo.py": "from edgespark_tasks.doit import *\n"})
    schema = repo / "server/src/defs/db_schema.ts"
    schema.write_text(schema.read_text() + "\n// a new column soon\n")
    result = run_tool("doit", "edgespark:db-generate", cwd=repo, env=fake_cli.environ())
    out = result.stdout + result.stderr
    assert result.returncode != 0
    assert "run `doit -v 2 edgespark:db-generate`, review the SQL" in out
    assert "inv db.generate" not in out and "--yes" not in out
    assert DOIT  # the same doit executable as the doit tests
