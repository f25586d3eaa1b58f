"""A pipeline run on a CI runner: the GitHub step summary, failure annotations, step outputs.

`publish` is called once at the end of every pipeline run (success or failure). Off a GitHub
runner it does nothing. On one:
- with `GITHUB_STEP_SUMMARY` set, it appends Markdown: the plan table (step, decision, reason,
  status, time), the deployed URL and the Mermaid picture of the steps;
- with `GITHUB_ACTIONS=true`, a failed step also becomes an `::error` annotation;
- with `GITHUB_OUTPUT` set, the deployed URL becomes the step output `url` (for an
  `environment: url:`).
Everything written is redacted.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from edgespark_tasks import errors
from edgespark_tasks.engine.report import Report
from edgespark_tasks.engine.report_github import in_github_actions, set_output, workflow_command
from edgespark_tasks.engine.report_mermaid import flowchart
from edgespark_tasks.runner.redact import Redactor

_ICONS = {"ok": "✅", "failed": "❌", "running": "⏳", "interrupted": "⏹️"}


def _cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").strip() or " "


def summary_markdown(rep: Report, redactor: Redactor) -> str:
    """The Markdown a run appends to the step summary."""
    env = rep.environment or "default environment"
    icon = _ICONS.get(rep.result, "")
    lines = [f"### {icon} EdgeSpark deploy: {rep.project} ({env}): {rep.result} "
             f"in {rep.duration:.1f}s", ""]
    if rep.url:
        lines += [f"Deployed: {rep.url}", ""]
    if rep.error:
        lines += [f"> {_cell(rep.error)}", ""]
    lines += ["| step | decision | reason | status | time |", "| --- | --- | --- | --- | ---: |"]
    for row in rep.rows:
        took = f"{row.duration:.2f}s" if row.status in ("ok", "failed") else "-"
        reason = row.reason
        if row.status == "failed" and row.message:
            reason = f"{reason}; {row.message}"
        lines.append(f"| {_cell(row.id)} | {row.decision} | {_cell(reason)} | {row.status} "
                     f"| {took} |")
    lines += ["", "```mermaid", flowchart(rep.rows, finished=True).rstrip("\n"), "```", ""]
    return redactor("\n".join(lines) + "\n")


def projects_markdown(rows: Sequence[tuple[str, str, str, str]], result: str,
                      duration: float) -> str:
    """The all-projects table: (project, result, time, URL or error) per project."""
    lines = [f"### {_ICONS.get(result, '')} EdgeSpark deploy: all projects: {result} "
             f"in {duration:.1f}s", "", "| project | result | time | detail |",
             "| --- | --- | ---: | --- |"]
    lines += [f"| {_cell(p)} | {r} | {t} | {_cell(d)} |" for p, r, t, d in rows]
    return "\n".join(lines) + "\n\n"


def append_summary(markdown: str, redactor: Redactor,
                   environ: Mapping[str, str] | None = None) -> bool:
    """Append Markdown to `$GITHUB_STEP_SUMMARY` (redacted); False when it is not set."""
    environ = os.environ if environ is None else environ
    target = environ.get("GITHUB_STEP_SUMMARY")
    if not target:
        return False
    with Path(target).open("a", encoding="utf-8") as handle:
        handle.write(redactor(markdown))
    return True


def failure_annotations(rep: Report, redactor: Redactor) -> list[str]:
    """`::error` lines for the failed step (or the run's error when no step was reached)."""
    failed = [row for row in rep.rows if row.status == "failed"]
    lines = [workflow_command("error", row.message or rep.error or "failed",
                              title=f"edgespark {rep.project}: {row.id} failed",
                              redactor=redactor) for row in failed]
    if not lines and rep.error and rep.result != "ok":
        lines.append(workflow_command("error", rep.error,
                                      title=f"edgespark {rep.project}: deploy {rep.result}",
                                      redactor=redactor))
    return lines


def annotate_step_error(project: str, step_id: str, error: errors.EdgesparkTasksError,
                        redactor: Redactor, say: Callable[[str], None] = print) -> None:
    """On a GitHub runner, a failed single step (`run STEP`, a gate) as an annotation: an
    error, or a warning when the step could not check (CLI missing, offline, no key)."""
    if not in_github_actions():
        return
    kind = errors.exit_class_of(error)
    level = "warning" if kind in errors.COULD_NOT_CHECK else "error"
    what = "could not check" if level == "warning" else "failed"
    say(workflow_command(level, error.one_line(), title=f"edgespark {project}: {step_id} {what}",
                         redactor=redactor))


def publish(rep: Report, redactor: Redactor, say: Callable[[str], None] = print,
            environ: Mapping[str, str] | None = None) -> None:
    """Write what a CI runner shows of a finished run (see the module docstring)."""
    environ = os.environ if environ is None else environ
    if in_github_actions(environ):
        for line in failure_annotations(rep, redactor):
            say(line)
    append_summary(summary_markdown(rep, redactor), redactor, environ)
    if rep.url:
        set_output("url", redactor(rep.url), environ)
