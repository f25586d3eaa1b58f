# PYTHON_ARGCOMPLETE_OK
"""The `edgespark-tasks` command (also `python -m edgespark_tasks`).

Each subcommand is one `Subcommand` entry in `SUBCOMMANDS`: its arguments and a function from
the parsed arguments to an exit code. Adding a subcommand means adding an entry (its code in
`commands/`, imported lazily so `--help` and completion stay fast). The global options
(`--project`, `-e`, `--cli`, `-v`, `-q`) are accepted before and after the subcommand.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

from edgespark_tasks import __version__, errors
from edgespark_tasks.edge import guarded

PROG = "edgespark-tasks"


@dataclass(frozen=True)
class Subcommand:
    """One `edgespark-tasks NAME` subcommand."""

    name: str
    help: str
    arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


class Parser(argparse.ArgumentParser):
    """argparse, exiting with the suite's bad-input code instead of 2 (the CLI's usage code)."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(errors.BAD_INPUT, f"{self.prog}: error: {message}\n")


def global_options(parser: argparse.ArgumentParser, *, after: bool) -> None:
    """The options every subcommand shares. `after`: the copy given to a subcommand, whose
    defaults are suppressed so a value given before the subcommand is not reset."""
    def default(value: object) -> object:
        return argparse.SUPPRESS if after else value

    parser.add_argument("--project", type=Path, metavar="DIR", default=default(None),
                        help="the project folder (default: nearest edgespark.toml upward)")
    parser.add_argument("-e", "--environment", metavar="ENV", default=default(None),
                        help="EdgeSpark environment (passed to the CLI as --environment)")
    parser.add_argument("--cli", metavar="CMD", default=default(None),
                        help="the edgespark command line to use")
    parser.add_argument("-v", "--verbose", action="count", default=default(0),
                        help="say more: the CLI command lines as they run (repeatable)")
    parser.add_argument("-q", "--quiet", action="store_true", default=default(False),
                        help="only warnings, errors and the final result")


def pipeline_options(parser: argparse.ArgumentParser) -> None:
    """Options of `plan` and `run`: narrowing the plan and the JSON report."""
    parser.add_argument("--force", action="store_true", help="ignore recorded state")
    parser.add_argument("--only", action="append", default=[], metavar="STEP",
                        help="only this step (repeatable)")
    parser.add_argument("--skip", action="append", default=[], metavar="STEP",
                        help="skip this step (repeatable)")
    parser.add_argument("--tail", type=float, metavar="N",
                        help="log tail for N seconds at the end")
    parser.add_argument("--json", metavar="FILE", nargs="?", const="-",
                        help="write a JSON report to FILE; `-` or no FILE: to stdout, with "
                             "the human output on stderr")


def _run_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("step", help="step id (see `steps`), or deploy")
    parser.add_argument("keys", nargs="*", help="secrets-set: the secret NAMES (never values)")
    parser.add_argument("--dry-run", action="store_true", help="print the plan, run nothing")
    parser.add_argument("--yes", "-y", action="store_true",
                        help="continue after db generate without asking")
    parser.add_argument("--confirm-dangerous", action="store_true",
                        help="allow destructive migrations / bucket removal")
    parser.add_argument("--no-preflight", action="store_true",
                        help="skip the offline checks run before the first remote change")
    parser.add_argument("--all-projects", action="store_true",
                        help="deploy: every project of the repository with something to do")
    parser.add_argument("--jobs", "-j", type=int, default=1, metavar="N",
                        help="--all-projects: deploy up to N projects at once (default 1)")
    parser.add_argument("--fail-fast", action="store_true",
                        help="--all-projects: stop the other projects when one fails")
    parser.add_argument("--since", metavar="REF",
                        help="--all-projects: only projects affected since this git ref")
    pipeline_options(parser)


def _plan_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=("text", "mermaid"), default="text",
                        help="text: decisions and commands; mermaid: a flowchart of the steps")
    pipeline_options(parser)


def _check_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("names", nargs="*", help="check ids (default: all)")
    parser.add_argument("--all-files", action="store_true", help="check everything, not staged")
    parser.add_argument("--format", choices=("text", "json", "github", "sarif"), default="text",
                        help="text (plus annotations on GitHub Actions), json, github "
                             "(workflow commands) or sarif (SARIF 2.1.0 for code scanning)")


def _affected_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--since", required=True, metavar="REF",
                        help="git ref (commit, branch, tag) to compare with")
    parser.add_argument("--json", action="store_true",
                        help="print JSON (its `projects` list is a matrix `include`)")


def _doctor_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", metavar="FILE", nargs="?", const="-",
                        help="also write the findings as JSON to FILE (`-` or no FILE: stdout, "
                             "with the report on stderr)")


def _init_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dir", type=Path, default=Path("."), help="repository folder")
    parser.add_argument("--force", action="store_true", help="overwrite tasks.py / dodo.py")
    parser.add_argument("--ci", choices=("github", "gitlab"),
                        help="also write the CI file: .github/workflows/edgespark.yml or "
                             ".gitlab-ci.yml")


def _none(parser: argparse.ArgumentParser) -> None:
    return None


def _steps(args: argparse.Namespace) -> int:
    from edgespark_tasks.commands.listing import print_steps

    return print_steps(args)


def _hooks(args: argparse.Namespace) -> int:
    from edgespark_tasks.commands.listing import print_hooks

    return print_hooks()


def _pipeline(args: argparse.Namespace) -> int:
    from edgespark_tasks.commands.run import run_command

    return run_command(args)


def _check(args: argparse.Namespace) -> int:
    from edgespark_tasks.commands.check import run_check_command

    return run_check_command(args.project, args.names, all_files=args.all_files,
                             fmt=args.format)


def _affected(args: argparse.Namespace) -> int:
    from edgespark_tasks.commands.affected import run_affected

    return run_affected(args.since, as_json=args.json, project=args.project,
                        environment=args.environment)


def _doctor(args: argparse.Namespace) -> int:
    from edgespark_tasks.commands.doctor import run_doctor

    return run_doctor(args.project, environment=args.environment, cli=args.cli,
                      json_to=args.json)


def _init(args: argparse.Namespace) -> int:
    from edgespark_tasks.commands.init import run_init

    return run_init(args.dir, force=args.force, ci=args.ci)


SUBCOMMANDS: list[Subcommand] = [
    Subcommand("steps", "list the step catalogue with inputs and outputs", _none, _steps),
    Subcommand("hooks", "list every plugin hook with its signature", _none, _hooks),
    Subcommand("plan", "show what `run deploy` would do, running nothing", _plan_arguments,
               _pipeline),
    Subcommand("run", "run one step, or `deploy` for the whole pipeline", _run_arguments,
               _pipeline),
    Subcommand("affected", "projects whose pipeline inputs changed since a git ref, with the "
               "steps that would run (for a CI matrix)", _affected_arguments, _affected),
    Subcommand("check", "run the offline checks", _check_arguments, _check),
    Subcommand("doctor", "what is installed, configured and blocking", _doctor_arguments,
               _doctor),
    Subcommand("init", "add tasks.py, dodo.py and pre-commit entries to this repo",
               _init_arguments, _init),
]


def build_parser() -> argparse.ArgumentParser:
    """The whole command line: global options, then one subparser per SUBCOMMANDS entry."""
    parser = Parser(prog=PROG, description="The EdgeSpark workflow as steps: plan what "
                    "changed, run it in order. Exit codes: see README \"Exit codes\".")
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    global_options(parser, after=False)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND",
                                parser_class=Parser)
    for command in SUBCOMMANDS:
        child = sub.add_parser(command.name, help=command.help, description=command.help)
        global_options(child, after=True)
        command.arguments(child)
        child.set_defaults(handler=command.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `edgespark-tasks`; returns the exit code."""
    parser = build_parser()
    if "_ARGCOMPLETE" in os.environ:  # shell completion (argcomplete), see README
        import argcomplete

        argcomplete.autocomplete(parser)
    args = parser.parse_args(argv)
    args.verbosity = 0 if args.quiet else 1 + args.verbose
    handler: Callable[[argparse.Namespace], int] = args.handler
    return guarded(PROG, lambda: handler(args))


if __name__ == "__main__":
    sys.exit(main())
