"""The bad-input corpus, built by code: every kind of bad cell or file becomes a precise problem,
every other employee is still analysed, and no input changes by a byte."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml
from conftest import TEMPLATES
from filling import fill, header_of

from matrixkit import load_frameworks
from matrixkit.outputs.generate import generate_workbooks
from matrixkit.run import analyze_workbooks
from matrixkit.sources.roster import read_roster
from matrixkit.workbook.cells import cell_ref

CYCLE = "2026-Q4"


@pytest.fixture(scope="module")
def startup(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("bad")
    frameworks = load_frameworks([TEMPLATES / "startup.yaml"])
    roster = read_roster(TEMPLATES / "rosters" / "startup.csv", frameworks)
    paths = generate_workbooks(frameworks, roster, CYCLE, folder / "gen")
    fw = frameworks[0]
    good: dict[Path, dict[str, dict[str, Any]]] = {}
    for path in paths:
        ws = openpyxl.load_workbook(path)["Ratings"]
        ids = [ws.cell(r, 1).value for r in range(2, ws.max_row + 1)]
        good[path] = {i: {c.name: 3 for c in fw.competencies} | {"Manager endorsement": "Yes"} for i in ids}
    return {"folder": folder, "frameworks": frameworks, "roster": roster, "paths": paths, "good": good, "fw": fw}


def build(
    startup: dict[str, Any], tmp_path: Path, edits: dict[str, Any] | None = None, which: int = 0
) -> tuple[Path, Path, str, int, int]:
    """Fill every workbook cleanly, then apply `edits` (header → value) to the first employee of one.

    Returns the folder, the edited file, that employee's id, and the sheet row/col of the first edit.
    """
    out = tmp_path / "in"
    target_path = startup["paths"][which]
    employee_id = next(iter(startup["good"][target_path]))
    for path, values in startup["good"].items():
        values = {k: dict(v) for k, v in values.items()}
        if path == target_path and edits:
            values[employee_id].update(edits)
        fill(path, out / path.name, values)
    ws = openpyxl.load_workbook(out / target_path.name)["Ratings"]
    header = header_of(ws)
    first_edit = next(iter(edits)) if edits else header[3]
    return out, out / target_path.name, employee_id, 1, header.index(first_edit)


def analyse(startup: dict[str, Any], folder: Path, **options: Any) -> Any:
    before = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    analysis = analyze_workbooks([folder], startup["frameworks"], roster=startup["roster"], cycle=CYCLE, **options)
    after = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    assert before == after, "analyze must never modify its inputs"
    return analysis


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (4.5, "4.5 is not a whole number"),
        (7, "outside the scale 1–5"),
        (0, "outside the scale 1–5"),
        ("four", "'four' is not a number"),
        ("#N/A", "an error value"),
        (True, "a true/false value"),
        ("=2+2", "a formula"),
        ("n/a", "marked n/a"),
    ],
)
def test_bad_rating_is_an_error_naming_file_sheet_cell(
    startup: dict[str, Any], tmp_path: Path, value: Any, words: str
) -> None:
    competency = startup["fw"].competencies[0].name
    folder, file, employee_id, row, col = build(startup, tmp_path, {competency: value})
    analysis = analyse(startup, folder)
    errors = [p for p in analysis.problems if p.severity == "error"]
    assert len(errors) == 1, [p.describe() for p in analysis.problems]
    problem = errors[0]
    assert problem.file == str(file) and problem.sheet == "Ratings" and problem.cell == cell_ref(row, col)
    assert words in problem.message and competency in problem.message
    assert problem.expected == "a whole number from 1 to 5"
    by_id = {e.employee_id: e for e in analysis.employees}
    assert by_id[employee_id].status == "incomplete"
    others = [e for e in analysis.employees if e.employee_id != employee_id]
    assert len(others) == len(startup["roster"].employees) - 1
    assert all(e.status != "incomplete" for e in others)


@pytest.mark.parametrize("value", [4, 4.0, " 4 ", "4.0", "4"])
def test_accepted_rating_forms(startup: dict[str, Any], tmp_path: Path, value: Any) -> None:
    competency = startup["fw"].competencies[0]
    folder, _, employee_id, *_ = build(startup, tmp_path, {competency.name: value})
    analysis = analyse(startup, folder)
    assert analysis.problems == []
    employee = next(e for e in analysis.employees if e.employee_id == employee_id)
    assert employee.ratings[competency.id] == 4


@pytest.mark.parametrize(
    ("value", "expected"), [(" YES ", True), ("n", False), ("TRUE", True), (0, False), ("1", True)]
)
def test_yes_no_forms(startup: dict[str, Any], tmp_path: Path, value: Any, expected: bool) -> None:
    folder, _, employee_id, *_ = build(startup, tmp_path, {"Manager endorsement": value})
    analysis = analyse(startup, folder)
    employee = next(e for e in analysis.employees if e.employee_id == employee_id)
    assert employee.endorsement is expected


def test_bad_yes_no_makes_the_criterion_unknown(startup: dict[str, Any], tmp_path: Path) -> None:
    folder, file, employee_id, row, col = build(startup, tmp_path, {"Manager endorsement": "maybe"})
    analysis = analyse(startup, folder)
    [problem] = analysis.problems
    assert (problem.file, problem.cell, problem.value) == (str(file), cell_ref(row, col), "maybe")
    assert "not Yes or No" in problem.message
    employee = next(e for e in analysis.employees if e.employee_id == employee_id)
    endorsement = next(c for c in employee.criteria if c.criterion == "endorsement")
    assert endorsement.result == "unknown"


def test_level_differing_from_roster_warns_and_roster_wins(startup: dict[str, Any], tmp_path: Path) -> None:
    folder, file, employee_id, *_ = build(startup, tmp_path)
    wb = openpyxl.load_workbook(file)
    ws = wb["Ratings"]
    ws.cell(2, 3).value = "S4" if startup["roster"].by_id[employee_id].level != "S4" else "S1"
    wb.save(file)
    analysis = analyse(startup, folder)
    [problem] = analysis.problems
    assert problem.severity == "warning" and "the roster wins" in problem.message and problem.file == str(file)
    employee = next(e for e in analysis.employees if e.employee_id == employee_id)
    assert employee.level == startup["roster"].by_id[employee_id].level


def test_unknown_employee_conflict_and_missing(startup: dict[str, Any], tmp_path: Path) -> None:
    folder, file, employee_id, *_ = build(startup, tmp_path)
    second = folder / startup["paths"][1].name
    wb = openpyxl.load_workbook(second)
    ws = wb["Ratings"]
    stranger_row = 2
    stranger = ws.cell(stranger_row, 1).value
    ws.cell(stranger_row, 1).value = "NOBODY-1"
    ws.cell(3, 1).value = employee_id  # the first workbook's first employee, again
    wb.save(second)
    analysis = analyse(startup, folder)
    messages = [p.message for p in analysis.problems]
    assert any("NOBODY-1 is not in the roster" in m for m in messages)
    conflicts = [p for p in analysis.problems if "conflict" in p.message]
    assert {p.file for p in conflicts} == {str(file), str(second)}
    assert next(e for e in analysis.employees if e.employee_id == employee_id).status == "conflict"
    assert stranger in analysis.missing
    assert any(p.severity == "warning" and stranger in p.message for p in analysis.problems)


def test_sorted_moved_extra_columns_blank_rows_and_no_hidden_sheet(startup: dict[str, Any], tmp_path: Path) -> None:
    folder, file, *_ = build(startup, tmp_path)
    clean = analyse(startup, folder)
    wb = openpyxl.load_workbook(file)
    ws = wb["Ratings"]
    ws.protection.sheet = False
    ws.insert_cols(2)  # an extra column before Name
    ws.cell(1, 2).value = "Team"
    ws.move_range(f"A{ws.max_row}:AZ{ws.max_row}", rows=3)  # blank rows, and the order changes
    ws.insert_rows(1)  # a title row above the header
    ws.cell(1, 1).value = "Q4 ratings, Kim's team"
    del wb["_matrixkit"]
    wb.save(file)
    moved = analyse(startup, folder)
    assert moved.problems == []
    assert [e.to_dict() | {"source": None} for e in moved.employees] == [
        e.to_dict() | {"source": None} for e in clean.employees
    ]


def test_workbook_from_an_older_framework_version(startup: dict[str, Any], tmp_path: Path) -> None:
    folder, *_ = build(startup, tmp_path)
    data = yaml.safe_load((TEMPLATES / "startup.yaml").read_text(encoding="utf-8"))
    data["family"]["version"] = "2027.1"
    renamed = data["competencies"][0]
    renamed["name"] = renamed["name"] + " (renamed)"
    added = json.loads(json.dumps(data["competencies"][1]))
    added["id"], added["name"] = "new_skill", "A new skill"
    added["descriptions"] = {k: v + " Also teaches it." for k, v in added["descriptions"].items()}
    data["competencies"].append(added)
    for level in data["tracks"][0]["levels"]:
        level["expected"]["new_skill"] = level["expected"][data["competencies"][1]["id"]]
    newer = tmp_path / "startup-2027.yaml"
    newer.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    frameworks = load_frameworks([newer])
    analysis = analyze_workbooks(
        [folder], frameworks, roster=read_roster(TEMPLATES / "rosters" / "startup.csv", frameworks), cycle=CYCLE
    )
    warnings = [p for p in analysis.problems if "matched by id" in p.message]
    assert warnings and all(p.severity == "warning" for p in warnings)
    assert any("A new skill" in p.message for p in analysis.problems)
    assert all(e.status == "incomplete" for e in analysis.employees)
    renamed_id = renamed["id"]
    assert all(e.ratings[renamed_id] == 3 for e in analysis.employees), "the renamed competency maps by id"


def test_hostile_and_broken_files_each_become_one_problem(startup: dict[str, Any], tmp_path: Path) -> None:
    import badfiles

    folder, *_ = build(startup, tmp_path)
    source = startup["paths"][0]  # as generated: every part a hostile variant needs is there
    part = badfiles.sheet_part(source, "Ratings")
    hostile = tmp_path / "in" / "hostile"
    hostile.mkdir()
    cases = {
        "not-a-zip.xlsx": (badfiles.csv_text, "not a zip file"),
        "truncated.xlsx": (lambda p: badfiles.truncated(source, p), "truncated"),
        "encrypted.xlsx": (badfiles.encrypted_by_hand, "password-protected"),
        "renamed.xlsx": (badfiles.pdf_renamed, "PDF"),
        "entities.xlsx": (lambda p: badfiles.billion_laughs(source, p), "entity"),
        "zip-bomb.xlsx": (lambda p: badfiles.zip_bomb(source, p, part), "zip bomb"),
        "dimension-bomb.xlsx": (badfiles.dimension_bomb, "XFD1048576"),
        "legacy.xls": (badfiles.legacy_xls, "save it as .xlsx"),
    }
    for name, (make, _) in cases.items():
        make(hostile / name)
    analysis = analyse(startup, folder)
    for name, (_, words) in cases.items():
        about = [p for p in analysis.problems if p.file and Path(p.file).name == name]
        assert len(about) == 1, (name, [p.describe() for p in about])
        assert about[0].severity == "error" and words in about[0].message, (name, about[0].message)
    assert len(analysis.employees) == len(startup["roster"].employees), "every good workbook is still analysed"
    assert analysis.files_read == len(startup["paths"])
