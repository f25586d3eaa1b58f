"""One typed settings object, merged from four layers.

Precedence, lowest first: built-in defaults < `[tool.edgespark-tasks]` in the repo's
`pyproject.toml` < the front-end's own config (e.g. invoke's `edgespark:` section) <
environment variables < command-line flags. Every value remembers where it came from.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from .errors import ProjectError, SettingsError
from .project import PATH_KEYS, read_toml

OFFLINE_POLICIES = ("auto", "warn", "fail")
KEY_KINDS = ("var", "secret")


@dataclass(frozen=True)
class SmokeCheck:
    """One request of the post-deploy smoke check."""

    path: str = "/"
    method: str = "GET"
    status: int = 200
    contains: str | None = None


@dataclass(frozen=True)
class Settings:
    """Everything configurable, already validated. See README "Configuration"."""

    cli: tuple[str, ...] | None = None
    environment: str | None = None
    plugins: tuple[str, ...] = ()
    disable_plugins: tuple[str, ...] = ()
    timeout: float = 1800.0
    timeouts: Mapping[str, float] = field(default_factory=dict)
    lock_timeout: float = 600.0
    offline: str = "auto"
    projects: tuple[str, ...] = ()
    paths: Mapping[str, str] = field(default_factory=dict)
    runtime_key_wrappers: Mapping[str, str] = field(default_factory=dict)
    smoke_base_url: str | None = None
    smoke_checks: tuple[SmokeCheck, ...] = ()
    smoke_deadline: float = 60.0
    smoke_timeout: float = 10.0
    # Where each value came from ("default", "pyproject.toml", "EDGESPARK_CLI", "flag", ...).
    sources: Mapping[str, str] = field(default_factory=dict, compare=False)
    # The folder holding the pyproject.toml that was read (plugin file paths are relative to it).
    base_dir: Path = field(default_factory=Path.cwd, compare=False)

    def step_timeout(self, step_id: str) -> float:
        """The timeout for one step: `timeouts.<step>` if set, else `timeout`."""
        return float(self.timeouts.get(step_id, self.timeout))

    @property
    def smoke_configured(self) -> bool:
        return bool(self.smoke_checks)


# ---- validators: each turns a raw value into the typed one or raises ValueError -------------


def _str(value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError("expected a non-empty string")
    return value


def _opt_str(value: Any) -> str | None:
    return None if value in (None, "") else _str(value)


def _float(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError("expected a number of seconds")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError("expected a number of seconds") from None
    if number <= 0:
        raise ValueError("must be greater than 0")
    return number


def _str_list(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise ValueError("expected a list of strings")


def _cli(value: Any) -> tuple[str, ...] | None:
    if value in (None, ""):
        return None
    # A string is a command line, split like a shell would (e.g. "npx @edgespark/cli").
    parts = tuple(shlex.split(value)) if isinstance(value, str) else _str_list(value)
    if not parts:
        raise ValueError("expected a command line")
    return parts


def _offline(value: Any) -> str:
    if value not in OFFLINE_POLICIES:
        raise ValueError(f"expected one of {', '.join(OFFLINE_POLICIES)}")
    return str(value)


def _timeouts(value: Any) -> dict[str, float]:
    if not isinstance(value, Mapping):
        raise ValueError("expected a table of step id = seconds")
    return {str(k): _float(v) for k, v in value.items()}


def _paths(value: Any) -> dict[str, str]:
    if not isinstance(value, Mapping):
        raise ValueError("expected a table")
    unknown = sorted(set(value) - set(PATH_KEYS))
    if unknown:
        raise ValueError(f"unknown path key {unknown[0]!r} (known: {', '.join(PATH_KEYS)})")
    return {str(k): _str(v) for k, v in value.items()}


def _wrappers(value: Any) -> dict[str, str]:
    if not isinstance(value, Mapping):
        raise ValueError("expected a table of function name = \"var\" or \"secret\"")
    for name, kind in value.items():
        if kind not in KEY_KINDS:
            raise ValueError(f"{name}: expected \"var\" or \"secret\"")
    return {str(k): str(v) for k, v in value.items()}


def _smoke_checks(value: Any) -> tuple[SmokeCheck, ...]:
    if not isinstance(value, (list, tuple)):
        raise ValueError("expected a list of paths or tables")
    checks = []
    for item in value:
        if isinstance(item, str):
            checks.append(SmokeCheck(path=item))
            continue
        if not isinstance(item, Mapping):
            raise ValueError("each check is a path or a table")
        unknown = sorted(set(item) - {"path", "method", "status", "contains"})
        if unknown:
            raise ValueError(f"unknown smoke check key {unknown[0]!r}")
        status = item.get("status", 200)
        if isinstance(status, bool) or not isinstance(status, int):
            raise ValueError("status must be an integer")
        checks.append(SmokeCheck(
            path=_str(item.get("path", "/")),
            method=_str(item.get("method", "GET")).upper(),
            status=status,
            contains=_opt_str(item.get("contains")),
        ))
    return tuple(checks)


_VALIDATORS: dict[str, Callable[[Any], Any]] = {
    "cli": _cli,
    "environment": _opt_str,
    "plugins": _str_list,
    "disable_plugins": _str_list,
    "timeout": _float,
    "timeouts": _timeouts,
    "lock_timeout": _float,
    "offline": _offline,
    "projects": _str_list,
    "paths": _paths,
    "runtime_key_wrappers": _wrappers,
    "smoke_base_url": _opt_str,
    "smoke_checks": _smoke_checks,
    "smoke_deadline": _float,
    "smoke_timeout": _float,
}
SETTING_KEYS = tuple(_VALIDATORS)
# Environment variables, checked in order; the first one set wins.
ENV_VARS: dict[str, tuple[str, ...]] = {
    key: (f"EDGESPARK_TASKS_{key.upper()}",)
    for key in SETTING_KEYS
    if key not in ("timeouts", "paths", "runtime_key_wrappers", "smoke_checks")
}
ENV_VARS["cli"] = ("EDGESPARK_CLI", "EDGESPARK_TASKS_CLI")


def _normalise(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Accept `[tool.edgespark-tasks.smoke]` tables and dashed keys as well."""
    out: dict[str, Any] = {}
    for key, value in raw.items():
        key = key.replace("-", "_")
        if key == "smoke" and isinstance(value, Mapping):
            for sub, subvalue in value.items():
                sub = sub.replace("-", "_")
                out["smoke_checks" if sub == "checks" else f"smoke_{sub}"] = subvalue
        else:
            out[key] = value
    return out


def _apply(values: dict[str, Any], sources: dict[str, str], raw: Mapping[str, Any],
           source: str) -> None:
    for key, value in _normalise(raw).items():
        validator = _VALIDATORS.get(key)
        if validator is None:
            raise SettingsError(
                f"{source}: unknown setting {key!r}",
                f"known settings: {', '.join(SETTING_KEYS)}",
            )
        try:
            values[key] = validator(value)
        except ValueError as exc:
            raise SettingsError(f"{source}: setting {key!r}: {exc}") from None
        sources[key] = source


def find_pyproject(start: Path) -> Path | None:
    """The nearest `pyproject.toml` at or above `start`, stopping at the repository root."""
    for folder in (start.resolve(), *start.resolve().parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return candidate
        if (folder / ".git").exists():
            return None
    return None


def load_settings(
    start: Path | None = None,
    *,
    tool_config: Mapping[str, Any] | None = None,
    tool_config_name: str = "tool config",
    flags: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Merge every layer into one Settings; unknown keys and wrong types raise SettingsError."""
    start = start or Path.cwd()
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    sources: dict[str, str] = {f.name: "default" for f in fields(Settings)}
    pyproject = find_pyproject(start)
    base_dir = pyproject.parent if pyproject else start.resolve()
    if pyproject is not None:
        try:
            table = read_toml(pyproject).get("tool", {}).get("edgespark-tasks", {})
        except ProjectError as exc:
            raise SettingsError(exc.message, exc.hint) from None
        if not isinstance(table, Mapping):
            raise SettingsError(f"{pyproject}: [tool.edgespark-tasks] must be a table")
        _apply(values, sources, table, "pyproject.toml [tool.edgespark-tasks]")
    if tool_config:
        _apply(values, sources, tool_config, tool_config_name)
    for key, names in ENV_VARS.items():
        for name in names:
            if environ.get(name):
                _apply(values, sources, {key: environ[name]}, name)
                break
    if flags:
        _apply(values, sources, {k: v for k, v in flags.items() if v is not None}, "flag")
    return replace(Settings(**values), sources=sources, base_dir=base_dir)
