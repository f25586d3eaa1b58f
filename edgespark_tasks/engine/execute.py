"""Running one step: its implementation, its success record, and the guard before it.

`execute` is what the pipeline runs for each step; `execute_guarded` is the same behind the
preflight and with unforeseen errors typed, for a step run on its own (a task run by name,
a doit action).
"""

from __future__ import annotations

from edgespark_tasks import errors
from edgespark_tasks.engine import finish, progress
from edgespark_tasks.engine.context import StepContext, StepResult
from edgespark_tasks.engine.plan import Planner
from edgespark_tasks.engine.preflight import run_preflight
from edgespark_tasks.engine.steps import Step


def execute(ctx: StepContext, step: Step) -> StepResult:
    """Run one step through its hook (or action/argv), then record it as done on success."""
    planner = Planner(ctx.project, ctx.settings, ctx.environment, ctx.records, ctx.options)
    inputs = planner.inputs(step)  # as they were when the step started
    ctx.pm.hook.edgespark_before_step(ctx=ctx, step=step)
    try:
        with progress.watching(ctx.out, step.title):
            result = _dispatch(ctx, step)
    except BaseException as exc:
        ctx.pm.hook.edgespark_after_step(ctx=ctx, step=step, result=None, error=exc)
        raise
    ctx.records.record(step.id, inputs, result.record)
    ctx.results[step.id] = result
    ctx.pm.hook.edgespark_after_step(ctx=ctx, step=step, result=result, error=None)
    return result


def _dispatch(ctx: StepContext, step: Step) -> StepResult:
    result: StepResult | None
    if step.builtin:
        result = getattr(ctx.pm.hook, step.hook_name)(ctx=ctx)
    elif step.action is not None:
        result = step.action(ctx)
    else:
        result = ctx.pm.hook.edgespark_run_step(ctx=ctx, step=step)
    if result is None and step.argv:
        run = ctx.cli(step)
        result = StepResult(output=run.output, returncode=run.returncode)
    if result is None:
        raise errors.PluginError(f"step {step.id!r} has no implementation",
                                 "a plugin must implement it, or it must have an argv")
    return result


def execute_guarded(ctx: StepContext, step: Step) -> StepResult:
    """`execute`, behind the same preflight the pipeline runs when the step changes remote
    state: one policy for every front-end (`inv db.migrate`, `run STEP`, doit actions).
    An error nobody foresaw becomes a typed one (one line at the edge, exit 70)."""
    ctx.records.check_writable()
    # A browser hand-off (secret set) is a person's act, not a change derived from the code.
    if step.remote and not step.interactive and ctx.options.preflight:
        run_preflight(ctx)
    try:
        return execute(ctx, step)
    except Exception as exc:
        if isinstance(exc, errors.EdgesparkTasksError):
            raise
        raise finish.as_typed(exc, step.id) from exc
