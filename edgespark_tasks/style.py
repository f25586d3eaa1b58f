"""Colour for people at a terminal, none for pipes and logs.

Plain ANSI SGR codes rather than a library: rich would cost more start-up time than the whole
offline hook budget, and every terminal the suite runs in (including Windows 10+ consoles)
understands these. The rule, as CPython's own: `NO_COLOR` (non-empty) turns colour off,
`FORCE_COLOR` (non-empty) turns it on even in a pipe or CI log, otherwise colour only when the
stream is a terminal and `TERM` is not `dumb`.
"""

from __future__ import annotations

import os
from typing import TextIO

_CODES = {"bold": "1", "dim": "2", "red": "31", "green": "32", "yellow": "33", "cyan": "36"}
# What each word of a status column looks like.
STATUS_STYLE = {"ok": "green", "run": "cyan", "skip": "dim", "skipped": "dim",
                "failed": "red", "blocked": "red", "FAIL": "red", "warn": "yellow",
                "not-run": "dim", "unknown": "yellow"}


def use_color(stream: TextIO) -> bool:
    """Whether to colour what goes to `stream`."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    if os.environ.get("TERM") == "dumb":
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError, OSError):
        return False


def paint(text: str, style: str | None, enabled: bool) -> str:
    """`text` in `style` (a name of _CODES) when enabled; plain otherwise."""
    if not enabled or not style or style not in _CODES:
        return text
    return f"\x1b[{_CODES[style]}m{text}\x1b[0m"


def status(word: str, width: int, enabled: bool) -> str:
    """A status word padded to `width` *before* colouring, so columns stay aligned."""
    return paint(word, STATUS_STYLE.get(word), enabled) + " " * max(0, width - len(word))
