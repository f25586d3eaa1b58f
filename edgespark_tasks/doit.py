"""doit front-end: `from edgespark_tasks.doit import *` in a `dodo.py` gives the EdgeSpark steps
as doit tasks `edgespark:<step-id>` (`edgespark:<project>:<step-id>` in a monorepo).

Each task has the step's input files as `file_dep`, its outputs as `targets`, its catalogue
prerequisites as `task_dep`, and an `uptodate` digest of the environment and CLI settings.
The environment comes from `doit environment=NAME`, else the usual settings
(`EDGESPARK_TASKS_ENVIRONMENT`, `[tool.edgespark-tasks]`); each environment has its own doit
dependency file, `.edgespark-tasks/doit-<env>.json`, so staging never makes production look
up to date. See docs/doit-section.md for the decisions. No step logic lives here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from doit.exceptions import InvalidDodoFile

from edgespark_tasks.doit_tasks import Target, included, is_gate, make_target, step_tasks
from edgespark_tasks.edge import error_line
from edgespark_tasks.engine.state import check_writable
from edgespark_tasks.errors import EdgesparkTasksError
from edgespark_tasks.project import files
from edgespark_tasks.project.discovery import find_project_root, find_projects
from edgespark_tasks.project.settings import load_settings

__all__ = ["DOIT_CONFIG", "doit_config", "task_edgespark"]


def environment_var() -> str | None:
    """`doit environment=NAME` (a doit command-line variable), if given."""
    from doit import get_var

    value = get_var("environment")
    return str(value) if value else None


@lru_cache(maxsize=8)
def discover(cwd: Path, environment: str | None) -> tuple[Target, ...]:
    """The projects the dodo file at `cwd` serves: every project of a monorepo (the `projects`
    setting, else each tracked edgespark.toml), or the one project at or above `cwd`."""
    flags = {"environment": environment}
    roots = find_projects(cwd, load_settings(cwd, flags=flags).projects)
    if len(roots) <= 1:
        root = roots[0] if roots else find_project_root(cwd)
        return (make_target("", root, load_settings(root, flags=flags)),)
    return tuple(make_target(_prefix(cwd, root), root, load_settings(root, flags=flags))
                 for root in roots)


def _prefix(cwd: Path, root: Path) -> str:
    try:
        return root.relative_to(cwd.resolve()).as_posix() + ":"
    except ValueError:
        return root.name + ":"


def _targets() -> tuple[Target, ...]:
    try:
        return discover(Path.cwd(), environment_var())
    except EdgesparkTasksError as exc:
        # doit prints an InvalidDodoFile as one `ERROR:` line, without a traceback.
        raise InvalidDodoFile(error_line("doit", exc)[0]) from None


def _state_dir(targets: tuple[Target, ...]) -> Path:
    """Where doit's dependency files live: the project's own state folder, or one next to
    dodo.py for a monorepo."""
    if len(targets) == 1:
        return targets[0].project.state_dir
    return Path.cwd() / ".edgespark-tasks"


def doit_config() -> dict[str, Any]:
    """DOIT_CONFIG for a dodo.py: per-environment dependency file (JSON, readable), `doit`
    alone runs the deploy pipeline, and `doit list` shows every edgespark task."""
    try:
        targets = _targets()
    except InvalidDodoFile:
        # task_edgespark reports the problem when doit loads the tasks; the JSON backend
        # (unlike dbm) creates no file before that.
        return {"backend": "json", "dep_file": ".edgespark-tasks/doit-default.json"}
    environment = targets[0].settings.environment
    name = re.sub(r"[^A-Za-z0-9_.-]", "_", environment or "default")
    defaults = [t.name(s.id) for t in targets for s in t.steps
                if s.pipeline and included(s, t.settings) and not is_gate(s)]
    return {
        "dep_file": str(_state_dir(targets) / f"doit-{name}.json"),
        "backend": "json",
        "default_tasks": defaults,
        "subtasks": True,  # the `list --all` default: show edgespark:<step> subtasks
    }


def task_edgespark() -> Iterator[dict[str, Any]]:
    """EdgeSpark workflow steps (edgespark-tasks); `doit edgespark` runs them all."""
    targets = _targets()
    # Created here, not at import: doit writes the dependency file only after loading tasks.
    # A folder doit could not write its dependency file to fails here, as one line.
    try:
        for folder in {_state_dir(targets), *(t.project.state_dir for t in targets)}:
            check_writable(folder)
    except EdgesparkTasksError as exc:
        raise InvalidDodoFile(error_line("doit", exc)[0]) from None
    with files.shared_listing():  # one `git ls-files` for the repository, not one per project
        for target in targets:
            yield from step_tasks(target)


class LazyConfig(dict):  # type: ignore[type-arg]
    """A dict filled by `fill()` the first time anything reads it.

    doit requires DOIT_CONFIG to be a dict and reads it right after importing dodo.py, so
    the projects are discovered when doit asks for its configuration, not when
    `edgespark_tasks.doit` is imported (a dodo.py that reads DOIT_CONFIG itself, to extend
    it, triggers the discovery then)."""

    def __init__(self, fill: Callable[[], dict[str, Any]]) -> None:
        super().__init__()
        self._fill: Callable[[], dict[str, Any]] | None = fill

    def _filled(self) -> LazyConfig:
        if self._fill is not None:
            fill, self._fill = self._fill, None
            super().update(fill())
        return self

    def __getitem__(self, key: Any) -> Any:
        return super(LazyConfig, self._filled()).__getitem__(key)

    def __contains__(self, key: object) -> bool:
        return super(LazyConfig, self._filled()).__contains__(key)

    def __iter__(self) -> Iterator[Any]:
        return super(LazyConfig, self._filled()).__iter__()

    def __len__(self) -> int:
        return super(LazyConfig, self._filled()).__len__()

    def __repr__(self) -> str:
        return super(LazyConfig, self._filled()).__repr__()

    def __eq__(self, other: object) -> bool:
        return super(LazyConfig, self._filled()).__eq__(other)

    __hash__ = None

    def get(self, key: Any, default: Any = None) -> Any:
        return super(LazyConfig, self._filled()).get(key, default)

    def keys(self) -> Any:
        return super(LazyConfig, self._filled()).keys()

    def items(self) -> Any:
        return super(LazyConfig, self._filled()).items()

    def values(self) -> Any:
        return super(LazyConfig, self._filled()).values()

    def copy(self) -> dict[str, Any]:
        return dict(self._filled().items())


DOIT_CONFIG: dict[str, Any] = LazyConfig(doit_config)

