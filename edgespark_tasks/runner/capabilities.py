"""What the installed CLI can do: its version and command surface.

Probing the real CLI costs about half a second per process, so:
- the version comes from the npm package the executable belongs to (`package.json`), and
  only otherwise from `--version`;
- a published npm release is immutable, so for the releases listed in KNOWN_RELEASES the
  command surface is known without starting the CLI at all;
- otherwise one top-level `--help` lists the command groups, and a group's `--help` is read
  only when a step that will run needs it (one process at a time, under the project lock);
- the result is cached per process and on disk (`.edgespark-tasks/cli-info.json`), keyed by
  a SHA-256 of the executable's real path, size, modification time and package version, and
  the rest of the command line. Only the hash is stored: a command line may carry a secret.
Callers take the project lock around probing (Runner.info), so probes never overlap.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import cast

from edgespark_tasks import errors
from edgespark_tasks.digest import digest
from edgespark_tasks.runner.redact import Redactor, shown_command
from edgespark_tasks.runner.which import which

_CACHE_FILE = "cli-info.json"
# Keys are digests of the CLI's identity; entries under any other prefix are from older
# releases (whose keys could hold a key pasted into the `cli` setting) and are dropped.
_KEY_PREFIX = "blake2b:"
_PROBE_TIMEOUT = 60.0
_VERSION = re.compile(r"\d+\.\d+\.\d+[\w.+-]*")
_memory: dict[str, CliInfo] = {}
# Every build up to this one reads edgespark.toml from its working directory only and
# assumes the server-only layout (`src/` beside it); the full-stack layout came later.
LAST_SERVER_ONLY_VERSION = (0, 0, 9)
# The command surface of published @edgespark/cli releases (npm versions never change),
# as their `--help` screens list it. Refresh with `edgespark-tasks doctor` on a new release.
KNOWN_RELEASES: dict[str, dict[str, list[str] | None]] = {
    "0.0.9": {"": ["init", "db", "storage", "pull", "deploy", "log", "secret"], "init": None,
              "db": ["sql"], "storage": ["bucket"], "pull": ["schema", "types"],
              "deploy": ["promote"], "log": ["tail"], "secret": ["list"]},
}


class CliInfo:
    """Version and (lazily probed) subcommands of one CLI command line.

    A plain class, not a dataclass (gates load this module; see `edgespark_tasks/__init__.py`).
    """

    __slots__ = ("_dirty", "_environ", "command", "commands", "version")

    def __init__(self, command: tuple[str, ...], version: str,
                 commands: dict[str, list[str] | None] | None = None,
                 environ: Mapping[str, str] | None = None, *, _dirty: bool = False) -> None:
        self.command = command
        self.version = version
        self.commands = {} if commands is None else commands
        self._environ: Mapping[str, str] = {} if environ is None else environ
        self._dirty = _dirty

    def __repr__(self) -> str:  # not the command line: a key may sit in the `cli` setting
        return f"CliInfo(version={self.version!r}, commands={self.commands!r})"

    def known(self, argv: Sequence[str]) -> bool | None:
        """Whether `argv`'s command exists, from what is known already; None if unknown."""
        words = command_words(argv)
        if not words:
            return True
        top = self.commands.get("")
        if top is None or words[0] not in top:
            return False
        if len(words) == 1:
            return True
        if words[0] not in self.commands:
            return None
        sub = self.commands[words[0]]
        return sub is not None and words[1] in sub

    def supports(self, argv: Sequence[str]) -> bool:
        """Whether `argv`'s command path (the words before the first option) exists."""
        self.learn([argv])
        return bool(self.known(argv))

    def learn(self, argvs: Iterable[Sequence[str]]) -> None:
        """Read the group help screens these commands need and we lack."""
        groups = list(dict.fromkeys(
            words[0] for words in map(command_words, argvs)
            if len(words) > 1 and words[0] in (self.commands.get("") or [])
            and words[0] not in self.commands))
        if not groups:
            return
        texts = _run_many(self.command, [[g, "--help"] for g in groups], self._environ)
        for group, text in zip(groups, texts, strict=True):
            self.commands[group] = _parse_commands(text)
        self._dirty = True

    @property
    def serves_full_stack(self) -> bool:
        """Whether this CLI can run in a full-stack layout (see LAST_SERVER_ONLY_VERSION)."""
        numbers = tuple(int(n) for n in re.findall(r"\d+", self.version)[:3])
        return numbers > LAST_SERVER_ONLY_VERSION

    def top_level(self) -> list[str]:
        """The top-level commands, as listed by `--help`."""
        return list(self.commands.get("") or [])


def command_words(argv: Sequence[str]) -> list[str]:
    """The command path of an argv: the words before the first option, at most two."""
    words = []
    for item in argv:
        if item.startswith("-"):
            break
        words.append(item)
    return words[:2]


def _run_many(command: Sequence[str], arg_lists: Sequence[Sequence[str]],
              environ: Mapping[str, str]) -> list[str]:
    """Run `command ARGS` for each ARGS, one after the other; each one's output ("" when it
    failed). Never two at once: probes follow the one-at-a-time rule like any call."""
    env = {**environ, "NO_COLOR": "1"}
    procs: list[subprocess.Popen[bytes]] = []
    try:
        texts = []
        for args in arg_lists:
            procs = [subprocess.Popen([*command, *args], stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                      env=env)]
            out, err = procs[0].communicate(timeout=_PROBE_TIMEOUT)
            text = (out + err).decode("utf-8", errors="replace")
            texts.append(text if procs[0].returncode == 0 else "")
        return texts
    except FileNotFoundError:
        raise errors.CliNotFoundError(f"cannot start {command[0]!r}",
                                      "install it with `npm install -g @edgespark/cli`") from None
    except PermissionError:
        raise errors.CliNotFoundError(f"{command[0]!r} is not executable",
                                      "install it with `npm install -g @edgespark/cli`") from None
    except subprocess.TimeoutExpired:
        raise errors.CliError(f"`{shown_command(command)}` did not answer --help in time",
                              "check that the CLI starts by hand") from None
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def _parse_commands(text: str) -> list[str] | None:
    """Subcommand names from commander's `Commands:` section; None when it has none."""
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


def _package(exe: str) -> tuple[str, float] | None:
    """(version, package.json mtime) of the @edgespark/cli package `exe` belongs to."""
    folder = Path(exe).parent
    for candidate in (folder, *list(folder.parents)[:3]):
        manifest = candidate / "package.json"
        try:
            data = json.loads(manifest.read_text())
        except (OSError, ValueError):
            continue
        if isinstance(data, dict) and data.get("name") == "@edgespark/cli":
            version = data.get("version")
            return (str(version), manifest.stat().st_mtime) if version else None
        return None
    return None


def _identity(command: Sequence[str]) -> tuple[str, tuple[str, float] | None]:
    """The cache key of a command line, and its npm package facts when it has them."""
    exe = which(command[0]) or command[0]
    real = os.path.realpath(exe)
    try:
        stat = os.stat(real)
        package = _package(real)
        parts: list[object] = [real, stat.st_size, stat.st_mtime_ns, package, *command[1:]]
    except OSError:
        package, parts = None, list(command)
    return _KEY_PREFIX + digest(json.dumps(parts, default=str).encode()), package


def cached(command: tuple[str, ...], cache_dir: Path) -> CliInfo | None:
    """What is already known about `command` (memory or disk cache), starting no process."""
    key, _ = _identity(command)
    if key in _memory:
        return _memory[key]
    known = _read_cache(cache_dir / _CACHE_FILE).get(key)
    if not known:
        return None
    commands = cast("dict[str, list[str] | None]", dict(known["commands"]))  # type: ignore[call-overload]
    info = _memory[key] = CliInfo(command, str(known["version"]), commands)
    return info


def probe(command: tuple[str, ...], cache_dir: Path | None = None,
          environ: Mapping[str, str] | None = None, *,
          redactor: Redactor | None = None) -> CliInfo:
    """The CliInfo of `command`, from memory, the disk cache, or by running it."""
    environ = dict(os.environ if environ is None else environ)
    key, package = _identity(command)
    if key in _memory:
        return _memory[key]
    cache_path = cache_dir / _CACHE_FILE if cache_dir else None
    known = _read_cache(cache_path).get(key)
    if known:
        info = CliInfo(command, str(known["version"]),
                       cast("dict[str, list[str] | None]", known["commands"]), environ)
    elif package is not None and package[0] in KNOWN_RELEASES:
        surface = KNOWN_RELEASES[package[0]]
        info = CliInfo(command, package[0], {k: (list(v) if v else None)
                                             for k, v in surface.items()}, environ, _dirty=True)
    else:
        if package is not None:
            (help_text,) = _run_many(command, [["--help"]], environ)
            version = package[0]
        else:
            raw, help_text = _run_many(command, [["--version"], ["--help"]], environ)
            match = _VERSION.search(raw)
            if not match:
                shown = (redactor or Redactor()).__call__(shown_command(command))
                raise errors.CliNotFoundError(
                    f"{shown} --version did not print a version",
                    "check that EDGESPARK_CLI (or the `cli` setting) is the edgespark CLI")
            version = match.group(0)
        info = CliInfo(command, version, {"": _parse_commands(help_text)}, environ,
                       _dirty=True)
    _memory[key] = info
    info._environ = environ
    return info


def save(info: CliInfo, cache_dir: Path) -> None:
    """Persist newly probed facts (a failure to write is harmless)."""
    if not info._dirty:
        return
    path = cache_dir / _CACHE_FILE
    data = _read_cache(path)
    data[_identity(info.command)[0]] = {"version": info.version, "commands": info.commands}
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
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
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if k.startswith(_KEY_PREFIX) and isinstance(v, dict)
            and isinstance(v.get("version"), str) and isinstance(v.get("commands"), dict)}
