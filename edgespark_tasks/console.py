"""The `edgespark-tasks` command: steps, hooks, plan, run, check."""

from __future__ import annotations

import argparse
import inspect
import sys
from collections.abc import Sequence
from pathlib import Path

from edgespark_tasks import __version__, errors
from edgespark_tasks.edge import guarded
from edgespark_tasks.engine import hookspecs
from edgespark_tasks.engine.context import RunOptions
from edgespark_tasks.engine.steps import CATALOGUE, Step


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="edgespark-tasks",
        description="The EdgeSpark workflow as steps: plan what changed, run it in order.")
    parser.add_argument("--version", action="version", version=f"edgespark-tasks {__version__}")
    parser.add_argument("--project", type=Path, metavar="DIR",
                        help="the project folder (default: nearest edgespark.toml upward)")
    parser.add_argument("--environment", "-e", metavar="ENV",
                        help="EdgeSpark environment (passed to the CLI as --environment)")
    parser.add_argument("--cli", metavar="CMD", help="the edgespark command line to use")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub.add_parser("steps", help="list the step catalogue with inputs and outputs")
    sub.add_parser("hooks", help="list every plugin hook with its signature")
    plan = sub.add_parser("plan", help="show what `run deploy` would do, running nothing")
    plan.add_argument("--format", choices=("text", "mermaid"), default="text",
                      help="text: decisions and commands; mermaid: a flowchart of the steps")
    run = sub.add_parser("run", help="run one step, or `deploy` for the whole pipeline")
    run.add_argument("step", help="step id (see `steps`), or deploy")
    run.add_argument("keys", nargs="*", help="secrets-set: the secret NAMES (never values)")
    run.add_argument("--dry-run", action="store_true", help="print the plan, run nothing")
    run.add_argument("--yes", "-y", action="store_true",
                     help="continue after db generate without asking")
    run.add_argument("--confirm-dangerous", action="store_true",
                     help="allow destructive migrations / bucket removal")
    run.add_argument("--json", type=Path, metavar="FILE", help="write a JSON report")
    run.add_argument("--no-preflight", action="store_true",
                     help="skip the offline checks run before the first remote change")
    run.add_argument("--all-projects", action="store_true",
                     help="deploy: every project of the repository with something to do")
    run.add_argument("--jobs", "-j", type=int, default=1, metavar="N",
                     help="--all-projects: deploy up to N projects at once (default 1)")
    run.add_argument("--fail-fast", action="store_true",
                     help="--all-projects: stop the other projects when one fails")
    run.add_argument("--since", metavar="REF",
                     help="--all-projects: only projects affected since this git ref")
    for p in (plan, run):
        p.add_argument("--force", action="store_true", help="ignore recorded state")
        p.add_argument("--only", action="append", default=[], metavar="STEP",
                       help="only this step (repeatable)")
        p.add_argument("--skip", action="append", default=[], metavar="STEP",
                       help="skip this step (repeatable)")
        p.add_argument("--tail", type=float, metavar="N", help="log tail for N seconds at the end")
    affected = sub.add_parser("affected", help="projects whose pipeline inputs changed since "
                              "a git ref, with the steps that would run (for a CI matrix)")
    affected.add_argument("--since", required=True, metavar="REF",
                          help="git ref (commit, branch, tag) to compare with")
    affected.add_argument("--json", action="store_true",
                          help="print JSON (its `projects` list is a matrix `include`)")
    check = sub.add_parser("check", help="run the offline checks")
    check.add_argument("names", nargs="*", help="check ids (default: all)")
    check.add_argument("--all-files", action="store_true", help="check everything, not staged")
    check.add_argument("--format", choices=("text", "json", "github", "sarif"), default="text",
                       help="text (plus annotations on GitHub Actions), json, github "
                            "(workflow commands) or sarif (SARIF 2.1.0 for code scanning)")
    sub.add_parser("doctor", help="what is installed, configured and blocking")
    init = sub.add_parser("init", help="add tasks.py, dodo.py and pre-commit entries to this repo")
    init.add_argument("--dir", type=Path, default=Path("."), help="repository folder")
    init.add_argument("--force", action="store_true", help="overwrite tasks.py / dodo.py")
    init.add_argument("--ci", choices=("github", "gitlab"),
                      help="also write the CI file: .github/workflows/edgespark.yml or "
                           ".gitlab-ci.yml")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `edgespark-tasks`; returns the exit code."""
    args = _parser().parse_args(argv)
    return guarded("edgespark-tasks", lambda: _dispatch(args))


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "steps":
        return _print_steps(_steps_for(args))
    if args.command == "hooks":
        return _print_hooks()
    if args.command == "check":
        from edgespark_tasks.commands.check import run_check_command

        return run_check_command(args.project, args.names, all_files=args.all_files,
                                 fmt=args.format)
    if args.command == "affected":
        from edgespark_tasks.commands.affected import run_affected

        return run_affected(args.since, as_json=args.json, project=args.project,
                            environment=args.environment)
    if args.command == "doctor":
        from edgespark_tasks.commands.doctor import run_doctor

        return run_doctor(args.project, environment=args.environment, cli=args.cli)
    if args.command == "init":
        from edgespark_tasks.commands.init import run_init

        return run_init(args.dir, force=args.force, ci=args.ci)
    from edgespark_tasks.engine import pipeline
    from edgespark_tasks.engine.session import open_session

    options = RunOptions(
        yes=getattr(args, "yes", False),
        confirm_dangerous=getattr(args, "confirm_dangerous", False),
        force=args.force, dry_run=args.command == "plan" or getattr(args, "dry_run", False),
        tail_seconds=args.tail, keys=tuple(getattr(args, "keys", ())), only=tuple(args.only),
        skip=tuple(args.skip), json_path=getattr(args, "json", None),
        preflight=not getattr(args, "no_preflight", False),
        plan_format=args.format if args.command == "plan" else "text",
    )
    if args.command == "run" and (args.all_projects or args.since or args.fail_fast
                                  or args.jobs != 1):
        return _all_projects(args, options)
    session = open_session(args.project, flags={"environment": args.environment, "cli": args.cli})
    if args.command == "plan" or args.step == "deploy":
        pipeline.run_pipeline(session, options)
        return 0
    pipeline.run_step(session, args.step, options)
    return 0


def _all_projects(args: argparse.Namespace, options: RunOptions) -> int:
    from edgespark_tasks.engine.all_projects import deploy_all_projects

    if args.step != "deploy" or not args.all_projects:
        raise errors.SettingsError("--all-projects, --jobs and --since go with `run deploy "
                                   "--all-projects`", "e.g. run deploy --all-projects --jobs 3")
    deploy_all_projects(Path.cwd(), options, flags={"environment": args.environment,
                                                    "cli": args.cli},
                        jobs=args.jobs, fail_fast=args.fail_fast, since=args.since)
    return 0


def _steps_for(args: argparse.Namespace) -> Sequence[Step]:
    """The catalogue plus plugin steps when a project is at hand, else the built-in one."""
    from edgespark_tasks.engine.session import open_session

    try:
        return open_session(args.project, flags={"environment": args.environment}).steps
    except errors.ProjectError:
        if args.project is not None:
            raise
        return CATALOGUE


def _print_steps(steps: Sequence[Step]) -> int:
    print(f"{'step':<16} {'command':<34} inputs -> outputs")
    for step in steps:
        flags = [name for name, on in (("network", step.network), ("human", step.interactive),
                                       ("remote", step.remote), ("pipeline", step.pipeline)) if on]
        io = ", ".join(step.inputs) or "-"
        if step.outputs:
            io += " -> " + ", ".join(step.outputs)
        print(f"{step.id:<16} {step.command:<34} {io}  [{' '.join(flags)}]")
    return 0


def hook_functions() -> list[tuple[str, str, str]]:
    """(name, signature, first docstring line) of every hookspec, in definition order."""
    found = [
        (fn.__code__.co_firstlineno, name, fn)
        for name, fn in vars(hookspecs).items()
        if name.startswith("edgespark_") and inspect.isfunction(fn)
    ]
    return [(name, str(inspect.signature(fn)).replace("'", ""),
             (fn.__doc__ or "").strip().splitlines()[0]) for _, name, fn in sorted(found)]


def _print_hooks() -> int:
    for name, signature, doc in hook_functions():
        print(f"{name}{signature}\n    {doc}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
