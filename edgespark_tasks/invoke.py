"""invoke front-end: `from edgespark_tasks.invoke import ns` is a whole `tasks.py`.

Also usable as a sub-collection: `ns.add_collection(edgespark_ns, "es")`. Settings may come from
invoke's config (an `edgespark:` section in invoke.yaml, or `ns.configure`), between
pyproject.toml and environment variables. No step logic lives here.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from invoke.collection import Collection
from invoke.context import Context
from invoke.exceptions import Exit
from invoke.tasks import Task

from edgespark_tasks import errors
from edgespark_tasks.edge import error_line
from edgespark_tasks.engine import direct
from edgespark_tasks.engine.context import RunOptions
from edgespark_tasks.engine.steps import CATALOGUE, Step
from edgespark_tasks.invoke_task import EdgesparkTask, invoke_switches, task
from edgespark_tasks.invoke_task import seconds as parse_seconds
from edgespark_tasks.project.discovery import find_project_root
from edgespark_tasks.project.model import load_project
from edgespark_tasks.project.settings import Settings, load_settings

if TYPE_CHECKING:
    from edgespark_tasks.engine.session import Session

_COMMON_HELP = {
    "project": "project folder (default: nearest edgespark.toml upward)",
    "environment": "EdgeSpark environment, passed to the CLI as --environment",
}
_PIPELINE_HELP = {
    **_COMMON_HELP,
    "dry_run": "print every decision and command; run nothing",
    "force": "ignore recorded state: run every step that applies",
    "only": "only this step id (repeatable)",
    "skip": "skip this step id (repeatable)",
    "yes": "continue after `db generate` without the review prompt",
    "confirm_dangerous": "allow destructive migrations / bucket removal (a person decides)",
    "tail": "stream logs for N seconds after deploying",
    "json": "write a JSON report to this file",
    "preflight": "run the offline checks before the first CLI call (--no-preflight: don't)",
    "all_projects": "every project of the repository with something to do, in parallel",
    "jobs": "with --all-projects: deploy up to N projects at once (default 1)",
    "fail_fast": "with --all-projects: stop the other projects when one fails",
    "since": "with --all-projects: only projects affected since this git ref",
}


def _plain(value: Any) -> Any:
    """invoke's DataProxy config as plain dicts."""
    if hasattr(value, "keys"):
        return {k: _plain(value[k]) for k in value.keys()}  # noqa: SIM118 - DataProxy
    return value


def _settings(c: Context, project: str | None,
              environment: str | None) -> tuple[Path, Settings]:
    config = _plain(c.config.get("edgespark", {})) or {}
    root = find_project_root(Path.cwd(), Path(project) if project else None)
    return root, load_settings(root, tool_config=config, flags={"environment": environment},
                               tool_config_name="invoke config 'edgespark'")


def _session(c: Context, project: str | None, environment: str | None,
             json_to_stdout: bool = False) -> Session:
    # Imported here: a gate (`inv pull.types --check`) never loads the pipeline machinery.
    from edgespark_tasks.engine.session import session_for

    # `--json -`: the report owns stdout, so the person's output goes to stderr.
    return session_for(*_settings(c, project, environment),
                       out=sys.stderr if json_to_stdout else None)


def _edge(action: Callable[[], object]) -> None:
    try:
        action()
    except (errors.EdgesparkTasksError, KeyboardInterrupt) as exc:
        message, code = error_line("inv", exc)
        raise Exit(message, code) from None


def _options(c: Context, kw: dict[str, Any]) -> RunOptions:
    """RunOptions from a task's flags, with invoke's own --dry and --echo."""
    switches = invoke_switches(c)
    return RunOptions(**{**kw, "dry_run": kw.get("dry_run", False) or switches["dry_run"],
                         "echo": switches["echo"], "frontend": "inv"})


def _pipeline(c: Context, project: str | None, environment: str | None, **kw: Any) -> None:
    from edgespark_tasks.engine import pipeline

    options = _options(c, kw)
    json_to_stdout = str(options.json_path) == "-"
    pipeline.run_pipeline(_session(c, project, environment, json_to_stdout), options)


def _step(c: Context, step_id: str, project: str | None, environment: str | None,
          **kw: Any) -> None:
    def action() -> None:
        plain = not kw and not any(invoke_switches(c).values())
        if step_id in direct.DIRECT_GATES and plain:
            root, settings = _settings(c, project, environment)
            if direct.can_run_directly(step_id, settings):
                direct.run_gate(step_id, load_project(root, settings.paths), settings)
                return
        from edgespark_tasks.engine import pipeline

        pipeline.run_step(_session(c, project, environment), step_id, _options(c, kw))

    _edge(action)


@task(help=_PIPELINE_HELP, iterable=["only", "skip"])
def deploy(c: Context, project: str | None = None, environment: str | None = None,
           dry_run: bool = False, force: bool = False, only: list[str] | None = None,
           skip: list[str] | None = None, yes: bool = False, confirm_dangerous: bool = False,
           tail: str | None = None, json: str | None = None, preflight: bool = True,
           all_projects: bool = False, jobs: int = 1, fail_fast: bool = False,
           since: str | None = None) -> None:
    """Run the EdgeSpark sequence in order, doing only what changed."""
    def action() -> None:
        kw = dict(dry_run=dry_run, force=force, only=tuple(only or ()),
                  skip=tuple(skip or ()), yes=yes, confirm_dangerous=confirm_dangerous,
                  tail_seconds=parse_seconds(tail, "tail"),
                  json_path=Path(json) if json else None, preflight=preflight)
        if all_projects:
            from edgespark_tasks.engine.all_projects import deploy_all_projects

            deploy_all_projects(Path.cwd(), _options(c, kw), flags={"environment": environment},
                                jobs=jobs, fail_fast=fail_fast, since=since)
            return
        _pipeline(c, project, environment, **kw)

    _edge(action)


@task(help={**{k: _PIPELINE_HELP[k] for k in ("project", "environment", "force", "only", "skip",
                                              "tail")},
            "json": "write the plan as JSON to this file (`-`: stdout, the text to stderr)",
            "format": "text (decisions and commands) or mermaid (a flowchart of the steps)"},
      iterable=["only", "skip"])
def plan(c: Context, project: str | None = None, environment: str | None = None,
         force: bool = False, only: list[str] | None = None, skip: list[str] | None = None,
         tail: str | None = None, json: str | None = None, format: str = "text") -> None:
    """Show what `inv deploy` would do and why, running nothing."""
    _edge(lambda: _pipeline(c, project, environment, dry_run=True, force=force,
                            only=tuple(only or ()), skip=tuple(skip or ()),
                            tail_seconds=parse_seconds(tail, "tail"),
                            json_path=Path(json) if json else None, plan_format=format))


@task(help={"project": _COMMON_HELP["project"], "names": "comma-separated check ids",
            "all_files": "check every file, not only staged ones",
            "format": "text, json, github (workflow commands) or sarif"})
def check(c: Context, project: str | None = None, names: str = "", all_files: bool = False,
          format: str = "text") -> None:
    """Run the offline checks (no network, no CLI)."""
    from edgespark_tasks.commands.check import run_check_command

    def action() -> None:
        code = run_check_command(Path(project) if project else None,
                                 [n for n in names.split(",") if n], all_files=all_files,
                                 fmt=format)
        if code:
            raise Exit(code=code)

    _edge(action)


@task(help={"since": "git ref (commit, branch, tag) to compare with",
            "json": "print JSON (its `projects` list is a CI matrix `include`)",
            "environment": _COMMON_HELP["environment"]})
def affected(c: Context, since: str, json: bool = False, environment: str | None = None) -> None:
    """List the projects whose pipeline inputs changed since a git ref, with their steps."""
    from edgespark_tasks.commands.affected import run_affected

    _edge(lambda: run_affected(since, as_json=json, environment=environment))


def _step_task(step: Step, *, flag: str | None = None) -> Task[Any]:
    """An invoke task running one catalogue step on request (with one optional extra flag)."""
    helps = dict(_COMMON_HELP)

    def plain(c: Context, project: str | None = None, environment: str | None = None) -> None:
        _step(c, step.id, project, environment)

    def dangerous(c: Context, project: str | None = None, environment: str | None = None,
                  confirm_dangerous: bool = False) -> None:
        _step(c, step.id, project, environment, confirm_dangerous=confirm_dangerous)

    def yes(c: Context, project: str | None = None, environment: str | None = None,
            yes: bool = False) -> None:
        _step(c, step.id, project, environment, yes=yes)

    body = {"confirm_dangerous": dangerous, "yes": yes}.get(flag or "", plain)
    if flag:
        helps[flag] = _PIPELINE_HELP[flag]
    body.__doc__ = step.help
    return EdgesparkTask(body, name=step.id.split("-", 1)[-1] if "-" in step.id else step.id,
                         help=helps)


@task(help={**_COMMON_HELP, "keys": "secret NAMES, comma-separated (values are typed in the "
                                     "browser, never here)"})
def secrets_set(c: Context, keys: str, project: str | None = None,
                environment: str | None = None) -> None:
    """Open the browser hand-off where a person types secret values."""
    names = tuple(k for k in keys.replace(",", " ").split() if k)
    _step(c, "secrets-set", project, environment, keys=names)


@task(help={**_COMMON_HELP, "check": "only check the generated types are fresh"})
def pull_types(c: Context, project: str | None = None, environment: str | None = None,
               check: bool = False) -> None:
    """Refresh the generated server types (`--check`: fail when stale)."""
    _step(c, "types-check" if check else "pull-types", project, environment)


@task(help={**_COMMON_HELP, "seconds": "stop after N seconds (default 30)"})
def log_tail(c: Context, seconds: str = "30", project: str | None = None,
             environment: str | None = None) -> None:
    """Stream live logs for N seconds."""
    _edge(lambda: _step(c, "log-tail", project, environment,
                        tail_seconds=parse_seconds(seconds, "seconds")))


def _group(name: str, *tasks: Task[Any], default: str | None = None) -> Collection:
    group = Collection(name)
    for item in tasks:
        group.add_task(item, default=item.name == default)
    return group


def _by_id(step_id: str) -> Step:
    return next(s for s in CATALOGUE if s.id == step_id)


def build_collection(extra_steps: tuple[Step, ...] = ()) -> Collection:
    """The edgespark collection, with a task for each plugin-added step."""
    root = Collection(deploy, plan, check, affected)
    root.add_collection(_group("db", _step_task(_by_id("db-generate"), flag="yes"),
                               _step_task(_by_id("db-migrate"),
                                          flag="confirm_dangerous"),
                               _step_task(_by_id("db-check"))))
    root.add_collection(_group("storage", _step_task(_by_id("storage-apply"),
                                                     flag="confirm_dangerous")))
    root.add_collection(_group("vars", _step_task(_by_id("vars-apply"))))
    secrets = _group("secrets", _step_task(_by_id("secrets-check")))
    secrets.add_task(secrets_set, name="set")
    root.add_collection(secrets)
    root.add_collection(_group("auth", _step_task(_by_id("auth-pull")),
                               _step_task(_by_id("auth-apply"))))
    pull = _group("pull", EdgesparkTask(_step_task(_by_id("pull")).body, name="all",
                                        help=dict(_COMMON_HELP)), default="all")
    pull.add_task(pull_types, name="types")
    root.add_collection(pull)
    log = Collection("log")
    log.add_task(log_tail, name="tail")
    root.add_collection(log)
    for step in extra_steps:
        root.add_task(_step_task(step), name=step.id)
    root.configure({"edgespark": {}})
    return root


def _plugin_steps() -> tuple[Step, ...]:
    """Plugin-added steps of the project in the working directory, if there is one.

    Without a configured or installed plugin there are none, and pluggy is not even loaded
    (every `inv` call builds this collection). A plugin that fails to load is said on
    stderr: its tasks are missing from `inv --list`, and the tasks that load plugins fail with
    the same message. No project here is fine (the built-in tasks work with --project).
    """
    try:
        root = find_project_root(Path.cwd())
        settings = load_settings(root)
        if not direct.plugins_possible(settings):
            return ()
        from edgespark_tasks.engine.session import session_for

        return tuple(s for s in session_for(root, settings).steps if not s.builtin)
    except errors.PluginError as exc:
        sys.stderr.write(f"inv: warning: plugin steps not loaded: {exc.one_line()}\n")
        return ()
    except errors.EdgesparkTasksError:
        return ()  # no project, or bad settings: the task run says so, once


ns = build_collection(_plugin_steps())
