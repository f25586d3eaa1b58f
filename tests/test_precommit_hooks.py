"""The hooks through the real `pre-commit` executable, in temporary git repositories.

`.pre-commit-config.yaml` points at a snapshot of this working tree (committed in a temporary
repository, so `rev` is a real commit) and every test shares one `PRE_COMMIT_HOME`: the hook
environment is built once per session. `pre-commit try-repo` (a fresh environment per call)
is used once, as a smoke test.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from fresh_template import write_fresh_template

from edgespark_tasks.testing.projects import git, make_project_repo, rehash_schema

HERE = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PRE_COMMIT = shutil.which("pre-commit", path=str(BIN)) or shutil.which("pre-commit")
HOOK_IDS = [hook["id"] for hook in yaml.safe_load((HERE / ".pre-commit-hooks.yaml").read_text())]
OFFLINE = [h for h in HOOK_IDS if h not in
           ("edgespark-db-check", "edgespark-types-check", "edgespark-deploy-dry-run")]
S = "server/"

pytestmark = pytest.mark.skipif(PRE_COMMIT is None, reason="pre-commit is not installed")


@pytest.fixture(scope="session")
def hooks_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """A committed snapshot of this repository's tracked and untracked-not-ignored files."""
    dest = tmp_path_factory.mktemp("hooks-repo")
    listed = git(HERE, "ls-files", "--cached", "--others", "--exclude-standard", "-z")
    for rel in filter(None, listed.split("\0")):
        source = HERE / rel
        if source.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / rel)
    git(dest, "init", "-q", "-b", "main")
    git(dest, "add", "-A")
    git(dest, "-c", "commit.gpgsign=false", "commit", "-q", "-m", "snapshot")
    return str(dest), git(dest, "rev-parse", "HEAD").strip()


@pytest.fixture(scope="session")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """One PRE_COMMIT_HOME for the session, so the hook environment installs once."""
    base = {k: v for k, v in os.environ.items()
            if not k.startswith(("PRE_COMMIT", "GIT_", "EDGESPARK"))}
    return {**base, "PRE_COMMIT_HOME": str(tmp_path_factory.mktemp("pre-commit-home")),
            "PATH": f"{BIN}{os.pathsep}{base.get('PATH', '')}",
            "GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.com",
            "GIT_COMMITTER_NAME": "T", "GIT_COMMITTER_EMAIL": "t@example.com"}


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> tuple[int, str]:
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    return result.returncode, result.stdout + result.stderr


@pytest.fixture
def project(tmp_path: Path, hooks_repo: tuple[str, str],
            env: dict[str, str]) -> Callable[[list[str]], Path]:
    def make(hook_ids: list[str]) -> Path:
        root = make_project_repo(tmp_path / "app")
        config = {"repos": [{"repo": hooks_repo[0], "rev": hooks_repo[1],
                             "hooks": [{"id": hook} for hook in hook_ids]}]}
        (root / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config))
        assert _run([str(PRE_COMMIT), "install"], root, env)[0] == 0
        return root
    return make


def commit(root: Path, env: dict[str, str]) -> tuple[int, str]:
    git(root, "add", "-A")
    return _run(["git", "commit", "-m", "change"], root, env)


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    assert old in path.read_text()
    path.write_text(path.read_text().replace(old, new, 1))


def _new_migration(root: Path) -> None:
    import json

    (root / S / "drizzle/0002_pinned.sql").write_text("ALTER TABLE notes ADD pinned int;\n")
    (root / S / "drizzle/meta/0002_snapshot.json").write_text("{}\n")
    journal = root / S / "drizzle/meta/_journal.json"
    data = json.loads(journal.read_text())
    data["entries"].append({"idx": 2, "version": "6", "when": 1763000000000,
                            "tag": "0002_pinned", "breakpoints": True})
    journal.write_text(json.dumps(data, indent=2))


def _add_env_file(root: Path) -> None:
    (root / ".env").write_text("OPENAI_API_KEY=x\n")
    git(root, "add", "-f", ".env")


Change = Callable[[Path], None]
# hook id -> (a change that passes, a change that fails, file named, fix named)
CASES: dict[str, tuple[Change, Change, str, str]] = {
    "edgespark-schema-migrated": (
        lambda r: (edit(r, S + "src/defs/db_schema.ts", '"label"', '"name"'), rehash_schema(r)),
        lambda r: edit(r, S + "src/defs/db_schema.ts", '"title"', '"heading"'),
        "server/src/defs/db_schema.ts", "edgespark db generate"),
    "edgespark-migrations-journal": (
        _new_migration,
        lambda r: (r / S / "drizzle/0001_add_tags.sql").unlink(),  # a deletion-only commit
        "server/drizzle/0001_add_tags.sql", "git checkout"),
    "edgespark-runtime-keys": (
        lambda r: edit(r, S + "src/index.ts", "ok: true", 'ok: vars.get("GOOGLE_CLIENT_ID")'),
        lambda r: edit(r, S + "src/index.ts", 'vars.get("PUBLIC_APP_NAME")',
                       'secret.get("NOPE" as any)'),
        "server/src/index.ts:7", '| "NOPE"` to SecretKey in runtime.ts'),
    "edgespark-generated-untouched": (
        lambda r: (edit(r, S + "src/__generated__/server-types.d.ts", "label", "labels"),
                   edit(r, S + "src/__generated__/.checksums.json", "3f1d", "0000")),
        lambda r: (r / S / "src/__generated__/sys_schema.ts").unlink(),
        "server/src/__generated__/sys_schema.ts", "edgespark pull"),
    "edgespark-auth-config": (
        lambda r: edit(r, "configs/auth-config.yaml", "minPasswordLength: 10",
                       "minPasswordLength: 12"),
        lambda r: edit(r, "configs/auth-config.yaml", "providerGithub:\n  enabled: false",
                       "providerGithub:\n  enabled: true"),
        "configs/auth-config.yaml:21", "clientIdVarRef: GITHUB_CLIENT_ID"),
    "edgespark-offline": (  # every offline check in one process
        lambda r: (edit(r, S + "src/index.ts", "ok: true", 'ok: vars.get("GOOGLE_CLIENT_ID")'),
                   edit(r, S + "src/defs/db_schema.ts", '"label"', '"name"'), rehash_schema(r)),
        lambda r: (edit(r, S + "src/index.ts", 'vars.get("PUBLIC_APP_NAME")', 'hasVar("MISSING")'),
                   edit(r, S + "src/index.ts", 'from "hono";', 'from "hono"; import { hasVar } '
                        'from "./lib";'),
                   (r / S / "src/lib.ts").write_text(
                       'import { vars } from "edgespark";\n'
                       "export const hasVar = (k: string) => Boolean(vars.get(k as any));\n")),
        "server/src/index.ts:7", '| "MISSING"` to VarKey in runtime.ts'),
    "edgespark-no-secret-files": (
        lambda r: edit(r, "configs/vars.yaml", "Notes", "My Notes"),
        _add_env_file,
        ".env:", "git rm --cached .env"),
}


def test_every_offline_hook_has_a_case() -> None:
    assert sorted(CASES) == sorted(OFFLINE)


@pytest.mark.parametrize("hook_id", sorted(CASES))
def test_hook_passes_then_fails_naming_file_and_fix(
        hook_id: str, project: Callable[[list[str]], Path], env: dict[str, str]) -> None:
    good, bad, file_named, fix_named = CASES[hook_id]
    root = project([hook_id])
    good(root)
    code, out = commit(root, env)
    assert code == 0 and "Passed" in out, out
    bad(root)
    code, out = commit(root, env)
    assert code == 1, out
    assert "Failed" in out and file_named in out and fix_named in out, out


def test_unrelated_commit_passes_every_offline_hook(
        project: Callable[[list[str]], Path], env: dict[str, str]) -> None:
    root = project(OFFLINE)
    (root / "NOTES.md").write_text("unrelated\n")
    code, out = commit(root, env)
    assert code == 0 and "Failed" not in out, out
    # always_run hooks run (to notice deletions) and pass; the others are skipped.
    assert out.count("Passed") == len(OFFLINE) - 1, out
    assert "no secret files" in out.split("Skipped")[0].splitlines()[-1], out


def test_first_commit_of_a_fresh_template_passes_every_offline_hook(
        tmp_path: Path, hooks_repo: tuple[str, str], env: dict[str, str]) -> None:
    root = write_fresh_template(tmp_path / "fresh")
    git(root, "init", "-q", "-b", "main")
    config = {"repos": [{"repo": hooks_repo[0], "rev": hooks_repo[1],
                         "hooks": [{"id": hook} for hook in OFFLINE]}]}
    (root / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config))
    assert _run([str(PRE_COMMIT), "install"], root, env)[0] == 0
    code, out = commit(root, env)
    assert code == 0 and "Failed" not in out, out
    # The real bug next to it: the first table, committed without `db generate`.
    edit(root, S + "src/defs/db_schema.ts", "// Example:\n",
         'export const posts = sqliteTable("posts", { id: integer("id") });\n')
    code, out = commit(root, env)
    assert code == 1 and "no schema hash" in out and "edgespark db generate" in out, out


def test_init_template_offers_the_single_process_hook_first() -> None:
    hooks = yaml.safe_load((HERE / "templates/pre-commit-config.yaml").read_text())[0]["hooks"]
    assert hooks[0]["id"] == "edgespark-offline"
    assert hooks[0]["entry"] == "edgespark-tasks-hook offline --staged"
    offline_ids = {h for h in OFFLINE if h != "edgespark-offline"}
    assert not offline_ids & {h["id"] for h in hooks}  # one process, not six


def test_try_repo_smoke(tmp_path: Path, hooks_repo: tuple[str, str],
                        env: dict[str, str]) -> None:
    root = make_project_repo(tmp_path / "app")
    edit(root, S + "src/defs/db_schema.ts", '"label"', '"name"')
    code, out = _run([str(PRE_COMMIT), "try-repo", hooks_repo[0], "edgespark-schema-migrated",
                      "--ref", hooks_repo[1], "--all-files"], root, env)
    assert code == 1, out
    assert "schema changed without a migration" in out and "db_schema.ts" in out


def test_every_hook_id_is_documented() -> None:
    readme = (HERE / "README.md").read_text()
    if "## pre-commit hooks" not in readme:  # until docs/precommit-section.md is merged
        readme = (HERE / "docs/precommit-section.md").read_text()
    missing = [hook for hook in HOOK_IDS if f"`{hook}`" not in readme]
    assert not missing, f"hook ids missing from the README: {missing}"


def test_hook_entries_match_the_hook_command() -> None:
    for hook in yaml.safe_load((HERE / ".pre-commit-hooks.yaml").read_text()):
        check_id = hook["id"].removeprefix("edgespark-")
        assert hook["entry"].split()[:2] == ["edgespark-tasks-hook", check_id], hook["id"]
        assert hook["language"] == "python" and hook["require_serial"] is True
        expected_stage = ["pre-push"] if check_id == "deploy-dry-run" else ["pre-commit"]
        assert hook["stages"] == expected_stage, hook["id"]


def test_schema_hook_notices_a_migration_committed_with_a_stale_hash(
        project: Callable[[list[str]], Path], env: dict[str, str]) -> None:
    root = project(["edgespark-schema-migrated"])
    edit(root, S + "src/defs/db_schema.ts", '"label"', '"name"')
    git(root, "add", "-A")
    git(root, "-c", "commit.gpgsign=false", "commit", "-q", "--no-verify", "-m", "schema only")
    _new_migration(root)  # the migration arrives later, without the refreshed hash
    code, out = commit(root, env)
    assert code == 1 and "_edgespark_schema_hash was not refreshed" in out, out
