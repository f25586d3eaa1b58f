"""invoke idioms our tasks keep that a plain `invoke.Task` gets wrong.

- Repeatable flags (`--only`, `--skip`) show a value placeholder in `--help`
  (`--only=STRING`), and one given without a value is an error instead of being ignored
  (invoke itself does neither for `iterable` flags; see `Repeatable`).
- Short flags only where a person expects one (`-e`, `-p`, `-d`, `-f`, `-y`); invoke's
  automatic ones (`-r` for --preflight, `-c` for --confirm-dangerous...) surprise.
- Numbers typed wrong (`--tail abc`) give one clear line, not a traceback from invoke's parser.
- invoke's own `--dry` (config `run.dry`) and `--echo` (`run.echo`) mean --dry-run and "print
  each CLI command line" in every task.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from invoke.context import Context
from invoke.parser.argument import Argument
from invoke.parser.context import ParserContext
from invoke.tasks import Task
from invoke.tasks import task as invoke_task

from edgespark_tasks import errors

SHORT_FLAGS = {"environment": "e", "project": "p", "dry_run": "d", "force": "f", "yes": "y"}


class Repeatable(Argument):
    """A repeatable flag (`--skip a --skip b`, invoke's `iterable`) that refuses a bare
    `--skip` and shows `--skip=STRING` in `--help`.

    invoke starts a list flag's `raw_value` at `[]`, so its parser never notices a missing
    value; starting it at None lets the parser's own check say "needed value".
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.raw_value = None

    def __repr__(self) -> str:  # invoke's parse errors quote the flag with {!r}
        return f"--{self.name.replace('_', '-') if self.name else ''}"


def _help_for(self: ParserContext, flag: str) -> tuple[str, str]:
    """invoke's help_for, plus the value placeholder it leaves out for list flags."""
    names, text = _plain_help_for(self, flag)
    if isinstance(self.flags.get(flag), Repeatable) and "STRING" not in names:
        names = ", ".join(f"{n} STRING" if len(n.strip("-")) == 1 else f"{n}=STRING"
                          for n in names.split(", "))
    return names, text


_plain_help_for = ParserContext.help_for
# Extends invoke's help for our Repeatable flags only; every other flag reads as before.
ParserContext.help_for = _help_for  # type: ignore[method-assign]


class EdgesparkTask(Task[Any]):
    """An invoke Task with our flag conventions (see the module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_shortflags", False)
        super().__init__(*args, **kwargs)

    def get_arguments(self, ignore_unknown_help: bool | None = None) -> list[Argument]:
        arguments = []
        for arg in super().get_arguments(ignore_unknown_help):
            short = SHORT_FLAGS.get(arg.attr_name or arg.name or "")
            names = (*arg.names, short) if short else arg.names
            if arg.kind is list:
                arg = Repeatable(names=names, kind=list, default=arg.default, help=arg.help,
                                 attr_name=arg.attr_name)
            else:
                arg.names = names
            arguments.append(arg)
        return arguments


def task(**kwargs: Any) -> Callable[[Callable[..., Any]], EdgesparkTask]:
    """invoke's `@task(...)`, making an EdgesparkTask."""
    made: Callable[[Callable[..., Any]], EdgesparkTask] = invoke_task(klass=EdgesparkTask,
                                                                     **kwargs)
    return made


def seconds(value: str | None, flag: str) -> float | None:
    """A `--tail N`-style value in seconds; one clear error line when it is not a number."""
    if value in (None, ""):
        return None
    try:
        number = float(str(value))
    except ValueError:
        raise errors.ArgumentError(f"--{flag} {value!r}: expected a number of seconds",
                                      f"e.g. --{flag} 30") from None
    return number  # the step judges the range (log tail for 0 s is an error there)


def invoke_switches(c: Context) -> dict[str, bool]:
    """RunOptions fields from invoke's own `--dry` and `--echo` (config `run.dry/echo`)."""
    run = c.config.get("run", {})
    return {"dry_run": bool(run.get("dry")), "echo": bool(run.get("echo"))}
