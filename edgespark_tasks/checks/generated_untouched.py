"""`generated-untouched`: nobody hand-edits the platform-owned `__generated__/` folder.

`edgespark pull types` rewrites these files together with `.checksums.json`; a change (or a
deletion, or an addition) there without a `.checksums.json` change in the same commit was made
by hand. The first commit of a repository is exempt: a new project's files come from the
template `edgespark init` copied, whatever it holds.
"""

from __future__ import annotations

from pathlib import Path

from edgespark_tasks.checks import Check, CheckContext, under
from edgespark_tasks.checks.findings import Finding
from edgespark_tasks.project import gitfiles
from edgespark_tasks.project.model import Project

ID = "generated-untouched"


def check(ctx: CheckContext) -> list[Finding]:
    """Refuse changes under `__generated__/` that come without a `.checksums.json` change."""
    project = ctx.project
    touched = [(status, path) for status, path in ctx.changes
               if under(path, project.generated_dir) and path != project.generated_dir]
    if not touched or any(path == project.checksums for _, path in touched):
        return []
    if not gitfiles.has_commits(project.root):
        return []  # the first commit: the files come from `edgespark init`, not from a hand
    findings = []
    for status, path in touched:
        verb = {"D": "deleted", "A": "added"}.get(status, "edited")
        findings.append(Finding(
            ID, "error", ctx.rel(path), None,
            f"platform-owned file {verb} without a matching .checksums.json update",
            ("unstage it (`git rm --cached <file>`)" if status == "A" else
             "undo the hand edit (`git restore --staged --worktree <file>`)")
            + ", then run `edgespark pull` / `edgespark pull types`, which writes generated "
            "files together with .checksums.json",
        ))
    return findings


def relevant(project: Project, path: Path) -> bool:
    """Anything under the generated folder."""
    return under(path, project.generated_dir)


CHECK = Check(ID, check, relevant, "__generated__/ changes only together with .checksums.json")
