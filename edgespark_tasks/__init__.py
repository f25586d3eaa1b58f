"""edgespark-tasks: the EdgeSpark workflow as invoke tasks, doit tasks and pre-commit hooks."""

__version__ = "0.1.0"
