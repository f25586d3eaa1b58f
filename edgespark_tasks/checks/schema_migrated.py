"""`schema-migrated`: db_schema.ts was not edited after the last `edgespark db generate`.

`db generate` writes the SHA-256 of db_schema.ts into `drizzle/meta/_edgespark_schema_hash`;
a different hash means the schema changed and no migration was generated for it.
"""

from __future__ import annotations

import re
from pathlib import Path

from edgespark_tasks.checks import Check, CheckContext
from edgespark_tasks.checks.findings import Finding
from edgespark_tasks.project import gitfiles
from edgespark_tasks.project.model import Project

ID = "schema-migrated"
_HEX64 = re.compile(r"[0-9a-f]{64}")
GENERATE = "run `edgespark db generate`, review the SQL, and commit it with the schema"


def check(ctx: CheckContext) -> list[Finding]:
    """Compare sha256(db_schema.ts) with the recorded schema hash."""
    project = ctx.project
    schema, hash_file = project.db_schema, project.schema_hash_file
    if not schema.is_file():
        if hash_file.is_file():
            return [Finding(ID, "error", ctx.rel(schema), None,
                            "db_schema.ts is missing but migrations were generated from it",
                            "restore src/defs/db_schema.ts (`git checkout -- <path>`)")]
        return []  # a project without a database
    if not hash_file.is_file():
        from edgespark_tasks.checks.db_schema import has_nothing_to_migrate

        if has_nothing_to_migrate(schema, project.migrations()):
            return []  # a fresh template: comments, imports and commented-out examples only
        return [Finding(ID, "error", ctx.rel(hash_file), None,
                        "no schema hash: db_schema.ts was never turned into a migration",
                        GENERATE)]
    recorded = hash_file.read_text(encoding="utf-8", errors="replace").strip().lower()
    if not _HEX64.fullmatch(recorded):
        return [Finding(ID, "error", ctx.rel(hash_file), 1,
                        "the schema hash is not 64 hex characters (hand-edited?)", GENERATE)]
    import hashlib  # loads OpenSSL: only when there is a hash to compare

    content = schema.read_bytes()
    # A Windows checkout with autocrlf has CRLF bytes; the hash was taken of the LF file.
    digests = {hashlib.sha256(content).hexdigest(),
               hashlib.sha256(content.replace(b"\r\n", b"\n")).hexdigest()}
    if recorded in digests:
        return []
    if _migration_added_without_hash(ctx):
        return [Finding(ID, "error", ctx.rel(hash_file), 1,
                        "a migration was added but _edgespark_schema_hash was not refreshed",
                        "`edgespark db generate` rewrites the hash (and writes no new migration "
                        "when the schema already matches the latest snapshot); commit the hash "
                        "file with the migration")]
    return [Finding(ID, "error", ctx.rel(schema), None,
                    "schema changed without a migration", GENERATE)]


def _migration_added_without_hash(ctx: CheckContext) -> bool:
    """A migration came with (or after) the last schema change, but the hash did not: the
    change set adds a `.sql` and leaves the hash alone, or, when the schema is not being
    changed now, git history shows a migration added since its last commit."""
    project = ctx.project

    def migration(path: Path) -> bool:
        return path.parent == project.drizzle_dir and path.suffix == ".sql"

    changes = ctx.changes
    if any(status == "A" and migration(path) for status, path in changes):
        return all(path != project.schema_hash_file for _, path in changes)
    if any(path == project.db_schema for _, path in changes):
        return False  # the schema is being edited now, with no migration in the change
    added = gitfiles.added_since_last_change(project.root, project.db_schema,
                                             project.drizzle_dir)
    return any(migration(path) for path in added)


def relevant(project: Project, path: Path) -> bool:
    """db_schema.ts, the hash file, and migrations (one added with a stale hash)."""
    return path in (project.db_schema, project.schema_hash_file) or (
        path.parent == project.drizzle_dir and path.suffix == ".sql")


CHECK = Check(ID, check, relevant, "db_schema.ts matches the hash of the last `db generate`")
