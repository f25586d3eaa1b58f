"""The smoke step and hooks/notify_webhook.py through `inv deploy`, against real HTTP servers."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest
from conftest import REPO, run_tool
from http_servers import Answer, always, closed_port_url, fail_then_ok, serve, slow

from edgespark_tasks.testing import FakeCli

TOKEN = "hooktoken-5f3a9c1e7b2d"
PLANTED = "sk_live_51PlantedDoNotLeak9a8b7c6d5e4f"
SMOKE = """
[tool.edgespark-tasks.smoke]
deadline = {deadline}
timeout = {timeout}
checks = [{{ path = "/health", status = 200, contains = "ok" }}]
"""
PLUGIN = '[tool.edgespark-tasks]\nplugins = ["hooks/notify_webhook.py"]\n'
STEP_FIELDS = {"id", "title", "decision", "reason", "status", "duration", "exit_code",
               "exit_class", "message", "command"}


def make_repo(edgespark_project, *, smoke: bool = True, plugin: bool = False,  # type: ignore[no-untyped-def]
              deadline: float = 2.0, timeout: float = 0.5) -> Path:
    pyproject = (PLUGIN if plugin else "") + (
        SMOKE.format(deadline=deadline, timeout=timeout) if smoke else "")
    repo: Path = edgespark_project(files={"tasks.py": "from edgespark_tasks.invoke import ns\n",
                                          "pyproject.toml": pyproject or "\n"})
    if plugin:  # dropped into the repo, as a user would
        (repo / "hooks").mkdir(exist_ok=True)
        shutil.copy(REPO / "hooks/notify_webhook.py", repo / "hooks/notify_webhook.py")
    return repo


def deploy(repo: Path, fake: FakeCli, *args: str, **env: str):  # type: ignore[no-untyped-def]
    report = repo.parent / f"report-{time.monotonic_ns()}.json"
    result = run_tool("inv", "deploy", "--json", str(report), *args, cwd=repo,
                      env=fake.environ(**env), timeout=60)
    return result, report


def assert_nowhere(needles: list[str], repo: Path, result, report: Path) -> None:  # type: ignore[no-untyped-def]
    """None of `needles` in captured output, the state file or the JSON report."""
    state = repo / ".edgespark-tasks/state.json"
    assert state.is_file()
    places = {"stdout": result.stdout, "stderr": result.stderr,
              "state.json": state.read_text(), "report": report.read_text()}
    for needle in needles:
        for where, text in places.items():
            assert needle not in text, f"{needle!r} leaked into {where}"


# ---- smoke -----------------------------------------------------------------------------------

SMOKE_CASES = {
    "200": (always(200), True, ["-> 200"]),
    "500-then-200": (fail_then_ok(1), True, ["-> 200"]),
    "always-500": (always(500), False, ["status 500, expected 200", "internal error: boom"]),
    "slow": (slow(5.0), False, ["no answer within smoke_timeout"]),
}


@pytest.mark.parametrize("case", sorted(SMOKE_CASES))
def test_smoke_against_a_real_server(edgespark_project, fake_cli: FakeCli, case: str) -> None:  # type: ignore[no-untyped-def]
    script, passes, fragments = SMOKE_CASES[case]
    repo = make_repo(edgespark_project, deadline=1.5, timeout=0.5)
    with serve(script) as server:
        fake_cli.set(url=server.url)
        started = time.monotonic()
        result, report = deploy(repo, fake_cli)
        took = time.monotonic() - started
        requests = list(server.requests)
    output = result.stdout + result.stderr
    assert (result.returncode == 0) is passes, output
    assert took < 15  # bounded: the deadline is 1.5 s
    assert requests and all(r.method == "GET" and r.path == "/health" for r in requests)
    for fragment in fragments:
        assert fragment in output
    data = json.loads(report.read_text())
    smoke = next(s for s in data["steps"] if s["id"] == "smoke")
    assert smoke["status"] == ("ok" if passes else "failed")
    if case == "500-then-200":
        assert len(requests) == 2  # one retry, then success
    if not passes:
        assert f"{server.url}/health" in result.stderr  # the URL of the failing check
        assert len(requests) >= 2  # it retried until the deadline
        assert data["result"] == "failed"


def test_smoke_connection_refused_fails(edgespark_project, fake_cli: FakeCli) -> None:  # type: ignore[no-untyped-def]
    repo = make_repo(edgespark_project, deadline=1.0, timeout=0.5)
    url = closed_port_url()
    fake_cli.set(url=url)
    started = time.monotonic()
    result, _ = deploy(repo, fake_cli)
    assert result.returncode != 0
    assert time.monotonic() - started < 15
    assert f"smoke check GET {url}/health: ConnectError" in result.stderr


def test_smoke_not_configured_is_skipped_with_the_reason(edgespark_project,  # type: ignore[no-untyped-def]
                                                         fake_cli: FakeCli) -> None:
    repo = make_repo(edgespark_project, smoke=False)
    result, report = deploy(repo, fake_cli)
    assert result.returncode == 0, result.stderr
    reason = "not configured: add [tool.edgespark-tasks.smoke] checks"
    assert f"smoke check: skip ({reason})" in result.stdout
    smoke = next(s for s in json.loads(report.read_text())["steps"] if s["id"] == "smoke")
    assert smoke["status"] == "skipped" and smoke["reason"] == reason
    direct = run_tool("edgespark-tasks", "run", "smoke", cwd=repo, env=fake_cli.environ())
    assert direct.returncode == 0, direct.stderr


# ---- webhook plugin --------------------------------------------------------------------------


def hook_env(url: str, timeout: float = 1.0) -> dict[str, str]:
    return {"EDGESPARK_TASKS_WEBHOOK_URL": url,
            "EDGESPARK_TASKS_WEBHOOK_TIMEOUT": str(timeout)}


def test_webhook_posts_the_summary_after_success(edgespark_project, fake_cli: FakeCli) -> None:  # type: ignore[no-untyped-def]
    repo = make_repo(edgespark_project, plugin=True)
    with serve(always(200)) as site, serve(always(200)) as hook:
        fake_cli.set(url=site.url)
        result, report = deploy(repo, fake_cli, **hook_env(f"{hook.url}/services/{TOKEN}"))
        posts = list(hook.requests)
    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stderr
    assert len(posts) == 1
    post = posts[0]
    assert post.method == "POST" and post.path == f"/services/{TOKEN}"
    assert post.headers["Content-Type"] == "application/json"
    body = post.json()
    assert body["event"] == "edgespark-tasks.pipeline"
    assert body["project"] == "notes-app"
    assert body["environment"] is None
    assert body["result"] == "ok"
    assert body["url"] == site.url
    assert body["error"] is None
    ids = [s["id"] for s in body["steps"]]
    assert ids.index("deploy") < ids.index("smoke")
    for step in body["steps"]:
        assert set(step) == STEP_FIELDS
        assert step["decision"] in ("run", "skip")
        assert isinstance(step["duration"], (int, float))
    assert next(s for s in body["steps"] if s["id"] == "deploy")["status"] == "ok"
    assert body["steps"] == json.loads(report.read_text())["steps"]
    assert_nowhere([TOKEN, fake_cli.api_key], repo, result, report)


def test_webhook_posts_after_failure_without_leaking(edgespark_project,  # type: ignore[no-untyped-def]
                                                     fake_cli: FakeCli) -> None:
    repo = make_repo(edgespark_project, plugin=True, smoke=False)
    vars_file = repo / "configs/vars.yaml"
    vars_file.write_text(vars_file.read_text().replace(
        "1234567890-notesapp.apps.googleusercontent.com", PLANTED))
    # Past the preflight (which refuses the value too), so that vars-apply itself fails.
    baseline, _ = deploy(repo, fake_cli, "--no-preflight")  # same failure, no webhook
    assert baseline.returncode != 0
    with serve(always(200)) as hook:
        result, report = deploy(repo, fake_cli, "--no-preflight",
                                **hook_env(f"{hook.url}/services/{TOKEN}"))
        posts = list(hook.requests)
    assert result.returncode == baseline.returncode
    assert "the value of GOOGLE_CLIENT_ID looks like a credential" in result.stderr
    assert len(posts) == 1
    body = posts[0].json()
    assert body["result"] == "failed"
    assert "looks like a credential" in body["error"]
    failed = next(s for s in body["steps"] if s["id"] == "vars-apply")
    assert failed["status"] == "failed" and failed["exit_class"]
    assert next(s for s in body["steps"] if s["id"] == "deploy")["status"] == "not-run"
    assert body["url"] is None
    assert PLANTED not in posts[0].body.decode()
    assert_nowhere([TOKEN, PLANTED, fake_cli.api_key], repo, result, report)
    with serve(always(200)) as hook:
        early, early_report = deploy(repo, fake_cli, **hook_env(f"{hook.url}/services/{TOKEN}"))
        early_posts = list(hook.requests)
    assert early.returncode != 0 and "preflight found" in early_posts[0].json()["error"]
    assert "GOOGLE_CLIENT_ID holds a value that looks like a secret" in early.stderr
    assert_nowhere([TOKEN, PLANTED, fake_cli.api_key], repo, early, early_report)


WEBHOOK_PROBLEMS = {
    "down": (None, "the webhook could not be reached (ConnectError)"),
    "slow": (slow(5.0), "the webhook did not answer within 0.5s"),
    "error": (always(500), "the webhook answered HTTP 500"),
}


@pytest.mark.parametrize("case", sorted(WEBHOOK_PROBLEMS))
def test_webhook_problems_only_warn(edgespark_project, fake_cli: FakeCli, case: str) -> None:  # type: ignore[no-untyped-def]
    script, warning = WEBHOOK_PROBLEMS[case]
    repo = make_repo(edgespark_project, plugin=True, smoke=False)
    if script is None:
        result, report = deploy(repo, fake_cli,
                                **hook_env(f"{closed_port_url()}/services/{TOKEN}", 0.5))
    else:
        with serve(script) as hook:
            started = time.monotonic()
            result, report = deploy(repo, fake_cli, **hook_env(f"{hook.url}/services/{TOKEN}",
                                                               0.5))
            assert time.monotonic() - started < 15
            assert len(hook.requests) == 1
    assert result.returncode == 0, result.stderr
    assert f"warning: {warning}; the deploy result is unchanged" in result.stderr
    assert json.loads(report.read_text())["result"] == "ok"
    assert_nowhere([TOKEN, fake_cli.api_key], repo, result, report)


def test_webhook_down_after_a_failed_deploy_keeps_its_exit_code(edgespark_project,  # type: ignore[no-untyped-def]
                                                                fake_cli: FakeCli) -> None:
    repo = make_repo(edgespark_project, plugin=True, smoke=False)
    fake_cli.respond("deploy", exit=1, stderr="Error: bundle failed\n")
    baseline, _ = deploy(repo, fake_cli)
    assert baseline.returncode != 0
    result, report = deploy(repo, fake_cli,
                            **hook_env(f"{closed_port_url()}/services/{TOKEN}", 0.5))
    assert result.returncode == baseline.returncode
    assert "warning: the webhook could not be reached" in result.stderr
    assert_nowhere([TOKEN], repo, result, report)


def test_no_webhook_url_does_nothing(edgespark_project, fake_cli: FakeCli) -> None:  # type: ignore[no-untyped-def]
    repo = make_repo(edgespark_project, plugin=True, smoke=False)
    result, _ = deploy(repo, fake_cli, EDGESPARK_TASKS_WEBHOOK_URL="")
    assert result.returncode == 0, result.stderr
    assert "webhook" not in result.stdout + result.stderr


def test_answer_script_repeats_its_last_entry() -> None:
    with serve([Answer(500, "a"), Answer(200, "b")], lifetime=5) as server:
        import httpx

        codes = [httpx.get(server.url + "/x", timeout=2).status_code for _ in range(3)]
    assert codes == [500, 200, 200]
