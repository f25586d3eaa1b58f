"""The real-size app generator used by the benchmarks: big enough, and clean."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

from edgespark_tasks.checks import run_checks
from edgespark_tasks.project.model import load_project
from edgespark_tasks.project.settings import load_settings

BENCH = Path(__file__).resolve().parents[1] / "bench" / "realsize.py"


def _realsize():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("realsize", BENCH)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_real_size_app_is_big_enough_and_passes_every_offline_check(tmp_path: Path) -> None:
    root = _realsize().make_app(tmp_path / "app", git=True)
    sources = list((root / "server" / "src").rglob("*.ts"))
    assert len(sources) >= 70
    assert sum(p.read_text().count("\n") for p in sources) >= 7000
    assert len(list((root / "server" / "drizzle").glob("*.sql"))) >= 20
    settings = load_settings(root)
    findings = run_checks(load_project(root, settings.paths), settings, all_files=True)
    assert findings == [], [f.format() for f in findings]  # the happy path: not even a note
    status = subprocess.run(["git", "status", "--porcelain"], cwd=root, capture_output=True,
                            text=True, check=True).stdout
    assert status == ""


def test_cli_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("x")
    result = subprocess.run([sys.executable, str(BENCH), str(tmp_path)], capture_output=True,
                            text=True)
    assert result.returncode == 2
    assert "not empty" in result.stderr and "Traceback" not in result.stderr
