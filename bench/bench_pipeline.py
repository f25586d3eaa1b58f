"""Benchmark: wrapper overhead per CLI call, and a no-op `inv deploy`.

Prints a table; nothing here is asserted. Run: `.venv/bin/python bench/bench_pipeline.py`.
Targets: overhead under 15 ms per call; the no-op decides in under 300 ms and starts no CLI.
"""

from __future__ import annotations

import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from edgespark_tasks.engine import pipeline
from edgespark_tasks.engine.context import RunOptions
from edgespark_tasks.engine.session import open_session
from edgespark_tasks.engine.steps import get
from edgespark_tasks.project.settings import load_settings
from edgespark_tasks.runner.cli import Runner
from edgespark_tasks.testing import FakeCli, make_project_repo

BIN = Path(sys.executable).parent
CALLS = 40
# A fake CLI that does nothing: answers --version/--help, exits 0 for anything else.
NOOP_CLI = """#!/bin/sh
case "$1" in
  --version) echo 1.0.0 ;;
  --help) printf 'Commands:\\n  storage  s\\n  deploy  d\\n' ;;
  storage) [ "$2" = "--help" ] && printf 'Commands:\\n  apply  a\\n' ;;
esac
exit 0
"""


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def overhead(tmp: Path) -> tuple[float, float]:
    repo = make_project_repo(tmp / "overhead")
    cli = tmp / "noop-edgespark"
    cli.write_text(NOOP_CLI)
    cli.chmod(0o755)
    direct = []
    for _ in range(CALLS):
        started = time.perf_counter()
        subprocess.run([str(cli), "storage", "apply"], cwd=repo, capture_output=True, check=True)
        direct.append(time.perf_counter() - started)
    settings = load_settings(repo, flags={"cli": str(cli)}, environ={})
    session = open_session(repo, flags={"cli": str(cli)}, out=io.StringIO(), err=io.StringIO())
    runner = Runner(settings, session.project, out=io.StringIO(), err=io.StringIO())
    step = get("storage-apply")
    runner.run(step.call())  # warm: probes --version/--help once, then cached
    wrapped = []
    for _ in range(CALLS):
        started = time.perf_counter()
        runner.run(step.call())
        wrapped.append(time.perf_counter() - started)
    return median_ms(direct), median_ms(wrapped)


def noop_deploy(tmp: Path) -> tuple[float, float, int]:
    fake = FakeCli(tmp / "fake")
    repo = make_project_repo(tmp / "noop",
                             files={"tasks.py": "from edgespark_tasks.invoke import ns\n"})
    env = fake.environ()
    subprocess.run([str(BIN / "inv"), "deploy"], cwd=repo, env=env, capture_output=True, check=True)
    fake.clear()
    walls = []
    for _ in range(5):
        started = time.perf_counter()
        subprocess.run([str(BIN / "inv"), "deploy"], cwd=repo, env=env, capture_output=True,
                       check=True)
        walls.append(time.perf_counter() - started)
    calls = len(fake.calls()) + len(fake.probes())  # probes (--version/--help) count too
    os.environ.update(fake.env)
    decide = []
    for _ in range(10):
        started = time.perf_counter()
        session = open_session(repo, out=io.StringIO(), err=io.StringIO())
        decisions = pipeline.make_plan(session, RunOptions())
        decide.append(time.perf_counter() - started)
        assert not any(d.run for d in decisions)
    return median_ms(walls), median_ms(decide), calls


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="edgespark-bench-") as tmp:
        direct, wrapped = overhead(Path(tmp))
        wall, decide, calls = noop_deploy(Path(tmp))
    rows = [
        ("fake CLI called directly (median)", f"{direct:.1f} ms"),
        ("same call through the runner (median)", f"{wrapped:.1f} ms"),
        ("overhead per CLI call", f"{wrapped - direct:.1f} ms  (target < 15 ms)"),
        ("no-op: load + plan, in-process (median)", f"{decide:.1f} ms  (target < 300 ms)"),
        ("no-op `inv deploy` wall time (median)", f"{wall:.1f} ms"),
        ("CLI processes started by the no-op", f"{calls}  (target 0)"),
    ]
    width = max(len(label) for label, _ in rows)
    print(f"{'measure':<{width}}  value")
    for label, value in rows:
        print(f"{label:<{width}}  {value}")


if __name__ == "__main__":
    main()
