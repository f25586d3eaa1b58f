"""The plugin manager: built-in steps are plugins too; others come from entry points
(group `edgespark_tasks`) and from `plugins = [...]` in settings (a dotted module or a file
path in the user's repo). `EDGESPARK_TASKS_DISABLE_PLUGINS` / `disable_plugins` block by name.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pluggy

from edgespark_tasks.engine import hookspecs, steps
from edgespark_tasks.engine.direct import entry_points_declared
from edgespark_tasks.errors import EdgesparkTasksError, PluginError
from edgespark_tasks.project.settings import Settings

BUILTIN_PLUGINS = (
    "edgespark_tasks.engine.builtin.cli_steps",
    "edgespark_tasks.engine.builtin.db_steps",
    "edgespark_tasks.engine.builtin.runtime_steps",
    "edgespark_tasks.engine.builtin.smoke",
)


def make_manager(settings: Settings) -> pluggy.PluginManager:
    """A plugin manager with every enabled plugin registered and checked."""
    pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    pm.add_hookspecs(hookspecs)
    for name in settings.disable_plugins:
        pm.set_blocked(name)
    for name in BUILTIN_PLUGINS:
        if not pm.is_blocked(name):
            pm.register(importlib.import_module(name), name=name)
    try:
        # The cheap scan first: pluggy's reads every installed distribution's metadata.
        if entry_points_declared():
            pm.load_setuptools_entrypoints(hookspecs.PROJECT_NAME)
    except Exception as exc:  # a broken third-party plugin must not crash us with a traceback
        raise PluginError(f"an installed plugin failed to load: {exc}",
                          "fix or uninstall it, or list it in EDGESPARK_TASKS_DISABLE_PLUGINS",
                          ) from None
    for spec in settings.plugins:
        name = _plugin_name(spec)
        if pm.is_blocked(name) or pm.is_blocked(spec) or pm.get_plugin(name) is not None:
            continue
        pm.register(_load(spec, settings.base_dir), name=name)
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        raise PluginError(f"{exc}".strip(),
                          "hook names must match `edgespark-tasks hooks`") from None
    return pm


def _plugin_name(spec: str) -> str:
    return Path(spec).stem if spec.endswith(".py") or "/" in spec else spec


def _load(spec: str, base_dir: Path) -> ModuleType:
    """Import a plugin from a dotted module name or a `.py` file path (relative to the repo)."""
    try:
        if spec.endswith(".py") or "/" in spec or "\\" in spec:
            path = (base_dir / spec).resolve()
            if not path.is_file():
                raise PluginError(f"plugin file {spec} not found (looked in {path})",
                                  "fix the path in plugins = [...]")
            module_name = f"edgespark_tasks_plugin_{path.stem}"
            spec_obj = importlib.util.spec_from_file_location(module_name, path)
            if spec_obj is None or spec_obj.loader is None:
                raise PluginError(f"cannot load plugin file {spec}")
            module = importlib.util.module_from_spec(spec_obj)
            sys.modules[module_name] = module
            spec_obj.loader.exec_module(module)
            return module
        return importlib.import_module(spec)
    except EdgesparkTasksError:
        raise
    except ModuleNotFoundError as exc:
        raise PluginError(f"plugin {spec!r} not found ({exc})",
                          "install it, or fix the name in plugins = [...]") from None
    except Exception as exc:
        raise PluginError(f"plugin {spec!r} failed to load: {type(exc).__name__}: {exc}",
                          "fix the plugin file") from None


def catalogue(pm: pluggy.PluginManager) -> tuple[steps.Step, ...]:
    """The step catalogue including every step that plugins add."""
    added = [step for group in pm.hook.edgespark_add_steps() for step in group]
    return steps.merge(added)


def plugin_summary(pm: pluggy.PluginManager) -> list[tuple[str, str, list[str]]]:
    """(name, version, hooks implemented) for every registered plugin, for `doctor`."""
    rows = []
    dists = {id(plugin): dist for plugin, dist in pm.list_plugin_distinfo()}
    for name, plugin in pm.list_name_plugin():
        dist = dists.get(id(plugin))
        version = getattr(dist, "version", None) or getattr(plugin, "__version__", "") or "-"
        hooks = sorted(h.name for h in (pm.get_hookcallers(plugin) or []))
        rows.append((name, str(version), hooks))
    return rows
