"""Benchmark: the runner's cost per CLI call, the cost of a gate and of `inv pull.types
--check`, and a no-op `inv deploy`. Each figure is printed beside its floor, measured in the
same run. Nothing is asserted. Run: `.venv/bin/python bench/bench_pipeline.py`.

- runner overhead: one CLI call through `Runner.run` (lock, capability check, spawn,
  streaming, reaping) minus the same call made directly, with a CLI that takes 30 ms and one
  that exits at once (target <= 3 ms however long the call takes);
- gate: `edgespark-tasks-hook types-check` minus the CLI's `pull types --check` called
  directly, whole processes on the real-size app (target <= 60 ms);
- `inv pull.types --check` minus a trivial invoke task running the same command with
  `c.run` (target <= 30 ms);
- a no-op `inv deploy`: whole process, in-process decision, and CLI processes started (0).
Bytecode is compiled first and child processes may write it, as on a user's machine.
"""

from __future__ import annotations

import compileall
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from realsize import make_app  # noqa: E402

from edgespark_tasks.engine import pipeline  # noqa: E402
from edgespark_tasks.engine.context import RunOptions  # noqa: E402
from edgespark_tasks.engine.session import open_session  # noqa: E402
from edgespark_tasks.engine.steps import get  # noqa: E402
from edgespark_tasks.project.model import load_project  # noqa: E402
from edgespark_tasks.project.settings import load_settings  # noqa: E402
from edgespark_tasks.runner.cli import Runner  # noqa: E402
from edgespark_tasks.testing import FakeCli, make_project_repo  # noqa: E402

BIN = Path(sys.executable).parent
CALLS = 41
RUNS = 21
# A CLI that answers --version/--help and otherwise sleeps $SLEEP seconds, like a real call.
SH_CLI = """#!/bin/sh
case "$1" in
  --version) echo 1.0.0; exit 0 ;;
  --help) printf 'Commands:\\n  storage  s\\n'; exit 0 ;;
esac
[ "$2" = "--help" ] && { printf 'Commands:\\n  apply  a\\n'; exit 0; }
[ -n "$SLEEP" ] && sleep "$SLEEP"
echo applied
"""
TRIVIAL_TASKS = """from invoke import task


@task
def check(c):
    c.run("{cli} pull types --check")
"""


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def interleaved(commands: dict[str, list[str]], cwd: Path, env: dict[str, str],
                runs: int = RUNS) -> dict[str, float]:
    """Median wall ms of whole processes, the commands taking turns (load hits all alike)."""
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for argv in commands.values():  # warm-up: caches, bytecode
        subprocess.run(argv, cwd=cwd, env=env, capture_output=True, check=False)
    for _ in range(runs):
        for name, argv in commands.items():
            samples[name].append(timed(lambda a=argv: subprocess.run(  # type: ignore[misc]
                a, cwd=cwd, env=env, capture_output=True, check=False)))
    return {name: median_ms(values) for name, values in samples.items()}


def runner_overhead(tmp: Path, sleep: str) -> tuple[float, float]:
    """(direct, through the runner) median ms of one `storage apply` call."""
    repo = make_project_repo(tmp / f"overhead{sleep or 0}")
    cli = tmp / "sh-edgespark"
    cli.write_text(SH_CLI)
    cli.chmod(0o755)
    env = {**os.environ, "SLEEP": sleep}
    settings = load_settings(repo, flags={"cli": str(cli)}, environ={})
    runner = Runner(settings, load_project(repo, settings.paths), out=io.StringIO(),
                    err=io.StringIO(), environ=env)
    call = get("storage-apply").call()
    runner.run(call)  # warm: probes --version/--help once, then cached
    direct, wrapped = [], []
    for _ in range(CALLS):
        direct.append(timed(lambda: subprocess.run([str(cli), "storage", "apply"], cwd=repo,
                                                   env=env, capture_output=True, check=True)))
        wrapped.append(timed(lambda: runner.run(call)))
    return median_ms(direct), median_ms(wrapped)


def gates(tmp: Path) -> dict[str, float]:
    """Whole processes on the real-size app: floors, the CLI direct, the gate, inv."""
    app = make_app(tmp / "realsize", git=True)
    fake = FakeCli(tmp / "fake-gates")
    (app / "tasks.py").write_text("from edgespark_tasks.invoke import ns  # noqa: F401\n")
    (app / "trivial.py").write_text(TRIVIAL_TASKS.format(cli=fake.executable))
    env = fake.environ()
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    subprocess.run([str(BIN / "edgespark-tasks-hook"), "types-check"], cwd=app, env=env,
                   capture_output=True, check=True)  # fills the capability cache
    return interleaved({
        "python -c pass": [sys.executable, "-c", "pass"],
        "cli direct": [str(fake.executable), "pull", "types", "--check"],
        "hook --help": [str(BIN / "edgespark-tasks-hook"), "--help"],
        "hook": [str(BIN / "edgespark-tasks-hook"), "types-check"],
        "inv --list": [str(BIN / "inv"), "--list"],
        "inv trivial": [str(BIN / "inv"), "--collection", "trivial", "check"],
        "inv pull.types --check": [str(BIN / "inv"), "pull.types", "--check"],
    }, app, env)


def noop_deploy(tmp: Path) -> tuple[dict[str, float], float, int]:
    """A no-op `inv deploy` on the real-size app beside `inv --list` there (goal: <= 1.3x),
    interleaved; the in-process decision; and the CLI processes the no-op started."""
    fake = FakeCli(tmp / "fake")
    repo = make_app(tmp / "noop", git=True)
    (repo / "tasks.py").write_text("from edgespark_tasks.invoke import ns\n")
    env = fake.environ()
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    subprocess.run([str(BIN / "inv"), "deploy"], cwd=repo, env=env, capture_output=True,
                   check=True)
    fake.clear()
    procs = interleaved({"inv --list": [str(BIN / "inv"), "--list"],
                         "inv deploy": [str(BIN / "inv"), "deploy"]}, repo, env, runs=11)
    calls = len(fake.calls()) + len(fake.probes())  # probes (--version/--help) count too
    os.environ.update(fake.env)
    decide = []
    for _ in range(10):
        started = time.perf_counter()
        session = open_session(repo, out=io.StringIO(), err=io.StringIO())
        decisions = pipeline.make_plan(session, RunOptions())
        decide.append(time.perf_counter() - started)
        assert not any(d.run for d in decisions)
    return procs, median_ms(decide), calls


def main() -> None:
    compileall.compile_dir(str(ROOT / "edgespark_tasks"), quiet=1)
    with tempfile.TemporaryDirectory(prefix="edgespark-bench-") as name:
        tmp = Path(name)
        fast_direct, fast_wrapped = runner_overhead(tmp, "")
        slow_direct, slow_wrapped = runner_overhead(tmp, "0.03")
        procs = gates(tmp)
        noop, decide, calls = noop_deploy(tmp)
    floor = procs["python -c pass"]
    rows = [
        ("CLI call, exits at once: direct (median)", f"{fast_direct:.1f} ms"),
        ("  through the runner", f"{fast_wrapped:.1f} ms  overhead "
                                 f"{fast_wrapped - fast_direct:+.1f} ms (target <= 3 ms)"),
        ("CLI call taking 30 ms: direct (median)", f"{slow_direct:.1f} ms"),
        ("  through the runner", f"{slow_wrapped:.1f} ms  overhead "
                                 f"{slow_wrapped - slow_direct:+.1f} ms (target <= 3 ms)"),
        ("python -c pass (floor for processes)", f"{floor:.1f} ms"),
        ("`pull types --check` direct (fake CLI)", f"{procs['cli direct']:.1f} ms"),
        ("edgespark-tasks-hook --help (hook start-up)", f"{procs['hook --help']:.1f} ms"),
        ("edgespark-tasks-hook types-check", f"{procs['hook']:.1f} ms  "
         f"{procs['hook'] - procs['cli direct']:+.1f} ms over the CLI (target <= 60 ms)"),
        ("inv --list", f"{procs['inv --list']:.1f} ms"),
        ("trivial invoke task, same command", f"{procs['inv trivial']:.1f} ms"),
        ("inv pull.types --check", f"{procs['inv pull.types --check']:.1f} ms  "
         f"{procs['inv pull.types --check'] - procs['inv trivial']:+.1f} ms over the trivial "
         "task (target <= 30 ms)"),
        ("no-op: `inv --list` on the real-size app", f"{noop['inv --list']:.1f} ms"),
        ("no-op `inv deploy`, whole process", f"{noop['inv deploy']:.1f} ms  "
         f"{noop['inv deploy'] / noop['inv --list']:.2f}x inv --list (target <= 1.3x)"),
        ("no-op: load + plan, in-process", f"{decide:.1f} ms"),
        ("CLI processes started by the no-op", f"{calls}  (target 0)"),
    ]
    width = max(len(label) for label, _ in rows)
    print(f"{'measure (real-size app for processes)':<{width}}  value")
    for label, value in rows:
        print(f"{label:<{width}}  {value}")


if __name__ == "__main__":
    main()
