"""Credential literals in text: key shapes anywhere, and `NAME = value` lines of config files.

Linear in the input on every line, however pathological (a test holds it to that): patterns
have one start per word and no nested repetition, and assignments are split by hand.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from edgespark_tasks.checks.credentials import PEM_KEY, is_placeholder, looks_like_credential

if TYPE_CHECKING:
    from edgespark_tasks.checks.jstokens import Token

# Each alternative starts at a word start and cannot backtrack into a quadratic search: the
# JWT starts only where no `-`/word character precedes, so a run of `eyJ-` has one start.
TOKEN = re.compile(
    PEM_KEY + r"|\b[sr]k_(?:live|test)_[0-9A-Za-z]{10,}"
    r"|\bgh[pousr]_[A-Za-z0-9]{30,}|\bgithub_pat_\w{30,}|\bxox[abprs]-[A-Za-z0-9-]{10,}"
    r"|\bAKIA[0-9A-Z]{16}\b|\bAIza[0-9A-Za-z_-]{35}|\bsk-(?:proj-)?[A-Za-z0-9_-]{20,}"
    r"|\bGOCSPX-[A-Za-z0-9_-]{20,}|(?<![\w-])eyJ[\w-]{10,}\.eyJ[\w-]{10,}\.[\w-]{10,}"
)
_CODE_SECRET_NAME = re.compile(r"(?i)(secret|password|passwd|private_?key|api_?key"
                               r"|signing_?key)$")
_KEY_NAME = re.compile(r"[A-Z][A-Z0-9_]*")
# One plain word is a label (`{ password: "Password" }`), not a secret.
_WORD = re.compile(r"[A-Z]?[a-z]+")
_NAME = re.compile(r"""["']?([\w.-]+)["']?[ \t]*[:=]""")
# project_id is a UUID: random-looking, but not a credential.
_UUID = re.compile(r"[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}")


def token_lines(text: str) -> list[int]:
    """1-based lines holding a credential-shaped literal (placeholders such as
    `sk-your-key-here` excluded)."""
    lines, newlines, last = [], 0, 0
    for m in TOKEN.finditer(text):
        if is_placeholder(m.group()):
            continue
        newlines += text.count("\n", last, m.start())
        last = m.start()
        lines.append(newlines + 1)
    return lines


def split_assignment(line: str) -> tuple[str, str] | None:
    """`NAME = value`, `NAME: value`, `export NAME=value` -> (NAME, value), quotes and a
    trailing ` # comment` removed; None for comments, blank and other lines."""
    text = line.strip()
    if not text or text[0] == "#":
        return None
    if text.startswith("export "):
        text = text[7:].lstrip()
    m = _NAME.match(text)
    if m is None:
        return None
    value = text[m.end():].strip()
    if value[:1] in ("'", '"'):
        close = value.find(value[0], 1)
        value = value[1:close] if close > 0 else value[1:]
    else:
        hash_at = value.find(" #")
        value = (value[:hash_at] if hash_at >= 0 else value).strip()
    return m.group(1), value


def assignment_lines(text: str, judge: Callable[[str, str], bool] = looks_like_credential,
                     skip: Callable[[str], bool] = lambda name: False
                     ) -> list[tuple[int, str]]:
    """(line, NAME) of each assignment whose value `judge(value, NAME)` calls a credential."""
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        pair = split_assignment(line)
        if pair is None or skip(pair[0]) or not pair[1] or _UUID.fullmatch(pair[1]):
            continue
        if judge(pair[1], pair[0]):
            found.append((number, pair[0]))
    return found


def code_secret_lines(tokens: list[Token]) -> list[tuple[int, str]]:
    """Hard-coded signing secrets in code: `jwtSecret = "..."`, `{ secret: "..." }`,
    `sign(p, "...")`, as (line, the name it is passed as)."""
    found = []
    for i, tok in enumerate(tokens[:-2]):
        if tok.kind != "name":
            continue
        value = None
        if _CODE_SECRET_NAME.search(tok.value) and tokens[i + 1].value in (":", "="):
            value = tokens[i + 2]
        elif tok.value in ("sign", "verify") and tokens[i + 1].value == "(":
            commas = [j for j in range(i + 2, min(i + 40, len(tokens)))
                      if tokens[j].kind == "punct" and tokens[j].value in (",", ")")]
            value = tokens[commas[0] + 1] if commas and tokens[commas[0]].value == "," \
                and commas[0] + 1 < len(tokens) else None
        if value is None or value.kind not in ("string", "template"):
            continue
        literal = value.value
        if (len(literal) >= 8 and not re.search(r"\s", literal)
                and not _KEY_NAME.fullmatch(literal) and not _WORD.fullmatch(literal)
                and not is_placeholder(literal)):
            found.append((value.line, tok.value))
    return found
