"""The few git questions the offline checks ask: what is staged, tracked, or on the default branch.

Every function returns an empty answer (or None) outside a git repository, so the checks that
need git degrade to "nothing to compare" instead of failing. Paths come back absolute, because
git prints them relative to the repository root, which is rarely the project root.
"""

from __future__ import annotations

import os
import subprocess
from functools import lru_cache
from pathlib import Path

# A status letter from `git diff --name-status` (A, M, D, T...) and the absolute path.
Change = tuple[str, Path]


def _git(cwd: Path, *args: str) -> str | None:
    try:
        result = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, text=True, encoding="utf-8",
            errors="surrogateescape", check=False,
        )
    except OSError:  # no git executable, or cwd is gone
        return None
    return result.stdout if result.returncode == 0 else None


@lru_cache(maxsize=32)
def repo_root(cwd: Path) -> Path | None:
    """The top of the work tree holding `cwd`, or None outside git.

    The nearest folder holding `.git` (a folder, or a file in worktrees and submodules) is
    the answer git would give, found without starting git; with GIT_DIR or GIT_WORK_TREE
    set, git decides."""
    if not os.environ.get("GIT_DIR") and not os.environ.get("GIT_WORK_TREE"):
        here = cwd.resolve()
        return next((d for d in (here, *here.parents) if (d / ".git").exists()), None)
    out = _git(cwd, "rev-parse", "--show-toplevel")
    return Path(out.strip()).resolve() if out else None


def _diff(cwd: Path, *args: str) -> list[Change] | None:
    """`git diff --name-status` as changes; None when git fails (bad ref, not a repo)."""
    top = repo_root(cwd)
    # --no-renames: a rename shows as a deletion plus an addition, so deletions are never hidden.
    out = _git(cwd, "diff", "--name-status", "-z", "--no-renames", *args) if top else None
    if out is None or top is None:
        return None
    parts = out.split("\0")
    return [(parts[i][:1], top / parts[i + 1]) for i in range(0, len(parts) - 1, 2)]


def _changes(cwd: Path, *args: str) -> list[Change]:
    return _diff(cwd, *args) or []


def has_commits(cwd: Path) -> bool:
    """True once HEAD points at a commit (False before the first commit, or outside git)."""
    return _git(cwd, "rev-parse", "--verify", "-q", "HEAD") is not None


def staged_changes(cwd: Path, *paths: Path) -> list[Change]:
    """What the next commit changes (additions, edits and deletions) under `paths`."""
    return _changes(cwd, "--cached", "--", *map(str, paths))


def under_any(changes: list[Change], *folders: Path) -> list[Change]:
    """The changes at or under one of `folders` (a repository-wide list narrowed down)."""
    return [(status, path) for status, path in changes
            if any(f == path or f in path.parents for f in folders)]


def changes_since_fork(cwd: Path, configured: str | None, *paths: Path,
                       cached: bool = False) -> tuple[str, list[Change]] | None:
    """(default branch ref, changes from where HEAD forked from it to the index or working
    tree) under `paths`, in one git process (`git diff --merge-base`); None outside git or
    without a default branch. The branch is chosen as `default_branch` chooses it."""
    name = configured or _default_name(cwd)
    extra = ["--cached"] if cached else []
    for ref in (name, f"origin/{name}"):
        found = _diff(cwd, "--merge-base", ref, *extra, "--", *map(str, paths))
        if found is not None:
            return ref, found
    branch = default_branch(cwd, configured)  # git older than 2.30: no --merge-base
    base = merge_base(cwd, branch) if branch else None
    if branch is None or base is None:
        return None
    return branch, changes_against(cwd, base, *paths, cached=cached)


def worktree_changes(cwd: Path, *paths: Path) -> list[Change]:
    """Working tree against HEAD (staged or not), plus untracked files, under `paths`."""
    has_head = has_commits(cwd)
    changes = _changes(cwd, "HEAD", "--", *map(str, paths)) if has_head else []
    untracked = list_files(cwd, *paths, others=True)
    return changes + [("A", path) for path in untracked]


def changes_against(cwd: Path, ref: str, *paths: Path, cached: bool = False) -> list[Change]:
    """Differences between `ref` and the index (`cached`) or the working tree, under `paths`."""
    return _changes(cwd, *(["--cached"] if cached else []), ref, "--", *map(str, paths))


def list_files(cwd: Path, *pathspecs: str | Path, others: bool = False) -> list[Path]:
    """Tracked (staged) files matching `pathspecs`; with `others`, untracked non-ignored ones."""
    top = repo_root(cwd)
    mode = ("--others", "--exclude-standard") if others else ("--cached",)
    out = _git(cwd, "ls-files", "-z", "--full-name", *mode, "--", *map(str, pathspecs))
    if not out or top is None:
        return []
    return [top / name for name in out.split("\0") if name]


def tracked_and_others(cwd: Path, *pathspecs: str | Path) -> tuple[list[Path], list[Path]]:
    """(tracked or staged, untracked and not ignored) files matching `pathspecs`: both
    answers of `list_files` from one git process."""
    top = repo_root(cwd)
    out = _git(cwd, "ls-files", "-z", "-t", "--full-name", "--cached", "--others",
               "--exclude-standard", "--", *map(str, pathspecs))
    if not out or top is None:
        return [], []
    tracked: list[Path] = []
    others: list[Path] = []
    for item in filter(None, out.split("\0")):
        (others if item[:1] == "?" else tracked).append(top / item[2:])
    return tracked, others


def resolve_ref(cwd: Path, ref: str) -> bool:
    """True when `ref` names a commit in this repository."""
    return _git(cwd, "rev-parse", "--verify", "-q", f"{ref}^{{commit}}") is not None


def current_branch(cwd: Path) -> str | None:
    """The checked-out branch, or None (detached HEAD, outside git)."""
    name = (_git(cwd, "branch", "--show-current") or "").strip()
    return name or None


def default_branch(cwd: Path, configured: str | None = None) -> str | None:
    """The branch migrations are applied from, as a ref that resolves here, or None.

    `[db] migration_branch` if set, else `origin/HEAD`, else `init.defaultBranch`, else `main`;
    a local branch is preferred, then its `origin/` counterpart (CI clones often lack it).
    """
    name = configured or _default_name(cwd)
    for ref in (name, f"origin/{name}"):
        if resolve_ref(cwd, ref):
            return ref
    return None


def added_since_last_change(cwd: Path, watched: Path, folder: Path) -> list[Path]:
    """Files added under `folder` by the last commit that changed `watched`, or by any commit
    after it (HEAD's history); empty outside git, when `watched` was never committed, or when
    it differs from HEAD (staged or not)."""
    top = repo_root(cwd)
    last = (_git(cwd, "rev-list", "-1", "HEAD", "--", str(watched)) or "").strip()
    if top is None or not last or _git(cwd, "diff", "--quiet", "HEAD", "--", str(watched)) is None:
        return []  # never committed, or changed since HEAD (`diff --quiet` exits 1)
    out = _git(cwd, "log", "--diff-filter=A", "--name-only", "--format=", "HEAD", "--not",
               f"{last}^@", "--", str(folder)) or ""
    return [top / line for line in out.splitlines() if line]


def _default_name(cwd: Path) -> str:
    remote_head = _git(cwd, "symbolic-ref", "-q", "--short", "refs/remotes/origin/HEAD")
    if remote_head and remote_head.strip():
        return remote_head.strip().removeprefix("origin/")
    return (_git(cwd, "config", "init.defaultBranch") or "").strip() or "main"


def merge_base(cwd: Path, ref: str) -> str | None:
    """The commit where HEAD forked from `ref` (so later commits on `ref` are not "deleted")."""
    out = _git(cwd, "merge-base", "HEAD", ref)
    return out.strip() if out and out.strip() else None


def range_changes(cwd: Path, from_ref: str, to_ref: str) -> list[Change]:
    """Changes between two commits (pre-push: `PRE_COMMIT_FROM_REF...PRE_COMMIT_TO_REF`)."""
    return _changes(cwd, f"{from_ref}...{to_ref}")


# The empty tree: what `--since` compares against when there is no earlier commit (a first
# push, where CI systems report the all-zero SHA).
EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"


def resolve_tree(cwd: Path, ref: str) -> bool:
    """True when `ref` names a commit or tree here (the all-zero SHA counts as the empty tree)."""
    if ref.strip("0") == "" and ref:
        return True
    return _git(cwd, "rev-parse", "--verify", "-q", f"{ref}^{{tree}}") is not None


def changed_since(cwd: Path, ref: str) -> list[Change]:
    """What differs from `ref` now: commits since it, uncommitted edits and untracked files."""
    if ref.strip("0") == "" and ref:
        ref = EMPTY_TREE
    untracked = list_files(cwd, others=True)
    return changes_against(cwd, ref) + [("A", path) for path in untracked]
