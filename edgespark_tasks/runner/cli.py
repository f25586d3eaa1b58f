"""The CLI runner: the only place that starts the `edgespark` process.

It takes a CliCall (an argv and a few facts) and knows nothing of the step catalogue:
resolution, capability checks, live streaming with a bounded kept tail, exit-code classes,
timeouts, Ctrl-C/SIGTERM forwarding, the one-at-a-time project lock, redaction.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Mapping
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, TextIO

from edgespark_tasks import errors
from edgespark_tasks.project.model import Project
from edgespark_tasks.project.settings import Settings
from edgespark_tasks.runner import process
from edgespark_tasks.runner.call import CliCall
from edgespark_tasks.runner.exit_classes import classify
from edgespark_tasks.runner.lock import held_fd, project_lock
from edgespark_tasks.runner.redact import Redactor, secret_flag_values
from edgespark_tasks.runner.signals import interrupts_held, sigterm_as_interrupt
from edgespark_tasks.runner.stream import Kept, Stream
from edgespark_tasks.runner.which import which

if TYPE_CHECKING:
    from edgespark_tasks.runner.capabilities import CliInfo

INSTALL_HINT = "install it with `npm install -g @edgespark/cli`, or set EDGESPARK_CLI"


def install_hint(settings: Settings) -> str:
    """What to do about a CLI that cannot start: never "set EDGESPARK_CLI" when it is set."""
    if not settings.cli:
        return INSTALL_HINT
    where = settings.sources.get("cli", "the cli setting")
    return (f"fix {where} (it names {settings.cli[0]!r}), or install the CLI with "
            "`npm install -g @edgespark/cli`")
_warned_key_in_cli: set[tuple[str, ...]] = set()


class CliRun(NamedTuple):
    """What one CLI call did."""

    argv: tuple[str, ...]  # already redacted
    returncode: int
    output: str  # the end of stdout + stderr as streamed (all of it when short), redacted
    duration: float


def resolve(settings: Settings, project: Project | None,
            environ: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """The CLI command line: `cli` setting/EDGESPARK_CLI, else PATH, else node_modules/.bin."""
    if settings.cli:
        head = settings.cli[0]
        if which(head) is None and not Path(head).is_file():
            raise errors.CliNotFoundError(
                f"the configured edgespark CLI {head!r} was not found", install_hint(settings))
        return settings.cli
    environ = os.environ if environ is None else environ
    found = which("edgespark", path=environ.get("PATH"))
    if found:
        return (found,)
    if project is not None:
        for folder in dict.fromkeys((project.root, project.server_dir)):
            local = which("edgespark", path=str(folder / "node_modules" / ".bin"))
            if local:
                return (local,)
    raise errors.CliNotFoundError("the edgespark CLI was not found", INSTALL_HINT)


def warn_key_in_command(command: tuple[str, ...], err: TextIO) -> None:
    """Once per command line: an API key in the CLI setting is masked, but misplaced."""
    if secret_flag_values(command) and command not in _warned_key_in_cli:
        _warned_key_in_cli.add(command)
        err.write("warning: the CLI setting carries an API key (--api-key ***); it is masked "
                  "in all output, but it belongs in EDGESPARK_API_KEY, not in EDGESPARK_CLI "
                  "or the `cli` setting\n")
        err.flush()


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
            command = resolve(self.settings, self.project, self.environ)
            self.redactor.add_argv(command)
            warn_key_in_command(command, self.err)
            self._command = command
        return self._command

    def lock(self) -> AbstractContextManager[None]:
        """The project's one-at-a-time lock (re-entrant within a thread)."""
        return project_lock(self.project.state_dir, self.settings.lock_timeout, self.err)

    def info(self) -> CliInfo:
        """Version and command surface of the CLI: cached, else probed under the lock."""
        from edgespark_tasks.runner import capabilities

        command = self.command
        known = capabilities.cached(command, self.project.state_dir)
        if known is None:
            with self.lock():  # a second tool waits, then finds the cache filled
                known = capabilities.probe(command, self.project.state_dir, self.environ,
                                           redactor=self.redactor)
        known._environ = self.environ
        return known

    def learn(self, calls: list[CliCall]) -> CliInfo:
        """The CLI's info with everything these calls need probed (concurrently) and saved."""
        from edgespark_tasks.runner.capabilities import save

        info = self.info()
        if any(info.known(call.args) is None for call in calls):
            with self.lock():
                info.learn(call.args for call in calls)
                save(info, self.project.state_dir)
        else:
            save(info, self.project.state_dir)
        return info

    def placement(self, info: CliInfo, call: CliCall) -> tuple[Path, dict[str, str]]:
        """Where to run `call` (a folder) and what to add to its environment.

        A CLI that knows only the server-only layout (0.0.9) reads edgespark.toml from its
        working folder and treats that folder as the server: from a full-stack root it writes
        `src/__generated__/` at the root and cannot find `src/index.ts`. Run from the server
        folder, with the project id passed in the environment, a command that touches only
        the server's generated files (or nothing on disk) does exactly what the full-stack
        layout expects; that is provable only under the conditions checked here. Anything
        else (deploy, which bundles the whole project) raises CliLayoutError.
        """
        project = self.project
        if project.server_in_root or info.serves_full_stack:
            return project.root, {}
        why = self._server_folder_unprovable(call)
        if why:
            raise errors.CliLayoutError(
                f"edgespark {info.version} cannot serve {project.name}'s full-stack layout "
                f"for `{call.label}`: it reads edgespark.toml from its working folder and "
                "expects src/ beside it (from the root, `pull types` would write "
                "src/__generated__ there and `deploy` would not find src/index.ts), and "
                f"{why}; nothing was run",
                "upgrade the CLI (`npm install -g @edgespark/cli@latest`)")
        extra = {} if self.environ.get("EDGESPARK_PROJECT_ID") else {
            "EDGESPARK_PROJECT_ID": str(project.project_id)}
        return project.server_dir, extra

    def _server_folder_unprovable(self, call: CliCall) -> str:
        """Why running `call` from the server folder would not be provably right ("" if it
        would be)."""
        project = self.project
        defaults = project.toml.get("defaults")
        if call.footprint != "server":
            return "it builds the whole project (server and web), so it cannot run elsewhere"
        if not project.project_id:
            return "edgespark.toml has no project_id to pass from the server folder"
        if not (project.server_dir / "package.json").is_file():
            return f"{project.relative(project.server_dir)}/package.json is missing"
        if project.generated_dir != project.server_dir / "src" / "__generated__":
            return "paths.generated is not the server folder's src/__generated__"
        if isinstance(defaults, dict) and defaults.get("environment") and (
                "--environment" not in call.args):
            return "edgespark.toml sets [defaults] environment, which it reads from its folder"
        return ""

    def ensure_layout(self, info: CliInfo, calls: list[CliCall]) -> None:
        """Raise CliLayoutError when one of `calls` cannot run in this project's layout."""
        for call in calls:
            self.placement(info, call)

    def ensure_available(self, call: CliCall) -> CliInfo:
        """Raise StepUnavailableError when the installed CLI lacks `call`'s command, and
        CliLayoutError when it cannot serve the project's layout; the CLI's info."""
        info = self.learn([call])
        if call.args and not info.known(call.args):
            raise errors.StepUnavailableError(
                f"{call.name}: `{call.label}` is not available in edgespark {info.version}",
                "upgrade the CLI (`npm install -g @edgespark/cli@latest`) or skip this step",
            )
        self.ensure_layout(info, [call])
        return info

    def run(self, call: CliCall, *, check: bool = True,
            stop_after: float | None = None) -> CliRun:
        """Run `call`; raises the classified CliError on failure when `check`.

        `stop_after`: a long-running command (log tail) is stopped after that many seconds,
        which counts as success.
        """
        timeout = self.settings.step_timeout(call.name)
        with self.lock():
            cwd, extra = self.placement(self.ensure_available(call), call)
            argv = [*self.command, *call.args]
            started = time.monotonic()
            if call.interactive:
                returncode, output = self._attached(argv, call, timeout, cwd, extra)
            else:
                returncode, output = self._streamed(argv, call, timeout, stop_after, cwd, extra)
        run = CliRun(tuple(self.redactor.argv(argv)), returncode, output,
                     time.monotonic() - started)
        if check and returncode != 0:
            raise classify(call.label, returncode, stale_exit=call.stale_exit)
        return run

    def _spawn(self, argv: list[str], *, isolate: bool, cwd: Path, extra: dict[str, str],
               **kwargs: object) -> subprocess.Popen[bytes]:
        exe = which(argv[0]) or argv[0]
        if not os.path.isfile(exe):
            raise errors.CliNotFoundError(f"cannot start {argv[0]!r}",
                                          install_hint(self.settings))
        if not os.access(exe, os.X_OK):
            raise errors.CliNotFoundError(f"{argv[0]!r} is not executable",
                                          install_hint(self.settings))
        try:
            return process.spawn(argv, isolate=isolate, lock_fd=held_fd(self.project.state_dir),
                                 cwd=cwd, env={**self.environ, **extra}, **kwargs)
        except FileNotFoundError:
            raise errors.CliNotFoundError(f"cannot start {argv[0]!r}",
                                          install_hint(self.settings)) from None
        except PermissionError:
            raise errors.CliNotFoundError(f"{argv[0]!r} is not executable",
                                          install_hint(self.settings)) from None

    def _streamed(self, argv: list[str], call: CliCall, timeout: float,
                  stop_after: float | None, cwd: Path,
                  extra: dict[str, str]) -> tuple[int, str]:
        kept = Kept(self.redactor)
        tailing = stop_after is not None and stop_after < timeout
        proc: subprocess.Popen[bytes] | None = None
        # SIGTERM/SIGHUP become KeyboardInterrupt before the child starts: a signal that
        # arrives just after the spawn must still stop and reap it, never kill us alone.
        with sigterm_as_interrupt():
            try:
                proc = self._spawn(argv, isolate=True, cwd=cwd, extra=extra,
                                   stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE)
                assert proc.stdout is not None and proc.stderr is not None
                streams = {proc.stdout.fileno(): Stream(self.out, kept),
                           proc.stderr.fileno(): Stream(self.err, kept)}
                returncode, fired = process.supervise(
                    proc, streams, limit=stop_after if tailing else timeout,  # type: ignore[arg-type]
                    interrupt_first=tailing, isolated=True)
            except KeyboardInterrupt:
                if proc is not None:
                    with interrupts_held():
                        process.stop(proc, interrupt=True)
                raise errors.Interrupted(f"interrupted: {call.label} was stopped",
                                         "nothing was recorded for it") from None
            finally:
                for pipe in (proc.stdout, proc.stderr) if proc is not None else ():
                    if pipe is not None:
                        pipe.close()
        if fired and tailing:
            return 0, kept.text()
        if fired:
            raise _timed_out(call, timeout)
        return returncode, kept.text()

    def _attached(self, argv: list[str], call: CliCall, timeout: float, cwd: Path,
                  extra: dict[str, str]) -> tuple[int, str]:
        # The person's terminal, untouched: the browser URL must reach them, nothing is kept.
        proc = self._spawn(argv, isolate=False, cwd=cwd, extra=extra)
        try:
            returncode, fired = process.supervise(proc, {}, limit=timeout,
                                                  interrupt_first=True, isolated=False)
        except KeyboardInterrupt:
            with interrupts_held():
                process.stop(proc, interrupt=True)
            raise errors.Interrupted(f"interrupted: {call.label} was stopped") from None
        if fired:
            raise _timed_out(call, timeout)
        return returncode, ""


def _timed_out(call: CliCall, timeout: float) -> errors.StepTimeoutError:
    return errors.StepTimeoutError(
        f"{call.label} ran past its {timeout:g}s timeout and was stopped",
        f"raise timeouts.{call.name} in [tool.edgespark-tasks] if it needs longer",
        returncode=124)
