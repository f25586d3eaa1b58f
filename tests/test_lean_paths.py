"""Gates and single steps load only what they use; `import edgespark_tasks.doit` discovers
nothing. Real processes: the hook, invoke's Program and doit, with the fake CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import run_tool

from edgespark_tasks.testing import FakeCli

# Modules a gate has no use for: the pipeline and its report, plan, state (and its file
# lock), YAML, SQL parsing, pluggy and its scan of every installed package's entry points.
HEAVY = ("edgespark_tasks.engine.pipeline", "edgespark_tasks.engine.report",
         "edgespark_tasks.engine.plan", "edgespark_tasks.engine.state",
         "edgespark_tasks.engine.session", "filelock", "yaml", "pluggy", "sqlparse",
         "importlib.metadata")
# What no hook or gate process loads at all (edgespark_tasks/__init__.py says why): dataclasses
# and the inspect module it imports, and OpenSSL through hashlib.
STARTUP = ("dataclasses", "inspect", "_hashlib")


def loaded_after(code: str, cwd: Path, env: dict[str, str]) -> dict[str, object]:
    """Run `code` in a fresh interpreter; the modules it loaded, and what it printed."""
    script = (f"{code}\nimport json, sys\n"
              "print(json.dumps(sorted(sys.modules)))\n")
    result = subprocess.run([sys.executable, "-c", script], cwd=cwd, env=env,
                            capture_output=True, text=True, timeout=60)
    *printed, modules = result.stdout.splitlines()
    return {"modules": set(json.loads(modules)), "out": "\n".join(printed) + result.stderr,
            "code": result.returncode}


def test_gate_hook_loads_no_pipeline(edgespark_project, fake_cli: FakeCli) -> None:  # type: ignore[no-untyped-def]
    repo = edgespark_project()
    seen = loaded_after("from edgespark_tasks import precommit\n"
                        "code = precommit.main(['types-check'])\n"
                        "assert code == 0, code", repo, fake_cli.environ())
    assert seen["code"] == 0, seen["out"]
    assert "types-check (notes-app): passed" in str(seen["out"])
    assert fake_cli.commands() == ["pull types --check"]
    assert not [m for m in (*HEAVY, *STARTUP) if m in seen["modules"]]  # type: ignore[operator]


def test_every_offline_hook_skips_the_startup_costs(edgespark_project) -> None:  # type: ignore[no-untyped-def]
    """Each check on a cold cache (the tokenizer and every parser run) and `offline`.
    (schema-migrated needs SHA-256, EdgeSpark's schema hash, so hashlib may load here.)"""
    repo = edgespark_project()
    env = {**__import__("os").environ, "EDGESPARK_TASKS_NO_CACHE": "1"}
    seen = loaded_after("from edgespark_tasks import precommit\n"
                        "from edgespark_tasks.checks import CHECK_IDS\n"
                        "codes = [precommit.main([c]) for c in (*CHECK_IDS, 'offline')]\n"
                        "print(codes)", repo, env)
    assert seen["code"] == 0, seen["out"]
    assert str(seen["out"]).split("\n")[0] == str([0] * 7)
    assert "edgespark_tasks.checks.jstokens" in seen["modules"]  # type: ignore[operator]
    assert not [m for m in STARTUP[:2] if m in seen["modules"]]  # type: ignore[operator]


def test_inv_gate_loads_no_pipeline(tasks_repo: Path, fake_cli: FakeCli) -> None:
    seen = loaded_after("from invoke import Program\n"
                        "Program().run(['inv', 'pull.types', '--check'], exit=False)",
                        tasks_repo, fake_cli.environ())
    assert seen["code"] == 0, seen["out"]
    assert fake_cli.commands() == ["pull types --check"]
    own = [m for m in HEAVY if m not in ("yaml", "importlib.metadata")]  # invoke loads these
    assert not [m for m in own if m in seen["modules"]]  # type: ignore[operator]


def test_deploy_and_its_plan_create_no_dataclass_of_ours(tasks_repo: Path,
                                                          fake_cli: FakeCli) -> None:
    """`inv deploy` (a real run, then a no-op) defines its records without dataclasses:
    invoke loads the module anyway, but each class would cost its creation."""
    seen = loaded_after("import dataclasses\n"
                        "made = []\n"
                        "real = dataclasses.dataclass\n"
                        "def spy(cls=None, /, **kw):\n"
                        "    def wrap(c):\n"
                        "        made.append(c.__module__)\n"
                        "        return real(c, **kw)\n"
                        "    return wrap if cls is None else wrap(cls)\n"
                        "dataclasses.dataclass = spy\n"
                        "from invoke import Program\n"
                        "for _ in range(2):\n"
                        "    Program().run(['inv', 'deploy'], exit=False)\n"
                        "print('OURS', sorted({m for m in made if m.startswith('edgespark')}))",
                        tasks_repo, fake_cli.environ())
    assert seen["code"] == 0, seen["out"]
    assert "deploy" in fake_cli.commands()
    assert "OURS []" in str(seen["out"]), seen["out"]


def test_installed_plugin_still_wraps_the_gate(edgespark_project, fake_cli: FakeCli,  # type: ignore[no-untyped-def]
                                              tmp_path: Path) -> None:
    """An installed entry point means a plugin could override the gate: the full path runs."""
    site = tmp_path / "site"
    (site / "gateplug-1.0.dist-info").mkdir(parents=True)
    (site / "gateplug-1.0.dist-info/METADATA").write_text(
        "Metadata-Version: 2.1\nName: gateplug\nVersion: 1.0\n")
    (site / "gateplug-1.0.dist-info/entry_points.txt").write_text(
        "[edgespark_tasks]\ngateplug = gateplug\n")
    (site / "gateplug.py").write_text(
        "from edgespark_tasks.engine.hookspecs import hookimpl\n\n"
        "@hookimpl(wrapper=True)\n"
        "def edgespark_types_check(ctx):\n"
        "    ctx.say('PLUGIN SAW THE GATE')\n"
        "    return (yield)\n")
    repo = edgespark_project()
    result = run_tool("edgespark-tasks-hook", "types-check", cwd=repo,
                      env=fake_cli.environ(PYTHONPATH=str(site)))
    assert result.returncode == 0, result.stderr
    assert "PLUGIN SAW THE GATE" in result.stdout
    assert fake_cli.commands() == ["pull types --check"]


def test_importing_the_doit_module_discovers_nothing(tmp_path: Path) -> None:
    """Not even a project is needed to import it: discovery waits for doit to ask."""
    seen = loaded_after("import edgespark_tasks.doit as d\n"
                        "print(d.discover.cache_info().currsize)\n"
                        "print(isinstance(d.DOIT_CONFIG, dict))", tmp_path,
                        {k: v for k, v in __import__("os").environ.items()})
    assert seen["code"] == 0, seen["out"]
    assert str(seen["out"]).split()[:2] == ["0", "True"]


def test_dodo_extending_doit_config_still_works(edgespark_project, fake_cli: FakeCli) -> None:  # type: ignore[no-untyped-def]
    dodo = ("from edgespark_tasks.doit import *  # noqa: F403\n"
            "from edgespark_tasks.doit import DOIT_CONFIG\n\n"
            "def task_hello():\n    return {'actions': ['echo hello'], 'verbosity': 2}\n\n"
            "DOIT_CONFIG = {**DOIT_CONFIG,\n"
            "               'default_tasks': [*DOIT_CONFIG['default_tasks'], 'hello']}\n")
    repo = edgespark_project(files={"dodo.py": dodo})
    listed = run_tool("doit", "list", cwd=repo, env=fake_cli.environ())
    assert listed.returncode == 0, listed.stderr
    assert "edgespark" in listed.stdout and "hello" in listed.stdout
    ran = run_tool("doit", cwd=repo, env=fake_cli.environ())
    assert ran.returncode == 0, ran.stderr
    assert "hello" in ran.stdout and "deploy" in fake_cli.commands()


def test_hook_console_script_skips_needless_garbage_collection(edgespark_project) -> None:  # type: ignore[no-untyped-def]
    """The installed `edgespark-tasks-hook` runs `precommit.run`: a high collection threshold
    while it works, and the objects alive at the end frozen, so exit does not scan them."""
    repo = edgespark_project()
    seen = loaded_after("import gc\n"
                        "from edgespark_tasks import precommit\n"
                        "code = precommit.run(['schema-migrated'])\n"
                        "print(code, gc.get_threshold()[0], gc.get_freeze_count() > 1000)",
                        repo, dict(__import__("os").environ))
    assert seen["code"] == 0, seen["out"]
    assert str(seen["out"]).split("\n")[0] == "0 100000 True"
    scripts = Path(sys.executable).parent / "edgespark-tasks-hook"
    assert "from edgespark_tasks.precommit import run" in scripts.read_text()
