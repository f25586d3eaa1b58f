"""The README's remote pre-commit example works as written: its `rev:` is a commit of this
repository, and pre-commit builds and runs the hooks from a clone of it."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from realcli_fixtures import VENV_BIN, clean_environ

from edgespark_tasks.testing import FakeCli

REPO = Path(__file__).resolve().parent.parent
PLACEHOLDER = "<git URL of edgespark-tasks>"


def readme_example() -> str:
    """The YAML block of the README that references this repository remotely."""
    readme = (REPO / "README.md").read_text()
    blocks = re.findall(r"```yaml\n(.*?)```", readme, re.S)
    return next(b for b in blocks if PLACEHOLDER in b)


def test_readme_rev_is_a_commit_of_this_repository() -> None:
    if not (REPO / ".git").exists():
        pytest.skip("not a git checkout")
    rev = yaml.safe_load(readme_example())["repos"][0]["rev"]
    found = subprocess.run(["git", "cat-file", "-e", f"{rev}^{{commit}}"], cwd=REPO,
                           capture_output=True)
    assert found.returncode == 0, f"README rev {rev} is not a commit of this repository"


def test_readme_example_runs_against_a_clone(edgespark_project: Callable[..., Path],
                                             fake_cli: FakeCli, tmp_path: Path) -> None:
    if not (REPO / ".git").exists():
        pytest.skip("not a git checkout")
    clone = tmp_path / "edgespark-tasks"
    subprocess.run(["git", "clone", "-q", str(REPO), str(clone)], check=True, timeout=120)
    project = edgespark_project()
    (project / ".pre-commit-config.yaml").write_text(
        readme_example().replace(PLACEHOLDER, str(clone)))
    env = clean_environ(**fake_cli.env, PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"))
    for args in (["install"], ["run", "--all-files"]):
        result = subprocess.run([str(VENV_BIN / "pre-commit"), *args], cwd=project, env=env,
                                capture_output=True, text=True, timeout=540,
                                stdin=subprocess.DEVNULL)
        assert result.returncode == 0, result.stdout + result.stderr
    for name in ("edgespark offline checks", "edgespark types check"):
        assert re.search(rf"^{name}\.+Passed$", result.stdout, re.M), result.stdout
    assert (project / ".git/hooks/pre-push").is_file()  # default_install_hook_types
