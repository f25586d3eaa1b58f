"""`inv deploy`, tried as a new user would: the real `inv` in temporary git repos, fake CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run_tool

from edgespark_tasks.testing import FakeCli, commit_all, rehash_schema

FIRST_RUN = [
    "db migrate", "storage apply",
    "var set PUBLIC_APP_NAME=Notes GOOGLE_CLIENT_ID=1234567890-notesapp.apps.googleusercontent.com"
    " MAX_NOTES_PER_USER=500",
    "secret list", "auth apply", "pull types", "deploy --dry-run", "deploy",
]
DEPLOY_TAIL = ["deploy --dry-run", "deploy"]


def inv(repo: Path, fake: FakeCli, *args: str, **env: str):  # type: ignore[no-untyped-def]
    return run_tool("inv", *args, cwd=repo, env=fake.environ(**env))


def deployed(repo: Path, fake: FakeCli) -> None:
    """A first full deploy, recorded; the fake's call log is cleared afterwards."""
    result = inv(repo, fake, "deploy")
    assert result.returncode == 0, result.stdout + result.stderr
    assert fake.commands() == FIRST_RUN
    commit_all(repo, "after first deploy")
    fake.clear()


def edit(path: Path, extra: str = "\n// edited\n") -> None:
    path.write_text(path.read_text() + extra)


S = "server/src/defs/"
CASES = {
    "db_relations": (S + "db_relations.ts", ["secret list", "pull types", *DEPLOY_TAIL]),
    "storage_schema": (S + "storage_schema.ts",
                       ["storage apply", "secret list", "pull types", *DEPLOY_TAIL]),
    "runtime": (S + "runtime.ts", ["secret list", "pull types", *DEPLOY_TAIL]),
    "auth_config": ("configs/auth-config.yaml", ["secret list", "auth apply", *DEPLOY_TAIL]),
    "app_code": ("server/src/index.ts", ["secret list", *DEPLOY_TAIL]),
    "web_code": ("web/src/main.ts", ["secret list", *DEPLOY_TAIL]),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_single_file_change_runs_exactly_its_steps(tasks_repo: Path, fake_cli: FakeCli,
                                                   case: str) -> None:
    deployed(tasks_repo, fake_cli)
    rel, expected = CASES[case]
    extra = "\n# edited\n" if rel.endswith(".yaml") else "\n// edited\n"
    edit(tasks_repo / rel, extra)
    result = inv(tasks_repo, fake_cli, "deploy")
    assert result.returncode == 0, result.stdout + result.stderr
    assert fake_cli.commands() == expected
    assert f"({Path(rel).name} changed)" in result.stdout


def test_vars_change_sets_only_the_changed_key(tasks_repo: Path, fake_cli: FakeCli) -> None:
    deployed(tasks_repo, fake_cli)
    vars_file = tasks_repo / "configs/vars.yaml"
    vars_file.write_text(vars_file.read_text().replace('"500"', '"750"'))
    result = inv(tasks_repo, fake_cli, "deploy")
    assert result.returncode == 0, result.stderr
    assert fake_cli.commands() == ["var set MAX_NOTES_PER_USER=750"]


def test_schema_change_generates_then_migrates_with_yes(tasks_repo: Path,
                                                        fake_cli: FakeCli) -> None:
    deployed(tasks_repo, fake_cli)
    edit(tasks_repo / S / "db_schema.ts", '\nexport const extra = 1;\n')
    result = inv(tasks_repo, fake_cli, "deploy", "--yes")
    assert result.returncode == 0, result.stdout + result.stderr
    assert fake_cli.commands() == ["db generate", "db migrate", "secret list", "pull types",
                                   *DEPLOY_TAIL]
    assert "--- new migration server/drizzle/0002_auto_migration.sql ---" in result.stdout


def test_schema_change_without_terminal_fails_with_the_fix(tasks_repo: Path,
                                                          fake_cli: FakeCli) -> None:
    deployed(tasks_repo, fake_cli)
    edit(tasks_repo / S / "db_schema.ts", '\nexport const extra = 1;\n')
    result = inv(tasks_repo, fake_cli, "deploy")
    assert result.returncode != 0
    assert "schema changed without a migration: run `inv db.generate`" in result.stderr
    assert "Traceback" not in result.stderr
    assert fake_cli.commands() == []
    ci = inv(tasks_repo, fake_cli, "deploy", "--yes", CI="true")
    assert ci.returncode != 0 and "CI never generates" in ci.stderr
    assert fake_cli.commands() == []


def test_destructive_migration_needs_confirm_dangerous(tasks_repo: Path,
                                                       fake_cli: FakeCli) -> None:
    deployed(tasks_repo, fake_cli)
    fake_cli.set(generate_sql="DROP TABLE `tags`;")
    schema = tasks_repo / S / "db_schema.ts"
    schema.write_text(schema.read_text().split("export const tags")[0])
    refused = inv(tasks_repo, fake_cli, "deploy", "--yes")
    assert refused.returncode != 0
    assert "0002_auto_migration.sql is destructive (DROP TABLE)" in refused.stderr
    assert "--confirm-dangerous" in refused.stderr
    assert fake_cli.commands() == ["db generate"]
    fake_cli.clear()
    allowed = inv(tasks_repo, fake_cli, "deploy", "--confirm-dangerous")
    assert allowed.returncode == 0, allowed.stderr
    assert fake_cli.commands()[0] == "db migrate --confirm-dangerous"


def test_no_change_runs_no_cli_command(tasks_repo: Path, fake_cli: FakeCli) -> None:
    deployed(tasks_repo, fake_cli)
    (tasks_repo / S / "storage_schema.ts").touch()  # same content, new mtime
    (tasks_repo / ".edgespark-tasks/cli-info.json").unlink()  # not even a --version probe
    result = inv(tasks_repo, fake_cli, "deploy")
    assert result.returncode == 0
    assert fake_cli.commands() == [] and fake_cli.probes() == []
    assert "deploy: skip (unchanged since the last success)" in result.stdout


def test_failure_stops_and_the_rerun_resumes_from_the_failed_step(tasks_repo: Path,
                                                                  fake_cli: FakeCli) -> None:
    fake_cli.respond("storage apply", exit=6, stderr="Error: API error (503)\n", times=1)
    failed = inv(tasks_repo, fake_cli, "deploy", "--json", "report.json")
    assert failed.returncode == 6
    assert fake_cli.commands() == ["db migrate", "storage apply"]
    assert "edgespark storage apply failed (exit 6, network)" in failed.stderr
    assert "the next run resumes from storage-apply" in failed.stdout
    report = json.loads((tasks_repo / "report.json").read_text())
    row = next(r for r in report["steps"] if r["id"] == "storage-apply")
    assert (row["status"], row["exit_code"], row["exit_class"]) == ("failed", 6, "network")
    assert report["result"] == "failed"
    fake_cli.clear()
    again = inv(tasks_repo, fake_cli, "deploy")
    assert again.returncode == 0, again.stderr
    assert fake_cli.commands() == FIRST_RUN[1:]  # db migrate is not run again


def test_staging_does_not_mark_production_done(tasks_repo: Path, fake_cli: FakeCli) -> None:
    for name in ("staging", "production"):
        (tasks_repo / f"configs/vars.{name}.yaml").write_text("PUBLIC_APP_NAME: Notes\n")
    staging = inv(tasks_repo, fake_cli, "deploy", "--environment", "staging")
    assert staging.returncode == 0, staging.stderr
    assert {c["environment"] for c in fake_cli.calls() if c["command"] != "pull types"} == {
        "staging"}
    fake_cli.clear()
    assert inv(tasks_repo, fake_cli, "deploy", "--environment", "staging").returncode == 0
    assert fake_cli.commands() == []
    production = inv(tasks_repo, fake_cli, "deploy", "--environment", "production")
    assert production.returncode == 0
    assert "deploy" in fake_cli.commands() and "db migrate" in fake_cli.commands()
    assert {c["environment"] for c in fake_cli.calls()
            if c["command"] != "pull types"} == {"production"}


def test_dry_run_starts_no_cli_and_hides_the_api_key(tasks_repo: Path,
                                                     fake_cli: FakeCli) -> None:
    planted = "esk_live_PLANTED0123456789abcdefXYZ"
    result = inv(tasks_repo, fake_cli, "deploy", "--dry-run", EDGESPARK_API_KEY=planted,
                 EDGESPARK_CLI=f"{fake_cli.executable} --api-key {planted}")
    assert result.returncode == 0, result.stderr
    # No command runs; the CLI's help may be read once, so the plan matches a real run's.
    assert fake_cli.calls() == []
    for step in ("db generate", "db migrate", "storage apply", "vars apply", "secrets check",
                 "auth apply", "pull types", "deploy --dry-run", "deploy", "smoke check",
                 "log tail"):
        assert f"] {step} " in result.stdout
    assert "--api-key ***" in result.stdout
    assert "var set PUBLIC_APP_NAME=Notes GOOGLE_CLIENT_ID=" in result.stdout
    assert planted not in result.stdout + result.stderr
    real = inv(tasks_repo, fake_cli, "deploy", "--json", "r.json", EDGESPARK_API_KEY=planted)
    assert real.returncode == 0
    written = [p for p in tasks_repo.rglob("*") if p.is_file() and ".git" not in p.parts]
    assert all(planted.encode() not in p.read_bytes() for p in written)
    assert planted not in real.stdout + real.stderr


def test_dry_run_works_without_the_cli(tasks_repo: Path, fake_cli: FakeCli) -> None:
    env = fake_cli.environ(EDGESPARK_CLI="", PATH="/usr/bin:/bin")
    result = run_tool("inv", "deploy", "--dry-run", cwd=tasks_repo, env=env)
    assert result.returncode == 0, result.stderr
    assert "$ edgespark deploy --dry-run" in result.stdout
    missing = run_tool("inv", "deploy", cwd=tasks_repo, env=env)
    assert missing.returncode == 127
    assert "npm install -g @edgespark/cli" in missing.stderr
    assert "Traceback" not in missing.stderr


def test_only_and_skip(tasks_repo: Path, fake_cli: FakeCli) -> None:
    only = inv(tasks_repo, fake_cli, "deploy", "--only", "storage-apply")
    assert only.returncode == 0 and fake_cli.commands() == ["storage apply"]
    fake_cli.clear()
    skip = inv(tasks_repo, fake_cli, "deploy", "--skip", "db-migrate", "--skip", "vars-apply")
    assert skip.returncode == 0
    assert fake_cli.commands() == ["secret list", "auth apply", "pull types", *DEPLOY_TAIL]
    unknown = inv(tasks_repo, fake_cli, "deploy", "--only", "deploy-everything")
    assert unknown.returncode == 10 and "unknown step 'deploy-everything'" in unknown.stderr


def test_force_reruns_everything(tasks_repo: Path, fake_cli: FakeCli) -> None:
    deployed(tasks_repo, fake_cli)
    result = inv(tasks_repo, fake_cli, "deploy", "--force")
    assert result.returncode == 0
    assert fake_cli.commands() == FIRST_RUN


def test_sub_collection_beside_own_tasks(tasks_repo: Path, fake_cli: FakeCli) -> None:
    (tasks_repo / "tasks.py").write_text(
        "from invoke import Collection, task\n"
        "from edgespark_tasks.invoke import ns as edgespark_ns\n\n"
        "@task\ndef lint(c):\n    '''Our own lint.'''\n\n"
        "ns = Collection(lint)\nns.add_collection(edgespark_ns, 'es')\n")
    listing = inv(tasks_repo, fake_cli, "--list")
    assert listing.returncode == 0, listing.stderr
    for name in ("lint", "es.deploy", "es.db.generate", "es.pull.types", "es.secrets.set",
                 "es.log.tail", "es.storage.apply"):
        assert name in listing.stdout
    ran = inv(tasks_repo, fake_cli, "es.storage.apply")
    assert ran.returncode == 0 and fake_cli.commands() == ["storage apply"]


def test_help_text_for_every_flag(tasks_repo: Path, fake_cli: FakeCli) -> None:
    result = inv(tasks_repo, fake_cli, "--help", "deploy")
    assert result.returncode == 0
    for flag in ("--dry-run", "--force", "--only", "--skip", "--environment", "--yes",
                 "--confirm-dangerous", "--tail", "--json", "--project"):
        line = next(ln for ln in result.stdout.splitlines() if flag in ln)
        assert len(line.split(flag, 1)[1].strip()) > 10, line


def test_invoke_config_section_sets_environment(tasks_repo: Path, fake_cli: FakeCli) -> None:
    (tasks_repo / "invoke.yaml").write_text("edgespark:\n  environment: staging\n")
    result = inv(tasks_repo, fake_cli, "storage.apply")
    assert result.returncode == 0, result.stderr
    assert fake_cli.calls()[0]["environment"] == "staging"
    fake_cli.clear()
    flag = inv(tasks_repo, fake_cli, "storage.apply", "--environment", "production")
    assert flag.returncode == 0 and fake_cli.calls()[0]["environment"] == "production"


def test_rerun_after_schema_rehash_is_quiet(tasks_repo: Path, fake_cli: FakeCli) -> None:
    deployed(tasks_repo, fake_cli)
    rehash_schema(tasks_repo)
    result = inv(tasks_repo, fake_cli, "deploy")
    assert result.returncode == 0 and fake_cli.commands() == []


def test_preflight_stops_before_any_cli_call(tasks_repo: Path, fake_cli: FakeCli) -> None:
    index = tasks_repo / "server/src/index.ts"
    index.write_text(index.read_text().replace('secret.get("OPENAI_API_KEY")',
                                               'secret.get("OPENAI_KEY" as any)'))
    result = inv(tasks_repo, fake_cli, "deploy", "--json", "r.json")
    assert result.returncode == 11  # refused (errors.EXIT_CODES)
    assert "preflight: server/src/index.ts:" in result.stderr and "OPENAI_KEY" in result.stderr
    assert "preflight found 1 problem(s) before any change was made" in result.stderr
    assert fake_cli.commands() == []
    assert json.loads((tasks_repo / "r.json").read_text())["result"] == "failed"
    forced = inv(tasks_repo, fake_cli, "deploy", "--no-preflight")
    assert forced.returncode == 0 and "deploy" in fake_cli.commands()


def test_tail_streams_logs_for_n_seconds_after_deploy(tasks_repo: Path, fake_cli: FakeCli) -> None:
    import time

    started = time.monotonic()
    result = inv(tasks_repo, fake_cli, "deploy", "--tail", "1")
    assert result.returncode == 0, result.stderr
    assert time.monotonic() - started < 30
    assert fake_cli.commands()[-2:] == ["deploy", "log tail"]
    assert "[11/11] log tail (--tail 1)" in result.stdout
    assert "GET /api/notes 200" in result.stdout  # the stream reached the person


def test_skip_setting_in_pyproject(tasks_repo: Path, fake_cli: FakeCli) -> None:
    (tasks_repo / "pyproject.toml").write_text(
        '[tool.edgespark-tasks]\nskip = ["storage-apply", "auth-apply"]\n')
    result = inv(tasks_repo, fake_cli, "deploy")
    assert result.returncode == 0, result.stderr
    assert "storage apply" not in fake_cli.commands() and "auth apply" not in fake_cli.commands()
    assert "storage apply: skip (skipped by the `skip` setting)" in result.stdout
    (tasks_repo / "pyproject.toml").write_text('[tool.edgespark-tasks]\nskip = ["deploy-all"]\n')
    bad = inv(tasks_repo, fake_cli, "deploy")
    assert bad.returncode == 10 and "unknown step 'deploy-all'" in bad.stderr
