"""Starting, stopping and reaping the CLI child so that it never outlives us unguarded.

- The child runs in its own process group (its own session on POSIX), so a Ctrl-C at the
  terminal reaches us first; we forward it, then escalate, and always reap.
- On Linux the child gets SIGKILL when the thread that started it dies (PR_SET_PDEATHSIG),
  so `kill -9` of the tool, a closed terminal (SIGHUP) or a killed doit worker does not
  leave it running. macOS has no such signal: there the inherited lock descriptor (see
  lock.py) keeps the project locked until the orphaned child ends, so nothing overlaps it.
- When the child exits, whatever it left in its group (a helper that kept stdout open) is
  killed, so a step never waits on it and nothing is left running.
- Timeouts are a timer that signals the group: the waiting thread blocks in `wait()`,
  without polling, so a call costs the same however long it takes.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

INTERRUPT_GRACE = 1.0  # after SIGINT, before SIGTERM (and as long again before SIGKILL)
TIMEOUT_GRACE = 5.0  # after SIGTERM on a timeout, before SIGKILL
_PR_SET_PDEATHSIG = 1
_SIGKILL = getattr(signal, "SIGKILL", signal.SIGTERM)


def _die_with_parent() -> Callable[[], None] | None:
    """A preexec function asking Linux to SIGKILL the child when we die (None elsewhere)."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    prctl = ctypes.CDLL(None, use_errno=True).prctl
    parent = os.getpid()

    def preexec() -> None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # we died between fork and prctl
            os._exit(1)

    return preexec


def spawn(argv: list[str], *, isolate: bool, lock_fd: int | None,
          **kwargs: Any) -> subprocess.Popen[bytes]:
    """Start the child. `isolate`: its own process group; `lock_fd`: inherited by it."""
    if os.name == "nt":
        if isolate:
            kwargs["creationflags"] = getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0)
        return subprocess.Popen(argv, **kwargs)
    return subprocess.Popen(argv, start_new_session=isolate, preexec_fn=_die_with_parent(),
                            pass_fds=(lock_fd,) if lock_fd is not None else (), **kwargs)


def signal_group(proc: subprocess.Popen[bytes], sig: int) -> None:
    """Send `sig` to the child's process group, or to the child alone when it shares ours
    (an attached, interactive child) or on Windows."""
    try:
        if os.name == "nt":
            if proc.poll() is None:
                proc.send_signal(signal.CTRL_BREAK_EVENT if sig == signal.SIGINT  # type: ignore[attr-defined]
                                 else signal.SIGTERM)
        elif os.getpgid(proc.pid) == proc.pid:  # its own group: helpers included
            os.killpg(proc.pid, sig)
        else:
            proc.send_signal(sig)
    except (ProcessLookupError, PermissionError, OSError):
        pass


def wait_and_sweep(proc: subprocess.Popen[bytes], *, isolated: bool) -> int:
    """Block until the child exits, kill what it left in its group, reap it; its exit code.

    We wait in `select` on a descriptor that becomes readable the instant the child exits
    (a pidfd on Linux, else a pipe written by a watcher thread): no polling of the child.
    The select is cut into tenths of a second only so that a Ctrl-C the kernel handed to
    another thread (Python runs handlers in the main thread alone, and a system call
    blocked there would never notice) still interrupts it promptly; `select` is safe to
    interrupt, unlike a threading.Event. The child stays a zombie (WNOWAIT) while its
    group is swept, so its id, which names the group, cannot be reused in between.
    """
    nowait = isolated and os.name == "posix" and hasattr(os, "waitid")
    with _exit_signal(proc, nowait) as ready:
        while not select.select([ready], [], [], 0.1)[0]:
            pass
    if nowait:
        signal_group(proc, _SIGKILL)
    return proc.wait()


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


class Deadline:
    """A timer that stops the child's group after `seconds` (SIGINT or SIGTERM first,
    SIGKILL after a grace period). `fired` says whether it did."""

    def __init__(self, proc: subprocess.Popen[bytes], seconds: float, *,
                 interrupt: bool) -> None:
        self.fired = False
        self._proc = proc
        self._first = signal.SIGINT if interrupt else signal.SIGTERM
        self._grace = INTERRUPT_GRACE if interrupt else TIMEOUT_GRACE
        self._timers = [threading.Timer(seconds, self._fire)]
        self._timers[0].daemon = True
        self._timers[0].start()

    def _fire(self) -> None:
        self.fired = True
        signal_group(self._proc, self._first)
        kill = threading.Timer(self._grace, signal_group, (self._proc, _SIGKILL))
        kill.daemon = True
        self._timers.append(kill)
        kill.start()

    def cancel(self) -> None:
        """The child ended: no more signals."""
        for timer in self._timers:
            timer.cancel()
