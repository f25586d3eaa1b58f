"""Shared helpers: run the real executables of this environment in temporary repos."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent
REPO = Path(__file__).resolve().parent.parent


def alive(pid: int) -> bool:
    """Is `pid` running? A zombie counts as gone (it only waits to be reaped)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/status")
    return not (status.exists() and "zombie" in status.read_text())


def run_tool(tool: str, *args: str, cwd: Path, env: dict[str, str],
             timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run an executable from this environment's bin folder (inv, doit, edgespark-tasks...)."""
    return subprocess.run([str(BIN / tool), *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout, stdin=subprocess.DEVNULL)


@pytest.fixture
def tasks_repo(edgespark_project):  # type: ignore[no-untyped-def]
    """A committed full-stack project whose tasks.py is the edgespark collection."""
    root: Path = edgespark_project(files={"tasks.py": "from edgespark_tasks.invoke import ns\n"})
    return root
