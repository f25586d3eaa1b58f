"""`edgespark-tasks plan` and `edgespark-tasks run STEP`: the pipeline from the console."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from edgespark_tasks import errors
from edgespark_tasks.engine import pipeline
from edgespark_tasks.engine.context import RunOptions
from edgespark_tasks.engine.session import open_session


def run_command(args: argparse.Namespace) -> int:
    """Plan (`plan`, `run --dry-run`), run the pipeline (`run deploy`) or one step."""
    planning = args.command == "plan"
    options = RunOptions(
        yes=getattr(args, "yes", False),
        confirm_dangerous=getattr(args, "confirm_dangerous", False),
        force=args.force, dry_run=planning or getattr(args, "dry_run", False),
        tail_seconds=args.tail, keys=tuple(getattr(args, "keys", ())), only=tuple(args.only),
        skip=tuple(args.skip), json_path=Path(args.json) if args.json else None,
        preflight=not getattr(args, "no_preflight", False), verbosity=args.verbosity,
        plan_format=args.format if planning else "text",
    )
    if not planning and (args.all_projects or args.since or args.fail_fast or args.jobs != 1):
        return _all_projects(args, options)
    # `--json -`: the report owns stdout, so the person's output goes to stderr.
    out = sys.stderr if args.json == "-" else None
    session = open_session(args.project, flags={"environment": args.environment,
                                                "cli": args.cli}, out=out)
    if planning or args.step == "deploy":
        pipeline.run_pipeline(session, options)
        return 0
    pipeline.run_step(session, args.step, options)
    return 0


def _all_projects(args: argparse.Namespace, options: RunOptions) -> int:
    from edgespark_tasks.engine.all_projects import deploy_all_projects

    if args.step != "deploy" or not args.all_projects:
        raise errors.SettingsError(
            "--all-projects, --jobs, --fail-fast and --since go with `run deploy --all-projects`",
            "e.g. run deploy --all-projects --jobs 3")
    deploy_all_projects(Path.cwd(), options, flags={"environment": args.environment,
                                                    "cli": args.cli},
                        jobs=args.jobs, fail_fast=args.fail_fast, since=args.since)
    return 0
