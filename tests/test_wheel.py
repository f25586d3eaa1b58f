"""The built wheel, installed on its own: data files ship and the command works."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import REPO


def test_wheel_ships_templates_example_and_hooks(tmp_path: Path) -> None:
    dist, site = tmp_path / "dist", tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--no-build-isolation", "-w", str(dist), str(REPO)], check=True,
                   capture_output=True, timeout=300)
    wheel = next(dist.glob("edgespark_tasks-*.whl"))
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                    "--target", str(site), str(wheel)], check=True, capture_output=True,
                   timeout=300)
    env = {**os.environ, "PYTHONPATH": str(site)}

    def python(code: str) -> str:
        return subprocess.run([sys.executable, "-c", code], env=env, cwd=tmp_path, check=True,
                              capture_output=True, text=True, timeout=60).stdout.strip()

    assert python("import edgespark_tasks; print(edgespark_tasks.__file__)").startswith(str(site))
    example = Path(python("from edgespark_tasks.testing.projects import example_source as e; "
                          "print(e())"))
    assert example == site / "edgespark_tasks/_data/notes-app"
    assert (example / "server/drizzle/meta/_journal.json").is_file()
    templates = Path(python("from edgespark_tasks.commands.init import templates_dir; "
                            "print(templates_dir())"))
    assert templates == site / "edgespark_tasks/_data/templates"
    assert (templates / "tasks.py").is_file()
    assert sorted(p.name for p in (templates / "ci").iterdir()) == [
        "github-monorepo.yml", "github.yml", "gitlab.yml"]  # init --ci
    assert (site / "edgespark_tasks/_data/hooks/notify_webhook.py").is_file()
    steps = subprocess.run([sys.executable, "-m", "edgespark_tasks.console", "steps"], env=env,
                           cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert steps.returncode == 0 and "db-generate" in steps.stdout
    hooks = subprocess.run([sys.executable, "-m", "edgespark_tasks.console", "hooks"], env=env,
                           cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert hooks.returncode == 0 and "edgespark_pipeline_finished" in hooks.stdout


def test_license_matches_pyproject_and_changelog_names_the_move() -> None:
    import re

    assert re.search(r'^license = "MIT"$', (REPO / "pyproject.toml").read_text(), re.M)
    assert (REPO / "LICENSE").read_text().startswith("MIT License")
    changelog = (REPO / "CHANGELOG.md").read_text()
    assert "edgespark_tasks.engine.hookspecs" in changelog  # plugin imports after the move


def test_stub_api_help() -> None:
    result = subprocess.run([sys.executable, str(REPO / "tests/stub_api.py"), "--help"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "--api-key KEY" in result.stdout
