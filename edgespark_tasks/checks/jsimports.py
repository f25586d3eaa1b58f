"""Which local names a JS/TS file binds to named exports of a module.

Covers `import { a, b as c } from "m"`, `import * as ns from "m"`, `const { a, b: c } =
await import("m")` / `= require("m")`, `const ns = await import("m")` and the inline
`(await import("m")).a`. Type-only imports bind nothing at run time and are skipped.
"""

from __future__ import annotations

from collections.abc import Collection

from edgespark_tasks.checks.jstokens import Token, matching

DOT = (".", "?.")


class Bindings:
    """`names`: local name -> exported name; `namespaces`: local names bound to the whole
    module; `inline_ends`: token indexes of the `)` closing an inline `(await import("m"))`
    (plain class, not a dataclass: hooks load it, see `edgespark_tasks/__init__.py`)."""

    __slots__ = ("inline_ends", "names", "namespaces")

    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        self.namespaces: set[str] = set()
        self.inline_ends: set[int] = set()


def at(tokens: list[Token], i: int) -> str:
    """The value of a name or punctuation token at `i` ("" otherwise or out of range)."""
    return tokens[i].value if 0 <= i < len(tokens) and tokens[i].kind in ("name", "punct") else ""


def find_bindings(tokens: list[Token], module: str, exports: Collection[str]) -> Bindings:
    """Bindings of `exports` of `module`. Named static imports of `exports` count from any
    module (a team's own re-export file); namespaces and dynamic imports only for `module`."""
    found = Bindings()
    for i, tok in enumerate(tokens):
        if tok.kind != "name" or tok.value not in ("import", "require") or at(tokens, i - 1) in DOT:
            continue
        if tok.value == "import" and at(tokens, i + 1) != "(":
            _static_import(tokens, i + 1, module, exports, found)
            continue
        if at(tokens, i + 1) != "(" or i + 3 >= len(tokens):
            continue
        spec, close = tokens[i + 2], i + 3
        if spec.kind != "string" or spec.value != module or at(tokens, close) != ")":
            continue
        j = i - 1
        if at(tokens, j) == "await":
            j -= 1
        if at(tokens, j) == "(" and at(tokens, close + 1) == ")":
            found.inline_ends.add(close + 1)
        elif at(tokens, j) == "=" and j > 0:
            if tokens[j - 1].kind == "name":
                found.namespaces.add(tokens[j - 1].value)
            elif at(tokens, j - 1) == "}":
                _destructure(tokens, j - 1, exports, found)
    return found


def _static_import(tokens: list[Token], i: int, module: str, exports: Collection[str],
                   found: Bindings) -> None:
    if at(tokens, i) == "type":
        return
    named: dict[str, str] = {}
    namespace = None
    while i < len(tokens) and at(tokens, i) not in ("from", ";") and tokens[i].kind != "string":
        if at(tokens, i) == "*" and at(tokens, i + 1) == "as" and i + 2 < len(tokens):
            namespace, i = tokens[i + 2].value, i + 3
        elif at(tokens, i) == "{":
            close = matching(tokens, i)
            for part in _split(tokens[i + 1:close]):
                names = [t.value for t in part if t.kind in ("name", "string")]
                if names and names[0] != "type":
                    named[names[-1] if "as" in names else names[0]] = names[0]
            i = close + 1
        else:
            i += 1
    if at(tokens, i) != "from" or i + 1 >= len(tokens):
        return
    found.names.update({local: name for local, name in named.items() if name in exports})
    if namespace and tokens[i + 1].value == module:
        found.namespaces.add(namespace)


def _destructure(tokens: list[Token], close: int, exports: Collection[str],
                 found: Bindings) -> None:
    """`{ a, b: c }` ending at `close` (the `}`)."""
    depth, j = 0, close
    while j >= 0:
        if at(tokens, j) == "}":
            depth += 1
        elif at(tokens, j) == "{":
            depth -= 1
            if depth == 0:
                break
        j -= 1
    for part in _split(tokens[j + 1:close]):
        names = [t.value for t in part]
        if names and names[0] in exports:
            local = names[2] if len(names) > 2 and names[1] == ":" else names[0]
            found.names[local] = names[0]


def _split(tokens: list[Token]) -> list[list[Token]]:
    parts: list[list[Token]] = [[]]
    for tok in tokens:
        if tok.kind == "punct" and tok.value == ",":
            parts.append([])
        else:
            parts[-1].append(tok)
    return [p for p in parts if p]
