"""Server source files, each read and tokenized at most once per process, with a disk cache.

The runtime-keys and no-secret-files checks both need every server module's facts
(`keyfacts.FileFacts`); `SourceIndex` computes them once and shares them. Facts depend only on
a file's bytes, so they are cached under `.edgespark-tasks/cache/` by SHA-256 of the content:

- the cache key includes the tool version and the analysers' own file stamps, so an upgrade
  (or an edited checkout) never reads stale facts;
- writes go to a temporary file renamed over the old one: two commits running at once each
  leave a complete cache, the last one wins, neither reads a torn file;
- the folder ignores itself (`.gitignore` holding `*`), and a read-only or missing folder
  only costs the speed-up. `EDGESPARK_TASKS_NO_CACHE=1` turns it off.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import Any

from edgespark_tasks import __version__
from edgespark_tasks.checks.filefacts import FileFacts
from edgespark_tasks.project.model import Project

SOURCE_SUFFIXES = (".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs")
SKIP_DIRS = {"node_modules", "dist", ".wrangler", ".edgespark", "__generated__"}
CACHE_FILE = "source-facts.json"
# Strings are kept (group 1) so a `//` inside `"https://..."` survives comment removal.
_JSONC = re.compile(r'("(?:[^"\\\n]|\\.)*")|//[^\n]*|/\*(?:[^*]|\*(?!/))*\*/')
_TRAILING_COMMA = re.compile(r",(\s*[}\]])")
# The modules whose code decides what is cached (facts, and `derived` results).
_ANALYSERS = ("jstokens", "jsimports", "jsfunctions", "jsmodules", "keyfacts", "filefacts",
              "secret_scan", "credentials", "runtime_keys", "auth_config")


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


def _digest(data: bytes) -> str:
    """A content digest for cache keys. BLAKE2 from the small built-in module: `hashlib`
    loads OpenSSL, a few milliseconds of every commit."""
    try:
        from _blake2 import blake2b
    except ImportError:  # pragma: no cover - an interpreter without it
        from hashlib import blake2b
    return blake2b(data, digest_size=32).hexdigest()


def _tool_key() -> str:
    here = Path(__file__).parent
    stamps = []
    for name in _ANALYSERS:
        try:
            stat = (here / f"{name}.py").stat()
            stamps.append(f"{stat.st_mtime_ns}:{stat.st_size}")
        except OSError:
            stamps.append("-")
    return f"{__version__}/" + _digest(",".join(stamps).encode())[:16]


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
        key, cached = _tool_key(), self._load()
        if cached.get("key") != key or not isinstance(cached.get("files"), dict) \
                or not isinstance(cached.get("derived"), dict):
            return {"key": key, "files": {}, "derived": {}}
        return cached

    @cached_property
    def facts(self) -> dict[Path, FileFacts]:
        """Facts of every readable server module, from the cache where the bytes match."""
        entries: dict[str, Any] = self._cache["files"]
        fresh: dict[str, Any] = {}
        result: dict[Path, FileFacts] = {}
        dirty = len(entries) != len(self._bytes)
        for path, data in self._bytes.items():
            rel, digest = self.project.relative(path), _digest(data)
            entry = entries.get(rel)
            facts = None
            if isinstance(entry, list) and len(entry) == 2 and entry[0] == digest:
                try:
                    facts = FileFacts.from_json(entry[1])
                    fresh[rel] = entry
                except TypeError:
                    facts = None
            if facts is None:
                from edgespark_tasks.checks.keyfacts import file_facts  # only on a miss

                facts, dirty = file_facts(self.text(path)), True
                fresh[rel] = [digest, facts.to_json()]
            result[path] = facts
        if dirty:
            self._cache["files"] = fresh
            self._store(self._cache)
        return result

    def derived(self, name: str, path: Path, compute: Callable[[str], Any]) -> Any:
        """`compute(text of path)` (a JSON-ready value), cached by the file's content, so a
        commit that does not touch the file never pays for parsing it (nor loads YAML)."""
        try:
            data = path.read_bytes()
        except OSError:
            data = b""
        digest = _digest(data)
        entry = self._cache["derived"].get(name)
        if isinstance(entry, list) and len(entry) == 2 and entry[0] == digest:
            return entry[1]
        value = compute(data.decode("utf-8", errors="replace"))
        self._cache["derived"][name] = [digest, value]
        self._store(self._cache)
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
        """Import path aliases from the server's tsconfig.json `compilerOptions.paths`
        (`"@lib/*": ["./src/lib/*"]` -> {"@lib/": <server>/src/lib}); {} when unreadable."""
        config = self.project.server_dir / "tsconfig.json"
        try:
            text = config.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return {}
        try:
            data = json.loads(text)
        except ValueError:  # JSONC: drop comments and trailing commas, then try once more
            text = _JSONC.sub(lambda m: m.group(1) or "", text)
            try:
                data = json.loads(_TRAILING_COMMA.sub(r"\1", text))
            except ValueError:
                return {}
        options = data.get("compilerOptions") if isinstance(data, dict) else None
        if not isinstance(options, dict):
            return {}
        base = config.parent / str(options.get("baseUrl") or ".")
        # With a baseUrl, bare specifiers resolve from it too (`import x from "lib/env"`).
        found = {"": base.resolve()} if options.get("baseUrl") else {}
        paths = options.get("paths")
        for pattern, targets in (paths.items() if isinstance(paths, dict) else ()):
            if (isinstance(pattern, str) and pattern.endswith("/*") and isinstance(targets, list)
                    and targets and isinstance(targets[0], str)):
                found[pattern[:-1]] = (base / targets[0].rstrip("*")).resolve()
        return found

    def _load(self) -> dict[str, Any]:
        if os.environ.get("EDGESPARK_TASKS_NO_CACHE"):
            return {}
        try:
            data = json.loads((self.cache_dir / CACHE_FILE).read_bytes())
        except (OSError, ValueError, RecursionError):
            return {}
        return data if isinstance(data, dict) else {}

    def _store(self, data: dict[str, Any]) -> None:
        if os.environ.get("EDGESPARK_TASKS_NO_CACHE"):
            return
        try:
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            ignore = self.cache_dir / ".gitignore"
            if not ignore.exists():
                ignore.write_text("# edgespark-tasks cache: never commit it\n*\n")
            # json.dumps (one shot) uses the C encoder; json.dump streams in pure Python.
            text = json.dumps(data, separators=(",", ":"))
            tmp = self.cache_dir / f".facts-{os.getpid()}-{time.monotonic_ns()}.tmp"
            try:
                tmp.write_text(text, encoding="utf-8")
                os.replace(tmp, self.cache_dir / CACHE_FILE)
            except BaseException:
                tmp.unlink(missing_ok=True)
                raise
        except OSError:
            pass  # read-only checkout, full disk: the cache is only a speed-up
