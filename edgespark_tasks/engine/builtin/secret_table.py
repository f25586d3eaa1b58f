"""Reading the table `edgespark secret list` prints.

0.0.9 prints, on stdout (status lines such as `✔ Found 2 secrets` go to stderr):

    KEY            CREATED                 UPDATED
    ─────────────  ──────────────────────  ──────────────────────
    KEY_A          11/1/2026, 10:00:00 AM  11/1/2026, 10:00:00 AM

and, with no secret at all, no table but `No secrets found`. A name is set only when it is the
first column of a row with as many columns as the header: the header's `KEY` or the `AM` of a
time column are never names, nor is a word of a line such as `could not decrypt X`.
"""

from __future__ import annotations

import re

_COLUMNS = re.compile(r"\s{2,}")
_HEADER = ["KEY", "CREATED", "UPDATED"]
_RULE = re.compile(r"^[\s─━=\-+|]+$")
_NONE = re.compile(r"\bNo secrets found\b")


def secret_names(output: str) -> set[str] | None:
    """The secret names listed in `output`, or None when it holds no table to read."""
    lines = output.splitlines()
    header = next((i for i, line in enumerate(lines)
                   if _COLUMNS.split(line.strip())[:1] == ["KEY"]
                   and _COLUMNS.split(line.strip())[: len(_HEADER)] == _HEADER), None)
    if header is None:
        return set() if _NONE.search(output) else None
    width = len(_COLUMNS.split(lines[header].strip()))
    names = set()
    for line in lines[header + 1:]:
        if not line.strip() or _RULE.match(line):
            continue
        columns = _COLUMNS.split(line.strip())
        if len(columns) == width and " " not in columns[0]:
            names.add(columns[0])
    return names
