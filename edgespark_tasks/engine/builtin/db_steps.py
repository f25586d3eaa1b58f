"""Built-in database steps: generate (with review) and migrate (with safety checks)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from edgespark_tasks import errors
from edgespark_tasks.engine.context import StepContext, StepResult, has_terminal, is_ci
from edgespark_tasks.engine.hookspecs import hookimpl
from edgespark_tasks.project import gitfiles

# Statements that lose data. drizzle's SQLite table rebuilds also DROP the old table.
_DESTRUCTIVE = re.compile(
    r"\b(DROP\s+TABLE|DROP\s+COLUMN|ALTER\s+TABLE\s+\S+\s+DROP|DELETE\s+FROM|TRUNCATE)\b",
    re.IGNORECASE,
)
_NO_MIGRATION = "schema changed without a migration"
_NO_MIGRATION_FIX = "run `inv db.generate`, review the SQL and commit it"


@hookimpl
def edgespark_db_generate(ctx: StepContext) -> StepResult:
    if is_ci():
        raise errors.StepFailedError(_NO_MIGRATION, _NO_MIGRATION_FIX + " (CI never generates)")
    if not ctx.options.yes and not has_terminal():
        raise errors.StepFailedError(_NO_MIGRATION, _NO_MIGRATION_FIX + " (or pass --yes)")
    before = set(ctx.project.migrations())
    run = ctx.cli("db-generate")
    new = [p for p in ctx.project.migrations() if p not in before]
    for path in new:
        ctx.say(f"--- new migration {ctx.project.relative(path)} ---")
        ctx.say(path.read_text(errors="replace").rstrip())
    if not new:
        ctx.say("db generate wrote no new migration (the schema change needs none)")
    if new and not ctx.options.yes and not _confirm("Continue with this migration? [y/N] "):
        raise errors.StepFailedError(
            "stopped after db generate", "review and commit the new migration, then run again")
    return StepResult(output=run.output, data={"new_migrations": [p.name for p in new]})


def _confirm(question: str) -> bool:
    sys.stdout.write(question)
    sys.stdout.flush()
    try:
        answer = sys.stdin.readline()
    except (OSError, KeyboardInterrupt):
        return False
    return answer.strip().lower() in ("y", "yes")


def destructive_statements(paths: list[Path]) -> list[tuple[str, str]]:
    """(file name, statement keyword) for each data-losing statement in the given migrations."""
    found = []
    for path in paths:
        text = re.sub(r"--[^\n]*", "", path.read_text(errors="replace"))
        for match in _DESTRUCTIVE.finditer(text):
            found.append((path.name, " ".join(match.group(1).upper().split())))
    return found


@hookimpl
def edgespark_db_migrate(ctx: StepContext) -> StepResult:
    project = ctx.project
    branch = gitfiles.current_branch(project.root)
    target = project.migration_branch or gitfiles.default_branch(project.root)
    if branch and target and branch != target.removeprefix("origin/"):
        ctx.warn(f"on branch {branch!r}, not the migration branch {target!r}: "
                 "edgespark db migrate only applies migrations from the migration branch")
    applied = set((ctx.records.get("db-migrate") or {}).get("record", {}).get("migrations", []))
    pending = [p for p in project.migrations() if p.name not in applied]
    dangerous = destructive_statements(pending)
    if dangerous and not ctx.options.confirm_dangerous:
        name, what = dangerous[0]
        raise errors.StepFailedError(
            f"migration {name} is destructive ({what})",
            "review it; only a person should decide: re-run with --confirm-dangerous",
        )
    run = ctx.cli("db-migrate", ctx.options.dangerous_args)
    return StepResult(output=run.output, returncode=run.returncode,
                      record={"migrations": sorted(p.name for p in project.migrations())})
