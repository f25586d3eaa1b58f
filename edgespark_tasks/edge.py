"""The edge: typed errors become one line on stderr and an exit code; never a traceback."""

from __future__ import annotations

import sys
from collections.abc import Callable

from edgespark_tasks import errors


def error_line(prog: str, error: BaseException) -> tuple[str, int]:
    """The one-line message and exit code for an error raised inside the package."""
    if isinstance(error, errors.EdgesparkTasksError):
        return f"{prog}: error: {error.one_line()}", error.exit_code
    if isinstance(error, KeyboardInterrupt):
        return f"{prog}: interrupted", 130
    raise error


def guarded(prog: str, action: Callable[[], int]) -> int:
    """Run `action`; turn package errors and Ctrl-C into a message and exit code."""
    try:
        return action()
    except (errors.EdgesparkTasksError, KeyboardInterrupt) as exc:
        message, code = error_line(prog, exc)
        try:
            sys.stderr.write(message + "\n")
            sys.stderr.flush()
        except (OSError, ValueError):
            pass
        return code
