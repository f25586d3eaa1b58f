"""invoke tasks for this repository: the EdgeSpark workflow from edgespark-tasks.

    inv --list                 every task
    inv deploy                 the documented sequence, doing only what changed
    inv plan                   what `inv deploy` would do, and why
    inv pull.types --check     are the generated server types stale?

Settings live in pyproject.toml under [tool.edgespark-tasks]; see `edgespark-tasks doctor`.
"""

from edgespark_tasks.invoke import ns  # noqa: F401
