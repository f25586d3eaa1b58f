"""Hints that name a command, phrased for the person reading them.

- In the front-end they use: an invoke user gets `inv secrets.set KEY`, a doit user
  `doit edgespark:db-generate`, anyone else `edgespark-tasks run STEP` (`RunOptions.frontend`).
- Never a CLI command the installed CLI lacks without saying so: `edgespark secret set` and
  `edgespark db generate` are documented but missing from the public 0.0.9 build. What the CLI
  has comes from the capability cache (no process is started for a hint).
"""

from __future__ import annotations

from collections.abc import Sequence

from edgespark_tasks import errors
from edgespark_tasks.engine.context import StepContext
from edgespark_tasks.runner import capabilities

# invoke task names of the catalogue's steps (see invoke.build_collection).
INVOKE_TASKS = {
    "db-generate": "db.generate", "db-migrate": "db.migrate", "db-check": "db.check",
    "storage-apply": "storage.apply", "vars-apply": "vars.apply", "secrets-set": "secrets.set",
    "secrets-check": "secrets.check", "auth-pull": "auth.pull", "auth-apply": "auth.apply",
    "pull": "pull", "pull-types": "pull.types", "types-check": "pull.types --check",
    "log-tail": "log.tail",
}
# Steps that are no doit task (a person's act, or long-running): doit users get the console.
NOT_DOIT_TASKS = ("secrets-set", "log-tail", "pull", "auth-pull")


def task(ctx: StepContext, step_id: str, names: Sequence[str] = ()) -> str:
    """The command that runs `step_id` in the front-end in use (with `names` for secret set)."""
    env = ctx.environment
    frontend = ctx.options.frontend
    if frontend == "inv":
        flag = f" --environment {env}" if env else ""
        args = f" {','.join(names)}" if names else ""
        return f"inv {INVOKE_TASKS.get(step_id, step_id)}{flag}{args}"
    if frontend == "doit" and step_id not in NOT_DOIT_TASKS:
        prefix = "doit -v 2" if step_id == "db-generate" else "doit"  # shows the SQL, asks
        return f"{prefix} edgespark:{step_id}" + (f" environment={env}" if env else "")
    flag = f" -e {env}" if env else ""
    return f"edgespark-tasks run {step_id}{flag}" + "".join(f" {n}" for n in names)


def cli(ctx: StepContext, *args: str) -> str:
    """`edgespark ARGS`, quoted, with a note when the installed CLI is known to lack it."""
    shown = f"`edgespark {' '.join(args)}`"
    try:
        info = capabilities.cached(ctx.runner.command, ctx.project.state_dir)
    except errors.CliNotFoundError:
        return shown
    if info is not None and info.known(args) is False:
        return (f"{shown} (not available in edgespark {info.version}: upgrade the CLI with "
                "`npm install -g @edgespark/cli@latest`)")
    return shown
