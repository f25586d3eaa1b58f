"""Server source files, each read and tokenized at most once per process, with a disk cache.

The runtime-keys and no-secret-files checks both need every server module's facts
(`keyfacts.FileFacts`); `SourceIndex` computes them once and shares them. Facts depend only on
a file's bytes, so they are cached by a digest of the content under `.edgespark-tasks/cache/`
(see `factcache` for how the cache stays safe).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import Any

from edgespark_tasks.checks import factcache
from edgespark_tasks.checks.filefacts import FileFacts
from edgespark_tasks.checks.tsconfig import path_aliases
from edgespark_tasks.digest import digest
from edgespark_tasks.project.model import Project

SOURCE_SUFFIXES = (".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs")
SKIP_DIRS = {"node_modules", "dist", ".wrangler", ".edgespark", "__generated__"}
CACHE_FILE = factcache.CACHE_FILE


def source_root(project: Project) -> Path:
    """Where server code lives: `<server>/src` (or the server folder itself)."""
    src = project.server_dir / "src"
    return src if src.is_dir() else project.server_dir


def source_files(project: Project) -> list[Path]:
    """Server source files, without `__generated__/`, declaration files and dependencies."""
    files: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(source_root(project)):
        here = Path(dirpath)
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS
                             and here / d != project.generated_dir)
        files.extend(here / name for name in sorted(filenames)
                     if name.endswith(SOURCE_SUFFIXES) and not name.endswith(".d.ts"))
    return files


# Tests and their mocks are not deployed: a key they read is no runtime read.
_TEST_DIRS = frozenset({"__tests__", "__mocks__", "test", "tests"})


def is_test_file(path: Path) -> bool:
    """`*.test.ts`, `*.spec.ts`, or a file under `__tests__/`, `__mocks__/`, `test(s)/`."""
    name = path.name
    return (".test." in name or ".spec." in name
            or any(part in _TEST_DIRS for part in path.parts[:-1]))


class SourceIndex:
    """The server modules of one project and their facts (see module docstring)."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.cache_dir = project.state_dir / "cache"

    @cached_property
    def files(self) -> list[Path]:
        return source_files(self.project)

    def text(self, path: Path) -> str:
        """One file's text (undecodable bytes replaced), decoded only when asked for."""
        return self._bytes[path].decode("utf-8", errors="replace")

    @cached_property
    def _bytes(self) -> dict[Path, bytes]:
        found = {}
        for path in self.files:
            try:
                found[path] = path.read_bytes()
            except OSError as exc:
                if isinstance(exc, FileNotFoundError) and not path.is_symlink():
                    continue  # removed while we looked: nothing to read
                from edgespark_tasks.project.files import read_error

                raise read_error(path, exc) from None  # a link loop, a dangling link...
        return found

    @cached_property
    def _cache(self) -> dict[str, Any]:
        return factcache.load(self.cache_dir)

    @cached_property
    def facts(self) -> dict[Path, FileFacts]:
        """Facts of every readable server module, from the cache where the bytes match."""
        entries: dict[str, Any] = self._cache["files"]
        fresh: dict[str, Any] = {}
        result: dict[Path, FileFacts] = {}
        dirty = len(entries) != len(self._bytes)
        for path, data in self._bytes.items():
            rel, stamp = self.project.relative(path), digest(data)
            entry = entries.get(rel)
            facts = None
            if isinstance(entry, list) and len(entry) == 2 and entry[0] == stamp:
                try:
                    facts = FileFacts.from_json(entry[1])
                    fresh[rel] = entry
                except TypeError:
                    facts = None
            if facts is None:
                from edgespark_tasks.checks.keyfacts import file_facts  # only on a miss

                facts, dirty = file_facts(self.text(path)), True
                fresh[rel] = [stamp, facts.to_json()]
            result[path] = facts
        if dirty:
            self._cache["files"] = fresh
            factcache.store(self.cache_dir, self._cache)
        return result

    def derived(self, name: str, path: Path, compute: Callable[[str], Any]) -> Any:
        """`compute(text of path)` (a JSON-ready value), cached by the file's content, so a
        commit that does not touch the file never pays for parsing it (nor loads YAML)."""
        try:
            data = path.read_bytes()
        except OSError:
            data = b""
        stamp = digest(data)
        entry = self._cache["derived"].get(name)
        if isinstance(entry, list) and len(entry) == 2 and entry[0] == stamp:
            return entry[1]
        value = compute(data.decode("utf-8", errors="replace"))
        self._cache["derived"][name] = [stamp, value]
        factcache.store(self.cache_dir, self._cache)
        return value

    def oauth_refs(self) -> list[tuple[str, str, str, int]]:
        """The auth config's OAuth refs (see `auth_config.oauth_refs`)."""
        def compute(_text: str) -> list[list[Any]]:
            from edgespark_tasks.checks.auth_config import file_oauth_refs

            return [list(ref) for ref in file_oauth_refs(self.project.auth_config)]

        refs = self.derived("oauth_refs", self.project.auth_config, compute)
        return [(str(p), str(k), str(key), int(line)) for p, k, key, line in refs]

    @cached_property
    def aliases(self) -> dict[str, Path]:
        """Import path aliases of the server's tsconfig.json (see `tsconfig.path_aliases`)."""
        return path_aliases(self.project.server_dir)
