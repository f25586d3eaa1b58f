"""`runtime-keys`: every key the server code reads is declared in runtime.ts as the right kind.

Reads come from `key_resolve` over every server module (direct reads, cast receivers and
inferred wrapper helpers); OAuth refs of enabled providers in auth-config.yaml count as reads
too. Declared-but-unused keys are warnings, keys passed as
variables are notes ("not checkable"): only a certain mistake fails the commit.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from edgespark_tasks.checks import Check, CheckContext, under
from edgespark_tasks.checks.findings import Finding
from edgespark_tasks.checks.key_resolve import ModuleGraph, resolve_reads
from edgespark_tasks.checks.runtime_keys import (
    KeyKind,
    Read,
    RuntimeKeys,
    RuntimeKeysError,
    parse_runtime,
)
from edgespark_tasks.checks.sources import SOURCE_SUFFIXES, is_test_file, source_root
from edgespark_tasks.project.model import Project

ID = "runtime-keys"
_TYPE = {"var": "VarKey", "secret": "SecretKey"}
_READER = {"var": "vars.get", "secret": "secret.get"}


def _declare_fix(kind: str, key: str) -> str:
    setter = f"`edgespark var set {key}=...`" if kind == "var" else f"`edgespark secret set {key}`"
    return f'add `| "{key}"` to {_TYPE[kind]} in runtime.ts, then {setter}'


def _judge(read: Read, keys: RuntimeKeys, rel: str) -> Finding | None:
    if not read.checkable or read.key is None:
        return Finding(ID, "note", rel, read.line, f"{read.via}() with a key that is not a "
                       "string literal: not checkable", "pass the key name as a literal")
    declared = keys.kind_of(read.key)
    if declared is None:
        what = "var or secret" if read.either else read.kind
        return Finding(ID, "error", rel, read.line, f"{read.via}(\"{read.key}\") reads a "
                       f"{what} that runtime.ts does not declare",
                       _declare_fix(read.kind, read.key))
    if declared != read.kind and not read.either:
        return Finding(ID, "error", rel, read.line, f"{read.key} is a {_TYPE[declared]} but is "
                       f"read through {read.via}()",
                       f"read it with {_READER[declared]}(\"{read.key}\")")
    return None


def _reads(ctx: CheckContext) -> dict[Path, list[Read]]:
    index = ctx.sources
    graph = ModuleGraph(index.facts, source_root(ctx.project), index.aliases)
    reads = resolve_reads(graph, ctx.settings.runtime_key_wrappers)
    return {path: found for path, found in reads.items() if not is_test_file(path)}


def _parse(text: str) -> dict[str, Any]:
    """runtime.ts as JSON-ready data (cached by content: no tokenizer on most commits)."""
    try:
        keys = parse_runtime(text)
    except RuntimeKeysError as exc:
        return {"error": [exc.message, exc.line, exc.hint]}
    return {"vars": keys.vars, "secrets": keys.secrets}


def check(ctx: CheckContext) -> list[Finding]:
    """Compare reads in server code and auth-config refs with runtime.ts declarations."""
    project = ctx.project
    runtime_rel = ctx.rel(project.runtime)
    reads = _reads(ctx)
    if not project.runtime.is_file():
        if not any(reads.values()) and not ctx.sources.oauth_refs():
            return []  # an older scaffold without runtime.ts that reads no key: nothing to check
        return [Finding(ID, "error", runtime_rel, None, "runtime.ts is missing but server code "
                        "reads runtime keys", "restore it: it declares the VarKey and SecretKey "
                        "names server code reads")]
    parsed = ctx.sources.derived("runtime_keys", project.runtime, _parse)
    if "error" in parsed:
        message, line, hint = parsed["error"]
        return [Finding(ID, "error", runtime_rel, line, f"cannot read runtime.ts: {message}",
                        hint or 'keep the documented shape: `export type VarKey = | "A" | "B";`')]
    keys = RuntimeKeys(vars=parsed["vars"], secrets=parsed["secrets"])
    findings = [Finding(ID, "error", runtime_rel, line, f"{key} is declared as both a VarKey "
                        "and a SecretKey", "keep it in one of the two types")
                for key, line in keys.secrets.items() if key in keys.vars]
    used: set[tuple[str, str]] = set()
    unknown_kinds: set[str] = set()
    for path, file_reads in reads.items():
        for read in file_reads:
            finding = _judge(read, keys, ctx.rel(path))
            if finding is not None:
                findings.append(finding)
            if read.key is None:
                unknown_kinds.update(("var", "secret") if read.either else (read.kind,))
            else:
                used.add((keys.kind_of(read.key) or read.kind, read.key) if read.either
                         else (read.kind, read.key))
    findings.extend(_auth_refs(ctx, keys, used))
    kinds: tuple[KeyKind, ...] = ("var", "secret")
    for kind in kinds:
        for key, line in keys.declared(kind).items():
            if (kind, key) in used:
                continue
            maybe = " (a read with a variable key may use it)" if kind in unknown_kinds else ""
            findings.append(Finding(ID, "warning", runtime_rel, line, f"{_TYPE[kind]} {key} is "
                                    f"declared but never read{maybe}",
                                    "remove it from runtime.ts if it is no longer needed"))
    return findings


def _auth_refs(ctx: CheckContext, keys: RuntimeKeys, used: set[tuple[str, str]]) -> list[Finding]:
    path = ctx.project.auth_config
    findings = []
    for provider, kind, key, line in ctx.sources.oauth_refs():
        used.add((kind, key))
        declared = keys.kind_of(key)
        if declared == kind:
            continue
        problem = "is not declared in runtime.ts" if declared is None else \
            f"is declared as a {_TYPE[declared]}, not a {_TYPE[kind]}"
        findings.append(Finding(ID, "error", ctx.rel(path), line,
                                f"provider{provider} references {key}, which {problem}",
                                _declare_fix(kind, key)))
    return findings


def relevant(project: Project, path: Path) -> bool:
    """runtime.ts, auth-config.yaml, and server source files."""
    if path in (project.runtime, project.auth_config):
        return True
    return (under(path, source_root(project)) and path.name.endswith(SOURCE_SUFFIXES)
            and not under(path, project.generated_dir))


CHECK = Check(ID, check, relevant, "runtime keys read by server code are declared, right kind")
