"""Benchmark: a first `inv deploy` with the real `@edgespark/cli@0.0.9`, capability cache
empty, against the same CLI commands typed by hand; both against the loopback stub API
(tests/stub_api.py), server-only layout (the only one 0.0.9 runs in). Target: <= 1.15x.

Needs `.ci/install-node-cli` (node and .npm/). Each run uses a fresh copy of the project, so
every deploy is a first deploy: no state, no cli-info.json. By hand means the commands the
pipeline runs for 0.0.9 (the steps it lacks skipped): `secret list`, `pull types`,
`deploy --dry-run`, `deploy`. Prints medians; nothing is asserted.
Run: `.venv/bin/python bench/bench_first_deploy.py [--runs N]`.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from realcli_fixtures import (  # noqa: E402
    API_KEY,
    NODE_MODULES,
    PROJECT_FILES,
    REAL_CLI,
    VENV_BIN,
    clean_environ,
)
from stub_api import StubApi  # noqa: E402

from edgespark_tasks.testing import make_project_repo  # noqa: E402

SKIPS = ["--skip", "db-migrate", "--skip", "storage-apply", "--skip", "vars-apply",
         "--skip", "auth-apply"]
BY_HAND = [["secret", "list"], ["pull", "types"], ["deploy", "--dry-run"], ["deploy"]]
# No smoke checks: by hand there would be none either.
FILES = {**PROJECT_FILES, "pyproject.toml": "[tool.edgespark-tasks]\n"}


def fresh_project(tmp: Path, n: int) -> Path:
    root = make_project_repo(tmp / f"app{n}", "server-only", FILES)
    (root / "node_modules").symlink_to(NODE_MODULES, target_is_directory=True)
    return root


def timed(argvs: list[list[str]], cwd: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    for argv in argvs:
        result = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True)
        if result.returncode != 0:
            sys.exit(f"bench_first_deploy: {' '.join(argv)} failed:\n"
                     f"{result.stdout}{result.stderr}")
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    if shutil.which("node") is None or not REAL_CLI.exists():
        print("bench_first_deploy: needs node and .ci/install-node-cli", file=sys.stderr)
        return 2
    stub = StubApi(api_key=API_KEY, lifetime=600.0).start()
    stub.secrets = ["GOOGLE_CLIENT_SECRET", "OPENAI_API_KEY"]
    env = clean_environ(EDGESPARK_CLI=str(REAL_CLI), EDGESPARK_BASE_URL=stub.base_url,
                        EDGESPARK_API_KEY=API_KEY)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    hand, ours, floor = [], [], []
    try:
        with tempfile.TemporaryDirectory(prefix="edgespark-first-deploy-") as name:
            tmp = Path(name)
            for n in range(args.runs):  # taking turns, so machine load hits both alike
                floor.append(timed([[sys.executable, "-c", "pass"]], tmp, env))
                hand.append(timed([[str(REAL_CLI), *a] for a in BY_HAND],
                                  fresh_project(tmp, 2 * n), env))
                project = fresh_project(tmp, 2 * n + 1)
                assert not (project / ".edgespark-tasks/cli-info.json").exists()
                ours.append(timed([[str(VENV_BIN / "inv"), "deploy", *SKIPS]], project, env))
    finally:
        stub.stop()
    by_hand, first = statistics.median(hand), statistics.median(ours)
    print(f"python -c pass                         {statistics.median(floor) * 1000:8.1f} ms")
    print(f"by hand: {len(BY_HAND)} CLI commands                {by_hand:8.2f} s")
    print(f"first `inv deploy`, empty CLI cache    {first:8.2f} s  "
          f"{first / by_hand:.2f}x by hand (target <= 1.15x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
