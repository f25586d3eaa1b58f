"""Finding projects: the one around a folder, and every project of a (mono)repository."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable
from pathlib import Path

from edgespark_tasks.errors import ProjectError
from edgespark_tasks.project.model import MARKER, SKIP_DIRS, load_project


def find_project_root(start: Path | None = None, explicit: Path | None = None) -> Path:
    """The project root: `explicit` if given, else the nearest `edgespark.toml` upward.

    An `edgespark.toml` inside another project's server folder belongs to that outer project.
    """
    if explicit is not None:
        explicit = explicit.resolve()
        if not (explicit / MARKER).is_file():
            raise ProjectError(
                f"no {MARKER} in {explicit}", "pass the folder that holds edgespark.toml"
            )
        return explicit
    here = (start or Path.cwd()).resolve()
    found = [d for d in (here, *here.parents) if (d / MARKER).is_file()]
    if not found:
        raise ProjectError(
            f"no {MARKER} found in {here} or any parent folder",
            "run inside an EdgeSpark project or pass --project DIR",
        )
    nearest = found[0]
    for outer in found[1:]:
        if _inside_server_of(nearest, outer):
            return outer
    return nearest


def _inside_server_of(candidate: Path, outer: Path) -> bool:
    server = _server_dir_of(outer)
    return server is not None and server != outer and (
        candidate == server or server in candidate.parents)


def find_projects(repo_root: Path, explicit: Iterable[str] = ()) -> list[Path]:
    """Every project root in a repository (monorepo aware), sorted.

    `explicit` (the `projects` setting) wins; otherwise each `edgespark.toml` tracked by git
    (or found on disk outside git), minus those nested in another project's server folder.
    """
    repo_root = repo_root.resolve()
    names = list(explicit)
    if names:
        return [find_project_root(explicit=repo_root / name) for name in names]
    candidates = sorted({(repo_root / rel).parent.resolve() for rel in _marker_files(repo_root)})
    # Read each project once, and look each candidate's folders up in a map of server
    # folders: testing every pair (`server in candidate.parents`) made this quadratic.
    outer_of = {server: c for c in candidates
                if (server := _server_dir_of(c)) is not None and server != c}
    return [c for c in candidates
            if not any(outer_of.get(folder, c) != c for folder in (c, *c.parents))]


def _server_dir_of(root: Path) -> Path | None:
    try:
        return load_project(root).server_dir
    except ProjectError:
        return None


def _marker_files(repo_root: Path) -> list[str]:
    try:
        out = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard", "--",
             MARKER, f"*/{MARKER}"],
            cwd=repo_root, capture_output=True, text=True, check=True,
        ).stdout
        return [line for line in out.splitlines() if line]
    except (OSError, subprocess.CalledProcessError):
        found = []
        for dirpath, dirnames, filenames in os.walk(repo_root):
            dirnames[:] = [d for d in dirnames if d not in SKIP_DIRS]
            if MARKER in filenames:
                found.append(os.path.relpath(os.path.join(dirpath, MARKER), repo_root))
        return found
