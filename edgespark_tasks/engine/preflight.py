"""The pipeline's preflight: the offline checks, before any CLI call.

`schema-migrated` and `generated-untouched` are left out: the pipeline itself generates a
missing migration (db-generate) and refreshes generated files (pull-types).
"""

from __future__ import annotations

from edgespark_tasks import errors
from edgespark_tasks.checks import run_checks
from edgespark_tasks.checks.findings import has_errors
from edgespark_tasks.engine.context import StepContext

PREFLIGHT_CHECKS = ("migrations-journal", "runtime-keys", "auth-config", "no-secret-files")


def run_preflight(ctx: StepContext) -> None:
    """Run the offline checks on the working tree; raise StepFailedError on any error."""
    findings = run_checks(ctx.project, ctx.settings, PREFLIGHT_CHECKS, all_files=True)
    for finding in findings:
        (ctx.say if finding.severity != "error" else ctx.warn_plain)(
            "preflight: " + finding.format())
    if has_errors(findings):
        count = sum(f.severity == "error" for f in findings)
        raise errors.StepFailedError(
            f"preflight found {count} problem(s) before any change was made",
            "fix them (see above), or pass --no-preflight to deploy anyway")
