"""The text of `.pre-commit-config.yaml` for `edgespark-tasks init`: merging our `repo: local`
entry into a user's file without losing a line, and leaving out the gates the installed CLI
cannot run (commented out, with the reason)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from edgespark_tasks.errors import EdgesparkTasksError

_REPOS = re.compile(r"^repos\s*:\s*(#.*)?$")
_EMPTY_REPOS = re.compile(r"^repos\s*:\s*\[\s*\]\s*(#.*)?$")


def comment_out_hook(block: str, hook_id: str, reason: str) -> str:
    """`block` with the hook `hook_id` turned into comments, headed by `reason`."""
    lines = block.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines)
                  if line.strip() == f"- id: {hook_id}"), None)
    if start is None:
        return block
    end = next((i for i in range(start + 1, len(lines))
                if lines[i].lstrip().startswith("- id:")), len(lines))
    indent = lines[start][: len(lines[start]) - len(lines[start].lstrip())]
    note = f"{indent}# {hook_id}: {reason}; upgrade the CLI, then uncomment:\n"
    body = [f"{indent}# {line[len(indent):]}" if line.strip() else line
            for line in lines[start:end]]
    return "".join([*lines[:start], note, *body, *lines[end:]])


def unavailable_gates(directory: Path) -> dict[str, str]:
    """Gate id -> why the installed CLI cannot run it. Empty when the CLI is not found (the
    gates then say NOT CHECKED until it is installed) or has every gate's command."""
    from edgespark_tasks.engine.gates import GATES
    from edgespark_tasks.engine.steps import get
    from edgespark_tasks.project.discovery import find_project_root
    from edgespark_tasks.project.model import load_project
    from edgespark_tasks.project.settings import load_settings
    from edgespark_tasks.runner import cli
    from edgespark_tasks.runner.capabilities import probe

    try:
        settings = load_settings(directory)
        try:
            project = load_project(find_project_root(directory), settings.paths)
        except EdgesparkTasksError:
            project = None
        info = probe(cli.resolve(settings, project), project.state_dir if project else None)
        steps = [get(gate) for gate in GATES]
        return {s.id: f"`{s.command}` is not available in edgespark {info.version}"
                for s in steps if not info.supports(s.argv)}
    except EdgesparkTasksError:
        return {}


def merge_precommit(current: str, block: str) -> str | None:
    """`current` with `block` (a list item at column 0) inserted at the end of `repos:`.

    Text-level, so every comment and blank line of the user's stays. None when there is no
    recognisable block form of `repos:` to insert into.
    """
    lines = current.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    start = next((i for i, line in enumerate(lines) if _REPOS.match(line)), None)
    if start is None:
        empty = next((i for i, line in enumerate(lines) if _EMPTY_REPOS.match(line)), None)
        if empty is not None:  # `repos: []` becomes a block list (its comment kept)
            match = _EMPTY_REPOS.match(lines[empty])
            comment = f"  {match.group(1)}" if match and match.group(1) else ""
            return "".join([*lines[:empty], f"repos:{comment}\n", block, *lines[empty + 1:]])
        if any(line.startswith("repos") for line in lines):
            return None  # some other form (flow style...): do not guess
        return "".join([*lines, "\nrepos:\n" if lines else "repos:\n", block])
    indent = _item_indent(lines[start + 1:])
    end = start + 1
    last_content = start
    for index in range(start + 1, len(lines)):
        line = lines[index]
        stripped = line.strip()
        if not stripped:
            continue
        if line[0] not in " \t-" and not stripped.startswith("#"):
            break  # the next top-level key
        if line[0] == "-" and indent:
            break  # a column-0 item cannot belong to an indented list
        if not (stripped.startswith("#") and line[0] == "#"):
            last_content = index
        end = index + 1
    insert = last_content + 1 if last_content > start else end
    ours = "".join(indent + line if line.strip() else line
                   for line in block.splitlines(keepends=True))
    return "".join([*lines[:insert], ours, *lines[insert:]])


def _item_indent(rest: list[str]) -> str:
    """The indentation of the `- ` items of the repos list (pre-commit's default is none)."""
    for line in rest:
        stripped = line.lstrip(" ")
        if not stripped.strip() or stripped.startswith("#"):
            continue
        if stripped.startswith("-"):
            return line[: len(line) - len(stripped)]
        return ""
    return ""


def valid_merge(merged: str, original: str) -> bool:
    """The merge parses, keeps every repo of the user's, and adds ours."""
    def load(text: str) -> Any:
        return yaml.safe_load(text) or {}

    try:
        before, after = load(original), load(merged)
    except yaml.YAMLError:
        return False
    if not isinstance(after, dict) or not isinstance(after.get("repos"), list):
        return False
    if not isinstance(before, dict):
        return False
    old_repos = before.get("repos") or []
    return (after["repos"][: len(old_repos)] == old_repos
            and any(isinstance(r, dict) and r.get("repo") == "local"
                    and any(str(h.get("id", "")).startswith("edgespark-")
                            for h in r.get("hooks", [])) for r in after["repos"])
            and {k: v for k, v in after.items() if k != "repos"}
            == {k: v for k, v in before.items() if k != "repos"})
