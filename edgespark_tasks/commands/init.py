"""`edgespark-tasks init`: add tasks.py, dodo.py, the pre-commit hooks and the ignore line.

Merges without losing a line of the user's: an existing `.pre-commit-config.yaml` gets our
`repo: local` entry inserted as text into its `repos:` list (comments and layout kept, the
result checked with a YAML parser before it is written); an existing `tasks.py`/`dodo.py` is
left alone and the lines to add are printed, unless `--force` (the original is kept, byte
for byte, as `<name>.orig`, else `.orig.1`, `.orig.2`...: a backup is never overwritten).
Running it twice changes nothing the second time, and says so.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from edgespark_tasks.commands.init_precommit import (
    comment_out_hook,
    merge_precommit,
    unavailable_gates,
    valid_merge,
)
from edgespark_tasks.errors import EdgesparkTasksError, ProjectError
from edgespark_tasks.project import gitfiles

PRECOMMIT = ".pre-commit-config.yaml"
IGNORE_LINE = ".edgespark-tasks/"
_OURS = re.compile(r"(\bid:\s*['\"]?edgespark-|edgespark-tasks-hook)")


def templates_dir() -> Path:
    """The bundled templates (inside the wheel, or `templates/` in a checkout)."""
    here = Path(__file__).resolve().parent.parent  # the package folder
    for candidate in (here / "_data" / "templates", here.parent / "templates"):
        if (candidate / "tasks.py").is_file():
            return candidate
    raise EdgesparkTasksError("the bundled templates are missing from this installation",
                              "reinstall edgespark-tasks")


@dataclass
class InitRun:
    """What one `init` did, file by file."""

    directory: Path
    force: bool
    templates: Path
    changed: list[str] = field(default_factory=list)
    by_hand: list[str] = field(default_factory=list)  # files whose snippet was printed
    problems: int = 0

    def say(self, text: str) -> None:
        sys.stdout.write(text.rstrip() + "\n")

    def template(self, name: str) -> str:
        return (self.templates / name).read_text()

    def keep_original(self, path: Path) -> Path:
        """Copy `path`, byte for byte, to `<name>.orig` (`.orig.1`, `.orig.2`... when that
        exists: an earlier backup is never overwritten); returns the backup's path."""
        data = path.read_bytes()
        for n in range(1000):
            backup = path.with_name(path.name + ".orig" + (f".{n}" if n else ""))
            try:
                with backup.open("xb") as handle:  # exclusive: never replaces a file
                    handle.write(data)
            except FileExistsError:
                continue
            return backup
        raise EdgesparkTasksError(f"{path.name}.orig.* backups are all taken",
                                  "remove old backups, then retry")

    def write(self, name: str, text: str, verb: str) -> None:
        (self.directory / name).write_text(text)
        self.changed.append(name)
        self.say(f"{verb} {name}")


def run_init(directory: Path, *, force: bool, ci: str | None = None) -> int:
    """Initialise `directory` (a repository root); 0 on success, 1 when a merge was refused.

    `ci` ("github" or "gitlab"): also write that CI file (commands/init_ci.py).
    """
    directory = directory.resolve()
    if not directory.is_dir():
        raise ProjectError(f"{directory} is not a folder", "pass --dir REPOSITORY")
    if gitfiles.repo_root(directory) is None:
        raise ProjectError(
            f"{directory} is not inside a git repository; nothing was written",
            "run `git init` there first (pre-commit hooks live in a repository), or pass "
            "--dir REPOSITORY")
    run = InitRun(directory, force, templates_dir())
    ci_text = None
    if ci is not None:  # look at the repository (projects, CLI) before writing anything
        from edgespark_tasks.commands.init_ci import render_ci, write_ci

        ci_text = render_ci(run, ci)
    _python_file(run, "tasks.py", "tasks-snippet.py", "edgespark_tasks")
    _python_file(run, "dodo.py", "dodo-snippet.py", "edgespark_tasks")
    _precommit(run)
    _gitignore(run)
    if ci is not None and ci_text is not None:
        write_ci(run, ci, ci_text)
    if run.changed:
        run.say(f"done: {len(run.changed)} file(s) changed ({', '.join(run.changed)}); next: "
                "`pre-commit install`, then `edgespark-tasks doctor`")
    elif run.by_hand:
        run.say(f"nothing changed; still to do by hand: the lines above in "
                f"{' and '.join(run.by_hand)}")
    elif not run.problems:
        run.say("nothing to change: this repository is already initialised")
    return 1 if run.problems else 0


def _python_file(run: InitRun, name: str, snippet: str, marker: str) -> None:
    path = run.directory / name
    if not path.exists():
        run.write(name, run.template(name), "created")
        return
    current = path.read_text(errors="replace")
    if run.force:
        if current == run.template(name):
            run.say(f"unchanged {name} (already the template)")
            return
        backup = run.keep_original(path)
        run.write(name, run.template(name), f"replaced (--force; yours is in {backup.name})")
        return
    if marker in current:
        run.say(f"unchanged {name} (already uses edgespark_tasks)")
        return
    run.say(f"left {name} alone (it is yours); add these lines, or re-run with --force:\n")
    run.say(run.template(snippet))
    run.by_hand.append(name)


def _precommit(run: InitRun) -> None:
    path = run.directory / PRECOMMIT
    block = run.template("pre-commit-config.yaml")
    if not _OURS.search(path.read_text(errors="replace") if path.exists() else ""):
        block = _only_runnable_gates(run, block)
    if not path.exists():  # pre-push too: the deploy dry run hook runs there
        run.write(PRECOMMIT, "default_install_hook_types: [pre-commit, pre-push]\nrepos:\n"
                  + block, "created")
        return
    current = path.read_text(errors="replace")
    if _OURS.search(current):
        run.say(f"unchanged {PRECOMMIT} (already runs edgespark hooks)")
        return
    merged = merge_precommit(current, block)
    if merged is None or not valid_merge(merged, current):
        run.problems += 1
        run.say(f"left {PRECOMMIT} alone: could not merge into it safely (is it valid YAML "
                "with a `repos:` list?); add this entry under `repos:` yourself:\n")
        run.say(block)
        return
    run.write(PRECOMMIT, merged, "updated")
    run.say(f"  appended the edgespark hooks (repo: local) under repos:; "
            f"your {len(current.splitlines())} line(s) kept as they were")
    if "pre-push" not in current:
        run.say("  the deploy dry run hook runs before a push: `pre-commit install "
                "--hook-type pre-commit --hook-type pre-push`")


def _only_runnable_gates(run: InitRun, block: str) -> str:
    """The hook block with the gates the installed CLI cannot run commented out, with why."""
    missing = unavailable_gates(run.directory)
    for gate, reason in missing.items():
        block = comment_out_hook(block, f"edgespark-{gate}", reason)
        run.say(f"  left the {gate} gate commented out in {PRECOMMIT}: {reason}")
    return block


def _gitignore(run: InitRun) -> None:
    path = run.directory / ".gitignore"
    current = path.read_text(errors="replace") if path.exists() else ""
    patterns = {line.strip().lstrip("/").rstrip("/") for line in current.splitlines()}
    if IGNORE_LINE.rstrip("/") in patterns:
        run.say(f"unchanged .gitignore (already ignores {IGNORE_LINE})")
        return
    if current and not current.endswith("\n"):
        current += "\n"
    text = f"{current}# edgespark-tasks state (edgespark-tasks init)\n{IGNORE_LINE}\n"
    run.write(".gitignore", text, "updated" if current else "created")
