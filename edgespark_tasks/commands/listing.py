"""`edgespark-tasks steps` and `edgespark-tasks hooks`: the catalogue and the plugin hooks."""

from __future__ import annotations

import argparse
import inspect
from collections.abc import Sequence

from edgespark_tasks import errors
from edgespark_tasks.engine import hookspecs
from edgespark_tasks.engine.steps import CATALOGUE, Step


def steps_for(args: argparse.Namespace) -> Sequence[Step]:
    """The catalogue plus plugin steps when a project is at hand, else the built-in one."""
    from edgespark_tasks.engine.session import open_session

    try:
        return open_session(args.project, flags={"environment": args.environment}).steps
    except errors.ProjectError:
        if args.project is not None:
            raise
        return CATALOGUE


def print_steps(args: argparse.Namespace) -> int:
    """The catalogue, one step a line, with its command, inputs, outputs and flags."""
    print(f"{'step':<16} {'command':<34} inputs -> outputs")
    for step in steps_for(args):
        flags = [name for name, on in (("network", step.network), ("human", step.interactive),
                                       ("remote", step.remote), ("pipeline", step.pipeline)) if on]
        io = ", ".join(step.inputs) or "-"
        if step.outputs:
            io += " -> " + ", ".join(step.outputs)
        print(f"{step.id:<16} {step.command:<34} {io}  [{' '.join(flags)}]")
    return 0


def hook_functions() -> list[tuple[str, str, str]]:
    """(name, signature, first docstring line) of every hookspec, in definition order."""
    found = [
        (fn.__code__.co_firstlineno, name, fn)
        for name, fn in vars(hookspecs).items()
        if name.startswith("edgespark_") and inspect.isfunction(fn)
    ]
    return [(name, str(inspect.signature(fn)).replace("'", ""),
             (fn.__doc__ or "").strip().splitlines()[0]) for _, name, fn in sorted(found)]


def print_hooks() -> int:
    """Every hook with its signature and first docstring line."""
    for name, signature, doc in hook_functions():
        print(f"{name}{signature}\n    {doc}")
    return 0
