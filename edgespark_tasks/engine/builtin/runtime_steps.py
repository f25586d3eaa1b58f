"""Built-in runtime-key steps: vars-apply, secrets-set, secrets-check.

Secret values never pass through this code: `secret set` hands entry to a person in the
browser, and `secret list` prints names only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from edgespark_tasks import errors
from edgespark_tasks.checks import varsfile
from edgespark_tasks.engine import hints
from edgespark_tasks.engine.builtin.secret_table import secret_names
from edgespark_tasks.engine.context import StepContext, StepResult, has_terminal
from edgespark_tasks.engine.hookspecs import hookimpl
from edgespark_tasks.project import files

if TYPE_CHECKING:
    from edgespark_tasks.checks.runtime_keys import RuntimeKeys

# The parsers below are imported where a step runs: every pipeline registers this plugin,
# and a no-op `inv deploy` runs none of these steps.


def declared_keys(ctx: StepContext) -> RuntimeKeys:
    """The VarKey/SecretKey names declared in runtime.ts (empty when there is no file)."""
    from edgespark_tasks.checks.runtime_keys import RuntimeKeys, parse_runtime

    path = ctx.project.runtime
    if not path.is_file():
        return RuntimeKeys(vars={}, secrets={})
    return parse_runtime(files.read_text(path))


def required_secrets(ctx: StepContext) -> list[str]:
    """Declared SecretKeys plus the client-secret refs of enabled OAuth providers."""
    keys = list(declared_keys(ctx).secrets)
    from edgespark_tasks.checks.auth_config import file_oauth_refs

    for _provider, kind, name, _line in file_oauth_refs(ctx.project.auth_config):
        if kind == "secret" and name not in keys:
            keys.append(name)
    return keys


def _env_flag(ctx: StepContext) -> str:
    return f" --environment {ctx.environment}" if ctx.environment else ""


def _inv_set(ctx: StepContext, names: list[str]) -> str:
    """The secret-set command for these names, in the front-end in use."""
    return hints.task(ctx, "secrets-set", names)


@hookimpl
def edgespark_vars_apply(ctx: StepContext) -> StepResult:
    from edgespark_tasks.checks.credentials import looks_like_credential

    path = ctx.project.vars_file(ctx.environment)
    rel = ctx.project.relative(path)
    values = varsfile.load_vars(path)
    keys = declared_keys(ctx)
    for key, value in values.items():
        if key in keys.secrets:
            raise errors.StepFailedError(
                f"{rel}: {key} is a SecretKey, and secret values never go in a file",
                f"remove it and run `{_inv_set(ctx, [key])}`")
        if key not in keys.vars:
            raise errors.StepFailedError(
                f"{rel}: {key} is not declared as a VarKey in runtime.ts",
                "declare it in runtime.ts or remove it from the vars file")
        if looks_like_credential(value, key):
            raise errors.StepFailedError(
                f"{rel}: the value of {key} looks like a credential",
                "credentials belong in secrets: declare a SecretKey and use "
                f"`{hints.task(ctx, 'secrets-set')}`")
    recorded = (ctx.records.get("vars-apply") or {}).get("record", {}).get("vars")
    if ctx.options.force:
        recorded = None
    changed = varsfile.changed_keys(values, recorded)
    for key in varsfile.removed_keys(values, recorded):
        ctx.warn(f"{key} was removed from {rel}, but it stays set remotely: "
                 "the vars file only sets values, it never removes one")
    record = {"vars": varsfile.value_digests(values)}
    if not changed:
        return StepResult(record=record, nothing_to_do="var values unchanged")
    run = ctx.cli("vars-apply", [f"{k}={values[k]}" for k in changed])
    return StepResult(output=run.output, record=record, data={"changed": changed})


@hookimpl
def edgespark_secrets_set(ctx: StepContext) -> StepResult:
    names = list(ctx.options.keys)
    if not names:
        raise errors.StepFailedError("no secret names given",
                                     f"name them: {hints.task(ctx, 'secrets-set', ['KEY'])}")
    with_values = [n.split("=", 1)[0] for n in names if "=" in n]
    if with_values:  # never echo what follows `=`: it may be the secret itself
        raise errors.StepFailedError(
            "secret set takes names only, never values",
            f"run `{_inv_set(ctx, with_values)}` and type the value in the browser it opens")
    allowed = required_secrets(ctx)
    unknown = [n for n in names if n not in allowed]
    if unknown:
        raise errors.StepFailedError(
            f"{', '.join(unknown)} is not a declared SecretKey or OAuth client secret",
            "declare it in runtime.ts first")
    if not has_terminal():
        raise errors.StepFailedError(
            "secret set needs a person at a terminal (it opens a browser hand-off)",
            f"run `{_inv_set(ctx, names)}` yourself, outside CI")
    run = ctx.cli("secrets-set", names, interactive=True)
    return StepResult(returncode=run.returncode)


@hookimpl
def edgespark_secrets_check(ctx: StepContext) -> StepResult:
    required = required_secrets(ctx)
    if not required:
        return StepResult(nothing_to_do="no secrets declared")
    run = ctx.cli("secrets-check")
    present = secret_names(run.output)
    if present is None:
        raise errors.UnreadableOutputError(
            "could not check the secrets: `edgespark secret list` printed no table",
            "run it yourself to see why; nothing was deployed", returncode=run.returncode)
    missing = [k for k in required if k not in present]
    if missing:
        raise errors.StepFailedError(
            f"secrets not set in {ctx.environment or 'the default environment'}: "
            + ", ".join(missing),
            "a person should run "
            + hints.cli(ctx, "secret", "set", *missing, *_env_flag(ctx).split())
            + f" (or `{_inv_set(ctx, missing)}`)")
    return StepResult(output=run.output, data={"secrets": required})
