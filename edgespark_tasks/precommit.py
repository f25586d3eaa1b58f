"""pre-commit entry point: `edgespark-tasks-hook CHECK_ID [--project DIR] [--staged] [FILE...]`.

CHECK_ID is one offline check, `offline` (all of them in one process, the default hook that
`init` writes), or one of the CLI gates.

- With files (pre-commit passes the staged ones), every project those files belong to is
  checked (monorepo aware); files outside any project are ignored.
- `--staged` (used by `.pre-commit-hooks.yaml`) also looks at `git diff --cached` itself,
  because pre-commit never passes deleted files, and judges the git index; a project is only
  checked when a path relevant to the check changed, so running on every commit stays cheap.
- With neither, the current project (or `--project`) is checked as a whole.

Exit 0 when clean or only warnings/notes, 1 on errors, 10 on bad input (errors.EXIT_CODES).
Keep this module's imports offline-only: no httpx, invoke, doit or pluggy on this path
(a test enforces it).
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from edgespark_tasks.checks import CHECK_IDS, load_check, run_checks
from edgespark_tasks.checks.findings import Finding, has_errors
from edgespark_tasks.errors import BAD_INPUT, EdgesparkTasksError
from edgespark_tasks.project import gitfiles
from edgespark_tasks.project.discovery import find_project_root
from edgespark_tasks.project.model import Project, load_project
from edgespark_tasks.project.settings import Settings, load_settings

PROG = "edgespark-tasks-hook"
# The three CLI gates; their runner is wired in `run_cli_gate` below.
GATES = ("db-check", "types-check", "deploy-dry-run")
# Every offline check in one process: each file read and tokenized once, shared by the checks.
ALL = "offline"


class _Formatter(argparse.HelpFormatter):
    """Help text as wide as $COLUMNS (80): argparse would import shutil (and with it bz2 and
    lzma) just to ask the terminal, on every commit, though hooks rarely print help."""

    def __init__(self, prog: str) -> None:
        width = os.environ.get("COLUMNS", "")
        super().__init__(prog, width=(int(width) if width.isdigit() else 80) - 2)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROG, description="EdgeSpark pre-commit hooks.",
                                     formatter_class=_Formatter)
    parser.add_argument("check", choices=[*CHECK_IDS, ALL, *GATES],
                        help=f"the check or gate to run ({ALL!r}: every offline check)")
    parser.add_argument("files", nargs="*", help="changed files (pre-commit passes them)")
    parser.add_argument("--project", type=Path, help="only this project folder")
    parser.add_argument("--staged", action="store_true",
                        help="judge the git index and notice staged deletions")
    parser.add_argument("--strict", action="store_true",
                        help="gates: fail when the check cannot run (offline, no key)")
    return parser


def run_cli_gate(gate: str, projects: Sequence[tuple[Project, Settings]], *,
                 strict: bool) -> int:
    """Run `edgespark db check` / `pull types --check` / `deploy --dry-run` on each project.

    `projects` are the projects touched by the passed files and deletions; empty means nothing
    relevant changed. The runner is imported here, lazily, so the offline hooks never load it.
    """
    from edgespark_tasks.engine.gates import run_gates

    return run_gates(gate, projects, strict=strict)


def _existing_dir(path: Path) -> Path:
    """The nearest existing folder at or above `path` (a deleted file's folder may be gone)."""
    for folder in (path, *path.parents):
        if folder.is_dir():
            return folder
    return Path.cwd()


def _group(paths: Sequence[Path], explicit: Path | None) -> dict[Path, list[Path]]:
    """Project root -> the given paths inside it. Paths outside every project are dropped."""
    roots: dict[Path, Path | None] = {}
    groups: dict[Path, list[Path]] = {}
    only = find_project_root(explicit=explicit) if explicit else None
    for path in paths:
        folder = _existing_dir(path.parent)
        if folder not in roots:
            try:
                roots[folder] = find_project_root(start=folder)
            except EdgesparkTasksError:
                roots[folder] = None  # e.g. a README at the top of a monorepo
        root = roots[folder]
        if root is not None and (only is None or root == only):
            groups.setdefault(root, []).append(path)
    return groups


def _load(root: Path) -> tuple[Project, Settings]:
    settings = load_settings(root)
    return load_project(root, settings.paths), settings


def _print(findings: Sequence[Finding], project: Project) -> None:
    base = os.path.relpath(project.root, Path.cwd())
    base = "" if base == "." else Path(base).as_posix()
    for finding in findings:
        print(finding.format(base))
    if findings and os.environ.get("GITHUB_ACTIONS", "").lower() == "true":
        # On a GitHub runner (pre-commit in a workflow) findings annotate the diff too; the
        # import happens only then, so a hook on a laptop loads nothing more.
        from edgespark_tasks.engine.report_github import finding_annotation
        from edgespark_tasks.runner.redact import Redactor

        redactor = Redactor.from_environ()
        for finding in findings:
            print(finding_annotation(finding, base, redactor))


def main(argv: Sequence[str] | None = None) -> int:
    """Run one hook; see the module docstring for arguments and exit codes."""
    args = _parser().parse_intermixed_args(argv)
    try:
        return _run(args)
    except NotImplementedError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return BAD_INPUT
    except EdgesparkTasksError as exc:
        print(f"{PROG}: error: {exc.one_line()}", file=sys.stderr)
        return exc.exit_code if exc.exit_code != 1 else BAD_INPUT
    except OSError as exc:  # an unreadable file or folder: say which, no traceback
        print(f"{PROG}: error: cannot read {exc.filename or ''}: {exc.strerror}",
              file=sys.stderr)
        return BAD_INPUT


def _run(args: argparse.Namespace) -> int:
    cwd = Path.cwd()
    paths = [(cwd / f).resolve() for f in args.files]
    index = gitfiles.staged_changes(cwd) if args.staged else None
    if index:
        paths += [path for status, path in index if status == "D"]
    from_ref = os.environ.get("PRE_COMMIT_FROM_REF", "")
    to_ref = os.environ.get("PRE_COMMIT_TO_REF", "")
    pushing = bool(from_ref and to_ref)
    if pushing:  # pre-push: deletions in the pushed commits count too
        paths += [path for status, path in gitfiles.range_changes(cwd, from_ref, to_ref)
                  if status == "D"]
    if not paths and not args.staged and not pushing:
        roots: dict[Path, list[Path]] = {find_project_root(start=cwd, explicit=args.project): []}
    else:
        roots = _group(paths, args.project)
    if args.check in GATES:
        return run_cli_gate(args.check, [_load(root) for root in sorted(roots)],
                            strict=args.strict)
    failed = False
    checks = [load_check(name) for name in (CHECK_IDS if args.check == ALL else (args.check,))]
    for root, changed in sorted(roots.items()):
        project, settings = _load(root)
        names = [check.id for check in checks if not args.staged
                 or any(check.relevant(project, path) for path in changed)]
        if not names:
            continue
        staged = None if args.staged or not changed else [str(p) for p in changed]
        findings = run_checks(project, settings, names, staged=staged,
                              all_files=not args.staged and not changed, index_changes=index)
        _print(findings, project)
        failed = failed or has_errors(findings)
    return 1 if failed else 0


def run(argv: Sequence[str] | None = None) -> int:
    """The `edgespark-tasks-hook` console script: `main()` in a process that exits next.

    A hook is a new, short-lived process on every commit. Python's garbage collector would
    scan the objects made by imports and tokenizing several times, and all of them again at
    exit, for about 5-10 ms a commit while freeing nothing that exit does not. So, like mypy,
    collect rarely (a bound remains, for a huge repository), and skip the final collection.
    """
    gc.set_threshold(100_000, 50, 50)
    code = main(argv)
    gc.freeze()  # exit follows: objects alive now are left to the process's end
    return code


if __name__ == "__main__":
    raise SystemExit(run())
