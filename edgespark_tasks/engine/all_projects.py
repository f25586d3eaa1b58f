"""Deploy every project of a repository: choose, run in parallel, summarise, one report.

A project is deployed when its plan has a step to run (the same plan `run deploy` would
make there); with `since`, only projects `affected` since that ref are considered. The run
itself is monorepo.AllProjects (one child process per project).
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TextIO

from edgespark_tasks import errors
from edgespark_tasks.engine import report_summary
from edgespark_tasks.engine.context import RunOptions
from edgespark_tasks.engine.monorepo import AllProjects, ProjectRun
from edgespark_tasks.engine.pipeline import make_plan
from edgespark_tasks.engine.session import session_for
from edgespark_tasks.project import gitfiles
from edgespark_tasks.project.discovery import find_projects
from edgespark_tasks.project.settings import load_settings
from edgespark_tasks.runner.redact import Redactor


def child_args(options: RunOptions) -> list[str]:
    """The `run deploy` options each project's run receives (everything but --json)."""
    args: list[str] = []
    args += ["--force"] if options.force else []
    for step in options.only:
        args += ["--only", step]
    for step in options.skip:
        args += ["--skip", step]
    args += ["--yes"] if options.yes else []
    args += ["--confirm-dangerous"] if options.confirm_dangerous else []
    args += ["--no-preflight"] if not options.preflight else []
    args += ["--tail", f"{options.tail_seconds:g}"] if options.tail_seconds else []
    args += ["--quiet"] if options.verbosity == 0 else ["--verbose"] * (options.verbosity - 1)
    return args


def deploy_all_projects(cwd: Path, options: RunOptions, *, flags: Mapping[str, Any],
                        jobs: int = 1, fail_fast: bool = False, since: str | None = None,
                        out: TextIO | None = None) -> list[ProjectRun]:
    """Deploy every project with something to do; raises when any project failed."""
    if jobs < 1:
        raise errors.SettingsError(f"--jobs must be at least 1, not {jobs}", "use --jobs 3")
    to_stdout = options.json_path is not None and str(options.json_path) == "-"
    out = out or (sys.stderr if to_stdout else sys.stdout)  # `--json -`: the report owns stdout
    cwd = cwd.resolve()
    top = gitfiles.repo_root(cwd) or cwd
    roots = find_projects(top, load_settings(top, flags=flags).projects)
    if not roots:
        raise errors.ProjectError(f"no edgespark.toml in {top}",
                                  "run it at the top of a repository holding EdgeSpark projects")
    if since is not None:
        from edgespark_tasks.engine.affected import find_affected

        chosen = {a.root for a in find_affected(cwd, since, flags=flags).affected}
    started = time.monotonic()
    runs = []
    for root in roots:
        run = ProjectRun(root, Path(os.path.relpath(root, cwd)).as_posix())
        try:
            skipped = since is not None and root not in chosen
            if skipped or not _has_work(root, options, flags):
                run.result = "nothing-to-do"
        except errors.EdgesparkTasksError as exc:  # a broken project fails alone
            run.result, run.exit_code = "failed", exc.exit_code
            run.report = {"error": exc.one_line()}
            out.write(f"[{run.path}] error: {exc.one_line()}\n")
        runs.append(run)
    todo = [r for r in runs if r.result == "pending"]
    out.write(f"Deploying {len(todo)} of {len(runs)} project(s), {min(jobs, len(todo) or 1)} "
              f"at a time: {', '.join(r.path for r in todo) or 'nothing to do'}\n")
    out.flush()
    global_args = [arg for name in ("environment", "cli") if flags.get(name)
                   for arg in (f"--{name}", str(flags[name]))]
    pool = AllProjects(runs, child_args(options), global_args, jobs, fail_fast, out=out)
    error: BaseException | None = None
    try:
        pool.run()
    except errors.Interrupted as exc:
        error = exc
    duration = time.monotonic() - started
    print_summary(runs, duration, out)
    _step_summary(runs, duration, pool.redactor)
    if options.json_path is not None:
        write_report(options.json_path, runs, duration, pool.redactor)
    if error is not None:
        raise error
    failed = [r for r in runs if r.result == "failed"]
    if failed:
        raise AllProjectsFailed(failed)
    return runs


def _has_work(root: Path, options: RunOptions, flags: Mapping[str, Any]) -> bool:
    session = session_for(root, load_settings(root, flags=flags))
    return any(d.run for d in make_plan(session, options))


class AllProjectsFailed(errors.EdgesparkTasksError):
    """At least one project's deploy failed; the exit code is the first failure's."""

    def __init__(self, failed: list[ProjectRun]) -> None:
        names = ", ".join(r.path for r in failed)
        super().__init__(f"{len(failed)} project(s) failed: {names}",
                         "see each project's lines above")
        self.exit_code = failed[0].exit_code or 1


def _url(run: ProjectRun) -> str:
    return str((run.report or {}).get("url") or "")


def print_summary(runs: list[ProjectRun], duration: float, out: TextIO) -> None:
    """One line per project, then the overall result."""
    out.write(f"\n{'project':<24} {'result':<14} {'time':>8}  detail\n")
    for run in runs:
        took = f"{run.duration:.2f}s" if run.exit_code is not None else "-"
        detail = _url(run) or str((run.report or {}).get("error") or "")
        if run.exit_code not in (None, 0):
            detail = f"exit {run.exit_code}: {detail}".rstrip(": ")
        out.write(f"{run.path:<24} {run.result:<14} {took:>8}  {detail}\n")
    worst = _worst(runs)
    out.write(f"{worst} in {duration:.2f}s ({sum(r.result == 'ok' for r in runs)} deployed, "
              f"{sum(r.result == 'failed' for r in runs)} failed, "
              f"{sum(r.result == 'nothing-to-do' for r in runs)} with nothing to do)\n")
    out.flush()


def _step_summary(runs: list[ProjectRun], duration: float, redactor: Redactor) -> None:
    """On a GitHub runner, the table of projects (each project appended its own details)."""
    rows = [(r.path, r.result, f"{r.duration:.1f}s" if r.exit_code is not None else "-",
             _url(r) or str((r.report or {}).get("error") or "")) for r in runs]
    report_summary.append_summary(report_summary.projects_markdown(rows, _worst(runs), duration),
                                  redactor)


def _worst(runs: list[ProjectRun]) -> str:
    """failed (any project failed), else interrupted (Ctrl-C), else ok."""
    results = {r.result for r in runs}
    return next((worst for worst in ("failed", "interrupted") if worst in results), "ok")


def write_report(path: Path, runs: list[ProjectRun], duration: float,
                 redactor: Redactor) -> None:
    """The combined JSON report (atomically): each project's result and its own report."""
    data = {"result": _worst(runs), "duration": round(duration, 3),
            "projects": [r.as_dict() for r in runs]}
    if str(path) == "-":
        sys.stdout.write(redactor(json.dumps(data, indent=2)) + "\n")
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(redactor(json.dumps(data, indent=2)) + "\n")
    os.replace(tmp, path)
