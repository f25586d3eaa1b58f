# --- EdgeSpark tasks (from `edgespark-tasks init`): add to your dodo.py ----------------------
# `edgespark:<step>` tasks (doit list). Their DOIT_CONFIG keeps one dependency file per
# EdgeSpark environment; if you have your own DOIT_CONFIG, merge: {**doit_config(), **yours}.
from edgespark_tasks.doit import DOIT_CONFIG, doit_config, task_edgespark  # noqa: F401
