from __future__ import annotations

import json
from pathlib import Path

import openpyxl
from click.testing import CliRunner
from conftest import TEMPLATES
from filling import fill, header_of

from matrixkit import load_frameworks
from matrixkit.cli.main import main
from matrixkit.run import analyze_workbooks
from matrixkit.sources.roster import read_roster

CYCLE = "2026-Q4"


def test_self_assessments_sit_beside_manager_ratings_never_mixed(tmp_path: Path) -> None:
    framework, roster_path = TEMPLATES / "startup.yaml", TEMPLATES / "rosters" / "startup.csv"
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main,
        [
            "generate",
            "--framework",
            str(framework),
            "--roster",
            str(roster_path),
            "--cycle",
            CYCLE,
            "--out",
            str(out),
            "--self-assessment",
        ],
    )
    assert result.exit_code == 0, result.output
    frameworks = load_frameworks([framework])
    fw = frameworks[0]
    roster = read_roster(roster_path, frameworks)
    own = sorted((out / "self-assessment").glob("*.xlsx"))
    assert len(own) == len(roster.employees)
    first = openpyxl.load_workbook(own[0])
    assert [ws.cell(2, 1).value for ws in [first["Ratings"]]] == [sorted(roster.by_id)[0]]
    assert first["Ratings"].max_row == 2, "only the person's own row"
    meta = {r[0].value: r[1].value for r in first["_matrixkit"].iter_rows()}
    assert meta["kind"] == "self" and meta["employee_id"] == sorted(roster.by_id)[0]

    returned = tmp_path / "returned"
    names = [c.name for c in fw.competencies]
    for path in out.glob("*.xlsx"):
        ws = openpyxl.load_workbook(path)["Ratings"]
        ids = [ws.cell(r, 1).value for r in range(2, ws.max_row + 1)]
        fill(path, returned / "managers" / path.name, {i: dict.fromkeys(names, 3) for i in ids})
    for path in own:
        employee_id = openpyxl.load_workbook(path)["Ratings"].cell(2, 1).value
        fill(path, returned / "self" / path.name, {employee_id: {names[0]: 5, **{n: 3 for n in names[1:]}}})
    with_self = analyze_workbooks([returned], frameworks, roster=roster, cycle=CYCLE)
    managers_only = analyze_workbooks([returned / "managers"], frameworks, roster=roster, cycle=CYCLE)
    assert [e.to_dict() for e in with_self.employees] == [e.to_dict() for e in managers_only.employees]
    assert all(e.status != "conflict" for e in with_self.employees)
    flagged = [c for c in with_self.self_assessment if c.disagreement]
    assert {c.employee_id for c in flagged} == set(roster.by_id)
    assert all((c.competency, c.self_rating, c.manager_rating) == (fw.competencies[0].id, 5, 3) for c in flagged)
    calm = [c for c in with_self.self_assessment if not c.disagreement]
    assert calm and all(c.difference == 0 for c in calm)

    report, document = tmp_path / "r.xlsx", tmp_path / "r.json"
    result = CliRunner().invoke(
        main,
        [
            "analyze",
            str(returned),
            "--framework",
            str(framework),
            "--roster",
            str(roster_path),
            "--cycle",
            CYCLE,
            "--out",
            str(report),
            "--json",
            str(document),
        ],
    )
    assert result.exit_code in (0, 1), result.output
    entries = json.loads(document.read_text(encoding="utf-8"))["self_assessment"]
    assert len(entries) == len(with_self.self_assessment) and entries[0]["self"] is not None
    sheet = openpyxl.load_workbook(report)["Self-assessment"]
    assert header_of(sheet)[0] is not None
    assert any(row[6].value == "Yes" for row in sheet.iter_rows(min_row=4))
