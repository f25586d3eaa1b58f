"""`auth-config`: configs/auth-config.yaml has known keys, right types and the fixed OAuth refs.

An enabled OAuth provider must reference the var `<P>_CLIENT_ID` and the secret
`<P>_CLIENT_SECRET` by name; values never live in this file. Errors carry line numbers,
which is why the YAML is composed into nodes (with marks) instead of loaded into dicts.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from edgespark_tasks.checks import Check, CheckContext
from edgespark_tasks.checks.findings import Finding
from edgespark_tasks.project.model import Project

ID = "auth-config"
BOOL, INT, STR = "bool", "int", "str"
_TAGS = {BOOL: "tag:yaml.org,2002:bool", INT: "tag:yaml.org,2002:int",
         STR: "tag:yaml.org,2002:str"}
OAUTH = ("Google", "Github", "Gitlab", "Discord", "Apple", "Microsoft")
_EXTRA = {"Apple": {"appBundleIdentifier": STR}, "Microsoft": {"tenantId": STR}}
Schema = dict[str, Any]
SCHEMA: Schema = {
    "disableSignUp": BOOL,
    "session": {"expiresIn": INT, "updateAge": INT, "disableSessionRefresh": BOOL},
    "providerEmailPassword": {"enabled": BOOL, "config": {
        "minPasswordLength": INT, "requireEmailVerification": BOOL,
        "requirePasswordResetEmailVerification": BOOL, "revokeSessionsOnPasswordReset": BOOL,
    }},
    **{f"provider{p}": {"enabled": BOOL, "config": {
        "clientIdVarRef": STR, "clientSecretRef": STR, **_EXTRA.get(p, {}),
    }} for p in OAUTH},
}
FIX_SYNTAX = "fix the YAML, or fetch the live config with `edgespark auth pull`"


def compose(text: str) -> Any:
    """The YAML node tree (None for an empty file); raises yaml.YAMLError."""
    import yaml  # only this check and the runtime-keys check need YAML

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.compose(text, Loader=loader)


def auth_findings(text: str, rel: str) -> list[Finding]:
    """Every problem in the text of an auth-config file (`rel` is its path for findings)."""
    import yaml

    try:
        root = compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return [Finding(ID, "error", rel, line, f"not valid YAML: {problem}", FIX_SYNTAX)]
    if root is None:
        return [Finding(ID, "error", rel, None, "auth-config.yaml is empty", FIX_SYNTAX)]
    findings: list[Finding] = []
    _walk(root, SCHEMA, "", rel, findings)
    findings.extend(_oauth_findings(root, rel))
    return findings


def _line(node: Any) -> int:
    return int(node.start_mark.line) + 1


def _pairs(node: Any) -> list[tuple[str, Any, Any]]:
    """(key text, key node, value node) of a mapping node."""
    return [(str(k.value) if k.id == "scalar" else "?", k, v) for k, v in node.value]


def _walk(node: Any, schema: Schema, where: str, rel: str, out: list[Finding]) -> None:
    if node.id != "mapping":
        out.append(Finding(ID, "error", rel, _line(node), f"{where or 'the file'} must be a "
                           "mapping of keys", FIX_SYNTAX))
        return
    seen: set[str] = set()
    for key, key_node, value in _pairs(node):
        path = f"{where}.{key}" if where else key
        if key in seen:
            out.append(Finding(ID, "error", rel, _line(key_node), f"duplicate key {path}",
                               "keep one of them"))
        seen.add(key)
        expected = schema.get(key)
        if expected is None:
            import difflib  # only for an unknown key: most commits never need it

            close = difflib.get_close_matches(key, list(schema), n=1)
            hint = f"did you mean {close[0]}?" if close else f"known: {', '.join(schema)}"
            out.append(Finding(ID, "error", rel, _line(key_node), f"unknown key {path}",
                               f"{hint} (see the EdgeSpark auth-config docs)"))
        elif isinstance(expected, dict):
            _walk(value, expected, path, rel, out)
        elif value.id != "scalar" or value.tag != _TAGS[expected]:
            shown = value.value if value.id == "scalar" else value.id
            out.append(Finding(ID, "error", rel, _line(value), f"{path} must be {_NAMES[expected]}"
                               f", found {shown!r}", f"write {path}: {_EXAMPLES[expected]}"))


_NAMES = {BOOL: "true or false", INT: "a whole number", STR: "a name"}
_EXAMPLES = {BOOL: "true", INT: "3600", STR: "SOME_NAME"}


def _get(node: Any, key: str) -> Any:
    if node is None or node.id != "mapping":
        return None
    return next((v for k, _, v in _pairs(node) if k == key), None)


def _enabled(node: Any) -> bool:
    flag = _get(node, "enabled")
    return flag is not None and flag.id == "scalar" and str(flag.value).lower() in (
        "true", "yes", "on")


# (config field, kind of key, fixed name suffix) of each OAuth provider reference.
_REF_FIELDS = (("clientIdVarRef", "var", "CLIENT_ID"),
               ("clientSecretRef", "secret", "CLIENT_SECRET"))


def _enabled_refs(root: Any) -> Iterator[tuple[str, Any, Any, str, str, str, Any]]:
    """(provider, provider node, config node, field, kind, fixed name, value node) for each
    reference field of every enabled OAuth provider (value node None when absent)."""
    for provider in OAUTH:
        node = _get(root, f"provider{provider}")
        if not _enabled(node):
            continue
        config = _get(node, "config")
        for field, kind, suffix in _REF_FIELDS:
            yield (provider, node, config, field, kind, f"{provider.upper()}_{suffix}",
                   _get(config, field))


def oauth_refs(root: Any) -> list[tuple[str, str, str, int]]:
    """(provider, "var"|"secret", referenced name, line) for every enabled OAuth provider."""
    return [(provider, kind, str(value.value), _line(value))
            for provider, _, _, _, kind, _, value in _enabled_refs(root)
            if value is not None and value.id == "scalar" and value.value]


def file_oauth_refs(path: Path) -> list[tuple[str, str, str, int]]:
    """`oauth_refs` of an auth-config file; empty when it is absent or not valid YAML (this
    check reports unreadable files, with line numbers)."""
    import yaml

    if not path.is_file():
        return []
    try:
        return oauth_refs(compose(path.read_text(encoding="utf-8", errors="replace")))
    except yaml.YAMLError:
        return []


def _oauth_findings(root: Any, rel: str) -> list[Finding]:
    findings = []
    for provider, node, config, field, _, want, value in _enabled_refs(root):
        if value is not None and value.id == "scalar" and value.value == want:
            continue
        line = _line(value if value is not None else config if config is not None else node)
        found = f", found {value.value!r}" if value is not None and value.id == "scalar" else ""
        findings.append(Finding(
            ID, "error", rel, line,
            f"provider{provider} is enabled, so config.{field} must be {want}{found}",
            f"set `{field}: {want}` (the name, never the value) or `enabled: false`"))
    return findings


def check(ctx: CheckContext) -> list[Finding]:
    """Validate the project's auth-config.yaml (a missing file is a warning)."""
    path = ctx.project.auth_config
    if not path.is_file():
        return [Finding(ID, "warning", ctx.rel(path), None, "auth-config.yaml is missing",
                        "fetch the live config with `edgespark auth pull` and commit it")]
    rel = ctx.rel(path)
    found = ctx.sources.derived("auth_findings", path, lambda text: [
        [f.severity, f.line, f.message, f.fix] for f in auth_findings(text, rel)])
    return [Finding(ID, severity, rel, line, message, fix)
            for severity, line, message, fix in found]


def relevant(project: Project, path: Path) -> bool:
    """The auth-config file only."""
    return path == project.auth_config


CHECK = Check(ID, check, relevant, "auth-config.yaml: known keys, types, fixed OAuth refs")
