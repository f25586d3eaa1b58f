"""What one server source file says about runtime keys and credentials, from one tokenization.

`file_facts(text)` returns plain data (cacheable as JSON): the direct `vars.get`/`secret.get`
reads (cast receivers included), each tagged with the parameter of the enclosing function it
passes on, if any (that function is then a wrapper); calls that may reach a wrapper, with
their arguments classified; named functions; imports/exports; and credential literal lines.
Which calls are reads is decided across modules by `key_resolve`.
"""

from __future__ import annotations

from typing import Any

from edgespark_tasks.checks.filefacts import FileFacts
from edgespark_tasks.checks.jsfunctions import Function, enclosing_param, find_functions
from edgespark_tasks.checks.jsimports import DOT, at, find_bindings
from edgespark_tasks.checks.jsmodules import module_links
from edgespark_tasks.checks.jstokens import Token, matching, tokenize
from edgespark_tasks.checks.secret_scan import code_secret_lines, token_lines

MODULE = "edgespark"
READERS = {"vars": "var", "secret": "secret"}
_LITERALS = ("string", "template")
_ARG_END = (")", ",", "as", "satisfies", "!")
_NOT_CALLEES = frozenset({"if", "for", "while", "switch", "catch", "return", "typeof", "function",
                          "import", "require", "super", "await", "with", "void", "delete"})
# Argument classes: [tag, value, index]: ["lit", KEY, 0], ["param", FUNCTION, N], ["other", "", 0]
Arg = list[Any]


def _arg(tokens: list[Token], i: int, functions: list[Function]) -> Arg:
    tok = tokens[i] if i < len(tokens) else None
    if tok is None or at(tokens, i + 1) not in _ARG_END:
        return ["other", "", 0]
    if tok.kind in _LITERALS:
        return ["lit", tok.value, 0]
    if tok.kind == "name":
        owner = enclosing_param(functions, i, tok.value)
        if owner is not None:
            return ["param", owner[0], owner[1]]
    return ["other", "", 0]


def _args(tokens: list[Token], open_: int, functions: list[Function]) -> list[Arg]:
    close, args, depth, start = matching(tokens, open_), [], 0, open_ + 1
    for j in range(open_ + 1, close + 1):
        value = at(tokens, j)
        if value in ("(", "[", "{"):
            depth += 1
        elif value in (")", "]", "}") and j < close:
            depth -= 1
        elif (value == "," and depth == 0) or j == close:
            if j > start:
                args.append(_arg(tokens, start, functions))
            start = j + 1
    return args


def _receiver(tokens: list[Token], i: int, bound: dict[str, str],
              namespaces: set[str], inline_ends: set[int]) -> tuple[str, int] | None:
    """(kind, index after it) when a `vars`/`secret` receiver expression starts at `i`:
    a bound name, `ns.secret`, `(await import("edgespark")).vars`, or any of them wrapped in
    parentheses with casts: `(secret as unknown as { get(k: string): string }).get(k)`."""
    tok = tokens[i] if i < len(tokens) else None
    if tok is None:
        return None
    after_dot = at(tokens, i - 1) in DOT
    if tok.kind == "name" and not after_dot and tok.value in bound:
        return bound[tok.value], i + 1 + (at(tokens, i + 1) == "!")
    if ((tok.kind == "name" and not after_dot and tok.value in namespaces) or i in inline_ends) \
            and at(tokens, i + 1) in DOT and at(tokens, i + 2) in READERS:
        return READERS[at(tokens, i + 2)], i + 3
    if tok.kind == "punct" and tok.value == "(":
        inner = i + 1
        if at(tokens, inner) == "<":  # `(<any>secret)`
            while inner < len(tokens) and at(tokens, inner) != ">":
                inner += 1
            inner += 1
        found = _receiver(tokens, inner, bound, namespaces, inline_ends)
        if found and at(tokens, found[1]) in (")", "as", "!", "satisfies"):
            return found[0], matching(tokens, i) + 1
    return None


def _is_definition(tokens: list[Token], paren: int) -> bool:
    """`name(params) {` or `name(params): T {` is a method definition, not a call."""
    if at(tokens, paren - 2) == "function":
        return True
    close = matching(tokens, paren)
    return at(tokens, close + 1) == "{" or (
        at(tokens, close + 1) == ":" and at(tokens, paren - 2) not in ("?", ":", "=", "(", ","))


def file_facts(text: str) -> FileFacts:
    """Everything the runtime-keys and no-secret-files checks need from one source file."""
    tokens = tokenize(text)
    found = find_bindings(tokens, MODULE, READERS)
    bound = {local: READERS[name] for local, name in found.names.items()}
    functions = find_functions(tokens)
    links = module_links(tokens)
    facts = FileFacts(
        functions=sorted({f.name for f in functions if f.name and not f.method}),
        imports={k: list(v) for k, v in links.imports.items()},
        exports=links.exports, reexports=[list(r) for r in links.reexports],
        secret_lines=token_lines(text),
        code_secrets=[list(pair) for pair in code_secret_lines(tokens)])
    callable_names = {name.split(".")[0] for name in facts.functions} | set(links.imports)
    reader_ends: set[int] = set()
    for i, tok in enumerate(tokens):
        if tok.kind not in ("name", "punct") or i in reader_ends:
            continue
        receiver = _receiver(tokens, i, bound, found.namespaces, found.inline_ends)
        if receiver is not None:
            kind, end = receiver
            if at(tokens, end) in DOT and at(tokens, end + 1) + at(tokens, end + 2) == "get(":
                reader_ends.update(range(i, end + 3))
                arg = _arg(tokens, end + 3, functions)
                via = f"{'vars' if kind == 'var' else 'secret'}.get"
                key, line = (arg[1] if arg[0] == "lit" else None), _line(tokens, end + 3)
                owner = arg[1:] if arg[0] == "param" else [None, -1]
                facts.reads.append([kind, key, line, via, *owner])
            continue
        if tok.kind != "name" or at(tokens, i + 1) != "(" or tok.value in _NOT_CALLEES:
            continue
        member = ""
        callee = tok.value
        if at(tokens, i - 1) in DOT:
            if i < 2 or tokens[i - 2].kind != "name" or at(tokens, i - 3) in DOT:
                continue
            callee, member = tokens[i - 2].value, tok.value
        elif _is_definition(tokens, i + 1):
            continue
        args = _args(tokens, i + 1, functions)
        # A call can reach a wrapper through a name this module defines or imports (or a
        # `runtime_key_wrappers` name, which matters only with a literal or passed-on key).
        known = callee in callable_names
        if args and (known or any(a[0] != "other" for a in args)):
            facts.calls.append([callee, member, _line(tokens, i + 2), args])
    return facts


def _line(tokens: list[Token], i: int) -> int:
    return tokens[min(i, len(tokens) - 1)].line if tokens else 1
