"""Which projects of a repository have something to deploy since a git ref, and which steps.

The plan is made as if every step had last succeeded at REF: a step runs when one of its
input files differs from REF (committed since, edited, untracked or deleted). A change outside
every project counts for the projects below it when it is a shared file: a package manifest
or lockfile (npm workspaces hoist dependencies), or a `pyproject.toml` (it holds the
`[tool.edgespark-tasks]` settings); it makes those projects deploy. An unresolvable REF (a
shallow clone, a force-push) makes every project count, the safe direction for a deploy.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from edgespark_tasks.checks import varsfile
from edgespark_tasks.engine.context import RunOptions
from edgespark_tasks.engine.plan import Decision, Planner
from edgespark_tasks.engine.report_github import set_output
from edgespark_tasks.engine.session import Session, session_for
from edgespark_tasks.engine.state import StepRecords
from edgespark_tasks.engine.steps import Step
from edgespark_tasks.project import gitfiles
from edgespark_tasks.project.discovery import find_projects
from edgespark_tasks.project.model import load_project
from edgespark_tasks.project.settings import load_settings

SHARED_NAMES = frozenset({"package.json", "package-lock.json", "npm-shrinkwrap.json",
                          "pnpm-lock.yaml", "pnpm-workspace.yaml", "yarn.lock", "pyproject.toml"})
_CHANGED = "changed since REF"


@dataclass(frozen=True)
class Affected:
    """One project and the pipeline steps a change since REF makes run (empty: unaffected)."""

    root: Path
    path: str  # relative to the folder the command ran in, posix style ("." for here)
    name: str
    decisions: tuple[Decision, ...]
    changed: tuple[str, ...] = ()  # the changed files (relative to `path`'s base) behind it
    shared: tuple[str, ...] = ()

    @property
    def steps(self) -> list[str]:
        """The ids of the steps that would run."""
        return [d.step.id for d in self.decisions if d.run]

    def as_dict(self) -> dict[str, Any]:
        """A CI matrix entry: `project` is what `--project` takes."""
        slug = "root" if self.path == "." else self.path.replace("/", "-").strip(".-") or "root"
        return {"project": self.path, "name": self.name, "slug": slug, "steps": self.steps,
                "reasons": {d.step.id: d.reason for d in self.decisions if d.run},
                "changed": list(self.changed), "shared": list(self.shared)}


@dataclass
class AffectedReport:
    """Every project of the repository, affected or not, since one ref."""

    since: str
    resolved: bool
    projects: list[Affected] = field(default_factory=list)

    @property
    def affected(self) -> list[Affected]:
        return [p for p in self.projects if p.steps]

    def as_dict(self) -> dict[str, Any]:
        return {"since": self.since, "resolved": self.resolved,
                "projects": [p.as_dict() for p in self.affected],
                "unaffected": [p.path for p in self.projects if not p.steps]}


class _AsOfRef(StepRecords):
    """Recorded state as if every step had succeeded at REF (nothing is read or written)."""

    def __init__(self, planner: Planner, steps: Sequence[Step], changed: set[Path],
                 deleted: set[Path]) -> None:
        self._planner, self._steps = planner, {s.id: s for s in steps}
        self._changed, self._deleted = changed, deleted
        self.environment = planner.environment or "(default)"

    def files(self, step_id: str) -> dict[str, str] | None:
        step = self._steps[step_id]
        current = self._planner.inputs(step)
        project = self._planner.project
        recorded = {rel: (_CHANGED if project.root / rel in self._changed else digest)
                    for rel, digest in current.items()}
        # A deleted file is no longer among a glob's inputs; it counts for a step when it sat
        # beside one of the step's inputs, or in the sources a deploy ships.
        folders = {(project.root / rel).parent for rel in current}
        shipped = [project.server_dir, *([project.web_dir] if project.web_dir else [])]
        for path in self._deleted:
            if path.parent in folders or ("app_sources" in step.inputs and any(
                    folder in path.parents for folder in shipped)):
                recorded[project.relative(path)] = _CHANGED
        return recorded

    def get(self, step_id: str) -> dict[str, Any] | None:
        step = self._steps.get(step_id)
        if step is None or step.when != "vars-changed":
            return {"files": self.files(step_id)} if step else None
        path = self._planner.project.vars_file(self._planner.environment)
        if path in self._changed or not path.is_file():
            return None
        return {"record": {"vars": varsfile.value_digests(varsfile.load_vars(path))}}


class _SharedPlanner(Planner):
    """A planner where a changed shared file makes the deploy step run."""

    shared: tuple[str, ...] = ()

    def decide(self, step: Step, earlier: Sequence[Decision] = ()) -> Decision:
        if step.id == "deploy" and self.shared:
            return Decision(step, True, f"shared {', '.join(self.shared)} changed")
        return super().decide(step, earlier)


def find_affected(cwd: Path, since: str, *, flags: Mapping[str, Any] | None = None,
                  projects: Iterable[Path] | None = None) -> AffectedReport:
    """The projects under `cwd` (or `projects`) and what a change since `since` makes run."""
    cwd = cwd.resolve()
    top = gitfiles.repo_root(cwd) or cwd
    if projects is not None:
        roots = [p.resolve() for p in projects]
    else:  # the `projects` setting, else every edgespark.toml in the repository
        roots = find_projects(top, load_settings(top, flags=flags).projects)
    resolved = gitfiles.resolve_tree(top, since)
    changes = gitfiles.changed_since(top, since) if resolved else []
    changed = {path for _, path in changes}
    deleted = {path for status, path in changes if status == "D"}
    report = AffectedReport(since, resolved)
    for root in roots:
        mine = {p for p in changed if p == root or root in p.parents}
        shared = sorted(_rel(p, cwd) for p in changed
                        if p.name in SHARED_NAMES and p.parent in (root, *root.parents)
                        and top in (p.parent, *p.parent.parents))
        if resolved and not mine and not shared:  # nothing changed there: no plan to make
            name = load_project(root).name
            report.projects.append(Affected(root, _rel(root, cwd), name, ()))
            continue
        session = session_for(root, load_settings(root, flags=flags))
        decisions = _plan(session, mine, deleted & mine, tuple(shared), everything=not resolved)
        report.projects.append(Affected(
            root, _rel(root, cwd), session.project.name, tuple(decisions),
            tuple(sorted(_rel(p, cwd) for p in mine)), tuple(shared)))
    return report


def _plan(session: Session, changed: set[Path], deleted: set[Path], shared: tuple[str, ...],
          *, everything: bool) -> list[Decision]:
    options = RunOptions(force=everything)
    planner = _SharedPlanner(session.project, session.settings, session.environment,
                             session.records, options)
    planner.shared = shared
    planner.records = _AsOfRef(planner, session.steps, changed, deleted)
    decisions = planner.plan(session.steps)
    if everything:  # say why, rather than a --force nobody typed
        decisions = [d._replace(reason="the ref is unknown here: every step")
                     if d.reason == "--force" else d for d in decisions]
    return decisions


def render_text(report: AffectedReport) -> str:
    """One line per affected project, then a count."""
    lines = []
    for item in report.affected:
        why = f"shared {', '.join(item.shared)}" if item.shared else \
            f"{len(item.changed)} changed file(s)"
        lines.append(f"{item.path} ({item.name}): {', '.join(item.steps)}  [{why}]")
    lines.append(f"{len(report.affected)} of {len(report.projects)} project(s) affected "
                 f"since {report.since}")
    return "\n".join(lines) + "\n"


def unresolved_warning(report: AffectedReport) -> str | None:
    """The warning for a ref this clone does not know, or None."""
    if report.resolved:
        return None
    return (f"warning: {report.since!r} is not known here (a shallow clone or a force-push?): "
            "every project counts as affected")


def publish_outputs(report: AffectedReport) -> None:
    """On a GitHub runner: step outputs `projects` (a matrix `include` list) and `count`."""
    set_output("projects", json.dumps([p.as_dict() for p in report.affected],
                                      separators=(",", ":")))
    set_output("count", str(len(report.affected)))


def _rel(path: Path, base: Path) -> str:
    return Path(os.path.relpath(path, base)).as_posix()
