"""Starting, watching, stopping and reaping the CLI child so that it never outlives us
unguarded, at a cost of about a millisecond per call.

- The child runs in its own process group (its own session on POSIX), so a Ctrl-C at the
  terminal reaches us first; we forward it, then escalate, and always reap.
- On Linux the child gets SIGKILL when the thread that started it dies (the parent-death
  signal, set by util-linux's `setpriv --pdeathsig` just before it becomes the CLI: a
  preexec function would force a full fork, several milliseconds per call). So `kill -9`
  of the tool or a killed doit worker does not leave it running. Without setpriv, and on
  macOS, which has no such signal, the inherited lock descriptor (see lock.py) keeps the
  project locked until an orphaned child ends, so nothing overlaps it.
- One loop in the calling thread copies the child's output, notices its exit through a
  pidfd (a watcher thread elsewhere) and enforces the timeout: no polling of the child,
  no thread per pipe. Its `select` wakes at least every tenth of a second only so that a
  Ctrl-C the kernel handed to another thread still interrupts it promptly.
- When the child exits, whatever it left in its group (a helper that kept stdout open) is
  killed, so a step never waits on it and nothing is left running.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from edgespark_tasks.runner.stream import CHUNK, Stream
from edgespark_tasks.runner.which import which

INTERRUPT_GRACE = 1.0  # after SIGINT, before SIGTERM (and half as long before SIGKILL)
TIMEOUT_GRACE = 5.0  # after the first signal on a timeout, before SIGKILL
DRAIN_SECONDS = 1.0  # reading what is left once the child and its group are gone
_SIGKILL = getattr(signal, "SIGKILL", signal.SIGTERM)


@lru_cache(maxsize=1)
def _setpriv() -> str | None:
    return which("setpriv") if sys.platform.startswith("linux") else None


def spawn(argv: list[str], *, isolate: bool, lock_fd: int | None,
          **kwargs: Any) -> subprocess.Popen[bytes]:
    """Start the child. `isolate`: its own process group; `lock_fd`: inherited by it."""
    if os.name == "nt":
        if isolate:
            kwargs["creationflags"] = getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0)
        return subprocess.Popen(argv, **kwargs)
    setpriv = _setpriv()
    if setpriv:
        argv = [setpriv, "--pdeathsig", "KILL", "--", *argv]
    return subprocess.Popen(argv, start_new_session=isolate,
                            pass_fds=(lock_fd,) if lock_fd is not None else (), **kwargs)


def signal_group(proc: subprocess.Popen[bytes], sig: int) -> None:
    """Send `sig` to the child's process group, or to the child alone when it shares ours
    (an attached, interactive child) or on Windows."""
    try:
        if os.name == "nt":
            if proc.poll() is None:
                proc.send_signal(signal.CTRL_BREAK_EVENT if sig == signal.SIGINT  # type: ignore[attr-defined]
                                 else signal.SIGTERM)
        elif _leads_group(proc):  # its own group: helpers included
            os.killpg(proc.pid, sig)
        else:
            proc.send_signal(sig)
    except (ProcessLookupError, PermissionError, OSError):
        pass


def _leads_group(proc: subprocess.Popen[bytes]) -> bool:
    try:
        return os.getpgid(proc.pid) == proc.pid
    except ProcessLookupError:  # reaped: its group lives on while helpers it left do
        return proc.pid != os.getpgid(0)


def supervise(proc: subprocess.Popen[bytes], streams: dict[int, Stream], *, limit: float,
              interrupt_first: bool, isolated: bool) -> tuple[int, bool]:
    """Copy the child's pipes (`streams`, by descriptor) until it exits, stop it after
    `limit` seconds (SIGINT or SIGTERM first, SIGKILL after a grace period), sweep its
    group and reap it. Returns its exit code and whether the limit stopped it.

    The child stays a zombie (WNOWAIT) while its group is swept, so its id, which names
    the group, cannot be reused in between.
    """
    nowait = isolated and os.name == "posix" and hasattr(os, "waitid")
    first = signal.SIGINT if interrupt_first else signal.SIGTERM
    grace = INTERRUPT_GRACE if interrupt_first else TIMEOUT_GRACE
    started = time.monotonic()
    fired: float | None = None
    killed = False
    with _exit_signal(proc, nowait) as exit_fd:
        exited = False
        while not exited:
            now = time.monotonic()
            if fired is None and now - started >= limit:
                fired = now
                signal_group(proc, first)
            elif fired is not None and not killed and now - fired >= grace:
                killed = True
                signal_group(proc, _SIGKILL)
            due = started + limit if fired is None else fired + grace
            wait = min(0.1, max(due - now, 0.0)) if not killed else 0.1
            ready = select.select([exit_fd, *streams], [], [], wait)[0]
            exited = exit_fd in ready
            _read(ready, streams)
    if nowait:
        signal_group(proc, _SIGKILL)
    _drain(streams)
    return proc.wait(), fired is not None


def _read(ready: list[int], streams: dict[int, Stream]) -> None:
    for fd in ready:
        if fd in streams:
            data = os.read(fd, CHUNK)
            if data:
                streams[fd].feed(data)
            else:
                streams.pop(fd).close()


def _drain(streams: dict[int, Stream]) -> None:
    """Read what the pipes still hold, for at most DRAIN_SECONDS: a process that escaped
    the child's group may keep a pipe open forever, and the step must not wait for it."""
    deadline = time.monotonic() + DRAIN_SECONDS
    while streams and (left := deadline - time.monotonic()) > 0:
        _read(select.select(list(streams), [], [], left)[0], streams)
    for stream in streams.values():
        stream.close()
    streams.clear()


@contextmanager
def _exit_signal(proc: subprocess.Popen[bytes], nowait: bool) -> Iterator[int]:
    """A descriptor that becomes readable when `proc` exits (without reaping it)."""
    if hasattr(os, "pidfd_open"):
        try:
            fd = os.pidfd_open(proc.pid)
        except OSError:  # an old kernel: fall back to a watcher thread
            pass
        else:
            try:
                yield fd
            finally:
                os.close(fd)
            return
    read_end, write_end = os.pipe()

    def watch() -> None:
        try:
            if nowait:
                os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOWAIT)
            else:
                proc.wait()
        except OSError:
            pass  # already reaped (we were interrupted and stopped it)
        os.close(write_end)

    threading.Thread(target=watch, daemon=True, name="edgespark-wait").start()
    try:
        yield read_end
    finally:
        os.close(read_end)


def stop(proc: subprocess.Popen[bytes], *, interrupt: bool = False) -> None:
    """Stop a child (SIGINT first when interrupting, then SIGTERM, then SIGKILL), reap it."""
    if proc.poll() is not None:
        return
    plan = ([(signal.SIGINT, INTERRUPT_GRACE), (signal.SIGTERM, INTERRUPT_GRACE / 2)]
            if interrupt else [(signal.SIGTERM, TIMEOUT_GRACE)])
    for sig, grace in plan:
        signal_group(proc, sig)
        try:
            proc.wait(timeout=grace)
            break
        except subprocess.TimeoutExpired:
            continue
    else:
        proc.kill()
        proc.wait()
    if os.name == "posix":
        signal_group(proc, _SIGKILL)  # helpers it left behind
