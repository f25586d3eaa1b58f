"""edgespark-tasks: the EdgeSpark workflow as invoke tasks, doit tasks and pre-commit hooks.

Start-up cost matters here: a pre-commit hook or a gate is a new Python process on every
commit, and `inv deploy` or `doit` a new one on every run. So the modules those load
(`project/`, `runner/`, the offline checks, and the engine's steps, gates, context, plan,
report and session) define their value types as `typing.NamedTuple`s or plain classes,
not dataclasses: importing `dataclasses` loads `inspect` (about 5 ms) and each frozen
dataclass costs about 0.6 ms to create, against 0.08 ms for a NamedTuple. Commands run
now and then (`init`, `doctor`, monorepo runs) keep dataclasses.
`tests/test_lean_paths.py` keeps the hook and gate paths this way.
"""

__version__ = "0.1.0"
