"""Deploy inputs are what the CLI builds and uploads; repository tooling never deploys.
And environments: say which one the CLI will use; a typo fails before anything runs."""

from __future__ import annotations

from pathlib import Path

from conftest import run_tool

from edgespark_tasks import errors
from edgespark_tasks.project.model import load_project
from edgespark_tasks.project.sources import default_rules, glob_regex
from edgespark_tasks.testing import FakeCli, commit_all

TOOLING = ("tasks.py", "dodo.py", ".pre-commit-config.yaml", "pyproject.toml", "README.md",
           "server/README.md", "web/CHANGELOG.md", ".github/workflows/ci.yml",
           ".gitlab-ci.yml", "examples/demo/index.ts", "server/src/dev/seed.ts",
           "web/dist/index.js", "server/dist/bundle.js", "configs/vars.yaml",
           "configs/vars.staging.yaml")
SHIPPED = ("server/src/index.ts", "server/src/routes/notes.ts", "server/package.json",
           "server/package-lock.json", "server/tsconfig.json", "server/tsconfig.build.json",
           "web/src/main.ts", "web/index.html", "web/package.json", "edgespark.toml",
           "configs/auth-config.yaml")


def inv(repo: Path, fake: FakeCli, *args: str) -> str:
    result = run_tool("inv", *args, cwd=repo, env=fake.environ())
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def deploy_line(plan: str) -> str:
    return next(li for li in plan.splitlines() if li.lstrip().startswith("[9/11] deploy "))


def test_default_rules_ship_the_build_inputs_only(edgespark_project) -> None:  # type: ignore[no-untyped-def]
    rules = default_rules(load_project(edgespark_project()))
    assert [p for p in SHIPPED if not rules.matches(p)] == []
    assert [p for p in TOOLING if rules.matches(p)] == []
    server_only = default_rules(load_project(edgespark_project(layout="server-only",
                                                               name="solo")))
    assert server_only.matches("src/index.ts") and server_only.matches("package.json")
    assert not server_only.matches("tasks.py") and not server_only.matches("docs/guide.md")


def test_glob_regex() -> None:
    import re

    def match(pattern: str, path: str) -> bool:
        return bool(re.match(glob_regex(pattern), path))

    assert match("**/*.md", "README.md") and match("**/*.md", "a/b/c.md")
    assert match("src/**", "src/a/b.ts") and not match("src/**", "srcx/a.ts")
    assert match("tsconfig*.json", "tsconfig.build.json") and not match("*.json", "a/b.json")


def test_tooling_edits_do_not_deploy_and_plan_shows_the_list(tasks_repo: Path,
                                                             fake_cli: FakeCli) -> None:
    inv(tasks_repo, fake_cli, "deploy")
    for rel in TOOLING:
        path = tasks_repo / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text((path.read_text() if path.exists() else "") + "\n# edited\n")
    commit_all(tasks_repo, "tooling")
    plan = inv(tasks_repo, fake_cli, "plan")
    assert " skip " in deploy_line(plan), plan
    assert "deploy inputs: server/src/**, server/package.json" in plan
    assert "never deploy inputs: **/*.md" in plan and ".pre-commit-config.yaml" in plan
    (tasks_repo / "server/tsconfig.json").write_text("{}\n")
    assert "tsconfig.json changed" in deploy_line(inv(tasks_repo, fake_cli, "plan"))


def test_deploy_inputs_are_configurable(tasks_repo: Path, fake_cli: FakeCli) -> None:
    inv(tasks_repo, fake_cli, "deploy")
    (tasks_repo / "pyproject.toml").write_text(
        '[tool.edgespark-tasks]\ndeploy_inputs = ["server/src/**", "edgespark.toml"]\n'
        'deploy_ignore = ["server/src/**/*.test.ts"]\n')
    (tasks_repo / "server/src/notes.test.ts").write_text("// a test\n")
    commit_all(tasks_repo, "settings")
    plan = inv(tasks_repo, fake_cli, "plan")
    assert "deploy inputs: server/src/**, edgespark.toml" in plan
    assert "never deploy inputs: server/src/**/*.test.ts" in plan
    # The input list changed (web and auth config left it): deploy runs once for that.
    assert " run " in deploy_line(plan)


def test_environment_typo_fails_before_anything_runs(tasks_repo: Path,
                                                     fake_cli: FakeCli) -> None:
    (tasks_repo / "pyproject.toml").write_text(
        '[tool.edgespark-tasks]\nenvironments = ["staging", "production"]\n')
    for tool, args in (("inv", ["deploy", "-e", "prod"]),
                       ("edgespark-tasks", ["run", "deploy", "-e", "prod"]),
                       ("doit", ["environment=prod"])):
        (tasks_repo / "dodo.py").write_text("from edgespark_tasks.doit import *\n")
        result = run_tool(tool, *args, cwd=tasks_repo, env=fake_cli.environ())
        assert result.returncode != 0, tool
        out = result.stdout + result.stderr
        assert "unknown environment 'prod'" in out and "staging, production" in out, out
        assert "Traceback" not in out
    assert run_tool("inv", "deploy", "-e", "prod", cwd=tasks_repo,
                    env=fake_cli.environ()).returncode == errors.BAD_INPUT
    assert fake_cli.calls() == []
    ok = run_tool("inv", "plan", "-e", "production", cwd=tasks_repo, env=fake_cli.environ())
    assert ok.returncode == 0 and "Plan for notes-app (production)" in ok.stdout


def test_without_environment_say_what_the_cli_uses(edgespark_project,  # type: ignore[no-untyped-def]
                                                   fake_cli: FakeCli) -> None:
    repo = edgespark_project(layout="server-only",  # the only layout 0.0.9 serves
                             files={"tasks.py": "from edgespark_tasks.invoke import ns\n"})
    fake_cli.set(version="0.0.9")
    run_tool("edgespark-tasks", "doctor", cwd=repo, env=fake_cli.environ())
    first = inv(repo, fake_cli, "plan", "--skip", "storage-apply").splitlines()[0]
    assert ("no --environment: edgespark 0.0.9 uses staging for `deploy`, development for "
            "`pull`") in first
