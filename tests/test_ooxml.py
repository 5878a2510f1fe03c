"""Every kind of .xlsx matrixkit writes is valid OOXML that Excel opens without repairing it, and the
checker that says so (tests/ooxml_check.py) catches the faults Excel repairs.

conftest.py runs the same check on every workbook the other tests make; here each kind is named once,
so that a kind no other test writes any more still gets checked.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import conftest
import openpyxl
import pytest
import xlsxwriter
from conftest import TEMPLATES
from filling import fill
from ooxml_check import made_by_matrixkit, sheet_name_problems, validate_xlsx

from matrixkit import FrameworkError, lint_frameworks, load_frameworks
from matrixkit.authoring.export import framework_workbook_bytes
from matrixkit.outputs.generate import generate_blank_matrix, generate_self_assessments, generate_workbooks
from matrixkit.outputs.packets import write_employee_reports, write_packets
from matrixkit.outputs.report import SELF_ASSESSMENT_SHEET, TRENDS_SHEET, report_bytes
from matrixkit.run import analyze_workbooks
from matrixkit.sources.roster import read_roster
from matrixkit.workbook.package import deflate, zip_bytes

FRAMEWORK = TEMPLATES / "startup.yaml"
ROSTER = TEMPLATES / "rosters" / "startup.csv"


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """One workbook of each kind matrixkit writes, from a startup's review over two cycles."""
    folder = tmp_path_factory.mktemp("ooxml")
    frameworks = load_frameworks([FRAMEWORK])
    (fw,) = frameworks
    roster = read_roster(ROSTER, frameworks)
    managers = generate_workbooks(frameworks, roster, "2026-Q4", folder / "managers")
    protected = generate_workbooks(frameworks, roster, "2026-Q4", folder / "protected", password="secret")
    own = generate_self_assessments(frameworks, roster, "2026-Q4", folder / "self")
    blank = generate_blank_matrix(fw, folder / "matrix.xlsx", cycle="2026-Q4")
    names = [c.name for c in fw.competencies]
    for path in managers:
        ids = [row[0].value for row in openpyxl.load_workbook(path)["Ratings"].iter_rows(min_row=2) if row[0].value]
        fill(path, folder / "returned" / "managers" / path.name, {i: dict.fromkeys(names, 5) for i in ids})
    for path in own:
        employee_id = openpyxl.load_workbook(path)["Ratings"].cell(2, 1).value
        fill(path, folder / "returned" / "self" / path.name, {employee_id: dict.fromkeys(names, 3)})
    store = folder / "history.db"
    for cycle in ("2026-Q3", "2026-Q4"):
        analysis = analyze_workbooks([folder / "returned"], frameworks, roster=roster, cycle=cycle, store=store)
    packets = write_packets(analysis, frameworks, folder / "packets", pdf=False)
    employee_reports = write_employee_reports(analysis, frameworks, folder / "employees", store=store)
    assert packets and employee_reports and analysis.self_assessment and analysis.trends is not None
    return {
        "manager workbook": managers[0].read_bytes(),
        "manager workbook with a password": protected[0].read_bytes(),
        "self-assessment": own[0].read_bytes(),
        "blank matrix": blank.read_bytes(),
        "report": report_bytes(analysis, frameworks),
        "packet": packets[0].read_bytes(),
        "employee report with history": employee_reports[0].read_bytes(),
        "framework export": framework_workbook_bytes(fw),
    }


KINDS = [
    "manager workbook",
    "manager workbook with a password",
    "self-assessment",
    "blank matrix",
    "report",
    "packet",
    "employee report with history",
    "framework export",
]


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_of_workbook_is_valid(written: dict[str, bytes], kind: str) -> None:
    assert validate_xlsx(written[kind]) == []
    assert made_by_matrixkit(written[kind]), "the conftest hook would not recognise it on disk"


def test_the_report_checked_holds_the_trends_and_self_assessment_sheets(written: dict[str, bytes]) -> None:
    sheets = openpyxl.load_workbook(io.BytesIO(written["report"]), read_only=True).sheetnames
    assert {TRENDS_SHEET, SELF_ASSESSMENT_SHEET} <= set(sheets)
    with zipfile.ZipFile(io.BytesIO(written["report"])) as archive:
        assert any(name.startswith("xl/charts/chart") for name in archive.namelist()), "charts are checked too"


# ---------------------------------------------------------------- defects the checker found in matrixkit


def _workbooks_of(framework: dict[str, Any], write_yaml: Callable[..., Path], folder: Path) -> dict[str, bytes]:
    frameworks = load_frameworks([write_yaml(framework)])
    roster = folder / "roster.csv"
    roster.write_text("employee_id,name,family,level,manager_id,manager_name\nE1,Ann,eng,L2,M9,Bo Boss\n")
    people = read_roster(roster, frameworks)
    return {
        "blank matrix": generate_blank_matrix(frameworks[0], folder / "matrix.xlsx").read_bytes(),
        "manager workbook": generate_workbooks(frameworks, people, "2026-Q4", folder / "m")[0].read_bytes(),
        "self-assessment": generate_self_assessments(frameworks, people, "2026-Q4", folder / "s")[0].read_bytes(),
    }


def test_a_rating_prompt_counts_characters_as_excel_does(
    framework_data: dict[str, Any], write_yaml: Callable[..., Path], tmp_path: Path
) -> None:
    """An emoji is two of Excel's characters: a prompt cut at 255 code points could hold 300."""
    for competency in framework_data["competencies"]:
        competency["name"] = "🚀" * 12 + " " + competency["name"]
        competency["descriptions"] = {
            level: "🚀 Ships a tested change " * 12 + text for level, text in competency["descriptions"].items()
        }
    framework_data["metrics"][0]["name"] = "🚀" * 20 + " quota"
    for kind, data in _workbooks_of(framework_data, write_yaml, tmp_path).items():
        assert validate_xlsx(data) == [], kind


def test_a_blank_matrix_rating_error_message_fits_whatever_the_scale_labels(
    framework_data: dict[str, Any], write_yaml: Callable[..., Path], tmp_path: Path
) -> None:
    framework_data["scale"]["labels"] = {
        value: f"Level {value}: a label that says in full what this rating means for everyone" for value in range(1, 6)
    }
    for kind, data in _workbooks_of(framework_data, write_yaml, tmp_path).items():
        assert validate_xlsx(data) == [], kind


def test_a_description_too_long_for_a_cell_in_utf16_is_refused(
    framework_data: dict[str, Any], write_yaml: Callable[..., Path], tmp_path: Path
) -> None:
    """20,000 emoji are 40,000 of Excel's characters: the Guide sheet's cell could not hold them."""
    framework_data["competencies"][0]["descriptions"]["L2"] = "🚀" * 20_000
    (fw,) = load_frameworks([write_yaml(framework_data)])
    problems = [p for p in lint_frameworks([fw]) if p.code == "too-long"]
    assert [p.message for p in problems] == ["40000 characters; a spreadsheet cell holds 32767"]
    with pytest.raises(FrameworkError):
        generate_blank_matrix(fw, tmp_path / "matrix.xlsx")


# ---------------------------------------------------------------- the checker catches what Excel repairs


def tiny_workbook() -> bytes:
    """One sheet with text, a number, a formula, a validation with a prompt, a defined name, a merge, a chart."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet("Ratings")
    sheet.write(0, 0, "Employee ID", workbook.add_format({"bold": True}))
    sheet.write(0, 1, 3)
    sheet.write_formula(0, 2, "=B1*2", None, 6)
    sheet.data_validation(1, 1, 9, 1, {"validate": "list", "source": ["1", "2"], "input_message": "Rate 1 or 2"})
    workbook.define_name("Scale", "=Ratings!$B$1")
    sheet.merge_range(3, 0, 3, 2, "Notes")
    chart = workbook.add_chart({"type": "bar"})
    chart.add_series({"values": "=Ratings!$B$1:$C$1"})
    sheet.insert_chart(5, 0, chart)
    workbook.close()
    return buffer.getvalue()


def rewrite(data: bytes, part: str, change: Callable[[str], str]) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    before = members[part].decode("utf-8")
    after = change(before)
    assert after != before, "the change must apply"
    members[part] = after.encode("utf-8")
    return zip_bytes([deflate(name, content) for name, content in members.items()])


SHEET = "xl/worksheets/sheet1.xml"
WORKBOOK = "xl/workbook.xml"
BROKEN: dict[str, tuple[str, Callable[[str], str], str]] = {
    "element out of order": (
        SHEET,
        lambda xml: re.sub(r"(<dimension [^>]*/>)(.*?)(<sheetData>)", r"\2\1\3", xml),
        "Element 'dimension': This element is not expected",
    ),
    "cell written twice": (SHEET, lambda xml: xml.replace('r="B1"', 'r="A1"'), "cell A1 written twice"),
    "cells out of order": (SHEET, lambda xml: xml.replace('r="C1"', 'r="A1"'), "cell A1 after B1"),
    "style index out of range": (SHEET, lambda xml: xml.replace('s="1"', 's="7"'), "cell A1 has style 7, past the 2"),
    "a bad attribute value": (SHEET, lambda xml: xml.replace('type="list"', 'type="menu"'), "'menu' is not an element"),
    "formula too long": (
        SHEET,
        lambda xml: xml.replace("<f>B1*2</f>", f"<f>B1{'+1' * 4096}</f>"),
        "cell C1: formula of 8,194 characters",
    ),
    "validation prompt too long": (
        SHEET,
        lambda xml: xml.replace('prompt="Rate 1 or 2"', f'prompt="{"x" * 256}"'),
        "prompt of 256 characters, past 255",
    ),
    "sheet name with a control character": (
        WORKBOOK,
        lambda xml: xml.replace('name="Ratings"', 'name="Rat&#9;ings"'),
        "holds a control character",
    ),
    "sheet name too long in UTF-16": (
        WORKBOOK,
        lambda xml: xml.replace('name="Ratings"', f'name="{"🚀" * 16}"'),
        "32 UTF-16 units, past 31",
    ),
    "defined name on a sheet the workbook lacks": (
        WORKBOOK,
        lambda xml: xml.replace('name="Ratings"', 'name="Rating"'),
        "defined name Scale refers to sheet 'Ratings', which the workbook lacks",
    ),
    "a number Excel cannot hold": (SHEET, lambda xml: xml.replace("<v>3</v>", "<v>INF</v>"), "cell B1: number 'INF'"),
    "a defined name twice": (
        WORKBOOK,
        lambda xml: re.sub(r"(<definedName [^>]*>[^<]*</definedName>)", r"\1\1", xml),
        "defined name Scale appears twice in one scope",
    ),
    "overlapping merges": (
        SHEET,
        lambda xml: xml.replace('<mergeCell ref="A4:C4"/>', '<mergeCell ref="A4:C4"/><mergeCell ref="B3:B5"/>'),
        "merged range B3:B5 overlaps A4:C4",
    ),
    "a chart drawing from a sheet the workbook lacks": (
        "xl/charts/chart1.xml",
        lambda xml: xml.replace("<c:f>Ratings!", "<c:f>Gone!"),
        "the chart draws from sheet 'Gone', which the workbook lacks",
    ),
    "shared string past the table": (
        SHEET,
        lambda xml: xml.replace("<v>0</v>", "<v>5</v>", 1),
        "shared string '5', past the 2 strings",
    ),
}


@pytest.mark.parametrize("fault", BROKEN)
def test_the_checker_catches(fault: str) -> None:
    part, change, expected = BROKEN[fault]
    errors = validate_xlsx(rewrite(tiny_workbook(), part, change))
    assert any(expected in error and error.startswith(f"{part}:") for error in errors), errors


def test_the_checker_accepts_what_office_ignores() -> None:
    """An mc:Ignorable namespace's attributes and an mc:AlternateContent are what Excel writes itself."""
    mc = "http://schemas.openxmlformats.org/markup-compatibility/2006"
    x14ac = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac"

    def office_markup(xml: str) -> str:
        xml = xml.replace(
            "<worksheet ",
            f'<worksheet xmlns:mc="{mc}" xmlns:x14ac="{x14ac}" mc:Ignorable="x14ac" xml:space="preserve" ',
            1,
        )
        xml = xml.replace('<row r="1"', '<row x14ac:dyDescent="0.25" r="1"', 1)
        return xml.replace(
            "<sheetData>",
            '<mc:AlternateContent><mc:Choice Requires="x14ac"><x14ac:anything/></mc:Choice>'
            '<mc:Fallback><sheetFormatPr defaultRowHeight="15"/></mc:Fallback></mc:AlternateContent><sheetData>',
            1,
        ).replace('<sheetFormatPr defaultRowHeight="15"/><mc:Alternate', "<mc:Alternate", 1)

    assert validate_xlsx(rewrite(tiny_workbook(), SHEET, office_markup)) == []
    assert validate_xlsx(tiny_workbook()) == []


def test_the_checker_needs_every_part_typed_as_what_it_is_and_every_relationship_resolved() -> None:
    untyped = rewrite(
        tiny_workbook(),
        "[Content_Types].xml",
        lambda xml: re.sub(r'<Override PartName="/xl/styles.xml"[^>]*/>', "", xml),
    )
    dangling = rewrite(
        tiny_workbook(), "xl/_rels/workbook.xml.rels", lambda xml: xml.replace("styles.xml", "style.xml")
    )
    assert "xl/styles.xml: no schema known for content type application/xml" in validate_xlsx(untyped)
    assert any("points at xl/style.xml, not in the package" in error for error in validate_xlsx(dangling))


def test_sheet_names_excel_refuses() -> None:
    assert sheet_name_problems("Ratings — Engineering") == []
    assert sheet_name_problems("a" * 31) == []
    assert sheet_name_problems("Eng:Q4") == ["holds :"]
    assert sheet_name_problems("Eng\tData") == ["holds a control character"]
    assert sheet_name_problems("Eng'") == ["begins or ends with an apostrophe"]
    assert sheet_name_problems("") == ["empty"]


# ---------------------------------------------------------------- the conftest hook


def test_only_files_as_matrixkit_wrote_them_count_as_its_own(written: dict[str, bytes], tmp_path: Path) -> None:
    generated = tmp_path / "generated.xlsx"
    generated.write_bytes(written["manager workbook"])
    fill(generated, tmp_path / "filled.xlsx", {})
    assert made_by_matrixkit(generated.read_bytes())
    assert not made_by_matrixkit((tmp_path / "filled.xlsx").read_bytes()), "re-saved by openpyxl"
    assert not made_by_matrixkit(tiny_workbook()), "xlsxwriter, but not matrixkit"


def test_bytes_writers_are_checked_whether_or_not_a_test_saves_them() -> None:
    for writer in (report_bytes, framework_workbook_bytes):
        assert hasattr(writer, "__wrapped__"), f"{writer.__name__} is not wrapped by conftest.py"


def test_the_hook_finds_a_broken_workbook_in_a_folder(written: dict[str, bytes], tmp_path: Path) -> None:
    broken = rewrite(
        written["blank matrix"], "xl/worksheets/sheet2.xml", lambda xml: xml.replace('r="B1"', 'r="A1"', 1)
    )
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "matrix.xlsx").write_bytes(broken)
    (tmp_path / "out" / "fine.xlsx").write_bytes(written["blank matrix"])
    failures: list[Any] = conftest.ooxml_failures([], [tmp_path])
    assert failures == ["out/matrix.xlsx: xl/worksheets/sheet2.xml:2: cell A1 written twice"]


INNER_TESTS = """
from pathlib import Path

import pytest
from test_ooxml import rewrite

from matrixkit import FrameworkError, lint_frameworks, load_frameworks
from matrixkit.outputs.generate import generate_blank_matrix
from matrixkit.outputs.report import report_bytes

TEMPLATE = Path(TEMPLATE_PATH)


def broken_matrix(folder: Path) -> None:
    path = generate_blank_matrix(load_frameworks([TEMPLATE])[0], folder / "matrix.xlsx")
    unknown_attribute = lambda xml: xml.replace("<cellXfs", "<cellXfs x=\\"1\\"")  # noqa: E731
    path.write_bytes(rewrite(path.read_bytes(), "xl/styles.xml", unknown_attribute))


def test_writes_a_broken_workbook(tmp_path):
    broken_matrix(tmp_path)


@pytest.mark.ooxml_unchecked
def test_breaks_a_workbook_on_purpose(tmp_path):
    broken_matrix(tmp_path)


def test_writes_a_valid_workbook(tmp_path):
    generate_blank_matrix(load_frameworks([TEMPLATE])[0], tmp_path / "matrix.xlsx")
"""


@pytest.mark.ooxml_unchecked  # its inner run writes broken workbooks on purpose
def test_the_hook_fails_the_test_that_wrote_a_broken_workbook(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run through pytest itself, with this conftest as a plugin: only the unmarked test fails."""
    tests = Path(__file__).resolve().parent
    pytester.makepyfile(test_inner=INNER_TESTS.replace("TEMPLATE_PATH", repr(str(FRAMEWORK))))
    paths = [str(tests), str(conftest.REPO), *filter(None, [os.environ.get("PYTHONPATH")])]
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(paths))
    result = pytester.runpytest_subprocess("-p", "conftest", "-p", "no:cacheprovider", "-q")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["*test_writes_a_broken_workbook*", "*matrix.xlsx: xl/styles.xml*attribute 'x'*"])
