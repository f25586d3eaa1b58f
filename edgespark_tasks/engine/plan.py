"""Which steps must run now, each with a reason.

A pure function of the files on disk, the recorded successes and the run options: it starts
no process, so `--dry-run` and the no-op case cost only file reads.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

from edgespark_tasks.checks import varsfile
from edgespark_tasks.checks.db_schema import NO_TABLE, has_nothing_to_migrate
from edgespark_tasks.engine.context import RunOptions
from edgespark_tasks.engine.state import StepRecords
from edgespark_tasks.engine.steps import Step
from edgespark_tasks.project import files, sources
from edgespark_tasks.project.model import Project
from edgespark_tasks.project.settings import Settings

SKIPPED = "skipped with --skip"
SKIPPED_BY_SETTING = "skipped by the `skip` setting"
# Steps whose CLI command accepts --confirm-dangerous (a person's explicit flag).
DANGEROUS_OK = ("db-migrate", "storage-apply")


class Decision(NamedTuple):
    """Run or skip one step, and why."""

    step: Step
    run: bool
    reason: str
    unavailable: bool = False  # the installed CLI lacks the step's command
    args: tuple[str, ...] = ()  # extra CLI arguments the step will pass (shown by --dry-run)

    @property
    def verb(self) -> str:
        if self.run and self.unavailable:
            return "blocked"
        return "run" if self.run else "skip"

    @property
    def blocked(self) -> bool:
        """The step must run, but the installed CLI cannot run it."""
        return self.run and self.unavailable


class Planner:
    """Decides steps for one project, environment and set of options."""

    def __init__(self, project: Project, settings: Settings, environment: str | None,
                 records: StepRecords, options: RunOptions) -> None:
        self.project = project
        self.settings = settings
        self.environment = environment
        self.records = records
        self.options = options
        self.rules = sources.rules_for(self.project, self.settings.deploy_inputs,
                                       self.settings.deploy_ignore)
        self._memo: dict[tuple[str, ...], dict[str, str]] | None = None

    def inputs(self, step: Step) -> dict[str, str]:
        """Current digests of a step's input files (read once per `plan()`: deploy and its
        dry run share the deploy inputs)."""
        if self._memo is not None and step.inputs in self._memo:
            return self._memo[step.inputs]
        paths = files.resolve(self.project, step.inputs, self.environment, self.rules)
        digests = files.digests(self.project, paths)
        if self._memo is not None:
            self._memo[step.inputs] = digests
        return digests

    def outputs(self, step: Step) -> set[str]:
        """Relative paths a step writes."""
        paths = files.resolve(self.project, step.outputs, self.environment)
        return {self.project.relative(p) for p in paths}

    def plan(self, steps: Sequence[Step]) -> list[Decision]:
        """Decisions for the pipeline steps of `steps`, in catalogue order."""
        chosen = [s for s in steps if s.pipeline]
        if self.options.only:
            chosen = [s for s in chosen if s.id in self.options.only]
        decisions: list[Decision] = []
        self._memo = {}  # nothing runs while planning: each input set is read once
        try:
            for step in chosen:
                decisions.append(self.decide(step, decisions))
        finally:
            self._memo = None
        # Steps that accompany a deploy are decided once deploy's own decision is known.
        deploy = next((d for d in decisions if d.step.id == "deploy"), None)
        return [self._with_deploy(d, deploy) for d in decisions]

    def decide(self, step: Step, earlier: Sequence[Decision] = ()) -> Decision:
        """The decision for one step, given the decisions made for the steps before it."""
        if step.id in self.options.skip:
            return Decision(step, False, SKIPPED)
        if step.id in self.settings.skip:
            return Decision(step, False, SKIPPED_BY_SETTING)
        rule = step.when
        if rule == "schema-hash":
            return self._schema_hash(step)
        if rule == "requested":
            seconds = self.options.tail_seconds
            return (Decision(step, True, f"--tail {seconds:g}") if seconds
                    else Decision(step, False, "not requested: use --tail N"))
        if rule == "after-deploy":
            return Decision(step, False, "placeholder")  # settled by _with_deploy
        if rule == "vars-changed":
            return self._vars(step)
        decision = self._changed(step, earlier)
        if decision.run and step.id in DANGEROUS_OK:
            return decision._replace(args=self.options.dangerous_args)
        return decision

    def _changed(self, step: Step, earlier: Sequence[Decision]) -> Decision:
        current = self.inputs(step)
        if current and all(v == files.MISSING for v in current.values()):
            return Decision(step, False, f"no {', '.join(_short(p) for p in current)}")
        if self.options.force:
            return Decision(step, True, "--force")
        recorded = self.records.files(step.id)
        if recorded is None:
            env = self.environment or "the default environment"
            return Decision(step, True, f"first run for {env}")
        diff = files.changed(current, recorded)
        if diff:
            return Decision(step, True, _changed_reason(diff))
        feeding = [d.step.id for d in earlier
                   if d.run and self.outputs(d.step) & set(current)]
        if feeding:
            return Decision(step, True, f"{feeding[0]} will change its inputs")
        return Decision(step, False, "unchanged since the last success")

    def _schema_hash(self, step: Step) -> Decision:
        schema, recorded = self.project.db_schema, self.project.schema_hash_file
        actual = files.sha256_file(schema)  # a folder in its place is an error, not "missing"
        if actual == files.MISSING:
            return Decision(step, False, f"no {_short(self.project.relative(schema))}")
        if has_nothing_to_migrate(schema, self.project.migrations()):
            return Decision(step, False, NO_TABLE)
        expected = (files.read_text(recorded).strip()
                    if files.sha256_file(recorded) != files.MISSING else "")
        if actual == expected:
            return Decision(step, False, "db_schema.ts matches the last generated migration")
        return Decision(step, True, "db_schema.ts changed without a migration")

    def _vars(self, step: Step) -> Decision:
        path = self.project.vars_file(self.environment)
        if files.sha256_file(path) == files.MISSING:  # a folder there is an error
            return Decision(step, False, f"no vars file {self.project.relative(path)}")
        record = self.records.get(step.id) or {}
        recorded = None if self.options.force else record.get("record", {}).get("vars")
        values = varsfile.load_vars(path)
        keys = varsfile.changed_keys(values, recorded)
        removed = varsfile.removed_keys(values, recorded)
        if not keys and removed:
            return Decision(step, True, f"{', '.join(removed)} removed from the vars file")
        if not keys:
            return Decision(step, False, "var values unchanged")
        shown = ", ".join(keys[:3]) + (f" and {len(keys) - 3} more" if len(keys) > 3 else "")
        return Decision(step, True, f"{shown} changed",
                        args=tuple(f"{k}={values[k]}" for k in keys))

    def _with_deploy(self, decision: Decision, deploy: Decision | None) -> Decision:
        step = decision.step
        if step.when == "after-deploy":
            if not self.settings.smoke_configured and step.id == "smoke":
                return Decision(step, False,
                                "not configured: add [tool.edgespark-tasks.smoke] checks")
            if decision.reason in (SKIPPED, SKIPPED_BY_SETTING):
                return decision
            if deploy is None:
                return Decision(step, bool(self.settings.smoke_base_url),
                                "checks smoke_base_url" if self.settings.smoke_base_url
                                else "no deploy in this run and no smoke_base_url")
            return Decision(step, deploy.run, "after deploy" if deploy.run else "nothing deployed")
        if (step.when != "with-deploy" or deploy is None
                or decision.reason in (SKIPPED, SKIPPED_BY_SETTING)):
            return decision
        if deploy.run:
            return Decision(step, True, "runs before every deploy")
        return Decision(step, False, "no deploy in this run")


def with_capabilities(decisions: Sequence[Decision], supports: Callable[[Step], bool],
                      version: str) -> list[Decision]:
    """Mark the steps whose CLI command the installed CLI (`version`) lacks.

    A step that would be skipped anyway stays skipped, its reason saying it is unavailable.
    A step that must run stays `run` and becomes `blocked`: the pipeline refuses to start
    rather than silently leave out a needed change (a migration, a bucket, auth config...).
    The person decides: upgrade the CLI, or apply the change another way and `--skip` it.
    """
    marked = []
    for decision in decisions:
        step = decision.step
        if not step.argv or supports(step):
            marked.append(decision)
            continue
        note = f"`{step.command}` is not available in edgespark {version}"
        reason = (f"{decision.reason}, but {note}" if decision.run
                  else f"{decision.reason}; not available in edgespark {version}")
        marked.append(decision._replace(reason=reason, unavailable=True))
    return marked


def _short(rel: str) -> str:
    return rel.rsplit("/", 1)[-1]


def _changed_reason(diff: list[str]) -> str:
    names = [_short(p) for p in diff]
    if len(names) > 2:
        return f"{names[0]}, {names[1]} and {len(names) - 2} more changed"
    return " and ".join(names) + " changed"
