"""What a step implementation receives (StepContext) and returns (StepResult)."""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, TextIO

from edgespark_tasks.engine.environ import has_terminal, is_ci
from edgespark_tasks.engine.steps import Step, get
from edgespark_tasks.errors import CliNotFoundError
from edgespark_tasks.project.model import Project
from edgespark_tasks.project.settings import Settings
from edgespark_tasks.runner.redact import Redactor

__all__ = ["RunOptions", "StepContext", "StepResult", "has_terminal", "is_ci"]

if TYPE_CHECKING:
    import pluggy

    from edgespark_tasks.engine.state import StepRecords
    from edgespark_tasks.runner.cli import CliRun, Runner


class RunOptions(NamedTuple):
    """Per-run choices made on the command line (a NamedTuple: `options._replace(...)`)."""

    yes: bool = False  # accept the review prompt (new migration) without asking
    confirm_dangerous: bool = False  # pass --confirm-dangerous to db migrate / storage apply
    force: bool = False  # ignore recorded state
    dry_run: bool = False  # decide and print, run nothing
    tail_seconds: float | None = None  # log tail after deploy for N seconds
    keys: tuple[str, ...] = ()  # secrets-set: key names (never values)
    check: bool = False  # pull-types: only check freshness
    only: tuple[str, ...] = ()
    skip: tuple[str, ...] = ()
    json_path: Path | None = None  # Path("-"): the JSON goes to stdout (human output to stderr)
    preflight: bool = True  # run the offline checks before the first CLI call
    plan_format: str = "text"  # dry run: "text" (decisions and commands) or "mermaid"
    echo: bool = False  # print each CLI command line (redacted) before it runs
    verbosity: int = 1  # 0 quiet (warnings, errors, result), 1 normal, 2+ verbose
    frontend: str = "edgespark-tasks"  # whose commands hints name: inv, doit, edgespark-tasks

    @property
    def dangerous_args(self) -> tuple[str, ...]:
        """`--confirm-dangerous` when a person gave it (never read from configuration)."""
        return ("--confirm-dangerous",) if self.confirm_dangerous else ()


class StepResult:
    """What a step did. `data` is shared with later steps; `record` is saved on success;
    `nothing_to_do` is set when the step found, at run time, nothing to do.

    The engine's records are plain classes and NamedTuples, not dataclasses: every `inv` and
    `doit` run imports them (see `edgespark_tasks/__init__.py`)."""

    def __init__(self, output: str = "", returncode: int = 0,
                 data: dict[str, Any] | None = None, record: dict[str, Any] | None = None,
                 nothing_to_do: str | None = None) -> None:
        self.output = output
        self.returncode = returncode
        self.data: dict[str, Any] = {} if data is None else data
        self.record: dict[str, Any] = {} if record is None else record
        self.nothing_to_do = nothing_to_do

    def __repr__(self) -> str:
        return (f"StepResult(returncode={self.returncode!r}, data={self.data!r}, "
                f"record={self.record!r}, nothing_to_do={self.nothing_to_do!r})")


class StepContext:
    """Everything a step implementation may use. Built by the pipeline for each run:
    the project, settings, environment and run options, the CLI runner, the success
    records, this run's step catalogue, the plugin manager, the redactor, the output
    streams, and `results` (step id -> StepResult) of the steps run so far."""

    def __init__(self, project: Project, settings: Settings, environment: str | None,
                 options: RunOptions, runner: Runner, records: StepRecords,
                 steps: tuple[Step, ...], pm: pluggy.PluginManager, redactor: Redactor,
                 out: TextIO | None = None, err: TextIO | None = None,
                 results: dict[str, StepResult] | None = None) -> None:
        self.project = project
        self.settings = settings
        self.environment = environment
        self.options = options
        self.runner = runner
        self.records = records
        self.steps = steps
        self.pm = pm
        self.redactor = redactor
        self.out: TextIO = sys.stdout if out is None else out
        self.err: TextIO = sys.stderr if err is None else err
        self.results: dict[str, StepResult] = {} if results is None else results

    def __repr__(self) -> str:
        return f"StepContext(project={self.project.name!r}, environment={self.environment!r})"

    def step(self, step_id: str) -> Step:
        """A step of this run's catalogue (built-in or plugin-added)."""
        return get(step_id, self.steps)

    def cli(self, step: Step | str, extra: Sequence[str] = (), *, interactive: bool = False,
            check: bool = True) -> CliRun:
        """Run a step's CLI command with this run's environment (see cli.Runner.run)."""
        if isinstance(step, str):
            step = self.step(step)
        if self.options.echo or self.options.verbosity >= 2:
            try:
                prefix = list(self.runner.command)
            except CliNotFoundError:  # the run below reports it with the install hint
                prefix = ["edgespark"]
            call = step.call(extra, self.environment)
            self.say("$ " + " ".join([*prefix, *call.args]), level=0)
        return self.runner.run(step.call(extra, self.environment, interactive=interactive),
                               check=check)

    def say(self, message: str, *, level: int = 1) -> None:
        """One line of progress for the person, redacted; shown when the run's verbosity is
        at least `level` (0: even with --quiet, 2: only with --verbose)."""
        if self.options.verbosity < level:
            return
        emit(self.out, self.redactor(message) + "\n")

    def warn_plain(self, message: str) -> None:
        """One line on stderr, redacted, without a prefix."""
        emit(self.err, self.redactor(message) + "\n")

    def warn(self, message: str) -> None:
        """One warning line on stderr, redacted."""
        emit(self.err, "warning: " + self.redactor(message) + "\n")


def emit(stream: TextIO, text: str) -> None:
    """Write and flush; when the reader went away (`inv deploy | head -2`), keep running and
    print nothing more, rather than stop a deploy half-way with a traceback."""
    try:
        stream.write(text)
        stream.flush()
    except BrokenPipeError:
        _silence(stream)
    except (OSError, ValueError):
        pass


def _silence(stream: TextIO) -> None:
    # Point the descriptor at /dev/null so the interpreter's final flush does not fail too.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
        os.close(devnull)
    except (OSError, ValueError, io.UnsupportedOperation):
        pass
