"""What a CI runner shows, tried as a new user would: annotations, SARIF, the step summary and
the plan picture, from the real `edgespark-tasks` and `inv` in temporary repos with the fake CLI.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import run_tool
from pydantic import BaseModel
from sarif_pydantic import Sarif

from edgespark_tasks.checks.findings import Finding
from edgespark_tasks.engine.report_github import (
    escape_data,
    escape_property,
    finding_annotation,
    workflow_command,
)
from edgespark_tasks.runner.redact import Redactor
from edgespark_tasks.testing import FakeCli, git

SCHEMA = "server/src/defs/db_schema.ts"


def tool(repo: Path, fake: FakeCli, *args: str, **env: str):  # type: ignore[no-untyped-def]
    return run_tool("edgespark-tasks", *args, cwd=repo, env=fake.environ(**env))


def unmigrated(repo: Path) -> None:
    """A schema change without its migration: the schema-migrated check's error."""
    path = repo / SCHEMA
    path.write_text(path.read_text() + "\n// edited\n")


def test_escaping_follows_the_workflow_command_rules() -> None:
    assert escape_data("100%\r\nnext") == "100%25%0D%0Anext"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    line = workflow_command("warning", "two\nlines", file="dir,x/a:b.ts", line=3,
                            title="t: 1, 2")
    assert line == "::warning file=dir%2Cx/a%3Ab.ts,line=3,title=t%3A 1%2C 2::two%0Alines"


def test_annotation_messages_are_redacted() -> None:
    secret = "esk_live_0123456789abcdef"
    finding = Finding("no-secret-files", "error", ".env", 2, f"found {secret} in a file",
                      fix=f"remove {secret}")
    line = finding_annotation(finding, "apps/web", Redactor([secret]))
    assert secret not in line
    assert line == ("::error file=apps/web/.env,line=2,title=edgespark no-secret-files::"
                    "found *** in a file (fix: remove ***)")


def test_check_emits_annotations_on_github_actions(edgespark_project: Any,
                                                  fake_cli: FakeCli) -> None:
    repo = edgespark_project()
    unmigrated(repo)
    plain = tool(repo, fake_cli, "check", "--all-files")
    assert plain.returncode == 1
    assert "::error" not in plain.stdout
    on_gha = tool(repo, fake_cli, "check", "--all-files", GITHUB_ACTIONS="true")
    assert on_gha.returncode == 1
    annotations = [ln for ln in on_gha.stdout.splitlines() if ln.startswith("::")]
    assert annotations == [
        "::error file=server/src/defs/db_schema.ts,title=edgespark schema-migrated::schema "
        "changed without a migration (fix: run `edgespark db generate`, review the SQL, and "
        "commit it with the schema)"]
    assert f"{SCHEMA}: error: schema changed" in on_gha.stdout  # the text stays
    only = tool(repo, fake_cli, "check", "--all-files", "--format", "github")
    assert only.stdout.splitlines() == [*annotations, only.stdout.splitlines()[-1]]


def test_precommit_hook_annotates_on_github_actions(edgespark_project: Any,
                                                   fake_cli: FakeCli) -> None:
    repo = edgespark_project()
    unmigrated(repo)
    git(repo, "add", "-A")
    plain = run_tool("edgespark-tasks-hook", "schema-migrated", "--staged", SCHEMA, cwd=repo,
                     env=fake_cli.environ())
    assert plain.returncode == 1 and "::error" not in plain.stdout
    on_gha = run_tool("edgespark-tasks-hook", "schema-migrated", "--staged", SCHEMA, cwd=repo,
                      env=fake_cli.environ(GITHUB_ACTIONS="true"))
    assert on_gha.returncode == 1
    assert [ln for ln in on_gha.stdout.splitlines() if ln.startswith("::")] == [
        "::error file=server/src/defs/db_schema.ts,title=edgespark schema-migrated::schema "
        "changed without a migration (fix: run `edgespark db generate`, review the SQL, and "
        "commit it with the schema)"]


def test_check_redacts_annotations_with_the_api_key(edgespark_project: Any,
                                                   fake_cli: FakeCli) -> None:
    repo = edgespark_project()
    unmigrated(repo)
    # A key value that happens to occur in a message is still masked everywhere.
    result = tool(repo, fake_cli, "check", "--all-files", "--format", "github",
                  EDGESPARK_API_KEY="without a migration")
    assert "without a migration" not in result.stdout
    assert "schema changed *** (fix" in result.stdout


def _extras(model: Any) -> list[str]:
    """Every field a model accepted without knowing it (sarif-pydantic allows extras)."""
    found: list[str] = []
    if isinstance(model, BaseModel):
        found += [f"{type(model).__name__}.{k}" for k in (model.model_extra or {})]
        for name in type(model).model_fields:
            found += _extras(getattr(model, name))
    elif isinstance(model, (list, tuple)):
        for item in model:
            found += _extras(item)
    elif isinstance(model, dict):
        for item in model.values():
            found += _extras(item)
    return found


def test_sarif_is_valid_sarif_2_1_0(edgespark_project: Any, fake_cli: FakeCli) -> None:
    repo = edgespark_project()
    unmigrated(repo)
    (repo / "server/src/index.ts").write_text(
        (repo / "server/src/index.ts").read_text() + '\nconst k = env.vars.get("UNDECLARED");\n')
    result = tool(repo, fake_cli, "check", "--all-files", "--format", "sarif")
    assert result.returncode == 1
    data = json.loads(result.stdout)
    log = Sarif.model_validate(data)
    assert _extras(log) == []
    assert log.version == "2.1.0"
    run = log.runs[0]
    assert run.tool.driver.name == "edgespark-tasks"
    results = run.results or []
    by_rule = {r.rule_id: r for r in results}
    assert "schema-migrated" in by_rule
    location = by_rule["schema-migrated"].locations[0].physical_location  # type: ignore[index,union-attr]
    assert location.artifact_location.uri == SCHEMA  # type: ignore[union-attr]
    rule_ids = [rule.id for rule in run.tool.driver.rules or []]
    for r in results:
        assert rule_ids[r.rule_index] == r.rule_id  # type: ignore[index]


def test_check_json_format(edgespark_project: Any, fake_cli: FakeCli) -> None:
    repo = edgespark_project()
    unmigrated(repo)
    data = json.loads(tool(repo, fake_cli, "check", "--all-files", "--format", "json").stdout)
    assert data["result"] == "failed"
    assert [(f["check"], f["path"]) for f in data["findings"]] == [("schema-migrated", SCHEMA)]


def _summary_env(tmp_path: Path) -> dict[str, str]:
    return {"GITHUB_ACTIONS": "true", "CI": "true",
            "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
            "GITHUB_OUTPUT": str(tmp_path / "output.txt")}


def test_step_summary_after_a_deploy(edgespark_project: Any, fake_cli: FakeCli,
                                     tmp_path: Path) -> None:
    repo = edgespark_project()
    fake_cli.set(url="https://notes.example.app")
    env = _summary_env(tmp_path)
    result = tool(repo, fake_cli, "run", "deploy", **env)
    assert result.returncode == 0, result.stderr
    summary = Path(env["GITHUB_STEP_SUMMARY"]).read_text()
    assert "EdgeSpark deploy: notes-app (default environment): ok" in summary
    assert "| step | decision | reason | status | time |" in summary
    assert "| db-migrate | run | first run for the default environment | ok |" in summary
    assert "| smoke | skip | not configured: add [tool.edgespark-tasks.smoke] checks " \
           "| skipped | - |" in summary
    assert "Deployed: https://notes.example.app" in summary
    mermaid = summary.split("```mermaid\n", 1)[1].split("```", 1)[0]
    assert mermaid.startswith("flowchart LR\n")
    assert "s_db_migrate --> s_storage_apply" in mermaid
    assert "classDef st_ok fill:#2da44e" in mermaid
    assert ":::st_ok" in mermaid and ":::st_skipped" in mermaid
    assert Path(env["GITHUB_OUTPUT"]).read_text() == "url=https://notes.example.app\n"
    assert "::error" not in result.stdout
    assert fake_cli.api_key not in summary


def test_failed_step_is_annotated_and_summarised(edgespark_project: Any, fake_cli: FakeCli,
                                                tmp_path: Path) -> None:
    repo = edgespark_project()
    fake_cli.respond("storage apply", exit=6,
                     stderr=f"Error: 503 from API (key {fake_cli.api_key})\n")
    env = _summary_env(tmp_path)
    result = tool(repo, fake_cli, "run", "deploy", **env)
    assert result.returncode == 6
    errors = [ln for ln in result.stdout.splitlines() if ln.startswith("::error")]
    assert len(errors) == 1
    assert errors[0].startswith("::error title=edgespark notes-app%3A storage-apply failed::")
    assert fake_cli.api_key not in result.stdout + result.stderr
    summary = Path(env["GITHUB_STEP_SUMMARY"]).read_text()
    assert ": failed in" in summary
    assert "| storage-apply | run | " in summary and "| failed |" in summary
    assert ":::st_failed" in summary and ":::st_not_run" in summary
    assert "| deploy | run | first run for the default environment | not-run | - |" in summary
    assert fake_cli.api_key not in summary


def test_a_failed_gate_is_annotated(edgespark_project: Any, fake_cli: FakeCli) -> None:
    repo = edgespark_project()
    fake_cli.respond("pull types", exit=1, stdout="Types are stale\n")
    stale = tool(repo, fake_cli, "run", "types-check", GITHUB_ACTIONS="true", CI="true")
    assert stale.returncode == 1
    assert [ln for ln in stale.stdout.splitlines() if ln.startswith("::")] == [
        "::error title=edgespark notes-app%3A types-check failed::" + stale.stderr.split(
            "error: ", 1)[1].strip()]
    fake_cli.set(responses={})
    offline = tool(repo, fake_cli, "run", "types-check", GITHUB_ACTIONS="true", CI="true",
                   EDGESPARK_API_KEY="")
    assert offline.returncode == 3
    assert [ln.split("::")[1] for ln in offline.stdout.splitlines() if ln.startswith("::")] \
        == ["warning title=edgespark notes-app%3A types-check could not check"]


def test_no_summary_off_github(edgespark_project: Any, fake_cli: FakeCli) -> None:
    repo = edgespark_project()
    result = tool(repo, fake_cli, "run", "deploy")
    assert result.returncode == 0
    assert "::" not in result.stdout


@pytest.mark.parametrize("front", ["console", "inv"])
def test_plan_as_mermaid(edgespark_project: Any, fake_cli: FakeCli, front: str) -> None:
    repo = edgespark_project(files={"tasks.py": "from edgespark_tasks.invoke import ns\n"})
    unmigrated(repo)
    if front == "console":
        result = tool(repo, fake_cli, "plan", "--format", "mermaid")
    else:
        result = run_tool("inv", "plan", "--format", "mermaid", cwd=repo,
                          env=fake_cli.environ())
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "flowchart LR"
    assert ('    s_db_generate["db generate<br/>run<br/>db_schema.ts changed without a '
            'migration"]:::st_run') in lines
    assert any(ln.startswith('    s_log_tail["log tail<br/>skip') for ln in lines)
    assert "    classDef st_skip fill:#eaeef2,color:#57606a,stroke:#57606a," \
           "stroke-dasharray:5 3" in lines
    assert fake_cli.calls() == []  # a picture runs nothing
