"""The plugin interface: one pluggy hook per workflow step, plus the hooks around them.

Step hooks are `firstresult`: the first implementation that returns a StepResult wins, so a
plugin registered after the built-ins overrides a step by returning a result, or wraps it with
`@hookimpl(wrapper=True)`. Every hook here must be documented in README.md ("Plugin hooks").
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from edgespark_tasks.engine.context import StepContext, StepResult
    from edgespark_tasks.engine.steps import Step

PROJECT_NAME = "edgespark_tasks"
hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


@hookspec(firstresult=True)
def edgespark_db_generate(ctx: StepContext) -> StepResult | None:
    """Generate a migration from db_schema.ts (`edgespark db generate`) and show its SQL."""


@hookspec(firstresult=True)
def edgespark_db_migrate(ctx: StepContext) -> StepResult | None:
    """Apply pending migrations to the remote database (`edgespark db migrate`)."""


@hookspec(firstresult=True)
def edgespark_db_check(ctx: StepContext) -> StepResult | None:
    """Validate the migration chain (`edgespark db check`)."""


@hookspec(firstresult=True)
def edgespark_storage_apply(ctx: StepContext) -> StepResult | None:
    """Make the remote buckets match storage_schema.ts (`edgespark storage apply`)."""


@hookspec(firstresult=True)
def edgespark_vars_apply(ctx: StepContext) -> StepResult | None:
    """Set the var values that changed in the vars file (`edgespark var set K=V ...`)."""


@hookspec(firstresult=True)
def edgespark_secrets_set(ctx: StepContext) -> StepResult | None:
    """Hand secret entry to a person in the browser (`edgespark secret set KEY...`)."""


@hookspec(firstresult=True)
def edgespark_secrets_check(ctx: StepContext) -> StepResult | None:
    """Check every declared secret is set remotely (`edgespark secret list`)."""


@hookspec(firstresult=True)
def edgespark_auth_pull(ctx: StepContext) -> StepResult | None:
    """Fetch the live auth config into auth-config.yaml (`edgespark auth pull`)."""


@hookspec(firstresult=True)
def edgespark_auth_apply(ctx: StepContext) -> StepResult | None:
    """Apply auth-config.yaml (`edgespark auth apply`)."""


@hookspec(firstresult=True)
def edgespark_pull(ctx: StepContext) -> StepResult | None:
    """Refresh every platform-owned generated file (`edgespark pull`)."""


@hookspec(firstresult=True)
def edgespark_pull_types(ctx: StepContext) -> StepResult | None:
    """Refresh the generated server types (`edgespark pull types`)."""


@hookspec(firstresult=True)
def edgespark_types_check(ctx: StepContext) -> StepResult | None:
    """Fail when the generated server types are stale (`edgespark pull types --check`)."""


@hookspec(firstresult=True)
def edgespark_deploy_dry_run(ctx: StepContext) -> StepResult | None:
    """Type-check, bundle and analyse routes without uploading (`edgespark deploy --dry-run`)."""


@hookspec(firstresult=True)
def edgespark_deploy(ctx: StepContext) -> StepResult | None:
    """Deploy (`edgespark deploy`); put the deployed URL in `result.data["url"]`."""


@hookspec(firstresult=True)
def edgespark_smoke(ctx: StepContext) -> StepResult | None:
    """Request the configured paths of the deployed URL and fail on a wrong answer."""


@hookspec(firstresult=True)
def edgespark_log_tail(ctx: StepContext) -> StepResult | None:
    """Stream live logs for `ctx.options.tail_seconds` seconds (`edgespark log tail`)."""


@hookspec(firstresult=True)
def edgespark_run_step(ctx: StepContext, step: Step) -> StepResult | None:
    """Run a plugin-added step that has neither an `action` nor an `argv` of its own."""


@hookspec
def edgespark_add_steps() -> list[Step]:
    """Return new Step objects; they join the catalogue (after `Step.after`) everywhere."""
    return []


@hookspec
def edgespark_before_step(ctx: StepContext, step: Step) -> None:
    """Called just before a step runs (not when it is skipped)."""


@hookspec
def edgespark_after_step(ctx: StepContext, step: Step, result: StepResult | None,
                         error: BaseException | None) -> None:
    """Called after a step ran: with its result on success, or the error it raised."""


@hookspec
def edgespark_pipeline_finished(ctx: StepContext, report: dict[str, Any]) -> None:
    """Called once after a pipeline run, successful or not, with the JSON report as a dict.

    It runs after the project's CLI lock is released (a slow notification never holds up the
    next `edgespark` command); an exception it raises only warns.
    """
