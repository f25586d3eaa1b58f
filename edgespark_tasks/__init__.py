"""edgespark-tasks: the EdgeSpark workflow as invoke tasks, doit tasks and pre-commit hooks.

Start-up cost matters here: a pre-commit hook or a gate is a new Python process on every
commit. So the modules a hook or gate loads (`project/`, `runner/`, the offline checks,
`engine/steps.py`, `engine/gates.py`, `engine/direct.py`) define their value types as
`typing.NamedTuple`s or plain classes, not dataclasses: importing `dataclasses` loads
`inspect` (about 5 ms) and each frozen dataclass costs about 0.6 ms to create, against
0.08 ms for a NamedTuple. The rest of the engine (plan, report, pipeline) uses dataclasses.
`tests/test_lean_paths.py` keeps the hook and gate paths this way.
"""

__version__ = "0.1.0"
