"""Build doit task dicts from the step catalogue (the machinery behind `edgespark_tasks.doit`).

No step logic lives here: a task only maps a catalogue step onto doit's idioms (file_dep,
targets, task_dep, uptodate) and its action runs the step through `engine.execute`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, NamedTuple

from doit.exceptions import TaskFailed
from doit.task import result_dep

from edgespark_tasks import errors
from edgespark_tasks.edge import error_line
from edgespark_tasks.engine.context import RunOptions, StepResult
from edgespark_tasks.engine.direct import plugins_possible
from edgespark_tasks.engine.steps import CATALOGUE, Step
from edgespark_tasks.project import files, sources
from edgespark_tasks.project.model import Project, load_project
from edgespark_tasks.project.settings import Settings

BASENAME = "edgespark"
_SETTINGS_KEY = "_edgespark_settings"
# Rules whose "nothing to do" the planner can tell before the CLI starts (missing inputs,
# db_schema.ts already migrated): doit then records success without calling the CLI.
_PLANNED_RULES = ("changed", "schema-hash", "vars-changed", "with-deploy")


class Target(NamedTuple):
    """One project as seen by doit: its task-name prefix, settings and catalogue."""

    prefix: str  # "" for a single project, "<dir>:" in a monorepo
    project: Project
    settings: Settings
    steps: tuple[Step, ...]

    def name(self, step_id: str) -> str:
        """The full doit task name, e.g. `edgespark:deploy` or `edgespark:api:deploy`."""
        return f"{BASENAME}:{self.prefix}{step_id}"


_catalogues: dict[tuple[Any, ...], tuple[Step, ...]] = {}


def make_target(prefix: str, root: Path, settings: Settings) -> Target:
    """A Target, sharing one catalogue between projects with the same plugin settings
    (loading entry points per project would make `doit` grow slower than linearly). With no
    plugin configured or installed the catalogue is the built-in one and pluggy stays
    unloaded: a no-op `doit` pays only for what it uses."""
    project = load_project(root, settings.paths)
    if not plugins_possible(settings):
        return Target(prefix, project, settings, CATALOGUE)
    # base_dir matters only for plugin file paths, which are relative to it.
    key = (settings.plugins, settings.disable_plugins,
           settings.base_dir if settings.plugins else None)
    if key not in _catalogues:
        from edgespark_tasks.engine import plugins

        _catalogues[key] = plugins.catalogue(plugins.make_manager(settings))
    return Target(prefix, project, settings, _catalogues[key])


def included(step: Step, settings: Settings) -> bool:
    """Whether a step becomes a doit task.

    Not interactive or long-running steps (secret set, log tail); not the built-in `direct`
    steps that overwrite repo files from the remote (pull, auth pull: a person decides to
    discard local edits); the smoke check only when configured.
    """
    if not step.unattended:
        return False
    if step.builtin and step.when == "direct" and step.outputs:
        return False
    return not (step.id == "smoke" and not settings.smoke_configured)


def is_gate(step: Step) -> bool:
    """A check a person runs explicitly (db check, pull types --check): never cached."""
    return step.when == "direct"


def settings_digest(target: Target, step: Step) -> str:
    """A digest of what makes a step's result environment- and CLI-specific. Only a digest
    is stored: doit keeps uptodate values verbatim, and nothing secret may reach its file."""
    data = {
        "environment": target.settings.environment, "cli": target.settings.cli,
        "project_id": target.project.project_id, "argv": step.argv,
        "paths": dict(target.settings.paths),
        "api": os.environ.get("EDGESPARK_BASE_URL"),
        "project_id_env": os.environ.get("EDGESPARK_PROJECT_ID"),
    }
    text = json.dumps(data, sort_keys=True, default=str)
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


# Lower-case callable classes, like doit's own uptodate helpers (config_changed, timeout).
class settings_unchanged:
    """uptodate: false until the step succeeded with these environment/CLI settings."""

    def __init__(self, digest: str, environment: str | None) -> None:
        self.digest = digest
        self.environment = environment

    def configure_task(self, task: Any) -> None:
        task.value_savers.append(lambda: {_SETTINGS_KEY: self.digest})

    def __call__(self, task: Any, values: dict[str, Any]) -> bool:
        return bool(values.get(_SETTINGS_KEY) == self.digest)

    def __repr__(self) -> str:
        env = self.environment or "default"
        return f"edgespark settings (environment {env}, CLI, project id) first run or changed"


class gate:
    """uptodate: never, so a gate answers "is it fine now?" whenever asked."""

    def __call__(self, task: Any, values: dict[str, Any]) -> bool:
        return False

    def __repr__(self) -> str:
        return "a gate: runs whenever asked"


class title:
    """The line doit prints when a task starts."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __call__(self, task: Any) -> str:
        return f"{task.name}: {self.text}"


def _shown(path: Path) -> str:
    """A path relative to the dodo folder when inside it (readable `doit info`). String
    arithmetic: called for every input file of every project."""
    text, base = str(path), _cwd_prefix()
    return text[len(base):].replace(os.sep, "/") if text.startswith(base) else text


def _cwd_prefix() -> str:
    return os.path.join(os.getcwd(), "")


def step_tasks(target: Target) -> Iterator[dict[str, Any]]:
    """The doit task dicts (subtasks of `edgespark`) for one project."""
    env = target.settings.environment
    chosen = [s for s in target.steps if included(s, target.settings)]
    ids = {s.id for s in chosen}
    rules = sources.rules_for(target.project, target.settings.deploy_inputs,
                              target.settings.deploy_ignore)
    resolved: dict[tuple[str, ...], list[Path]] = {}  # deploy and its dry run share inputs
    previous: str | None = None
    for step in chosen:
        if step.inputs not in resolved:
            resolved[step.inputs] = files.resolve(target.project, step.inputs, env, rules)
        gated = is_gate(step)
        file_dep = [] if gated else [_shown(p) for p in resolved[step.inputs] if p.is_file()]
        outputs = [] if gated else files.resolve(target.project, step.outputs, env)
        if step.when == "schema-hash":
            # db generate writes its outputs only when the schema changed: a project with no
            # drizzle/ yet must not re-run it on every no-op `doit` for want of targets.
            outputs = [p for p in outputs if p.exists()]
        # The documented order, as `inv deploy` runs it: each pipeline step after the one
        # before it (independent steps too), so `doit -n N` cannot reorder them either.
        order = [previous] if step.pipeline and previous is not None else []
        task_dep = [target.name(p) for p in dict.fromkeys(
            [*(p for p in step.prerequisites if p in ids), *order])]
        if step.pipeline and not gated:
            previous = step.id
        task: dict[str, Any] = {
            "name": target.name(step.id).split(":", 1)[1],
            "doc": _doc(target, step),
            "title": title(step.title + (f" ({step.command})" if step.argv else "")),
            "actions": [(run_action, [str(target.project.root), step.id, env])],
            "file_dep": file_dep,
            "targets": [_shown(p) for p in outputs],
            "task_dep": task_dep,
            "uptodate": [gate() if gated else
                         settings_unchanged(settings_digest(target, step), env)],
            "meta": _meta(target, step, rules),
            "verbosity": 1,
        }
        if step.when == "after-deploy" and "deploy" in ids:
            # Re-run after every new deploy (its result holds a timestamp), with its URL.
            task["uptodate"].append(result_dep(target.name("deploy")))
            task["getargs"] = {"deploy_url": (target.name("deploy"), "url")}
        yield task


def _doc(target: Target, step: Step) -> str:
    where = f"[{target.prefix[:-1]}] " if target.prefix else ""
    kind = " Gate: runs whenever asked." if is_gate(step) else ""
    return f"{where}{step.title}: {step.help}{kind}"


def _meta(target: Target, step: Step, rules: sources.SourceRules) -> dict[str, Any]:
    """`doit info` prints meta: the deploy tasks show their input patterns, as `plan` does."""
    meta: dict[str, Any] = {"step": step.id, "project": str(target.project.root)}
    if "app_sources" in step.inputs:
        meta["deploy_inputs"] = list(rules.include)
        meta["never_deploy_inputs"] = list(rules.ignore)
    return {"edgespark": meta}


def run_action(root: str, step_id: str, environment: str | None,
               deploy_url: str | None = None) -> dict[str, str] | TaskFailed:
    """doit action: run one step now; typed errors become one line and a failed task."""
    # Imported when a task runs, not when doit loads the tasks (a no-op run needs none).
    from edgespark_tasks.engine.execute import execute_guarded
    from edgespark_tasks.engine.plan import Planner
    from edgespark_tasks.engine.session import open_session

    try:
        session = open_session(Path(root), flags={"environment": environment})
        ctx = session.context(RunOptions(frontend="doit"))
        step = ctx.step(step_id)
        if step.when in _PLANNED_RULES:
            # The success records are shared with `inv deploy`: what it already did for
            # these inputs is not done again (and `inv deploy` sees what doit did).
            planner = Planner(session.project, session.settings, session.environment,
                              session.records, RunOptions(force=forced()))
            decision = planner.decide(step)
            if not decision.run:
                session.out.write(f"{step.id}: nothing to do ({decision.reason})\n")
                return {"at": _now()}
        if deploy_url:
            ctx.results["deploy"] = StepResult(data={"url": deploy_url})
        result = execute_guarded(ctx, step)
    except (errors.Interrupted, KeyboardInterrupt) as exc:
        raise _interrupted(exc) from None
    except errors.EdgesparkTasksError as exc:
        message, _code = error_line("doit", exc)
        return TaskFailed(message)
    url = result.data.get("url")
    return {"at": _now(), **({"url": str(url)} if url else {})}


def forced() -> bool:
    """`doit force=1`: run the steps doit runs even when `inv deploy` (or an earlier doit run)
    already recorded them as done with these inputs."""
    from doit import get_var

    return str(get_var("force", "") or "").lower() in ("1", "true", "yes")


def _interrupted(exc: BaseException) -> SystemExit:
    """Ctrl-C ends doit, in every mode. A failed task would not: doit would go on to the next
    one, and a `-n` worker would wait for its next job forever. SystemExit passes doit's
    action guard, lets doit save what already succeeded (the interrupted step is not
    recorded: the runner stopped and reaped its CLI child) and ends a worker process."""
    message, code = error_line("doit", exc)
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.write(message + "\n")
        sys.stderr.flush()
    return SystemExit(code)


def _now() -> str:
    # Microseconds: two deploys in the same second still give after-deploy steps a new result.
    return datetime.now(timezone.utc).isoformat()
