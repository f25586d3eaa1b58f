"""The CI files `init --ci` writes: facts about the repository, filled into templates/ci/.

Facts: the projects (one, or several: a monorepo workflow with an `affected` matrix), the
default branch, the installed CLI's version and which CLI gates it supports (the generated
jobs pin that CLI and run only those gates; without a CLI here, every gate and the latest CLI).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from edgespark_tasks import __version__, errors
from edgespark_tasks.engine.gates import GATES
from edgespark_tasks.engine.steps import get
from edgespark_tasks.project import gitfiles
from edgespark_tasks.project.discovery import find_projects
from edgespark_tasks.project.settings import load_settings

PYTHON_VERSION = "3.12"
NODE_VERSION = "20"
CI_FILES = {"github": ".github/workflows/edgespark.yml", "gitlab": ".gitlab-ci.yml"}
# How many projects the GitLab deploy job deploys at once (`--jobs`).
GITLAB_JOBS = 3


@dataclass(frozen=True)
class RepoFacts:
    """What the templates need to know about the repository."""

    projects: tuple[str, ...]  # relative to the repository, posix ("." for the root)
    slug: str  # the single project's name, for its concurrency group
    branch: str
    cli_version: str | None
    gates: tuple[str, ...]
    note: str | None = None  # said by init: why the installed CLI is not pinned

    @property
    def monorepo(self) -> bool:
        return len(self.projects) > 1

    @property
    def cli_spec(self) -> str:
        return f"@edgespark/cli@{self.cli_version}" if self.cli_version else "@edgespark/cli"


def repo_facts(directory: Path) -> RepoFacts:
    """Look at the repository in `directory`; raises ProjectError without a project."""
    roots = find_projects(directory, load_settings(directory).projects)
    if not roots:
        raise errors.ProjectError(f"no edgespark.toml in {directory}",
                                  "run `init --ci` in a repository holding an EdgeSpark project")
    from edgespark_tasks.engine.session import session_for

    session = session_for(roots[0], load_settings(roots[0]))
    version, gates, note = None, tuple(GATES), None
    try:
        info = session.runner.info()
        if session.project.server_in_root or info.serves_full_stack:
            version = info.version
            gates = tuple(g for g in GATES if info.supports(get(g, session.steps).argv))
        else:  # pinning it would make every CI run fail
            note = (f"the installed CLI (edgespark {info.version}) cannot run this full-stack "
                    "project; the CI file installs the latest @edgespark/cli")
    except (errors.CliNotFoundError, errors.CliError):
        pass  # no CLI here: every gate, the latest CLI
    branch = (gitfiles.default_branch(directory) or "main").removeprefix("origin/")
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", session.project.name).strip("-") or "project"
    return RepoFacts(tuple(Path(os.path.relpath(r, directory)).as_posix() for r in roots),
                     slug, branch, version, gates, note)


def render(ci: str, facts: RepoFacts, templates: Path) -> str:
    """The CI file's text for `ci` ("github" or "gitlab")."""
    if ci == "github":
        name = "github-monorepo.yml" if facts.monorepo else "github.yml"
        gates = [f'          edgespark-tasks --project "$PROJECT" run {g}' for g in facts.gates]
    else:
        name = "gitlab.yml"
        gates = [f'    - edgespark-tasks --project "{p}" run {g}'
                 for p in facts.projects for g in facts.gates]
    if not gates:
        note = f'echo "edgespark {facts.cli_version} has none of the CLI gates"'
        gates = [f"          {note}" if ci == "github" else f"    - {note}"]
    if facts.monorepo:
        deploy = ('edgespark-tasks run deploy --all-projects --since "$CI_COMMIT_BEFORE_SHA" '
                  f"--jobs {GITLAB_JOBS} --json edgespark-report.json")
    else:
        deploy = (f'edgespark-tasks --project "{facts.projects[0]}" run deploy '
                  "--json edgespark-report.json")
    values = {
        "VERSION": __version__, "TASKS_SPEC": f"edgespark-tasks=={__version__}",
        "CLI_SPEC": facts.cli_spec, "BRANCH": facts.branch, "PROJECT": facts.projects[0],
        "PROJECTS": " ".join(facts.projects), "SLUG": facts.slug, "PYTHON": PYTHON_VERSION,
        "NODE": NODE_VERSION, "GATES": "\n".join(gates), "DEPLOY": deploy,
        "GATE_NAMES": ", ".join(facts.gates) or "none",
    }
    text = (templates / "ci" / name).read_text()
    return re.sub(r"@@([A-Z_]+)@@", lambda m: values[m.group(1)], text)
