"""Step inputs and outputs as files, and their content digests.

A step names its files with the catalogue's vocabulary (`db_schema`, `migrations`,
`app_sources`, ...) or a glob relative to the project root; this module turns names into paths.
`app_sources` are the deploy inputs, matched by the patterns of `sources`.
"""

from __future__ import annotations

import bisect
import errno
import hashlib
import os
import subprocess
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from edgespark_tasks.errors import ProjectError
from edgespark_tasks.project.gitfiles import repo_root
from edgespark_tasks.project.model import SKIP_DIRS, Project
from edgespark_tasks.project.sources import SourceRules, default_rules

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


def resolve(project: Project, names: Iterable[str], environment: str | None,
            rules: SourceRules | None = None) -> list[Path]:
    """The files behind a step's input or output names, without duplicates, in order.

    `rules`: the deploy inputs behind `app_sources` (default: `sources.default_rules`).
    """
    paths: list[Path] = []
    for name in names:
        if name in _NAMED:
            paths += _NAMED[name](project)
        elif name == "vars_file":
            paths.append(project.vars_file(environment))
        elif name == "app_sources":
            paths += app_sources(project, rules)
        else:
            paths += sorted(project.root.glob(name))
    return list(dict.fromkeys(paths))


def app_sources(project: Project, rules: SourceRules | None = None) -> list[Path]:
    """What a deploy ships (see `sources`): the project's files that git tracks or would
    track and that match the deploy inputs, plus edgespark.toml and the auth config, which
    count even while missing."""
    rules = rules or default_rules(project)
    found = [project.root / rel for rel in listed_files(project.root) if rules.matches(rel)]
    named = [p for p in (project.marker, project.auth_config)
             if rules.matches(project.relative(p))]
    return sorted(dict.fromkeys([*found, *named]))


# repository top -> its `git ls-files` listing, while `shared_listing()` is active.
_shared: dict[Path, list[str]] | None = None


@contextmanager
def shared_listing() -> Iterator[None]:
    """Within this block, one `git ls-files` per repository serves every project in it
    (doit loading a monorepo's tasks: 50 projects, one git call). Outside, each listing is
    fresh, so a step that wrote files is seen by the next decision."""
    global _shared
    outer = _shared
    _shared = {} if outer is None else outer
    try:
        yield
    finally:
        _shared = outer


def listed_files(root: Path) -> list[str]:
    """Paths (relative to `root`, forward slashes) under `root` that git tracks or would
    track; a plain walk outside git."""
    if not root.is_dir():
        return []
    if _shared is not None:
        top = repo_root(root)
        if top is not None:
            if top not in _shared:
                _shared[top] = sorted(_ls_files(top) or [])
            listing = _shared[top]
            here = root.resolve()
            if top == here:
                return list(listing)
            prefix = here.relative_to(top).as_posix() + "/"
            # The listing is sorted: the folder's files are one slice ("0" follows "/").
            lo = bisect.bisect_left(listing, prefix)
            hi = bisect.bisect_left(listing, prefix[:-1] + "0", lo)
            return [rel[len(prefix):] for rel in listing[lo:hi]]
    listed = _ls_files(root)
    if listed is not None:
        return listed
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in SKIP_DIRS]
        base = Path(dirpath).relative_to(root).as_posix()
        found += [name if base == "." else f"{base}/{name}" for name in filenames]
    return found


def _ls_files(folder: Path) -> list[str] | None:
    """`git ls-files` (tracked, and untracked but not ignored) under `folder`; None outside
    git."""
    try:
        out = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=folder, capture_output=True, check=True,
        ).stdout.decode("utf-8", errors="replace")
    except (OSError, subprocess.CalledProcessError):
        return None
    return list(dict.fromkeys(rel for rel in out.split("\0") if rel))


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
