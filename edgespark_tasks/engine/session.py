"""Everything one command needs, built once: project, settings, plugins, catalogue, runner."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TextIO, cast

import pluggy

from edgespark_tasks.engine import plugins
from edgespark_tasks.engine.context import RunOptions, StepContext
from edgespark_tasks.engine.progress import Progress
from edgespark_tasks.engine.state import StepRecords
from edgespark_tasks.engine.steps import Step
from edgespark_tasks.project.discovery import find_project_root
from edgespark_tasks.project.model import Project, load_project
from edgespark_tasks.project.settings import Settings, load_settings
from edgespark_tasks.runner.cli import Runner
from edgespark_tasks.runner.redact import Redactor


class Session:
    """One project in one environment, with its settings, plugins and CLI runner."""

    def __init__(self, project: Project, settings: Settings, environment: str | None,
                 pm: pluggy.PluginManager, steps: tuple[Step, ...], runner: Runner,
                 records: StepRecords, redactor: Redactor, out: TextIO, err: TextIO) -> None:
        self.project = project
        self.settings = settings
        self.environment = environment
        self.pm = pm
        self.steps = steps
        self.runner = runner
        self.records = records
        self.redactor = redactor
        self.out = out
        self.err = err

    def context(self, options: RunOptions) -> StepContext:
        """A StepContext for one run with the given options."""
        return StepContext(
            project=self.project, settings=self.settings, environment=self.environment,
            options=options, runner=self.runner, records=self.records, steps=self.steps,
            pm=self.pm, redactor=self.redactor, out=self.out, err=self.err,
        )


def open_session(
    project_dir: Path | None = None,
    *,
    start: Path | None = None,
    flags: Mapping[str, Any] | None = None,
    tool_config: Mapping[str, Any] | None = None,
    tool_config_name: str = "tool config",
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> Session:
    """Find the project, merge settings, load plugins. Raises typed errors, starts no process."""
    start = start or Path.cwd()
    root = find_project_root(start, project_dir)
    settings = load_settings(root, tool_config=tool_config, tool_config_name=tool_config_name,
                             flags=flags)
    return session_for(root, settings, out=out, err=err)


def session_for(root: Path, settings: Settings, *, out: TextIO | None = None,
                err: TextIO | None = None) -> Session:
    """A session for a known project root and settings (used per project in monorepos)."""
    project = load_project(root, settings.paths)
    pm = plugins.make_manager(settings)
    # Watched streams: a step that stays silent shows time passing (see engine.progress).
    shown = Progress(out or sys.stdout, err or sys.stderr)
    out, err = cast("TextIO", shown.out), cast("TextIO", shown.err)
    redactor = Redactor.from_environ()
    runner = Runner(settings, project, redactor=redactor, out=out, err=err)
    return Session(
        project=project, settings=settings, environment=settings.environment, pm=pm,
        steps=plugins.catalogue(pm), runner=runner,
        records=StepRecords(project.state_dir, settings.environment),
        redactor=redactor, out=out, err=err,
    )
