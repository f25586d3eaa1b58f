"""The pipeline's preflight: the offline checks, before any CLI call.

`schema-migrated` and `generated-untouched` are left out: the pipeline itself generates a
missing migration (db-generate) and refreshes generated files (pull-types).
"""

from __future__ import annotations

from edgespark_tasks import errors
from edgespark_tasks.checks import run_checks, varsfile
from edgespark_tasks.checks.findings import has_errors
from edgespark_tasks.engine.context import StepContext
from edgespark_tasks.project import files


def check_inputs_readable(ctx: StepContext) -> None:
    """Read every input file of the pipeline steps (and parse the vars file) once."""
    names = [name for step in ctx.steps if step.pipeline for name in step.inputs]
    files.digests(ctx.project, files.resolve(ctx.project, names, ctx.environment))
    vars_path = ctx.project.vars_file(ctx.environment)
    if files.sha256_file(vars_path) != files.MISSING:
        varsfile.load_vars(vars_path)


PREFLIGHT_CHECKS = ("migrations-journal", "runtime-keys", "auth-config", "no-secret-files")


def run_preflight(ctx: StepContext) -> None:
    """Run the offline checks on the working tree; raise StepFailedError on any error.

    First, every file a pipeline step reads must be readable (ProjectError, one line): a
    folder where a file belongs or a dangling symlink must stop doit before its first remote
    step, not at the step that happens to read it after others changed remote state.
    """
    check_inputs_readable(ctx)
    try:
        findings = run_checks(ctx.project, ctx.settings, PREFLIGHT_CHECKS, all_files=True)
    except (OSError, ValueError) as exc:  # a file no check foresaw: one line, not a traceback
        raise errors.ProjectError(f"preflight could not read the project ({exc})",
                                  "fix the file named, then retry") from None
    for finding in findings:
        (ctx.say if finding.severity != "error" else ctx.warn_plain)(
            "preflight: " + finding.format())
    if has_errors(findings):
        count = sum(f.severity == "error" for f in findings)
        raise errors.StepFailedError(
            f"preflight found {count} problem(s) before any change was made",
            "fix them (see above), or pass --no-preflight to deploy anyway")
