"""Time passing while a step is silent: a CLI retrying the network for 8 s looks hung.

The session's two output streams are wrapped (`Progress.wrap`); every write marks activity.
While a step runs (`Progress.watch`), a daemon thread looks at the silence:
- at a terminal, after 2 s of silence a spinner with the elapsed seconds is drawn on one line
  (`⠋ deploy 5s`), erased before the next real line and when the step ends;
- elsewhere (pipes, CI logs), a line `still running (N s): deploy` every 15 s of silence.
Nothing is drawn when the step prints.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from typing import Any, TextIO

FRAMES = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
ERASE = "\r\x1b[K"


class Progress:
    """Activity of one session's output, and the spinner or heartbeat drawn on silence."""

    def __init__(self, out: TextIO, err: TextIO, *, after: float = 2.0,
                 every: float = 15.0) -> None:
        self.out, self.err = Watched(out, self), Watched(err, self)
        self.after, self.every = after, every
        self.lock = threading.RLock()
        self.last = time.monotonic()
        self.drawn: TextIO | None = None  # the stream holding a spinner line now
        self.started = self.last

    def touched(self) -> None:
        """A real write happened: erase the spinner first (called under the lock)."""
        if self.drawn is not None:
            self.drawn.write(ERASE)
            self.drawn = None
        self.last = time.monotonic()

    @contextmanager
    def watch(self, label: str) -> Iterator[None]:
        """Show time passing while `label` runs silently."""
        stop = threading.Event()
        screen = next((s for s in (self.err.inner, self.out.inner) if _isatty(s)), None)
        thread = threading.Thread(target=self._loop, args=(label, stop, screen), daemon=True)
        self.started = self.last = time.monotonic()
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join(1.0)
            with self.lock:
                if self.drawn is not None:
                    self.drawn.write(ERASE)
                    self.drawn.flush()
                    self.drawn = None

    def _loop(self, label: str, stop: threading.Event, screen: TextIO | None) -> None:
        frame, said = 0, 0.0
        while not stop.wait(0.1 if screen is not None else 0.5):
            now = time.monotonic()
            silent, elapsed = now - self.last, now - self.started
            with self.lock:
                try:
                    if screen is not None and silent >= self.after:
                        screen.write(f"\r{FRAMES[frame % len(FRAMES)]} {label} {elapsed:.0f}s")
                        screen.flush()
                        self.drawn, frame = screen, frame + 1
                    elif screen is None and silent >= self.every and now - said >= self.every:
                        self.err.inner.write(f"still running ({elapsed:.0f} s): {label}\n")
                        self.err.inner.flush()
                        said = now
                except (OSError, ValueError):
                    return  # the reader went away: nothing more to show


class Watched:
    """A text stream that reports every write to its Progress (and passes the rest on)."""

    def __init__(self, inner: TextIO, progress: Progress) -> None:
        self.inner, self.progress = inner, progress

    def write(self, text: str) -> int:
        with self.progress.lock:
            self.progress.touched()
            return self.inner.write(text)

    def flush(self) -> None:
        self.inner.flush()

    def __getattr__(self, name: str) -> Any:  # fileno, isatty, encoding...
        return getattr(self.inner, name)


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError, OSError):
        return False


def watching(out: Any, label: str) -> Any:
    """`Progress.watch(label)` when `out` is a watched stream, else a context doing nothing."""
    progress = getattr(out, "progress", None)
    if isinstance(progress, Progress):
        return progress.watch(label)
    return nullcontext()
