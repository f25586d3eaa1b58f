"""Benchmark: monorepo commands, each beside a floor measured in the same run.

- `affected --since HEAD` with one changed file, in monorepos of 3 and 20 projects;
- `run deploy --all-projects` with nothing to do (3 projects);
- `run deploy --all-projects --force` over 3 projects whose fake CLI takes 1 s per deploy call
  (so 2 s of CLI per project), with `--jobs 1` and `--jobs 3`, and the overlaps inside any
  one project (must be 0).

Prints tables of medians of whole processes; nothing is asserted.
Run: `.venv/bin/python bench/bench_monorepo.py`.
"""

from __future__ import annotations

import compileall
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from edgespark_tasks.testing import FakeCli, make_monorepo

BIN = Path(sys.executable).parent
SLEEP = 1.0


def wall(argv: list[str], cwd: Path, env: dict[str, str], runs: int) -> float:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(argv, cwd=cwd, env=env, capture_output=True, check=False)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main() -> None:
    # Bytecode as `pip install` leaves it: without it (PYTHONDONTWRITEBYTECODE, an editable
    # checkout) every process recompiles the package, ~30 ms a hook users never pay.
    compileall.compile_dir(str(Path(__file__).resolve().parents[1] / "edgespark_tasks"), quiet=1)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        fake = FakeCli(tmp / "fake")
        env = fake.environ()
        floor = wall([sys.executable, "-c", "pass"], tmp, env, 21)
        print(f"floor: `python -c pass` {floor * 1000:.1f} ms\n")
        print(f"{'measure':<58} {'median':>9}")
        for count in (3, 20):
            repo = tmp / f"mono{count}"
            make_monorepo(repo, tuple(f"p{i:02d}" for i in range(count)))
            index = repo / "apps/p01/server/src/index.ts"
            index.write_text(index.read_text() + "\n// edited\n")
            took = wall([str(BIN / "edgespark-tasks"), "affected", "--since", "HEAD"], repo,
                        env, 7)
            print(f"{f'affected --since HEAD, {count} projects, 1 changed':<58} "
                  f"{took * 1000:>6.0f} ms")
        repo = tmp / "mono3"
        deploy = [str(BIN / "edgespark-tasks"), "run", "deploy", "--all-projects"]
        subprocess.run([*deploy, "--jobs", "3"], cwd=repo, env=env, capture_output=True,
                       check=True)
        took = wall(deploy, repo, env, 7)
        print(f"{'run deploy --all-projects, 3 projects, nothing to do':<58} "
              f"{took * 1000:>6.0f} ms")
        fake.set(sleep={"deploy": SLEEP})
        print(f"\n3 projects, fake CLI {SLEEP:g} s per deploy call (2 per project), --force:")
        print(f"{'jobs':<6} {'wall (median of 3)':>18} {'sum of project times':>22} "
              f"{'overlaps in a project':>22}")
        for jobs in (1, 3):
            fake.clear()
            report = tmp / f"all-{jobs}.json"
            took = wall([*deploy, "--force", "--jobs", str(jobs), "--json", str(report)], repo,
                        env, 3)
            total = sum(p["duration"] for p in json.loads(report.read_text())["projects"])
            print(f"{jobs:<6} {took:>16.2f} s {total:>20.2f} s {fake.overlaps():>22}")


if __name__ == "__main__":
    main()
