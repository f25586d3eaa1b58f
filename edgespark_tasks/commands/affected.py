"""`edgespark-tasks affected --since REF [--json]`: what a CI matrix should run."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from edgespark_tasks.engine.affected import (
    find_affected,
    publish_outputs,
    render_text,
    unresolved_warning,
)


def run_affected(since: str, *, as_json: bool, project: Path | None = None,
                 environment: str | None = None) -> int:
    """Print the affected projects (all projects of the repo, or only `project`); always 0.

    On a GitHub runner the step outputs `projects` and `count` are set as well.
    """
    report = find_affected(Path.cwd(), since, flags={"environment": environment},
                           projects=[project] if project is not None else None)
    warning = unresolved_warning(report)
    if warning:
        print(warning, file=sys.stderr)
    if as_json:
        sys.stdout.write(json.dumps(report.as_dict(), indent=2) + "\n")
    else:
        sys.stdout.write(render_text(report))
    publish_outputs(report)
    return 0
