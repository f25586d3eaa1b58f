"""The git-facing sections of `edgespark-tasks doctor`: pre-commit hooks, migration branch."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

from edgespark_tasks.project import gitfiles
from edgespark_tasks.project.model import Project

if TYPE_CHECKING:
    from edgespark_tasks.commands.doctor_report import Doctor

_EDGESPARK_HOOK = re.compile(r"(\bid:\s*edgespark-|edgespark-tasks-hook)")


def rel_path(path: Path, base: Path) -> str:
    """`path` relative to `base` for display (absolute when outside it)."""
    try:
        return path.resolve().relative_to(base.resolve()).as_posix() or "."
    except ValueError:
        return str(path)


def precommit_section(doc: Doctor, start: Path) -> None:
    """Whether the pre-commit hooks are installed and configured."""
    doc.section("pre-commit hooks")
    top = gitfiles.repo_root(start)
    if top is None:
        doc.line("warn", "not a git repository: the pre-commit hooks cannot be installed")
        return
    hook = _git_path(top, "hooks/pre-commit")
    if hook is not None and hook.is_file() and "pre-commit" in hook.read_text(errors="replace"):
        doc.line("ok", f"git hook installed ({rel_path(hook, top)})")
    else:
        doc.line("warn", "the git pre-commit hook is not installed: run `pre-commit install`")
    config = top / ".pre-commit-config.yaml"
    if config.is_file() and _EDGESPARK_HOOK.search(config.read_text(errors="replace")):
        doc.line("ok", ".pre-commit-config.yaml runs edgespark hooks")
    else:
        doc.line("warn", ".pre-commit-config.yaml has no edgespark hooks: run "
                 "`edgespark-tasks init`")


def _git_path(top: Path, name: str) -> Path | None:
    try:
        out = subprocess.run(["git", "rev-parse", "--git-path", name], cwd=top, text=True,
                             capture_output=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return (top / out).resolve() if out else None


def branch_section(doc: Doctor, project: Project) -> None:
    """The git default branch against `[db] migration_branch`, and the current branch."""
    doc.section(f"Migration branch ({project.name})")
    default = gitfiles.default_branch(project.root)
    current = gitfiles.current_branch(project.root)
    configured = project.migration_branch
    shown = default.removeprefix("origin/") if default else None
    if configured and shown and configured != shown:
        doc.line("warn", f"[db] migration_branch = {configured!r} but the git default branch "
                 f"is {shown!r}: db migrate only runs on {configured!r}")
    elif configured and not gitfiles.resolve_ref(project.root, configured):
        doc.line("warn", f"[db] migration_branch = {configured!r} does not exist in git yet")
    else:
        target = configured or shown or "main"
        doc.line("ok", f"migrations apply from {target!r} "
                 f"({'[db] migration_branch' if configured else 'git default branch'})")
    if current and current != (configured or shown):
        doc.line("", f"on branch {current!r}: db migrate applies nothing from here")


