"""The declarative vars file: `configs/vars.<environment>.yaml`, a flat map of VarKey to value."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import yaml

from edgespark_tasks.errors import ProjectError
from edgespark_tasks.project import files

VAR_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def load_vars(path: Path) -> dict[str, str]:
    """Read a vars file into {key: value}; scalars become strings, anything else is an error."""
    text = files.read_text(path)  # a folder, a binary file...: one clear line
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        raise ProjectError(f"{path}{where}: not valid YAML", "fix the file and retry") from None
    except (ValueError, TypeError, RecursionError) as exc:  # `!!int x`, `!!float y`, ...
        raise ProjectError(f"{path}: a value cannot be read ({type(exc).__name__}: {exc})",
                           "write plain quoted values, without YAML tags") from None
    if not isinstance(data, dict):
        raise ProjectError(f"{path}: expected KEY: value lines", "fix the file and retry")
    values: dict[str, str] = {}
    for key, value in data.items():
        if not isinstance(key, str) or isinstance(value, (dict, list)) or value is None:
            raise ProjectError(f"{path}: {key!r} must be a KEY with a plain value",
                               "quote the value, e.g. KEY: \"value\"")
        if not VAR_NAME.fullmatch(key):
            # Checked before any argv is built: `--api-key` or `A=B` never reach the CLI.
            raise ProjectError(f"{path}: {key!r} is not a var name",
                               "var names are letters, digits and _, not starting with a digit")
        values[key] = str(value).lower() if isinstance(value, bool) else str(value)
    return values


def removed_keys(values: dict[str, str], recorded: dict[str, str] | None) -> list[str]:
    """Keys applied before that the file no longer has (they stay set remotely)."""
    return sorted(set(recorded or {}) - set(values))


def value_digests(values: dict[str, str]) -> dict[str, str]:
    """Per-key digests of the values, recorded instead of the values themselves."""
    return {k: hashlib.sha256(f"{k}\0{v}".encode()).hexdigest() for k, v in values.items()}


def changed_keys(values: dict[str, str], recorded: dict[str, str] | None) -> list[str]:
    """Keys whose value is new or differs from the recorded digest, in file order."""
    current = value_digests(values)
    recorded = recorded or {}
    return [k for k in values if recorded.get(k) != current[k]]
