"""benchmarks/run.py runs end to end on a tiny company and saves a figure for every step (no timing asserted).

The pandas comparison ("alternative") is left out: pandas is no dependency of matrixkit, and the smoke
test runs with pandas made unimportable to prove it needs none.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import REPO

STEPS = ("generate", "floor", "ingest", "analyze")


def test_benchmark_runs_every_matrixkit_step_without_pandas(tmp_path: Path) -> None:
    blocker = tmp_path / "no-pandas" / "pandas"
    blocker.mkdir(parents=True)
    (blocker / "__init__.py").write_text('raise ImportError("pandas is not needed here")\n', encoding="utf-8")
    env = os.environ | {"PYTHONPATH": os.pathsep.join([str(blocker.parent), os.environ.get("PYTHONPATH", "")])}
    saved = tmp_path / "figures.json"
    command = [sys.executable, str(REPO / "benchmarks" / "run.py"), "--employees", "200", "--per-manager", "10"]
    command += ["--repeat", "1", "--steps", *STEPS, "--json", str(saved), "--keep", str(tmp_path / "work")]
    done = subprocess.run(command, capture_output=True, text=True, timeout=900, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    run = json.loads(saved.read_text(encoding="utf-8"))["runs"][0]
    assert sorted(run["steps"]) == sorted(STEPS)
    assert (run["employees"], run["managers"], run["workbooks"]) == (200, 20, 20)
    for step in STEPS:
        figures = run["steps"][step]
        assert figures["seconds"] > 0 and figures["rss_mb"] > 0, (step, figures)
        assert len(figures["runs"]) == 1
    assert run["steps"]["generate"]["details"]["workbooks"] == 20
    assert run["steps"]["ingest"]["details"]["rows"] == 200
    assert run["steps"]["analyze"]["details"]["employees"] == 200
    assert "Ratios:" in done.stdout and "Targets" in done.stdout
