"""Running steps: one step on request, or the whole `deploy` pipeline with its plan.

Shared by every front-end: `inv deploy`, `edgespark-tasks run deploy`, doit actions.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from contextlib import nullcontext

from edgespark_tasks import errors
from edgespark_tasks.engine import finish, report, report_summary
from edgespark_tasks.engine.context import RunOptions, StepContext, StepResult
from edgespark_tasks.engine.execute import execute, execute_guarded
from edgespark_tasks.engine.plan import Decision, Planner, with_capabilities
from edgespark_tasks.engine.preflight import run_preflight
from edgespark_tasks.engine.session import Session
from edgespark_tasks.engine.steps import Step
from edgespark_tasks.project import files
from edgespark_tasks.runner import capabilities
from edgespark_tasks.runner.lock import project_lock


def run_step(session: Session, step_id: str, options: RunOptions) -> StepResult:
    """Run one step now, whatever the recorded state (a person asked for it)."""
    ctx = session.context(options)
    step = ctx.step(step_id)
    if options.dry_run:  # e.g. `inv --dry storage.apply`: say what would run, run nothing
        command = step.call(options.keys if step.id == "secrets-set" else (),
                            ctx.environment).args if step.argv else ()
        shown = report.command_line_for(ctx, step, command)
        ctx.say(f"{step.title}: would run {shown or '(no CLI call)'}; nothing was run (dry run)",
                level=0)
        return StepResult(nothing_to_do="dry run")
    try:
        return execute_guarded(ctx, step)
    except errors.EdgesparkTasksError as exc:
        report_summary.annotate_step_error(session.project.name, step.id, exc, ctx.redactor,
                                           ctx.say)
        raise


def make_plan(session: Session, options: RunOptions) -> list[Decision]:
    """The deploy pipeline's decisions for this session, without running anything."""
    planner = Planner(session.project, session.settings, session.environment, session.records,
                      options)
    for name in (*options.only, *options.skip, *session.settings.skip):
        session_step_ids = {s.id for s in session.steps}
        if name not in session_step_ids:
            errors_hint = ", ".join(s.id for s in session.steps if s.pipeline)
            raise errors.UnknownStepError(f"unknown step {name!r}",
                                          f"pipeline steps: {errors_hint}")
    return planner.plan(session.steps)


def run_pipeline(session: Session, options: RunOptions) -> report.Report:
    """Plan, then run each step that must run, in order; stop at the first failure.

    Raises the failing step's typed error after printing the summary and writing the report.
    Whatever goes wrong once a step has started (even an error nobody foresaw), the summary is
    printed, the report written and `pipeline_finished` plugins run, after the project lock is
    released so that a slow plugin never holds up the next `edgespark` command.
    """
    ctx = session.context(options)
    if not options.dry_run:  # before the first CLI call
        report.check_json_path(options.json_path)
        session.records.check_writable()
    lock = (nullcontext() if options.dry_run else
            project_lock(session.project.state_dir, session.settings.lock_timeout, session.err))
    with lock:
        # Plan from the state as it is now: a run that waited for the lock must not redo
        # what the run before it just did.
        session.records.reload()
        decisions = make_plan(session, options)
        # The offline preflight first: it may refuse, and then the CLI is never even probed.
        refused = None
        if not options.dry_run and options.preflight and any(d.run for d in decisions):
            try:
                run_preflight(ctx)
            except errors.StepFailedError as exc:
                refused = exc
        if refused is not None:
            rep = report.Report.start(session.project, session.environment, decisions)
            error: errors.EdgesparkTasksError | None = refused
            summary = False
        else:
            decisions, version = _with_capabilities(session, decisions)
            rep = report.Report.start(session.project, session.environment,
                                      decisions).with_commands(ctx, decisions)
            blocked = _blocked_error(decisions, version)
            if options.dry_run:  # a plan: exits as the real run would start (blocked: 12)
                _print_plan(ctx, rep, decisions, blocked, version)
                if blocked is not None:
                    raise blocked
                return rep
            error, summary = _run_steps(session, ctx, rep, decisions, blocked)
    error = finish.finish(ctx, rep, error, summary=summary)
    if error is not None:
        raise error
    return rep


def _print_plan(ctx: StepContext, rep: report.Report, decisions: Sequence[Decision],
                blocked: errors.StepUnavailableError | None, version: str) -> None:
    """The plan as text (or a Mermaid flowchart), and as JSON with `--json`."""
    rep.planned(blocked)
    if ctx.options.plan_format == "mermaid":
        from edgespark_tasks.engine.report_mermaid import flowchart

        ctx.out.write(flowchart(rep.rows))
    else:
        report.print_plan(ctx, decisions, version)
    report.write_json(ctx, rep)


def _run_steps(session: Session, ctx: StepContext, rep: report.Report,
               decisions: Sequence[Decision], blocked: errors.StepUnavailableError | None,
               ) -> tuple[errors.EdgesparkTasksError | None, bool]:
    """Run the decided steps; (the error that stopped them or None, print the summary?)."""
    if blocked is not None:  # refuse before anything runs: nothing half-done
        _mark_blocked(rep, decisions, blocked)
        return blocked, True
    planner = Planner(session.project, session.settings, session.environment,
                      session.records, ctx.options)
    for index, decision in enumerate(decisions):
        started = time.monotonic()
        try:
            decision = _recheck(planner, decision)
            report.print_header(ctx, index, len(decisions), decision)
            if not decision.run:
                rep.skipped(decision)
                continue
            result = execute(ctx, decision.step)
        except (Exception, KeyboardInterrupt) as exc:
            error = finish.as_typed(exc, decision.step.id)
            rep.failed(decision, time.monotonic() - started, error)
            return error, True
        rep.done(decision, time.monotonic() - started, result)
    return None, True


def _with_capabilities(session: Session,
                       decisions: list[Decision]) -> tuple[list[Decision], str]:
    """The decisions with the steps the installed CLI lacks marked, and the CLI version.

    See plan.with_capabilities. Only steps that will run are checked against the CLI: its
    facts come from the cache, else it is probed (under the project lock), so a plan gives
    the same answer with a cold or a warm cache. Skipped steps get a note from what is
    already known, starting no process; a run with nothing to do starts none at all.
    When the CLI cannot be found or probed the decisions stay as they are: the first step
    that needs the CLI then fails with the not-found message.
    """
    runner = session.runner
    runnable = [d.step.call() for d in decisions if d.run and d.step.argv]
    try:
        if runnable:
            info = runner.learn(runnable)
            runner.ensure_layout(info, runnable)
        else:
            known = capabilities.cached(runner.command, session.project.state_dir)
            if known is None:
                return decisions, ""
            info = known
    except errors.CliLayoutError:
        raise
    except (errors.CliNotFoundError, errors.CliError):
        return decisions, ""

    def supports(step: Step) -> bool:
        return info.known(step.call().args) is not False  # unknown: not a runnable step

    return with_capabilities(decisions, supports, info.version), info.version


def _blocked_error(decisions: Sequence[Decision],
                   version: str) -> errors.StepUnavailableError | None:
    """The error for steps that must run but the installed CLI lacks, or None."""
    blocked = [d for d in decisions if d.blocked]
    if not blocked:
        return None
    names = ", ".join(f"{d.step.id} (`{d.step.command}`)" for d in blocked)
    skips = " ".join(f"--skip {d.step.id}" for d in blocked)
    return errors.StepUnavailableError(
        f"the installed CLI (edgespark {version}) lacks steps this deploy needs: {names}; "
        "nothing was run",
        "upgrade the CLI (`npm install -g @edgespark/cli@latest`), or make those changes "
        f"another way and re-run with {skips}",
    )


def _mark_blocked(rep: report.Report, decisions: Sequence[Decision],
                  error: errors.StepUnavailableError) -> None:
    for row, decision in zip(rep.rows, decisions, strict=True):
        if decision.blocked:
            row.exit_code, row.exit_class = error.exit_code, "unavailable"
            row.message = decision.reason


def _recheck(planner: Planner, decision: Decision) -> Decision:
    """Re-decide a step planned only because an earlier step would change its inputs."""
    if decision.run and decision.reason.endswith("will change its inputs"):
        recorded = planner.records.files(decision.step.id) or {}
        if not files.changed(planner.inputs(decision.step), recorded):
            return Decision(decision.step, False, "inputs unchanged after the earlier step")
    return decision


def pipeline_steps(session: Session) -> Sequence[Step]:
    """The steps `deploy` considers, in order."""
    return [s for s in session.steps if s.pipeline]
