"""What the installed CLI can do: its version and command surface, from `--version`/`--help`.

Probing the real CLI costs about half a second per call, so the result is cached per process
and on disk (keyed by the executable's path, size and modification time).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from edgespark_tasks import errors

_CACHE_FILE = "cli-info.json"
_PROBE_TIMEOUT = 60.0
_VERSION = re.compile(r"\d+\.\d+\.\d+[\w.+-]*")
_memory: dict[str, CliInfo] = {}


@dataclass
class CliInfo:
    """Version and (lazily probed) subcommands of one CLI command line."""

    command: tuple[str, ...]
    version: str
    commands: dict[str, list[str] | None] = field(default_factory=dict)
    _environ: Mapping[str, str] = field(default_factory=dict, repr=False)
    _dirty: bool = field(default=False, repr=False)
    cached_only: bool = field(default=False, repr=False)  # never start the CLI to learn more

    def supports(self, argv: Sequence[str]) -> bool:
        """Whether `argv`'s command path (the words before the first option) exists."""
        words = [w for w in _command_words(argv)]
        if not words:
            return True
        top = self.commands.get("", [])
        if top is None or words[0] not in top:
            return False
        if len(words) == 1:
            return True
        if words[0] not in self.commands:
            if self.cached_only:
                return True  # unknown without running the CLI: assume it is there
            self.commands[words[0]] = _list_commands(self.command, (words[0],), self._environ)
            self._dirty = True
        sub = self.commands[words[0]]
        return sub is not None and words[1] in sub

    def top_level(self) -> list[str]:
        """The top-level commands, as listed by `--help`."""
        return list(self.commands.get("") or [])


def _command_words(argv: Sequence[str]) -> list[str]:
    words = []
    for item in argv:
        if item.startswith("-"):
            break
        words.append(item)
    return words[:2]


def _run(command: Sequence[str], args: Sequence[str], environ: Mapping[str, str]) -> str:
    env = {**environ, "NO_COLOR": "1"}
    try:
        result = subprocess.run([*command, *args], capture_output=True, text=True, env=env,
                                stdin=subprocess.DEVNULL, timeout=_PROBE_TIMEOUT)
    except FileNotFoundError:
        raise errors.CliNotFoundError(f"cannot start {command[0]!r}",
                                      "install it with `npm install -g @edgespark/cli`") from None
    except subprocess.TimeoutExpired:
        raise errors.CliError(f"`{' '.join(args)}` of the CLI did not answer in time",
                              "check that the CLI starts by hand") from None
    return result.stdout + result.stderr if result.returncode == 0 else ""


def _list_commands(command: Sequence[str], group: Sequence[str],
                   environ: Mapping[str, str]) -> list[str] | None:
    """Subcommand names from commander's `Commands:` section; None when it has none."""
    text = _run(command, [*group, "--help"], environ)
    names: list[str] = []
    in_commands = False
    for line in text.splitlines():
        if re.match(r"^\s*Commands:\s*$", line):
            in_commands = True
            continue
        if in_commands:
            match = re.match(r"^\s{2,}([a-z][\w-]*)(?:\|[\w-]+)?\b", line)
            if match:
                names.append(match.group(1))
            elif line.strip() and not line.startswith(" "):
                in_commands = False
    return [n for n in names if n != "help"] or None


def _cache_key(command: Sequence[str]) -> str:
    exe = shutil.which(command[0]) or command[0]
    try:
        stat = os.stat(exe)
        return json.dumps([os.path.realpath(exe), stat.st_size, stat.st_mtime_ns, *command[1:]])
    except OSError:
        return json.dumps(list(command))


def cached(command: tuple[str, ...], cache_dir: Path) -> CliInfo | None:
    """What is already known about `command` (memory or disk cache), starting no process."""
    key = _cache_key(command)
    if key in _memory:
        return _memory[key]
    known = _read_cache(cache_dir / _CACHE_FILE).get(key)
    if not known:
        return None
    return CliInfo(command, str(known["version"]),
                   cast("dict[str, list[str] | None]", dict(known["commands"])),  # type: ignore[call-overload]
                   cached_only=True)


def probe(command: tuple[str, ...], cache_dir: Path | None = None,
          environ: Mapping[str, str] | None = None) -> CliInfo:
    """The CliInfo of `command`, from memory, the disk cache, or by running it."""
    environ = dict(os.environ if environ is None else environ)
    key = _cache_key(command)
    if key in _memory:
        return _memory[key]
    cache_path = cache_dir / _CACHE_FILE if cache_dir else None
    cached = _read_cache(cache_path).get(key)
    if cached:
        info = CliInfo(command, str(cached["version"]),
                       cast("dict[str, list[str] | None]", cached["commands"]), environ)
    else:
        raw = _run(command, ["--version"], environ)
        match = _VERSION.search(raw)
        if not match:
            raise errors.CliNotFoundError(
                f"{' '.join(command)} --version did not print a version",
                "check EDGESPARK_CLI points at the edgespark CLI")
        info = CliInfo(command, match.group(0), {"": _list_commands(command, (), environ)},
                       environ, _dirty=True)
    _memory[key] = info
    return info


def save(info: CliInfo, cache_dir: Path) -> None:
    """Persist newly probed facts (called after a run; a failure to write is harmless)."""
    if not info._dirty:
        return
    path = cache_dir / _CACHE_FILE
    data = _read_cache(path)
    data[_cache_key(info.command)] = {"version": info.version, "commands": info.commands}
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=1))
        os.replace(tmp, path)
        info._dirty = False
    except OSError:
        pass


def _read_cache(path: Path | None) -> dict[str, dict[str, object]]:
    if path is None or not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text())
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}
