"""`edgespark-tasks check [NAME...]` and `inv check`: the offline checks on whole projects."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

from edgespark_tasks.checks import run_checks
from edgespark_tasks.checks.findings import has_errors
from edgespark_tasks.errors import ProjectError, SettingsError
from edgespark_tasks.project.discovery import find_project_root, find_projects
from edgespark_tasks.project.model import load_project
from edgespark_tasks.project.settings import load_settings


def run_check_command(project_dir: Path | None, names: Sequence[str], *,
                      all_files: bool = False, fmt: str = "text") -> int:
    """Run checks on the project (or, at a monorepo's top, every project); 1 on errors.

    Without `all_files` the git index is judged, as the pre-commit hooks do; with it, the
    working tree. `fmt` is one of report_findings.FORMATS.
    """
    from edgespark_tasks.engine.report_findings import FORMATS, ProjectFindings, render
    from edgespark_tasks.runner.redact import Redactor

    if fmt not in FORMATS:
        raise SettingsError(f"unknown format {fmt!r}", f"use one of {', '.join(FORMATS)}")
    cwd = Path.cwd()
    try:
        roots = [find_project_root(cwd, project_dir)]
    except ProjectError:
        if project_dir is not None:
            raise
        roots = find_projects(cwd)
        if not roots:
            raise
    results = []
    for root in roots:
        settings = load_settings(root)
        project = load_project(root, settings.paths)
        findings = run_checks(project, settings, names or None, all_files=all_files)
        base = os.path.relpath(project.root, cwd)
        results.append(ProjectFindings("" if base == "." else Path(base).as_posix(), findings))
    failed = any(has_errors(r.findings) for r in results)
    total = sum(len(r.findings) for r in results)
    checked = ", ".join(names) if names else "all offline checks"
    summary = (f"{checked}: {'failed' if failed else 'passed'} ({total} finding(s), "
               f"{len(roots)} project(s))")
    sys.stdout.write(render(results, fmt, summary, failed=failed,
                            redactor=Redactor.from_environ()))
    return 1 if failed else 0
