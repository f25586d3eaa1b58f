"""Redaction of secret values from everything we print or write."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping

MASK = "***"
# Environment variables whose values are secret whenever they are set.
SECRET_ENV_VARS = ("EDGESPARK_API_KEY",)
# Shorter values would mask ordinary words; real keys are long.
_MIN_LENGTH = 6


class Redactor:
    """Replaces every known secret value with `***`. Callable on any string."""

    def __init__(self, values: Iterable[str] = ()) -> None:
        self._values: set[str] = set()
        for value in values:
            self.add(value)

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Redactor:
        """A redactor knowing the secret environment variables' current values."""
        environ = os.environ if environ is None else environ
        return cls(environ[name] for name in SECRET_ENV_VARS if environ.get(name))

    def add(self, value: str | None) -> None:
        """Register one more secret value (ignored when too short to be a real secret)."""
        if value and len(value.strip()) >= _MIN_LENGTH:
            self._values.add(value.strip())

    def add_argv(self, argv: Iterable[str]) -> None:
        """Register the values of `--api-key X` / `--api-key=X` found in an argv."""
        items = list(argv)
        for index, item in enumerate(items):
            if item == "--api-key" and index + 1 < len(items):
                self.add(items[index + 1])
            elif item.startswith("--api-key="):
                self.add(item.split("=", 1)[1])

    def __call__(self, text: str) -> str:
        # Longest first, so a secret containing another is masked whole.
        for value in sorted(self._values, key=len, reverse=True):
            if value in text:
                text = text.replace(value, MASK)
        return text

    def argv(self, argv: Iterable[str]) -> list[str]:
        """An argv with secret values masked, for echoing."""
        return [self(item) for item in argv]
