"""Runtime-key reads across modules: infer wrapper helpers, then turn their calls into reads.

A named function that passes one of its parameters to `vars.get`/`secret.get` (bare or cast)
is a wrapper of that kind; so is one passing a parameter on to a wrapper (helpers calling
helpers), in the same module or imported by name, default or namespace from another server
module. A wrapper call with a literal key is a read, named after the helper the call site
uses; a call passing its own parameter is a wrapper layer, not a read. The
`runtime_key_wrappers` setting adds names that cannot be inferred (first argument).
"""

from __future__ import annotations

import os.path
from collections.abc import Mapping
from pathlib import Path

from edgespark_tasks.checks.filefacts import DEFAULT, NAMESPACE, FileFacts
from edgespark_tasks.checks.runtime_keys import KeyKind, Read

# Modules are named by their path as a string inside the graph: hashing Path objects was a
# measurable part of a commit's time.
FnRef = tuple[str, str]
_EXTENSIONS = (".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs")
# Common path aliases for the source root (`@/lib/env`, `~/lib/env`).
_ALIASES = ("@/", "~/", "#/")


class ModuleGraph:
    """The server modules and how their names link, for resolving calls to functions."""

    def __init__(self, facts: Mapping[Path, FileFacts], source_root: Path,
                 aliases: Mapping[str, Path] | None = None) -> None:
        self.paths = {str(path): path for path in facts}
        self.facts = {str(path): found for path, found in facts.items()}
        self.root = str(source_root)
        # Longest prefix first; "" (a tsconfig baseUrl) last.
        self.aliases = {prefix: str(path) for prefix, path in
                        sorted((aliases or {}).items(), key=lambda kv: -len(kv[0]))}
        self._modules: dict[tuple[str, str], str | None] = {}
        self._callees: dict[tuple[str, str, str], FnRef | None] = {}

    def module(self, importer: str, spec: str) -> str | None:
        """The server module a specifier names, or None (a package, or outside the app)."""
        key = (os.path.dirname(importer), spec)
        if key not in self._modules:
            self._modules[key] = self._find_module(key[0], spec)
        return self._modules[key]

    def _find_module(self, folder: str, spec: str) -> str | None:
        if spec.startswith("."):
            base = os.path.join(folder, spec)
        elif spec.startswith(_ALIASES):
            base = os.path.join(self.root, spec[2:])
        else:
            prefix = next((p for p in self.aliases if spec.startswith(p)), None)
            if prefix is None:
                return None
            base = os.path.join(self.aliases[prefix], spec[len(prefix):])
        base = os.path.normpath(base)
        stem, ext = os.path.splitext(base)
        stem = stem if ext in (".js", ".mjs", ".cjs", ".jsx") else base
        for candidate in (base, *(stem + e for e in _EXTENSIONS),
                          *(os.path.join(base, "index" + e) for e in _EXTENSIONS)):
            if candidate in self.facts:
                return candidate
        return None

    def export(self, module: str, name: str, seen: frozenset[tuple[str, str]] = frozenset(),
               member: str = "") -> FnRef | None:
        """The function a module exports under `name` (with `member`: that property of the
        exported object), following re-exports."""
        if (module, name) in seen:
            return None
        seen = seen | {(module, name)}
        facts = self.facts[module]
        local = facts.exports.get(name)
        if local is not None:
            return self.local(module, local, seen, member)
        for spec, imported, exported in facts.reexports:
            target = self.module(module, spec)
            if target is None:
                continue
            if exported == name:
                return self.export(target, imported, seen, member)
            if exported == NAMESPACE and name != DEFAULT:
                found = self.export(target, name, seen, member)
                if found:
                    return found
        return None

    def local(self, module: str, name: str, seen: frozenset[tuple[str, str]] = frozenset(),
              member: str = "") -> FnRef | None:
        """What `name(...)` (or `name.member(...)`, an object's property or a class's static
        method) calls in `module`: its own function, or an imported one."""
        facts = self.facts[module]
        own = f"{name}.{member}" if member else name
        if own in facts.functions:
            return module, own
        imported = facts.imports.get(name)
        if imported is None or imported[1] == NAMESPACE:
            return None
        target = self.module(module, imported[0])
        return self.export(target, imported[1], seen, member) if target else None

    def callee(self, module: str, name: str, member: str) -> FnRef | None:
        """The function called by `name(...)` or `name.member(...)` in `module`."""
        key = (module, name, member)
        if key not in self._callees:
            self._callees[key] = self._callee(module, name, member)
        return self._callees[key]

    def _callee(self, module: str, name: str, member: str) -> FnRef | None:
        imported = self.facts[module].imports.get(name)
        if member and imported is not None and imported[1] == NAMESPACE:
            target = self.module(module, imported[0])
            return self.export(target, member) if target else None
        return self.local(module, name, member=member)


# A wrapper: (kind, index of its key parameter, True when it reads either kind by that
# parameter, e.g. `isSecret ? secret.get(k) : vars.get(k)`).
Wrapper = tuple[KeyKind, int, bool]


def infer_wrappers(graph: ModuleGraph, configured: Mapping[str, str]) -> dict[FnRef, Wrapper]:
    """Every wrapper function: (module, name) -> its Wrapper description."""
    wrappers: dict[FnRef, Wrapper] = {}
    for module, facts in graph.facts.items():
        for kind, _key, _line, _via, fn, idx in facts.reads:
            if fn is None:
                continue
            known = wrappers.get((module, fn))
            if known is None:
                wrappers[(module, fn)] = (kind, idx, False)
            elif known[1] == idx and known[0] != kind:
                wrappers[(module, fn)] = (known[0], idx, True)
    # Only calls passing a parameter on can make a new wrapper.
    passing = [(module, call) for module, facts in graph.facts.items() for call in facts.calls
               if any(arg[0] == "param" for arg in call[3])]
    changed = True
    while changed:
        changed = False
        for module, (callee, member, _line, args) in passing:
            target = _wrapper_of(graph, wrappers, configured, module, callee, member)
            if target is None or target[1] >= len(args):
                continue
            arg = args[target[1]]
            if arg[0] == "param" and (module, arg[1]) not in wrappers:
                wrappers[(module, arg[1])] = (target[0], arg[2], target[2])
                changed = True
    return wrappers


def _wrapper_of(graph: ModuleGraph, wrappers: Mapping[FnRef, Wrapper],
                configured: Mapping[str, str], module: str, callee: str, member: str
                ) -> Wrapper | None:
    ref = graph.callee(module, callee, member)
    if ref is not None and ref in wrappers:
        return wrappers[ref]
    name = member or callee
    if name in configured:
        return ("secret" if configured[name] == "secret" else "var"), 0, False
    return None


def resolve_reads(graph: ModuleGraph, configured: Mapping[str, str] | None = None
                  ) -> dict[Path, list[Read]]:
    """Each module's reads, in line order: direct reads with a literal or a non-parameter
    key, and wrapper calls (one per call site, named after the helper called)."""
    configured = configured or {}
    wrappers = infer_wrappers(graph, configured)
    result: dict[Path, list[Read]] = {}
    for module, facts in graph.facts.items():
        reads = [Read(kind, key, line, key is not None, via)
                 for kind, key, line, via, fn, _idx in facts.reads if fn is None]
        for callee, member, line, args in facts.calls:
            target = _wrapper_of(graph, wrappers, configured, module, callee, member)
            if target is None or target[1] >= len(args):
                continue
            tag, value, _ = args[target[1]]
            via = f"{callee}.{member}" if member else callee
            if tag == "lit":
                reads.append(Read(target[0], value, line, True, via, target[2]))
            elif tag == "other":
                reads.append(Read(target[0], None, line, False, via, target[2]))
        result[graph.paths[module]] = sorted(reads, key=lambda r: r.line)
    return result
