"""The facts `keyfacts.file_facts` extracts from one server source file, as plain data.

Kept apart from the extractor so that reading them back from the cache loads no tokenizer.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

# In `imports` and `exports`: a namespace import (`import * as ns`) and the default export.
NAMESPACE = "*"
DEFAULT = "default"


@dataclass
class FileFacts:
    """What `keyfacts.file_facts` found (its docstring tells each field). Lists, not tuples,
    so the JSON round trip is exact."""

    reads: list[list[Any]] = field(default_factory=list)  # kind, key|None, line, via, fn, idx
    calls: list[list[Any]] = field(default_factory=list)  # callee, member|"", line, [Arg...]
    functions: list[str] = field(default_factory=list)
    imports: dict[str, list[str]] = field(default_factory=dict)
    exports: dict[str, str] = field(default_factory=dict)
    reexports: list[list[str]] = field(default_factory=list)
    secret_lines: list[int] = field(default_factory=list)
    code_secrets: list[list[Any]] = field(default_factory=list)  # line, name

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (the fields already hold only lists, dicts and scalars)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FileFacts:
        return cls(**data)
