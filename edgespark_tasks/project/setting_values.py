"""The setting values: each setting's validator, turning raw TOML, env or flag values into
typed ones (or a ValueError that names the problem)."""

from __future__ import annotations

import shlex
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from edgespark_tasks.project.model import PATH_KEYS

OFFLINE_POLICIES = ("auto", "warn", "fail")
KEY_KINDS = ("var", "secret")


class SmokeCheck(NamedTuple):
    """One request of the post-deploy smoke check."""

    path: str = "/"
    method: str = "GET"
    status: int = 200
    contains: str | None = None


# ---- validators: each turns a raw value into the typed one or raises ValueError -------------


def _str(value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError("expected a non-empty string")
    return value


def _opt_str(value: Any) -> str | None:
    return None if value in (None, "") else _str(value)


def _float(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError("expected a number of seconds")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError("expected a number of seconds") from None
    if number <= 0:
        raise ValueError("must be greater than 0")
    return number


def _str_list(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise ValueError("expected a list of strings")


def _cli(value: Any) -> tuple[str, ...] | None:
    if value in (None, ""):
        return None
    # A string is a command line, split like a shell would (e.g. "npx @edgespark/cli").
    parts = tuple(shlex.split(value)) if isinstance(value, str) else _str_list(value)
    if not parts:
        raise ValueError("expected a command line")
    return parts


def _offline(value: Any) -> str:
    if value not in OFFLINE_POLICIES:
        raise ValueError(f"expected one of {', '.join(OFFLINE_POLICIES)}")
    return str(value)


def _timeouts(value: Any) -> dict[str, float]:
    if not isinstance(value, Mapping):
        raise ValueError("expected a table of step id = seconds")
    return {str(k): _float(v) for k, v in value.items()}


def _paths(value: Any) -> dict[str, str]:
    if not isinstance(value, Mapping):
        raise ValueError("expected a table")
    unknown = sorted(set(value) - set(PATH_KEYS))
    if unknown:
        raise ValueError(f"unknown path key {unknown[0]!r} (known: {', '.join(PATH_KEYS)})")
    return {str(k): _str(v) for k, v in value.items()}


def _wrappers(value: Any) -> dict[str, str]:
    if not isinstance(value, Mapping):
        raise ValueError("expected a table of function name = \"var\" or \"secret\"")
    for name, kind in value.items():
        if kind not in KEY_KINDS:
            raise ValueError(f"{name}: expected \"var\" or \"secret\"")
    return {str(k): str(v) for k, v in value.items()}


def _rewritten(value: Any) -> dict[str, str]:
    """`{"0003_x.sql" = "<sha256 of the rewritten file>"}`: one allowed rewrite each."""
    if not isinstance(value, Mapping):
        raise ValueError('expected a table of "NNNN_name.sql" = "<sha256>"')
    for name, digest in value.items():
        if not isinstance(digest, str) or len(digest) != 64 or not all(
                c in "0123456789abcdef" for c in digest.lower()):
            raise ValueError(f"{name}: expected the file's sha256 (64 hex characters)")
    return {str(k): str(v).lower() for k, v in value.items()}


def _smoke_checks(value: Any) -> tuple[SmokeCheck, ...]:
    if not isinstance(value, (list, tuple)):
        raise ValueError("expected a list of paths or tables")
    checks = []
    for item in value:
        if isinstance(item, str):
            checks.append(SmokeCheck(path=item))
            continue
        if not isinstance(item, Mapping):
            raise ValueError("each check is a path or a table")
        unknown = sorted(set(item) - {"path", "method", "status", "contains"})
        if unknown:
            raise ValueError(f"unknown smoke check key {unknown[0]!r}")
        status = item.get("status", 200)
        if isinstance(status, bool) or not isinstance(status, int):
            raise ValueError("status must be an integer")
        checks.append(SmokeCheck(
            path=_str(item.get("path", "/")),
            method=_str(item.get("method", "GET")).upper(),
            status=status,
            contains=_opt_str(item.get("contains")),
        ))
    return tuple(checks)


VALIDATORS: dict[str, Callable[[Any], Any]] = {
    "cli": _cli,
    "environment": _opt_str,
    "plugins": _str_list,
    "disable_plugins": _str_list,
    "timeout": _float,
    "timeouts": _timeouts,
    "lock_timeout": _float,
    "offline": _offline,
    "projects": _str_list,
    "skip": _str_list,
    "environments": _str_list,
    "deploy_inputs": _str_list,
    "deploy_ignore": _str_list,
    "paths": _paths,
    "runtime_key_wrappers": _wrappers,
    "allow_rewritten_migrations": _rewritten,
    "smoke_base_url": _opt_str,
    "smoke_checks": _smoke_checks,
    "smoke_deadline": _float,
    "smoke_timeout": _float,
}
