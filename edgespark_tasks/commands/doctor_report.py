"""The shape of `edgespark-tasks doctor`'s output: sections of status lines, the blockers, and
the same findings as JSON (`doctor --json`)."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from edgespark_tasks import __version__, style
from edgespark_tasks.project.setting_values import SmokeCheck
from edgespark_tasks.project.settings import SETTING_KEYS, Settings
from edgespark_tasks.runner.redact import Redactor


@dataclass
class Doctor:
    """Collects the report lines, the blockers and the facts shown by `--json`."""

    redactor: Redactor
    out: TextIO = field(default_factory=lambda: sys.stdout)
    blockers: list[str] = field(default_factory=list)
    warnings: int = 0
    sections: list[dict[str, Any]] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.color = style.use_color(self.out)

    def section(self, title: str) -> None:
        self.out.write(f"\n{style.paint(title, 'bold', self.color)}\n")
        self.sections.append({"title": title, "lines": []})

    def line(self, status: str, text: str) -> None:
        """One line: `ok`, `warn`, `FAIL` or `` (information)."""
        text = self.redactor(text)
        shown = style.status(status, 5, self.color) if status else " " * 5
        self.out.write(f"  {shown} {text}".rstrip() + "\n")
        if self.sections:
            self.sections[-1]["lines"].append({"status": status or "info", "text": text})
        if status == "warn":
            self.warnings += 1

    def block(self, text: str) -> None:
        self.line("FAIL", text)
        self.blockers.append(self.redactor(text))


def verdict(doc: Doctor) -> int:
    """The Result section: 0 when nothing blocks the pipeline, else 1 with every blocker."""
    doc.section("Result")
    if not doc.blockers:
        note = f" ({doc.warnings} warning(s) above)" if doc.warnings else ""
        doc.line("ok", f"nothing blocks the pipeline{note}")
        return 0
    doc.line("FAIL", f"{len(doc.blockers)} problem(s) block the pipeline:")
    for text in doc.blockers:
        doc.out.write(f"        - {text}\n")
    return 1


def write_json(doc: Doctor, code: int, json_to: str | None) -> None:
    """`--json FILE` (or `-`, stdout): the verdict, blockers, facts and every section."""
    if json_to is None:
        return
    data = {"edgespark_tasks": __version__, "ok": code == 0, "exit_code": code,
            "blockers": doc.blockers, "warnings": doc.warnings, **doc.facts,
            "sections": doc.sections}
    text = doc.redactor(json.dumps(data, indent=2, default=str)) + "\n"
    if json_to == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        Path(json_to).write_text(text)


def settings_section(doc: Doctor, settings: Settings) -> None:
    """Every setting's value and where it came from."""
    doc.section("Settings (value, and where it came from)")
    width = max(20, *(len(key) for key in SETTING_KEYS))
    for key in SETTING_KEYS:
        value = getattr(settings, key)
        doc.line("", f"{key:<{width}} {_show(value)}  ({settings.sources.get(key, 'default')})")


def _show(value: object) -> str:
    if value is None or value == () or value == {}:
        return "-"
    if isinstance(value, SmokeCheck):  # before tuples: it is a NamedTuple
        return str(value.path)
    if isinstance(value, tuple):
        return ", ".join(_show(v) for v in value)
    if isinstance(value, Mapping):
        return ", ".join(f"{k}={_show(v)}" for k, v in value.items())
    return str(value)
