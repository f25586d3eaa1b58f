"""What the runner needs to know about one CLI call: an argv and a few facts, nothing more.

The engine builds a CliCall from a catalogue step (`Step.call`); the runner never sees the
catalogue. Kept free of heavy imports: the gate path loads it (a NamedTuple, not a
dataclass: see `edgespark_tasks/__init__.py`).
"""

from __future__ import annotations

from typing import NamedTuple


class CliCall(NamedTuple):
    """One `edgespark` command to run."""

    args: tuple[str, ...]  # everything after the CLI command line (words, options, values)
    label: str  # how messages name it, e.g. "edgespark pull types --check"
    name: str  # the key of `timeouts.<name>` and of hints, e.g. "types-check"
    stale_exit: bool = False  # exit 1 means "stale", not "error"
    interactive: bool = False  # a person must see the CLI's own terminal (browser hand-off)
    network: bool = True  # needs the EdgeSpark API
    # "server": touches only the server folder's generated files (or nothing on disk), so a
    # CLI that knows only the server-only layout can run it from the server folder;
    # "project": needs the whole layout (deploy).
    footprint: str = "project"

    @property
    def words(self) -> tuple[str, ...]:
        """The command path: the words before the first option (at most two)."""
        words = []
        for item in self.args:
            if item.startswith("-"):
                break
            words.append(item)
        return tuple(words[:2])
