"""Realistic EdgeSpark projects in temporary git repositories, for tests."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path

_GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test User",
    "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test User",
    "GIT_COMMITTER_EMAIL": "test@example.com",
}


def example_source() -> Path:
    """The bundled example project (inside the wheel, or `examples/` in a checkout)."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "_data" / "notes-app", here.parent / "examples" / "notes-app"):
        if (candidate / "edgespark.toml").is_file():
            return candidate
    raise FileNotFoundError("the bundled example project is missing from this installation")


def git(repo: Path, *args: str, check: bool = True) -> str:
    """Run git in `repo` with a fixed identity; returns stdout."""
    env = {**os.environ, **_GIT_ENV}
    result = subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True)
    if check and result.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)} failed: {result.stderr.strip()}")
    return result.stdout


def init_repo(repo: Path, branch: str = "main") -> None:
    """`git init` with a default branch and a first commit of whatever is there."""
    repo.mkdir(parents=True, exist_ok=True)
    git(repo, "init", "-q", "-b", branch)
    git(repo, "config", "commit.gpgsign", "false")
    commit_all(repo, "initial")


def commit_all(repo: Path, message: str) -> None:
    """Stage everything and commit (allowing an empty commit)."""
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", message)


def write_project(dest: Path, layout: str = "full-stack") -> Path:
    """Copy the example project into `dest` in the given layout; returns the project root.

    `server-only` moves the server folder's content to the root and drops `[server]`/`[web]`.
    """
    if layout not in ("full-stack", "server-only"):
        raise ValueError(f"unknown layout {layout!r}")
    # Only what git would hold: running the example (`python examples/demo.py`, `doctor`)
    # leaves git-ignored state and caches in it, which no copy must start with.
    shutil.copytree(example_source(), dest, dirs_exist_ok=True, ignore=shutil.ignore_patterns(
        ".edgespark-tasks", ".edgespark", "node_modules", "__pycache__"))
    if layout == "server-only":
        shutil.rmtree(dest / "web")
        for item in (dest / "server").iterdir():
            shutil.move(str(item), dest / item.name)
        (dest / "server").rmdir()
        toml = (dest / "edgespark.toml").read_text()
        toml = toml.split("[server]")[0] + "[db]\nmigration_branch = \"main\"\n"
        (dest / "edgespark.toml").write_text(toml)
    return dest


def write_project_into(dest: Path, layout: str = "full-stack") -> Path:
    """Like write_project, creating parent folders (for monorepo layouts)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    return write_project(dest, layout)


def _write_files(root: Path, files: Mapping[str, str] | None) -> None:
    """Write each repo-relative path -> text of `files` under `root`, folders included."""
    for rel, content in (files or {}).items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content)


def make_project_repo(root: Path, layout: str = "full-stack",
                      files: Mapping[str, str] | None = None) -> Path:
    """A git repository at `root` holding an example project (plus extra `files`), committed."""
    write_project(root, layout)
    _write_files(root, files)
    init_repo(root)
    return root


def rehash_schema(project_root: Path, layout: str = "full-stack") -> None:
    """Make `_edgespark_schema_hash` match db_schema.ts again (as `db generate` would)."""
    server = project_root / "server" if layout == "full-stack" else project_root
    digest = hashlib.sha256((server / "src/defs/db_schema.ts").read_bytes()).hexdigest()
    (server / "drizzle/meta/_edgespark_schema_hash").write_text(digest + "\n")


def make_monorepo(root: Path, names: tuple[str, ...] = ("a", "b", "c"),
                  files: Mapping[str, str] | None = None) -> list[Path]:
    """A committed git repository with one example project per name under `apps/`.

    Each project gets its own `name` in edgespark.toml; `files` are extra repo-relative files
    (a root package.json, say). Returns the project roots.
    """
    roots = []
    for name in names:
        project = write_project_into(root / "apps" / name)
        toml = project / "edgespark.toml"
        toml.write_text(toml.read_text().replace('name = "notes-app"', f'name = "{name}"'))
        roots.append(project)
    _write_files(root, files)
    init_repo(root)
    return roots
