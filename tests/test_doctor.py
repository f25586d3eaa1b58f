"""`edgespark-tasks doctor` as a person runs it: a subprocess in a project (or monorepo)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

from realcli_fixtures import VENV_BIN, clean_environ, require_real_cli

from edgespark_tasks.testing import FakeCli, init_repo
from edgespark_tasks.testing.projects import git, write_project

ProjectFactory = Callable[..., Path]


def doctor(cwd: Path, env: dict[str, str], *args: str,
           after: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    """Run `edgespark-tasks ARGS doctor AFTER` in `cwd`."""
    return subprocess.run([str(VENV_BIN / "edgespark-tasks"), *args, "doctor", *after], cwd=cwd,
                          env=env, capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL)


def no_cli_path(tmp_path: Path) -> str:
    """A PATH holding git and python but no `edgespark`."""
    folder = tmp_path / "bin-no-edgespark"
    folder.mkdir()
    for tool in ("git", "node"):
        found = shutil.which(tool)
        if found:
            (folder / tool).symlink_to(found)
    return os.pathsep.join([str(VENV_BIN), str(folder)])


def test_no_cli(edgespark_project: ProjectFactory, tmp_path: Path) -> None:
    root = edgespark_project()
    env = clean_environ(PATH=no_cli_path(tmp_path), EDGESPARK_API_KEY="esk_live_doctor_0123456")
    result = doctor(root, env)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "the edgespark CLI was not found" in result.stdout
    assert "npm install -g @edgespark/cli" in result.stdout  # what to install
    assert "problem(s) block the pipeline" in result.stdout
    assert "esk_live_doctor_0123456" not in result.stdout + result.stderr


def test_real_0_0_9_cli(edgespark_project: ProjectFactory) -> None:
    cli = require_real_cli()
    root = edgespark_project(layout="server-only")
    key = "esk_live_doctor_real_987654"
    result = doctor(root, clean_environ(EDGESPARK_CLI=str(cli), EDGESPARK_API_KEY=key))
    out = result.stdout
    assert f"edgespark 0.0.9: {cli}" in out
    assert "(server-only, server at the root, project_id 5ba6c784...)" in out
    for step in ("db-generate", "db-migrate", "storage-apply", "auth-apply", "vars-apply"):
        line = next(li for li in out.splitlines() if f" {step} " in li and "warn" in li)
        assert "not available in edgespark 0.0.9" in line
    for step in ("pull-types", "deploy-dry-run", "secrets-check", "log-tail"):
        assert next(li for li in out.splitlines() if f" {step} " in li).lstrip().startswith("ok")
    # The pipeline would stop on the steps it needs but 0.0.9 lacks; doctor says so and how.
    assert result.returncode == 1
    assert "inv deploy needs db-migrate" in out and "--skip db-migrate" in out
    assert "EDGESPARK_API_KEY is set (value not shown)" in out
    assert key not in out + result.stderr


def test_fake_full_cli(edgespark_project: ProjectFactory, fake_cli: FakeCli) -> None:
    root = edgespark_project(files={
        "pyproject.toml": "[tool.edgespark-tasks]\ntimeout = 99\n",
    })
    fake_cli.set(version="1.4.2")
    result = doctor(root, clean_environ(**fake_cli.env), "--environment", "production")
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    assert f"edgespark 1.4.2: {fake_cli.executable} (EDGESPARK_CLI)" in out
    assert "not available" not in out
    assert "notes-app at . (full-stack, server in server/, project_id" in out
    assert re.search(r"^ +timeout +99\.0  \(pyproject\.toml \[tool\.edgespark-tasks\]\)$", out, re.M)
    assert re.search(r"^ +environment +production  \(flag\)$", out, re.M)
    assert "edgespark_tasks.engine.builtin.db_steps 0.1.0 (built-in): edgespark_db_generate" in out
    assert "nothing blocks the pipeline" in out
    assert fake_cli.api_key not in out + result.stderr
    assert fake_cli.calls() == []  # only --version/--help: nothing recorded, nothing ran


def test_no_api_key(edgespark_project: ProjectFactory, fake_cli: FakeCli) -> None:
    root = edgespark_project()
    env = clean_environ(**{k: v for k, v in fake_cli.env.items() if k != "EDGESPARK_API_KEY"})
    result = doctor(root, env)
    assert result.returncode == 1
    assert "FAIL  EDGESPARK_API_KEY is not set" in result.stdout
    assert "- EDGESPARK_API_KEY is not set" in result.stdout  # in the final list too


def test_two_projects_in_a_monorepo(tmp_path: Path, fake_cli: FakeCli) -> None:
    repo = tmp_path / "mono"
    write_project(repo / "apps" / "web", "full-stack")
    write_project(repo / "services" / "api", "server-only")
    init_repo(repo)
    result = doctor(repo, clean_environ(**fake_cli.env))
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    assert "notes-app at apps/web (full-stack" in out
    assert "notes-app at services/api (server-only" in out
    assert out.count("Pipeline (notes-app") == 2


def test_precommit_and_branch_checks(edgespark_project: ProjectFactory,
                                     fake_cli: FakeCli) -> None:
    root = edgespark_project(files={".pre-commit-config.yaml": (
        "repos:\n- repo: local\n  hooks:\n  - id: edgespark-schema-migrated\n"
        "    name: x\n    entry: edgespark-tasks-hook schema-migrated\n"
        "    language: system\n")})
    toml = (root / "edgespark.toml").read_text().replace('"main"', '"release"')
    (root / "edgespark.toml").write_text(toml)
    before = doctor(root, clean_environ(**fake_cli.env)).stdout
    assert "the git pre-commit hook is not installed: run `pre-commit install`" in before
    assert ".pre-commit-config.yaml runs edgespark hooks" in before
    assert "migration_branch = 'release' but the git default branch is 'main'" in before
    subprocess.run([str(VENV_BIN / "pre-commit"), "install"], cwd=root, check=True,
                   capture_output=True, env=clean_environ())
    git(root, "checkout", "-q", "-b", "feature")
    after = doctor(root, clean_environ(**fake_cli.env)).stdout
    assert "ok    git hook installed" in after
    assert "on branch 'feature'" in after


def test_explicit_project_that_is_not_one(tmp_path: Path, fake_cli: FakeCli) -> None:
    result = doctor(tmp_path, clean_environ(**fake_cli.env), "--project", str(tmp_path))
    assert result.returncode == 1
    assert "no edgespark.toml" in result.stdout


def test_placeholder_or_missing_project_id_blocks(edgespark_project: ProjectFactory,
                                                  fake_cli: FakeCli) -> None:
    root = edgespark_project()
    toml = root / "edgespark.toml"
    original = toml.read_text()
    for placeholder in ("REPLACED_ON_INIT", "your_edgespark_project_id",
                        "REPLACE_WITH_YOUR_PROJECT_ID"):
        toml.write_text(original.replace("5ba6c784-0498-4636-a51a-b3f35bc6927c", placeholder))
        result = doctor(root, clean_environ(**fake_cli.env))
        assert result.returncode == 1, result.stdout
        assert f"template placeholder {placeholder!r}" in result.stdout
        assert "- notes-app: project_id in edgespark.toml" in result.stdout  # in Result
    toml.write_text("\n".join(li for li in original.splitlines()
                              if not li.startswith("project_id")) + "\n")
    missing = doctor(root, clean_environ(**fake_cli.env))
    assert missing.returncode == 1 and "edgespark.toml has no project_id" in missing.stdout
    # The CLI reads EDGESPARK_PROJECT_ID first: then the file's id is not needed.
    from_env = doctor(root, clean_environ(**fake_cli.env, EDGESPARK_PROJECT_ID="5ba6c784-1"))
    assert from_env.returncode == 0, from_env.stdout


def test_server_only_means_no_web_app(edgespark_project: ProjectFactory,
                                      fake_cli: FakeCli) -> None:
    root = edgespark_project()
    toml = (root / "edgespark.toml").read_text().split("[web]")[0]
    (root / "edgespark.toml").write_text(toml)  # [server] only
    out = doctor(root, clean_environ(**fake_cli.env)).stdout
    assert "notes-app at . (server-only, server in server/" in out


def test_result_lists_preflight_errors_and_missing_steps(edgespark_project: ProjectFactory,
                                                         fake_cli: FakeCli) -> None:
    root = edgespark_project(files={"server/src/leak.ts": (
        'import { vars } from "edgespark";\nexport const x = () => vars.get("NOT_DECLARED");\n')})
    fake_cli.set(missing=["storage apply"])
    result = doctor(root, clean_environ(**fake_cli.env))
    out = result.stdout
    assert result.returncode == 1, out
    result_section = out.split("\nResult\n", 1)[1]
    assert "the deploy preflight finds 1 problem(s)" in result_section
    assert "NOT_DECLARED" in out.split("\nResult\n", 1)[0]  # the finding itself, above
    assert "inv deploy needs storage-apply" in result_section


def test_json_output(edgespark_project: ProjectFactory, fake_cli: FakeCli) -> None:
    import json

    root = edgespark_project()
    env = clean_environ(**{k: v for k, v in fake_cli.env.items() if k != "EDGESPARK_API_KEY"})
    result = doctor(root, env, after=("--json",))  # to stdout
    data = json.loads(result.stdout)
    assert result.returncode == 1 and data["exit_code"] == 1 and data["ok"] is False
    assert data["api_key_set"] is False
    assert any("EDGESPARK_API_KEY is not set" in b for b in data["blockers"])
    assert data["projects"][0]["layout"] == "full-stack"
    assert data["cli"]["version"] and data["steps"]["deploy"] is True
    assert "Projects" in result.stderr  # the human report moved to stderr
    written = root / "doctor.json"
    doctor(root, clean_environ(**fake_cli.env), after=("--json", str(written)))
    assert json.loads(written.read_text())["ok"] is True
