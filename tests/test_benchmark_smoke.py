"""benchmarks/run.py runs end to end on a tiny company and saves a figure for every step (no timing asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import REPO

STEPS = ("generate", "floor", "alternative", "ingest", "analyze")


def test_benchmark_runs_every_step(tmp_path: Path) -> None:
    saved = tmp_path / "figures.json"
    command = [sys.executable, str(REPO / "benchmarks" / "run.py"), "--employees", "200", "--per-manager", "10"]
    command += ["--repeat", "1", "--json", str(saved), "--keep", str(tmp_path / "work")]
    done = subprocess.run(command, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    run = json.loads(saved.read_text(encoding="utf-8"))["runs"][0]
    assert (run["employees"], run["managers"], run["workbooks"]) == (200, 20, 20)
    for step in STEPS:
        figures = run["steps"][step]
        assert figures["seconds"] > 0 and figures["rss_mb"] > 0, (step, figures)
        assert len(figures["runs"]) == 1
    assert run["steps"]["generate"]["details"]["workbooks"] == 20
    assert run["steps"]["ingest"]["details"]["rows"] == 200
    assert run["steps"]["analyze"]["details"]["employees"] == 200
    assert "Ratios:" in done.stdout and "Targets" in done.stdout
