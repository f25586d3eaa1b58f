"""doit tasks for this repository: each EdgeSpark step as `edgespark:<step>` (`doit list`)."""

from edgespark_tasks.doit import *  # noqa
