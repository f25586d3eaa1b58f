"""The CLI gates (`db check`, `pull types --check`, `deploy --dry-run`) and their policy.

A gate that finds a problem fails. A gate that *could not check* (CLI missing, no API key,
network or API unreachable) fails in CI, with `--strict` or `offline = "fail"`, and otherwise
warns and passes. Either way it says which happened: never a silent pass.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Sequence

from edgespark_tasks import errors
from edgespark_tasks.engine.environ import is_ci
from edgespark_tasks.project.model import Project
from edgespark_tasks.project.settings import Settings

GATES = ("db-check", "types-check", "deploy-dry-run")
# The first words of a gate that could not check, by exit class.
NOT_CHECKED_WHY = {
    "cli-missing": "the edgespark CLI was not found",
    "auth-missing": "no API key (EDGESPARK_API_KEY is not set)",
    "network": "the EdgeSpark API could not be reached or refused the key",
    "unavailable": "the installed CLI lacks this command",
    "timeout": "the CLI did not answer in time",
}


def must_fail_when_unchecked(settings: Settings, strict: bool) -> bool:
    """The offline policy: True when "could not check" must fail the gate."""
    if strict or settings.offline == "fail":
        return True
    if settings.offline == "warn":
        return False
    return is_ci()


def run_gate(gate: str, project: Project, settings: Settings, *, strict: bool,
             prog: str = "edgespark-tasks-hook") -> int:
    """Run one gate on one project; 0 passed (or could not check, tolerated), 1 failed.

    The verdict is the first line of the gate's output (pre-commit shows it with
    `verbose: true`): `NOT CHECKED: <why>` when the gate could not check. Outside a terminal
    the CLI's own output is held back and printed after it, so the verdict reads at a glance.
    """
    from edgespark_tasks.engine import direct

    label = f"{prog} {gate} ({project.name})"
    held = not sys.stdout.isatty()
    buffers = (io.StringIO(), io.StringIO())
    out, err = buffers if held else (sys.stdout, sys.stderr)
    try:
        try:
            if direct.can_run_directly(gate, settings):
                direct.run_gate(gate, project, settings, out=out, err=err)
            else:
                from edgespark_tasks.engine import pipeline
                from edgespark_tasks.engine.context import RunOptions
                from edgespark_tasks.engine.session import session_for

                session = session_for(project.root, settings, out=out, err=err)
                pipeline.run_step(session, gate, RunOptions())
        except errors.EdgesparkTasksError as exc:
            return _verdict(label, exc, settings, strict)
        print(f"{label}: passed")
        return 0
    finally:
        if held:
            sys.stdout.write(buffers[0].getvalue())
            sys.stderr.write(buffers[1].getvalue())


def _verdict(label: str, exc: errors.EdgesparkTasksError, settings: Settings,
             strict: bool) -> int:
    kind = errors.exit_class_of(exc)
    if kind not in errors.COULD_NOT_CHECK:
        print(f"{label}: failed ({kind}): {exc.one_line()}", file=sys.stderr)
        return 1
    print(f"NOT CHECKED: {NOT_CHECKED_WHY.get(kind, kind)} ({label})", file=sys.stderr)
    if must_fail_when_unchecked(settings, strict):
        why = "CI is set" if is_ci() else "strict policy"
        print(f"{label}: could not check ({kind}), failing because {why}: "
              f"{exc.one_line()}", file=sys.stderr)
        return 1
    print(f"{label}: warning: could not check ({kind}); passing locally, CI would "
          f"fail (use --strict to fail here): {exc.one_line()}", file=sys.stderr)
    return 0


def run_gates(gate: str, projects: Sequence[tuple[Project, Settings]], *, strict: bool) -> int:
    """Run a gate on each project; the worst result wins."""
    results = [run_gate(gate, project, settings, strict=strict) for project, settings in projects]
    return max(results, default=0)
