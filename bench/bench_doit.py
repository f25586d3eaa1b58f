"""Benchmark: a no-op `doit` (everything up to date) in monorepos of 1, 10 and 50 projects.

Run: `.venv/bin/python bench/bench_doit.py [sizes...]`. Each size gets a fresh git repository
holding N copies of the example project and a `dodo.py` importing edgespark_tasks.doit; a
first `doit` (with the fake CLI) brings everything up to date, then the no-op run is timed
several times. Beside each figure, floors measured in the same run: `python -c pass` and a
no-op `doit` of a dodo.py with one trivial task (doit's own start-up). Goal (issue 12): no-op
at 50 projects <= 0.45 s, growing linearly (a constant cost per added project).
"""

from __future__ import annotations

import compileall
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from edgespark_tasks.testing import FakeCli, init_repo
from edgespark_tasks.testing.projects import write_project

DOIT = str(Path(sys.executable).with_name("doit"))
REPEATS = 5


def make_monorepo(root: Path, count: int) -> None:
    """`count` example projects under `apps/pNN`, one commit, a dodo.py at the root."""
    for index in range(count):
        write_project(root / "apps" / f"p{index:02d}")
    (root / "dodo.py").write_text("from edgespark_tasks.doit import *\n")
    (root / ".gitignore").write_text(".edgespark-tasks/\n")
    init_repo(root)


def doit(root: Path, fake: FakeCli, *args: str) -> float:
    """Run doit once; the wall time in seconds (fails loudly if doit fails)."""
    started = time.perf_counter()
    result = subprocess.run([DOIT, *args], cwd=root, env=fake.environ(), capture_output=True,
                            text=True)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"doit {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return elapsed


def bench(count: int) -> tuple[float, float, int]:
    """(median, min) wall time of a no-op doit for `count` projects, and the CLI calls it made."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "repo"
        fake = FakeCli(Path(tmp) / "fake")
        make_monorepo(root, count)
        doit(root, fake)  # bring everything up to date (runs the CLI for every project)
        fake.clear()
        times = [doit(root, fake) for _ in range(REPEATS)]
        return statistics.median(times), min(times), len(fake.calls())


def floors() -> tuple[float, float]:
    """(python -c pass, a no-op doit with one trivial up-to-date task), medians."""
    python = statistics.median(_timed([sys.executable, "-c", "pass"]) for _ in range(REPEATS))
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "dodo.py").write_text(
            "def task_hello():\n    return {'actions': ['true'], 'uptodate': [True]}\n")
        trivial = statistics.median(_timed([DOIT], cwd=Path(tmp)) for _ in range(REPEATS))
    return python, trivial


def _timed(argv: list[str], cwd: Path | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(argv, cwd=cwd, capture_output=True, check=True)
    return time.perf_counter() - started


def main(argv: list[str]) -> int:
    # Bytecode as `pip install` leaves it: without it (PYTHONDONTWRITEBYTECODE, an editable
    # checkout) every process recompiles the package, ~30 ms a hook users never pay.
    compileall.compile_dir(str(Path(__file__).resolve().parents[1] / "edgespark_tasks"), quiet=1)
    sizes = [int(a) for a in argv] or [1, 10, 50]
    python, trivial = floors()
    print(f"floors (median of {REPEATS}): python -c pass {python:.3f} s, "
          f"trivial no-op doit {trivial:.3f} s")
    print(f"no-op `doit` wall time, median (min) of {REPEATS} runs")
    print(f"{'projects':>8}  {'median s':>9}  {'min s':>7}  {'growth':>7}  "
          f"{'ms per extra project':>20}  {'x python':>8}  {'x doit':>6}  {'CLI calls':>9}")
    first: tuple[int, float] | None = None
    for count in sizes:
        median, fastest, calls = bench(count)
        first = first or (count, median)
        # Linear growth shows as a constant cost per project added beyond the first size.
        extra = (f"{1000 * (median - first[1]) / (count - first[0]):.1f}"
                 if count > first[0] else "-")
        print(f"{count:>8}  {median:>9.3f}  {fastest:>7.3f}  {median / first[1]:>6.1f}x  "
              f"{extra:>20}  {median / python:>8.1f}  {median / trivial:>6.1f}  {calls:>9}",
              flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
