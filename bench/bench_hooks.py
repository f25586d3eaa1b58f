"""Process wall time of each offline hook against `python -c pass`.

    .venv/bin/python bench/bench_hooks.py [--runs 21] [--project examples/notes-app]

Each hook runs as pre-commit runs it: a fresh `edgespark-tasks-hook` process. "full" checks
the whole project (no files given); "no-op" is `--staged` with nothing relevant staged, the
price an always_run hook adds to every commit. Target: full < 100 ms median.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from edgespark_tasks.checks import CHECK_IDS  # noqa: E402 - after the path tweak above

TARGET_MS = 100.0


def _hook_command() -> list[str]:
    script = shutil.which("edgespark-tasks-hook", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "edgespark_tasks.precommit"]


def median_ms(argv: list[str], cwd: Path, runs: int) -> tuple[float, float]:
    """Median wall time and median CPU time (user + sys, children: including git) of `runs`
    runs of `argv`, after one warm-up run, in milliseconds. CPU time is the figure to trust on
    a busy machine, where wall time also measures the other processes."""
    subprocess.run(argv, cwd=cwd, capture_output=True, check=False)
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(argv, cwd=cwd, capture_output=True, check=False)
        walls.append((time.perf_counter() - start) * 1000)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append((after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000)
    return statistics.median(walls), statistics.median(cpus)


def main(argv: list[str] | None = None) -> int:
    """Print a table of median times; exit 1 when a full check misses the target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--project", type=Path, default=ROOT / "examples" / "notes-app")
    args = parser.parse_args(argv)
    project = args.project.resolve()
    hook = _hook_command()
    baseline, base_cpu = median_ms([sys.executable, "-c", "pass"], project, args.runs)
    print(f"project: {project}  runs: {args.runs}  (median ms per process)")
    print(f"{'hook':<32}{'full':>8}{'cpu':>8}{'no-op':>8}{'cpu':>8}{'full - python':>15}")
    print(f"{'python -c pass':<32}{baseline:>8.1f}{base_cpu:>8.1f}")
    slow = []
    for check in CHECK_IDS:
        full, full_cpu = median_ms([*hook, check], project, args.runs)
        noop, noop_cpu = median_ms([*hook, check, "--staged"], project, args.runs)
        print(f"{'edgespark-' + check:<32}{full:>8.1f}{full_cpu:>8.1f}{noop:>8.1f}"
              f"{noop_cpu:>8.1f}{full - baseline:>15.1f}")
        if full > TARGET_MS:
            slow.append(check)
    if slow:
        print(f"over {TARGET_MS:.0f} ms: {', '.join(slow)}")
    return 1 if slow else 0


if __name__ == "__main__":
    raise SystemExit(main())
