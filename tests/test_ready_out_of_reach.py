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
    assert "Ready 0 · On track 7 · Not ready 40" in result.output  # statuses in words, as on the Summary


def _readiness_cells(frameworks: list[Framework], analysis: Analysis) -> dict[str, str]:
    import io

    import openpyxl

    from matrixkit.outputs.report import report_bytes
    from matrixkit.outputs.report.people import STILL_NEEDED_HEADER

    ws = openpyxl.load_workbook(io.BytesIO(report_bytes(analysis, frameworks)))["Readiness"]
    rows = list(ws.iter_rows(values_only=True))
    header_at = next(i for i, row in enumerate(rows) if row[0] == "Employee ID")
    header = rows[header_at]
    ids, cells = header.index("Employee ID"), header.index(STILL_NEEDED_HEADER)
    return {row[ids]: row[cells] for row in rows[header_at + 1 :] if row[ids]}


def test_each_readiness_row_says_in_one_cell_what_stands_between(tmp_path: Path) -> None:
    frameworks, analysis = _analysis()
    cells = _readiness_cells(frameworks, analysis)
    assert len(cells) == 47 and all("Calibration session" in cell for cell in cells.values())
    for e in analysis.employees:
        unmet = [c for c in e.criteria if c.result == "not_met" and c.criterion == "average_at_least"]
        assert bool(unmet) == ("Average at least" in cells[e.employee_id]), e.employee_id
    confirmed = tmp_path / "calibration.csv"
    confirmed.write_text("employee_id\n" + "\n".join(f"ENG-{n:03d}" for n in range(1, 48)) + "\n", encoding="utf-8")
    frameworks, analysis = _analysis(calibration_file=confirmed)
    cells = _readiness_cells(frameworks, analysis)
    assert not any("Calibration session" in cell for cell in cells.values())  # met there: not named


def _sheet_text(data: bytes, sheet: str) -> list[str]:
    import io

    import openpyxl

    ws = openpyxl.load_workbook(io.BytesIO(data))[sheet]
    return [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]


def test_the_summary_says_why_nobody_can_be_ready() -> None:
    from matrixkit.outputs.report import report_bytes

    frameworks, analysis = _analysis()
    texts = _sheet_text(report_bytes(analysis, frameworks), "Summary")
    assert "Why nobody can be Ready in this run" in texts
    assert all(reason in texts for reason in analysis.ready_out_of_reach)


def test_below_their_own_level_comes_first_with_that_levels_text() -> None:
    """An employee below what their own level expects reads that level's text first, in the development
    plans and in their own report, before what the next level asks."""
    from matrixkit.outputs.packets import employee_report_bytes

    frameworks, analysis = _analysis()
    fw = frameworks[0]
    person = next(e for e in analysis.employees if e.current_level_gaps and e.next_level)
    plan = [d for d in analysis.development if d.employee_id == person.employee_id]
    firsts = [d for d in plan if d.below_current]
    assert {d.competency for d in firsts} == set(person.current_level_gaps)
    assert plan[: len(firsts)] == firsts and all(d.target_level == person.level for d in firsts)
    assert all(d.description == (fw.description(d.competency, person.level) or "").strip() for d in firsts)
    texts = _sheet_text(employee_report_bytes(analysis.cycle, person, fw, plan), "Your review")
    first = next(i for i, t in enumerate(texts) if t.startswith(f"First: below what {person.level} expects"))
    grow = next(i for i, t in enumerate(texts) if t.startswith("What to grow next"))
    assert first < grow
