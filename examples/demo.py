"""Run the main job on a temporary copy of the example project (see examples/demo.sh)."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from edgespark_tasks.testing import FakeCli, make_project_repo

BIN = Path(sys.executable).parent


def step(title: str, repo: Path, fake: FakeCli, *args: str) -> None:
    print(f"\n=== {title}: inv {' '.join(args)}", flush=True)
    subprocess.run([str(BIN / "inv"), *args], cwd=repo, env=fake.environ(), check=False)
    print(f"--- CLI calls: {fake.commands() or 'none'}", flush=True)
    fake.clear()


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="edgespark-demo-") as tmp:
        fake = FakeCli(Path(tmp) / "fake-cli")
        repo = make_project_repo(Path(tmp) / "notes-app",
                                 files={"tasks.py": "from edgespark_tasks.invoke import ns\n"})
        step("What would run (nothing runs)", repo, fake, "deploy", "--dry-run")
        step("First deploy: every step runs once", repo, fake, "deploy")
        step("Nothing changed: nothing runs", repo, fake, "deploy")
        schema = repo / "server/src/defs/storage_schema.ts"
        schema.write_text(schema.read_text().replace("avatars", "uploads"))
        step("storage_schema.ts changed", repo, fake, "deploy")


if __name__ == "__main__":
    main()
