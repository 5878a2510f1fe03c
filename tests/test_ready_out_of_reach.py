"""Why nobody can be ready: said when it follows from the run itself (SPEC rev 2), and only then."""

from __future__ import annotations

import csv
from pathlib import Path

from click.testing import CliRunner
from conftest import REPO, TEMPLATES

from matrixkit import load_frameworks
from matrixkit.assess.analyze import Past, ready_out_of_reach
from matrixkit.assess.results import Analysis
from matrixkit.cli.main import main
from matrixkit.model.framework import Framework
from matrixkit.run import analyze_workbooks
from matrixkit.sources.roster import read_roster

FRAMEWORK = TEMPLATES / "engineering.yaml"
ROSTER = TEMPLATES / "rosters" / "engineering.csv"
FILLED = REPO / "sample_workbooks" / "engineering" / "filled"


def _analysis(calibration_file: Path | None = None) -> tuple[list[Framework], Analysis]:
    frameworks = load_frameworks([FRAMEWORK])
    roster = read_roster(ROSTER, frameworks)
    return frameworks, analyze_workbooks([FILLED], frameworks, roster=roster, calibration_file=calibration_file)


def test_a_first_cycle_without_calibration_says_why_nobody_is_ready(tmp_path: Path) -> None:
    _frameworks, analysis = _analysis()
    assert not any(e.status == "ready" for e in analysis.employees)
    calibration, sustained = analysis.ready_out_of_reach
    assert "No calibration file was given (--calibration)" in calibration and "nobody can be Ready" in calibration
    assert "no history store was given (--store)" in sustained


def test_each_cause_goes_when_the_run_provides_what_it_needs(tmp_path: Path) -> None:
    confirmed = tmp_path / "calibration.csv"
    with confirmed.open("w", newline="") as handle:
        csv.writer(handle).writerows([["employee_id"], *[[f"ENG-{n:03d}"] for n in range(1, 48)]])
    frameworks, analysis = _analysis(calibration_file=confirmed)
    assert [r for r in analysis.ready_out_of_reach if "calibration" in r] == []
    earlier = Past(cycles=frozenset({"2026-Q3"}))
    said = ready_out_of_reach(analysis.employees, frameworks, cycle="2026-Q4", calibration_given=True, past=earlier)
    assert said == []
    said = ready_out_of_reach(
        analysis.employees, frameworks, cycle="2026-Q4", calibration_given=True, past=Past(cycles=frozenset())
    )
    assert len(said) == 1 and "the history store holds no 2026-Q3" in said[0]


def test_the_terminal_says_it_under_the_counts(tmp_path: Path) -> None:
    args = ["analyze", str(FILLED), "--framework", str(FRAMEWORK), "--roster", str(ROSTER)]
    result = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "report.xlsx")])
    assert result.exit_code == 0, result.output
    assert "nobody can be Ready in this run" in result.output
