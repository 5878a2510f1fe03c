"""Generated workbooks in a real client: LibreOffice fills, recalculates and re-saves them.

Every formula column must equal matrixkit's own Python computation (`scoring.row_figures`) for every
row, on the first screen (no recalculation) and after ratings are typed in.
"""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import FT_ENGINEERING, TEMPLATES

from matrixkit import load_frameworks
from matrixkit.assess.scoring import RowFigures, row_figures
from matrixkit.model.criteria import months_between
from matrixkit.model.framework import Framework
from matrixkit.outputs.generate import generate_blank_matrix, generate_workbooks
from matrixkit.run import analyze_workbooks
from matrixkit.sources.roster import read_roster
from matrixkit.workbook.cells import cell_ref
from matrixkit.workbook.layout import plan_blank_matrix, ratings_columns

pytestmark = pytest.mark.libreoffice
FORMULA_COLUMNS = ("Average", "Lowest", "Gaps to next level", "Ready?", "Still needed")


def _shown(value: Any) -> Any:
    return None if value in (None, "") else value


def figures_shown(book: Any, sheet: str, header: list[str], row: int) -> dict[str, Any]:
    return {name: _shown(book.value(sheet, cell_ref(row, header.index(name)))) for name in FORMULA_COLUMNS}


def figures_expected(figures: RowFigures) -> dict[str, Any]:
    return {
        "Average": figures.average,
        "Lowest": figures.lowest,
        "Gaps to next level": figures.gaps,
        "Ready?": figures.ready,
        "Still needed": figures.still_needed or None,
    }


def assert_same(shown: dict[str, Any], expected: dict[str, Any], where: str) -> None:
    for name in FORMULA_COLUMNS:
        got, want = shown[name], expected[name]
        if isinstance(want, float) and isinstance(got, int | float):
            assert got == pytest.approx(want, abs=1e-9), f"{where} {name}: LibreOffice {got}, matrixkit {want}"
        else:
            assert got == want, f"{where} {name}: LibreOffice {got!r}, matrixkit {want!r}"


SCENARIOS = ("profile", "above", "mixed", "boundary", "missing", "half", "seven", "text", "low")


def plan_ratings(fw: Framework, employee_id: str, level_id: str, scenario: str) -> dict[str, Any]:
    """What a manager types for one row (values as typed: may be invalid) in a given scenario."""
    track = fw.track_of_level[level_id]
    competencies = [c.id for c in fw.competencies_for(track.id)]
    target = fw.next_level(level_id) or fw.level_by_id[level_id]
    typed: dict[str, Any] = {}
    for i, comp in enumerate(competencies):
        expected = target.expected.get(comp, 3)
        noise = hashlib.sha256(f"{employee_id}{comp}".encode()).digest()[0] % 3 - 1
        value = {
            "profile": expected,
            "above": min(fw.scale.max, expected + 1),
            "mixed": max(fw.scale.min, min(fw.scale.max, expected + noise)),
            "boundary": 3 if i % 2 == 0 else 4,  # averages land on x.5 with an even count
            "low": fw.scale.min,
        }.get(scenario, expected)
        typed[comp] = value
    first = competencies[0]
    if scenario == "missing":
        typed[first] = None
    elif scenario == "half":
        typed[first] = 3.5
    elif scenario == "seven":
        typed[first] = 7
    elif scenario == "text":
        typed[first] = "four"
    return typed


def valid_ratings(fw: Framework, typed: dict[str, Any]) -> dict[str, int | None]:
    low, high = fw.scale.min, fw.scale.max
    return {
        c: v if isinstance(v, int) and not isinstance(v, bool) and low <= v <= high else None for c, v in typed.items()
    }


def fill_and_compare(libreoffice: Any, path: Path, out: Path, fw: Framework, roster: Any) -> int:
    ws = openpyxl.load_workbook(path)["Ratings"]
    header = [c.value for c in ws[1]]
    edits: list[tuple[str, str, Any]] = []
    expected: dict[int, dict[str, Any]] = {}
    for row in range(1, ws.max_row):
        employee = roster.by_id[ws.cell(row + 1, 1).value]
        scenario = SCENARIOS[row % len(SCENARIOS)]
        typed = plan_ratings(fw, employee.employee_id, employee.level, scenario)
        for comp_id, value in typed.items():
            col = header.index(fw.competency_by_id[comp_id].name)
            if value is not None:
                edits.append(("Ratings", cell_ref(row, col), value))
        since, end = employee.level_since, date(2026, 12, 31)  # every cycle here is 2026-Q4
        months = months_between(since, end) if since else None
        expected[row] = figures_expected(row_figures(fw, employee.level, valid_ratings(fw, typed), None, months))
    book = libreoffice.fill(path, out, edits)
    for row, want in expected.items():
        assert_same(figures_shown(book, "Ratings", header, row), want, f"{path.name} row {row + 1}")
    return len(expected)


@pytest.fixture(scope="module")
def mixed_roster(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Framework, Any]:
    """One manager whose reports span both tracks, their bottoms and their tops."""
    folder = tmp_path_factory.mktemp("lo")
    frameworks = load_frameworks([TEMPLATES / "engineering.yaml"])
    levels = ["IC1", "IC2", "IC3", "IC4", "IC5", "IC6", "IC7", "M1", "M2", "M3", "M4"]
    lines = ["employee_id,name,family,level,manager_id,manager_name"]
    for n in range(27):
        lines.append(f"E{n:02d},Person {n:02d},engineering,{levels[n % len(levels)]},BOSS,Boss")
    roster_path = folder / "roster.csv"
    roster_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    roster = read_roster(roster_path, frameworks)
    [path] = generate_workbooks(frameworks, roster, "2026-Q4", folder / "out")
    return path, frameworks[0], roster


def test_first_screen_is_right_without_recalculation(libreoffice: Any, mixed_roster: Any) -> None:
    path, fw, roster = mixed_roster
    book = libreoffice.read(path, recalc=False)
    header = book.rows("Ratings")[0]
    for row in range(1, len(roster.employees) + 1):
        employee = roster.by_id[book.value("Ratings", cell_ref(row, 0))]
        assert_same(
            figures_shown(book, "Ratings", header, row),
            figures_expected(row_figures(fw, employee.level, {})),
            f"row {row + 1}",
        )


def test_recalculated_formulas_equal_python_for_every_row(libreoffice: Any, mixed_roster: Any, tmp_path: Path) -> None:
    path, fw, roster = mixed_roster
    assert fill_and_compare(libreoffice, path, tmp_path / "filled.xlsx", fw, roster) == 27


def test_every_template_workbook_computes_like_python(libreoffice: Any, tmp_path: Path) -> None:
    compared = 0
    for template in ("sales", "customer-success", "startup"):
        frameworks = load_frameworks([TEMPLATES / f"{template}.yaml"])
        roster = read_roster(TEMPLATES / "rosters" / f"{template}.csv", frameworks)
        paths = generate_workbooks(frameworks, roster, "2026-Q4", tmp_path / template)
        biggest = max(paths, key=lambda p: len(openpyxl.load_workbook(p)["Ratings"]["A"]))
        compared += fill_and_compare(libreoffice, biggest, tmp_path / f"{template}-filled.xlsx", frameworks[0], roster)
    assert compared >= 15


def test_one_edit_updates_only_that_row(libreoffice: Any, mixed_roster: Any, tmp_path: Path) -> None:
    """The trap: after one edit LibreOffice recomputes dependents only; nothing stale may remain."""
    path, fw, roster = mixed_roster
    book = libreoffice.read(path)
    header = book.rows("Ratings")[0]
    employee = roster.by_id[book.value("Ratings", "A2")]
    comps = fw.competencies_for(fw.track_of_level[employee.level].id)
    edits = [("Ratings", cell_ref(1, header.index(c.name)), 4) for c in comps]
    filled = libreoffice.fill(path, tmp_path / "one.xlsx", edits)
    assert_same(
        figures_shown(filled, "Ratings", header, 1),
        figures_expected(row_figures(fw, employee.level, {c.id: 4 for c in comps})),
        "row 2",
    )
    assert figures_shown(filled, "Ratings", header, 2) == dict.fromkeys(FORMULA_COLUMNS)


@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
def test_resaved_workbook_keeps_structure(libreoffice: Any, mixed_roster: Any, tmp_path: Path, fmt: str) -> None:
    path, fw, roster = mixed_roster
    saved = tmp_path / f"resaved.{fmt}"
    libreoffice.fill(path, saved, [("Ratings", "D2", 3)])
    book = libreoffice.read(saved)
    assert book.sheet_names[0] == "Instructions" and book.visibility("Instructions") == "visible"
    assert book.visibility("_matrixkit") in ("hidden", "very hidden")
    for name in ("Instructions", "Ratings", "Guide", "Role profile"):
        assert book.is_protected(name), name
    props = book.custom_properties
    assert props["matrixkit_cycle"] == "2026-Q4"
    assert props["matrixkit_manager_id"] == "BOSS"
    assert props["matrixkit_families"].startswith(f"engineering={fw.family.version}@{fw.fingerprint}")
    header = book.rows("Ratings")[0]
    rating = book.cell("Ratings", "D3")
    assert rating["locked"] is False
    validation = book.validation("Ratings", "D3")
    assert validation is not None and validation["type"] == "list"
    assert [str(v).strip('"') for v in validation["list_entries"]] == ["1", "2", "3", "4", "5"]
    assert validation["input_message"]
    endorsement = book.validation("Ratings", cell_ref(2, header.index("Manager endorsement")))
    assert endorsement is not None and [str(v).strip('"') for v in endorsement["list_entries"]] == ["Yes", "No"]
    average_ref = cell_ref(2, header.index("Average"))
    assert book.cell("Ratings", average_ref)["locked"] is True
    assert "AVERAGE(" in (book.formula("Ratings", average_ref) or "")
    people_col = header.index("People management")
    ic_row = next(r for r in range(1, 12) if roster.by_id[book.value("Ratings", cell_ref(r, 0))].level.startswith("IC"))
    assert book.value("Ratings", cell_ref(ic_row, people_col)) == "n/a"
    assert book.cell("Ratings", cell_ref(ic_row, people_col))["locked"] is True
    meta = {row[0]: row[1] for row in book.rows("_matrixkit") if row and row[0]}
    assert meta["cycle"] == "2026-Q4" and fw.fingerprint in meta["family:engineering"]


def test_blank_matrix_computes_like_python(libreoffice: Any, tmp_path: Path) -> None:
    [fw] = load_frameworks([TEMPLATES / "engineering.yaml"])
    path = generate_blank_matrix(fw, tmp_path / "matrix.xlsx", rows=12)
    columns = ratings_columns(fw)
    header = [c.header for c in columns]
    first_screen = libreoffice.read(path)
    for row in range(1, 13):
        assert figures_shown(first_screen, "Ratings", header, row) == dict.fromkeys(FORMULA_COLUMNS)
    levels = ["IC2", "IC7", "M1", "M4", "IC4", "IC1", "M2", "IC3", "IC5", "IC6", "M3", ""]
    edits: list[tuple[str, str, Any]] = []
    expected: dict[int, dict[str, Any]] = {}
    for row, level in enumerate(levels, start=1):
        edits.append(("Ratings", cell_ref(row, 0), f"P{row}"))
        if level:
            edits.append(("Ratings", cell_ref(row, 2), level))
        scenario = SCENARIOS[row % len(SCENARIOS)]
        typed = plan_ratings(fw, f"P{row}", level or "IC2", scenario)
        for comp_id, value in typed.items():
            if value is not None:
                edits.append(("Ratings", cell_ref(row, header.index(fw.competency_by_id[comp_id].name)), value))
        expected[row] = (
            figures_expected(row_figures(fw, level, valid_ratings(fw, typed)))
            if level
            else dict.fromkeys(FORMULA_COLUMNS)
        )
    book = libreoffice.fill(path, tmp_path / "matrix-filled.ods", edits)
    for row, want in expected.items():
        assert_same(figures_shown(book, "Ratings", header, row), want, f"row {row + 1} ({levels[row - 1]})")
    assert plan_blank_matrix(fw, 12).sheets[0].columns == columns
    # The filled matrix reads back: every typed valid rating, and the row without a level named.
    analysis = analyze_workbooks([tmp_path / "matrix-filled.ods"], [fw])
    by_id = {e.employee_id: e for e in analysis.employees}
    assert set(by_id) == {f"P{row}" for row, level in enumerate(levels, start=1) if level}
    for row, level in enumerate(levels, start=1):
        if level:
            typed = plan_ratings(fw, f"P{row}", level, SCENARIOS[row % len(SCENARIOS)])
            assert by_id[f"P{row}"].ratings == {c: v for c, v in valid_ratings(fw, typed).items() if v is not None}
    assert any("not a level" in p.message and p.cell == "row 13" for p in analysis.problems)


def test_real_world_framework_opens_with_full_guide_text(libreoffice: Any, tmp_path: Path) -> None:
    frameworks = load_frameworks([FT_ENGINEERING])
    fw = frameworks[0]
    roster_path = tmp_path / "r.csv"
    roster_path.write_text(
        "employee_id,name,family,level,manager_id,manager_name\n"
        "E1,Zoë Ó'Brien,ft_engineering,senior-1,B,Boss\nE2,李小龍,ft_engineering,senior-2-pm,B,Boss\n",
        encoding="utf-8",
    )
    [path] = generate_workbooks(frameworks, read_roster(roster_path, frameworks), "2026-Q4", tmp_path / "o")
    book = libreoffice.read(path)
    guide_texts = {cell for row in book.rows("Guide") for cell in row if isinstance(cell, str)}
    for comp in fw.competencies:
        for level_id, text in comp.descriptions.items():
            assert text.strip() in guide_texts, f"{comp.id} {level_id} is not shown in full"
    assert any("\u200b" in t for t in guide_texts)
    names = {book.value("Ratings", "B2"), book.value("Ratings", "B3")}
    assert names == {"Zoë Ó'Brien", "李小龍"}
