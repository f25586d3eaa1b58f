"""THE parser of `runtime.ts` and the scanner of runtime-key reads in server code.

`parse_runtime(text)` returns the declared var and secret names with their lines;
`find_reads(text, wrappers)` returns every `vars.get(...)` / `secret.get(...)` (and wrapper
call) in one server source file. Both work on tokens (see `jstokens`), so comments, quotes
inside comments, template literals and `as any` casts cannot fool them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Literal, NamedTuple

from edgespark_tasks.errors import BAD_INPUT, EdgesparkTasksError

if TYPE_CHECKING:
    from edgespark_tasks.checks.jstokens import Token

KeyKind = Literal["var", "secret"]
TYPE_NAMES: dict[str, KeyKind] = {"VarKey": "var", "SecretKey": "secret"}
# The objects `edgespark` exports for reading keys, and the kind each reads.
READERS: dict[str, KeyKind] = {"vars": "var", "secret": "secret"}
MODULE = "edgespark"
_LITERALS = ("string", "template")


class RuntimeKeysError(EdgesparkTasksError):
    """`runtime.ts` is written in a way the parser does not understand."""

    exit_code = BAD_INPUT

    def __init__(self, message: str, line: int | None = None, hint: str = "") -> None:
        super().__init__(message, hint)
        self.line = line


class RuntimeKeys(NamedTuple):
    """Declared key names, each mapped to the line that declares it."""

    vars: dict[str, int]
    secrets: dict[str, int]

    def kind_of(self, key: str) -> KeyKind | None:
        """`var`, `secret`, or None when the key is not declared."""
        if key in self.vars:
            return "var"
        return "secret" if key in self.secrets else None

    def declared(self, kind: KeyKind) -> dict[str, int]:
        """The keys of one kind."""
        return self.vars if kind == "var" else self.secrets


class Read(NamedTuple):
    """One read of a runtime key. `key` is None when it is not a literal (not checkable).
    `either`: through a helper that reads vars or secrets depending on its other arguments,
    so the key may be of either kind (`kind` is then only the first one seen)."""

    kind: KeyKind
    key: str | None
    line: int
    checkable: bool
    via: str = ""
    either: bool = False


def parse_runtime(text: str) -> RuntimeKeys:
    """Parse runtime.ts: `export type VarKey = | "A" | "B";` and `SecretKey` (or `= never`).

    Raises RuntimeKeysError when a type is missing or is not a union of string literals.
    """
    from edgespark_tasks.checks.jsimports import DOT  # the tokenizer, only when parsing
    from edgespark_tasks.checks.jstokens import JsSyntaxError, tokenize

    try:
        tokens = tokenize(text, strict=True)
    except JsSyntaxError as exc:
        raise RuntimeKeysError(exc.message, exc.line) from None
    found: dict[KeyKind, dict[str, int]] = {}
    for i, tok in enumerate(tokens[:-2]):
        if tok.kind != "name" or tok.value != "type" or tokens[i + 1].value not in TYPE_NAMES:
            continue
        if i > 0 and tokens[i - 1].kind == "punct" and tokens[i - 1].value in DOT:
            continue
        name = tokens[i + 1].value
        kind = TYPE_NAMES[name]
        if kind in found:
            raise RuntimeKeysError(f"{name} is declared twice", tokens[i + 1].line)
        if tokens[i + 2].value != "=":
            raise RuntimeKeysError(f"expected `=` after `type {name}`", tokens[i + 2].line)
        found[kind] = _union(tokens, i + 3, name)
    for name, kind in TYPE_NAMES.items():
        if kind not in found:
            raise RuntimeKeysError(
                f"runtime.ts declares no `export type {name}`",
                hint=f'add `export type {name} = never;` (or a union of "NAMES")',
            )
    return RuntimeKeys(vars=found["var"], secrets=found["secret"])


def _union(tokens: list[Token], i: int, name: str) -> dict[str, int]:
    """Read `| "A" | "B"` (optionally parenthesised, or `never`) starting at `tokens[i]`."""
    keys: dict[str, int] = {}
    depth = 0
    expect_member = True
    while i < len(tokens):
        tok = tokens[i]
        if tok.kind == "punct" and tok.value == "(" and expect_member:
            depth += 1
        elif tok.kind == "punct" and tok.value == "|" and expect_member and not keys:
            pass  # a leading `|` before the first member
        elif tok.kind == "punct" and tok.value == "|" and not expect_member:
            expect_member = True
        elif tok.kind == "punct" and tok.value == ")" and depth and not expect_member:
            depth -= 1
        elif expect_member and tok.kind in _LITERALS:
            keys.setdefault(tok.value, tok.line)
            expect_member = False
        elif expect_member and tok.kind == "name" and tok.value == "never" and not keys:
            expect_member = False
        elif expect_member:
            raise RuntimeKeysError(
                f"{name} must be a union of string literals or `never`, found `{tok.value}`",
                tok.line,
                hint=f'write it as `export type {name} = | "KEY_A" | "KEY_B";`',
            )
        else:
            break  # `;`, the next `export`, or anything else ends the type
        i += 1
    if expect_member or depth:
        line = tokens[i - 1].line if i else None
        raise RuntimeKeysError(f"{name} ends unexpectedly", line)
    return keys


def find_reads(text: str, wrappers: Mapping[str, str] | None = None) -> list[Read]:
    """Every runtime-key read in one server source file, in line order.

    Reads go through names bound to `vars` / `secret` (static `import`, `await import(...)`,
    `require(...)`, aliases, namespace imports, cast receivers), through wrapper functions
    defined in the file (inferred, see `key_resolve`) and through `wrappers` (function name
    -> "var" | "secret"). Other objects' `.get("UPPER")` calls are ignored. A project-wide
    scan (wrappers imported from other modules) goes through `key_resolve` directly.
    """
    from pathlib import Path

    from edgespark_tasks.checks.key_resolve import ModuleGraph, resolve_reads
    from edgespark_tasks.checks.keyfacts import file_facts

    path = Path("/module.ts")
    graph = ModuleGraph({path: file_facts(text)}, path.parent)
    return resolve_reads(graph, wrappers)[path]
