#!/usr/bin/env bash
# Quick start without an EdgeSpark account: `inv deploy` on a copy of examples/notes-app,
# with the fake `edgespark` CLI from edgespark_tasks.testing standing in for the cloud.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
bash "$here/.ci/setup"
exec "$here/.venv/bin/python" "$here/examples/demo.py"
