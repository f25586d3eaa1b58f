"""What every offline check returns: findings, one per problem, each with its fix."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal, NamedTuple

Severity = Literal["error", "warning", "note"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "note")


class Finding(NamedTuple):
    """One problem found by a check.

    `path` is relative to the project root with forward slashes; `line` is 1-based or None
    when the problem concerns the whole file (or a file that does not exist).
    """

    check: str
    severity: Severity
    path: str
    line: int | None
    message: str
    fix: str = ""

    def format(self, base: str = "") -> str:
        """`path:line: severity: message (fix: ...)`; `base` is prepended to the path."""
        path = f"{base.rstrip('/')}/{self.path}" if base and base != "." else self.path
        where = f"{path}:{self.line}" if self.line is not None else path
        fix = f" (fix: {self.fix})" if self.fix else ""
        return f"{where}: {self.severity}: {self.message}{fix}"


def has_errors(findings: Iterable[Finding]) -> bool:
    """True when at least one finding is an error (the hook must then fail)."""
    return any(f.severity == "error" for f in findings)


def sort_key(finding: Finding) -> tuple[str, int, int, str]:
    """Stable report order: by file, then line, then severity (errors first)."""
    return (finding.path, finding.line or 0, SEVERITIES.index(finding.severity), finding.message)
