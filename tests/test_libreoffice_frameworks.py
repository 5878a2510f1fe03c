"""Frameworks with competencies not assessed at some levels, in a real client (LibreOffice): the cells
are n/a, locked and grey, and every formula still equals matrixkit's own computation (`row_figures`),
even when a rating is typed over an n/a cell anyway (SPEC rev 2)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import REPO

from matrixkit import load_frameworks
from matrixkit.assess.scoring import row_figures
from matrixkit.model.framework import Framework
from matrixkit.outputs.generate import generate_blank_matrix, generate_self_assessments, generate_workbooks
from matrixkit.sources.roster import read_roster
from matrixkit.workbook.cells import cell_ref
from matrixkit.workbook.layout import ratings_columns
from matrixkit.workbook.styles import NOT_APPLICABLE_FILL

pytestmark = pytest.mark.libreoffice
FRAMEWORKS = REPO / "tests" / "frameworks"
FIGURES = ("Average", "Lowest", "Gaps to next level", "Ready?")


def shown(book: Any, header: list[Any], row: int) -> dict[str, Any]:
    values = {name: book.value("Ratings", cell_ref(row, header.index(name))) for name in FIGURES}
    return {name: None if value in (None, "") else value for name, value in values.items()}


def expected(fw: Framework, level: str, ratings: dict[str, int]) -> dict[str, Any]:
    figures = row_figures(fw, level, ratings)
    return dict(zip(FIGURES, (figures.average, figures.lowest, figures.gaps, figures.ready), strict=True))


def assert_same(got: dict[str, Any], want: dict[str, Any], where: str) -> None:
    for name in FIGURES:
        if isinstance(want[name], float):
            assert got[name] == pytest.approx(want[name], abs=1e-9), f"{where} {name}"
        else:
            assert got[name] == want[name], f"{where} {name}: LibreOffice {got[name]!r}, matrixkit {want[name]!r}"


def planned(fw: Framework, level: str, seed: int) -> dict[str, int]:
    """Ratings of the competencies assessed at `level`, around the next level's profile."""
    target = fw.next_level(level) or fw.level_by_id[level]
    return {
        c.id: max(fw.scale.min, min(fw.scale.max, target.expected.get(c.id, 2) + (seed + i) % 3 - 1))
        for i, c in enumerate(fw.competencies_at(level))
    }


@pytest.fixture(scope="module")
def people(tmp_path_factory: pytest.TempPathFactory) -> tuple[Framework, Any, Path, Path]:
    folder = tmp_path_factory.mktemp("people-lo")
    frameworks = load_frameworks([FRAMEWORKS / "people-team.yaml"])
    roster = read_roster(FRAMEWORKS / "people-team-roster.csv", frameworks)
    [path] = generate_workbooks(frameworks, roster, "2026-Q4", folder / "out")
    selves = generate_self_assessments(frameworks, roster, "2026-Q4", folder / "self")
    return frameworks[0], roster, path, next(p for p in selves if p.name.startswith("P01"))


def test_not_assessed_cells_are_locked_grey_and_ignored_by_formulas(
    libreoffice: Any, people: Any, tmp_path: Path
) -> None:
    fw, roster, path, _self = people
    first = libreoffice.read(path)
    header = first.rows("Ratings")[0]
    edits: list[tuple[str, str, Any]] = []
    want: dict[int, dict[str, Any]] = {}
    for row in range(1, len(roster.employees) + 1):
        employee = roster.by_id[first.value("Ratings", cell_ref(row, 0))]
        ratings = planned(fw, employee.level, row)
        for comp_id, value in ratings.items():
            edits.append(("Ratings", cell_ref(row, header.index(fw.competency_by_id[comp_id].name)), value))
        for comp_id in fw.level_by_id[employee.level].not_assessed:
            ref = cell_ref(row, header.index(fw.competency_by_id[comp_id].name))
            cell = first.cell("Ratings", ref)
            assert first.value("Ratings", ref) == "n/a", ref
            assert cell["locked"] is True and cell["background"] == NOT_APPLICABLE_FILL.upper(), ref
            edits.append(("Ratings", ref, 4))  # typed over the n/a anyway: counts nowhere
        want[row] = expected(fw, employee.level, ratings)
    assert any(fw.level_by_id[roster.by_id[first.value("Ratings", cell_ref(r, 0))].level].not_assessed for r in want)
    book = libreoffice.fill(path, tmp_path / "filled.xlsx", edits)
    for row, figures in want.items():
        assert_same(shown(book, header, row), figures, f"row {row + 1}")


def test_self_assessment_marks_not_assessed_cells(libreoffice: Any, people: Any) -> None:
    fw, _roster, _path, self_path = people
    book = libreoffice.read(self_path)
    header = book.rows("Ratings")[0]
    for comp_id in fw.level_by_id["1"].not_assessed:
        ref = cell_ref(1, header.index(fw.competency_by_id[comp_id].name))
        assert book.value("Ratings", ref) == "n/a" and book.cell("Ratings", ref)["locked"] is True


def test_blank_matrix_leaves_not_assessed_out(libreoffice: Any, tmp_path: Path) -> None:
    [fw] = load_frameworks([FRAMEWORKS / "people-team.yaml"])
    path = generate_blank_matrix(fw, tmp_path / "matrix.xlsx", rows=6)
    header = [c.header for c in ratings_columns(fw)]
    levels = ["1", "2", "3", "4", "7", "1"]
    edits: list[tuple[str, str, Any]] = []
    want: dict[int, dict[str, Any]] = {}
    for row, level in enumerate(levels, start=1):
        edits += [("Ratings", cell_ref(row, 0), f"P{row}"), ("Ratings", cell_ref(row, 2), level)]
        ratings = planned(fw, level, row)
        for comp_id, value in ratings.items():
            edits.append(("Ratings", cell_ref(row, header.index(fw.competency_by_id[comp_id].name)), value))
        if row == len(levels):  # a rating typed where level 1 assesses nothing
            edits.append(("Ratings", cell_ref(row, header.index(fw.competency_by_id["leadership"].name)), 1))
        want[row] = expected(fw, level, ratings)
    book = libreoffice.fill(path, tmp_path / "matrix-filled.ods", edits)
    for row, figures in want.items():
        assert_same(shown(book, header, row), figures, f"row {row + 1} (level {levels[row - 1]})")


def test_guide_keeps_line_breaks_and_anchors(libreoffice: Any, people: Any) -> None:
    fw, _roster, path, _self = people
    book = libreoffice.read(path)
    texts = {cell for row in book.rows("Guide") for cell in row if isinstance(cell, str)}
    bullets = fw.description("employee_relations", "3")
    assert bullets is not None and "\n- " in bullets and bullets.strip() in texts
    assert all(text in texts for c in fw.competencies for text in c.anchors.values())
    assert "n/a" in texts  # people data and leadership at level 1
