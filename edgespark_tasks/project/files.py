"""Step inputs and outputs as files, and their content digests.

A step names its files with the catalogue's vocabulary (`db_schema`, `migrations`,
`app_sources`, ...) or a glob relative to the project root; this module turns names into paths.
"""

from __future__ import annotations

import errno
import fnmatch
import hashlib
import os
import subprocess
from collections.abc import Callable, Iterable
from pathlib import Path

from edgespark_tasks.errors import ProjectError
from edgespark_tasks.project.model import SKIP_DIRS, Project

MISSING = "missing"

_NAMED: dict[str, Callable[[Project], list[Path]]] = {
    "db_schema": lambda p: [p.db_schema],
    "db_relations": lambda p: [p.db_relations],
    "storage_schema": lambda p: [p.storage_schema],
    "runtime": lambda p: [p.runtime],
    "defs": lambda p: list(p.defs_files),
    "migrations": lambda p: [*p.migrations(), p.journal],
    "journal": lambda p: [p.journal],
    "schema_hash": lambda p: [p.schema_hash_file],
    "auth_config": lambda p: [p.auth_config],
    "checksums": lambda p: [p.checksums],
    "server_types": lambda p: [p.server_types],
    "generated": lambda p: sorted(f for f in p.generated_dir.glob("*") if f.is_file()),
    "edgespark_toml": lambda p: [p.marker],
}


def resolve(project: Project, names: Iterable[str], environment: str | None) -> list[Path]:
    """The files behind a step's input or output names, without duplicates, in order."""
    paths: list[Path] = []
    for name in names:
        if name in _NAMED:
            paths += _NAMED[name](project)
        elif name == "vars_file":
            paths.append(project.vars_file(environment))
        elif name == "app_sources":
            paths += app_sources(project)
        else:
            paths += sorted(project.root.glob(name))
    return list(dict.fromkeys(paths))


def app_sources(project: Project) -> list[Path]:
    """What a deploy ships: the server and web sources (git-tracked or not ignored), the auth
    config and edgespark.toml. Not the vars files (values are read at request time), build
    output, or local state."""
    roots = [project.server_dir] + ([project.web_dir] if project.web_dir else [])
    excluded_dirs = [project.state_dir, project.root / ".edgespark", project.server_dir / "dist"]
    if project.web_output:
        excluded_dirs.append(project.web_output)
    vars_glob = project.vars_file_pattern.format(environment="*")
    files: list[Path] = []
    for root in dict.fromkeys(roots):
        for path in _listed_files(root):
            if any(d == path or d in path.parents for d in excluded_dirs):
                continue
            rel = project.relative(path)
            if fnmatch.fnmatch(rel, vars_glob) or rel == project.relative(project.vars_file(None)):
                continue
            files.append(path)
    files += [project.auth_config, project.marker]
    return sorted(dict.fromkeys(files))


def _listed_files(root: Path) -> list[Path]:
    """Files under `root` that git tracks or would track; a plain walk outside git."""
    if not root.is_dir():
        return []
    try:
        out = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=root, capture_output=True, check=True,
        ).stdout.decode("utf-8", errors="replace")
        return [root / rel for rel in out.split("\0") if rel]
    except (OSError, subprocess.CalledProcessError):
        found = []
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = [d for d in dirnames if d not in SKIP_DIRS]
            found += [Path(dirpath) / name for name in filenames]
        return found


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file's bytes, or `missing` when nothing is there.

    Raises ProjectError for what stands where a file belongs but cannot be read: a folder,
    a dangling symlink, a symlink loop, an unreadable file.
    """
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        if path.is_symlink():
            raise _unreadable(path, "is a dangling symlink", "fix or remove the link") from None
        return MISSING
    except NotADirectoryError:
        return MISSING
    except OSError as exc:
        raise _read_error(path, exc) from None


def read_text(path: Path) -> str:
    """A project file as UTF-8 text; ProjectError (one line) when it cannot be read as such."""
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise _unreadable(path, "is not UTF-8 text", "save it as UTF-8") from None
    except OSError as exc:
        raise _read_error(path, exc) from None


def read_error(path: Path, exc: OSError) -> ProjectError:
    """The one-line error for a file that could not be read (folder, link, permissions)."""
    return _read_error(path, exc)


def _read_error(path: Path, exc: OSError) -> ProjectError:
    if isinstance(exc, IsADirectoryError) or path.is_dir():
        return _unreadable(path, "is a folder where a file belongs", "replace it with a file")
    if exc.errno == errno.ELOOP:
        return _unreadable(path, "is a symlink loop", "fix or remove the link")
    if isinstance(exc, FileNotFoundError) and path.is_symlink():
        return _unreadable(path, "is a dangling symlink", "fix or remove the link")
    return _unreadable(path, f"cannot be read ({exc.strerror or exc})",
                       "check its permissions")


def _unreadable(path: Path, what: str, fix: str) -> ProjectError:
    return ProjectError(f"{path} {what}", fix)


def digests(project: Project, paths: Iterable[Path]) -> dict[str, str]:
    """{relative path: sha256} for the given files (`missing` for absent ones)."""
    return {project.relative(path): sha256_file(path) for path in paths}


def changed(current: dict[str, str], recorded: dict[str, str]) -> list[str]:
    """Relative paths added, removed or edited between two digest maps, sorted."""
    keys = set(current) | set(recorded)
    return sorted(k for k in keys if current.get(k, MISSING) != recorded.get(k, MISSING))
