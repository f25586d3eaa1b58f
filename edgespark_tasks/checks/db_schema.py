"""Does `db_schema.ts` define any table? Fresh projects from the official templates hold only
comments, imports and commented-out examples: nothing to migrate, so no schema hash yet.
"""

from __future__ import annotations

from pathlib import Path

NO_TABLE = "schema defines no table"


def defines_tables(text: str) -> bool:
    """True when the code (comments aside) calls a Drizzle table builder (`sqliteTable(`,
    `pgTable(`, a `...TableCreator` result named `*Table`) or re-exports another module,
    which may define tables this file cannot see."""
    # The tokenizer only here: a plan asks this only for a project without migrations.
    from edgespark_tasks.checks.jsimports import DOT, at
    from edgespark_tasks.checks.jstokens import matching, tokenize

    tokens = tokenize(text)
    for i, tok in enumerate(tokens):
        if tok.kind != "name" or at(tokens, i - 1) in DOT:
            continue
        if tok.value.endswith("Table") and at(tokens, i + 1) == "(":
            return True
        if tok.value == "export" and at(tokens, i + 1) == "*":
            return True  # `export * from "./tables"`
        if tok.value == "export" and at(tokens, i + 1) == "{" \
                and at(tokens, matching(tokens, i + 1) + 1) == "from":
            return True
    return False


def has_nothing_to_migrate(schema: Path, migrations: list[Path]) -> bool:
    """A schema without tables and no migration yet: `db generate` has nothing to do."""
    if migrations or not schema.is_file():
        return False
    return not defines_tables(schema.read_text(encoding="utf-8", errors="replace"))
