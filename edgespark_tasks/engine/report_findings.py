"""Offline-check findings for people and machines: text, JSON, GitHub annotations, SARIF.

`edgespark-tasks check --format FORMAT` picks one; on a GitHub runner the text format also
emits the annotations, so findings show on the pull request's diff without extra flags.
Paths are relative to the folder the command ran in (the repository root in CI).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from edgespark_tasks.checks.findings import Finding
from edgespark_tasks.engine.report_github import finding_annotation, in_github_actions
from edgespark_tasks.engine.report_sarif import sarif_log
from edgespark_tasks.runner.redact import Redactor

FORMATS = ("text", "json", "github", "sarif")


@dataclass(frozen=True)
class ProjectFindings:
    """The findings of one project; `base` is its folder relative to the current one."""

    base: str
    findings: Sequence[Finding]


def render(results: Sequence[ProjectFindings], fmt: str, summary: str, *, failed: bool,
           redactor: Redactor) -> str:
    """Everything `check` prints in format `fmt` (`summary` is the closing text line)."""
    if fmt == "sarif":
        return json.dumps(sarif_log(results_pairs(results), redactor), indent=2) + "\n"
    if fmt == "json":
        items = [{**f._asdict(), "path": _path(r.base, f.path), "message": redactor(f.message),
                  "fix": redactor(f.fix)} for r in results for f in r.findings]
        data = {"result": "failed" if failed else "passed", "summary": summary,
                "findings": items}
        return json.dumps(data, indent=2) + "\n"
    lines: list[str] = []
    if fmt == "text":
        lines += [redactor(f.format(r.base)) for r in results for f in r.findings]
    if fmt == "github" or (fmt == "text" and in_github_actions()):
        lines += [finding_annotation(f, r.base, redactor) for r in results for f in r.findings]
    lines.append(summary)
    return "\n".join(lines) + "\n"


def results_pairs(results: Sequence[ProjectFindings]) -> list[tuple[str, Finding]]:
    """(repo-relative path, finding) for every finding."""
    return [(_path(r.base, f.path), f) for r in results for f in r.findings]


def _path(base: str, path: str) -> str:
    return f"{base.rstrip('/')}/{path}" if base and base != "." else path
