"""Offline checks, called directly and through `precommit.main`, on real temporary git repos."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from edgespark_tasks import precommit
from edgespark_tasks.checks import CHECKS, UnknownCheckError, run_checks
from edgespark_tasks.checks.findings import Finding
from edgespark_tasks.project.model import load_project
from edgespark_tasks.project.settings import load_settings
from edgespark_tasks.testing.projects import (
    commit_all,
    git,
    init_repo,
    make_project_repo,
    rehash_schema,
    write_project,
)

S = "server/"


def run(root: Path, check: str, **kwargs: object) -> list[Finding]:
    settings = load_settings(root)
    project = load_project(root, settings.paths)
    return run_checks(project, settings, [check], **kwargs)  # type: ignore[arg-type]


def errors(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == "error"]


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text()
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1))


@pytest.fixture
def app(tmp_path: Path) -> Path:
    return make_project_repo(tmp_path / "app")


@pytest.mark.parametrize("layout", ["full-stack", "server-only"])
def test_example_project_is_clean(tmp_path: Path, layout: str) -> None:
    root = make_project_repo(tmp_path / "app", layout)
    for check in CHECKS:
        assert run(root, check, all_files=True) == [], check
        assert run(root, check) == [], check


def test_unknown_check_is_a_typed_error(app: Path) -> None:
    with pytest.raises(UnknownCheckError, match="nope") as info:
        run(app, "nope")
    assert "schema-migrated" in info.value.hint


def test_schema_changed_without_migration(app: Path) -> None:
    edit(app, S + "src/defs/db_schema.ts", '"label"', '"name"')
    [finding] = run(app, "schema-migrated")
    assert finding.path == "server/src/defs/db_schema.ts"
    assert "edgespark db generate" in finding.fix
    rehash_schema(app)
    assert run(app, "schema-migrated") == []
    schema = app / S / "src/defs/db_schema.ts"
    schema.write_bytes(schema.read_bytes().replace(b"\n", b"\r\n"))  # autocrlf checkout
    assert run(app, "schema-migrated") == []
    (app / S / "drizzle/meta/_edgespark_schema_hash").write_text("not-a-hash\n")
    assert "64 hex" in run(app, "schema-migrated")[0].message


def _journal(app: Path) -> tuple[Path, dict]:  # type: ignore[type-arg]
    path = app / S / "drizzle/meta/_journal.json"
    return path, json.loads(path.read_text())


def test_journal_consistency(app: Path) -> None:
    path, data = _journal(app)
    data["entries"][1]["idx"] = 2
    data["entries"][1]["when"] = 1
    path.write_text(json.dumps(data, indent=2))
    (app / S / "drizzle/0002_by_hand.sql").write_text("ALTER TABLE notes ADD pinned int;\n")
    found = run(app, "migrations-journal", all_files=True)
    messages = " | ".join(f.message for f in found)
    assert "idx 2, expected 1" in messages
    assert "does not start with its idx" in messages
    assert "goes backwards" in messages
    orphan = [f for f in found if f.path == "server/drizzle/0002_by_hand.sql"]
    assert orphan and orphan[0].severity == "error"
    assert all(f.line for f in found if f.path.endswith("_journal.json"))


def test_hand_written_migration_without_snapshot_is_a_warning(app: Path) -> None:
    (app / S / "drizzle/meta/0001_snapshot.json").unlink()
    [finding] = run(app, "migrations-journal", all_files=True)
    assert finding.severity == "warning"
    assert "snapshot" in finding.message and "db generate" in finding.message


def test_edited_or_deleted_applied_migration(app: Path) -> None:
    git(app, "checkout", "-q", "-b", "feature")
    edit(app, S + "drizzle/0000_init_notes.sql", "notes", "notes2")
    (app / S / "drizzle/0001_add_tags.sql").unlink()
    git(app, "add", "-A")
    found = errors(run(app, "migrations-journal"))
    by_path = {f.path: f for f in found}
    assert "edits a migration already on main" in by_path["server/drizzle/0000_init_notes.sql"].message
    assert "deletes" in by_path["server/drizzle/0001_add_tags.sql"].message
    assert "git checkout" in by_path["server/drizzle/0000_init_notes.sql"].fix


def test_new_migration_on_main_is_not_a_deletion_on_a_feature_branch(app: Path) -> None:
    git(app, "checkout", "-q", "-b", "feature")
    git(app, "checkout", "-q", "main")
    (app / S / "drizzle/0002_x.sql").write_text("SELECT 1;\n")
    path, data = _journal(app)
    data["entries"].append({"idx": 2, "version": "6", "when": 1763000000000, "tag": "0002_x",
                            "breakpoints": True})
    path.write_text(json.dumps(data))
    (app / S / "drizzle/meta/0002_snapshot.json").write_text("{}")
    commit_all(app, "migration on main")
    git(app, "checkout", "-q", "feature")
    assert run(app, "migrations-journal") == []


def test_runtime_keys(app: Path) -> None:
    code = '''import { vars, secret } from "edgespark";
export const a = () => secret.get("NOT_DECLARED" as any);
export const b = () => vars.get("OPENAI_API_KEY");
export const c = (k: string) => vars.get(k as never);
export const d = (q: Record<string, string>) => vars.get(q.name as never);
'''
    (app / S / "src/extra.ts").write_text(code)
    (app / S / "src/__generated__/extra.ts").write_text('secret.get("GENERATED_ONLY")')
    found = run(app, "runtime-keys")
    errs = errors(found)
    assert [(f.path, f.line) for f in errs] == [("server/src/extra.ts", 2),
                                                 ("server/src/extra.ts", 3)]
    assert "runtime.ts does not declare" in errs[0].message
    assert 'secret.get("OPENAI_API_KEY")' in errs[1].fix
    notes = [f for f in found if f.severity == "note"]
    assert len(notes) == 1 and "not checkable" in notes[0].message


def test_unused_keys_warn_and_auth_refs_count(app: Path) -> None:
    edit(app, S + "src/index.ts", 'secret.get("OPENAI_API_KEY")', "null")
    found = run(app, "runtime-keys")
    assert [(f.severity, f.line) for f in found] == [("warning", 11)]
    assert "OPENAI_API_KEY" in found[0].message
    edit(app, "configs/auth-config.yaml", "clientSecretRef: GOOGLE_CLIENT_SECRET",
         "clientSecretRef: GOOGLE_CLIENT_ID")
    errs = errors(run(app, "runtime-keys"))
    assert errs and errs[0].path == "configs/auth-config.yaml" and errs[0].line == 18


def test_wrappers_from_pyproject(app: Path) -> None:
    (app / "pyproject.toml").write_text(
        '[tool.edgespark-tasks]\nruntime_key_wrappers = {optionalSecret = "secret"}\n')
    (app / S / "src/w.ts").write_text('export const x = optionalSecret("MISSING_SECRET");\n')
    [finding] = errors(run(app, "runtime-keys"))
    assert "MISSING_SECRET" in finding.message and "edgespark secret set" in finding.fix


def test_unreadable_runtime_ts_is_one_finding(app: Path) -> None:
    (app / S / "src/defs/runtime.ts").write_text("export type VarKey = string;\n")
    [finding] = run(app, "runtime-keys")
    assert finding.severity == "error" and finding.line == 1


def test_generated_untouched(app: Path) -> None:
    gen = app / S / "src/__generated__"
    edit(app, S + "src/__generated__/server-types.d.ts", "label", "labels")
    (gen / "sys_schema.ts").unlink()
    git(app, "add", "-A")
    found = run(app, "generated-untouched")
    assert {f.path for f in found} == {"server/src/__generated__/server-types.d.ts",
                                       "server/src/__generated__/sys_schema.ts"}
    assert all("edgespark pull" in f.fix for f in found)
    (gen / ".checksums.json").write_text('{"server_types": "sha256-00"}')
    git(app, "add", "-A")
    assert run(app, "generated-untouched") == []


def test_auth_config_errors_have_lines(app: Path) -> None:
    edit(app, "configs/auth-config.yaml", "  expiresIn: 604800", "  expiresIn: soon")
    edit(app, "configs/auth-config.yaml", "disableSignUp: false", "disableSignup: false")
    edit(app, "configs/auth-config.yaml", "providerGithub:\n  enabled: false",
         "providerGithub:\n  enabled: true")
    found = run(app, "auth-config")
    lines = {f.line: f for f in found}
    assert "did you mean disableSignUp" in lines[2].fix
    assert "session.expiresIn must be a whole number" in lines[4].message
    at_21 = " | ".join(f.message for f in found if f.line == 21)
    assert "clientIdVarRef must be GITHUB_CLIENT_ID" in at_21
    assert "clientSecretRef must be GITHUB_CLIENT_SECRET" in at_21
    (app / "configs/auth-config.yaml").write_text("a: [1, 2\n")
    [finding] = run(app, "auth-config")
    assert finding.message.startswith("not valid YAML") and finding.line is not None


def test_auth_config_path_from_settings(app: Path) -> None:
    git(app, "mv", "configs/auth-config.yaml", "server/auth.yaml")
    (app / "pyproject.toml").write_text(
        '[tool.edgespark-tasks.paths]\nauth_config = "server/auth.yaml"\n')
    assert run(app, "auth-config") == []
    (app / "server/auth.yaml").write_text("providerGoogle: {enabled: true, config: {}}\n")
    assert {f.path for f in run(app, "auth-config")} == {"server/auth.yaml"}


def test_no_secret_files(app: Path) -> None:
    (app / ".env").write_text("TOKEN=1\n")
    (app / ".edgespark/tmp").mkdir(parents=True)
    (app / ".edgespark/tmp/x.json").write_text("{}")
    git(app, "add", "-f", ".env", ".edgespark/tmp/x.json")
    edit(app, ".gitignore", ".env.local\n", "")
    (app / "web/.env.local").write_text("X=1\n")  # not ignored, not staged: a warning
    (app / "web/.env.example").write_text("X=1\n")  # a template: nothing to say
    found = run(app, "no-secret-files")
    assert {(f.path, f.severity) for f in found} == {
        (".env", "error"), (".edgespark/tmp/x.json", "error"), ("web/.env.local", "warning")}
    assert any("git rm --cached .env`" in f.fix for f in found)


def test_credential_literals(app: Path) -> None:
    edit(app, "edgespark.toml", 'name = "notes-app"', 'name = "notes-app"\napi_key = "abc123def"')
    edit(app, "configs/vars.yaml", "PUBLIC_APP_NAME: Notes", "STRIPE_SECRET: sk_live_abcdefghijkl")
    (app / S / "src/jwt.ts").write_text(
        'import { jwt, sign } from "hono/jwt";\n'
        'export const mw = jwt({ secret: "it-is-very-secret" });\n'
        'export const t = (p: object) => sign(p, "another-literal");\n'
        'export const ok = { secret: secret.get("JWT_SECRET"), error: "invalid password" };\n')
    found = run(app, "no-secret-files")
    assert {(f.path, f.line) for f in found} == {
        ("edgespark.toml", 4), ("configs/vars.yaml", 2), ("server/src/jwt.ts", 2),
        ("server/src/jwt.ts", 3)}
    assert all(f.severity == "error" and "secret set" in f.fix for f in found)


# ---- precommit.main ------------------------------------------------------------------


def test_main_exit_codes(app: Path, monkeypatch: pytest.MonkeyPatch,
                         capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(app)
    assert precommit.main(["schema-migrated"]) == 0
    edit(app, S + "src/index.ts", 'secret.get("OPENAI_API_KEY")', "null")
    assert precommit.main(["runtime-keys"]) == 0  # a warning only
    assert "warning: SecretKey OPENAI_API_KEY" in capsys.readouterr().out
    edit(app, S + "src/defs/db_schema.ts", '"label"', '"name"')
    assert precommit.main(["schema-migrated", S + "src/defs/db_schema.ts"]) == 1
    out = capsys.readouterr().out
    assert "server/src/defs/db_schema.ts: error: schema changed" in out and "fix:" in out
    (app / "edgespark.toml").write_text("project_id = [")
    assert precommit.main(["schema-migrated"]) == 10
    assert "not valid TOML" in capsys.readouterr().err
    monkeypatch.chdir(app.parent)
    assert precommit.main(["auth-config"]) == 10
    assert precommit.main(["db-check"]) == 10  # no project here: bad input


def test_main_staged_sees_deletions(app: Path, monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(app)
    git(app, "rm", "-q", "server/drizzle/0001_add_tags.sql")
    # pre-commit passes no file for a deletion-only commit: the hook finds it itself.
    assert precommit.main(["migrations-journal", "--staged"]) == 1
    assert "server/drizzle/0001_add_tags.sql" in capsys.readouterr().out
    assert precommit.main(["auth-config", "--staged"]) == 0  # nothing relevant: no run


def test_main_monorepo_groups_files_by_project(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    repo = tmp_path / "mono"
    write_project(repo / "apps/a")
    write_project(repo / "apps/b")
    (repo / "README.md").write_text("monorepo\n")
    init_repo(repo)
    monkeypatch.chdir(repo)
    edit(repo, "apps/b/server/src/defs/db_schema.ts", '"label"', '"name"')
    assert precommit.main(["schema-migrated", "--staged", "README.md",
                           "apps/a/server/src/defs/db_schema.ts"]) == 0
    assert precommit.main(["schema-migrated", "--staged",
                           "apps/b/server/src/defs/db_schema.ts"]) == 1
    assert "apps/b/server/src/defs/db_schema.ts: error" in capsys.readouterr().out
    assert precommit.main(["schema-migrated", "--project", "apps/a",
                           "apps/b/server/src/defs/db_schema.ts"]) == 0


def test_offline_hooks_import_no_network_or_task_runner(app: Path) -> None:
    code = ("import sys; from edgespark_tasks import precommit; "
            f"codes = [precommit.main([c]) for c in {list(CHECKS)!r}]; "
            "bad = [m for m in ('httpx', 'invoke', 'doit', 'pluggy') if m in sys.modules]; "
            "print(codes, bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=app).stdout
    assert out.strip() == f"{[0] * len(CHECKS)} []"


def test_default_branch_fallbacks(app: Path) -> None:
    from edgespark_tasks.project import gitfiles

    assert gitfiles.default_branch(app, "main") == "main"
    assert gitfiles.default_branch(app, "release") is None  # configured but absent
    git(app, "branch", "-m", "main", "trunk")
    git(app, "config", "init.defaultBranch", "trunk")
    assert gitfiles.default_branch(app, None) == "trunk"
    git(app, "update-ref", "refs/remotes/origin/stable", "HEAD")
    git(app, "symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/stable")
    assert gitfiles.default_branch(app, None) == "origin/stable"
