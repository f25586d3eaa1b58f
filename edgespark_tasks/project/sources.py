"""What a deploy ships, as path patterns: the deploy inputs.

`deploy` and `deploy --dry-run` run when one of these files changed, and only then. By default
they are what the CLI builds and uploads:
- the server: `src/**`, `package.json`, its lockfile, `tsconfig*.json`;
- the web app (`[web].path`), without its output folder (`[web].output_path`);
- `edgespark.toml` and `configs/auth-config.yaml` (auth drift is checked at deploy).

Repository tooling never triggers a deploy: Markdown, `tasks.py`, `dodo.py`, `pyproject.toml`,
`.pre-commit-config.yaml`, CI files, example and dev folders, `node_modules`, build output and
local state. Both lists are settings (`deploy_inputs`, `deploy_ignore`; patterns relative to
the project root, `**` spans folders), shown by `plan` and `doit info`.

Matching is one compiled regular expression per list, so a file costs two regex matches
whatever the number of patterns or folders (no `d in path.parents` scans).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from edgespark_tasks.project.model import Project

LOCKFILES = ("package-lock.json", "npm-shrinkwrap.json", "pnpm-lock.yaml", "yarn.lock",
             "bun.lock", "bun.lockb")
TOOLING = ("**/*.md", "**/*.markdown", "**/*.mdx", "tasks.py", "dodo.py", "pyproject.toml",
           ".pre-commit-config.yaml", ".pre-commit-hooks.yaml", ".github/**", ".gitlab-ci.yml",
           ".circleci/**", ".buildkite/**", "Jenkinsfile", "azure-pipelines.yml",
           ".travis.yml", "**/examples/**", "**/example/**", "**/dev/**", "**/.vscode/**",
           "**/.idea/**", "**/node_modules", "**/node_modules/**", ".edgespark/**",
           ".edgespark-tasks/**", "**/.DS_Store")


class SourceRules(NamedTuple):
    """Include and ignore patterns for the deploy inputs (relative to the project root)."""

    include: tuple[str, ...]
    ignore: tuple[str, ...]

    def matches(self, rel: str) -> bool:
        """Whether a project-relative path (forward slashes) is a deploy input."""
        return bool(_regex(self.include).match(rel)) and not _regex(self.ignore).match(rel)

    def describe(self) -> str:
        """One line for `plan` and `doit info`."""
        return f"{', '.join(self.include)} (never: {', '.join(self.ignore)})"


def default_rules(project: Project) -> SourceRules:
    """The deploy inputs of `project` when no setting overrides them."""
    server = _prefix(project, project.server_dir)
    include = [f"{server}src/**", f"{server}package.json",
               *(f"{server}{name}" for name in LOCKFILES), f"{server}tsconfig*.json"]
    if project.web_dir is not None:
        include.append(f"{_prefix(project, project.web_dir)}**")
    include += ["edgespark.toml", project.relative(project.auth_config)]
    ignore = [*TOOLING, f"{server}dist/**"]
    if project.web_output is not None:
        ignore.append(f"{_prefix(project, project.web_output)}**")
    vars_pattern = project.vars_file_pattern
    ignore += [vars_pattern.format(environment="*"),
               vars_pattern.replace(".{environment}", "").format(environment="")]
    return SourceRules(tuple(dict.fromkeys(include)), tuple(dict.fromkeys(ignore)))


def rules_for(project: Project, include: Iterable[str] = (),
              ignore: Iterable[str] = ()) -> SourceRules:
    """The defaults, with either list replaced by a non-empty setting."""
    default = default_rules(project)
    include, ignore = tuple(include), tuple(ignore)
    return SourceRules(include or default.include, ignore or default.ignore)


def _prefix(project: Project, folder: Path) -> str:
    rel = project.relative(folder)
    return "" if rel in (".", "") else rel.rstrip("/") + "/"


@lru_cache(maxsize=64)
def _regex(patterns: tuple[str, ...]) -> re.Pattern[str]:
    if not patterns:
        return re.compile(r"(?!)")  # matches nothing
    return re.compile("|".join(f"(?:{glob_regex(p)})" for p in patterns))


def glob_regex(pattern: str) -> str:
    """A path glob as a regex: `**/` any folders (or none), `**` anything, `*` and `?` within
    one path segment, `[...]` a character class."""
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        elif pattern[i] == "[" and "]" in pattern[i + 1:]:
            end = pattern.index("]", i + 1)
            out.append("[" + pattern[i + 1:end].replace("!", "^", 1) + "]")
            i = end + 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return "".join(out) + r"\Z"
