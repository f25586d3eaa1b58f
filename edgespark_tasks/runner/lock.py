"""The one-at-a-time lock: never two `edgespark` processes at once for one project.

The CLI shares temp files under `.edgespark/tmp`, so concurrent calls corrupt each other.

On POSIX the lock is an `flock` on `.edgespark-tasks/cli.lock`, taken on our own open file
description (not filelock's): the runner hands that descriptor to the CLI child
(`held_fd`, `pass_fds`), and an flock lives as long as *any* process holds the description.
So if our process dies (kill -9, a closed terminal, a killed doit worker) while the child
runs, the lock stays held until the child is gone, and the next run waits instead of
overlapping it. Re-entrant per thread; separate threads exclude each other like processes.
Elsewhere (Windows) filelock provides the lock, without the inheritance.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

from edgespark_tasks.errors import LockTimeoutError

LOCK_FILE = "cli.lock"
_held = threading.local()  # per thread: {path: [fd or filelock, depth]}


def _table() -> dict[Path, list[Any]]:
    table: dict[Path, list[Any]] | None = getattr(_held, "table", None)
    if table is None:
        table = _held.table = {}
    return table


def held_fd(state_dir: Path) -> int | None:
    """The descriptor of the lock this thread holds on the project, for the CLI child."""
    entry = _table().get(state_dir / LOCK_FILE)
    return entry[0] if entry and isinstance(entry[0], int) else None


def _try_flock(fd: int) -> bool:
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except OSError as exc:
        import errno

        if exc.errno in (errno.EACCES, errno.EAGAIN):
            return False
        raise
    return True


def _acquire_posix(path: Path, timeout: float, waiting: TextIO) -> int:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    if _try_flock(fd):
        return fd
    waiting.write(f"waiting for another edgespark command in {path.parent.parent} to finish "
                  f"(lock {path})...\n")
    waiting.flush()
    deadline = time.monotonic() + timeout
    pause = 0.01
    while time.monotonic() < deadline:
        time.sleep(pause)
        pause = min(pause * 2, 0.1)
        if _try_flock(fd):
            return fd
    os.close(fd)
    raise LockTimeoutError(f"another edgespark command held {path} for more than {timeout:g}s",
                           "wait for it to finish (a `log tail` counts) or raise lock_timeout")


def _acquire_other(path: Path, timeout: float, waiting: TextIO) -> Any:
    import filelock

    lock = filelock.FileLock(str(path))
    try:
        lock.acquire(timeout=0)
    except filelock.Timeout:
        waiting.write(f"waiting for another edgespark command (lock {path})...\n")
        try:
            lock.acquire(timeout=timeout)
        except filelock.Timeout:
            raise LockTimeoutError(
                f"another edgespark command held {path} for more than {timeout:g}s",
                "wait for it to finish (a `log tail` counts) or raise lock_timeout") from None
    return lock


@contextmanager
def project_lock(state_dir: Path, timeout: float, err: TextIO) -> Iterator[None]:
    """Hold the project's CLI lock; say so on `err` when waiting for another process."""
    path = state_dir / LOCK_FILE
    table = _table()
    if path in table:
        table[path][1] += 1
        try:
            yield
        finally:
            table[path][1] -= 1
        return
    state_dir.mkdir(parents=True, exist_ok=True)
    handle = (_acquire_posix(path, timeout, err) if os.name == "posix"
              else _acquire_other(path, timeout, err))
    table[path] = [handle, 1]
    try:
        yield
    finally:
        del table[path]
        if isinstance(handle, int):
            os.close(handle)  # our last reference: the flock ends unless a child still holds it
        else:
            handle.release()
