"""Live streaming of a child's stdout and stderr, redacted, keeping a bounded tail.

Memory stays bounded however much the CLI prints: output is read in chunks of at most
`CHUNK` bytes, written through up to the last complete line, and only the last `TAIL_CHARS`
characters are kept
(for error messages and for the few facts parsed from output, like deploy's URL).
"""

from __future__ import annotations

import codecs
import os
import subprocess
import threading
import time
from collections import deque
from typing import IO, TextIO

from edgespark_tasks.runner.redact import Redactor

CHUNK = 64 * 1024
TAIL_CHARS = 1024 * 1024


class Tee:
    """Copies the child's two pipes to our streams as they arrive and keeps the tail."""

    def __init__(self, proc: subprocess.Popen[bytes], out: TextIO, err: TextIO,
                 redactor: Redactor) -> None:
        self._tail: deque[str] = deque()
        self._kept = 0
        self._dropped = 0
        self._guard = threading.Lock()
        self._redactor = redactor
        self._threads = [
            threading.Thread(target=self._pump, args=(pipe, sink), daemon=True)
            for pipe, sink in ((proc.stdout, out), (proc.stderr, err))
            if pipe is not None
        ]
        for thread in self._threads:
            thread.start()

    def _emit(self, text: str, sink: TextIO) -> None:
        if not text:
            return
        text = self._redactor(text)
        with self._guard:
            self._tail.append(text)
            self._kept += len(text)
            while self._kept > TAIL_CHARS and len(self._tail) > 1:
                dropped = self._tail.popleft()
                self._kept -= len(dropped)
                self._dropped += len(dropped)
            try:
                sink.write(text)
                sink.flush()
            except (OSError, ValueError):
                pass  # our own output is closed; keep draining so the child never blocks

    def _pump(self, pipe: IO[bytes], sink: TextIO) -> None:
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        pending = ""
        try:
            fd = pipe.fileno()
            while raw := os.read(fd, CHUNK):
                pending += decoder.decode(raw)
                # Whole lines at once, so a secret is never split across two writes.
                cut = pending.rfind("\n") + 1
                if not cut and len(pending) > CHUNK:  # a very long line: a safe cut in it
                    cut = self._redactor.safe_split(pending, 4 * self._redactor.longest + 64)
                if cut:
                    self._emit(pending[:cut], sink)
                    pending = pending[cut:]
            self._emit(pending + decoder.decode(b"", final=True), sink)
        except (OSError, ValueError):
            pass  # the pipe was closed under us (a helper process kept it open)
        finally:
            pipe.close()

    def join(self, timeout: float = 1.0) -> None:
        """Wait for both pipes to drain, at most `timeout` seconds in all.

        A process that escaped the child's group may keep a pipe open forever; we stop
        waiting for it (the threads are daemons) rather than hang the step.
        """
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(deadline - time.monotonic(), 0))

    def text(self) -> str:
        """The end of what the child printed (all of it when short), redacted."""
        with self._guard:
            head = (f"[{self._dropped} earlier characters not kept]\n" if self._dropped else "")
            return head + "".join(self._tail)
