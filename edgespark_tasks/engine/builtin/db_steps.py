"""Built-in database steps: generate (with review) and migrate (with safety checks)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from edgespark_tasks import errors
from edgespark_tasks.engine import hints
from edgespark_tasks.engine.context import StepContext, StepResult, has_terminal, is_ci
from edgespark_tasks.engine.hookspecs import hookimpl
from edgespark_tasks.project import files, gitfiles

if TYPE_CHECKING:
    from edgespark_tasks.checks.sql_safety import Danger

_NO_MIGRATION = "schema changed without a migration"


def _no_migration_fix(ctx: StepContext) -> str:
    return f"run `{hints.task(ctx, 'db-generate')}`, review the SQL and commit it"


@hookimpl
def edgespark_db_generate(ctx: StepContext) -> StepResult:
    if is_ci():
        raise errors.StepFailedError(_NO_MIGRATION,
                                     _no_migration_fix(ctx) + " (CI never generates)")
    if not ctx.options.yes and not has_terminal():
        raise errors.StepFailedError(_NO_MIGRATION, _no_migration_fix(ctx) + (
            "" if ctx.options.frontend == "doit" else " (or pass --yes)"))
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


def destructive_statements(paths: list[Path]) -> list[tuple[str, Danger]]:
    """(file name, danger) for each statement of the given migrations that needs
    `--confirm-dangerous` (see checks.sql_safety for what counts)."""
    # Imported here: sqlparse is needed only when migrations are about to be applied, not
    # by every run that loads the built-in steps (a no-op `inv deploy`).
    from edgespark_tasks.checks import sql_safety

    return [(path.name, danger) for path in paths
            for danger in sql_safety.dangers(files.read_text(path))]


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
        name, danger = dangerous[0]
        more = f" and {len(dangerous) - 1} more statement(s)" if len(dangerous) > 1 else ""
        raise errors.StepFailedError(
            f"migration {name} is destructive ({danger.what}): {danger.statement}{more}",
            "review it; only a person should decide: re-run with --confirm-dangerous",
        )
    run = ctx.cli("db-migrate", ctx.options.dangerous_args)
    return StepResult(output=run.output, returncode=run.returncode,
                      record={"migrations": sorted(p.name for p in project.migrations())})
