"""The facts `keyfacts.file_facts` extracts from one server source file, as plain data.

Kept apart from the extractor so that reading them back from the cache loads no tokenizer.
"""

from __future__ import annotations

from typing import Any

# In `imports` and `exports`: a namespace import (`import * as ns`) and the default export.
NAMESPACE = "*"
DEFAULT = "default"


class FileFacts:
    """What `keyfacts.file_facts` found (its docstring tells each field). Lists, not tuples,
    so the JSON round trip is exact. A plain class, not a dataclass: hooks load it on every
    commit (see `edgespark_tasks/__init__.py`)."""

    __slots__ = FIELDS = ("reads", "calls", "functions", "imports", "exports", "reexports",
                          "secret_lines", "code_secrets")

    def __init__(self, reads: list[list[Any]] | None = None,
                 calls: list[list[Any]] | None = None, functions: list[str] | None = None,
                 imports: dict[str, list[str]] | None = None,
                 exports: dict[str, str] | None = None,
                 reexports: list[list[str]] | None = None,
                 secret_lines: list[int] | None = None,
                 code_secrets: list[list[Any]] | None = None) -> None:
        self.reads = reads or []  # kind, key|None, line, via, fn, idx
        self.calls = calls or []  # callee, member|"", line, [Arg...]
        self.functions = functions or []
        self.imports = imports or {}
        self.exports = exports or {}
        self.reexports = reexports or []
        self.secret_lines = secret_lines or []
        self.code_secrets = code_secrets or []  # line, name

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FileFacts) and self.to_json() == other.to_json()

    __hash__ = None  # type: ignore[assignment]  # mutable, like the dataclass it replaced

    def __repr__(self) -> str:
        return f"FileFacts({self.to_json()!r})"

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (the fields already hold only lists, dicts and scalars)."""
        return {name: getattr(self, name) for name in self.FIELDS}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FileFacts:
        """The facts back from `to_json`; TypeError when the data has other keys."""
        return cls(**data)
