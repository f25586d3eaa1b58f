"""pytest plugin (entry point `pytest11`): a fake `edgespark` CLI and example projects.

Fixtures:
- `edgespark_project(layout="full-stack", files=None, name="app")`: a committed git repo holding
  the example project; returns its root.
- `fake_cli`: a fake `edgespark` executable that records every call (see `FakeCli`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from edgespark_tasks.testing.fakecli import FAKE_API_KEY, FakeCli
from edgespark_tasks.testing.projects import (
    commit_all,
    example_source,
    git,
    init_repo,
    make_monorepo,
    make_project_repo,
    rehash_schema,
    write_project_into,
)

__all__ = [
    "FAKE_API_KEY",
    "FakeCli",
    "commit_all",
    "example_source",
    "git",
    "init_repo",
    "make_monorepo",
    "make_project_repo",
    "rehash_schema",
    "write_project_into",
]

ProjectFactory = Callable[..., Path]


@pytest.fixture
def edgespark_project(tmp_path: Path) -> ProjectFactory:
    """Factory: `edgespark_project(layout="full-stack", files={...}, name="app") -> root`."""

    def make(layout: str = "full-stack", files: Mapping[str, str] | None = None,
             name: str = "app") -> Path:
        return make_project_repo(tmp_path / name, layout, files)

    return make


@pytest.fixture
def fake_cli(tmp_path: Path) -> FakeCli:
    """A fresh fake `edgespark` CLI; pass `fake_cli.environ()` to subprocesses."""
    return FakeCli(tmp_path / "fake-edgespark")
