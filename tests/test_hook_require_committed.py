"""The drop-in `hooks/require_committed.py` plugin, tried as a new user would."""

from __future__ import annotations

import shutil

from conftest import REPO, run_tool

from edgespark_tasks.testing import FakeCli, commit_all


def test_dirty_tree_blocks_remote_steps(edgespark_project, fake_cli: FakeCli) -> None:  # type: ignore[no-untyped-def]
    repo = edgespark_project(files={
        "pyproject.toml": '[tool.edgespark-tasks]\nplugins = ["hooks/require_committed.py"]\n',
        "tasks.py": "from edgespark_tasks.invoke import ns\n"})
    (repo / "hooks").mkdir()
    shutil.copy(REPO / "hooks/require_committed.py", repo / "hooks/require_committed.py")
    commit_all(repo, "add plugin")
    schema = repo / "server/src/defs/storage_schema.ts"
    schema.write_text(schema.read_text() + "\n// more buckets soon\n")
    refused = run_tool("inv", "deploy", cwd=repo, env=fake_cli.environ())
    assert refused.returncode == 11  # refused (errors.EXIT_CODES)
    assert "db-migrate changes remote state, but server/src/defs/storage_schema.ts is not " \
           "committed" in refused.stderr
    assert fake_cli.commands() == []
    commit_all(repo, "storage change")
    ok = run_tool("inv", "deploy", cwd=repo, env=fake_cli.environ())
    assert ok.returncode == 0, ok.stderr
    assert "deploy" in fake_cli.commands()
    fake_cli.clear()
    schema.write_text(schema.read_text() + "\n// and again\n")
    allowed = run_tool("inv", "deploy", cwd=repo,
                       env=fake_cli.environ(EDGESPARK_TASKS_ALLOW_DIRTY="1"))
    assert allowed.returncode == 0 and "storage apply" in fake_cli.commands()
