"""The cache file of `SourceIndex`: `.edgespark-tasks/cache/source-facts.json`.

- Its key holds the tool version and the analysers' own file stamps, so an upgrade (or an
  edited checkout) never reads stale entries; entries are keyed by a digest of the content.
- Writes go to a temporary file renamed over the old one: two commits running at once each
  leave a complete cache, the last one wins, neither reads a torn file.
- The folder ignores itself (`.gitignore` holding `*`); a read-only or missing folder only
  costs the speed-up. `EDGESPARK_TASKS_NO_CACHE=1` turns it off.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

from edgespark_tasks import __version__
from edgespark_tasks.digest import digest

CACHE_FILE = "source-facts.json"
# The modules whose code decides what is cached (facts, and `derived` results).
_ANALYSERS = ("jstokens", "jsimports", "jsfunctions", "jsowners", "jsmodules", "keyfacts",
              "filefacts", "secret_scan", "credentials", "runtime_keys", "auth_config")


def tool_key() -> str:
    """The tool version plus the analysers' file stamps: a new release or an edited
    checkout starts a fresh cache."""
    here = Path(__file__).parent  # the analysers sit next to this module
    stamps = []
    for name in _ANALYSERS:
        try:
            stat = (here / f"{name}.py").stat()
            stamps.append(f"{stat.st_mtime_ns}:{stat.st_size}")
        except OSError:
            stamps.append("-")
    return f"{__version__}/" + digest(",".join(stamps).encode())[:16]


def _disabled() -> bool:
    return bool(os.environ.get("EDGESPARK_TASKS_NO_CACHE"))


def load(folder: Path) -> dict[str, Any]:
    """The cache for this tool version: {"key", "files", "derived"} (empty when unusable)."""
    key = tool_key()
    data: Any = {}
    if not _disabled():
        try:
            data = json.loads((folder / CACHE_FILE).read_bytes())
        except (OSError, ValueError, RecursionError):
            data = {}
    if (not isinstance(data, dict) or data.get("key") != key
            or not isinstance(data.get("files"), dict)
            or not isinstance(data.get("derived"), dict)):
        return {"key": key, "files": {}, "derived": {}}
    return data


def store(folder: Path, data: dict[str, Any]) -> None:
    """Write the cache atomically; silently skipped when it cannot be written."""
    if _disabled():
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        ignore = folder / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# edgespark-tasks cache: never commit it\n*\n")
        # json.dumps (one shot) uses the C encoder; json.dump streams in pure Python. The data
        # came from JSON and the extractors (no cycles), so skip the cycle check (-1/3).
        text = json.dumps(data, separators=(",", ":"), check_circular=False)
        tmp = folder / f".facts-{os.getpid()}-{time.monotonic_ns()}.tmp"
        try:
            tmp.write_text(text, encoding="utf-8")
            os.replace(tmp, folder / CACHE_FILE)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    except OSError:
        pass  # read-only checkout, full disk: the cache is only a speed-up
