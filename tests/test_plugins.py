"""Plugins: override, wrap, observe and add steps; loading errors; documented hooks."""

from __future__ import annotations

from pathlib import Path

from conftest import REPO, run_tool

from edgespark_tasks.commands.listing import hook_functions
from edgespark_tasks.testing import FakeCli

PLUGIN = '''
from pathlib import Path
from edgespark_tasks.engine.context import StepResult
from edgespark_tasks.engine.hookspecs import hookimpl
from edgespark_tasks.engine.steps import Step

LOG = Path(__file__).parent / "plugin.log"

def log(line):
    with LOG.open("a") as handle:
        handle.write(line + "\\n")

@hookimpl
def edgespark_storage_apply(ctx):
    log("override storage-apply")
    return StepResult(output="buckets handled by our own tool")

@hookimpl(wrapper=True)
def edgespark_deploy(ctx):
    log("wrap before deploy")
    result = yield
    log("wrap after deploy url=" + result.data.get("url", "?"))
    return result

@hookimpl
def edgespark_before_step(ctx, step):
    log("before " + step.id)

@hookimpl
def edgespark_after_step(ctx, step, result, error):
    log("after " + step.id + (" ok" if error is None else " failed"))

@hookimpl
def edgespark_add_steps():
    return [Step(id="promote", title="deploy promote", help="Promote staging to production.",
                 argv=("deploy", "promote"), inputs=("app_sources",), after="deploy")]
'''


def plugin_repo(edgespark_project, extra: str = "") -> Path:  # type: ignore[no-untyped-def]
    return edgespark_project(files={
        "plugins/ours.py": PLUGIN + extra,
        "pyproject.toml": '[tool.edgespark-tasks]\nplugins = ["plugins/ours.py"]\n',
        "tasks.py": "from edgespark_tasks.invoke import ns\n",
    })


def test_override_wrap_observe_and_add(edgespark_project, fake_cli: FakeCli) -> None:  # type: ignore[no-untyped-def]
    repo = plugin_repo(edgespark_project)
    result = run_tool("inv", "deploy", cwd=repo, env=fake_cli.environ())
    assert result.returncode == 0, result.stdout + result.stderr
    commands = fake_cli.commands()
    assert "storage apply" not in commands  # overridden
    assert commands[-3:] == ["deploy --dry-run", "deploy", "deploy promote"]  # added, after deploy
    log = (repo / "plugins/plugin.log").read_text().splitlines()
    assert "override storage-apply" in log
    assert log.index("wrap before deploy") < log.index(
        "wrap after deploy url=https://notes-app.edgespark.app")
    assert log.index("before deploy") < log.index("after deploy ok") < log.index("before promote")
    assert "after promote ok" in log
    assert "[10/12] deploy promote (first run for the default environment)" in result.stdout


def test_added_step_in_every_listing(edgespark_project, fake_cli: FakeCli) -> None:  # type: ignore[no-untyped-def]
    repo = plugin_repo(edgespark_project)
    steps = run_tool("edgespark-tasks", "steps", cwd=repo, env=fake_cli.environ())
    assert "promote" in steps.stdout and "edgespark deploy promote" in steps.stdout
    listing = run_tool("inv", "--list", cwd=repo, env=fake_cli.environ())
    assert "promote" in listing.stdout
    ran = run_tool("edgespark-tasks", "run", "promote", cwd=repo, env=fake_cli.environ())
    assert ran.returncode == 0 and fake_cli.commands() == ["deploy promote"]


def test_failing_step_reaches_after_step_with_the_error(edgespark_project, fake_cli: FakeCli) -> None:  # type: ignore[no-untyped-def]
    repo = plugin_repo(edgespark_project)
    fake_cli.respond("db migrate", exit=6)
    result = run_tool("inv", "deploy", cwd=repo, env=fake_cli.environ())
    assert result.returncode == 6
    assert "after db-migrate failed" in (repo / "plugins/plugin.log").read_text()


def test_disable_list_blocks_a_plugin(edgespark_project, fake_cli: FakeCli) -> None:  # type: ignore[no-untyped-def]
    repo = plugin_repo(edgespark_project)
    env = fake_cli.environ(EDGESPARK_TASKS_DISABLE_PLUGINS="ours")
    result = run_tool("edgespark-tasks", "run", "storage-apply", cwd=repo, env=env)
    assert result.returncode == 0
    assert fake_cli.commands() == ["storage apply"]  # the built-in ran
    assert not (repo / "plugins/plugin.log").exists()


def test_plugin_loading_errors_are_one_line(edgespark_project, fake_cli: FakeCli) -> None:  # type: ignore[no-untyped-def]
    repo = edgespark_project(files={
        "pyproject.toml": '[tool.edgespark-tasks]\nplugins = ["plugins/missing.py"]\n'})
    missing = run_tool("edgespark-tasks", "plan", cwd=repo, env=fake_cli.environ())
    assert missing.returncode == 10
    assert missing.stderr.strip().count("\n") == 0
    assert "plugin file plugins/missing.py not found" in missing.stderr
    (repo / "plugins").mkdir()
    (repo / "plugins/typo.py").write_text(
        "from edgespark_tasks.engine.hookspecs import hookimpl\n\n"
        "@hookimpl\ndef edgespark_deplyo(ctx):\n    return None\n")
    (repo / "pyproject.toml").write_text('[tool.edgespark-tasks]\nplugins = ["plugins/typo.py"]\n')
    typo = run_tool("edgespark-tasks", "plan", cwd=repo, env=fake_cli.environ())
    assert typo.returncode == 10 and "edgespark_deplyo" in typo.stderr
    assert "Traceback" not in typo.stderr
    (repo / "pyproject.toml").write_text('[tool.edgespark-tasks]\nplugins = ["no_such_module"]\n')
    module = run_tool("edgespark-tasks", "plan", cwd=repo, env=fake_cli.environ())
    assert module.returncode == 10 and "plugin 'no_such_module' not found" in module.stderr


def test_every_hook_is_documented_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text()
    section = readme.split("## Plugin hooks", 1)[1].split("\n## ", 1)[0]
    for name, _signature, doc in hook_functions():
        assert f"`{name}" in section, f"{name} is missing from README's plugin section"
        assert doc, f"{name} has no docstring"


def test_hooks_command_lists_every_hookspec(tmp_path: Path) -> None:
    result = run_tool("edgespark-tasks", "hooks", cwd=tmp_path, env={"PATH": "/usr/bin"})
    assert result.returncode == 0
    names = [line.split("(", 1)[0] for line in result.stdout.splitlines()
             if line.startswith("edgespark_")]
    assert names == [name for name, _, _ in hook_functions()]
    assert "edgespark_db_generate(ctx: StepContext) -> StepResult | None" in result.stdout
