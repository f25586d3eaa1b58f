"""The end of a pipeline run, whatever happened: summary, JSON report, `pipeline_finished`.

Once a step has started, remote state may have changed, so a person must always learn what
was done: every error, foreseen or not, still prints the summary and writes what it can.
"""

from __future__ import annotations

from edgespark_tasks import errors
from edgespark_tasks.engine import report, report_summary
from edgespark_tasks.engine.context import StepContext


def as_typed(exc: BaseException, step_id: str) -> errors.EdgesparkTasksError:
    """The typed error for whatever stopped a step (Ctrl-C, a typed error, anything else)."""
    if isinstance(exc, errors.EdgesparkTasksError):
        return exc
    if isinstance(exc, KeyboardInterrupt):
        return errors.Interrupted("interrupted", "nothing was recorded for the running step")
    if isinstance(exc, UnicodeDecodeError):
        detail = f"a file is not UTF-8 text ({exc.reason} at byte {exc.start})"
    elif isinstance(exc, OSError):
        where = f" ({exc.filename})" if exc.filename else ""
        detail = f"{exc.strerror or exc}{where}"
    else:
        detail = f"{type(exc).__name__}: {exc}"
    return errors.UnexpectedError(
        f"step {step_id} stopped: {detail}",
        "nothing was recorded for it; fix the cause and re-run (the steps before it are done)")


def finish(ctx: StepContext, rep: report.Report, error: errors.EdgesparkTasksError | None, *,
           summary: bool = True) -> errors.EdgesparkTasksError | None:
    """Close the run: summary, report file, CI summary, plugins. Returns the error the run ends with
    (the run's own, or a report-write error when the run otherwise succeeded)."""
    rep.finish(error)
    if summary:
        report.print_summary(ctx, rep)
    try:
        report.write_json(ctx, rep)
    except OSError as exc:
        problem = errors.ReportWriteError(
            f"could not write the JSON report {ctx.options.json_path}: {exc.strerror or exc}",
            "the run itself " + ("succeeded" if error is None else "failed, as shown above"))
        if error is None:
            error = problem
        else:
            ctx.warn(problem.one_line())
    try:
        report_summary.publish(rep, ctx.redactor, ctx.say)  # what a CI runner shows
    except OSError as exc:
        ctx.warn(f"could not write the CI step summary: {exc.strerror or exc}")
    try:
        ctx.pm.hook.edgespark_pipeline_finished(ctx=ctx, report=rep.as_dict(ctx.redactor))
    except Exception as exc:  # a notification plugin must not change what the run did
        ctx.warn(f"a pipeline_finished plugin failed: {type(exc).__name__}: {exc}")
    return error
