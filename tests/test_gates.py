"""The three CLI gates and their policy: found a problem vs could not check, with/without CI."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from conftest import BIN
from test_precommit_hooks import PRE_COMMIT, commit, edit, env, hooks_repo, project  # noqa: F401

from edgespark_tasks.testing import FakeCli

GATE_COMMANDS = {"db-check": "db check", "types-check": "pull types",
                 "deploy-dry-run": "deploy"}


def hook(repo: Path, gate: str, environ: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / "edgespark-tasks-hook"), gate, *args], cwd=repo, env=environ,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("gate", sorted(GATE_COMMANDS))
def test_gate_passes_and_finds_problems(edgespark_project, fake_cli: FakeCli, gate: str) -> None:  # type: ignore[no-untyped-def]
    repo = edgespark_project()
    ok = hook(repo, gate, fake_cli.environ(CI=""))
    assert ok.returncode == 0, ok.stderr
    assert f"{gate} (notes-app): passed" in ok.stdout
    fake_cli.respond(GATE_COMMANDS[gate], exit=1, stderr="Error: problem\n")
    bad = hook(repo, gate, fake_cli.environ(CI=""))
    assert bad.returncode == 1
    assert "failed (" in bad.stderr and "Traceback" not in bad.stderr


def test_stale_types_name_the_fix(edgespark_project, fake_cli: FakeCli) -> None:  # type: ignore[no-untyped-def]
    repo = edgespark_project()
    fake_cli.respond("pull types", exit=1, stderr="Server types are stale\n")
    result = hook(repo, "types-check", fake_cli.environ(CI=""))
    assert result.returncode == 1
    assert "failed (stale)" in result.stderr and "run `edgespark pull types`" in result.stderr


@pytest.mark.parametrize(("case", "kind"), [("no-key", "auth-missing"), ("network", "network"),
                                            ("no-cli", "cli-missing")])
@pytest.mark.parametrize("ci", [False, True])
def test_could_not_check_policy(edgespark_project, fake_cli: FakeCli, case: str, kind: str,
                                ci: bool) -> None:  # type: ignore[no-untyped-def]
    repo = edgespark_project()
    extra = {"CI": "true" if ci else ""}
    if case == "no-key":
        extra["EDGESPARK_API_KEY"] = ""
    elif case == "network":
        fake_cli.respond("pull types", exit=6, stderr="Error: API unreachable\n")
    else:
        extra.update(EDGESPARK_CLI="", PATH="/usr/bin:/bin")
    result = hook(repo, "types-check", fake_cli.environ(**extra))
    assert f"could not check ({kind})" in result.stderr
    assert "Traceback" not in result.stderr
    if ci:
        assert result.returncode == 1 and "failing because CI is set" in result.stderr
    else:
        assert result.returncode == 0 and "warning:" in result.stderr
        strict = hook(repo, "types-check", fake_cli.environ(**extra), "--strict")
        assert strict.returncode == 1 and "strict policy" in strict.stderr


def test_offline_setting_overrides_locally(edgespark_project, fake_cli: FakeCli) -> None:  # type: ignore[no-untyped-def]
    repo = edgespark_project(files={"pyproject.toml": '[tool.edgespark-tasks]\noffline = "fail"\n'})
    result = hook(repo, "db-check", fake_cli.environ(CI="", EDGESPARK_API_KEY=""))
    assert result.returncode == 1 and "could not check (auth-missing)" in result.stderr
    warn = edgespark_project(files={"pyproject.toml": '[tool.edgespark-tasks]\noffline = "warn"\n'},
                             name="warn")
    ci = hook(warn, "db-check", fake_cli.environ(CI="true", EDGESPARK_API_KEY=""))
    assert ci.returncode == 0 and "warning: could not check" in ci.stderr


@pytest.mark.skipif(PRE_COMMIT is None, reason="pre-commit is not installed")
def test_types_check_gate_in_a_real_commit(project, env, fake_cli: FakeCli) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    root = project(["edgespark-types-check"])
    environ = {**env, **fake_cli.env, "CI": ""}
    edit(root, "server/src/defs/db_relations.ts", "many(tags)", "many(tags) /* all */")
    code, out = commit(root, environ)
    assert code == 0, out
    assert "edgespark types check" in out and "Passed" in out
    assert fake_cli.commands() == ["pull types --check"]
    fake_cli.respond("pull types", exit=1, stderr="Server types are stale\n")
    edit(root, "server/src/defs/db_relations.ts", "/* all */", "/* every */")
    code, out = commit(root, environ)
    assert code != 0
    assert "failed (stale)" in out and "edgespark pull types" in out
    subprocess.run(["git", "reset", "-q", "--hard", "HEAD"], cwd=root, check=True)
    unrelated = root / "README.md"
    unrelated.write_text("notes\n")
    fake_cli.clear()
    code, out = commit(root, environ)
    assert code == 0 and fake_cli.commands() == []  # nothing relevant: no CLI call
