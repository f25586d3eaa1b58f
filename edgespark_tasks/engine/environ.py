"""Facts about where we run (CI, a person at a terminal), without the engine's machinery:
the gate path needs them and must stay lean."""

from __future__ import annotations

import os
import sys


def is_ci() -> bool:
    """True on a CI runner (the `CI` variable set to anything but false/0)."""
    return os.environ.get("CI", "").lower() not in ("", "0", "false", "no")


def has_terminal() -> bool:
    """True when a person can answer a prompt (stdin and stdout are terminals, not CI)."""
    return sys.stdin.isatty() and sys.stdout.isatty() and not is_ci()
