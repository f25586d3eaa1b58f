"""Fixtures for driving the real `@edgespark/cli@0.0.9` against the loopback stub API.

Import them into a test module: `from realcli_fixtures import *  # noqa: F403`.

The binary is installed by `.ci/install-node-cli` into `.npm/` (git-ignored). Without node or
without that install the tests skip with the reason, unless `CI` is set: then they fail.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from stub_api import StubApi

from edgespark_tasks.engine.context import is_ci
from edgespark_tasks.engine.steps import CATALOGUE
from edgespark_tasks.runner import capabilities

REPO = Path(__file__).resolve().parent.parent
NODE_MODULES = REPO / ".npm" / "node_modules"
REAL_CLI = NODE_MODULES / ".bin" / "edgespark"
VENV_BIN = Path(sys.executable).parent
API_KEY = "esk_live_stub_4f3e2d1c0b9a8f7e6d5c4b3a"
CLI_VERSION = "0.0.9"

# 0.0.9 bundles src/index.ts, which must export createApp; `@generated` is its barrel.
INDEX_TS = """import { Hono } from "hono";
import { tables } from "@generated";

export async function createApp(_edgespark: unknown): Promise<Hono> {
  const app = new Hono();
  app.get("/api/health", (c) => c.json({ ok: true, tables: Object.keys(tables).length }));
  return app;
}
"""
TSCONFIG = {
    "compilerOptions": {
        "target": "ES2022", "module": "ESNext", "moduleResolution": "Bundler", "strict": True,
        "skipLibCheck": True, "noEmit": True, "types": [],
        "paths": {"@generated": ["./src/__generated__/index.ts"],
                  "@sdk/server-types": ["./src/__generated__/server-types.d.ts"]},
    },
    "include": ["src"],
}
PROJECT_FILES = {
    "src/index.ts": INDEX_TS,
    "tsconfig.json": json.dumps(TSCONFIG, indent=2) + "\n",
    # `deploy` pulls the db schema only; the storage schema must already be there.
    "src/__generated__/storage_schema.ts": "export {};\n",
    "tasks.py": "from edgespark_tasks.invoke import ns  # noqa: F401\n",
    "pyproject.toml": ('[tool.edgespark-tasks]\nsmoke_checks = ["/api/health"]\n'
                       "smoke_deadline = 10\nsmoke_timeout = 5\n"),
    # `node_modules` without a slash: here it is a symlink, which `node_modules/` misses.
    ".gitignore": "node_modules\ndist/\n.edgespark/\n.edgespark-tasks/\n",
}


def require_real_cli() -> Path:
    """The installed 0.0.9 binary; skip (fail under CI) with the reason when it is missing."""
    problems = []
    if shutil.which("node") is None:
        problems.append("node is not installed (Node >= 18 is needed)")
    if not REAL_CLI.exists():
        problems.append(f"{REAL_CLI.relative_to(REPO)} is missing: run .ci/install-node-cli")
    if problems:
        message = "real EdgeSpark CLI unavailable: " + "; ".join(problems)
        if is_ci():
            pytest.fail(message + " (CI is set, so this fails instead of skipping)")
        pytest.skip(message)
    return REAL_CLI


@pytest.fixture(scope="session")
def real_cli_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The capability cache of the real binary, probed once per test session (~3 s)."""
    cli = require_real_cli()
    cache_dir = tmp_path_factory.mktemp("cli-info")
    info = capabilities.probe((str(cli),), cache_dir)
    for step in CATALOGUE:
        info.supports(step.argv)  # probes each command group once
    info._dirty = True
    capabilities.save(info, cache_dir)
    return cache_dir / "cli-info.json"


@pytest.fixture
def real_cli(real_cli_cache: Path) -> Path:
    """The real binary (its capability cache already warm)."""
    return REAL_CLI


def clean_environ(**extra: str) -> dict[str, str]:
    """os.environ without EdgeSpark variables, plus `extra`, with the venv first on PATH."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("EDGESPARK_")}
    env["NO_COLOR"] = "1"
    env.update(extra)
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"  # inv, doit, hooks
    return env


@pytest.fixture
def stub() -> Iterator[StubApi]:
    """A running stub API (requires the test key), stopped at teardown."""
    api = StubApi(api_key=API_KEY, lifetime=150.0).start()
    try:
        yield api
    finally:
        api.stop()


@dataclass
class RealProject:
    """A server-only project wired to the real CLI and a stub API."""

    root: Path
    env: dict[str, str]
    outputs: list[str] = field(default_factory=list)

    def run(self, *argv: str, timeout: float = 90,
            env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        """Run a command in the project (stdout and stderr captured as text)."""
        result = subprocess.run(list(argv), cwd=self.root, env=dict(env or self.env),
                                capture_output=True, text=True, timeout=timeout,
                                stdin=subprocess.DEVNULL)
        self.outputs.append(result.stdout + result.stderr)
        return result

    def inv(self, *args: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
        """`inv ARGS` in the project."""
        return self.run(str(VENV_BIN / "inv"), *args, **kwargs)  # type: ignore[arg-type]

    @property
    def checksum(self) -> str:
        """The server_types hash in the project's .checksums.json."""
        data = json.loads((self.root / "src/__generated__/.checksums.json").read_text())
        return str(data["server_types"])


@pytest.fixture
def real_project(real_cli: Path, real_cli_cache: Path, stub: StubApi,
                 edgespark_project: Callable[..., Path]) -> RealProject:
    """A server-only example project (committed git repo) using the real CLI and the stub."""
    root = edgespark_project(layout="server-only", files=PROJECT_FILES, name="realcli")
    (root / "node_modules").symlink_to(NODE_MODULES, target_is_directory=True)
    state = root / ".edgespark-tasks"
    state.mkdir(exist_ok=True)
    shutil.copy(real_cli_cache, state / "cli-info.json")
    env = clean_environ(EDGESPARK_CLI=str(real_cli), EDGESPARK_BASE_URL=stub.base_url,
                        EDGESPARK_API_KEY=API_KEY)
    return RealProject(root, env)


def hook_gate_wired() -> bool:
    """Whether `edgespark-tasks-hook db-check/types-check` reach the CLI runner yet."""
    try:
        from edgespark_tasks import precommit
    except ImportError:
        return False
    try:
        precommit.run_cli_gate("types-check", [], strict=False)
    except NotImplementedError:
        return False
    except Exception:
        return True
    return True
