"""Offline checks: pure Python, no node, no network. Each maps a project to findings.

`CHECKS` is the registry (id -> Check), built on first access; `load_check(id)` imports one
check module only, which keeps a hook process that runs a single check fast. A check is called
with a `CheckContext`; `relevant` tells the pre-commit hook whether a changed path can affect
the check at all, so a hook that runs on every commit (to see deletions) can return at once
when nothing relevant changed.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from edgespark_tasks.checks.findings import Finding, sort_key
from edgespark_tasks.errors import BAD_INPUT, EdgesparkTasksError
from edgespark_tasks.project import gitfiles
from edgespark_tasks.project.model import Project
from edgespark_tasks.project.settings import Settings

if TYPE_CHECKING:
    from edgespark_tasks.checks.sources import SourceIndex


class UnknownCheckError(EdgesparkTasksError):
    """A check id that is not in the registry."""

    exit_code = BAD_INPUT


class CheckContext:
    """What a check may look at. `changes` is the change set being judged.

    - `staged` given: those paths (absolute or relative to the project root) are the change set;
    - `all_files`: the working tree against HEAD (plus untracked files);
    - neither: the git index, i.e. what the next commit would contain.

    A plain class, not a dataclass: hooks load this module (see `edgespark_tasks/__init__.py`).
    """

    def __init__(self, project: Project, settings: Settings,
                 staged: tuple[str, ...] | None = None, all_files: bool = False,
                 index_changes: tuple[gitfiles.Change, ...] | None = None) -> None:
        self.project = project
        self.settings = settings
        self.staged = staged
        self.all_files = all_files
        # The repository's staged changes when the caller already asked git (the hook does).
        self.index_changes = index_changes

    @cached_property
    def changes(self) -> list[gitfiles.Change]:
        """The change set as (status, absolute path); status D means deleted."""
        root = self.project.root
        if self.staged is not None:
            paths = [(root / p).resolve() for p in self.staged]
            return [("M" if p.exists() else "D", p) for p in paths]
        if self.all_files:
            return gitfiles.worktree_changes(root, root)
        if self.index_changes is not None:
            return gitfiles.under_any(list(self.index_changes), root)
        return gitfiles.staged_changes(root, root)

    @cached_property
    def sources(self) -> SourceIndex:
        """The project's server modules and their facts, shared by every check of this run."""
        from edgespark_tasks.checks.sources import SourceIndex

        return SourceIndex(self.project)

    @property
    def judges_index(self) -> bool:
        """True when the git index (not the working tree) is what is being judged."""
        return self.staged is None and not self.all_files

    def rel(self, path: Path) -> str:
        """A path relative to the project root, posix style."""
        return self.project.relative(path)


CheckFn = Callable[[CheckContext], list[Finding]]
RelevantFn = Callable[[Project, Path], bool]


class Check(NamedTuple):
    """One registered check: its id, function, relevance test and a one-line summary."""

    id: str
    run: CheckFn
    relevant: RelevantFn
    summary: str

    def __call__(self, ctx: CheckContext) -> list[Finding]:
        return self.run(ctx)


def under(path: Path, folder: Path) -> bool:
    """True when `path` is `folder` or inside it."""
    return path == folder or folder in path.parents


# Check id -> module, in the order checks run and are listed.
_MODULES = {
    "schema-migrated": "schema_migrated",
    "migrations-journal": "migrations_journal",
    "runtime-keys": "runtime_key_reads",
    "generated-untouched": "generated_untouched",
    "auth-config": "auth_config",
    "no-secret-files": "no_secret_files",
}
CHECK_IDS: tuple[str, ...] = tuple(_MODULES)
CHECKS: dict[str, Check]  # provided by __getattr__ below


def load_check(check_id: str) -> Check:
    """The registered check with this id (imports its module); UnknownCheckError otherwise."""
    if check_id not in _MODULES:
        raise UnknownCheckError(
            f"unknown check {check_id!r}", f"known checks: {', '.join(CHECK_IDS)}"
        )
    module = importlib.import_module(f"{__name__}.{_MODULES[check_id]}")
    check: Check = module.CHECK
    return check


def __getattr__(name: str) -> dict[str, Check]:
    if name == "CHECKS":
        return {check_id: load_check(check_id) for check_id in CHECK_IDS}
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def run_checks(
    project: Project,
    settings: Settings,
    names: Iterable[str] | None = None,
    *,
    staged: Sequence[str] | None = None,
    all_files: bool = False,
    index_changes: Sequence[gitfiles.Change] | None = None,
) -> list[Finding]:
    """Run the named checks (all by default) on one project; findings sorted by file and line.

    `index_changes`: `gitfiles.staged_changes` of the repository, if the caller has it."""
    checks = [load_check(name) for name in (CHECK_IDS if names is None else names)]
    ctx = CheckContext(project, settings, tuple(staged) if staged is not None else None,
                       all_files, tuple(index_changes) if index_changes is not None else None)
    findings = [finding for check in checks for finding in check(ctx)]
    return sorted(findings, key=sort_key)
