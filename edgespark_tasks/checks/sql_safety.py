"""Which SQL statements of a migration lose data: the guard behind `--confirm-dangerous`.

The SQL is tokenized with sqlparse, so strings (`'--'`), `--` and `/* */` comments, and any
whitespace or comment between keywords (`DROP/**/TABLE`) are seen as SQLite sees them.

Destructive (needs the flag): `DROP TABLE`, `DROP VIEW`, `DROP TRIGGER` and any other `DROP`
but `DROP INDEX` (an index holds no data; drizzle drops and recreates them routinely),
`ALTER TABLE .. DROP [COLUMN]`, `DELETE FROM` anywhere in a statement (also in a trigger body),
and `TRUNCATE`. SQLite's table rebuild (`CREATE TABLE __new_t` .. `INSERT INTO __new_t SELECT`
.. `DROP TABLE t` .. `ALTER TABLE __new_t RENAME TO t`) drops the old table, so it needs the
flag too; it is named as a rebuild. A statement that cannot be classified (an unknown first
word, an unterminated string, a `#` or `$$` construct SQLite does not have) needs the flag.
`UPDATE` and `INSERT OR REPLACE` are data backfills and pass.
"""

from __future__ import annotations

import itertools
from typing import NamedTuple

import sqlparse
from sqlparse import tokens as T

# First words of statements known to keep every row (DROP INDEX is decided separately).
_SAFE_FIRST = frozenset({"CREATE", "INSERT", "ALTER", "PRAGMA", "SELECT", "UPDATE", "REPLACE",
                         "WITH", "BEGIN", "COMMIT", "END", "DROP", "ANALYZE", "REINDEX",
                         "VACUUM", "SAVEPOINT", "RELEASE", "ROLLBACK"})


class Danger(NamedTuple):
    """One statement that needs `--confirm-dangerous`, and what it does."""

    what: str  # "DROP TABLE", "ALTER TABLE .. DROP", "DELETE", "unrecognised statement"...
    statement: str  # the statement, shortened to one line


def _tokens(statement: sqlparse.sql.Statement) -> list[sqlparse.sql.Token]:
    """The leaf tokens of a statement (sqlparse's flatten is untyped)."""
    return list(statement.flatten())  # type: ignore[no-untyped-call]


def _words(statement: sqlparse.sql.Statement) -> list[tuple[object, str]]:
    """(token type, value) of every token SQLite executes: no whitespace, no comments."""
    return [(tok.ttype, tok.value) for tok in _tokens(statement)
            if not tok.is_whitespace and tok.ttype not in T.Comment]


def _unclassifiable(statement: sqlparse.sql.Statement) -> bool:
    for tok in _tokens(statement):
        if tok.ttype in T.Error:
            return True
        if tok.ttype in T.Comment and tok.value.lstrip().startswith("#"):
            return True  # SQLite has no `#` comments: sqlparse and SQLite would disagree
        if tok.ttype in T.Literal and tok.value.startswith("$"):
            return True  # nor `$$` strings
    return False


def classify(statement: sqlparse.sql.Statement) -> str | None:
    """What makes one statement dangerous, or None when it keeps every row."""
    words = _words(statement)
    if not words:
        return None
    if _unclassifiable(statement):
        return "unrecognised statement"
    keywords = [value.upper() for ttype, value in words if ttype in T.Keyword]
    upper = [value.upper() for _ttype, value in words]
    first = upper[0]
    if any(pair == ("DELETE", "FROM") for pair in itertools.pairwise(upper)):
        return "DELETE"  # not `ON DELETE CASCADE` or a trigger's `AFTER DELETE ON`
    if first == "TRUNCATE":
        return "TRUNCATE"
    if first == "DROP":
        kind = keywords[1] if len(keywords) > 1 else ""
        return None if kind == "INDEX" else f"DROP {kind}".strip()
    if first == "ALTER" and "DROP" in keywords[1:]:
        return "ALTER TABLE .. DROP"
    if first not in _SAFE_FIRST:
        return "unrecognised statement"
    return None


def _names(statement: sqlparse.sql.Statement) -> list[str]:
    return [value for _ttype, value in _words(statement) if value not in (";", ".")]


def _renamed_into(statement: sqlparse.sql.Statement) -> str | None:
    """`t` for `ALTER TABLE x RENAME TO t`, else None."""
    words = _names(statement)
    upper = [w.upper() for w in words]
    if len(words) >= 6 and upper[:2] == ["ALTER", "TABLE"] and upper[3:5] == ["RENAME", "TO"]:
        return _bare(words[5])
    return None


def _dropped_table(statement: sqlparse.sql.Statement) -> str | None:
    words = _names(statement)
    upper = [w.upper() for w in words]
    if upper[:2] == ["DROP", "TABLE"] and len(words) > 2:
        return _bare(words[-1])
    return None


def _bare(name: str) -> str:
    return name.strip('`"[]').lower()


def dangers(sql: str) -> list[Danger]:
    """Every statement of `sql` that needs `--confirm-dangerous`, in order."""
    statements = [s for s in sqlparse.parse(sql) if _words(s)]
    renamed = {t for t in (_renamed_into(s) for s in statements) if t}
    found = []
    for statement in statements:
        what = classify(statement)
        if what is None:
            continue
        if what == "DROP TABLE" and _dropped_table(statement) in renamed:
            what = "table rebuild (copy, DROP TABLE, rename)"
        shown = sqlparse.format(str(statement), strip_comments=True)
        found.append(Danger(what, " ".join(shown.split())[:120]))
    return found
