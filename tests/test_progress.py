"""A silent step shows time passing: a spinner with elapsed seconds at a terminal (tried in
a real terminal, tmux), a `still running` line elsewhere."""

from __future__ import annotations

import io
import shlex
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from conftest import BIN

from edgespark_tasks.engine.progress import ERASE, Progress
from edgespark_tasks.testing import FakeCli


def test_spinner_at_a_terminal(tasks_repo: Path, fake_cli: FakeCli, tmp_path: Path) -> None:
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed (apt-get install tmux)")
    fake_cli.set(sleep={"storage apply": 6})
    env = " ".join(f"{k}={shlex.quote(v)}" for k, v in fake_cli.env.items())
    done = tmp_path / "done"
    command = (f"cd {shlex.quote(str(tasks_repo))} && env -u NO_COLOR {env} "
               f"{BIN / 'inv'} storage.apply; touch {shlex.quote(str(done))}; sleep 30")
    socket = str(tmp_path / "tmux.sock")
    subprocess.run(["tmux", "-S", socket, "new-session", "-d", "-x", "120", "-y", "20",
                    command], check=True)
    try:
        screens = []
        deadline = time.monotonic() + 20
        while not done.exists() and time.monotonic() < deadline:
            time.sleep(0.5)
            screens.append(subprocess.run(["tmux", "-S", socket, "capture-pane", "-p"],
                                          capture_output=True, text=True).stdout)
        assert done.exists(), screens[-1:]
        final = subprocess.run(["tmux", "-S", socket, "capture-pane", "-p"],
                               capture_output=True, text=True).stdout
    finally:
        subprocess.run(["tmux", "-S", socket, "kill-server"], capture_output=True)
    spinning = [s for s in screens if "storage apply " in s and "s\n" in s
                and any(f"storage apply {n}s" in s for n in range(2, 8))]
    assert spinning, screens  # seconds counted while the CLI was silent
    assert not any(f"storage apply {n}s" in final for n in range(2, 8))  # erased at the end
    assert fake_cli.commands() == ["storage apply"]


def test_still_running_lines_elsewhere() -> None:
    out, err = io.StringIO(), io.StringIO()
    progress = Progress(out, err, after=0.2, every=0.6)
    with progress.watch("deploy"):
        time.sleep(1.5)  # silent: a line every 0.6 s of silence
        progress.out.write("Deploying...\n")  # output resets the silence
        time.sleep(0.3)
    lines = err.getvalue().splitlines()
    assert lines and all(line.startswith("still running (") and line.endswith("s): deploy")
                         for line in lines)
    assert 1 <= len(lines) <= 3
    assert out.getvalue() == "Deploying...\n" and ERASE not in out.getvalue()


def test_no_heartbeat_when_the_step_talks() -> None:
    out, err = io.StringIO(), io.StringIO()
    progress = Progress(out, err, after=0.2, every=0.4)
    with progress.watch("pull types"):
        for _ in range(8):
            progress.err.write("still downloading\n")
            time.sleep(0.1)
    assert "still running" not in err.getvalue()
