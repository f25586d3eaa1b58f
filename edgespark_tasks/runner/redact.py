"""Redaction of secret values from everything we print or write.

A value is masked wherever it appears, also when a terminal colour code splits it (a CLI may
colour part of a line: `esk_\\x1b[1mlive...`). Values of secret-bearing flags (`--api-key X`)
are masked in any argv we show, even before a Redactor learnt them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, Sequence

MASK = "***"
# Environment variables whose values are secret whenever they are set.
SECRET_ENV_VARS = ("EDGESPARK_API_KEY",)
# Command-line flags whose value is a secret (`--api-key X` or `--api-key=X`).
SECRET_FLAGS = ("--api-key", "--token", "--password")
# Shorter values would mask ordinary words; real keys are long.
_MIN_LENGTH = 6
# An ANSI escape sequence (CSI ... final byte, or a two-byte ESC sequence).
_ANSI = r"(?:\x1b\[[0-?]*[ -/]*[@-~]|\x1b[@-Z\\-_])"


def secret_flag_values(argv: Sequence[str]) -> list[str]:
    """The values of secret-bearing flags in an argv."""
    found = []
    for index, item in enumerate(argv):
        if item in SECRET_FLAGS and index + 1 < len(argv):
            found.append(argv[index + 1])
        elif item.startswith(tuple(f + "=" for f in SECRET_FLAGS)):
            found.append(item.split("=", 1)[1])
    return found


def mask_argv(argv: Sequence[str]) -> list[str]:
    """An argv with the values of secret-bearing flags replaced by `***`."""
    shown = list(argv)
    for index, item in enumerate(shown):
        if item in SECRET_FLAGS and index + 1 < len(shown):
            shown[index + 1] = MASK
        elif item.startswith(tuple(f + "=" for f in SECRET_FLAGS)):
            shown[index] = item.split("=", 1)[0] + "=" + MASK
    return shown


def shown_command(argv: Sequence[str]) -> str:
    """An argv as one line for messages, secret flag values masked."""
    return " ".join(mask_argv(argv))


class Redactor:
    """Replaces every known secret value with `***`. Callable on any string."""

    def __init__(self, values: Iterable[str] = ()) -> None:
        self._values: set[str] = set()
        self._pattern: re.Pattern[str] | None = None
        for value in values:
            self.add(value)

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Redactor:
        """A redactor knowing the secret environment variables' current values."""
        environ = os.environ if environ is None else environ
        return cls(environ[name] for name in SECRET_ENV_VARS if environ.get(name))

    def add(self, value: str | None) -> None:
        """Register one more secret value (ignored when too short to be a real secret)."""
        if value and len(value.strip()) >= _MIN_LENGTH and value.strip() not in self._values:
            self._values.add(value.strip())
            self._pattern = None

    def add_argv(self, argv: Iterable[str]) -> None:
        """Register the values of secret-bearing flags (`--api-key X`) found in an argv."""
        for value in secret_flag_values(list(argv)):
            self.add(value)

    @property
    def longest(self) -> int:
        """The length of the longest known secret (0 when none)."""
        return max((len(v) for v in self._values), default=0)

    def _ansi_pattern(self) -> re.Pattern[str]:
        if self._pattern is None:
            # Longest first, so a secret containing another is masked whole.
            alternatives = [f"{_ANSI}*".join(re.escape(c) for c in value)
                            for value in sorted(self._values, key=len, reverse=True)]
            self._pattern = re.compile("|".join(alternatives))
        return self._pattern

    def __call__(self, text: str) -> str:
        if not self._values:
            return text
        if "\x1b" in text:
            return self._ansi_pattern().sub(MASK, text)
        for value in sorted(self._values, key=len, reverse=True):
            if value in text:
                text = text.replace(value, MASK)
        return text

    def safe_split(self, text: str, keep: int) -> int:
        """Where `text` may be cut so that no secret straddles the cut, keeping at least
        `keep` characters after it (a secret may still be arriving there)."""
        cut = max(len(text) - keep, 0)
        if not self._values or cut == 0:
            return cut
        for match in self._ansi_pattern().finditer(text, max(cut - 4 * self.longest, 0)):
            if match.start() < cut < match.end():
                return match.start()
        return cut

    def argv(self, argv: Iterable[str]) -> list[str]:
        """An argv with secret values masked, for echoing."""
        return [self(item) for item in mask_argv(list(argv))]
