"""`Ready?` and `Still needed` as LibreOffice computes them equal what analyze reports (SPEC rev 2).

The workbook never says more than the report: for every row of every workbook here, the recalculated
cells equal `assess.readiness.workbook_view` of analyze's result for the same file — evidence blank,
endorsement No, months short, months without a `level_since`, calibration and sustained cycles
pending, the top of a track, and the blank matrix.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, TEMPLATES

from matrixkit import load_frameworks
from matrixkit.assess.readiness import workbook_view
from matrixkit.model.cycles import parse_cycle
from matrixkit.model.framework import Framework
from matrixkit.outputs.generate import generate_blank_matrix, generate_workbooks
from matrixkit.run import analyze_workbooks
from matrixkit.sources.roster import read_roster
from matrixkit.workbook.cells import cell_ref
from matrixkit.workbook.layout import ratings_columns

pytestmark = pytest.mark.libreoffice

READINESS_YAML = """\
matrixkit: 1
family: {id: rd, name: Readiness, version: "1"}
scale: {min: 1, max: 5, labels: {1: Learning, 3: Proficient, 5: Expert}}
competencies:
  - {id: craft, name: Craft, kind: core, descriptions: {L1: a, L2: b, L3: c, L4: d, M1: e, M2: f}}
  - {id: care, name: Care, kind: core, descriptions: {L1: a, L2: b, L3: c, L4: d, M1: e, M2: f}}
  - {id: lead, name: Leading, kind: leadership, tracks: [m], descriptions: {M1: e, M2: f}}
evidence:
  - {id: shipped, prompt: "Has shipped a feature end to end"}
  - {id: mentored, prompt: "Has mentored someone for 3+ months"}
metrics:
  - {id: score, name: "Peer score", min: 0}
promotion: {average_at_least: 3, each_at_least: 2}
tracks:
  - id: ic
    name: Individual contributor
    levels:
      - id: L1
        title: Engineer I
        expected: {craft: 2, care: 2}
        promotion: {next_level_gaps_at_most: 0, months_in_level_at_least: 12, evidence: [shipped],
                    endorsement: true, metrics_at_least: {score: 50}}
      - id: L2
        title: Engineer II
        expected: {craft: 3, care: 3}
        promotion: {sustained_cycles: 2, calibration: true, endorsement: true}
      - id: L3
        title: Senior Engineer
        expected: {craft: 4, care: 3}
        promotion: {months_in_level_at_least: 6}
      - {id: L4, title: Staff Engineer, expected: {craft: 4, care: 4}}
  - id: m
    name: Management
    entry: {from: L2, to: M1, criteria: {evidence: [mentored]}}
    levels:
      - {id: M1, title: Manager, expected: {craft: 3, care: 3, lead: 3}, promotion: {sustained_cycles: 1}}
      - {id: M2, title: Senior Manager, expected: {craft: 4, care: 4, lead: 4}}
"""

# (level, level_since) per employee: months short (the 31st rule: 9 months on 2026-12-31), met, unknown.
PEOPLE = [
    ("L1", "2026-03-31"),
    ("L1", "2025-12-31"),
    ("L1", ""),
    ("L1", "2025-01-15"),
    ("L1", "2025-06-01"),
    ("L1", "2024-02-29"),
    ("L2", "2024-01-01"),
    ("L2", ""),
    ("L3", "2026-09-30"),
    ("L3", ""),
    ("L3", "2020-01-01"),
    ("L4", "2020-01-01"),
    ("M1", "2020-01-01"),
    ("M1", "2020-01-01"),
    ("M2", "2020-01-01"),
]
CYCLE = "2026-Q4"


def _shown(value: Any) -> Any:
    return None if value in (None, "") else value


def assert_workbook_agrees(book: Any, analysis: Any, frameworks: list[Framework], cycle: str | None) -> int:
    """Every employee's Ready? and Still needed in LibreOffice equal analyze's; returns how many were compared."""
    by_family = {fw.family.id: fw for fw in frameworks}
    end = parse_cycle(cycle).end if cycle else None
    compared = 0
    for employee in analysis.employees:
        fw = by_family[employee.family]
        assert employee.source is not None
        header = [c.header for c in ratings_columns(fw)]
        row = employee.source.row - 1
        sheet = employee.source.sheet
        shown = tuple(
            _shown(book.value(sheet, cell_ref(row, header.index(name)))) for name in ("Ready?", "Still needed")
        )
        ready, needed = workbook_view(fw, employee, end)
        want = (ready, needed or None)
        where = f"{Path(employee.source.file).name} row {row + 1} ({employee.level}, {employee.status})"
        assert shown == want, f"{where}: LibreOffice {shown}, analyze {want}"
        compared += 1
    return compared


@pytest.fixture(scope="module")
def readiness_framework(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Framework, Path]:
    folder = tmp_path_factory.mktemp("readiness")
    path = folder / "readiness.yaml"
    path.write_text(READINESS_YAML, encoding="utf-8")
    [fw] = load_frameworks([path])
    lines = ["employee_id,name,family,level,manager_id,manager_name,level_since"]
    lines += [f"E{n:02d},Person {n:02d},rd,{level},B,Boss,{since}" for n, (level, since) in enumerate(PEOPLE)]
    roster = folder / "roster.csv"
    roster.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, fw, roster


def _edits(fw: Framework, header: list[str], rows: dict[str, tuple[int, str]]) -> list[tuple[str, str, Any]]:
    """Every scenario once: ratings at, above and below the bar; evidence Yes / No / blank; endorsement
    Yes / No / blank; a metric under, at and over its bar; one row with a rating missing."""
    edits: list[tuple[str, str, Any]] = []
    for n, (_, (row, level)) in enumerate(sorted(rows.items())):
        competencies = fw.competencies_for(fw.track_of_level[level].id)
        rating = [4, 4, 2, 4, 3, 5][n % 6]
        for c in competencies:
            if n == 4 and c.id == "care":
                continue  # missing: both cells empty
            edits.append(("Ratings", cell_ref(row, header.index(c.name)), rating))
        answers = {0: "Yes", 1: "No", 2: None, 3: "Yes", 4: "Yes", 5: "yes"}
        for item in fw.evidence:
            value = answers[(n + len(item.id)) % 6]
            if value is not None and row and level in ("L1", "L2", "L3", "M1"):
                edits.append(("Ratings", cell_ref(row, header.index(item.prompt)), value))
        endorsement = answers[n % 6]
        if endorsement is not None:
            edits.append(("Ratings", cell_ref(row, header.index("Manager endorsement")), endorsement))
        score = [40, 50, None, 75][n % 4]
        if score is not None:
            edits.append(("Ratings", cell_ref(row, header.index("Peer score")), score))
    return edits


def test_roster_rows_agree_with_analyze(libreoffice: Any, readiness_framework: Any, tmp_path: Path) -> None:
    _, fw, roster_path = readiness_framework
    roster = read_roster(roster_path, [fw])
    [workbook] = generate_workbooks([fw], roster, CYCLE, tmp_path / "out")
    header = [c.header for c in ratings_columns(fw)]
    first = libreoffice.read(workbook)
    rows: dict[str, tuple[int, str]] = {}
    for row in range(1, len(PEOPLE) + 1):
        employee_id = first.value("Ratings", cell_ref(row, 0))
        rows[employee_id] = (row, roster.by_id[employee_id].level)
        assert _shown(first.value("Ratings", cell_ref(row, header.index("Still needed")))) is None
    # Evidence is asked only where a criterion of the row needs it: L1 (shipped), L2 and up (mentored, to M1).
    asked = {
        level: {
            item.prompt
            for item in fw.evidence
            if first.value("Ratings", cell_ref(row, header.index(item.prompt))) != "n/a"
        }
        for row, level in rows.values()
    }
    assert asked["L1"] == {"Has shipped a feature end to end"}
    assert asked["L2"] == asked["L3"] == asked["L4"] == {"Has mentored someone for 3+ months"}
    assert asked["M1"] == asked["M2"] == set()
    filled = tmp_path / "filled.xlsx"
    book = libreoffice.fill(workbook, filled, [e for e in _edits(fw, header, rows) if _asked(first, e)])
    analysis = analyze_workbooks([filled], [fw], roster=roster, cycle=CYCLE)
    assert assert_workbook_agrees(book, analysis, [fw], CYCLE) == len(PEOPLE)
    shown = {_shown(book.value("Ratings", cell_ref(r, header.index("Ready?")))) for r in range(1, len(PEOPLE) + 1)}
    assert shown == {"Yes", "Pending", "No", None}, shown
    needed = " | ".join(str(book.value("Ratings", cell_ref(r, header.index("Still needed")))) for r in range(1, 16))
    for phrase in (
        "12 months in level (9 so far)",
        "12 months in level (start date unknown)",
        "Manager endorsement",
        "Calibration session",
        "2 cycles at this bar",
        "Has shipped a feature end to end",
        "Peer score at least 50",
    ):
        assert phrase in needed, phrase


def _asked(book: Any, edit: tuple[str, str, Any]) -> bool:
    return bool(book.value(edit[0], edit[1]) != "n/a")


def test_filled_samples_agree_with_analyze(libreoffice: Any, tmp_path: Path) -> None:
    sys.path.insert(0, str(REPO / "sample_workbooks"))
    from build import SAMPLES, fill_workbook

    compared = 0
    for template, cycle in SAMPLES.items():
        frameworks = load_frameworks([TEMPLATES / f"{template}.yaml"])
        roster = read_roster(TEMPLATES / "rosters" / f"{template}.csv", frameworks)
        for path in generate_workbooks(frameworks, roster, cycle, tmp_path / template):
            filled = tmp_path / f"{template}-filled" / path.name
            fill_workbook(path, filled, frameworks[0])
            book = libreoffice.read(filled, recalc=True)
            analysis = analyze_workbooks([filled], frameworks, roster=roster, cycle=cycle)
            compared += assert_workbook_agrees(book, analysis, frameworks, cycle)
    assert compared >= 40


def test_blank_matrix_agrees_with_analyze(libreoffice: Any, readiness_framework: Any, tmp_path: Path) -> None:
    _, fw, _ = readiness_framework
    path = generate_blank_matrix(fw, tmp_path / "matrix.xlsx", rows=len(PEOPLE))
    header = [c.header for c in ratings_columns(fw)]
    edits: list[tuple[str, str, Any]] = []
    rows: dict[str, tuple[int, str]] = {}
    for row, (level, _) in enumerate(PEOPLE, start=1):
        edits += [("Ratings", cell_ref(row, 0), f"P{row:02d}"), ("Ratings", cell_ref(row, 2), level)]
        rows[f"P{row:02d}"] = (row, level)
    edits += _edits(fw, header, rows)
    filled = tmp_path / "matrix-filled.ods"
    book = libreoffice.fill(path, filled, edits)
    analysis = analyze_workbooks([filled], [fw])
    assert assert_workbook_agrees(book, analysis, [fw], None) == len(PEOPLE)
    shown = {_shown(book.value("Ratings", cell_ref(r, header.index("Ready?")))) for r in range(1, len(PEOPLE) + 1)}
    assert {"Yes", "Pending", "No", None} <= shown, shown


def test_a_blank_matrix_of_many_evidence_items_counts_them_within_excels_formula_length(
    libreoffice: Any, tmp_path: Path
) -> None:
    """Eighty evidence items named one by one would make Ready? and Still needed longer than Excel's 8,192
    characters: a blank matrix then counts the items asked and not yet Yes, recalculated by LibreOffice."""
    items = [f"e{n}" for n in range(80)]
    lines = [f'  - {{id: {item}, prompt: "Has done thing {item}"}}' for item in items]
    text = READINESS_YAML.replace(
        '  - {id: shipped, prompt: "Has shipped a feature end to end"}\n', "\n".join(lines) + "\n"
    ).replace("evidence: [shipped]", f"evidence: [{', '.join(items)}]")
    text = text.replace("evidence: [mentored]", "evidence: [e0]")
    source = tmp_path / "many.yaml"
    source.write_text(text, encoding="utf-8")
    [fw] = load_frameworks([source])
    path = generate_blank_matrix(fw, tmp_path / "matrix.xlsx", rows=3)
    header = [c.header for c in ratings_columns(fw)]
    evidence = [header.index(e.prompt) for e in fw.evidence]
    edits: list[tuple[str, str, Any]] = []
    for row, answered in ((1, 3), (2, 80), (3, 79)):
        edits += [("Ratings", cell_ref(row, 0), f"P{row}"), ("Ratings", cell_ref(row, 2), "L1")]
        edits += [("Ratings", cell_ref(row, header.index(name)), 4) for name in ("Craft", "Care")]
        edits += [("Ratings", cell_ref(row, col), "Yes") for col in evidence[:answered]]
        edits += [("Ratings", cell_ref(row, header.index("Manager endorsement")), "Yes")]
        edits += [("Ratings", cell_ref(row, header.index("Peer score")), 60)]
    book = libreoffice.fill(path, tmp_path / "filled.ods", edits)

    def shown(row: int, column: str) -> Any:
        return book.value("Ratings", cell_ref(row, header.index(column)))

    assert shown(1, "Ready?") == "No" and "Evidence: 77 items not yet Yes" in shown(1, "Still needed")
    assert shown(2, "Ready?") == "Pending" and "Evidence" not in shown(2, "Still needed")
    assert "Evidence: 1 item not yet Yes" in shown(3, "Still needed")
