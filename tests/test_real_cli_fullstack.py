"""The public `@edgespark/cli@0.0.9` in a full-stack layout, against the loopback stub API.

0.0.9 reads edgespark.toml from its working folder and assumes a server-only project, so
from a full-stack root its `pull types` writes `src/__generated__/` at the repository root
(and says it succeeded), and `deploy --dry-run` fails with `Entry file not found`. The first
test shows that trap with the binary itself. The suite runs what touches only the server's
generated files (`pull types`, its check, `secret list`) from the server folder, where the
result is provably right, and refuses the rest (deploy) in every front-end before running
anything, saying to upgrade the CLI.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from realcli_fixtures import *  # noqa: F403 - fixtures: real_cli, stub, ...
from realcli_fixtures import API_KEY, INDEX_TS, NODE_MODULES, VENV_BIN, clean_environ
from stub_api import StubApi

FILES = {
    # A workspace root, as in the official full-stack template: 0.0.9 takes the folder
    # for a backend root because a package.json is there.
    "package.json": '{"private": true, "workspaces": ["server", "web"]}\n',
    "server/src/index.ts": INDEX_TS,
    "tasks.py": "from edgespark_tasks.invoke import ns  # noqa: F401\n",
    "dodo.py": "from edgespark_tasks.doit import *  # noqa: F403\n",
    ".gitignore": "node_modules\ndist/\n.edgespark/\n.edgespark-tasks/\n",
}
REFUSAL = "cannot serve notes-app's full-stack layout"


@pytest.fixture
def full_stack(real_cli: Path, stub: StubApi,
               edgespark_project: Callable[..., Path]) -> tuple[Path, dict[str, str]]:
    """A committed full-stack copy of the example project, wired to 0.0.9 and the stub; the
    CLI's capability cache starts empty."""
    stub.secrets = ["GOOGLE_CLIENT_SECRET", "OPENAI_API_KEY"]  # secrets-check passes
    root = edgespark_project(layout="full-stack", files=FILES, name="fullstack")
    for folder in (root, root / "server"):
        (folder / "node_modules").symlink_to(NODE_MODULES, target_is_directory=True)
    env = clean_environ(EDGESPARK_CLI=str(real_cli), EDGESPARK_BASE_URL=stub.base_url,
                        EDGESPARK_API_KEY=API_KEY)
    return root, env


def run(root: Path, env: dict[str, str], *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(argv), cwd=root, env=env, capture_output=True, text=True,
                          timeout=120, stdin=subprocess.DEVNULL)


def test_the_trap_0_0_9_falls_into_at_a_full_stack_root(full_stack: tuple[Path, dict[str, str]],
                                                        real_cli: Path, stub: StubApi) -> None:
    root, env = full_stack
    server_types = root / "server/src/__generated__/server-types.d.ts"
    before = server_types.read_bytes()
    pulled = run(root, env, str(real_cli), "pull", "types")
    assert pulled.returncode == 0, pulled.stderr  # it says it succeeded...
    assert (root / "src/__generated__/server-types.d.ts").is_file()  # ...at the wrong place
    assert server_types.read_bytes() == before  # and the project's own types are untouched
    dry = run(root, env, str(real_cli), "deploy", "--dry-run")
    assert dry.returncode != 0
    assert "Entry file not found" in dry.stdout + dry.stderr


@pytest.mark.parametrize("front_end", [
    ("inv", "deploy", "--skip", "db-migrate", "--skip", "storage-apply", "--skip",
     "vars-apply", "--skip", "auth-apply"),
    ("inv", "deploy", "--only", "deploy-dry-run"),
    ("edgespark-tasks", "plan"),
    ("edgespark-tasks", "run", "deploy-dry-run"),
    ("edgespark-tasks", "doctor"),
    ("doit", "edgespark:deploy-dry-run", "skip=db-migrate,storage-apply,vars-apply,auth-apply"),
    ("edgespark-tasks-hook", "deploy-dry-run"),
], ids=lambda argv: " ".join(argv[:3]))
def test_every_front_end_refuses_before_running_anything(
        full_stack: tuple[Path, dict[str, str]], stub: StubApi,
        front_end: tuple[str, ...]) -> None:
    root, env = full_stack
    if front_end[-1].startswith("skip="):  # doit: the steps 0.0.9 lacks, as a setting
        env = {**env, "EDGESPARK_TASKS_SKIP": front_end[-1].split("=", 1)[1]}
        front_end = front_end[:-1]
    result = run(root, env, str(VENV_BIN / front_end[0]), *front_end[1:])
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert REFUSAL in output and "edgespark 0.0.9" in output
    assert "upgrade the CLI" in output
    assert "Traceback" not in output
    assert not [r for r in stub.requests if "deploy" in r.endpoint]  # no deploy call
    assert not (root / "src/__generated__").exists()  # nothing written at the wrong place
    assert API_KEY not in output


def test_server_only_commands_run_from_the_server_folder(
        full_stack: tuple[Path, dict[str, str]], stub: StubApi) -> None:
    root, env = full_stack
    hook = str(VENV_BIN / "edgespark-tasks-hook")
    stale = run(root, env, hook, "types-check")
    assert stale.returncode == 1 and "stale" in stale.stdout + stale.stderr
    pulled = run(root, env, str(VENV_BIN / "inv"), "pull.types")
    assert pulled.returncode == 0, pulled.stdout + pulled.stderr
    generated = root / "server/src/__generated__"
    assert (generated / "server-types.d.ts").read_text() == stub.types_content
    assert stub.types_hash in (generated / ".checksums.json").read_text()
    assert not (root / "src/__generated__").exists()  # not at the root
    fresh = run(root, env, hook, "types-check")
    assert fresh.returncode == 0, fresh.stdout + fresh.stderr
    doit = run(root, env, str(VENV_BIN / "doit"), "edgespark:types-check")
    assert doit.returncode == 0, doit.stdout + doit.stderr
    project_ids = {r.query.get("project_id") for r in stub.calls("server-types")}
    assert project_ids == {"5ba6c784-0498-4636-a51a-b3f35bc6927c"}  # from edgespark.toml
