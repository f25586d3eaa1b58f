"""`run deploy --all-projects [--jobs N]`: every project with something to do, in parallel.

Each project runs in a child process of our own console (`edgespark-tasks --project DIR run
deploy --json FILE`), not in a thread: a project's pipeline keeps its own working state, CLI
runner, redactor and project lock exactly as in a single-project run, a crash in one cannot
corrupt another, and Ctrl-C has one clear path: each child gets SIGINT, stops its CLI and
exits, and we reap every child before returning. Within a project the pipeline still runs
one CLI command at a time under the project lock; across projects up to `jobs` run at once.

Output lines are prefixed with the project's folder (GitHub workflow commands, `::...`,
are passed through unprefixed so the runner still reads them). The combined report lists
each project's result and embeds its own JSON report.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, TextIO

from edgespark_tasks import errors
from edgespark_tasks.runner.process import signal_group, spawn, stop
from edgespark_tasks.runner.redact import Redactor
from edgespark_tasks.runner.signals import sigterm_as_interrupt

_POLL_SECONDS = 0.05
_GRACE_SECONDS = 10.0  # a child stops its CLI (up to 5 s each step) then writes its report


@dataclass
class ProjectRun:
    """One project of an all-projects run."""

    root: Path
    path: str  # as shown: relative to where the command ran
    result: str = "pending"  # ok | failed | interrupted | nothing-to-do | not-started
    exit_code: int | None = None
    duration: float = 0.0
    report: dict[str, Any] | None = None
    proc: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    started: float = 0.0
    json_file: Path | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"project": self.path, "result": self.result, "exit_code": self.exit_code,
                "duration": round(self.duration, 3), "report": self.report}


@dataclass
class AllProjects:
    """The runs, the options shared by every child, and where output goes."""

    runs: list[ProjectRun]
    child_args: Sequence[str]  # after `run deploy`: --force, --skip X, --yes...
    global_args: Sequence[str] = ()  # before `run`: --environment, --cli
    jobs: int = 1
    fail_fast: bool = False
    out: TextIO = field(default_factory=lambda: sys.stdout)
    err: TextIO = field(default_factory=lambda: sys.stderr)
    redactor: Redactor = field(default_factory=Redactor.from_environ)
    _write_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _readers: list[threading.Thread] = field(default_factory=list, repr=False)

    def run(self) -> None:
        """Start children as slots free up, reap them; on Ctrl-C/SIGTERM stop them all."""
        waiting = [r for r in self.runs if r.result == "pending"]
        with tempfile.TemporaryDirectory(prefix="edgespark-all-") as tmp, sigterm_as_interrupt():
            try:
                self._loop(waiting, Path(tmp))
            except KeyboardInterrupt:
                self._stop_all("interrupted")
                raise errors.Interrupted(
                    "interrupted: every project's deploy was stopped",
                    "each project recorded only the steps that finished") from None
            finally:
                for reader in self._readers:
                    reader.join()

    def _loop(self, waiting: list[ProjectRun], tmp: Path) -> None:
        running: list[ProjectRun] = []
        while waiting or running:
            while waiting and len(running) < self.jobs:
                run = waiting.pop(0)
                self._start(run, tmp)
                running.append(run)
            time.sleep(_POLL_SECONDS)
            for run in [r for r in running if r.proc is not None and r.proc.poll() is not None]:
                running.remove(run)
                self._finish(run)
                if run.result == "failed" and self.fail_fast:
                    for other in waiting:
                        other.result = "not-started"
                    waiting.clear()
                    self._stop_all("interrupted")  # stops and reaps the running ones
                    running.clear()
                    break

    def _start(self, run: ProjectRun, tmp: Path) -> None:
        run.json_file = tmp / f"{len(self._readers)}.json"
        argv = [sys.executable, "-m", "edgespark_tasks.console", "--project", str(run.root),
                *self.global_args, "run", "deploy", "--json", str(run.json_file),
                *self.child_args]
        env = {k: v for k, v in os.environ.items() if k != "GITHUB_OUTPUT"}
        env["PYTHONUNBUFFERED"] = "1"
        run.started = time.monotonic()
        # Own session: a terminal's Ctrl-C reaches only us; we forward it to each child once.
        run.proc = spawn(argv, isolate=True, lock_fd=None, stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        assert run.proc.stdout is not None and run.proc.stderr is not None
        for pipe, target in ((run.proc.stdout, self.out), (run.proc.stderr, self.err)):
            reader = threading.Thread(target=self._relay, args=(run.path, pipe, target),
                                      daemon=True)
            reader.start()
            self._readers.append(reader)

    def _relay(self, prefix: str, pipe: IO[bytes], target: TextIO) -> None:
        for raw in iter(pipe.readline, b""):
            line = self.redactor(raw.decode("utf-8", "replace").rstrip("\r\n"))
            text = line if line.startswith("::") else f"[{prefix}] {line}"
            with self._write_lock:
                target.write(text + "\n")
                target.flush()
        pipe.close()

    def _finish(self, run: ProjectRun) -> None:
        assert run.proc is not None
        code = run.proc.wait()
        run.duration = time.monotonic() - run.started
        run.exit_code = code
        if run.result != "interrupted":
            run.result = "ok" if code == 0 else ("interrupted" if code == 130 else "failed")
        if run.json_file is not None and run.json_file.is_file():
            try:
                run.report = json.loads(run.json_file.read_text())
            except ValueError:
                run.report = None

    def _stop_all(self, result: str) -> None:
        """SIGINT to every running child at once, a grace period, then SIGTERM/SIGKILL."""
        live = [r for r in self.runs if r.proc is not None and r.proc.poll() is None]
        for run in live:
            assert run.proc is not None
            run.result = result
            signal_group(run.proc, signal.SIGINT)
        deadline = time.monotonic() + _GRACE_SECONDS
        for run in live:
            assert run.proc is not None
            try:
                run.proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                stop(run.proc)  # SIGTERM, then SIGKILL
            self._finish(run)
        for run in self.runs:
            if run.result == "pending":
                run.result = "not-started"
