"""`edgespark-tasks doctor`: what is installed, configured, and what blocks the pipeline.

Reads files, asks git, and probes the CLI's `--version`/`--help` (cached); it never calls the
EdgeSpark API and never prints the API key. Exit 0 when `inv deploy` could run, 1 when
something blocks it (each blocker is named with what to do).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

from edgespark_tasks import __version__, errors
from edgespark_tasks.checks import run_checks
from edgespark_tasks.commands.doctor_git import branch_section, precommit_section, rel_path
from edgespark_tasks.commands.doctor_report import (
    Doctor,
    settings_section,
    verdict,
    write_json,
)
from edgespark_tasks.engine import environments, plugins
from edgespark_tasks.engine.context import RunOptions
from edgespark_tasks.engine.plan import Planner, with_capabilities
from edgespark_tasks.engine.preflight import PREFLIGHT_CHECKS
from edgespark_tasks.engine.state import StepRecords
from edgespark_tasks.engine.steps import Step, get
from edgespark_tasks.project import gitfiles
from edgespark_tasks.project.discovery import find_project_root, find_projects
from edgespark_tasks.project.model import Project, load_project
from edgespark_tasks.project.settings import Settings, load_settings
from edgespark_tasks.runner import cli
from edgespark_tasks.runner.capabilities import CliInfo, probe, save
from edgespark_tasks.runner.redact import Redactor, shown_command


def run_doctor(project: Path | None, *, environment: str | None, cli: str | None,
               json_to: str | None = None) -> int:
    """Print the diagnosis; 0 when nothing blocks the pipeline, else 1.

    `json_to`: also write the findings as JSON to that file, or to stdout for `-` (the human
    report then goes to stderr).
    """
    redactor = Redactor.from_environ()
    doc = Doctor(redactor, out=sys.stderr if json_to == "-" else sys.stdout)
    code = _diagnose(doc, project, environment=environment, cli=cli)
    write_json(doc, code, json_to)
    return code


def _diagnose(doc: Doctor, project: Path | None, *, environment: str | None,
              cli: str | None) -> int:
    doc.out.write(f"edgespark-tasks {__version__} doctor (python {sys.version.split()[0]})\n")
    start = Path.cwd()
    flags = {"environment": environment, "cli": cli}
    try:
        settings = load_settings(project or start, flags=flags)
    except errors.EdgesparkTasksError as exc:
        doc.section("Settings")
        doc.block(exc.one_line())
        return verdict(doc)
    doc.redactor.add_argv(settings.cli or ())
    roots = _projects(doc, project, start, settings)
    first = load_project(roots[0], settings.paths) if roots else None
    info = _cli(doc, settings, first)
    steps = _plugins(doc, settings)
    if info is not None and steps:
        _steps(doc, info, steps)
    _api_key(doc, settings)
    for root in roots:
        loaded = load_project(root, settings.paths)
        _preflight(doc, loaded, settings)
        _pipeline(doc, loaded, settings, steps, info)
    settings_section(doc, settings)
    precommit_section(doc, first.root if first else start)
    for root in roots:
        branch_section(doc, load_project(root, settings.paths))
    return verdict(doc)


def _projects(doc: Doctor, explicit: Path | None, start: Path,
              settings: Settings) -> list[Path]:
    doc.section("Projects")
    try:
        if explicit is not None:
            roots = [find_project_root(explicit=explicit)]
        else:
            try:
                roots = [find_project_root(start)]
            except errors.ProjectError:
                top = gitfiles.repo_root(start) or start
                roots = find_projects(top, settings.projects)
        if not roots:
            raise errors.ProjectError(f"no edgespark.toml in {start} or below",
                                      "run inside an EdgeSpark project or pass --project DIR")
        for root in roots:
            proj = load_project(root, settings.paths)
            where = "server at the root" if proj.server_in_root else (
                f"server in {proj.relative(proj.server_dir)}/")
            problem = proj.project_id_problem(os.environ)
            pid = (f"project_id {proj.project_id[:8]}..." if proj.project_id and not problem
                   else "no usable project_id")
            doc.line("ok", f"{proj.name} at {rel_path(root, start)} ({proj.layout}, {where}, "
                     f"{pid})")
            doc.facts.setdefault("projects", []).append({
                "name": proj.name, "root": str(proj.root), "layout": proj.layout,
                "project_id": None if problem else proj.project_id})
            if problem:
                doc.block(f"{proj.name}: {problem}: set the id of your EdgeSpark project "
                          "(shown by `edgespark init` and the dashboard), or export "
                          "EDGESPARK_PROJECT_ID")
    except errors.EdgesparkTasksError as exc:
        doc.block(exc.one_line())
        return []
    return roots


def _cli(doc: Doctor, settings: Settings, project: Project | None) -> CliInfo | None:
    doc.section("EdgeSpark CLI")
    try:
        command = cli.resolve(settings, project)
        if project is not None:
            runner = cli.Runner(settings, project, redactor=doc.redactor)
            info = runner.info()  # probes under the project lock when not cached
        else:
            info = probe(command, None, redactor=doc.redactor)
    except errors.EdgesparkTasksError as exc:
        doc.block(exc.one_line())
        return None
    source = settings.sources.get("cli", "default") if settings.cli else "found on PATH"
    doc.line("ok", f"edgespark {info.version}: {shown_command(command)} ({source})")
    if project is not None and not project.server_in_root and not info.serves_full_stack:
        try:
            # deploy needs the whole layout; the server-only commands run from server/
            runner.ensure_layout(info, [get("deploy").call()])
        except errors.CliLayoutError as exc:
            doc.block(exc.one_line())
    doc.facts["cli"] = {"command": doc.redactor(shown_command(command)),
                        "version": info.version, "source": source}
    return info


def _steps(doc: Doctor, info: CliInfo, steps: Sequence[Step]) -> None:
    doc.section(f"Steps (edgespark {info.version})")
    doc.facts["steps"] = {s.id: bool(not s.argv or info.supports(s.argv)) for s in steps}
    for step in steps:
        if not step.argv:
            doc.line("", f"{step.id:<16} no CLI command")
        elif info.supports(step.argv):
            doc.line("ok", f"{step.id:<16} {step.command}")
        else:
            doc.line("warn", f"{step.id:<16} not available in edgespark {info.version}")


def _plugins(doc: Doctor, settings: Settings) -> tuple[Step, ...]:
    doc.section("Plugins")
    try:
        pm = plugins.make_manager(settings)
        steps = plugins.catalogue(pm)
    except errors.EdgesparkTasksError as exc:
        doc.block(exc.one_line())
        return ()
    for name, version, hooks in plugins.plugin_summary(pm):
        if name in plugins.BUILTIN_PLUGINS:
            version = f"{__version__} (built-in)"
        doc.line("", f"{name} {version}: {', '.join(hooks) or 'no hooks'}")
    return steps


def _api_key(doc: Doctor, settings: Settings) -> None:
    doc.section("API key")
    doc.facts["api_key_set"] = bool(os.environ.get("EDGESPARK_API_KEY"))
    if os.environ.get("EDGESPARK_API_KEY"):
        doc.line("ok", "EDGESPARK_API_KEY is set (value not shown)")
    elif any(a == "--api-key" or a.startswith("--api-key=") for a in settings.cli or ()):
        doc.line("ok", "--api-key is part of the cli setting (value not shown)")
    else:
        doc.block("EDGESPARK_API_KEY is not set: every CLI step needs it; export it in your "
                  "shell or CI secrets (the CLI never reads it from a file)")


def _pipeline(doc: Doctor, project: Project, settings: Settings, steps: Sequence[Step],
              info: CliInfo | None) -> None:
    if info is None or not steps:
        return
    env = environments.describe(settings.environment, project, info.version)
    doc.section(f"Pipeline ({project.name}, {env})")
    try:
        records = StepRecords(project.state_dir, settings.environment)
        planner = Planner(project, settings, settings.environment, records, RunOptions())
        decisions = with_capabilities(planner.plan(steps), lambda s: info.supports(s.argv),
                                      info.version)
    except errors.EdgesparkTasksError as exc:
        doc.block(f"{project.name}: {exc.one_line()}")
        return
    save(info, project.state_dir)
    runs = [d.step.id for d in decisions if d.run and not d.blocked]
    doc.line("", f"inv deploy would run: {', '.join(runs) or 'nothing'}")
    blocked = [d for d in decisions if d.blocked]
    doc.facts.setdefault("pipeline", {})[project.name] = {
        "would_run": runs, "blocked": [d.step.id for d in blocked]}
    if blocked:
        skips = " ".join(f"--skip {d.step.id}" for d in blocked)
        doc.block(f"{project.name}: inv deploy needs {', '.join(d.step.id for d in blocked)}, "
                  f"which edgespark {info.version} lacks: upgrade the CLI "
                  f"(`npm install -g @edgespark/cli@latest`) or pass {skips}")


def _preflight(doc: Doctor, project: Project, settings: Settings) -> None:
    """The offline checks `inv deploy` runs before its first CLI call: an error stops it."""
    doc.section(f"Preflight ({project.name}: the offline checks run before a deploy)")
    try:
        findings = run_checks(project, settings, PREFLIGHT_CHECKS, all_files=True)
    except errors.EdgesparkTasksError as exc:
        doc.block(f"{project.name}: preflight: {exc.one_line()}")
        return
    problems = [f for f in findings if f.severity == "error"]
    for finding in problems[:10]:
        doc.line("FAIL", finding.format())
    if len(problems) > 10:
        doc.line("", f"... and {len(problems) - 10} more (`edgespark-tasks check --all-files`)")
    if problems:
        doc.blockers.append(f"{project.name}: the deploy preflight finds {len(problems)} "
                            "problem(s) (listed above): fix them, or deploy with --no-preflight")
    else:
        warned = len(findings)
        doc.line("ok", f"{', '.join(PREFLIGHT_CHECKS)}: no errors"
                 + (f" ({warned} warning(s)/note(s): `edgespark-tasks check --all-files`)"
                    if warned else ""))
