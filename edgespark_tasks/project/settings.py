"""One typed settings object, merged from four layers.

Precedence, lowest first: built-in defaults < `[tool.edgespark-tasks]` in the repo's
`pyproject.toml` < the front-end's own config (e.g. invoke's `edgespark:` section) <
environment variables < command-line flags. Every value remembers where it came from.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

from edgespark_tasks.errors import ProjectError, SettingsError
from edgespark_tasks.project.model import read_toml
from edgespark_tasks.project.setting_values import VALIDATORS, SmokeCheck

# The shared default of the mapping settings. Typed read-only (Mapping), so nothing mutates
# it; a plain dict, not a MappingProxyType, so Settings still pickle (doit's process mode).
NO_ENTRIES: Mapping[str, Any] = {}


class Settings(NamedTuple):
    """Everything configurable, already validated. See README "Configuration".

    A NamedTuple (see `edgespark_tasks/__init__.py`); `load_settings` builds it."""

    cli: tuple[str, ...] | None = None
    environment: str | None = None
    plugins: tuple[str, ...] = ()
    disable_plugins: tuple[str, ...] = ()
    timeout: float = 1800.0
    timeouts: Mapping[str, float] = NO_ENTRIES
    lock_timeout: float = 600.0
    offline: str = "auto"
    projects: tuple[str, ...] = ()
    skip: tuple[str, ...] = ()  # pipeline steps this repo never runs (e.g. ones its CLI lacks)
    environments: tuple[str, ...] = ()  # the environments that exist; empty: any name
    deploy_inputs: tuple[str, ...] = ()  # deploy input patterns; empty: sources.default_rules
    deploy_ignore: tuple[str, ...] = ()  # never deploy inputs; empty: sources.TOOLING & co.
    paths: Mapping[str, str] = NO_ENTRIES
    runtime_key_wrappers: Mapping[str, str] = NO_ENTRIES
    # Applied migrations rewritten on purpose: file name -> sha256 of the rewritten content.
    allow_rewritten_migrations: Mapping[str, str] = NO_ENTRIES
    smoke_base_url: str | None = None
    smoke_checks: tuple[SmokeCheck, ...] = ()
    smoke_deadline: float = 60.0
    smoke_timeout: float = 10.0
    # Where each value came from ("default", "pyproject.toml", "EDGESPARK_CLI", "flag", ...).
    sources: Mapping[str, str] = NO_ENTRIES
    # The folder holding the pyproject.toml that was read (plugin file paths are relative to
    # it); `load_settings` sets it, the default is the current folder.
    base_dir: Path = Path()

    def step_timeout(self, step_id: str) -> float:
        """The timeout for one step: `timeouts.<step>` if set, else `timeout`."""
        return float(self.timeouts.get(step_id, self.timeout))

    @property
    def smoke_configured(self) -> bool:
        return bool(self.smoke_checks)


SETTING_KEYS = tuple(VALIDATORS)
# Environment variables, checked in order; the first one set wins.
ENV_VARS: dict[str, tuple[str, ...]] = {
    key: (f"EDGESPARK_TASKS_{key.upper()}",)
    for key in SETTING_KEYS
    if key not in ("timeouts", "paths", "runtime_key_wrappers", "smoke_checks",
                   "allow_rewritten_migrations")
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
        validator = VALIDATORS.get(key)
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
    sources: dict[str, str] = dict.fromkeys(Settings._fields, "default")
    pyproject = find_pyproject(start)
    base_dir = pyproject.parent if pyproject else start.resolve()
    if pyproject is not None:
        try:
            tool = read_toml(pyproject).get("tool", {})
        except ProjectError as exc:
            raise SettingsError(exc.message, exc.hint) from None
        if not isinstance(tool, Mapping):
            raise SettingsError(f"{pyproject}: `tool` must be a table, not "
                                f"{type(tool).__name__}", "write [tool.edgespark-tasks] tables")
        table = tool.get("edgespark-tasks", {})
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
    settings = Settings(**values, sources=sources, base_dir=base_dir)
    _check_environment(settings)
    return settings


def _check_environment(settings: Settings) -> None:
    """A typo such as `-e prod` fails here, before anything runs, when `environments` is set."""
    known, chosen = settings.environments, settings.environment
    if known and chosen is not None and chosen not in known:
        raise SettingsError(
            f"unknown environment {chosen!r} (from {settings.sources.get('environment')})",
            f"the `environments` setting lists {', '.join(known)}")
