"""What a person sees of a pipeline run, and the JSON report (`--json FILE`)."""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from edgespark_tasks import errors, style
from edgespark_tasks.engine import environments
from edgespark_tasks.engine.context import StepContext, StepResult
from edgespark_tasks.engine.plan import Decision
from edgespark_tasks.engine.steps import Step
from edgespark_tasks.project import sources
from edgespark_tasks.project.model import Project
from edgespark_tasks.runner.redact import Redactor, mask_argv
from edgespark_tasks.style import use_color


class StepOutcome:
    """One row of the report; its attributes, in order, are the row's JSON keys.
    `status`: ok | skipped | failed | not-run; `command`: the CLI command line, redacted
    (None: no CLI call). Plain classes here: every run imports this module."""

    def __init__(self, id: str, title: str, decision: str, reason: str) -> None:
        self.id = id
        self.title = title
        self.decision = decision
        self.reason = reason
        self.status = "not-run"
        self.duration = 0.0
        self.exit_code: int | None = None
        self.exit_class: str | None = None
        self.message: str | None = None
        self.command: str | None = None


class Report:
    """The outcome of one pipeline run."""

    def __init__(self, project: str, environment: str | None, rows: list[StepOutcome]) -> None:
        self.project = project
        self.environment = environment
        self.rows = rows
        self.started = time.monotonic()
        self.result = "running"
        self.url: str | None = None
        self.error: str | None = None
        self.duration = 0.0

    @classmethod
    def start(cls, project: Project, environment: str | None,
              decisions: Sequence[Decision]) -> Report:
        rows = [StepOutcome(d.step.id, d.step.title, d.verb, d.reason) for d in decisions]
        return cls(project=project.name, environment=environment, rows=rows)

    def with_commands(self, ctx: StepContext, decisions: Sequence[Decision]) -> Report:
        """Each row gets the exact command line its step runs (redacted)."""
        for row, decision in zip(self.rows, decisions, strict=True):
            row.command = command_line(ctx, decision, values=False)
        return self

    def planned(self, blocked: errors.EdgesparkTasksError | None) -> None:
        """Finish a plan that runs nothing."""
        self.duration = time.monotonic() - self.started
        self.result = "planned" if blocked is None else "blocked"
        self.error = blocked.one_line() if blocked is not None else None

    def _row(self, decision: Decision) -> StepOutcome:
        row = next(r for r in self.rows if r.id == decision.step.id)
        row.decision, row.reason = decision.verb, decision.reason
        return row

    def skipped(self, decision: Decision) -> None:
        self._row(decision).status = "skipped"

    def done(self, decision: Decision, duration: float, result: StepResult) -> None:
        row = self._row(decision)
        row.status, row.duration, row.exit_code = "ok", duration, result.returncode
        if result.nothing_to_do:
            row.message = result.nothing_to_do
        self.url = result.data.get("url") or self.url

    def failed(self, decision: Decision, duration: float,
               error: errors.EdgesparkTasksError) -> None:
        row = self._row(decision)
        row.status, row.duration = "failed", duration
        row.exit_code = getattr(error, "returncode", error.exit_code)
        row.exit_class = errors.exit_class_of(error)
        row.message = error.one_line()

    def finish(self, error: BaseException | None) -> None:
        self.duration = time.monotonic() - self.started
        if error is None:
            self.result = "ok"
        else:
            self.result = "interrupted" if isinstance(error, errors.Interrupted) else "failed"
            self.error = (error.one_line() if isinstance(error, errors.EdgesparkTasksError)
                          else str(error))

    def as_dict(self, redactor: Redactor) -> dict[str, Any]:
        """The report as JSON-ready data, redacted."""
        data = {
            "project": self.project, "environment": self.environment, "result": self.result,
            "duration": round(self.duration, 3), "url": self.url, "error": self.error,
            "steps": [{**vars(r), "duration": round(r.duration, 3)} for r in self.rows],
        }
        parsed: dict[str, Any] = json.loads(redactor(json.dumps(data)))
        return parsed


def command_line(ctx: StepContext, decision: Decision, *, values: bool = True) -> str | None:
    """The exact CLI command a decision runs (redacted), or None for a step without one.

    `values=False` (reports, which travel to files and webhooks): `K=V` arguments show the key
    only, `K=***`; a var value may still be a mistake that looks like a credential.
    """
    args = decision.args if values else tuple(
        a.split("=", 1)[0] + "=***" if "=" in a and not a.startswith("-") else a
        for a in decision.args)
    return command_line_for(ctx, decision.step, decision.step.call(args, ctx.environment).args)


def command_line_for(ctx: StepContext, step: Step, args: Sequence[str]) -> str | None:
    """`edgespark ARGS` with the resolved CLI command line in front, redacted."""
    if not step.argv:
        return None
    try:
        prefix = mask_argv(ctx.runner.command)
    except errors.CliNotFoundError:
        prefix = ["edgespark"]
    return ctx.redactor(" ".join([*prefix, *args]))


def print_plan(ctx: StepContext, decisions: Sequence[Decision], cli_version: str = "") -> None:
    """Every decision, its reason and the exact command; nothing runs."""
    color = use_color(ctx.out)
    env = environments.describe(ctx.environment, ctx.project, cli_version)
    ctx.say(f"Plan for {ctx.project.name} ({env}); nothing will run:")
    total = len(decisions)
    index_w = len(f"[{total}/{total}]")
    title_w = max((len(d.step.title) for d in decisions), default=0)
    verb_w = max((len(d.verb) for d in decisions), default=0)
    for index, d in enumerate(decisions, 1):
        counter = f"[{index}/{total}]"
        ctx.say(f"{counter:>{index_w}} {d.step.title:<{title_w}}  "
                f"{style.status(d.verb, verb_w, color)}  {d.reason}")
        if d.run:
            ctx.say(f"{'':<{index_w}} $ {command_line(ctx, d) or '(no CLI call)'}")
    if any(d.step.inputs == ("app_sources",) for d in decisions):
        rules = sources.rules_for(ctx.project, ctx.settings.deploy_inputs,
                                  ctx.settings.deploy_ignore)
        ctx.say(f"deploy inputs: {', '.join(rules.include)}")
        ctx.say(f"never deploy inputs: {', '.join(rules.ignore)}")
    count = sum(d.run for d in decisions)
    ctx.say(f"{count} step(s) would run.", level=0)


def print_header(ctx: StepContext, index: int, total: int, decision: Decision) -> None:
    """`[3/9] storage apply (storage_schema.ts changed)` before a step, or its skip line."""
    counter = f"[{index + 1}/{total}]"
    if decision.run:
        ctx.say(f"{counter} {decision.step.title} ({decision.reason})")
    else:
        ctx.say(f"{counter} {decision.step.title}: skip ({decision.reason})")


def print_summary(ctx: StepContext, rep: Report) -> None:
    """The table at the end of a run; columns grow with their longest entry (a plugin's
    long step id, a slow step) so they stay aligned for every status."""
    color = use_color(ctx.out)
    id_w = max([16, *(len(r.id) for r in rep.rows)]) + 1
    status_w = max([8, *(len(r.status) + 1 for r in rep.rows)])
    times = [f"{r.duration:.2f}s" if r.status in ("ok", "failed") else "-" for r in rep.rows]
    time_w = max([7, *(len(t) for t in times)])
    ctx.say("")
    ctx.say(f"{'step':<{id_w}}{'status':<{status_w}} {'time':>{time_w}}  detail")
    for row, took in zip(rep.rows, times, strict=True):
        detail = row.message or row.reason
        if row.exit_class:
            detail = f"exit {row.exit_code} ({row.exit_class}): {detail}"
        ctx.say(f"{row.id:<{id_w}}{style.status(row.status, status_w, color)} "
                f"{took:>{time_w}}  {detail}")
    tail = f" {rep.url}" if rep.url else ""
    word = style.paint(rep.result, "green" if rep.result == "ok" else "red", color)
    ctx.say(f"{word} in {rep.duration:.2f}s{tail}", level=0)
    failed = next((r for r in rep.rows if r.status == "failed"), None)
    if failed is not None:
        ctx.say(f"the next run resumes from {failed.id}; the steps before it are recorded as done")


def check_json_path(path: Path | None) -> None:
    """Refuse a `--json FILE` that can never be written, before anything runs."""
    if path is None:
        return
    if path.is_dir():
        raise errors.SettingsError(f"--json {path}: is a folder", "name a file")
    folder = path.parent if path.parent != Path("") else Path(".")
    existing = next((p for p in (folder, *folder.parents) if p.exists()), Path("."))
    if not existing.is_dir():
        raise errors.SettingsError(f"--json {path}: {existing} is not a folder", "name a file")
    if not os.access(existing, os.W_OK):
        raise errors.SettingsError(f"--json {path}: {existing} is not writable",
                                   "name a file in a writable folder")


def write_json(ctx: StepContext, rep: Report) -> None:
    """Write the report to `--json FILE` (atomically), or to stdout for `--json -`."""
    path = ctx.options.json_path
    if path is None:
        return
    if str(path) == "-":
        sys.stdout.write(json.dumps(rep.as_dict(ctx.redactor), indent=2) + "\n")
        sys.stdout.flush()
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_text(json.dumps(rep.as_dict(ctx.redactor), indent=2) + "\n")
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)  # never leave a half-written report behind
        raise
