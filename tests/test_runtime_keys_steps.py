"""vars-apply, secrets-set and secrets-check through the real `inv`, against the fake CLI."""

from __future__ import annotations

import os
import select
import subprocess
import time
from pathlib import Path

import pytest
from conftest import BIN, run_tool

from edgespark_tasks.testing import FakeCli

VARS = "configs/vars.yaml"
PLANTED = "sk_live_51PlantedDoNotLeak9a8b7c6d5e4f"
ALL_VARS = ("var set PUBLIC_APP_NAME=Notes "
            "GOOGLE_CLIENT_ID=1234567890-notesapp.apps.googleusercontent.com "
            "MAX_NOTES_PER_USER=500")
GITHUB_ON = """
providerGithub:
  enabled: true
  config:
    clientIdVarRef: GITHUB_CLIENT_ID
    clientSecretRef: GITHUB_CLIENT_SECRET
"""


def inv(repo: Path, fake: FakeCli, *args: str, **env: str):  # type: ignore[no-untyped-def]
    return run_tool("inv", *args, cwd=repo, env=fake.environ(**env), timeout=60)


def no_ci(fake: FakeCli) -> dict[str, str]:
    env = fake.environ()
    env.pop("CI", None)
    return env


def write_vars(repo: Path, text: str) -> None:
    (repo / VARS).write_text(text)


# ---- vars-apply ----------------------------------------------------------------------------


def test_vars_first_apply_then_only_the_changed_key(tasks_repo: Path, fake_cli: FakeCli) -> None:
    first = inv(tasks_repo, fake_cli, "vars.apply")
    assert first.returncode == 0, first.stderr
    assert fake_cli.commands() == [ALL_VARS]
    fake_cli.clear()

    again = inv(tasks_repo, fake_cli, "vars.apply")
    assert again.returncode == 0, again.stderr
    assert fake_cli.commands() == []  # nothing changed: no CLI call at all

    text = (tasks_repo / VARS).read_text()
    write_vars(tasks_repo, text.replace("Notes", "Notebook").replace('"500"', '"750"'))
    changed = inv(tasks_repo, fake_cli, "vars.apply")
    assert changed.returncode == 0, changed.stderr
    assert fake_cli.commands() == ["var set PUBLIC_APP_NAME=Notebook MAX_NOTES_PER_USER=750"]


@pytest.mark.parametrize(("line", "reason"), [
    # The preflight (the same for every remote-changing task) finds it first.
    (f"PUBLIC_APP_NAME: {PLANTED}\n", "PUBLIC_APP_NAME holds a value that looks like a secret"),
    ("NOT_DECLARED: hello\n", "NOT_DECLARED is not declared as a VarKey in runtime.ts"),
    ("OPENAI_API_KEY: hello\n",
     "OPENAI_API_KEY is a SecretKey, and secret values never go in a file"),
])
def test_vars_refused_before_any_cli_call(tasks_repo: Path, fake_cli: FakeCli, line: str,
                                          reason: str) -> None:
    write_vars(tasks_repo, "MAX_NOTES_PER_USER: \"500\"\n" + line)
    result = inv(tasks_repo, fake_cli, "vars.apply")
    assert result.returncode != 0
    assert reason in result.stderr
    assert "Traceback" not in result.stderr
    assert fake_cli.commands() == []
    output = result.stdout + result.stderr
    assert PLANTED not in output
    state = tasks_repo / ".edgespark-tasks/state.json"
    assert not state.is_file() or PLANTED not in state.read_text()


# ---- secrets-set ---------------------------------------------------------------------------


def test_secrets_set_without_terminal_refuses(tasks_repo: Path, fake_cli: FakeCli) -> None:
    result = run_tool("inv", "secrets.set", "OPENAI_API_KEY", cwd=tasks_repo,
                      env=no_ci(fake_cli))  # stdin /dev/null, stdout a pipe
    assert result.returncode != 0
    assert "secret set needs a person at a terminal" in result.stderr
    assert "inv secrets.set OPENAI_API_KEY" in result.stderr
    assert fake_cli.commands() == []


def test_secrets_set_undeclared_key_refused(tasks_repo: Path, fake_cli: FakeCli) -> None:
    result = inv(tasks_repo, fake_cli, "secrets.set", "OPENAI_API_KEY,STRIPE_KEY")
    assert result.returncode != 0
    assert "STRIPE_KEY is not a declared SecretKey or OAuth client secret" in result.stderr
    assert fake_cli.commands() == []


def run_on_pty(argv: list[str], cwd: Path, env: dict[str, str],
               timeout: float = 30) -> tuple[int, str]:
    """Run argv with stdin/stdout/stderr on a pseudo-terminal; returns (exit code, output)."""
    master, slave = os.openpty()
    proc = subprocess.Popen(argv, cwd=cwd, env=env, stdin=slave, stdout=slave, stderr=slave,
                            start_new_session=True)
    os.close(slave)
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.1)
            if ready:
                try:
                    data = os.read(master, 4096)
                except OSError:  # EIO: the child side closed
                    break
                if not data:
                    break
                chunks.append(data)
            elif proc.poll() is not None:
                break
        code = proc.wait(timeout=max(0.1, deadline - time.monotonic()))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
    return code, b"".join(chunks).decode(errors="replace")


def test_secrets_set_on_a_terminal_runs_secret_set_with_names_only(
        tasks_repo: Path, fake_cli: FakeCli, tmp_path: Path) -> None:
    # A wrapper around the fake records the exact environment `secret set` receives.
    env_dump = tmp_path / "secret-set.env"
    wrapper = tmp_path / "edgespark-wrapper"
    wrapper.write_text(f'#!/bin/sh\ncase "$*" in *"secret set"*) env > "{env_dump}";; esac\n'
                       f'exec "{fake_cli.executable}" "$@"\n')
    wrapper.chmod(0o755)
    env = no_ci(fake_cli)
    env["EDGESPARK_CLI"] = str(wrapper)
    code, output = run_on_pty([str(BIN / "inv"), "secrets.set", "OPENAI_API_KEY,GOOGLE_CLIENT_SECRET"],
                              tasks_repo, env)
    assert code == 0, output
    calls = [c for c in fake_cli.calls() if c["command"] == "secret set"]
    assert len(calls) == 1
    assert calls[0]["argv"] == ["secret", "set", "OPENAI_API_KEY", "GOOGLE_CLIENT_SECRET"]
    # The browser hand-off reached the person's terminal.
    assert "secrets/set?keys=OPENAI_API_KEY,GOOGLE_CLIENT_SECRET" in output
    # No value anywhere: argv holds names only, the environment gained nothing.
    assert not any("=" in arg for arg in calls[0]["argv"])
    received = dict(line.split("=", 1) for line in env_dump.read_text().splitlines()
                    if "=" in line and not line.startswith((" ", "\t")))
    added = set(received) - set(env) - {"PWD", "OLDPWD", "SHLVL", "_"}
    assert added == set()
    assert not {"OPENAI_API_KEY", "GOOGLE_CLIENT_SECRET"} & set(received)
    assert fake_cli.api_key not in output


def test_secrets_set_on_a_terminal_in_ci_still_refuses(tasks_repo: Path,
                                                       fake_cli: FakeCli) -> None:
    env = fake_cli.environ(CI="true")
    code, output = run_on_pty([str(BIN / "inv"), "secrets.set", "OPENAI_API_KEY"],
                              tasks_repo, env)
    assert code != 0
    assert "needs a person at a terminal" in output
    assert fake_cli.commands() == []


# ---- secrets-check -------------------------------------------------------------------------


def test_secrets_check_reports_missing_with_the_command(tasks_repo: Path,
                                                       fake_cli: FakeCli) -> None:
    fake_cli.set(secrets=["GOOGLE_CLIENT_SECRET"])
    result = inv(tasks_repo, fake_cli, "secrets.check")
    assert result.returncode != 0
    assert "secrets not set in the default environment: OPENAI_API_KEY" in result.stderr
    assert "`edgespark secret set OPENAI_API_KEY`" in result.stderr
    assert "`inv secrets.set OPENAI_API_KEY`" in result.stderr
    assert fake_cli.commands() == ["secret list"]


def test_secrets_check_names_the_environment_in_the_command(tasks_repo: Path,
                                                           fake_cli: FakeCli) -> None:
    fake_cli.set(secrets=[])
    result = inv(tasks_repo, fake_cli, "secrets.check", "--environment", "staging")
    assert result.returncode != 0
    assert "secrets not set in staging: GOOGLE_CLIENT_SECRET, OPENAI_API_KEY" in result.stderr
    assert ("`edgespark secret set GOOGLE_CLIENT_SECRET OPENAI_API_KEY --environment staging`"
            in result.stderr)
    assert ("`inv secrets.set --environment staging GOOGLE_CLIENT_SECRET,OPENAI_API_KEY`"
            in result.stderr)


def test_secrets_check_passes_when_none_missing(tasks_repo: Path, fake_cli: FakeCli) -> None:
    fake_cli.set(secrets=["OPENAI_API_KEY", "GOOGLE_CLIENT_SECRET", "UNRELATED"])
    result = inv(tasks_repo, fake_cli, "secrets.check")
    assert result.returncode == 0, result.stderr
    assert fake_cli.commands() == ["secret list"]


def test_oauth_client_secret_refs_count(edgespark_project, fake_cli: FakeCli) -> None:  # type: ignore[no-untyped-def]
    repo: Path = edgespark_project(files={"tasks.py": "from edgespark_tasks.invoke import ns\n"})
    auth = repo / "configs/auth-config.yaml"
    text = auth.read_text().replace("providerGithub:\n  enabled: false\n  config: {}\n", "")
    auth.write_text(text + GITHUB_ON)
    fake_cli.set(secrets=["OPENAI_API_KEY", "GOOGLE_CLIENT_SECRET"])
    check = inv(repo, fake_cli, "secrets.check")
    assert check.returncode != 0
    assert "secrets not set in the default environment: GITHUB_CLIENT_SECRET" in check.stderr
    # secrets-set accepts the ref (it is refused only for want of a terminal here).
    refused = inv(repo, fake_cli, "secrets.set", "GITHUB_CLIENT_SECRET")
    assert "not a declared SecretKey" not in refused.stderr
    assert "needs a person at a terminal" in refused.stderr
    # A disabled provider's ref does not count.
    auth.write_text(text + GITHUB_ON.replace("enabled: true", "enabled: false"))
    assert inv(repo, fake_cli, "secrets.check").returncode == 0
