"""Live copying of a child's stdout and stderr, redacted, keeping a bounded tail.

Memory stays bounded however much the CLI prints: output arrives in chunks of at most
`CHUNK` bytes, is written through up to the last complete line, and only the last
`TAIL_CHARS` characters are kept (for error messages and for the few facts parsed from
output, like deploy's URL). No thread: the runner's wait loop feeds the chunks.
"""

from __future__ import annotations

import codecs
from collections import deque
from typing import TextIO

from edgespark_tasks.runner.redact import Redactor

CHUNK = 64 * 1024
TAIL_CHARS = 1024 * 1024


class Stream:
    """One pipe of the child: decodes, redacts whole lines and writes them to `sink`."""

    def __init__(self, sink: TextIO, kept: Kept) -> None:
        self._sink = sink
        self._kept = kept
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._pending = ""

    def feed(self, data: bytes) -> None:
        """A chunk read from the pipe."""
        self._pending += self._decoder.decode(data)
        # Whole lines at once, so a secret is never split across two writes.
        cut = self._pending.rfind("\n") + 1
        redactor = self._kept.redactor
        if not cut and len(self._pending) > CHUNK:  # a very long line: a safe cut in it
            cut = redactor.safe_split(self._pending, 4 * redactor.longest + 64)
        if cut:
            self._emit(self._pending[:cut])
            self._pending = self._pending[cut:]

    def close(self) -> None:
        """The pipe reached its end: write what is left."""
        self._emit(self._pending + self._decoder.decode(b"", final=True))
        self._pending = ""

    def _emit(self, text: str) -> None:
        if not text:
            return
        text = self._kept.add(text)
        try:
            self._sink.write(text)
            self._sink.flush()
        except (OSError, ValueError):
            pass  # our own output is closed; keep draining so the child never blocks


class Kept:
    """The redacted tail of everything both pipes printed."""

    def __init__(self, redactor: Redactor) -> None:
        self.redactor = redactor
        self._tail: deque[str] = deque()
        self._size = 0
        self._dropped = 0

    def add(self, text: str) -> str:
        """Redact `text`, keep it (dropping the oldest beyond TAIL_CHARS); the redacted text."""
        text = self.redactor(text)
        self._tail.append(text)
        self._size += len(text)
        while self._size > TAIL_CHARS and len(self._tail) > 1:
            dropped = self._tail.popleft()
            self._size -= len(dropped)
            self._dropped += len(dropped)
        return text

    def text(self) -> str:
        """The end of what the child printed (all of it when short), redacted."""
        head = f"[{self._dropped} earlier characters not kept]\n" if self._dropped else ""
        return head + "".join(self._tail)
