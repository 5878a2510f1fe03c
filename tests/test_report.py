"""The report workbook: what each sheet shows for a hand-built analysis, and that it opens and prints."""

from __future__ import annotations

import dataclasses
import io
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from report_fixtures import (
    ENGINEERING,
    TREND_CYCLES,
    data_science,
    empty_analysis,
    engineering,
    sample_analysis,
    sample_trends,
    trends_analysis,
)

from matrixkit.assess.results import STATUS_WORDS, STATUSES, Analysis, TrendPoint, Trends
from matrixkit.model.criteria import label_of
from matrixkit.outputs.report import SHEET_NAMES, TRENDS_SHEET, report_bytes
from matrixkit.outputs.report.styles import (
    GAP_BAR_COLOUR,
    NEXT_GAP_BAR_COLOUR,
    STATUS_CHART_COLOURS,
    TREND_LINE_COLOURS,
)
from matrixkit.outputs.report.tables import HEADER_ROW
from matrixkit.outputs.report.trends import TREND_CHART_COMPETENCIES, TREND_CHART_EMPLOYEES
from matrixkit.workbook.styles import STATUS_FILLS

HEADER = HEADER_ROW + 1  # 1-based, as openpyxl counts


def build(analysis: Analysis | None = None) -> bytes:
    return report_bytes(analysis or sample_analysis(), [engineering()])


@pytest.fixture(scope="module")
def report() -> bytes:
    return build()


@pytest.fixture(scope="module")
def book(report: bytes) -> Any:
    return openpyxl.load_workbook(io.BytesIO(report))


def table(ws: Any, header_row: int = HEADER) -> list[dict[str, Any]]:
    """Rows under a header row, as dicts keyed by header text."""
    header = [cell.value for cell in ws[header_row]]
    rows = []
    for values in ws.iter_rows(min_row=header_row + 1, values_only=True):
        if all(v is None for v in values):
            break
        rows.append({h: v for h, v in zip(header, values, strict=False) if h is not None})
    return rows


def find_row(ws: Any, first_cell: str) -> int:
    for row in ws.iter_rows(min_col=1, max_col=1):
        if row[0].value == first_cell:
            return int(row[0].row)
    raise AssertionError(f"no row starting with {first_cell!r} in {ws.title}")


# -- structure -------------------------------------------------------------------------------------


def test_sheets_are_named_and_ordered(book: Any) -> None:
    assert book.sheetnames == list(SHEET_NAMES)
    assert SHEET_NAMES == (
        "Summary",
        "Readiness",
        "Gaps",
        "Team gaps",
        "Calibration",
        "Criteria check",
        "Level fit",
        "Management track",
        "Lateral paths",
        "Development plans",
        "Problems",
    )


def test_table_sheets_have_frozen_headers_filters_and_landscape_print(book: Any) -> None:
    for name in ("Readiness", "Calibration", "Criteria check", "Lateral paths", "Development plans", "Problems"):
        ws = book[name]
        assert ws.freeze_panes is not None and ws.freeze_panes.endswith(str(HEADER + 1)), name
        assert ws.auto_filter.ref and ws.auto_filter.ref.startswith(f"A{HEADER}:"), name
        assert ws.page_setup.orientation == "landscape", name
    assert book["Readiness"].freeze_panes == f"C{HEADER + 1}"  # ID and name stay in view


# -- Summary ---------------------------------------------------------------------------------------


def test_summary_figures_and_every_status_shown(book: Any) -> None:
    ws = book["Summary"]
    facts = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(1, 12)}
    assert facts["Cycle"] == "2026-Q4"
    assert facts["Employees"] == 6  # E5 in two workbooks is one employee
    assert facts["Files read"] == 2
    assert facts["Problems: errors"] == 2
    assert facts["Problems: warnings"] == 1
    assert facts["Missing (in the roster, in no workbook)"] == 1
    assert facts["Missing employee IDs"] == "E9"
    status_rows = table(ws, find_row(ws, "Status"))
    assert [(r["Status"], r["Employees"]) for r in status_rows] == [(STATUS_WORDS[s], 1) for s in STATUSES]


def test_summary_status_by_level_and_top_gaps(book: Any) -> None:
    ws = book["Summary"]
    by_level = {r["Family / level"]: r for r in table(ws, find_row(ws, "Family / level"))}
    assert list(by_level) == [f"Engineering / {level}" for level in ("IC1", "IC2", "IC3", "IC7", "M1")]
    assert by_level["Engineering / IC2"]["Not ready"] == 1
    assert by_level["Engineering / IC2"]["Conflict"] == 1
    assert by_level["Engineering / IC2"]["Total"] == 2
    assert by_level["Engineering / M1"]["On track"] == 1
    assert by_level["Engineering / M1"]["Ready"] == 0
    gaps = table(ws, find_row(ws, "Competency"))
    # Only Bob (IC2) is below IC3 anywhere, and below IC2 itself in Delivery alone: below the current level
    # ranks first; conflicts are not counted; then largest count, then by name.
    below_current, below_next = "Employees below their current level", "Employees below the next level"
    assert gaps[0] == {"Competency": "Delivery", below_current: 1, below_next: 1}
    assert gaps[1] == {"Competency": "Collaboration", below_current: 0, below_next: 1}
    assert "Communication" not in {g["Competency"] for g in gaps}
    assert len(gaps) == 9


def test_summary_has_two_charts_over_its_own_ranges(report: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(report)) as z:
        charts = sorted(n for n in z.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n))
        xml = [z.read(n).decode() for n in charts]
    xml = [text for text in xml if "Summary!" in text]
    assert len(xml) == 2
    assert 'grouping val="stacked"' in xml[0] and '<c:barDir val="col"/>' in xml[0]
    assert xml[0].count("<c:ser>") == len(STATUSES)
    assert '<c:barDir val="bar"/>' in xml[1]
    # Every competency of the gaps chart is named: LibreOffice skipped every other label where they crowd.
    assert '<c:tickLblSkip val="1"/>' in xml[1]
    for text in xml:
        assert all(ref.startswith("Summary!") for ref in re.findall(r"<c:f>([^<]+)</c:f>", text))


# -- Readiness -------------------------------------------------------------------------------------


def test_readiness_one_row_per_employee_with_figures(book: Any) -> None:
    rows = table(book["Readiness"])
    assert [r["Employee ID"] for r in rows] == ["E1", "E2", "E3", "E4", "E5", "E5", "E6"]
    ada, bob, zoe, wei, sam1, sam2, mia = rows
    assert ada == {
        **ada,
        "Name": "Ada Lovelace",
        "Manager": "Grace Hopper (M1)",
        "Family": "Engineering",
        "Track": "Individual contributor",
        "Level": "IC3",
        "Next level": "IC4",
        "Status": "Ready",
        "Average": 3.9,
        "Lowest": 3,
        "Gaps to next level": 0,
        "Below the next level in": None,
        "Source file": "grace.xlsx",
        "Sheet": "Ratings",
        "Row": 4,
    }
    assert bob["Name"] == "=1+1 Bob"
    assert bob["Status"] == "Not ready"
    assert bob["Average"] == 2.0
    assert bob["Gaps to next level"] == 9
    assert bob["Below the next level in"].startswith("Collaboration, Delivery, Ownership of outcomes")
    assert zoe["Status"] == "Incomplete"
    assert zoe["Manager"] == "Linus Ødegård (M2)"
    assert zoe["Name"] == "Zoë Ñúñez 陈"
    assert (zoe["Average"], zoe["Lowest"], zoe["Gaps to next level"]) == (None, None, None)
    assert wei["Status"] == "Top of track"
    assert (wei["Next level"], wei["Gaps to next level"]) == (None, None)
    assert [sam1["Status"], sam2["Status"]] == ["Conflict", "Conflict"]
    assert [sam1["Source file"], sam2["Source file"]] == ["grace.xlsx", "linus.xlsx"]
    assert mia["Track"] == "Engineering management"
    assert mia["Average"] == pytest.approx(4.11)


def test_readiness_criteria_in_canonical_order_with_words_and_reasons(book: Any) -> None:
    ws = book["Readiness"]
    header = [c.value for c in ws[HEADER]]
    criteria = [h for h in header if f"{h}: why" in header]
    assert criteria == [
        label_of(key)
        for key in (
            "average_at_least",
            "each_at_least",
            "next_level_gaps_at_most",
            "sustained_cycles",
            "evidence",
            "endorsement",
        )
    ]
    for label in criteria:
        assert header[header.index(label) + 1] == f"{label}: why"
    average, evidence, sustained = (label_of(k) for k in ("average_at_least", "evidence", "sustained_cycles"))
    rows = {(r["Employee ID"], r["Source file"]): r for r in table(ws)}
    bob = rows[("E2", "grace.xlsx")]
    assert bob[average] == "not met"
    assert bob[f"{average}: why"] == "2.0 < 3.5"
    assert bob[evidence] == "unknown"
    # by its prompt, never its id (design_doc_adopted)
    assert bob[f"{evidence}: why"] == "Has written a design doc that was reviewed and adopted: not answered"
    assert bob[sustained] is None  # not checked for Bob
    mia = rows[("E6", "linus.xlsx")]
    assert mia[average] == "met"
    assert mia[sustained] == "unknown"
    assert mia[f"{sustained}: why"] == "2026-Q3 is not in the store"
    words = {r[k] for r in rows.values() for k in criteria} - {None}
    assert words == {"met", "not met", "unknown"}


def test_status_cells_are_coloured_by_status(book: Any) -> None:
    ws = book["Readiness"]
    header = [c.value for c in ws[HEADER]]
    col = header.index("Status") + 1
    fills = {}
    for r in range(HEADER + 1, ws.max_row + 1):
        cell = ws.cell(r, col)
        fills[cell.value] = cell.fill.fgColor.rgb
    assert set(fills) == set(STATUS_WORDS.values())
    assert len(set(fills.values())) == len(STATUSES)


# -- heat maps and tables --------------------------------------------------------------------------


def test_gaps_against_next_and_current_level(book: Any) -> None:
    ws = book["Gaps"]
    assert "next level" in ws["A2"].value and "current level" in ws["A2"].value
    header_row = find_row(ws, "Employee ID")
    header = [c.value for c in ws[header_row]]
    names = [c.name for c in engineering().competencies]
    n = len(names)
    assert header[4 : 4 + n] == names
    assert header[5 + n : 5 + 2 * n] == names
    rows = {ws.cell(r, 1).value: [c.value for c in ws[r]] for r in range(header_row + 1, header_row + 8)}
    bob = rows["E2"]
    delivery = names.index("Delivery")
    assert bob[4 + delivery] == 1 - 3  # IC3 expects 3
    assert bob[5 + n + delivery] == 1 - 2  # IC2 expects 2
    wei = rows["E4"]  # top of the track: against IC7 itself
    assert wei[4 + names.index("Communication")] == 0
    people = names.index("People management")
    assert bob[4 + people] is None  # not on the IC track
    assert ws.conditional_formatting  # the heat map colours


def test_team_gaps_per_manager_over_complete_employees(book: Any) -> None:
    ws = book["Team gaps"]
    rows = {r["Manager"]: r for r in table(ws, find_row(ws, "Manager"))}
    assert list(rows) == ["Grace Hopper (M1)", "Linus Ødegård (M2)", "Organisation"]
    # M1: Ada (IC3, delivery 4 vs 3) and Bob (IC2, delivery 1 vs 2); Sam is in conflict, so left out.
    assert rows["Grace Hopper (M1)"]["Rated"] == 2
    assert rows["Grace Hopper (M1)"]["Delivery"] == pytest.approx(0.0)
    assert rows["Grace Hopper (M1)"]["Communication"] == pytest.approx(1.0)
    # M2: Chen Wei (IC7) and Mia (M1); Zoë is incomplete. Only Mia is rated on people management.
    assert rows["Linus Ødegård (M2)"]["Rated"] == 2
    assert rows["Linus Ødegård (M2)"]["People management"] == pytest.approx(4 - 3)
    assert rows["Organisation"]["Rated"] == 4


def test_calibration_rows_and_flag_note(book: Any) -> None:
    ws = book["Calibration"]
    note = ws["A2"].value
    assert "+0.5" in note and "−0.5" in note and "at least 3" in note and "+0.26" in note
    rows = table(ws)
    assert [r["Manager"] for r in rows] == ["Grace Hopper (M1)", "Linus Ødegård (M2)"]
    assert rows[0] == {
        "Manager": "Grace Hopper (M1)",
        "Rated": 3,
        "Mean": 3.05,
        "Share of 4–5": 0.3,
        "Mean gap vs role profile": -0.25,
        "Deviation from org": -0.51,
        "Flag": "severe",
    }
    assert rows[1]["Flag"] is None


def test_criteria_check_in_framework_order(book: Any) -> None:
    rows = table(book["Criteria check"])
    assert [(r["Level"], r["Next level"], r["Share"], r["Flag"]) for r in rows] == [
        ("IC2", "IC3", 0, "aspirational"),
        ("IC3", "IC4", 1, "too easy"),
        ("M1", "M2", 1, "too easy"),
    ]
    assert "5%" in book["Criteria check"]["A2"].value and "60%" in book["Criteria check"]["A2"].value


def test_management_track_and_lateral_paths(book: Any) -> None:
    (candidate,) = table(book["Management track"])
    assert candidate["Employee ID"] == "E1"
    assert candidate["To track"] == "Engineering management"
    assert candidate["To level"] == "M1"
    evidence = label_of("evidence")
    assert candidate[evidence] == "unknown"
    assert (
        candidate[f"{evidence}: why"].endswith(": not answered")
        and "mentored_engineer" not in candidate[f"{evidence}: why"]
    )
    lateral = table(book["Lateral paths"])
    assert [(r["Competency"], r["Rating"], r["Target expected"], r["Gap"]) for r in lateral] == [
        ("System design", 4, 5, -1),
        ("Communication", 4, 3, 1),
    ]
    assert {r["Target (family:level)"] for r in lateral} == {"data:DS2"}


def test_development_plans_grouped_largest_gap_first_with_full_text(book: Any) -> None:
    rows = table(book["Development plans"])
    assert [(r["Employee ID"], r["Competency"], r["Gap"]) for r in rows] == [
        ("E1", "Testing and quality", -1),
        ("E2", "Delivery", -2),
        ("E2", "Ownership of outcomes", -1),
        ("E2", "Testing and quality", -1),
    ]
    delivery = rows[1]
    assert delivery["Name"] == "=1+1 Bob"
    assert delivery["Current rating"] == 1
    assert delivery["Target level"] == "IC3 — Senior Software Engineer"
    assert delivery["Expected"] == 3
    assert delivery["What the target level looks like"] == engineering().description("delivery", "IC3")
    cell = book["Development plans"].cell(HEADER + 2, 8)
    assert cell.alignment.wrap_text


def test_two_families_get_a_block_each() -> None:
    from matrixkit import load_frameworks
    from matrixkit.assess.results import EmployeeResult, Source

    engineering_fw, data_fw = load_frameworks([ENGINEERING, ENGINEERING.with_name("data-science.yaml")])
    ratings = {c.id: 3 for c in data_fw.competencies_for("ic")}
    ana = EmployeeResult(
        "D1", "Ana Datos", "M2", "data", "ic", "DS2", "DS3", ratings, 3.0, 3, [], [], [], "not_ready",
        Source("linus.xlsx", "Ratings - Data Science", 4), manager_name="Linus Ødegård",
    )  # fmt: skip
    a = sample_analysis()
    book = openpyxl.load_workbook(
        io.BytesIO(report_bytes(dataclasses.replace(a, employees=[*a.employees, ana]), [data_fw, engineering_fw]))
    )
    gaps = book["Gaps"]
    headings = [gaps.cell(r, 1).value for r in range(1, gaps.max_row + 1)]
    assert headings.index("Data Science") < headings.index("Engineering")  # by family id: data, engineering
    assert headings.count("Employee ID") == 2
    team = book["Team gaps"]
    assert [team.cell(r, 1).value for r in range(1, team.max_row + 1)].count("Organisation") == 2
    summary = book["Summary"]
    levels = [r["Family / level"] for r in table(summary, find_row(summary, "Family / level"))]
    assert levels[0] == "Data Science / DS2"
    readiness = {r["Employee ID"]: r for r in table(book["Readiness"])}
    assert readiness["D1"]["Family"] == "Data Science"


# -- Problems and text safety ----------------------------------------------------------------------


def test_problems_sheet_errors_first_text_intact(book: Any) -> None:
    ws = book["Problems"]
    assert ws["A1"].value.startswith("Problems — 2 error(s), 1 warning(s)")
    rows = table(ws)
    assert [r["Severity"] for r in rows] == ["error", "error", "warning"]
    assert rows[0] == {
        "Severity": "error",
        "File": "grace.xlsx",
        "Sheet": "Ratings",
        "Cell": "E5",
        "Value": "4½",
        "Expected": "a whole number from 1 to 5",
        "Message": "note: « Zoë » wrote 4½ — 評価",
        "Hint": None,
    }
    assert rows[1]["Value"] == "=1+1"
    assert rows[2]["File"] == "roster.csv" and rows[2]["Cell"] is None


def test_text_is_never_a_formula(report: bytes, book: Any) -> None:
    with zipfile.ZipFile(io.BytesIO(report)) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/sheet"):
                assert "<f>" not in z.read(name).decode(), name
    found = []
    for ws in book:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate}"
                if isinstance(cell.value, str) and cell.value.startswith("=1+1"):
                    found.append(ws.title)
    assert {"Readiness", "Gaps", "Problems", "Development plans"} <= set(found)


def test_same_input_same_bytes_whatever_the_input_order(report: bytes) -> None:
    assert build() == report
    a = sample_analysis()
    shuffled = dataclasses.replace(
        a,
        employees=list(reversed(a.employees)),
        problems=list(reversed(a.problems)),
        calibration=list(reversed(a.calibration)),
        level_checks=list(reversed(a.level_checks)),
        lateral=list(reversed(a.lateral)),
        development=list(reversed(a.development)),
    )
    assert build(shuffled) == report


def test_creation_date_comes_from_the_cycle(report: bytes) -> None:
    def created(data: bytes) -> str:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            core = z.read("docProps/core.xml").decode()
        found = re.search(r"<dcterms:created[^>]*>([^<]+)<", core)
        assert found
        return found.group(1)

    assert created(report) == "2026-10-01T00:00:00Z"
    assert created(build(sample_analysis("2026-H1"))) == "2026-01-01T00:00:00Z"
    assert created(build(sample_analysis(None))) == "2000-01-01T00:00:00Z"
    assert build(sample_analysis(None)) == build(sample_analysis(None))


def test_empty_analysis_says_so_in_words_on_every_sheet() -> None:
    book = openpyxl.load_workbook(io.BytesIO(build(empty_analysis())))
    assert book.sheetnames == list(SHEET_NAMES)
    for ws in book:
        values = [c.value for row in ws.iter_rows() for c in row]
        assert "None" not in values, ws.title  # a sentence, never a bare "None"
        said = [v for v in values if isinstance(v, str) and v.startswith(("Nobody", "No ", "None of"))]
        assert said or ws.title in ("Summary", "Gaps", "Team gaps", "Problems"), ws.title
    summary = book["Summary"]
    assert [summary.cell(r, 2).value for r in range(find_row(summary, "Ready"), find_row(summary, "Conflict") + 1)] == [
        0
    ] * len(STATUSES)
    assert not book["Summary"]._charts


# -- Trends ----------------------------------------------------------------------------------------


def build_trends(analysis: Analysis | None = None) -> bytes:
    return report_bytes(analysis or trends_analysis(), [data_science(), engineering()])


@pytest.fixture(scope="module")
def trends_report() -> bytes:
    return build_trends()


@pytest.fixture(scope="module")
def trends_book(trends_report: bytes) -> Any:
    return openpyxl.load_workbook(io.BytesIO(trends_report))


def chart_xml(report: bytes) -> list[str]:
    """The charts of every sheet but Level fit (which has its own tests), in their order."""
    with zipfile.ZipFile(io.BytesIO(report)) as z:
        names = sorted(
            (n for n in z.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n)),
            key=lambda n: int(re.sub(r"\D", "", n)),
        )
        charts = [z.read(n).decode() for n in names]
    return [text for text in charts if "&apos;Level fit&apos;!" not in text and "'Level fit'!" not in text]


def test_trends_sheet_sits_between_development_plans_and_problems(trends_book: Any, book: Any) -> None:
    names = list(SHEET_NAMES)
    assert trends_book.sheetnames == [*names[: names.index("Problems")], TRENDS_SHEET, "Problems"]
    assert TRENDS_SHEET == "Trends"
    assert TRENDS_SHEET not in book.sheetnames  # no history store, no sheet
    assert sample_analysis().trends is None


def test_without_trends_the_other_sheets_are_unchanged(report: bytes, trends_report: bytes) -> None:
    assert build(dataclasses.replace(trends_analysis(), trends=None)) == report
    without = build_trends(dataclasses.replace(trends_analysis(), trends=None))
    with zipfile.ZipFile(io.BytesIO(without)) as before, zipfile.ZipFile(io.BytesIO(trends_report)) as after:
        # Summary to Development plans are sheet1-10 in both; Trends is sheet11 and Problems moves to sheet12.
        for n in range(1, 11):
            name = f"xl/worksheets/sheet{n}.xml"
            assert before.read(name) == after.read(name), name
        assert "xl/worksheets/sheet12.xml" not in before.namelist()


def test_trends_one_row_per_employee_by_name_with_status_and_average_per_cycle(trends_book: Any) -> None:
    ws = trends_book[TRENDS_SHEET]
    assert ws["A1"].value.startswith("Trends")
    assert "2026-Q2, 2026-Q3, 2026-Q4" in ws["A2"].value
    header = [c.value for c in ws[HEADER]]
    per_cycle = [h for c in TREND_CYCLES for h in (f"{c} status", f"{c} average")]
    assert header == ["Employee ID", "Name", *per_cycle, "Level", "Level changes"]
    rows = table(ws)
    assert [r["Employee ID"] for r in rows] == ["E2", "E1", "D1", "E3"]  # by name: "=1+1 Bob" first
    bob, ada, ana, zoe = rows
    assert [(ada[f"{c} status"], ada[f"{c} average"]) for c in TREND_CYCLES] == [
        ("On track", 3.2),
        ("Ready", 3.6),
        ("Ready", 3.9),
    ]
    assert (ada["Level"], ada["Level changes"]) == ("IC3", "IC2 → IC3 in 2026-Q4")
    # Bob was not rated in 2026-Q3: both cells blank; his average is rounded to 2 decimals.
    assert [(bob[f"{c} status"], bob[f"{c} average"]) for c in TREND_CYCLES] == [
        ("Not ready", 2.0),
        (None, None),
        ("Not ready", 2.05),
    ]
    assert bob["Name"] == "=1+1 Bob"
    assert (bob["Level"], bob["Level changes"]) == ("IC2", None)
    assert ana["2026-Q2 status"] is None and ana["2026-Q4 average"] == 2.88
    assert (zoe["Name"], zoe["2026-Q4 status"], zoe["2026-Q4 average"]) == ("Zoë Ñúñez 陈", "Incomplete", None)
    assert ws.auto_filter.ref == f"A{HEADER}:J{HEADER + 4}"
    assert ws.page_setup.orientation == "landscape"


def test_trends_status_cells_coloured_like_readiness(trends_book: Any) -> None:
    ws = trends_book[TRENDS_SHEET]
    for row in ws.iter_rows(min_row=HEADER + 1, max_row=HEADER + 4, min_col=3, max_col=8):
        for cell in row:
            status = {word: status for status, word in STATUS_WORDS.items()}.get(cell.value)
            if status is not None:
                assert cell.fill.fgColor.rgb == "FF" + STATUS_FILLS[status][1:], cell.coordinate
                assert cell.font.b
    readiness = trends_book["Readiness"]
    ready = next(c for c in readiness["E"] if c.value == "Ready")
    assert ws["G5"].value == "Ready" and ws["G5"].fill.fgColor.rgb == ready.fill.fgColor.rgb


def test_trends_competency_means_per_cycle(trends_book: Any) -> None:
    ws = trends_book[TRENDS_SHEET]
    header_row = find_row(ws, "Family")
    assert ws.cell(header_row - 1, 1).value == "Organisation mean rating per competency"
    rows = table(ws, header_row)
    assert [(r["Family"], r["Competency"]) for r in rows] == [
        ("Data Science", "Communication"),
        ("Engineering", "Communication"),
        ("Engineering", "Delivery & impact"),  # the latest name, in framework order
    ]
    assert [[r[c] for c in TREND_CYCLES] for r in rows] == [
        [None, 3.0, 3.0],
        [3.1, 3.25, 3.33],
        [2.5, None, 2.75],
    ]
    assert ws.cell(header_row + 2, 5).number_format == "0.00"


def test_trends_line_charts_over_plain_ranges_of_the_sheet(trends_report: bytes) -> None:
    summary, gaps, competencies, employees = chart_xml(trends_report)
    assert "<c:barDir" in summary and "<c:barDir" in gaps
    for xml in (competencies, employees):
        assert "<c:lineChart>" in xml
        refs = re.findall(r"<c:f>([^<]+)</c:f>", xml)
        assert refs and all(re.fullmatch(r"Trends!\$[A-Z]+\$\d+(:\$[A-Z]+\$\d+)?", ref) for ref in refs), refs
        assert '<c:dispBlanksAs val="span"/>' in xml
    assert competencies.count("<c:ser>") == 3
    # Two families: the legend says which family a competency belongs to.
    assert "Data Science: Communication" in competencies and "Engineering: Delivery &amp; impact" in competencies
    assert employees.count("<c:ser>") == 3  # Zoë has no average yet: no line
    assert TREND_LINE_COLOURS[0][1:] in competencies


def test_trends_same_bytes_whatever_the_input_order(trends_report: bytes) -> None:
    t = sample_trends()
    shuffled = Trends(
        cycles=list(t.cycles),
        employees={k: list(reversed(v)) for k, v in reversed(t.employees.items())},
        names=dict(reversed(t.names.items())),
        competency_means={k: dict(reversed(v.items())) for k, v in reversed(t.competency_means.items())},
        competency_names=dict(reversed(t.competency_names.items())),
    )
    a = trends_analysis(shuffled)
    assert build_trends(dataclasses.replace(a, employees=list(reversed(a.employees)))) == trends_report


def test_trends_with_many_employees_and_competencies_caps_the_charts() -> None:
    cycles = ["2026-Q3", "2026-Q4"]
    n_employees = TREND_CHART_EMPLOYEES + 1
    n_competencies = TREND_CHART_COMPETENCIES + 3
    keys = [("engineering", f"c{i:02}") for i in range(n_competencies)]
    trends = Trends(
        cycles=cycles,
        employees={f"E{i:02}": [TrendPoint(c, "IC2", "on_track", 3.0) for c in cycles] for i in range(n_employees)},
        names={f"E{i:02}": f"Person {i:02}" for i in range(n_employees)},
        competency_means={key: dict.fromkeys(cycles, 3.0) for key in keys},
        competency_names={key: f"Competency {key[1]}" for key in keys},
    )
    data = report_bytes(trends_analysis(trends), [engineering()])
    ws = openpyxl.load_workbook(io.BytesIO(data))[TRENDS_SHEET]
    assert len(table(ws)) == n_employees
    texts = [ws.cell(r, 1).value or "" for r in range(1, ws.max_row + 1)]
    assert any(t.startswith(f"No chart of employee averages: {n_employees} employees") for t in texts)
    assert any(f"first {TREND_CHART_COMPETENCIES} of {n_competencies}" in t for t in texts)
    _, _, competencies = chart_xml(data)  # Summary's two, then the competency chart only
    assert competencies.count("<c:ser>") == TREND_CHART_COMPETENCIES
    assert "<c:f>Trends!$B$" in competencies  # one family: the names come from the table


def test_trends_without_data_says_none() -> None:
    data = report_bytes(trends_analysis(Trends(["2026-Q4"], {}, {}, {}, {})), [engineering()])
    ws = openpyxl.load_workbook(io.BytesIO(data))[TRENDS_SHEET]
    assert ws.cell(HEADER + 1, 1).value == "Nobody has a stored cycle to compare"
    assert ws.cell(find_row(ws, "Family") + 1, 1).value == "No competency has ratings in a stored cycle"
    assert len(chart_xml(data)) == 2  # Summary's only


# -- a real spreadsheet program ---------------------------------------------------------------------


def _page_pixels(pdf: Path, tmp_path: Path) -> tuple[int, int, bytes]:
    """Page 1 of `pdf` as raw RGB (pdftoppm writes a binary PPM)."""
    prefix = tmp_path / "page"
    subprocess.run(
        ["pdftoppm", "-r", "40", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(prefix)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    data = prefix.with_suffix(".ppm").read_bytes()
    magic, width, height, maxval, pixels = data.split(maxsplit=4)
    assert magic == b"P6" and maxval == b"255"
    return int(width), int(height), pixels


def _count_colour(image: tuple[int, int, bytes], colour: str, *, x_from: float = 0.0, tolerance: int = 40) -> int:
    width, height, pixels = image
    target = tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))
    count = 0
    for y in range(height):
        for x in range(int(width * x_from), width):
            i = (y * width + x) * 3
            if all(abs(pixels[i + k] - target[k]) <= tolerance for k in range(3)):
                count += 1
    return count


@pytest.mark.libreoffice
def test_libreoffice_opens_the_report_and_draws_the_charts(libreoffice: Any, report: bytes, tmp_path: Path) -> None:
    path = tmp_path / "report.xlsx"
    path.write_bytes(report)
    opened = libreoffice.read(path, detail_sheet_prefix=None)
    assert opened.sheet_names == list(SHEET_NAMES)
    assert opened.value("Readiness", f"E{HEADER + 1}") == "Ready"
    assert opened.value("Problems", f"E{HEADER + 2}") == "=1+1"
    assert opened.formula("Problems", f"E{HEADER + 2}") is None

    pdf = libreoffice.convert_pdf(path, tmp_path / "report.pdf")
    assert pdf.read_bytes()[:5] == b"%PDF-"
    if shutil.which("pdftoppm") is None:
        if os.environ.get("CI"):
            pytest.fail("pdftoppm (poppler-utils) is needed to look at the printed Summary")
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    page = _page_pixels(pdf, tmp_path)
    # The Summary prints on page 1, its charts on the right half; these colours are used only by the charts.
    bars = _count_colour(page, GAP_BAR_COLOUR, x_from=0.5) + _count_colour(page, NEXT_GAP_BAR_COLOUR, x_from=0.5)
    assert bars > 200, "the top-gaps bar chart is not drawn"
    assert _count_colour(page, STATUS_CHART_COLOURS["not_ready"], x_from=0.5) > 50, "the status chart is not drawn"
    assert _count_colour(page, GAP_BAR_COLOUR, x_from=0.0) == _count_colour(page, GAP_BAR_COLOUR, x_from=0.5)


def _pdf_page_with(pdf: Path, text: str) -> int:
    pages = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True, timeout=60).stdout
    count = int(re.search(r"^Pages:\s+(\d+)", pages, re.M).group(1))  # type: ignore[union-attr]
    for page in range(1, count + 1):
        found = subprocess.run(
            ["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"],
            check=True,
            capture_output=True,
            text=True,
            timeout=60,
        ).stdout
        if found.lstrip().startswith(text):
            return page
    raise AssertionError(f"no page starts with {text!r}")


@pytest.mark.libreoffice
def test_libreoffice_draws_the_trends_charts(libreoffice: Any, trends_report: bytes, tmp_path: Path) -> None:
    path = tmp_path / "trends.xlsx"
    path.write_bytes(trends_report)
    opened = libreoffice.read(path, detail_sheet_prefix=None)
    assert opened.sheet_names[-2:] == [TRENDS_SHEET, "Problems"]
    assert opened.value(TRENDS_SHEET, f"C{HEADER + 2}") == "On track"  # Ada, 2026-Q2
    assert opened.value(TRENDS_SHEET, f"H{HEADER + 2}") == pytest.approx(3.9)

    pdf = libreoffice.convert_pdf(path, tmp_path / "trends.pdf")
    if shutil.which("pdftoppm") is None or shutil.which("pdftotext") is None:
        if os.environ.get("CI"):
            pytest.fail("pdftoppm and pdftotext (poppler-utils) are needed to look at the printed Trends")
        pytest.skip("poppler-utils is not installed")
    page = _pdf_page_with(pdf, "Trends")
    prefix = tmp_path / "trends"
    subprocess.run(
        ["pdftoppm", "-r", "40", "-f", str(page), "-l", str(page), "-singlefile", str(pdf), str(prefix)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    data = prefix.with_suffix(".ppm").read_bytes()
    magic, width, height, maxval, pixels = data.split(maxsplit=4)
    assert magic == b"P6" and maxval == b"255"
    image = (int(width), int(height), pixels)
    # The lines' colours are in no cell: the first two series of each chart must be drawn.
    assert _count_colour(image, TREND_LINE_COLOURS[0], tolerance=30) > 20, "the first lines are not drawn"
    assert _count_colour(image, TREND_LINE_COLOURS[1], tolerance=30) > 20, "the second lines are not drawn"
    # The employee chart sits to the right of the competency chart.
    assert _count_colour(image, TREND_LINE_COLOURS[1], x_from=0.5, tolerance=30) > 10
