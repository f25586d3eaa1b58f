"""Project discovery, layouts, monorepos and settings precedence."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from edgespark_tasks.errors import ProjectError, SettingsError
from edgespark_tasks.project.discovery import find_project_root, find_projects
from edgespark_tasks.project.model import load_project
from edgespark_tasks.project.settings import load_settings
from edgespark_tasks.testing import commit_all, init_repo, write_project_into


def test_full_stack_layout(edgespark_project) -> None:  # type: ignore[no-untyped-def]
    root = edgespark_project()
    project = load_project(find_project_root(root / "server" / "src" / "defs"))
    assert project.root == root.resolve()
    assert project.layout == "full-stack"
    assert project.db_schema == root.resolve() / "server/src/defs/db_schema.ts"
    assert project.journal.is_file() and project.schema_hash_file.is_file()
    assert project.generated_dir == root.resolve() / "server/src/__generated__"
    assert project.auth_config == root.resolve() / "configs/auth-config.yaml"
    assert project.web_dir == root.resolve() / "web"
    assert project.migration_branch == "main"
    assert [p.name for p in project.migrations()] == ["0000_init_notes.sql", "0001_add_tags.sql"]


def test_server_only_layout(edgespark_project) -> None:  # type: ignore[no-untyped-def]
    root = edgespark_project(layout="server-only")
    project = load_project(find_project_root(root / "src"))
    assert project.layout == "server-only"
    assert project.server_dir == root.resolve()
    assert project.db_schema == root.resolve() / "src/defs/db_schema.ts"
    assert project.drizzle_dir == root.resolve() / "drizzle"
    assert project.web_dir is None
    assert all(p.is_file() for p in project.defs_files)


def test_path_overrides(edgespark_project) -> None:  # type: ignore[no-untyped-def]
    root = edgespark_project()
    project = load_project(root, {"auth_config": "server/configs/auth-config.yaml",
                                  "vars_file": "deploy/{environment}.vars.yaml"})
    assert project.auth_config == root.resolve() / "server/configs/auth-config.yaml"
    assert project.vars_file("staging") == root.resolve() / "deploy/staging.vars.yaml"


def test_monorepo_lists_projects_and_keeps_nested_toml_with_its_owner(tmp_path: Path) -> None:
    repo = tmp_path / "mono"
    write_project_into(repo / "apps/shop")
    write_project_into(repo / "apps/blog", layout="server-only")
    # A stray edgespark.toml inside shop's server folder belongs to shop.
    (repo / "apps/shop/server/edgespark.toml").write_text('project_id = "x"\n')
    init_repo(repo)
    roots = find_projects(repo)
    assert [r.relative_to(repo.resolve()).as_posix() for r in roots] == ["apps/blog", "apps/shop"]
    assert find_project_root(repo / "apps/shop/server/src") == (repo / "apps/shop").resolve()
    assert [r.name for r in find_projects(repo, ["apps/shop"])] == ["shop"]


def test_untracked_projects_are_found_but_ignored_ones_are_not(tmp_path: Path) -> None:
    repo = tmp_path / "mono"
    write_project_into(repo / "a")
    (repo / ".gitignore").write_text("vendor/\n")
    write_project_into(repo / "vendor/b")
    init_repo(repo)
    commit_all(repo, "x")
    assert [r.name for r in find_projects(repo)] == ["a"]


def test_no_project_and_malformed_toml(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match=r"no edgespark\.toml found"):
        find_project_root(tmp_path)
    (tmp_path / "edgespark.toml").write_text("project_id = [unclosed\n")
    with pytest.raises(ProjectError, match="not valid TOML"):
        load_project(tmp_path)


def test_settings_precedence(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text(
        '[tool.edgespark-tasks]\nenvironment = "from-pyproject"\ntimeout = 5\n'
        'offline = "warn"\n[tool.edgespark-tasks.timeouts]\ndeploy = 900\n'
        '[tool.edgespark-tasks.smoke]\nchecks = ["/api/health", {path = "/", status = 301}]\n')
    base = load_settings(tmp_path, environ={})
    assert base.environment == "from-pyproject" and base.timeout == 5
    assert base.step_timeout("deploy") == 900 and base.step_timeout("pull") == 5
    assert [c.status for c in base.smoke_checks] == [200, 301]
    assert base.sources["environment"] == "pyproject.toml [tool.edgespark-tasks]"
    tool = load_settings(tmp_path, tool_config={"environment": "from-invoke"}, environ={})
    assert tool.environment == "from-invoke"
    env = load_settings(tmp_path, tool_config={"environment": "from-invoke"},
                        environ={"EDGESPARK_TASKS_ENVIRONMENT": "from-env",
                                 "EDGESPARK_CLI": "npx @edgespark/cli --verbose"})
    assert env.environment == "from-env" and env.sources["environment"] == (
        "EDGESPARK_TASKS_ENVIRONMENT")
    assert env.cli == ("npx", "@edgespark/cli", "--verbose")
    flag = load_settings(tmp_path, environ={"EDGESPARK_TASKS_ENVIRONMENT": "from-env"},
                         flags={"environment": "from-flag", "cli": None})
    assert flag.environment == "from-flag" and flag.sources["environment"] == "flag"
    assert flag.offline == "warn"


@pytest.mark.parametrize(("toml", "message"), [
    ('enviroment = "x"', "unknown setting 'enviroment'"),
    ("timeout = \"soon\"", "setting 'timeout': expected a number of seconds"),
    ('offline = "maybe"', "setting 'offline': expected one of auto, warn, fail"),
    ('plugins = "a.py"\n[tool.edgespark-tasks.paths]\nauth = "x"', "unknown path key 'auth'"),
    ('[tool.edgespark-tasks.runtime_key_wrappers]\noptionalSecret = "secrets"',
     "expected \"var\" or \"secret\""),
])
def test_settings_errors_name_the_key(tmp_path: Path, toml: str, message: str) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text(f"[tool.edgespark-tasks]\n{toml}\n")
    with pytest.raises(SettingsError, match=re.escape(message)):
        load_settings(tmp_path, environ={})


def test_env_var_with_wrong_type_names_the_variable(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="EDGESPARK_TASKS_LOCK_TIMEOUT"):
        load_settings(tmp_path, environ={"EDGESPARK_TASKS_LOCK_TIMEOUT": "-1"})


def test_project_settings_and_steps_pickle(edgespark_project) -> None:  # type: ignore[no-untyped-def]
    """What doit's process mode (and anyone spawning workers) may send to another process:
    the value types round-trip through pickle, defaults included."""
    import pickle

    from edgespark_tasks.engine.context import RunOptions
    from edgespark_tasks.engine.steps import CATALOGUE
    from edgespark_tasks.project.settings import Settings

    root = edgespark_project()
    values = [load_project(root), load_settings(root, flags={"timeouts": {"deploy": 5}}),
              Settings(), RunOptions(only=("deploy",)), *CATALOGUE]
    for value in values:
        assert pickle.loads(pickle.dumps(value)) == value
