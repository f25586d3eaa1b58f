"""THE step catalogue: every EdgeSpark workflow step, once, in the documented order.

Front-ends (invoke, doit, pre-commit, the console) map these entries onto their own idioms;
none of them defines a step of its own. Plugins add steps through `edgespark_add_steps`.

Input and output names are resolved against a project by `files.resolve`: a known name
(`db_schema`, `migrations`, `app_sources`, ...) or a glob relative to the project root.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from edgespark_tasks.errors import UnknownStepError
from edgespark_tasks.runner.call import CliCall

if TYPE_CHECKING:
    from edgespark_tasks.engine.context import StepContext, StepResult

# How the pipeline decides whether a step runs (see plan.py).
WHEN_RULES = ("changed", "schema-hash", "vars-changed", "with-deploy", "after-deploy",
              "requested", "direct")


class Step(NamedTuple):
    """One workflow step. Order in the catalogue is the order steps run in."""

    id: str
    title: str
    help: str
    argv: tuple[str, ...] = ()
    inputs: tuple[str, ...] = ()
    outputs: tuple[str, ...] = ()
    prerequisites: tuple[str, ...] = ()
    network: bool = True
    interactive: bool = False  # needs a human at a terminal or a browser
    remote: bool = False  # changes remote state (irreversible or visible to users)
    pipeline: bool = True  # part of `inv deploy`
    when: str = "changed"
    takes_environment: bool = True  # the CLI command accepts --environment
    stale_exit: bool = False  # exit 1 means "stale", not "error"
    long_running: bool = False
    # What the CLI command reads and writes: "server" (the server folder's generated files,
    # or nothing on disk), "project" (the whole layout: deploy bundles server and web).
    footprint: str = "project"
    after: str | None = None  # plugin steps: insert after this step id
    # Plugin steps may carry their own action instead of (or besides) an argv.
    action: Callable[[StepContext], StepResult | None] | None = None
    builtin: bool = False

    @property
    def hook_name(self) -> str:
        """The pluggy hook that runs this step (built-in steps only)."""
        return "edgespark_" + self.id.replace("-", "_")

    @property
    def unattended(self) -> bool:
        """Whether the step can run with nobody at the keyboard (CI, doit, git hooks)."""
        return not self.interactive and not self.long_running

    @property
    def command(self) -> str:
        """The CLI command as a person would type it, for messages and help."""
        return "edgespark " + " ".join(self.argv) if self.argv else "(no CLI command)"

    def call(self, extra: Sequence[str] = (), environment: str | None = None, *,
             interactive: bool = False) -> CliCall:
        """The CLI call for this step: its argv, `extra`, and `--environment` if it takes one.

        The runner gets only this (an argv and a few facts), never the Step itself.
        """
        args = [*self.argv, *extra]
        if environment and self.takes_environment:
            args += ["--environment", environment]
        return CliCall(tuple(args), label=self.command, name=self.id,
                       stale_exit=self.stale_exit, interactive=interactive,
                       network=self.network, footprint=self.footprint)


def _builtin(**kwargs: Any) -> Step:
    return Step(builtin=True, **kwargs)


CATALOGUE: tuple[Step, ...] = (
    _builtin(id="db-generate", title="db generate", argv=("db", "generate"),
             help="Generate a migration from db_schema.ts (review the SQL before migrating).",
             inputs=("db_schema",), outputs=("journal", "schema_hash"),
             network=False, when="schema-hash", takes_environment=False),
    _builtin(id="db-migrate", title="db migrate", argv=("db", "migrate"),
             help="Apply new migrations to the remote database (irreversible).",
             inputs=("migrations",), prerequisites=("db-generate",), remote=True),
    _builtin(id="db-check", title="db check", argv=("db", "check"),
             help="Validate the migration chain before deploying.",
             inputs=("migrations",), prerequisites=("db-generate",), pipeline=False,
             when="direct"),
    _builtin(id="storage-apply", title="storage apply", argv=("storage", "apply"),
             help="Create or remove buckets to match storage_schema.ts.",
             inputs=("storage_schema",), remote=True),
    _builtin(id="vars-apply", title="vars apply", argv=("var", "set"),
             help="Set the var values from the vars file that changed since the last apply.",
             inputs=("vars_file",), remote=True, when="vars-changed"),
    _builtin(id="secrets-set", title="secret set", argv=("secret", "set"),
             help="Open the browser hand-off where a person types secret values.",
             inputs=("runtime",), interactive=True, remote=True, pipeline=False, when="direct"),
    _builtin(id="secrets-check", title="secrets check", argv=("secret", "list"),
             help="Check every declared secret (and OAuth client secret) is set remotely.",
             inputs=("runtime", "auth_config"), when="with-deploy",
             footprint="server"),
    _builtin(id="auth-pull", title="auth pull", argv=("auth", "pull"),
             help="Fetch the live auth config into auth-config.yaml.",
             outputs=("auth_config",), pipeline=False, when="direct"),
    _builtin(id="auth-apply", title="auth apply", argv=("auth", "apply"),
             help="Apply auth-config.yaml (takes effect on the next deploy).",
             inputs=("auth_config",), remote=True),
    _builtin(id="pull", title="pull", argv=("pull",),
             help="Refresh every platform-owned generated file.",
             outputs=("generated",), pipeline=False, when="direct",
             footprint="server"),
    _builtin(id="pull-types", title="pull types", argv=("pull", "types"),
             help="Refresh the generated server types after defs changed.",
             inputs=("defs",), outputs=("server_types", "checksums"),
             prerequisites=("db-migrate", "storage-apply"), takes_environment=False,
             footprint="server"),
    _builtin(id="types-check", title="pull types --check", argv=("pull", "types", "--check"),
             help="Fail when the generated server types are stale.",
             inputs=("checksums",), pipeline=False, when="direct", takes_environment=False,
             stale_exit=True,
             footprint="server"),
    _builtin(id="deploy-dry-run", title="deploy --dry-run", argv=("deploy", "--dry-run"),
             help="Type-check, bundle and analyse routes without uploading.",
             inputs=("app_sources",),
             prerequisites=("pull-types", "auth-apply", "vars-apply", "secrets-check"),
             when="with-deploy"),
    _builtin(id="deploy", title="deploy", argv=("deploy",),
             help="Build and upload the Worker; prints the deployed URL.",
             inputs=("app_sources",), prerequisites=("deploy-dry-run",), remote=True),
    _builtin(id="smoke", title="smoke check",
             help="Request the configured paths of the deployed URL.",
             prerequisites=("deploy",), when="after-deploy"),
    _builtin(id="log-tail", title="log tail", argv=("log", "tail"),
             help="Stream the live Worker logs for N seconds (--tail N).",
             prerequisites=("deploy",), long_running=True, when="requested",
             footprint="server"),
)


def merge(extra: Iterable[Step], base: Sequence[Step] = CATALOGUE) -> tuple[Step, ...]:
    """The catalogue with plugin steps inserted after their `after` step (or at the end)."""
    steps = list(base)
    for step in extra:
        if any(s.id == step.id for s in steps):
            raise UnknownStepError(f"a plugin adds step {step.id!r}, which already exists",
                                   "give the plugin step another id")
        if step.when not in WHEN_RULES:
            raise UnknownStepError(f"step {step.id!r}: unknown rule {step.when!r}",
                                   f"use one of {', '.join(WHEN_RULES)}")
        index = len(steps)
        if step.after is not None:
            index = next((i + 1 for i, s in enumerate(steps) if s.id == step.after), -1)
            if index < 0:
                raise UnknownStepError(f"step {step.id!r} comes after unknown step {step.after!r}")
        steps.insert(index, step)
    return tuple(steps)


def get(step_id: str, steps: Sequence[Step] = CATALOGUE) -> Step:
    """Look a step up by id; the error lists the known ids."""
    for step in steps:
        if step.id == step_id:
            return step
    raise UnknownStepError(f"unknown step {step_id!r}",
                           f"known steps: {', '.join(s.id for s in steps)}")
