"""What a person sees of a pipeline run, and the JSON report (`--json FILE`)."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from edgespark_tasks import errors
from edgespark_tasks.engine.context import StepContext, StepResult
from edgespark_tasks.engine.plan import Decision
from edgespark_tasks.project.model import Project
from edgespark_tasks.runner.redact import Redactor, mask_argv


@dataclass
class StepOutcome:
    """One row of the report."""

    id: str
    title: str
    decision: str
    reason: str
    status: str = "not-run"  # ok | skipped | failed | not-run
    duration: float = 0.0
    exit_code: int | None = None
    exit_class: str | None = None
    message: str | None = None


@dataclass
class Report:
    """The outcome of one pipeline run."""

    project: str
    environment: str | None
    rows: list[StepOutcome]
    started: float = field(default_factory=time.monotonic)
    result: str = "running"
    url: str | None = None
    error: str | None = None
    duration: float = 0.0

    @classmethod
    def start(cls, project: Project, environment: str | None,
              decisions: Sequence[Decision]) -> Report:
        rows = [StepOutcome(d.step.id, d.step.title, d.verb, d.reason) for d in decisions]
        return cls(project=project.name, environment=environment, rows=rows)

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


def print_plan(ctx: StepContext, decisions: Sequence[Decision]) -> None:
    """The `--dry-run` output: every decision, its reason and the exact command."""
    try:
        prefix = mask_argv(ctx.runner.command)
    except errors.CliNotFoundError:
        prefix = ["edgespark"]
    env = ctx.environment or "default environment"
    ctx.say(f"Plan for {ctx.project.name} ({env}); nothing will run (--dry-run):")
    for index, d in enumerate(decisions, 1):
        argv = list(d.step.call(d.args, ctx.environment).args) if d.step.argv else []
        command = " ".join([*prefix, *argv]) if argv else "(no CLI call)"
        ctx.say(f"[{index}/{len(decisions)}] {d.step.title:<16} {d.verb:<4}  {d.reason}")
        if d.run:
            ctx.say(f"      $ {command}")
    count = sum(d.run for d in decisions)
    ctx.say(f"{count} step(s) would run.")


def print_header(ctx: StepContext, index: int, total: int, decision: Decision) -> None:
    """`[3/9] storage apply (storage_schema.ts changed)` before a step, or its skip line."""
    if decision.run:
        ctx.say(f"[{index + 1}/{total}] {decision.step.title} ({decision.reason})")
    else:
        ctx.say(f"[{index + 1}/{total}] {decision.step.title}: skip ({decision.reason})")


def print_summary(ctx: StepContext, rep: Report) -> None:
    """The table at the end of a run."""
    ctx.say("")
    ctx.say(f"{'step':<16} {'status':<8} {'time':>7}  detail")
    for row in rep.rows:
        took = f"{row.duration:.2f}s" if row.status in ("ok", "failed") else "-"
        detail = row.message or row.reason
        if row.exit_class:
            detail = f"exit {row.exit_code} ({row.exit_class}): {detail}"
        ctx.say(f"{row.id:<16} {row.status:<8} {took:>7}  {detail}")
    tail = f" {rep.url}" if rep.url else ""
    ctx.say(f"{rep.result} in {rep.duration:.2f}s{tail}")
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
    """Write the report to `--json FILE` (atomically)."""
    path = ctx.options.json_path
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_text(json.dumps(rep.as_dict(ctx.redactor), indent=2) + "\n")
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)  # never leave a half-written report behind
        raise
