"""SIGTERM and SIGHUP treated like Ctrl-C while a child runs, so all three stop and reap it
the same way (a closed terminal sends SIGHUP; CI cancelling a job sends SIGTERM)."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

_STOPPING = ("SIGTERM", "SIGHUP")


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Within the block, SIGTERM and SIGHUP raise KeyboardInterrupt (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {name: signal.signal(getattr(signal, name), _raise_interrupt)
                for name in _STOPPING if hasattr(signal, name)}
    try:
        yield
    finally:
        for name, handler in previous.items():
            signal.signal(getattr(signal, name), handler)


@contextmanager
def interrupts_held() -> Iterator[None]:
    """Within the block, SIGINT and SIGTERM are ignored (main thread only): stopping and
    reaping the child must finish even when a second Ctrl-C, or a parent's SIGTERM (doit's
    `-n` main process terminating its workers), arrives meanwhile."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    names = ("SIGINT", *_STOPPING)
    previous = {name: signal.signal(getattr(signal, name), signal.SIG_IGN)
                for name in names if hasattr(signal, name)}
    try:
        yield
    finally:
        for name, handler in previous.items():
            signal.signal(getattr(signal, name), handler)
