"""The EdgeSpark project model: where the project is and where each of its files lives.

A project is a folder holding `edgespark.toml`. Two layouts exist: full-stack (the server code
under `[server].path`, usually `server/`) and server-only (everything at the root). Older
scaffolds name the folders in `[app.server]` / `[app.web]` tables instead; both are read.
"""

from __future__ import annotations

import copy
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

from edgespark_tasks.errors import ProjectError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

MARKER = "edgespark.toml"
# Path settings a team may override, relative to the project root.
PATH_KEYS = ("server", "defs", "drizzle", "generated", "auth_config", "vars_file")
SKIP_DIRS = {".git", "node_modules", ".venv", ".edgespark", ".edgespark-tasks", "dist"}


class Project(NamedTuple):
    """One EdgeSpark project and every path the steps need (a NamedTuple, see
    `edgespark_tasks/__init__.py`); `load_project` builds it."""

    root: Path
    name: str
    project_id: str | None
    server_dir: Path
    web_dir: Path | None
    web_output: Path | None
    migration_branch: str | None
    defs_dir: Path
    drizzle_dir: Path
    generated_dir: Path
    auth_config: Path
    vars_file_pattern: str
    toml: Mapping[str, Any] = {}  # typed read-only, never mutated; load_project passes one
    # An older scaffold: `[app.server]` / `[app.web]` in edgespark.toml, often no runtime.ts.
    legacy: bool = False

    @property
    def layout(self) -> str:
        """`full-stack` when the project has a web app (`[web]`), else `server-only`, as the
        official templates name them. Where the server code lives is `server_in_root`."""
        return "full-stack" if self.web_dir is not None else "server-only"

    @property
    def server_in_root(self) -> bool:
        """True when the server code sits at the project root (no `[server].path` folder)."""
        return self.server_dir == self.root

    def project_id_problem(self, environ: Mapping[str, str]) -> str | None:
        """Why the project id cannot identify an EdgeSpark project, or None when it can."""
        if environ.get("EDGESPARK_PROJECT_ID"):
            return None  # the CLI reads the variable before edgespark.toml
        if not self.project_id:
            return "edgespark.toml has no project_id"
        if is_placeholder_id(self.project_id):
            return f"project_id in edgespark.toml is the template placeholder {self.project_id!r}"
        return None

    @property
    def marker(self) -> Path:
        return self.root / MARKER

    @property
    def db_schema(self) -> Path:
        return self.defs_dir / "db_schema.ts"

    @property
    def db_relations(self) -> Path:
        return self.defs_dir / "db_relations.ts"

    @property
    def storage_schema(self) -> Path:
        return self.defs_dir / "storage_schema.ts"

    @property
    def runtime(self) -> Path:
        return self.defs_dir / "runtime.ts"

    @property
    def defs_files(self) -> tuple[Path, ...]:
        """The four repo-owned definition files, in documented order."""
        return (self.db_schema, self.db_relations, self.storage_schema, self.runtime)

    @property
    def drizzle_meta(self) -> Path:
        return self.drizzle_dir / "meta"

    @property
    def journal(self) -> Path:
        return self.drizzle_meta / "_journal.json"

    @property
    def schema_hash_file(self) -> Path:
        return self.drizzle_meta / "_edgespark_schema_hash"

    @property
    def checksums(self) -> Path:
        return self.generated_dir / ".checksums.json"

    @property
    def server_types(self) -> Path:
        return self.generated_dir / "server-types.d.ts"

    @property
    def state_dir(self) -> Path:
        """Where edgespark-tasks keeps its own git-ignored state for this project."""
        return self.root / ".edgespark-tasks"

    def vars_file(self, environment: str | None) -> Path:
        """The declarative vars file for an environment (`configs/vars.<env>.yaml`)."""
        pattern = self.vars_file_pattern
        if environment:
            return self.root / pattern.format(environment=environment)
        return self.root / pattern.replace(".{environment}", "").format(environment="")

    def migrations(self) -> list[Path]:
        """Migration `.sql` files in sequence order."""
        if not self.drizzle_dir.is_dir():
            return []
        return sorted(self.drizzle_dir.glob("[0-9][0-9][0-9][0-9]_*.sql"))

    def relative(self, path: Path) -> str:
        """A path relative to the project root, with forward slashes, for messages."""
        # String prefix first: checks call this for every file they look at, and
        # Path.relative_to parses both paths each time.
        text, root = str(path), str(self.root)
        if text.startswith(root) and text[len(root):len(root) + 1] == os.sep:
            rest = text[len(root) + 1:]
            return rest.replace(os.sep, "/") if os.sep != "/" else rest
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)


PLACEHOLDER_IDS = ("REPLACED_ON_INIT", "your_edgespark_project_id", "your-project-id")


def is_placeholder_id(value: str) -> bool:
    """A project id the templates ship for a person to replace (`REPLACED_ON_INIT`,
    `your_edgespark_project_id`, `REPLACE_WITH_...`, `<project id>`)."""
    text = value.strip()
    return (text in PLACEHOLDER_IDS or text.upper().startswith("REPLACE")
            or text.lower().startswith("your") or text.startswith("<") or not text)


# path -> (size, mtime_ns, parsed): each edgespark.toml is parsed once per process even when
# several layers ask for it (doit in a monorepo of 50 projects asks twice per project).
_parsed: dict[Path, tuple[int, int, dict[str, Any]]] = {}


def read_toml(path: Path) -> dict[str, Any]:
    """Read a TOML file, turning every failure into a one-line ProjectError."""
    try:
        stat = path.stat()
        known = _parsed.get(path)
        if known is not None and known[:2] == (stat.st_size, stat.st_mtime_ns):
            return copy.deepcopy(known[2])
        with path.open("rb") as handle:
            data = tomllib.load(handle)
        _parsed[path] = (stat.st_size, stat.st_mtime_ns, data)
        return copy.deepcopy(data)
    except FileNotFoundError as exc:
        raise ProjectError(f"{path} not found") from exc
    except UnicodeDecodeError:
        raise ProjectError(f"{path} is not valid TOML (not UTF-8 text)",
                           "fix the file and retry") from None
    except tomllib.TOMLDecodeError as exc:
        raise ProjectError(f"{path} is not valid TOML ({exc})", "fix the file and retry") from exc
    except IsADirectoryError:
        raise ProjectError(f"{path} is a folder where a file belongs",
                           "replace it with a file") from None
    except OSError as exc:
        raise ProjectError(f"cannot read {path}: {exc.strerror or exc}") from exc


def load_project(root: Path, overrides: Mapping[str, str] | None = None) -> Project:
    """Read `root/edgespark.toml` and build the project, applying path overrides from settings."""
    root = root.resolve()
    data = read_toml(root / MARKER)
    overrides = overrides or {}
    server_cfg = _table(data, "server")
    web_cfg = _table(data, "web")
    db_cfg = _table(data, "db")
    app_cfg = _table(data, "app")
    # Older scaffolds: `[app.server]` / `[app.web]` tables, and no runtime.ts.
    legacy = not server_cfg and not web_cfg and ("server" in app_cfg or "web" in app_cfg)
    if legacy:
        server_cfg, web_cfg = _legacy(app_cfg, "server"), _legacy(app_cfg, "web")

    server_rel = overrides.get("server") or _first(server_cfg, _DIR_KEYS)
    if server_rel is None:
        # No [server].path: a full-stack template without it still keeps code in server/.
        server_rel = "server" if (root / "server" / "src").is_dir() else "."
    server_dir = (root / str(server_rel)).resolve()
    web_rel, output_rel = _first(web_cfg, _DIR_KEYS), _first(web_cfg, _OUTPUT_KEYS)
    web_dir = (root / web_rel).resolve() if web_rel else None
    web_output = (root / output_rel).resolve() if output_rel else None

    def path(key: str, default: Path) -> Path:
        return (root / overrides[key]).resolve() if key in overrides else default

    project_id = data.get("project_id")
    return Project(
        root=root,
        name=str(data.get("name") or root.name),
        project_id=str(project_id) if project_id else None,
        server_dir=server_dir,
        web_dir=web_dir,
        web_output=web_output,
        migration_branch=_optional_str(db_cfg, "db", "migration_branch"),
        defs_dir=path("defs", server_dir / "src" / "defs"),
        drizzle_dir=path("drizzle", server_dir / "drizzle"),
        generated_dir=path("generated", server_dir / "src" / "__generated__"),
        auth_config=path("auth_config", root / "configs" / "auth-config.yaml"),
        vars_file_pattern=_vars_pattern(overrides.get("vars_file",
                                                      "configs/vars.{environment}.yaml")),
        toml=data,
        legacy=legacy,
    )


def _table(data: Mapping[str, Any], key: str, parent: str = "") -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ProjectError(f"edgespark.toml: [{parent}{key}] must be a table")
    return value


def _legacy(app: Mapping[str, Any], key: str) -> dict[str, Any]:
    """`[app.server]` as a table, or `server = "path"` inside `[app]`."""
    value = app.get(key)
    return {"path": value} if isinstance(value, str) else _table(app, key, "app.")


# The folder key of `[server]`/`[web]` is `path`; older scaffolds' `[app.*]` tables vary.
_DIR_KEYS = ("path", "dir", "directory", "root")
_OUTPUT_KEYS = ("output_path", "output", "out_dir", "dist")


def _first(table: Mapping[str, Any], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        value = table.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def _optional_str(table: Mapping[str, Any], name: str, key: str) -> str | None:
    value = table.get(key)
    if value is not None and not isinstance(value, str):
        raise ProjectError(f"edgespark.toml: [{name}] {key} must be a string, "
                           f"not {type(value).__name__}", f'write it as {key} = "main"')
    return value


def _vars_pattern(pattern: str) -> str:
    """The vars-file pattern, checked once: `{environment}` is its only placeholder."""
    try:
        pattern.format(environment="x")
    except (KeyError, IndexError, ValueError) as exc:
        raise ProjectError(
            f"paths.vars_file {pattern!r} is not a valid pattern ({type(exc).__name__}: {exc})",
            "use {environment} as the only placeholder, e.g. configs/vars.{environment}.yaml",
        ) from None
    return pattern
