"""A small JavaScript/TypeScript tokenizer: just enough to find names and string literals.

Comments vanish, strings and template literals (nested `${...}` included) become single tokens,
and regex literals are told apart from division by the previous token. The checks only need
"which name is followed by which literal", so this is far simpler than a parser but, unlike a
regex over the raw text, it is not fooled by quotes inside comments or code inside strings.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from edgespark_tasks.errors import BAD_INPUT, EdgesparkTasksError


class JsSyntaxError(EdgesparkTasksError):
    """Source text the tokenizer cannot read (unterminated string, comment or template)."""

    exit_code = BAD_INPUT

    def __init__(self, message: str, line: int) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line


class Token(NamedTuple):
    """One token. Kinds: name, string, template (no `${}`), template_head, template_part,
    number, regex, punct. For strings and templates `value` is the text between the quotes."""

    kind: str
    value: str
    line: int


# One pattern, tried once per token: whitespace (newlines counted), comments, names, numbers,
# then the characters that need a decision (quotes, backtick, slash, braces), then punctuation.
# Unicode-aware via \w; a class spelling out \u0080-\uffff costs ~8 ms to compile per process.
_MASTER = re.compile(
    r"(?P<space>[\s\ufeff]+)|(?P<line_comment>//[^\n]*)|(?P<block_comment>/\*)"
    r"|(?P<name>[^\W\d][\w$]*|\$[\w$]*)|(?P<number>\d[\w.]*|\.\d\w*)"
    r"|(?P<quote>[\"'])|(?P<backtick>`)|(?P<slash>/)|(?P<open>\{)|(?P<close>\})"
    r"|(?P<punct>\?\.(?!\d)|=>|\.\.\.|[\s\S])"
)
_STRINGS = {q: re.compile(q + r"(?:[^" + q + r"\\\n]|\\(?:\r\n|[\s\S]))*" + q) for q in "\"'"}
_TEMPLATE_STOP = re.compile(r"[`\\]|\$\{")
_FLAGS = re.compile(r"[A-Za-z]*")
_ESCAPE = re.compile(r"\\(\r\n|[\s\S])")
# After these a `/` starts a regex literal rather than a division.
_REGEX_AFTER_NAMES = frozenset(
    ["return", "typeof", "instanceof", "in", "of", "new", "delete", "void", "throw", "case",
     "do", "else", "yield", "await"]
)


def _unescape(raw: str) -> str:
    # Keys are plain ASCII names; dropping the backslash of an escape is all they ever need.
    if "\\" not in raw:
        return raw
    return _ESCAPE.sub(lambda m: "" if m.group(1) in ("\n", "\r\n") else m.group(1), raw)


def _regex_allowed(prev: Token | None) -> bool:
    if prev is None:
        return True
    if prev.kind == "name":
        return prev.value in _REGEX_AFTER_NAMES
    return prev.kind == "punct" and prev.value not in (")", "]", "}")


def _regex_end(text: str, pos: int, dead: set[int]) -> int:
    """End of the regex literal whose `/` is at `pos`, or -1 when there is none.

    A literal ends at the first `/` outside a `[...]` class, on the same line. Failed scans
    leave their (position, in-class) states in `dead`: a later scan reaching one of them would
    fail the same way, so it stops there. That keeps a line of `(/[` repeated linear.
    """
    end, i, in_class = len(text), pos + 1, False
    walked: list[int] = []
    while i < end:
        state = 2 * i + in_class
        if state in dead:
            break
        walked.append(state)
        ch = text[i]
        if ch == "\n":
            break
        if ch == "\\":
            if i + 1 >= end or text[i + 1] == "\n":
                break
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == "/":
            return _FLAGS.match(text, i + 1).end()  # type: ignore[union-attr]
        i += 1
    dead.update(walked)
    return -1


def tokenize(text: str, *, strict: bool = False) -> list[Token]:
    """Tokens of `text`, comments dropped. Linear in the length of `text`.

    `strict` raises JsSyntaxError on an unterminated string, comment or template; otherwise
    the tokenizer recovers (a stray quote becomes punctuation) so that odd files such as JSX
    text with apostrophes never stop a scan.
    """
    tokens: list[Token] = []
    append = tokens.append
    braces: list[bool] = []  # True where a `{` opened a template `${` substitution
    pos, line, end = 0, 1, len(text)
    dead_regex: set[int] = set()
    # A quote whose string failed to close before the end of line L makes every later quote
    # of the same kind on that line fail too (it was escaped inside the failed string).
    no_string_before = {'"': -1, "'": -1}

    def template(start: int, first: bool) -> int:
        """Scan template text from `start` (just after the backtick or `}`); returns new pos."""
        nonlocal line
        i, start_line = start, line
        while True:
            m = _TEMPLATE_STOP.search(text, i)
            if m is None:
                break
            i = m.start()
            if text[i] == "\\":
                i += 2
                continue
            value = _unescape(text[start:i])
            line += text.count("\n", start, i)
            if text[i] == "`":
                append(Token("template" if first else "template_part", value, start_line))
                return i + 1
            append(Token("template_head" if first else "template_part", value, start_line))
            braces.append(True)
            return i + 2
        if strict:
            raise JsSyntaxError("unterminated template literal", start_line)
        line += text.count("\n", start, end)
        return end

    while pos < end:
        m = _MASTER.match(text, pos)
        assert m is not None  # the last alternative matches any character
        kind = m.lastgroup
        if kind == "space":
            if "\n" in m.group():
                line += m.group().count("\n")
            pos = m.end()
            continue
        if kind == "name" or kind == "number":
            append(Token(kind, m.group(), line))
            pos = m.end()
            continue
        if kind == "line_comment":
            pos = m.end()
            continue
        if kind == "block_comment":
            close = text.find("*/", pos + 2)
            if close < 0:
                if strict:
                    raise JsSyntaxError("unterminated comment", line)
                close = end
            line += text.count("\n", pos, close)
            pos = close + 2
            continue
        ch = text[pos]
        if kind == "quote":
            if pos > no_string_before[ch]:
                sm = _STRINGS[ch].match(text, pos)
                if sm:
                    append(Token("string", _unescape(sm.group()[1:-1]), line))
                    line += sm.group().count("\n")
                    pos = sm.end()
                    continue
                if strict:
                    raise JsSyntaxError(f"unterminated string starting with {ch}", line)
                eol = text.find("\n", pos)
                no_string_before[ch] = end if eol < 0 else eol
        elif kind == "backtick":
            pos = template(pos + 1, True)
            continue
        elif kind == "slash" and _regex_allowed(tokens[-1] if tokens else None):
            stop = _regex_end(text, pos, dead_regex)
            if stop > 0:
                append(Token("regex", text[pos:stop], line))
                pos = stop
                continue
        elif kind == "open":
            braces.append(False)
        elif kind == "close" and braces and braces.pop():
            pos = template(pos + 1, False)  # the `}` closing a template's `${`
            continue
        value = m.group() if kind == "punct" else ch
        append(Token("punct", value, line))
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
