"""Round trip through a real client: generate → fill in LibreOffice, saved as .xlsx and .ods → analyze."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml
from conftest import base_framework
from filling import header_of, oracle_status

from matrixkit import load_frameworks
from matrixkit.outputs.generate import generate_workbooks
from matrixkit.run import analyze_workbooks
from matrixkit.sources.roster import read_roster
from matrixkit.workbook.cells import cell_ref

pytestmark = pytest.mark.libreoffice
CYCLE = "2026-Q4"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("lo-analyze")
    data = base_framework()
    data["promotion"]["sustained_cycles"] = 1
    data["promotion"].pop("calibration")
    data["promotion"].pop("months_in_level_at_least")
    path = folder / "eng.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    frameworks = load_frameworks([path])
    lines = ["employee_id,name,family,level,manager_id,manager_name"]
    levels = ["L1", "L2", "L3", "L4", "M1", "M2", "M3", "M4", "L2", "L3"]
    lines += [f"E{n},Zoë {n},eng,{levels[n]},MGR,Ana" for n in range(len(levels))]
    roster_path = folder / "roster.csv"
    roster_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    roster = read_roster(roster_path, frameworks)
    [workbook] = generate_workbooks(frameworks, roster, CYCLE, folder / "gen")
    return {"frameworks": frameworks, "roster": roster, "workbook": workbook}


@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
def test_libreoffice_saved_files_give_back_exactly_what_was_typed(
    libreoffice: Any, generated: dict[str, Any], tmp_path: Path, fmt: str
) -> None:
    fw = generated["frameworks"][0]
    roster = generated["roster"]
    ws = openpyxl.load_workbook(generated["workbook"])["Ratings"]
    header = header_of(ws)
    edits: list[tuple[str, str, Any]] = []
    typed: dict[str, dict[str, int | None]] = {}
    for row in range(1, ws.max_row):
        employee_id = ws.cell(row + 1, 1).value
        person = roster.by_id[employee_id]
        comps = fw.competencies_for(fw.track_of_level[person.level].id)
        ratings: dict[str, int | None] = {}
        for i, comp in enumerate(comps):
            value = None if (row == 3 and i == 0) else 1 + (row * 3 + i * 2) % 5
            ratings[comp.id] = value
            if value is not None:
                edits.append(("Ratings", cell_ref(row, header.index(comp.name)), value))
        edits.append(("Ratings", cell_ref(row, header.index(fw.evidence[0].prompt)), "Yes"))
        edits.append(("Ratings", cell_ref(row, header.index("Manager endorsement")), "yes" if row % 2 else "No"))
        typed[employee_id] = ratings
    saved = tmp_path / f"returned.{fmt}"
    libreoffice.fill(generated["workbook"], saved, edits)
    analysis = analyze_workbooks([saved], generated["frameworks"], roster=roster, cycle=CYCLE)
    assert analysis.problems == [], [p.describe() for p in analysis.problems]
    assert len(analysis.employees) == len(typed)
    for employee in analysis.employees:
        want = typed[employee.employee_id]
        assert employee.ratings == {c: v for c, v in want.items() if v is not None}
        person = roster.by_id[employee.employee_id]
        row = next(r for r in range(1, ws.max_row) if ws.cell(r + 1, 1).value == employee.employee_id)
        expected = oracle_status(
            fw, person.level, want, evidence={fw.evidence[0].id: "Yes"}, endorsement="yes" if row % 2 else "No"
        )
        assert employee.status == expected, employee.employee_id
        assert employee.source is not None and employee.source.file == str(saved)


def test_formula_typed_into_a_rating_in_libreoffice_is_refused(
    libreoffice: Any, generated: dict[str, Any], tmp_path: Path
) -> None:
    fw = generated["frameworks"][0]
    ws = openpyxl.load_workbook(generated["workbook"])["Ratings"]
    header = header_of(ws)
    column = header.index(fw.competencies[0].name)
    for fmt in ("xlsx", "ods"):
        saved = tmp_path / f"formula.{fmt}"
        libreoffice.fill(
            generated["workbook"], saved, [{"sheet": "Ratings", "cell": cell_ref(1, column), "formula": "=2+2"}]
        )
        analysis = analyze_workbooks([saved], generated["frameworks"], roster=generated["roster"], cycle=CYCLE)
        formula_problems = [p for p in analysis.problems if "a formula" in p.message]
        assert [(p.sheet, p.cell) for p in formula_problems] == [("Ratings", cell_ref(1, column))], fmt
