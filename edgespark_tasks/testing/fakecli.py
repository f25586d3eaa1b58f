"""The `FakeCli` handle tests use to install, script and inspect the fake `edgespark`."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from edgespark_tasks.testing import fake_cli

FAKE_API_KEY = "esk_test_9f8e7d6c5b4a39281706f5e4d3c2b1a0"


class FakeCli:
    """A fake `edgespark` executable in `root/bin`, with its state in `root/state`.

    `env` holds the variables that make tools use it (EDGESPARK_CLI, PATH, a fake API key).
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.state = root / "state"
        self.bin = root / "bin"
        self.state.mkdir(parents=True, exist_ok=True)
        self.bin.mkdir(parents=True, exist_ok=True)
        self.executable = self.bin / "edgespark"
        source = Path(fake_cli.__file__).read_text()
        # -S: skip site-packages; the fake needs only the standard library and starts faster.
        self.executable.write_text(f"#!{sys.executable} -S\n{source}")
        self.executable.chmod(0o755)
        self.api_key = FAKE_API_KEY
        self._script: dict[str, Any] = {}

    @property
    def env(self) -> dict[str, str]:
        """Environment overrides for a subprocess that should use this fake."""
        return {
            "EDGESPARK_CLI": str(self.executable),
            "EDGESPARK_FAKE_DIR": str(self.state),
            "EDGESPARK_API_KEY": self.api_key,
            "PATH": f"{self.bin}{os.pathsep}{os.environ.get('PATH', '')}",
        }

    def environ(self, **extra: str) -> dict[str, str]:
        """The full environment for a subprocess: os.environ + `env` + `extra`.

        `CI` is not inherited (pass `CI="true"` to test CI behaviour), so a test behaves the
        same on a developer's machine and on a CI runner.
        """
        inherited = {k: v for k, v in os.environ.items() if k != "CI"}
        return {**inherited, **self.env, **extra}

    def _save(self) -> None:
        (self.state / "script.json").write_text(json.dumps(self._script))

    def respond(self, command: str, *, exit: int = 0, stdout: str = "", stderr: str = "",
                times: int | None = None) -> None:
        """Script the next call(s) of `command` (e.g. "storage apply"); `times=None`: always."""
        response: dict[str, Any] = {"exit": exit, "stdout": stdout, "stderr": stderr}
        if times is not None:
            response["times"] = times
        self._script.setdefault("responses", {}).setdefault(command, []).append(response)
        self._save()

    def set(self, **values: Any) -> None:
        """Set other script keys: version, missing, sleep, secrets, url, generate_sql,
        probe_sleep (seconds each `--version`/`--help` takes)."""
        self._script.update(values)
        self._save()

    def calls(self) -> list[dict[str, Any]]:
        """Every recorded call, oldest first."""
        path = self.state / "calls.jsonl"
        if not path.is_file():
            return []
        return [json.loads(line) for line in path.read_text().splitlines() if line]

    def commands(self) -> list[str]:
        """Each call's argv without `--environment X`, joined: e.g. "var set A=1"."""
        out = []
        for call in self.calls():
            argv = list(call["argv"])
            if "--environment" in argv:
                i = argv.index("--environment")
                del argv[i:i + 2]
            out.append(" ".join(argv))
        return out

    def probes(self) -> list[list[str]]:
        """The argv of every `--version` / `--help` call (capability probes), oldest first."""
        return [entry["argv"] for entry in self._probe_entries()]

    def probe_overlaps(self) -> int:
        """How many capability probes ran while another probe or call was running."""
        spans = [(p["time"], p["end"]) for p in self._probe_entries()]
        spans += [(c["start"], c["end"]) for c in self.calls() if "end" in c]
        spans.sort()
        overlapping, latest_end = 0, float("-inf")
        for start, end in spans:
            overlapping += start < latest_end
            latest_end = max(latest_end, end)
        return overlapping

    def _probe_entries(self) -> list[dict[str, Any]]:
        path = self.state / "probes.jsonl"
        if not path.is_file():
            return []
        return [json.loads(line) for line in path.read_text().splitlines() if line]

    def started(self) -> list[dict[str, Any]]:
        """Every call as it started (pid, command, cwd), oldest first; finished or not."""
        path = self.state / "started.jsonl"
        if not path.is_file():
            return []
        return [json.loads(line) for line in path.read_text().splitlines() if line]

    def overlaps(self) -> int:
        """How many calls found another call running in the same project folder."""
        return sum(1 for call in self.calls() if call.get("overlap"))

    def clear(self) -> None:
        """Forget the recorded calls and probes (the script stays)."""
        (self.state / "calls.jsonl").unlink(missing_ok=True)
        (self.state / "probes.jsonl").unlink(missing_ok=True)
        (self.state / "started.jsonl").unlink(missing_ok=True)
