"""What ran successfully last time, per project and environment.

A git-ignored JSON file (`.edgespark-tasks/state.json`) holding, per environment and step, the
digests of the step's input files and a small record (never a secret value). A step is recorded
only after it succeeded, with an atomic write, so an interrupted or failed step leaves the
previous record intact.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any, TypeGuard

from edgespark_tasks.errors import ProjectError, StateWriteError

STATE_FILE = "state.json"
DEFAULT_ENVIRONMENT = "(default)"


def _load(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {"version": 1, "environments": {}}
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError, RecursionError) as exc:
        detail = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        raise ProjectError(f"{path} is unreadable ({detail})",
                           "delete it to start afresh (every step will run once)") from None
    if not _well_formed(data):
        raise ProjectError(f"{path} is not an edgespark-tasks state file",
                           "delete it to start afresh (every step will run once)")
    return data


def _well_formed(data: Any) -> TypeGuard[dict[str, Any]]:
    """The shape `StepRecords` relies on: environments -> steps -> {files, at, record}."""
    if not isinstance(data, dict) or not isinstance(data.get("environments"), dict):
        return False
    for steps in data["environments"].values():
        if not isinstance(steps, dict):
            return False
        for record in steps.values():
            if not isinstance(record, dict):
                return False
            if not _str_map(record.get("files", {})):
                return False
            extra = record.get("record", {})
            if not isinstance(extra, dict) or not _str_map(extra.get("vars", {})):
                return False
            migrations = extra.get("migrations", [])
            if not isinstance(migrations, list) or not all(
                    isinstance(m, str) for m in migrations):
                return False
    return True


def _str_map(value: Any) -> bool:
    return isinstance(value, dict) and all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items())


def _write(path: Path, data: dict[str, Any]) -> None:
    # Write then rename: a crash mid-write never leaves a half-written state file.
    tmp = path.with_name(f".{STATE_FILE}.{os.getpid()}.tmp")
    try:
        with tmp.open("w") as handle:
            handle.write(json.dumps(data, indent=1, sort_keys=True))
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)  # a full disk must not leave an empty temp file behind
        raise StateWriteError(
            f"could not record success in {path}: {exc.strerror or exc}",
            "the step itself succeeded; free space (or fix permissions), then re-run: "
            "the next run repeats only the unrecorded steps") from None


def check_writable(folder: Path) -> None:
    """Refuse, before anything runs, a state folder where no success could be recorded
    (read-only, full, a file in its place): one line, nothing remote done."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder, prefix=".write-check-"):
            pass
        # The lock file must be creatable (opened as filelock would; filelock itself is
        # imported only when a success is recorded: a no-op run never needs it).
        os.close(os.open(str(folder / STATE_FILE) + ".lock", os.O_RDWR | os.O_CREAT, 0o644))
    except OSError as exc:
        detail = getattr(exc, "strerror", None) or exc
        raise ProjectError(
            f"{folder} is not writable ({detail}): edgespark-tasks records there what "
            "ran, so nothing was run", "make it writable (or remove it), then retry",
        ) from None


class StepRecords:
    """The recorded successes of one project in one environment."""

    def __init__(self, state_dir: Path, environment: str | None) -> None:
        self.path = state_dir / STATE_FILE
        self.environment = environment or DEFAULT_ENVIRONMENT
        self._data = _load(self.path)

    def reload(self) -> None:
        """Read the file again: another process may have recorded steps since (call this once
        the project lock is held, before planning)."""
        self._data = _load(self.path)

    def get(self, step_id: str) -> dict[str, Any] | None:
        """The last successful run of a step here, or None."""
        record = self._data["environments"].get(self.environment, {}).get(step_id)
        return record if isinstance(record, dict) else None

    def files(self, step_id: str) -> dict[str, str] | None:
        """The input digests recorded for a step, or None when it never succeeded here."""
        record = self.get(step_id)
        return dict(record.get("files", {})) if record else None

    def check_writable(self) -> None:
        """See `check_writable` (the folder of this state file)."""
        check_writable(self.path.parent)

    def record(self, step_id: str, files: dict[str, str], extra: dict[str, Any]) -> None:
        """Record a success (re-reading the file under a lock so parallel runs merge)."""
        import filelock

        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            lock = filelock.FileLock(str(self.path) + ".lock")
            lock.acquire()
        except OSError as exc:
            raise StateWriteError(
                f"could not record success in {self.path}: {exc.strerror or exc}",
                "the step itself succeeded; fix the folder, then re-run: "
                "the next run repeats only the unrecorded steps") from None
        try:
            data = _load(self.path)
            data["environments"].setdefault(self.environment, {})[step_id] = {
                "files": files, "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                **({"record": extra} if extra else {}),
            }
            _write(self.path, data)
            self._data = data
        finally:
            lock.release()

    def forget(self, step_ids: list[str] | None = None) -> None:
        """Drop records for some steps (all when None) in this environment."""
        import filelock

        with filelock.FileLock(str(self.path) + ".lock"):
            data = _load(self.path)
            env = data["environments"].get(self.environment, {})
            for step_id in list(env) if step_ids is None else step_ids:
                env.pop(step_id, None)
            if self.path.exists():
                _write(self.path, data)
            self._data = data
