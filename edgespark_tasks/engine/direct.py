"""The lean path for a gate (`pull types --check`, `db check`, `deploy --dry-run`) when no
plugin can be involved: project + settings + the runner, nothing else.

A gate runs on every commit (and `inv pull.types --check` by habit), so it must not pay for
the pipeline, the plan, the state file, YAML, or pluggy's scan of every installed package's
entry points. When no plugin is configured (`plugins = [...]`) and no installed package
declares an `edgespark_tasks` entry point, nothing could override or wrap the built-in gate,
so running it directly is exactly what the plugin path would do. Otherwise the caller takes
the full path. A gate's success is not recorded: gates are never planned from records.
"""

from __future__ import annotations

import os
import sys
from functools import lru_cache
from typing import TextIO

from edgespark_tasks.engine import steps
from edgespark_tasks.errors import EdgesparkTasksError
from edgespark_tasks.project.model import Project
from edgespark_tasks.project.settings import Settings

# Gates whose built-in implementation is one CLI call and nothing more.
DIRECT_GATES = ("types-check", "db-check", "deploy-dry-run")
ENTRY_POINT_GROUP = "[edgespark_tasks]"


def plugins_possible(settings: Settings) -> bool:
    """Whether any plugin could load: one configured, or an installed entry point."""
    return bool(settings.plugins) or entry_points_declared()


@lru_cache(maxsize=1)  # the installed distributions do not change while we run
def entry_points_declared() -> bool:
    """Whether an installed distribution declares an `edgespark_tasks` entry point.

    Reads the `entry_points.txt` of each `*.dist-info`/`*.egg-info` folder on sys.path
    (what importlib.metadata would find there) without importing importlib.metadata.
    """
    for folder in sys.path:
        try:
            names = os.listdir(folder or ".")
        except OSError:
            continue
        for name in names:
            if not name.endswith((".dist-info", ".egg-info")):
                continue
            try:
                with open(os.path.join(folder or ".", name, "entry_points.txt")) as handle:
                    if ENTRY_POINT_GROUP in handle.read():
                        return True
            except OSError:
                continue
    return False


def can_run_directly(step_id: str, settings: Settings) -> bool:
    """Whether `step_id` may take the lean path with these settings."""
    return step_id in DIRECT_GATES and not plugins_possible(settings)


def run_gate(step_id: str, project: Project, settings: Settings, *,
             out: TextIO | None = None, err: TextIO | None = None) -> None:
    """Run a built-in gate's one CLI call; raises the runner's typed errors."""
    from edgespark_tasks.runner.cli import Runner

    step = steps.get(step_id)
    runner = Runner(settings, project, out=out, err=err)
    try:
        runner.run(step.call((), settings.environment))
    except EdgesparkTasksError as exc:
        if os.environ.get("GITHUB_ACTIONS") == "true":  # as run_step does, on a runner only
            from edgespark_tasks.engine.report_summary import annotate_step_error

            annotate_step_error(project.name, step_id, exc, runner.redactor)
        raise
