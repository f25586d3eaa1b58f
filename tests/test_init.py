"""`edgespark-tasks init` in existing repositories, then the tools it wires up actually run."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from realcli_fixtures import VENV_BIN, clean_environ, hook_gate_wired

from edgespark_tasks.checks import CHECK_IDS
from edgespark_tasks.commands.init import merge_precommit, templates_dir
from edgespark_tasks.testing import FakeCli, commit_all, init_repo

ProjectFactory = Callable[..., Path]
REPO = Path(__file__).resolve().parent.parent

USER_PRECOMMIT = """\
# Our team's hooks. Keep this comment!
default_language_version:
  python: python3

repos:
  # formatting first
  - repo: https://github.com/pre-commit/pre-commit-hooks
    rev: v4.6.0   # pinned on purpose
    hooks:
      - id: trailing-whitespace
      # - id: end-of-file-fixer   (disabled, see #12)

# CI settings below belong to pre-commit.ci
ci:
  autofix_prs: false
"""
USER_TASKS = '''"""Our own tasks."""
from invoke import task


@task
def hello(c):
    """Say hello."""
    print("hello")
'''
USER_DODO = '''def task_hello():
    """Say hello."""
    return {"actions": ["echo hello"], "verbosity": 2}
'''


def init(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run `edgespark-tasks init --dir REPO ARGS`."""
    return subprocess.run([str(VENV_BIN / "edgespark-tasks"), "init", "--dir", str(repo), *args],
                          capture_output=True, text=True, env=clean_environ(), timeout=60,
                          stdin=subprocess.DEVNULL)


def tool(repo: Path, env: dict[str, str], *argv: str) -> subprocess.CompletedProcess[str]:
    """Run a tool of this environment (inv, doit, pre-commit) in `repo`."""
    return subprocess.run([str(VENV_BIN / argv[0]), *argv[1:]], cwd=repo, capture_output=True,
                          text=True, env=env, timeout=180, stdin=subprocess.DEVNULL)


def snapshot(repo: Path) -> dict[str, bytes]:
    """Every file of the repository (outside .git) and its bytes."""
    return {p.relative_to(repo).as_posix(): p.read_bytes() for p in sorted(repo.rglob("*"))
            if p.is_file() and ".git" not in p.relative_to(repo).parts}


def is_subsequence(small: list[str], big: list[str]) -> bool:
    """Every line of `small` appears in `big`, in order."""
    it = iter(big)
    return all(line in it for line in small)


def test_empty_repo(tmp_path: Path) -> None:
    repo = tmp_path / "empty"
    init_repo(repo)
    result = init(repo)
    assert result.returncode == 0, result.stdout + result.stderr
    for name in ("tasks.py", "dodo.py", ".pre-commit-config.yaml", ".gitignore"):
        assert f"created {name}" in result.stdout
    assert (repo / "tasks.py").read_text() == (templates_dir() / "tasks.py").read_text()
    assert "from edgespark_tasks.doit import *  # noqa" in (repo / "dodo.py").read_text()
    config = yaml.safe_load((repo / ".pre-commit-config.yaml").read_text())
    assert config["default_install_hook_types"] == ["pre-commit", "pre-push"]
    (ours,) = config["repos"]
    assert ours["repo"] == "local"
    assert {h["language"] for h in ours["hooks"]} == {"system"}
    assert ".edgespark-tasks/" in (repo / ".gitignore").read_text().splitlines()


def test_existing_files_are_merged_without_losing_a_line(tmp_path: Path) -> None:
    repo = tmp_path / "own"
    repo.mkdir()
    (repo / ".pre-commit-config.yaml").write_text(USER_PRECOMMIT)
    (repo / "tasks.py").write_text(USER_TASKS)
    (repo / ".gitignore").write_text("node_modules")  # no final newline
    init_repo(repo)
    result = init(repo)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (repo / "tasks.py").read_text() == USER_TASKS  # left alone...
    assert "left tasks.py alone" in result.stdout
    assert "ns.add_collection(edgespark_ns, \"es\")" in result.stdout  # ...the snippet shown
    merged = (repo / ".pre-commit-config.yaml").read_text()
    assert is_subsequence(USER_PRECOMMIT.splitlines(), merged.splitlines())
    config = yaml.safe_load(merged)
    assert [r["repo"] for r in config["repos"]] == [
        "https://github.com/pre-commit/pre-commit-hooks", "local"]
    assert config["ci"] == {"autofix_prs": False}  # still a top-level key, not swallowed
    # Our entry sits in the repos list, before the comment that introduces `ci:`.
    assert merged.index("repo: local") < merged.index("# CI settings below")
    assert (repo / ".gitignore").read_text().splitlines()[0] == "node_modules"


def test_force_replaces_tasks_but_keeps_the_original(tmp_path: Path) -> None:
    repo = tmp_path / "forced"
    repo.mkdir()
    (repo / "tasks.py").write_text(USER_TASKS)
    init_repo(repo)
    result = init(repo, "--force")
    assert result.returncode == 0, result.stdout + result.stderr
    assert (repo / "tasks.py.orig").read_text() == USER_TASKS
    assert "edgespark_tasks.invoke" in (repo / "tasks.py").read_text()


def test_twice_in_a_row_changes_nothing(tmp_path: Path) -> None:
    repo = tmp_path / "twice"
    repo.mkdir()
    (repo / ".pre-commit-config.yaml").write_text(USER_PRECOMMIT)
    init_repo(repo)
    assert init(repo).returncode == 0
    before = snapshot(repo)
    again = init(repo)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "nothing to change" in again.stdout
    assert "created" not in again.stdout and "updated" not in again.stdout
    assert snapshot(repo) == before


def test_unmergeable_config_is_left_alone(tmp_path: Path) -> None:
    repo = tmp_path / "broken"
    repo.mkdir()
    broken = "repos: [{repo: local, hooks: [\n"  # not valid YAML
    (repo / ".pre-commit-config.yaml").write_text(broken)
    init_repo(repo)
    result = init(repo)
    assert result.returncode == 1
    assert "could not merge" in result.stdout and "repo: local" in result.stdout
    assert (repo / ".pre-commit-config.yaml").read_text() == broken


@pytest.mark.parametrize("original", [
    "",
    "repos: []  # none yet\n",
    "repos:\n",
    "# only a comment\n",
    "repos:\n-   repo: https://example.invalid/hooks\n    rev: v1\n    hooks:\n    -   id: x\n",
    "fail_fast: true\nrepos:\n  - repo: meta\n    hooks:\n      - id: identity\nminimum_pre_commit_version: '3.2'\n",
])
def test_merge_precommit_forms(original: str) -> None:
    block = (templates_dir() / "pre-commit-config.yaml").read_text()
    merged = merge_precommit(original, block)
    assert merged is not None
    kept = original.replace("repos: []", "repos:")  # the one line rewritten, comment kept
    assert is_subsequence(kept.splitlines(), merged.splitlines())
    data = yaml.safe_load(merged)
    assert data["repos"][-1]["repo"] == "local"
    before = yaml.safe_load(original) or {}
    assert data["repos"][:-1] == (before.get("repos") or [])


def test_template_hooks_match_the_hook_manifest() -> None:
    manifest = REPO / ".pre-commit-hooks.yaml"
    if not manifest.is_file():
        pytest.skip(".pre-commit-hooks.yaml is not in this checkout")
    published = {h["id"]: h for h in yaml.safe_load(manifest.read_text())}
    (local,) = yaml.safe_load((templates_dir() / "pre-commit-config.yaml").read_text())
    for hook in local["hooks"]:
        assert hook["id"] in published, hook["id"]
        for key in ("entry", "files"):
            assert hook[key] == published[hook["id"]][key], (hook["id"], key)
        assert hook["stages"] == published[hook["id"]]["stages"], hook["id"]
    # edgespark-offline stands for the six single-check hooks, which stay published.
    singles = {f"edgespark-{check}" for check in CHECK_IDS}
    assert {h["id"] for h in local["hooks"]} == set(published) - singles


def test_tools_work_after_init(edgespark_project: ProjectFactory, fake_cli: FakeCli,
                               tmp_path: Path) -> None:
    repo = edgespark_project(files={"tasks.py": USER_TASKS, "dodo.py": USER_DODO})
    result = init(repo)
    assert result.returncode == 0, result.stdout + result.stderr
    # The person pastes the printed snippets into their own files.
    snippets = templates_dir()
    with (repo / "tasks.py").open("a") as handle:
        handle.write("\n" + (snippets / "tasks-snippet.py").read_text())
    with (repo / "dodo.py").open("a") as handle:
        handle.write("\n" + (snippets / "dodo-snippet.py").read_text())
    commit_all(repo, "edgespark-tasks init")
    env = clean_environ(**fake_cli.env, PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"))

    listed = tool(repo, env, "inv", "--list")
    assert listed.returncode == 0, listed.stdout + listed.stderr
    assert "hello" in listed.stdout and "es.deploy" in listed.stdout
    assert "es.pull.types" in listed.stdout

    doit = tool(repo, env, "doit", "list")
    assert doit.returncode == 0, doit.stdout + doit.stderr
    assert "hello" in doit.stdout and "edgespark" in doit.stdout

    if not hook_gate_wired():  # the CLI gates land separately; skip only those two hooks
        env["SKIP"] = "edgespark-db-check,edgespark-types-check"
    hooks = tool(repo, env, "pre-commit", "run", "--all-files")
    assert hooks.returncode == 0, hooks.stdout + hooks.stderr
    line = next(li for li in hooks.stdout.splitlines() if "edgespark offline checks" in li)
    assert "Passed" in line, hooks.stdout  # the six offline checks, in one process
    if "SKIP" not in env:
        line = next(li for li in hooks.stdout.splitlines() if "edgespark types check" in li)
        assert "Passed" in line or "Skipped" in line, line


def test_outside_a_git_repository_says_so(tmp_path: Path) -> None:
    folder = tmp_path / "not-a-repo"
    folder.mkdir()
    result = init(folder)
    assert result.returncode == 10, result.stdout + result.stderr
    assert "is not inside a git repository" in result.stderr and "git init" in result.stderr
    assert "Traceback" not in result.stderr
    assert list(folder.iterdir()) == []  # nothing half-written


def test_hook_stages_and_verbose_gates(tmp_path: Path) -> None:
    repo = tmp_path / "staged"
    init_repo(repo)
    assert init(repo).returncode == 0
    (ours,) = yaml.safe_load((repo / ".pre-commit-config.yaml").read_text())["repos"]
    stages = {h["id"]: h["stages"] for h in ours["hooks"]}
    assert stages.pop("edgespark-deploy-dry-run") == ["pre-push"]
    assert set(map(tuple, stages.values())) == {("pre-commit",)}
    verbose = {h["id"] for h in ours["hooks"] if h.get("verbose")}
    assert verbose == {"edgespark-db-check", "edgespark-types-check", "edgespark-deploy-dry-run"}


def test_gates_the_installed_cli_lacks_are_commented_out(tmp_path: Path,
                                                         fake_cli: FakeCli) -> None:
    repo = tmp_path / "old-cli"
    init_repo(repo)
    fake_cli.set(version="0.0.9", missing=["db check"])
    result = subprocess.run([str(VENV_BIN / "edgespark-tasks"), "init", "--dir", str(repo)],
                            capture_output=True, text=True, timeout=60,
                            env=clean_environ(**fake_cli.env), stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "left the db-check gate commented out" in result.stdout
    text = (repo / ".pre-commit-config.yaml").read_text()
    (ours,) = yaml.safe_load(text)["repos"]
    ids = {h["id"] for h in ours["hooks"]}
    assert "edgespark-db-check" not in ids and "edgespark-types-check" in ids
    assert ("# edgespark-db-check: `edgespark db check` is not available in edgespark 0.0.9"
            in text)
    assert "  # - id: edgespark-db-check" in text


def test_push_runs_only_the_push_hooks_and_unchecked_gates_say_so(
        edgespark_project: ProjectFactory, fake_cli: FakeCli, tmp_path: Path) -> None:
    repo = edgespark_project()
    assert init(repo).returncode == 0
    env = clean_environ(**fake_cli.env, PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"))
    for runner_var in ("CI", "GITHUB_ACTIONS"):  # a developer's machine: "not checked" passes
        env.pop(runner_var, None)
    installed = tool(repo, env, "pre-commit", "install")  # default_install_hook_types: both
    assert installed.returncode == 0, installed.stdout + installed.stderr
    assert (repo / ".git/hooks/pre-push").is_file()
    no_key = {**env, "EDGESPARK_API_KEY": ""}
    relations = repo / "server/src/defs/db_relations.ts"  # relevant to the types gate
    relations.write_text(relations.read_text() + "// reviewed\n")
    subprocess.run(["git", "add", "-A"], cwd=repo, env=no_key, check=True)
    committed = subprocess.run(["git", "commit", "-m", "relations reviewed"], cwd=repo, env={
        **no_key, "GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "T", "GIT_COMMITTER_EMAIL": "t@example.com"},
        capture_output=True, text=True, timeout=180)
    assert committed.returncode == 0, committed.stdout + committed.stderr
    output = committed.stdout + committed.stderr
    assert "edgespark offline checks" in output and "edgespark deploy dry run" not in output
    # The types gate could not check (no key): verbose output starts with NOT CHECKED.
    gate = output.split("edgespark types check", 1)[1]
    first = next(li for li in gate.splitlines()[1:] if li.strip() and not li.startswith("-"))
    assert first.startswith("NOT CHECKED: no API key"), gate
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
    pushed = subprocess.run(["git", "push", str(remote), "HEAD:main"], cwd=repo, env=env,
                            capture_output=True, text=True, timeout=180)
    assert pushed.returncode == 0, pushed.stdout + pushed.stderr
    output = pushed.stdout + pushed.stderr
    assert "edgespark deploy dry run" in output and "Passed" in output
    assert "edgespark offline checks" not in output and "edgespark types check" not in output
