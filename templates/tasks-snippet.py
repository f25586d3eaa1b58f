# --- EdgeSpark tasks (from `edgespark-tasks init`): add at the end of your tasks.py ---------
# They appear under `es.` (inv es.deploy, inv es.pull.types --check).
import sys

from invoke import Collection

from edgespark_tasks.invoke import ns as edgespark_ns

if "ns" not in globals():  # no namespace yet: start from the tasks invoke finds in this file
    ns = Collection.from_module(sys.modules[__name__])
ns.add_collection(edgespark_ns, "es")
