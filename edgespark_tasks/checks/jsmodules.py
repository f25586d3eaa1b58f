"""What a module imports from and exports to other modules, by name (static forms only).

Imports: `import d, { a, b as c } from "m"`, `import * as ns from "m"`.
Exports: `export function f`, `export const f =`, `export default f` / `export default
function`, `export { a, b as c }`, and re-exports `export { a as b } from "m"`,
`export * from "m"`. Type-only imports and exports bind nothing at run time.
"""

from __future__ import annotations

from edgespark_tasks.checks.filefacts import DEFAULT, NAMESPACE
from edgespark_tasks.checks.jsimports import DOT, at
from edgespark_tasks.checks.jstokens import Token, matching

__all__ = ["DEFAULT", "NAMESPACE", "ModuleLinks", "module_links"]


class ModuleLinks:
    """`imports`: local name -> (specifier, imported name or `*`); `exports`: exported name ->
    local name; `reexports`: (specifier, imported name or `*`, exported name or `*`)
    (plain class, not a dataclass: hooks load it, see `edgespark_tasks/__init__.py`)."""

    __slots__ = ("exports", "imports", "reexports")

    def __init__(self) -> None:
        self.imports: dict[str, tuple[str, str]] = {}
        self.exports: dict[str, str] = {}
        self.reexports: list[tuple[str, str, str]] = []


def _pairs(tokens: list[Token], open_: int, close: int) -> list[tuple[str, str]]:
    """`{ a, b as c, type T }` -> [(a, a), (b, c)]: (name outside, name inside)."""
    pairs: list[tuple[str, str]] = []
    part: list[Token] = []
    for tok in [*tokens[open_ + 1:close], Token("punct", ",", 0)]:
        if tok.kind == "punct" and tok.value == ",":
            names = [t.value for t in part if t.kind in ("name", "string")]
            if names and names[0] != "type":
                pairs.append((names[0], names[-1] if "as" in names else names[0]))
            part = []
        else:
            part.append(tok)
    return pairs


def _from(tokens: list[Token], i: int) -> tuple[str, int] | None:
    """The `from "m"` specifier at or after `i` within the statement, and its index."""
    while i < len(tokens) and at(tokens, i) not in (";", "from"):
        if tokens[i].kind == "string":
            return None
        i += 1
    if at(tokens, i) == "from" and i + 1 < len(tokens) and tokens[i + 1].kind == "string":
        return tokens[i + 1].value, i + 1
    return None


def module_links(tokens: list[Token]) -> ModuleLinks:
    """Imports, exports and re-exports of one module."""
    links = ModuleLinks()
    for i, tok in enumerate(tokens):
        if tok.kind != "name" or at(tokens, i - 1) in DOT:
            continue
        if tok.value == "import" and at(tokens, i + 1) not in ("(", "type", "."):
            _import(tokens, i + 1, links)
        elif tok.value == "export" and at(tokens, i + 1) != "type":
            _export(tokens, i + 1, links)
    return links


def _import(tokens: list[Token], i: int, links: ModuleLinks) -> None:
    source = _from(tokens, i)
    if source is None:
        return
    spec, end = source
    if tokens[i].kind == "name" and at(tokens, i) != "from":  # the default import
        links.imports[tokens[i].value] = (spec, DEFAULT)
        i += 1 + (at(tokens, i + 1) == ",")
    if at(tokens, i) == "*" and at(tokens, i + 1) == "as" and i + 2 < end:
        links.imports[tokens[i + 2].value] = (spec, NAMESPACE)
    elif at(tokens, i) == "{":
        for outer, inner in _pairs(tokens, i, matching(tokens, i)):
            links.imports[inner] = (spec, outer)


def _export(tokens: list[Token], i: int, links: ModuleLinks) -> None:
    value = at(tokens, i)
    if value == "default":
        nxt = at(tokens, i + 1)
        if nxt in ("function", "async", "class"):
            j = i + 2 + (nxt == "async") + (at(tokens, i + 2 + (nxt == "async")) == "*")
            name = at(tokens, j) if j < len(tokens) and tokens[j].kind == "name" else ""
            links.exports[DEFAULT] = name if name and name != "(" else DEFAULT
        elif i + 1 < len(tokens) and tokens[i + 1].kind == "name" and (
                i + 2 >= len(tokens) or at(tokens, i + 2) == ";"
                or tokens[i + 2].line > tokens[i + 1].line):
            links.exports[DEFAULT] = tokens[i + 1].value  # `export default name;`
        else:
            links.exports[DEFAULT] = DEFAULT  # `export default (k) => ...`
        return
    if value in ("async", "declare"):
        i += 1
        value = at(tokens, i)
    if value in ("function", "const", "let", "var", "class"):
        j = i + 1 + (at(tokens, i + 1) == "*")
        if j < len(tokens) and tokens[j].kind == "name":
            links.exports[tokens[j].value] = tokens[j].value
        return
    if value == "*":
        source = _from(tokens, i)
        if source is not None:
            alias = tokens[i + 2].value if at(tokens, i + 1) == "as" else NAMESPACE
            if alias == NAMESPACE:
                links.reexports.append((source[0], NAMESPACE, NAMESPACE))
        return
    if value == "{":
        close = matching(tokens, i)
        source = _from(tokens, close + 1)
        for inner, outer in _pairs(tokens, i, close):
            if source is None:
                links.exports[outer] = inner
            else:
                links.reexports.append((source[0], inner, outer))
