"""Live streaming of a child's stdout and stderr, redacted, with a kept copy."""

from __future__ import annotations

import subprocess
import threading
from typing import IO, TextIO

from edgespark_tasks.runner.redact import Redactor


class Tee:
    """Copies the child's two pipes line by line to our streams and keeps the text."""

    def __init__(self, proc: subprocess.Popen[bytes], out: TextIO, err: TextIO,
                 redactor: Redactor) -> None:
        self._lines: list[str] = []
        self._guard = threading.Lock()
        self._redactor = redactor
        self._threads = [
            threading.Thread(target=self._pump, args=(pipe, sink), daemon=True)
            for pipe, sink in ((proc.stdout, out), (proc.stderr, err))
            if pipe is not None
        ]
        for thread in self._threads:
            thread.start()

    def _pump(self, pipe: IO[bytes], sink: TextIO) -> None:
        # Whole lines only, so a secret is never split across two writes and missed.
        for raw in iter(pipe.readline, b""):
            line = self._redactor(raw.decode("utf-8", errors="replace"))
            with self._guard:
                self._lines.append(line)
                try:
                    sink.write(line)
                    sink.flush()
                except (OSError, ValueError):
                    pass  # our own output is closed; keep draining so the child never blocks
        pipe.close()

    def join(self, timeout: float = 10.0) -> None:
        """Wait for both pipes to drain."""
        for thread in self._threads:
            thread.join(timeout)

    def text(self) -> str:
        """Everything the child printed, redacted."""
        with self._guard:
            return "".join(self._lines)
