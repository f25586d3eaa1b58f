"""The one-at-a-time lock: never two `edgespark` processes at once for one project.

The CLI shares temp files under `.edgespark/tmp`, so concurrent calls corrupt each other.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

import filelock

from edgespark_tasks.errors import LockTimeoutError

_locks: dict[Path, filelock.FileLock] = {}


@contextmanager
def project_lock(state_dir: Path, timeout: float, err: TextIO) -> Iterator[None]:
    """Hold the project's CLI lock; say so when waiting for another process (re-entrant)."""
    state_dir.mkdir(parents=True, exist_ok=True)
    path = state_dir / "cli.lock"
    lock = _locks.setdefault(path, filelock.FileLock(str(path)))
    try:
        lock.acquire(timeout=0)
    except filelock.Timeout:
        err.write(f"waiting for another edgespark command in {state_dir.parent} to finish "
                  f"(lock {path})...\n")
        err.flush()
        try:
            lock.acquire(timeout=timeout)
        except filelock.Timeout:
            raise LockTimeoutError(
                f"another edgespark command held {path} for more than {timeout:g}s",
                "wait for it to finish (a `log tail` counts) or raise lock_timeout",
            ) from None
    try:
        yield
    finally:
        lock.release()
