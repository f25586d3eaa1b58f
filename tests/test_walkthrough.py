"""README "Adding edgespark-tasks to an existing repo", followed as a new user would, in a
project made from the official fullstack template: init, doctor, first commit, first push,
inv deploy, and a no-op second deploy."""

from __future__ import annotations

import subprocess
from pathlib import Path

from fresh_template import write_fresh_template
from realcli_fixtures import clean_environ

from edgespark_tasks.testing import FakeCli, init_repo


def test_walkthrough(tmp_path: Path, fake_cli: FakeCli) -> None:
    app = write_fresh_template(tmp_path / "my-app")
    init_repo(app)  # an existing repository
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
    env = clean_environ(**fake_cli.env, PRE_COMMIT_HOME=str(tmp_path / "pch"),
                        GIT_AUTHOR_NAME="Dev", GIT_AUTHOR_EMAIL="dev@example.com",
                        GIT_COMMITTER_NAME="Dev", GIT_COMMITTER_EMAIL="dev@example.com")

    def sh(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(list(argv), cwd=app, env=env, capture_output=True, text=True,
                              timeout=180, stdin=subprocess.DEVNULL)

    init = sh("edgespark-tasks", "init")
    assert init.returncode == 0 and "next: `pre-commit install`" in init.stdout
    assert sh("pre-commit", "install").returncode == 0
    doctor = sh("edgespark-tasks", "doctor")
    assert doctor.returncode == 1
    assert "template placeholder 'REPLACED_ON_INIT'" in doctor.stdout.split("\nResult\n")[1]
    toml = app / "edgespark.toml"
    toml.write_text(toml.read_text().replace("REPLACED_ON_INIT",
                                             "5ba6c784-0498-4636-a51a-b3f35bc6927c"))
    assert sh("edgespark-tasks", "doctor").returncode == 0
    sh("git", "add", "-A")
    commit = sh("git", "commit", "-m", "Add edgespark-tasks")
    assert commit.returncode == 0, commit.stdout + commit.stderr
    assert "edgespark offline checks" in commit.stdout + commit.stderr
    push = sh("git", "push", str(remote), "HEAD:main")
    assert push.returncode == 0, push.stdout + push.stderr
    assert "edgespark deploy dry run" in push.stdout + push.stderr
    deploy = sh("inv", "deploy")
    assert deploy.returncode == 0, deploy.stdout + deploy.stderr
    assert "[1/11] db generate: skip (schema defines no table)" in deploy.stdout
    assert deploy.stdout.rstrip().endswith("https://notes-app.edgespark.app")
    fake_cli.clear()
    again = sh("inv", "deploy")
    assert again.returncode == 0 and fake_cli.calls() == []
