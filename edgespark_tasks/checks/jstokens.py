"""A small JavaScript/TypeScript tokenizer: just enough to find names and string literals.

Comments vanish, strings and template literals (nested `${...}` included) become single tokens,
and regex literals are told apart from division by the previous token. The checks only need
"which name is followed by which literal", so this is far simpler than a parser but, unlike a
regex over the raw text, it is not fooled by quotes inside comments or code inside strings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from edgespark_tasks.errors import EdgesparkTasksError


class JsSyntaxError(EdgesparkTasksError):
    """Source text the tokenizer cannot read (unterminated string, comment or template)."""

    exit_code = 2

    def __init__(self, message: str, line: int) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line


@dataclass(frozen=True)
class Token:
    """One token. Kinds: name, string, template (no `${}`), template_head, template_part,
    number, regex, punct. For strings and templates `value` is the text between the quotes."""

    kind: str
    value: str
    line: int


_SPACE = re.compile(r"[ \t\r\f\v\u00a0\ufeff\u2028\u2029]+")
# Unicode-aware via \w; a class spelling out \u0080-\uffff costs ~8 ms to compile per process.
_NAME = re.compile(r"[^\W\d][\w$]*|\$[\w$]*")
_NUMBER = re.compile(r"\d[\w.]*|\.\d\w*")
_STRINGS = {q: re.compile(q + r"(?:[^" + q + r"\\\n]|\\(?:\r\n|[\s\S]))*" + q) for q in "\"'"}
_REGEX = re.compile(r"/(?![*/])(?:[^/\\\[\n]|\\.|\[(?:[^\]\\\n]|\\.)*\])+/[A-Za-z]*")
_PUNCT = re.compile(r"\?\.(?!\d)|=>|\.\.\.|[^\s\w$]")
_ESCAPE = re.compile(r"\\(\r\n|[\s\S])")
# After these a `/` starts a regex literal rather than a division.
_REGEX_AFTER_NAMES = frozenset(
    ["return", "typeof", "instanceof", "in", "of", "new", "delete", "void", "throw", "case",
     "do", "else", "yield", "await"]
)


def _unescape(raw: str) -> str:
    # Keys are plain ASCII names; dropping the backslash of an escape is all they ever need.
    return _ESCAPE.sub(lambda m: "" if m.group(1) in ("\n", "\r\n") else m.group(1), raw)


def _regex_allowed(prev: Token | None) -> bool:
    if prev is None:
        return True
    if prev.kind == "name":
        return prev.value in _REGEX_AFTER_NAMES
    return prev.kind == "punct" and prev.value not in (")", "]", "}")


def tokenize(text: str, *, strict: bool = False) -> list[Token]:
    """Tokens of `text`, comments dropped.

    `strict` raises JsSyntaxError on an unterminated string, comment or template; otherwise
    the tokenizer recovers (a stray quote becomes punctuation) so that odd files such as JSX
    text with apostrophes never stop a scan.
    """
    tokens: list[Token] = []
    braces: list[bool] = []  # True where a `{` opened a template `${` substitution
    pos, line, end = 0, 1, len(text)

    def template(start: int, first: bool) -> int:
        """Scan template text from `start` (just after the backtick or `}`); returns new pos."""
        nonlocal line
        i, start_line = start, line
        while i < end:
            ch = text[i]
            if ch == "\\":
                i += 2
                continue
            if ch == "`" or (ch == "$" and text.startswith("${", i)):
                value = _unescape(text[start:i])
                line += text.count("\n", start, i)
                if ch == "`":
                    kind = "template" if first else "template_part"
                    tokens.append(Token(kind, value, start_line))
                    return i + 1
                tokens.append(Token("template_head" if first else "template_part", value,
                                    start_line))
                braces.append(True)
                return i + 2
            i += 1
        if strict:
            raise JsSyntaxError("unterminated template literal", start_line)
        line += text.count("\n", start, end)
        return end

    while pos < end:
        ch = text[pos]
        if ch == "\n":
            line += 1
            pos += 1
            continue
        m = _SPACE.match(text, pos)
        if m:
            pos = m.end()
            continue
        if text.startswith("//", pos):
            nl = text.find("\n", pos)
            pos = end if nl < 0 else nl
            continue
        if text.startswith("/*", pos):
            close = text.find("*/", pos + 2)
            if close < 0:
                if strict:
                    raise JsSyntaxError("unterminated comment", line)
                close = end
            line += text.count("\n", pos, close)
            pos = close + 2
            continue
        m = _NAME.match(text, pos)
        if m:
            tokens.append(Token("name", m.group(), line))
            pos = m.end()
            continue
        m = _NUMBER.match(text, pos)
        if m:
            tokens.append(Token("number", m.group(), line))
            pos = m.end()
            continue
        if ch in "\"'":
            m = _STRINGS[ch].match(text, pos)
            if m:
                tokens.append(Token("string", _unescape(m.group()[1:-1]), line))
                line += m.group().count("\n")
                pos = m.end()
                continue
            if strict:
                raise JsSyntaxError(f"unterminated string starting with {ch}", line)
        elif ch == "`":
            pos = template(pos + 1, True)
            continue
        elif ch == "/" and _regex_allowed(tokens[-1] if tokens else None):
            m = _REGEX.match(text, pos)
            if m:
                tokens.append(Token("regex", m.group(), line))
                pos = m.end()
                continue
        elif ch == "{":
            braces.append(False)
        elif ch == "}" and braces and braces.pop():
            pos = template(pos + 1, False)  # the `}` closing a template's `${`
            continue
        m = _PUNCT.match(text, pos)
        value = m.group() if m else ch
        tokens.append(Token("punct", value, line))
        pos += len(value)
    if strict and any(braces):
        raise JsSyntaxError("unterminated template literal `${...}`", line)
    return tokens


def matching(tokens: list[Token], index: int) -> int:
    """Index of the bracket closing the one at `index` (or len(tokens) if unbalanced)."""
    pairs = {"(": ")", "[": "]", "{": "}"}
    opener = tokens[index].value
    closer, depth = pairs[opener], 0
    for i in range(index, len(tokens)):
        tok = tokens[i]
        if tok.kind != "punct":
            continue
        if tok.value == opener:
            depth += 1
        elif tok.value == closer:
            depth -= 1
            if depth == 0:
                return i
    return len(tokens)
