"""`python -m edgespark_tasks`: the same as the `edgespark-tasks` command."""

import sys

from edgespark_tasks.console import main

sys.exit(main())
