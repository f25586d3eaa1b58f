"""GitHub Actions workflow commands: annotations (`::error file=...::message`) and outputs.

Escaping follows GitHub's rules for workflow commands (the ones in @actions/core): in the
message, `%`, `\\r` and `\\n` are percent-encoded; in a property value, `:` and `,` too, since
they separate properties. Every text passes through the redactor first: an annotation is as
public as a log line.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from edgespark_tasks.checks.findings import Finding
from edgespark_tasks.runner.redact import Redactor

# Finding severities -> workflow command names (GitHub has error, warning and notice).
_COMMANDS = {"error": "error", "warning": "warning", "note": "notice"}


def in_github_actions(environ: Mapping[str, str] | None = None) -> bool:
    """True on a GitHub Actions runner (`GITHUB_ACTIONS=true`)."""
    environ = os.environ if environ is None else environ
    return environ.get("GITHUB_ACTIONS", "").lower() == "true"


def escape_data(text: str) -> str:
    """A workflow command's message, escaped."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value (file, title...), escaped."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def workflow_command(kind: str, message: str, *, file: str | None = None,
                     line: int | None = None, title: str | None = None,
                     redactor: Redactor | None = None) -> str:
    """One `::kind prop=value,...::message` line (kind: error, warning or notice)."""
    redact = redactor or Redactor()
    props = [(name, value) for name, value in (
        ("file", file), ("line", str(line) if line is not None else None),
        ("title", redact(title) if title else None)) if value]
    head = ",".join(f"{name}={escape_property(value)}" for name, value in props)
    return f"::{kind}{' ' + head if head else ''}::{escape_data(redact(message))}"


def finding_annotation(finding: Finding, base: str = "",
                       redactor: Redactor | None = None) -> str:
    """The annotation for one finding; `base` is its project folder (repo-relative)."""
    path = f"{base.rstrip('/')}/{finding.path}" if base and base != "." else finding.path
    message = finding.message + (f" (fix: {finding.fix})" if finding.fix else "")
    return workflow_command(_COMMANDS[finding.severity], message, file=path, line=finding.line,
                            title=f"edgespark {finding.check}", redactor=redactor)


def set_output(name: str, value: str, environ: Mapping[str, str] | None = None) -> bool:
    """Append `name=value` to `$GITHUB_OUTPUT` (a step output); False when not on a runner."""
    environ = os.environ if environ is None else environ
    target = environ.get("GITHUB_OUTPUT")
    if not target or "\n" in value:
        return False
    with Path(target).open("a", encoding="utf-8") as handle:
        handle.write(f"{name}={value}\n")
    return True
