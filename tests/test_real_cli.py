"""The real `@edgespark/cli@0.0.9` driven through our front-ends against the loopback stub API.

Server-only project layout (the only one 0.0.9 runs in). Skips only when node or the installed
CLI is missing and CI is not set (see realcli_fixtures.require_real_cli).
"""

from __future__ import annotations

import json
import os
import socket
import time
from pathlib import Path

import pytest
from realcli_fixtures import *  # noqa: F403 - fixtures: real_project, stub, ...
from realcli_fixtures import API_KEY, CLI_VERSION, RealProject, hook_gate_wired
from stub_api import StubApi

from edgespark_tasks import errors
from edgespark_tasks.edge import error_line
from edgespark_tasks.engine import pipeline
from edgespark_tasks.engine.context import RunOptions
from edgespark_tasks.engine.session import open_session

UNAVAILABLE = ("db-migrate", "storage-apply", "vars-apply", "auth-apply")
SKIP_UNAVAILABLE = [arg for step in UNAVAILABLE for arg in ("--skip", step)]


hook_wired = pytest.mark.skipif(not hook_gate_wired(),
                                reason="edgespark-tasks-hook types-check is not wired yet")


# ---- pull types --check / pull types -------------------------------------------------------


def test_types_check_fresh_passes(real_project: RealProject, stub: StubApi) -> None:
    stub.types_hash = real_project.checksum
    result = real_project.inv("pull.types", "--check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Types are up to date" in result.stderr
    assert [r.endpoint for r in stub.calls("server-types")] == ["sdk/server-types/pull"]
    assert stub.calls("server-types")[0].query["project_id"] == (
        "5ba6c784-0498-4636-a51a-b3f35bc6927c")


def test_types_check_stale_fails_with_the_fix(real_project: RealProject, stub: StubApi) -> None:
    result = real_project.inv("pull.types", "--check")
    assert result.returncode == 1
    assert "generated files are stale" in result.stderr
    assert "inv pull.types" in result.stderr  # the fix


def test_pull_types_then_check_passes(real_project: RealProject, stub: StubApi) -> None:
    assert real_project.inv("pull.types", "--check").returncode == 1
    pulled = real_project.inv("pull.types")
    assert pulled.returncode == 0, pulled.stdout + pulled.stderr
    assert real_project.checksum == stub.types_hash
    types = (real_project.root / "src/__generated__/server-types.d.ts").read_text()
    assert types == stub.types_content
    check = real_project.inv("pull.types", "--check")
    assert check.returncode == 0, check.stdout + check.stderr


@hook_wired
def test_types_check_hook(real_project: RealProject, stub: StubApi) -> None:
    hook = str(Path(real_project.env["PATH"].split(":")[0]) / "edgespark-tasks-hook")
    stale = real_project.run(hook, "types-check", "--project", str(real_project.root))
    assert stale.returncode == 1, stale.stdout + stale.stderr
    assert "pull types" in stale.stdout + stale.stderr
    stub.types_hash = real_project.checksum
    fresh = real_project.run(hook, "types-check", "--project", str(real_project.root))
    assert fresh.returncode == 0, fresh.stdout + fresh.stderr


@hook_wired
def test_types_check_hook_could_not_check(real_project: RealProject, stub: StubApi) -> None:
    hook = str(Path(real_project.env["PATH"].split(":")[0]) / "edgespark-tasks-hook")
    env = {k: v for k, v in real_project.env.items() if k not in ("EDGESPARK_API_KEY", "CI")}
    local = real_project.run(hook, "types-check", "--project", str(real_project.root), env=env)
    assert local.returncode == 0, local.stdout + local.stderr  # warns and passes locally
    assert "could not check" in local.stderr
    in_ci = real_project.run(hook, "types-check", "--project", str(real_project.root),
                             env={**env, "CI": "true"})
    assert in_ci.returncode == 1
    assert "could not check" in in_ci.stderr


# ---- inv deploy ----------------------------------------------------------------------------


def test_deploy_refuses_needed_steps_0_0_9_lacks(real_project: RealProject,
                                                  stub: StubApi) -> None:
    report = real_project.root / "report.json"
    result = real_project.inv("deploy", "--json", str(report))
    output = result.stdout + result.stderr
    assert result.returncode == errors.StepUnavailableError.exit_code, output
    for step in UNAVAILABLE:
        assert step in result.stderr
    assert f"not available in edgespark {CLI_VERSION}" in output
    assert "nothing was run" in result.stderr
    assert "--skip db-migrate" in result.stderr  # says how to go on
    assert stub.requests == []  # the CLI never ran a command (only --help probes)
    rows = {row["id"]: row for row in json.loads(report.read_text())["steps"]}
    assert rows["db-migrate"]["exit_class"] == "unavailable"
    assert rows["deploy"]["status"] == "not-run"


def test_deploy_runs_what_0_0_9_supports(real_project: RealProject, stub: StubApi) -> None:
    stub.secrets = ["GOOGLE_CLIENT_SECRET", "OPENAI_API_KEY"]
    report = real_project.root / "report.json"
    result = real_project.inv("deploy", *SKIP_UNAVAILABLE, "--json", str(report))
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    data = json.loads(report.read_text())
    rows = {row["id"]: row for row in data["steps"]}
    for step in ("secrets-check", "pull-types", "deploy-dry-run", "deploy", "smoke"):
        assert rows[step]["status"] == "ok", rows[step]
    for step in UNAVAILABLE:
        assert rows[step]["status"] == "skipped"
        assert f"not available in edgespark {CLI_VERSION}" in rows[step]["reason"]
    assert rows["db-generate"]["status"] == "skipped"
    assert data["url"] == stub.deployed_url
    assert f"GET {stub.deployed_url}/api/health -> 200" in output
    endpoints = stub.endpoints()
    assert "POST deploy/prepare" in endpoints
    assert "POST deploy/execute" in endpoints
    assert endpoints.index("POST deploy/prepare") < endpoints.index("POST deploy/execute")
    assert [r.method for r in stub.calls("/upload/")] == ["POST"]
    assert b"createApp" in stub.calls("/upload/")[0].body  # the real bundle went up
    assert stub.calls("/worker/api/health")
    # Dry run and deploy both pulled the schema; execute names the prepared deployment.
    assert len(stub.calls("database/schema/pull")) == 2
    prepared = json.loads(stub.calls("deploy/prepare")[0].body)
    executed = stub.calls("deploy/execute")[0].json()
    assert prepared["bundled_script_file_info"]["file_name"] == "bundle.js"
    assert executed["project_id"] == prepared["project_id"]
    assert (real_project.root / "dist/bundle.js").is_file()


def test_plan_reports_unavailable_steps_without_running(real_project: RealProject,
                                                        stub: StubApi) -> None:
    result = real_project.inv("plan")
    # Blocked steps make the plan exit like the real run would: 12, not the CLI's 1-7.
    assert result.returncode == errors.BLOCKED, result.stdout + result.stderr
    for step in ("db migrate", "storage apply", "vars apply", "auth apply"):
        line = next(li for li in result.stdout.splitlines() if f"] {step}" in li)
        assert "blocked" in line and f"edgespark {CLI_VERSION}" in line
    assert stub.requests == []


# ---- secrets-check ---------------------------------------------------------------------------


def test_secrets_check_reads_real_secret_list(real_project: RealProject, stub: StubApi) -> None:
    stub.secrets = ["GOOGLE_CLIENT_SECRET"]
    missing = real_project.inv("secrets.check")
    assert missing.returncode == errors.REFUSED
    assert "OPENAI_API_KEY" in missing.stderr
    assert "GOOGLE_CLIENT_SECRET" not in missing.stderr.split("secrets not set")[-1]
    assert "secret set OPENAI_API_KEY" in missing.stderr
    stub.secrets = ["GOOGLE_CLIENT_SECRET", "OPENAI_API_KEY", "UNRELATED_ONE"]
    ok = real_project.inv("secrets.check")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "OPENAI_API_KEY" in ok.stdout  # the real table, on stdout
    assert stub.calls("secret/list")[-1].query["environment"] == "staging"


# ---- log tail ----------------------------------------------------------------------------------


def test_log_tail_stops_after_n_seconds(real_project: RealProject, stub: StubApi) -> None:
    stub.log_hold = 60  # heartbeats until we stop it
    started = time.monotonic()
    # 5 s: node's start-up on a loaded 2-core runner alone can take 2 s of a shorter window.
    result = real_project.inv("log.tail", "--seconds", "5")
    took = time.monotonic() - started
    assert result.returncode == 0, result.stdout + result.stderr
    assert "stub log line 3" in result.stdout
    assert "GET https://app.example/api/notes?n=1" in result.stdout
    assert took < 20  # the stream would go on for 60 s


def test_log_tail_ends_with_the_stream(real_project: RealProject, stub: StubApi) -> None:
    started = time.monotonic()
    result = real_project.inv("log.tail", "--seconds", "30")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "stub: stream ended" in result.stderr
    assert time.monotonic() - started < 15


def test_log_tail_stream_cut_is_a_network_error(real_project: RealProject,
                                                stub: StubApi) -> None:
    stub.log_disconnect = False
    result = real_project.inv("log.tail", "--seconds", "30")
    assert result.returncode == 6
    assert "network" in result.stderr


# ---- failure classes from the real binary ----------------------------------------------------


def _types_check_error(project: RealProject, monkeypatch: pytest.MonkeyPatch,
                       **env: str | None) -> errors.EdgesparkTasksError:
    """Run the types-check step in-process and return the typed error it raised."""
    for key in [k for k in os.environ if k.startswith("EDGESPARK_")]:
        monkeypatch.delenv(key)
    wanted = {k: v for k, v in project.env.items() if k.startswith("EDGESPARK_")}
    for key, value in {**wanted, **env}.items():
        if value is not None:
            monkeypatch.setenv(key, value)
    session = open_session(project.root)
    with pytest.raises(errors.EdgesparkTasksError) as caught:
        pipeline.run_step(session, "types-check", RunOptions())
    return caught.value


def test_no_api_key_is_class_3(real_project: RealProject, stub: StubApi) -> None:
    env = {k: v for k, v in real_project.env.items() if k != "EDGESPARK_API_KEY"}
    result = real_project.inv("pull.types", "--check", env=env)
    assert result.returncode == 3
    assert "set EDGESPARK_API_KEY" in result.stderr
    assert API_KEY not in result.stdout + result.stderr
    assert stub.requests == []


def test_failure_classes_map_to_messages_and_gate_decisions(
        real_project: RealProject, stub: StubApi, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    cases: list[tuple[str, dict[str, str | None], type[errors.CliError], int, str]] = []
    # no key (3): could not check
    cases.append(("no key", {"EDGESPARK_API_KEY": None}, errors.AuthMissingError, 3,
                  "set EDGESPARK_API_KEY"))
    # HTTP 401 (6): could not check, the message names the key
    cases.append(("401", {"EDGESPARK_API_KEY": "esk_live_wrong_key_000000"},
                  errors.NetworkError, 6, "HTTP 401/403"))
    # stale (1): checked and found a problem
    cases.append(("stale", {}, errors.StaleError, 1, "inv pull.types"))
    for label, env, cls, code, text in cases:
        error = _types_check_error(real_project, monkeypatch, **env)
        assert type(error) is cls, label
        assert error.exit_code == code, label
        message, exit_code = error_line("inv", error)
        assert exit_code == code and text in message, (label, message)
        could_not_check = errors.exit_class_of(error) in errors.COULD_NOT_CHECK
        assert could_not_check is (cls is not errors.StaleError), label
        assert "esk_live_wrong_key" not in capsys.readouterr().out
    assert any(r.status == 401 for r in stub.requests)


def test_503_is_retried_then_a_network_error(real_project: RealProject, stub: StubApi,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    stub.fail("server-types", 503)
    started = time.monotonic()
    error = _types_check_error(real_project, monkeypatch)
    assert isinstance(error, errors.NetworkError) and error.exit_code == 6
    assert errors.exit_class_of(error) in errors.COULD_NOT_CHECK
    assert len(stub.calls("server-types")) == 4  # the first try and 3 retries
    assert time.monotonic() - started > 6  # 1 + 2 + 4 s of back-off


def test_unreachable_api_is_a_network_error(real_project: RealProject) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**real_project.env, "EDGESPARK_BASE_URL": f"http://127.0.0.1:{port}"}
    result = real_project.inv("pull.types", "--check", env=env)
    assert result.returncode == 6
    assert "network or API error" in result.stderr


# ---- the stub itself (no CLI needed) ---------------------------------------------------------


def _get(url: str, key: str | None = None) -> tuple[int, bytes]:
    import urllib.error
    import urllib.request

    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {key}"} if key else {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def test_stub_knobs_and_records() -> None:
    with StubApi(api_key="k1") as api:
        url = f"{api.base_url}/api/v1/project/sdk/server-types/pull?project_id=p"
        assert _get(url)[0] == 401
        status, body = _get(url, "k1")
        assert status == 200 and json.loads(body)["data"]["hash"] == api.types_hash
        api.fail("server-types", 503, times=1)
        assert _get(url, "k1")[0] == 503
        assert _get(url, "k1")[0] == 200
        assert [r.status for r in api.calls("server-types")] == [401, 200, 503, 200]
        assert api.calls()[1].query == {"project_id": "p"}


def test_stub_stops_by_itself() -> None:
    api = StubApi(lifetime=0.5, log_hold=30).start()
    port = api.port
    time.sleep(1.5)
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
        pass
    api.stop()  # idempotent
