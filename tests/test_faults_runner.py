"""Faults at the CLI runner, tried as an attacker would: killed tools, keys in the CLI setting,
cold caches raced, floods of output, helpers that linger, timeouts, Ctrl-C under doit.

Real processes throughout (the tools, the fake CLI or small shell CLIs, real signals).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import BIN, alive, run_tool

from edgespark_tasks.testing import FakeCli

LINUX = sys.platform.startswith("linux")
PLANTED = "esk_live_PLANTED0123456789abcdefXYZ"


def wait_for(predicate, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.02)


def start(tool: str, *args: str, cwd: Path, env: dict[str, str],
          **kwargs: object) -> subprocess.Popen[str]:
    return subprocess.Popen([str(BIN / tool), *args], cwd=cwd, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, **kwargs)  # type: ignore[call-overload]


def shell_cli(folder: Path, body: str) -> Path:
    """A tiny `edgespark` written in sh: answers --version/--help, runs `body` otherwise."""
    path = folder / "sh-edgespark"
    path.write_text(
        "#!/bin/sh\n"
        'case "$1" in\n'
        "  --version) echo 1.0.0; exit 0 ;;\n"
        "  --help) printf 'Commands:\\n  pull  p\\n  storage  s\\n'; exit 0 ;;\n"
        "esac\n"
        'case "$2" in --help) printf \'Commands:\\n  types  t\\n  apply  a\\n\'; exit 0 ;; esac\n'
        + body + "\n")
    path.chmod(0o755)
    return path


# ---- a killed tool never leaves the CLI running unguarded (issue 11, point 1) ---------------


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGHUP])
def test_killed_tool_then_immediate_rerun_never_overlaps(edgespark_project, fake_cli: FakeCli,  # type: ignore[no-untyped-def]
                                                         sig: int) -> None:
    repo = edgespark_project()
    fake_cli.set(sleep={"storage apply": 3})
    env = fake_cli.environ()
    first = start("edgespark-tasks", "run", "storage-apply", cwd=repo, env=env)
    pid_file = fake_cli.state / "last.pid"
    wait_for(pid_file.exists)
    child = int(pid_file.read_text())
    wait_for(lambda: alive(child))
    if LINUX:  # the child holds the project lock itself (inherited descriptor)
        fds = [os.readlink(f) for f in Path(f"/proc/{child}/fd").iterdir()]
        assert any(f.endswith(".edgespark-tasks/cli.lock") for f in fds), fds
    first.send_signal(sig)
    first.communicate(timeout=30)
    again = run_tool("edgespark-tasks", "run", "storage-apply", cwd=repo, env=env)
    assert again.returncode == 0, again.stderr
    assert fake_cli.overlaps() == 0
    if LINUX and shutil.which("setpriv"):  # the child died with the tool (SIGKILL: its
        # parent-death signal; SIGHUP: stopped by us)
        wait_for(lambda: not alive(child), timeout=5)
        # Only the rerun completed: a SIGHUP'd child is stopped (and logs exit 130), a
        # SIGKILL'd tool's child is killed before it can log anything.
        assert [(c["command"], c["exit"]) for c in fake_cli.calls()] == (
            [("storage apply", 0)] if sig == signal.SIGKILL
            else [("storage apply", 130), ("storage apply", 0)])


# ---- capability probes take the lock (issue 11, also required) ------------------------------


def test_cold_cache_probes_never_overlap(edgespark_project, fake_cli: FakeCli) -> None:  # type: ignore[no-untyped-def]
    repo = edgespark_project()
    fake_cli.set(probe_sleep=0.3)
    env = fake_cli.environ()
    procs = [start("edgespark-tasks", "run", "pull-types", cwd=repo, env=env) for _ in range(2)]
    outputs = [p.communicate(timeout=60) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    assert fake_cli.probe_overlaps() == 0 and fake_cli.overlaps() == 0
    # The second tool waited, then found the cache the first one filled: one probe set.
    assert fake_cli.probes() == [["--version"], ["--help"], ["pull", "--help"]]


# ---- an API key in the CLI setting (issue 11, point 4) --------------------------------------


def test_api_key_in_the_cli_setting_never_reaches_disk_or_output(edgespark_project,  # type: ignore[no-untyped-def]
                                                                  fake_cli: FakeCli) -> None:
    repo = edgespark_project()
    fake_cli.respond("storage apply", stdout=f"using {PLANTED}\n")
    env = fake_cli.environ(EDGESPARK_CLI=f"{fake_cli.executable} --api-key {PLANTED}")
    result = run_tool("edgespark-tasks", "run", "storage-apply", cwd=repo, env=env)
    assert result.returncode == 0, result.stderr
    assert "it belongs in EDGESPARK_API_KEY" in result.stderr
    assert PLANTED not in result.stdout + result.stderr
    for path in (repo / ".edgespark-tasks").rglob("*"):
        if path.is_file():
            assert PLANTED not in path.read_text(errors="replace"), path


@pytest.mark.parametrize("front_end", ["run", "doit", "gate"])
def test_api_key_in_a_cli_that_prints_no_version_is_masked(edgespark_project, fake_cli: FakeCli,  # type: ignore[no-untyped-def]
                                                           front_end: str) -> None:
    repo = edgespark_project(files={"dodo.py": "from edgespark_tasks.doit import *  # noqa\n"})
    env = fake_cli.environ(EDGESPARK_CLI=f"/bin/echo --api-key {PLANTED}")
    argv = {"run": ("edgespark-tasks", "run", "types-check"),
            "doit": ("doit", "edgespark:storage-apply"),
            "gate": ("edgespark-tasks-hook", "types-check")}[front_end]
    result = run_tool(argv[0], *argv[1:], cwd=repo, env=env)
    output = result.stdout + result.stderr
    assert "--api-key *** --version did not print a version" in output, output
    assert PLANTED not in output
    for path in (repo / ".edgespark-tasks").rglob("*"):
        if path.is_file():
            assert PLANTED not in path.read_text(errors="replace"), path


def test_key_split_by_colour_codes_is_masked(edgespark_project, fake_cli: FakeCli) -> None:  # type: ignore[no-untyped-def]
    repo = edgespark_project()
    key = fake_cli.api_key
    coloured = f"{key[:8]}\x1b[1;31m{key[8:20]}\x1b[0m{key[20:]}"
    fake_cli.respond("storage apply", stdout=f"key: {coloured} ok\n", stderr=f"{coloured}\n")
    result = run_tool("edgespark-tasks", "run", "storage-apply", cwd=repo,
                      env=fake_cli.environ())
    assert result.returncode == 0, result.stderr
    assert "key: *** ok" in result.stdout
    for text in (result.stdout, result.stderr):
        assert key[8:20] not in text and key[20:] not in text


# ---- arguments and timeouts -----------------------------------------------------------------


@pytest.mark.parametrize("seconds", ["0", "-3"])
def test_log_tail_for_zero_seconds_is_an_error(tasks_repo: Path, fake_cli: FakeCli,
                                               seconds: str) -> None:
    result = run_tool("inv", "log.tail", "--seconds", seconds, cwd=tasks_repo,
                      env=fake_cli.environ())
    assert result.returncode == 10  # bad input (errors.EXIT_CODES)
    assert "give a positive number of seconds" in result.stderr
    assert "Traceback" not in result.stderr
    assert fake_cli.calls() == []


def test_secrets_set_timeout_is_a_timeout(edgespark_project, fake_cli: FakeCli) -> None:  # type: ignore[no-untyped-def]
    repo = edgespark_project(files={
        "pyproject.toml": "[tool.edgespark-tasks.timeouts]\nsecrets-set = 1\n",
        "tasks.py": "from edgespark_tasks.invoke import ns\n"})
    fake_cli.set(sleep={"secret set": 30})
    primary, secondary = os.openpty()  # a person's terminal: secret set needs one
    try:
        started = time.monotonic()
        proc = subprocess.run([str(BIN / "inv"), "secrets.set", "OPENAI_API_KEY"], cwd=repo,
                              env=fake_cli.environ(), stdin=secondary, stdout=secondary,
                              stderr=subprocess.PIPE, text=True, timeout=60)
        elapsed = time.monotonic() - started
    finally:
        os.close(secondary)
        os.close(primary)
    assert proc.returncode == 124, proc.stderr
    assert "ran past its 1s timeout" in proc.stderr
    assert "interrupted" not in proc.stderr
    assert elapsed < 10
    assert not alive(int((fake_cli.state / "last.pid").read_text()))


# ---- output floods and lingering helpers ----------------------------------------------------


def test_400_mb_of_output_costs_bounded_memory(edgespark_project, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    repo = edgespark_project()
    line = "x" * 99
    cli = shell_cli(tmp_path, f"yes {line} | head -c 400000000\necho LAST LINE")
    probe = (
        "import resource, subprocess, sys\n"
        "r = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.PIPE)\n"
        "tail = r.stdout[-200:].decode()\n"
        "print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,\n"
        "      len(r.stdout), 'LAST LINE' in tail)\n")
    env = {**os.environ, "EDGESPARK_CLI": str(cli), "EDGESPARK_API_KEY": PLANTED}
    result = subprocess.run([sys.executable, "-c", probe, str(BIN / "edgespark-tasks"), "run",
                             "pull-types"], cwd=repo, env=env, capture_output=True, text=True,
                            timeout=300)
    code, max_rss_kb, streamed, last = result.stdout.split()
    assert code == "0", result.stderr
    assert int(streamed) >= 400_000_000 and last == "True"  # everything streamed through
    assert int(max_rss_kb) < 150 * 1024  # was ~880 MB when all output was kept


def test_helper_keeping_stdout_open_neither_delays_nor_lingers(edgespark_project,  # type: ignore[no-untyped-def]
                                                               tmp_path: Path) -> None:
    repo = edgespark_project()
    pid_file = tmp_path / "helper.pid"
    cli = shell_cli(tmp_path, f"sleep 60 &\necho $! > {pid_file}\necho applied\nexit 0")
    env = {**os.environ, "EDGESPARK_CLI": str(cli), "EDGESPARK_API_KEY": PLANTED}
    started = time.monotonic()
    result = run_tool("edgespark-tasks", "run", "storage-apply", cwd=repo, env=env)
    elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    assert "applied" in result.stdout
    assert elapsed < 5  # was 20 s: two pipes waited on for 10 s each
    wait_for(lambda: not alive(int(pid_file.read_text())), timeout=5)


# ---- Ctrl-C under doit, in every mode (issue 11, point 6) -----------------------------------


def fake_cli_processes(fake: FakeCli) -> list[int]:
    """Running processes of the fake CLI (their command line names its executable)."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            cmdline = (proc / "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if proc.name.isdigit() and str(fake.executable) in cmdline and alive(int(proc.name)):
            found.append(int(proc.name))
    return found


@pytest.mark.skipif(not LINUX, reason="reads /proc")
@pytest.mark.parametrize("mode", [[], ["-n", "2"], ["-n", "4"], ["-n", "2", "-P", "thread"]],
                         ids=["plain", "n2", "n4", "thread"])
def test_ctrl_c_ends_doit_within_2s_in_every_mode(edgespark_project, fake_cli: FakeCli,  # type: ignore[no-untyped-def]
                                                  mode: list[str]) -> None:
    repo = edgespark_project(files={"dodo.py": "from edgespark_tasks.doit import *  # noqa\n"})
    fake_cli.set(sleep={c: 30 for c in ("db migrate", "storage apply", "auth apply",
                                        "secret list", "var set")})
    # Its own session, like a terminal's foreground job: Ctrl-C reaches the whole group.
    proc = start("doit", *mode, cwd=repo, env=fake_cli.environ(), start_new_session=True)
    wait_for((fake_cli.state / "last.pid").exists)
    wait_for(lambda: bool(fake_cli_processes(fake_cli)))
    time.sleep(0.3)  # parallel workers reach their calls (or the lock) too
    os.killpg(proc.pid, signal.SIGINT)
    started = time.monotonic()
    try:
        proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert time.monotonic() - started < 2
    assert proc.returncode in (130, -signal.SIGINT)
    wait_for(lambda: not fake_cli_processes(fake_cli), timeout=2)
    assert fake_cli.overlaps() == 0
    state_dir = repo / ".edgespark-tasks"
    recorded = "".join(p.read_text() for p in state_dir.glob("*.json") if p.is_file())
    for step in ("db-migrate", "storage-apply", "auth-apply", "secrets-check", "vars-apply"):
        assert f'"{step}"' not in recorded and f"edgespark:{step}" not in recorded, step


# ---- plan gives the same answer with a cold or a warm capability cache (issue 13, 10) --------


def test_plan_is_the_same_with_a_cold_or_a_warm_cache(edgespark_project,  # type: ignore[no-untyped-def]
                                                      fake_cli: FakeCli) -> None:
    repo = edgespark_project()
    fake_cli.set(version="1.2.0", missing=["storage apply", "auth"])
    cache = repo / ".edgespark-tasks/cli-info.json"
    cold = run_tool("edgespark-tasks", "plan", cwd=repo, env=fake_cli.environ())
    assert cache.exists()  # plan probed what it needed (it ran no command)
    assert fake_cli.calls() == []
    cache.unlink()
    doctor = run_tool("edgespark-tasks", "doctor", cwd=repo, env=fake_cli.environ())
    assert "storage-apply" in doctor.stdout
    warm = run_tool("edgespark-tasks", "plan", cwd=repo, env=fake_cli.environ())
    assert (cold.returncode, cold.stdout, cold.stderr) == (warm.returncode, warm.stdout,
                                                          warm.stderr)
    assert "blocked" in cold.stdout and "storage apply" in cold.stdout
    assert fake_cli.calls() == []
