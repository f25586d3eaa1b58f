"""Built-in steps that are one CLI call each."""

from __future__ import annotations

import re

from edgespark_tasks import errors
from edgespark_tasks.engine.context import StepContext, StepResult
from edgespark_tasks.engine.hookspecs import hookimpl

# 0.0.9 prints "│ URL: <url>" (a gutter before it) on stderr; newer builds "URL: <url>".
_URL = re.compile(r"^[\s│|>*-]*URL:\s*(\S+)", re.MULTILINE)


def _run(ctx: StepContext, step_id: str, *extra: str) -> StepResult:
    run = ctx.cli(step_id, extra)
    return StepResult(output=run.output, returncode=run.returncode)


@hookimpl
def edgespark_db_check(ctx: StepContext) -> StepResult:
    return _run(ctx, "db-check")


@hookimpl
def edgespark_storage_apply(ctx: StepContext) -> StepResult:
    return _run(ctx, "storage-apply", *ctx.options.dangerous_args)


@hookimpl
def edgespark_auth_pull(ctx: StepContext) -> StepResult:
    return _run(ctx, "auth-pull")


@hookimpl
def edgespark_auth_apply(ctx: StepContext) -> StepResult:
    return _run(ctx, "auth-apply")


@hookimpl
def edgespark_pull(ctx: StepContext) -> StepResult:
    return _run(ctx, "pull")


@hookimpl
def edgespark_pull_types(ctx: StepContext) -> StepResult:
    return _run(ctx, "pull-types")


@hookimpl
def edgespark_types_check(ctx: StepContext) -> StepResult:
    return _run(ctx, "types-check")


@hookimpl
def edgespark_deploy_dry_run(ctx: StepContext) -> StepResult:
    return _run(ctx, "deploy-dry-run")


@hookimpl
def edgespark_deploy(ctx: StepContext) -> StepResult:
    result = _run(ctx, "deploy")
    match = _URL.search(result.output)
    if match:
        result.data["url"] = match.group(1)
    return result


@hookimpl
def edgespark_log_tail(ctx: StepContext) -> StepResult:
    seconds = ctx.options.tail_seconds
    if seconds is not None and not seconds > 0:  # 0 would mean "until the step timeout"
        raise errors.ArgumentError(f"log tail for {seconds:g} seconds shows nothing",
                                   "give a positive number of seconds, e.g. --seconds 30")
    run = ctx.runner.run(ctx.step("log-tail").call((), ctx.environment), stop_after=seconds)
    return StepResult(output=run.output, returncode=run.returncode)
