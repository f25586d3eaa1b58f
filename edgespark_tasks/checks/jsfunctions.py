"""Function definitions in a token list: their names, parameter names and body spans.

Enough to answer "is this name a parameter of the function around this token, and which
one?", which is how runtime-key wrappers are recognised. Covers `function` declarations and
expressions, arrow functions (with or without parentheses, return types, expression bodies)
and methods. Destructured parameters keep their position but have no name.
"""

from __future__ import annotations

from typing import NamedTuple

from edgespark_tasks.checks.jsimports import DOT, at
from edgespark_tasks.checks.jsowners import Owners
from edgespark_tasks.checks.jstokens import Token, matching

# A name on a new line that starts a statement ends an arrow's expression body (ASI).
_STATEMENT_STARTS = frozenset({"export", "const", "let", "var", "function", "class", "import",
                               "return", "if", "for", "while", "type", "interface", "throw"})
_CLOSERS = frozenset({")", "]", "}"})
# `keyword (...) {` is a statement, not a method definition.
_NOT_METHODS = frozenset({"if", "for", "while", "switch", "catch", "with", "function", "return",
                          "typeof", "await", "new", "super"})


class Function(NamedTuple):
    """`name` is how the function can be called: `f`, or `obj.f` for a property of a named
    object literal or a static method (None when anonymous); `method` marks other methods,
    callable only through an instance. `params` hold one entry per parameter; the body spans
    tokens start..end."""

    name: str | None
    params: tuple[str | None, ...]
    start: int
    end: int
    method: bool = False


def _params(tokens: list[Token], open_: int, close: int) -> tuple[str | None, ...]:
    params: list[str | None] = []
    depth, expect = 0, True
    for tok in tokens[open_ + 1:close]:
        value = tok.value if tok.kind == "punct" else ""
        if value in ("(", "[", "{", "<"):
            if depth == 0 and expect and value in ("[", "{"):
                params.append(None)  # destructured
                expect = False
            depth += 1
        elif value in (")", "]", "}", ">"):
            depth -= 1
        elif value == "," and depth == 0:
            expect = True
        elif expect and depth == 0 and tok.kind == "name" and tok.value != "this":
            if tok.value in ("public", "private", "protected", "readonly"):
                continue
            params.append(tok.value)
            expect = False
    return tuple(params)


def _skip_return_type(tokens: list[Token], i: int) -> int:
    """From the token after a parameter list, the index of the body's `{` (or of `=>`)."""
    if at(tokens, i) != ":":
        return i
    depth = 0
    i += 1
    while i < len(tokens):
        value = at(tokens, i)
        if depth == 0 and value in ("=>", ";"):
            return i
        if value == "{" and depth == 0:
            close = matching(tokens, i)
            return close + 1 if at(tokens, close + 1) in ("{", "=>") else i
        if value in ("(", "[", "<", "{"):
            depth += 1
        elif value in (")", "]", ">", "}"):
            depth -= 1
        i += 1
    return i


def _expression_end(tokens: list[Token], i: int) -> int:
    depth = 0
    while i < len(tokens):
        tok = tokens[i]
        value = tok.value if tok.kind == "punct" else ""
        if value in ("(", "[", "{"):
            depth += 1
        elif value in _CLOSERS:
            if depth == 0:
                return i - 1
            depth -= 1
        elif depth == 0 and (value in (",", ";") or (
                tok.kind == "name" and tok.value in _STATEMENT_STARTS
                and i > 0 and tokens[i - 1].line < tok.line)):
            return i - 1
        i += 1
    return len(tokens) - 1


def _body(tokens: list[Token], i: int) -> tuple[int, int]:
    if at(tokens, i) == "{":
        return i, matching(tokens, i)
    return i, _expression_end(tokens, i)


def _bound_name(tokens: list[Token], i: int, owners: Owners) -> str | None:
    """`name = <function at i>` / `obj = { name: <function> }` (i: the function's first
    token); None for anonymous functions and properties of unnamed objects."""
    if at(tokens, i - 1) == "async":
        i -= 1
    if at(tokens, i - 1) == "default" and at(tokens, i - 2) == "export":
        return "default"
    if at(tokens, i - 1) == "=":
        annotated = _annotated_name(tokens, i - 2)
        if annotated is not None:
            return annotated
    if i >= 2 and tokens[i - 2].kind == "name" and at(tokens, i - 3) not in DOT:
        if at(tokens, i - 1) == "=":
            return tokens[i - 2].value
        if at(tokens, i - 1) == ":":
            return owners.member(tokens, i - 2)
    return None


def _annotated_name(tokens: list[Token], k: int) -> str | None:
    """`const name: SomeType = ` ending at `tokens[k]` (the type's last token) -> name."""
    depth = 0
    for j in range(k, max(k - 40, 1), -1):
        value = at(tokens, j)
        depth += (value in (")", "]", "}", ">")) - (value in ("(", "[", "{", "<"))
        if depth < 0 or (depth == 0 and value in (";", "=")):
            return None
        if depth == 0 and value == ":" and at(tokens, j - 2) in ("const", "let", "var"):
            return tokens[j - 1].value if tokens[j - 1].kind == "name" else None
    return None


def find_functions(tokens: list[Token]) -> list[Function]:
    """Every function in the file, in source order of their parameter lists."""
    found: list[Function] = []
    owners = Owners(tokens)
    for i, tok in enumerate(tokens):
        value = tok.value
        if tok.kind == "name" and value == "function" and at(tokens, i - 1) not in DOT:
            j = i + 1 + (at(tokens, i + 1) == "*")
            name = tokens[j].value if j < len(tokens) and tokens[j].kind == "name" else None
            j += name is not None
            if at(tokens, j) == "<":
                j = _angle_end(tokens, j) + 1
            if at(tokens, j) != "(":
                continue
            close = matching(tokens, j)
            start, end = _body(tokens, _skip_return_type(tokens, close + 1))
            found.append(Function(name or _bound_name(tokens, i, owners),
                                  _params(tokens, j, close), start, end))
        elif tok.kind == "punct" and value == "=>":
            found.extend(_arrow(tokens, i, owners))
        elif (tok.kind == "punct" and value == "(" and i > 0 and tokens[i - 1].kind == "name"
              and tokens[i - 1].value not in _NOT_METHODS and at(tokens, i - 2) != "function"):
            close = matching(tokens, i)
            k = _skip_return_type(tokens, close + 1)
            if at(tokens, k) == "{" and at(tokens, close + 1) in ("{", ":"):
                start, end = _body(tokens, k)
                member = owners.member(tokens, i - 1)
                found.append(Function(member or tokens[i - 1].value, _params(tokens, i, close),
                                      start, end, method=member is None))
    return found


def _angle_end(tokens: list[Token], i: int) -> int:
    depth = 0
    while i < len(tokens):
        depth += (at(tokens, i) == "<") - (at(tokens, i) == ">")
        if depth == 0:
            return i
        i += 1
    return i


def _arrow(tokens: list[Token], arrow: int, owners: Owners) -> list[Function]:
    j = arrow - 1
    if at(tokens, j) != ")":  # `): ReturnType =>`: walk back to the parameter list's `)`
        depth, k = 0, j
        while k > 0 and not (depth == 0 and at(tokens, k) == ":" and at(tokens, k - 1) == ")"):
            value = at(tokens, k)
            if value in (";", "=", "{", ",", "=>") and depth == 0:
                break
            depth += (value in (")", "]", ">", "}")) - (value in ("(", "[", "<", "{"))
            k -= 1
        j = k - 1 if at(tokens, k) == ":" and at(tokens, k - 1) == ")" else j
    start, end = _body(tokens, arrow + 1)
    if at(tokens, j) == ")":
        open_ = _opening(tokens, j)
        first = open_
        if at(tokens, first - 1) == ">":  # `<K extends string>(key: K) =>`
            first = _opening(tokens, first - 1, "<", ">")
        first -= at(tokens, first - 1) == "async"
        return [Function(_bound_name(tokens, first, owners), _params(tokens, open_, j), start,
                         end)]
    if j >= 0 and tokens[j].kind == "name":
        first = j - (at(tokens, j - 1) == "async")
        return [Function(_bound_name(tokens, first, owners), (tokens[j].value,), start, end)]
    return []


def _opening(tokens: list[Token], close: int, opener: str = "(", closer: str = ")") -> int:
    depth = 0
    for k in range(close, -1, -1):
        value = at(tokens, k)
        depth += (value == closer) - (value == opener)
        if depth == 0:
            return k
    return 0


def enclosing_param(functions: list[Function], index: int, name: str) -> tuple[str, int] | None:
    """(function name, parameter index) when `name` at token `index` is a parameter of the
    nearest enclosing function that has one by that name, and that function has a name."""
    around = [f for f in functions if f.start <= index <= f.end and name in f.params]
    if not around:
        return None
    inner = max(around, key=lambda f: f.start)
    return (inner.name, inner.params.index(name)) if inner.name and not inner.method else None
