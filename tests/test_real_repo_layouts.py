"""Project shapes real repositories have: fresh templates with an empty schema, older
`[app.server]` scaffolds, duplicated journal entries, stale schema hashes, rewritten
migrations, generated files added by hand. Each trap sits next to the real bug."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from fresh_template import write_fresh_template

from edgespark_tasks.checks import run_checks
from edgespark_tasks.checks.db_schema import defines_tables
from edgespark_tasks.checks.findings import Finding, has_errors
from edgespark_tasks.project.model import load_project
from edgespark_tasks.project.settings import load_settings
from edgespark_tasks.testing.fakecli import FakeCli
from edgespark_tasks.testing.projects import commit_all, git, init_repo, make_project_repo

S = "server/"


def scan(root: Path, *checks: str, **kwargs: object) -> list[Finding]:
    settings = load_settings(root)
    names = list(checks) or None
    return run_checks(load_project(root, settings.paths), settings, names,  # type: ignore[arg-type]
                      **kwargs)


# ---- 2. empty schema --------------------------------------------------------------------

def test_fresh_template_passes_every_offline_check(tmp_path: Path) -> None:
    root = write_fresh_template(tmp_path / "fresh")
    init_repo(root)
    found = scan(root)
    assert not has_errors(found), [f.format() for f in found]


def test_first_table_without_a_migration_is_still_an_error(tmp_path: Path) -> None:
    root = write_fresh_template(tmp_path / "fresh")
    schema = root / S / "src/defs/db_schema.ts"
    schema.write_text(schema.read_text() + 'export const posts = sqliteTable("posts", {});\n')
    [finding] = scan(root, "schema-migrated")
    assert "no schema hash" in finding.message and finding.severity == "error"


@pytest.mark.parametrize(("text", "tables"), [
    ('import { sqliteTable } from "drizzle-orm/sqlite-core";\n// export const a = sqliteTable("a", {});', False),
    ('/* export const a = sqliteTable("a", {}) */\nconst s = "sqliteTable(";', False),
    ('export const a = sqliteTable("a", {});', True),
    ('export const a = pgTable("a", {});', True),
    ('export * from "./tables";', True),
    ('export { users } from "./users";', True),
])
def test_defines_tables(text: str, tables: bool) -> None:
    assert defines_tables(text) is tables


def test_plan_skips_db_generate_for_a_schema_without_tables(
        tmp_path: Path, fake_cli: FakeCli) -> None:
    from conftest import run_tool

    root = write_fresh_template(tmp_path / "fresh")
    (root / "edgespark.toml").write_text(
        (root / "edgespark.toml").read_text().replace("REPLACED_ON_INIT",
                                                      "5ba6c784-0498-4636-a51a-b3f35bc6927c"))
    init_repo(root)
    result = run_tool("edgespark-tasks", "plan", cwd=root, env=fake_cli.environ())
    line = next(line for line in result.stdout.splitlines() if "db generate" in line)
    assert "skip" in line and "schema defines no table" in line, result.stdout + result.stderr


# ---- 4. legacy scaffolds ----------------------------------------------------------------

LEGACY_TOML = ('project_id = "5ba6c784-0498-4636-a51a-b3f35bc6927c"\n\n[app.server]\n'
               'path = "api"\n\n[app.web]\npath = "client"\noutput_path = "client/dist"\n')


def test_legacy_layout_takes_paths_from_app_tables(tmp_path: Path) -> None:
    root = tmp_path / "legacy"
    (root / "api/src").mkdir(parents=True)
    (root / "edgespark.toml").write_text(LEGACY_TOML)
    (root / "api/src/index.ts").write_text('export default { fetch: () => new Response("ok") };\n')
    project = load_project(root)
    assert project.legacy and project.layout == "full-stack"
    assert project.server_dir == (root / "api").resolve()
    assert project.web_dir == (root / "client").resolve()
    assert project.web_output == (root / "client/dist").resolve()
    init_repo(root)
    assert scan(root, "runtime-keys") == []  # no runtime.ts and no key read: nothing to say
    (root / "api/src/keys.ts").write_text(
        'import { secret } from "edgespark";\nexport const k = secret.get("API_TOKEN");\n')
    [finding] = scan(root, "runtime-keys")
    assert finding.severity == "error" and "runtime.ts is missing" in finding.message


# ---- 7. migrations ----------------------------------------------------------------------

@pytest.fixture
def app(tmp_path: Path) -> Path:
    return make_project_repo(tmp_path / "app")


def _journal(root: Path) -> Path:
    return root / S / "drizzle/meta/_journal.json"


def test_duplicated_journal_entry_is_one_finding_with_a_safe_fix(app: Path) -> None:
    data = json.loads(_journal(app).read_text())
    data["entries"].insert(1, dict(data["entries"][0]))
    _journal(app).write_text(json.dumps(data, indent=2))
    found = scan(app, "migrations-journal")
    assert len(found) == 1, [f.format() for f in found]
    [finding] = found
    assert "duplicate entry" in finding.message and "0000_init_notes" in finding.message
    assert "remove the second copy" in finding.fix and "keep the .sql file" in finding.fix
    assert finding.line == 16  # the tag line of the second copy, not of the first (9)
    # The real bug next to it: an idx gap is still reported.
    data["entries"] = [data["entries"][0], {**data["entries"][2], "idx": 2}]
    _journal(app).write_text(json.dumps(data, indent=2))
    assert any("expected 1" in f.message for f in scan(app, "migrations-journal"))


def _add_migration(root: Path) -> None:
    (root / S / "drizzle/0002_pinned.sql").write_text("ALTER TABLE notes ADD pinned int;\n")
    (root / S / "drizzle/meta/0002_snapshot.json").write_text("{}\n")
    data = json.loads(_journal(root).read_text())
    data["entries"].append({"idx": 2, "version": "6", "when": 1763000000000,
                            "tag": "0002_pinned", "breakpoints": True})
    _journal(root).write_text(json.dumps(data, indent=2))


def test_stale_hash_is_told_apart_from_a_missing_migration(app: Path) -> None:
    schema = app / S / "src/defs/db_schema.ts"
    schema.write_text(schema.read_text().replace('"label"', '"name"'))
    _add_migration(app)  # .sql, snapshot and journal entry, but the hash left stale
    git(app, "add", "-A")
    [stale] = scan(app, "schema-migrated")
    assert "migration was added but _edgespark_schema_hash was not refreshed" in stale.message
    assert stale.path.endswith("_edgespark_schema_hash") and "db generate" in stale.fix
    commit_all(app, "migration with a stale hash")
    # Checked later as a whole (nothing staged): git history tells the same story.
    [stale] = scan(app, "schema-migrated", all_files=True)
    assert "was not refreshed" in stale.message
    schema.write_text(schema.read_text().replace('"title"', '"heading"'))
    git(app, "add", "-A")
    [missing] = scan(app, "schema-migrated")
    assert missing.message == "schema changed without a migration"
    assert missing.path.endswith("db_schema.ts")
    commit_all(app, "schema change without a migration")
    [missing] = scan(app, "schema-migrated", all_files=True)
    assert missing.message == "schema changed without a migration"


def test_rewritten_applied_migration_is_refused_unless_allowed_for_that_content(
        app: Path) -> None:
    git(app, "checkout", "-q", "-b", "feature")
    sql = app / S / "drizzle/0001_add_tags.sql"
    sql.write_text("SELECT 1;\n")  # the platform refused it: rewritten as a no-op
    git(app, "add", "-A")
    [finding] = scan(app, "migrations-journal")
    assert "edits a migration already on main" in finding.message
    digest = hashlib.sha256(sql.read_bytes()).hexdigest()
    assert f'"0001_add_tags.sql" = "{digest}"' in finding.fix
    assert "allow_rewritten_migrations" in finding.fix
    (app / "pyproject.toml").write_text(
        f'[tool.edgespark-tasks.allow_rewritten_migrations]\n"0001_add_tags.sql" = "{digest}"\n')
    assert scan(app, "migrations-journal") == []
    sql.write_text("SELECT 2;\n")  # a later edit is not the allowed rewrite
    git(app, "add", "-A")
    assert [f.path for f in scan(app, "migrations-journal")] == [S + "drizzle/0001_add_tags.sql"]


# ---- 8. generated-untouched -------------------------------------------------------------

def test_generated_file_added_with_checksums_passes_without_is_reported_as_added(
        app: Path) -> None:
    gen = app / S / "src/__generated__"
    (gen / "new_types.d.ts").write_text("export type X = 1;\n")
    git(app, "add", "-A")
    [finding] = scan(app, "generated-untouched")
    assert "added without a matching .checksums.json update" in finding.message
    assert "by hand" not in finding.message and "git rm --cached" in finding.fix
    (gen / ".checksums.json").write_text('{"server_types": "sha256-00"}\n')
    git(app, "add", "-A")
    assert scan(app, "generated-untouched") == []


def test_legacy_app_table_with_plain_paths(tmp_path: Path) -> None:
    root = tmp_path / "legacy"
    (root / "backend/src").mkdir(parents=True)
    (root / "edgespark.toml").write_text('[app]\nserver = "backend"\nweb = "frontend"\n')
    project = load_project(root)
    assert project.legacy and project.server_dir == (root / "backend").resolve()
    assert project.web_dir == (root / "frontend").resolve()


@pytest.mark.parametrize("links", [{"dangling.ts": "nowhere.ts"},
                                   {"l1.ts": "l2.ts", "l2.ts": "l1.ts"}])
def test_broken_links_under_server_src_are_one_line_errors(
        tmp_path: Path, links: dict[str, str]) -> None:
    from conftest import run_tool

    root = write_fresh_template(tmp_path / "fresh")
    for name, target in links.items():
        (root / S / "src" / name).symlink_to(target)
    for tool, args in (("edgespark-tasks", ["check"]), ("edgespark-tasks-hook", ["offline"])):
        result = run_tool(tool, *args, cwd=root, env={"PATH": "/usr/bin:/bin"})
        assert result.returncode == 10 and "Traceback" not in result.stderr, result.stderr
        assert "symlink" in result.stderr and "fix or remove the link" in result.stderr


def test_first_commit_may_hold_generated_files_without_checksums(tmp_path: Path) -> None:
    root = write_fresh_template(tmp_path / "fresh")
    (root / S / "src/__generated__").mkdir()
    (root / S / "src/__generated__/server-types.d.ts").write_text("export type Env = {};\n")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    assert scan(root, "generated-untouched") == []  # no commit yet: it came with the template
    git(root, "-c", "commit.gpgsign=false", "commit", "-q", "-m", "initial")
    (root / S / "src/__generated__/sys_schema.ts").write_text("export {};\n")
    git(root, "add", "-A")
    [finding] = scan(root, "generated-untouched")
    assert "added without a matching .checksums.json update" in finding.message
