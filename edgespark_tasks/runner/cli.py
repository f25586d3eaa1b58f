"""The CLI runner: the only place that starts the `edgespark` process.

Resolution, version and capability detection, live streaming with a kept copy, exit-code
classes, timeouts, Ctrl-C/SIGTERM forwarding, the one-at-a-time project lock, redaction.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from edgespark_tasks import errors
from edgespark_tasks.engine.steps import Step
from edgespark_tasks.project.model import Project
from edgespark_tasks.project.settings import Settings
from edgespark_tasks.runner.capabilities import CliInfo, probe, save
from edgespark_tasks.runner.exit_classes import classify
from edgespark_tasks.runner.lock import project_lock
from edgespark_tasks.runner.redact import Redactor
from edgespark_tasks.runner.signals import sigterm_as_interrupt

INSTALL_HINT = "install it with `npm install -g @edgespark/cli`, or set EDGESPARK_CLI"
_GRACE_SECONDS = 5.0

@dataclass(frozen=True)
class CliRun:
    """What one CLI call did."""

    argv: tuple[str, ...]  # already redacted
    returncode: int
    output: str  # stdout + stderr as streamed, redacted
    duration: float


def resolve(settings: Settings, project: Project | None,
            environ: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """The CLI command line: `cli` setting/EDGESPARK_CLI, else PATH, else node_modules/.bin."""
    if settings.cli:
        head = settings.cli[0]
        if shutil.which(head) is None and not Path(head).is_file():
            raise errors.CliNotFoundError(
                f"the configured edgespark CLI {head!r} was not found", INSTALL_HINT)
        return settings.cli
    environ = os.environ if environ is None else environ
    found = shutil.which("edgespark", path=environ.get("PATH"))
    if found:
        return (found,)
    if project is not None:
        for folder in dict.fromkeys((project.root, project.server_dir)):
            local = shutil.which("edgespark", path=str(folder / "node_modules" / ".bin"))
            if local:
                return (local,)
    raise errors.CliNotFoundError("the edgespark CLI was not found", INSTALL_HINT)


class Runner:
    """Runs CLI commands for one project, one at a time, streaming and classifying."""

    def __init__(self, settings: Settings, project: Project, *, redactor: Redactor | None = None,
                 out: TextIO | None = None, err: TextIO | None = None,
                 environ: Mapping[str, str] | None = None) -> None:
        self.settings = settings
        self.project = project
        self.environ = dict(os.environ if environ is None else environ)
        self.redactor = redactor or Redactor.from_environ(self.environ)
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self._command: tuple[str, ...] | None = None

    @property
    def command(self) -> tuple[str, ...]:
        """The resolved CLI command line (resolved once)."""
        if self._command is None:
            self._command = resolve(self.settings, self.project, self.environ)
            self.redactor.add_argv(self._command)
        return self._command

    def info(self) -> CliInfo:
        """Version and command surface of the CLI (probed once, cached on disk)."""
        return probe(self.command, self.project.state_dir, self.environ)

    def ensure_available(self, step: Step) -> None:
        """Raise StepUnavailableError when the installed CLI lacks `step`'s command."""
        info = self.info()
        supported = info.supports(step.argv)
        save(info, self.project.state_dir)
        if step.argv and not supported:
            raise errors.StepUnavailableError(
                f"{step.id}: `{step.command}` is not available in edgespark {info.version}",
                "upgrade the CLI (`npm install -g @edgespark/cli@latest`) or skip this step",
            )

    def argv_for(self, step: Step, extra: Sequence[str] = (),
                 environment: str | None = None) -> list[str]:
        """The full argv for a step (without the CLI command prefix)."""
        argv = [*step.argv, *extra]
        if environment and step.takes_environment:
            argv += ["--environment", environment]
        return argv

    def run(self, step: Step, extra: Sequence[str] = (), *, environment: str | None = None,
            interactive: bool = False, check: bool = True,
            stop_after: float | None = None) -> CliRun:
        """Run `step`'s command; raises the classified CliError on failure when `check`.

        `stop_after`: a long-running command (log tail) is stopped after that many seconds,
        which counts as success.
        """
        self.ensure_available(step)
        argv = [*self.command, *self.argv_for(step, extra, environment)]
        shown = tuple(self.redactor.argv(argv))
        timeout = self.settings.step_timeout(step.id)
        with project_lock(self.project.state_dir, self.settings.lock_timeout, self.err):
            started = time.monotonic()
            if interactive:
                returncode, output = self._attached(argv, timeout)
            else:
                returncode, output = self._streamed(argv, timeout, step, stop_after)
        run = CliRun(shown, returncode, output, time.monotonic() - started)
        if check and returncode != 0:
            raise classify(step, returncode)
        return run

    def _popen(self, argv: list[str], **kwargs: object) -> subprocess.Popen[bytes]:
        try:
            return subprocess.Popen(argv, cwd=self.project.root, env=self.environ, **kwargs)  # type: ignore[call-overload,no-any-return]
        except FileNotFoundError:
            raise errors.CliNotFoundError(f"cannot start {argv[0]!r}", INSTALL_HINT) from None
        except PermissionError:
            raise errors.CliNotFoundError(f"{argv[0]!r} is not executable", INSTALL_HINT) from None

    def _streamed(self, argv: list[str], timeout: float, step: Step,
                  stop_after: float | None = None) -> tuple[int, str]:
        from edgespark_tasks.runner.stream import (
            Tee,  # local: only the runner's streaming path needs threads
        )

        isolate: dict[str, object] = (
            {"creationflags": getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0)} if os.name == "nt"
            else {"start_new_session": True}  # Ctrl-C reaches us; we forward it, then reap
        )
        proc = self._popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, **isolate)
        tee = Tee(proc, self.out, self.err, self.redactor)
        with sigterm_as_interrupt():
            try:
                returncode = proc.wait(timeout=min(timeout, stop_after or timeout))
            except subprocess.TimeoutExpired:
                if stop_after is not None and stop_after < timeout:
                    stop(proc, interrupt=True)
                    tee.join()
                    return 0, tee.text()
                stop(proc)
                tee.join()
                raise errors.StepTimeoutError(
                    f"{step.command} ran past its {timeout:g}s timeout and was stopped",
                    f"raise timeouts.{step.id} in [tool.edgespark-tasks] if it needs longer",
                    returncode=124,
                ) from None
            except KeyboardInterrupt:
                stop(proc, interrupt=True)
                tee.join()
                raise errors.Interrupted(
                    f"interrupted: {step.command} was stopped", "nothing was recorded for it"
                ) from None
        tee.join()
        return returncode, tee.text()

    def _attached(self, argv: list[str], timeout: float) -> tuple[int, str]:
        # The person's terminal, untouched: the browser URL must reach them, nothing is kept.
        proc = self._popen(argv)
        try:
            return proc.wait(timeout=timeout), ""
        except (KeyboardInterrupt, subprocess.TimeoutExpired):
            stop(proc, interrupt=True)
            raise errors.Interrupted("interrupted: the CLI was stopped") from None


def stop(proc: subprocess.Popen[bytes], *, interrupt: bool = False) -> None:
    """Stop a child (SIGINT first when interrupting, then SIGTERM, then SIGKILL) and reap it."""
    import signal

    if proc.poll() is not None:
        return
    sequence = [signal.SIGINT, signal.SIGTERM] if interrupt else [signal.SIGTERM]
    for sig in sequence:
        try:
            if os.name == "nt":
                proc.send_signal(signal.CTRL_BREAK_EVENT if sig == signal.SIGINT else sig)  # type: ignore[attr-defined]
            else:
                os.killpg(proc.pid, sig)
        except (ProcessLookupError, PermissionError, OSError):
            pass
        try:
            proc.wait(timeout=_GRACE_SECONDS)
            return
        except subprocess.TimeoutExpired:
            continue
    proc.kill()
    proc.wait()
