"""Drop-in plugin: refuse remote-changing steps while the project has uncommitted changes.

A deploy should ship what is in git, so the team can tell what runs in production. List it
in `[tool.edgespark-tasks] plugins = ["hooks/require_committed.py"]` (or copy it). Set
`EDGESPARK_TASKS_ALLOW_DIRTY=1` to deploy from a dirty tree anyway.
"""

from __future__ import annotations

import os
import subprocess

from edgespark_tasks.engine.context import StepContext
from edgespark_tasks.engine.hookspecs import hookimpl
from edgespark_tasks.engine.steps import Step
from edgespark_tasks.errors import StepFailedError

# Files a step itself rewrites (generated types, migrations) or local state are not "changes".
_IGNORED = ("__generated__/", ".edgespark-tasks/", ".edgespark/")


def uncommitted(ctx: StepContext) -> list[str]:
    """Paths under the project with uncommitted changes (tracked or new), per `git status`."""
    result = subprocess.run(["git", "status", "--porcelain", "--", "."], cwd=ctx.project.root,
                            capture_output=True, text=True, check=False)
    paths = [line[3:] for line in result.stdout.splitlines() if line.strip()]
    return [p for p in paths if not any(part in p for part in _IGNORED)]


@hookimpl
def edgespark_before_step(ctx: StepContext, step: Step) -> None:
    """Stop before a remote-changing step when the tree is dirty."""
    if not step.remote or os.environ.get("EDGESPARK_TASKS_ALLOW_DIRTY") == "1":
        return
    dirty = uncommitted(ctx)
    if dirty:
        shown = ", ".join(dirty[:3]) + (f" and {len(dirty) - 3} more" if len(dirty) > 3 else "")
        raise StepFailedError(
            f"{step.id} changes remote state, but {shown} is not committed",
            "commit (or stash) first, or set EDGESPARK_TASKS_ALLOW_DIRTY=1")
