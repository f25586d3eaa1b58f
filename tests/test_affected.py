"""`edgespark-tasks affected --since REF`, tried as a new user would: a monorepo of three
example projects in a temporary git repo, changes in one project, in two, in shared files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import run_tool

from edgespark_tasks.testing import FakeCli, commit_all, git, make_monorepo

DEPLOY_ONLY = ["secrets-check", "deploy-dry-run", "deploy"]


@pytest.fixture
def mono(tmp_path: Path) -> Path:
    repo = tmp_path / "mono"
    make_monorepo(repo, files={"package.json": '{"private": true}\n', "README.md": "hi\n"})
    return repo


def affected(repo: Path, fake: FakeCli, *args: str, **env: str) -> dict[str, Any]:
    result = run_tool("edgespark-tasks", "affected", *args, "--json", cwd=repo,
                      env=fake.environ(**env))
    assert result.returncode == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def steps_by_project(data: dict[str, Any]) -> dict[str, list[str]]:
    return {p["project"]: p["steps"] for p in data["projects"]}


def edit(path: Path, extra: str = "\n// edited\n") -> None:
    path.write_text(path.read_text() + extra)


def test_nothing_changed(mono: Path, fake_cli: FakeCli) -> None:
    data = affected(mono, fake_cli, "--since", "HEAD")
    assert data["projects"] == []
    assert data["unaffected"] == ["apps/a", "apps/b", "apps/c"]


def test_change_in_one_project_committed_since_the_ref(mono: Path, fake_cli: FakeCli) -> None:
    base = git(mono, "rev-parse", "HEAD").strip()
    edit(mono / "apps/b/server/src/defs/storage_schema.ts")
    commit_all(mono, "b: a bucket")
    data = affected(mono, fake_cli, "--since", base)
    assert steps_by_project(data) == {
        "apps/b": ["storage-apply", "secrets-check", "pull-types", "deploy-dry-run", "deploy"]}
    entry = data["projects"][0]
    assert entry["name"] == "b" and entry["slug"] == "apps-b"
    assert entry["changed"] == ["apps/b/server/src/defs/storage_schema.ts"]
    assert entry["reasons"]["storage-apply"] == "storage_schema.ts changed"
    assert data["unaffected"] == ["apps/a", "apps/c"]
    assert fake_cli.calls() == [] and fake_cli.probes() == []  # no CLI: git and files only


def test_changes_in_two_projects(mono: Path, fake_cli: FakeCli) -> None:
    edit(mono / "apps/a/server/src/index.ts")  # uncommitted edits count too
    (mono / "apps/c/configs/vars.yaml").write_text("PUBLIC_APP_NAME: Renamed\n")
    data = affected(mono, fake_cli, "--since", "HEAD")
    # Var values are read at request time: a vars change needs no deploy.
    assert steps_by_project(data) == {"apps/a": DEPLOY_ONLY, "apps/c": ["vars-apply"]}
    assert data["unaffected"] == ["apps/b"]


def test_a_shared_lockfile_affects_every_project(mono: Path, fake_cli: FakeCli) -> None:
    (mono / "package-lock.json").write_text('{"lockfileVersion": 3}\n')  # untracked, new
    data = affected(mono, fake_cli, "--since", "HEAD")
    assert steps_by_project(data) == {p: DEPLOY_ONLY for p in ("apps/a", "apps/b", "apps/c")}
    assert {p["reasons"]["deploy"] for p in data["projects"]} == {
        "shared package-lock.json changed"}


def test_an_unrelated_file_affects_nothing(mono: Path, fake_cli: FakeCli) -> None:
    edit(mono / "README.md", "more\n")
    edit(mono / "apps/a/.gitignore", "tmp/\n")
    assert affected(mono, fake_cli, "--since", "HEAD")["projects"] == []


def test_a_deleted_source_file_counts(mono: Path, fake_cli: FakeCli) -> None:
    git(mono, "rm", "-q", "apps/c/server/src/index.ts")
    assert steps_by_project(affected(mono, fake_cli, "--since", "HEAD")) == {
        "apps/c": DEPLOY_ONLY}


def test_first_push_and_unknown_refs_affect_everything(mono: Path, fake_cli: FakeCli) -> None:
    data = affected(mono, fake_cli, "--since", "0" * 40)  # what CI reports on a first push
    assert [p["project"] for p in data["projects"]] == ["apps/a", "apps/b", "apps/c"]
    assert data["resolved"] is True
    result = run_tool("edgespark-tasks", "affected", "--since", "no-such-ref", cwd=mono,
                      env=fake_cli.environ())
    assert result.returncode == 0
    assert "'no-such-ref' is not known here" in result.stderr
    assert result.stdout.splitlines()[-1] == "3 of 3 project(s) affected since no-such-ref"
    unknown = affected(mono, fake_cli, "--since", "no-such-ref")
    assert unknown["resolved"] is False
    assert unknown["projects"][0]["reasons"]["db-migrate"] == "the ref is unknown here: every step"


def test_github_outputs_feed_a_matrix(mono: Path, fake_cli: FakeCli, tmp_path: Path) -> None:
    edit(mono / "apps/a/server/src/index.ts")
    output = tmp_path / "github_output"
    result = run_tool("edgespark-tasks", "affected", "--since", "HEAD", cwd=mono,
                      env=fake_cli.environ(GITHUB_OUTPUT=str(output)))
    assert result.returncode == 0
    assert result.stdout.splitlines() == [
        "apps/a (a): secrets-check, deploy-dry-run, deploy  [1 changed file(s)]",
        "1 of 3 project(s) affected since HEAD"]
    lines = output.read_text().splitlines()
    assert lines[1] == "count=1"
    name, value = lines[0].split("=", 1)
    assert name == "projects"
    assert [(p["project"], p["steps"]) for p in json.loads(value)] == [("apps/a", DEPLOY_ONLY)]


def test_inv_affected(mono: Path, fake_cli: FakeCli) -> None:
    (mono / "tasks.py").write_text("from edgespark_tasks.invoke import ns\n")
    edit(mono / "apps/c/server/src/index.ts")
    result = run_tool("inv", "affected", "--since", "HEAD", "--json", cwd=mono,
                      env=fake_cli.environ())
    assert result.returncode == 0, result.stderr
    assert steps_by_project(json.loads(result.stdout)) == {"apps/c": DEPLOY_ONLY}


def test_the_projects_setting_is_honoured(tmp_path: Path, fake_cli: FakeCli) -> None:
    repo = tmp_path / "mono"
    make_monorepo(repo, files={"pyproject.toml": '[tool.edgespark-tasks]\n'
                                                 'projects = ["apps/a", "apps/c"]\n'})
    (repo / "package-lock.json").write_text("{}\n")  # shared: every listed project
    data = affected(repo, fake_cli, "--since", "HEAD")
    assert [p["project"] for p in data["projects"]] == ["apps/a", "apps/c"]
    assert data["unaffected"] == []
