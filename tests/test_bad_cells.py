"""Issue 13, each bad cell or file answered precisely: broken and looping links, error values reported as
found, Employee IDs the roster does not list, text that is not UTF-8, a false `<dimension>`, numbers
that are not finite, and cells written twice.

Every input is built here from generated workbooks (`filling`, `badfiles`); none is checked in. Files
with a false dimension are opened with python-calamine only in a subprocess with a capped address space.
"""

from __future__ import annotations

import io
import math
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import badfiles
import openpyxl
import pytest
import xlsxwriter
import yaml
from conftest import TEMPLATES
from filling import fill

from matrixkit import load_frameworks
from matrixkit.intake.reader import ingest_workbooks
from matrixkit.intake.safety import Limits, _scan_sheet_xml, scan_file
from matrixkit.model.problems import Problem
from matrixkit.outputs.generate import generate_workbooks
from matrixkit.run import analyze_workbooks
from matrixkit.sources.roster import read_roster
from matrixkit.workbook.bulkcells import BulkSheet, splice
from matrixkit.workbook.sheetxml import Worksheet
from matrixkit.workbook.styles import write_typed

CYCLE = "2026-Q4"


@pytest.fixture(scope="module")
def startup(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("cells")
    frameworks = load_frameworks([TEMPLATES / "startup.yaml"])
    roster = read_roster(TEMPLATES / "rosters" / "startup.csv", frameworks)
    paths = generate_workbooks(frameworks, roster, CYCLE, folder / "generated")
    source = paths[0]
    ws = openpyxl.load_workbook(source)["Ratings"]
    ids = [ws.cell(r, 1).value for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value]
    fw = frameworks[0]
    return {"frameworks": frameworks, "roster": roster, "source": source, "ids": ids, "fw": fw}


def filled(startup: dict[str, Any], target: Path, edits: dict[str, Any] | None = None) -> Path:
    """The first generated workbook, every employee rated 3 and endorsed, then `edits` on the first."""
    fw = startup["fw"]
    values = {i: {c.name: 3 for c in fw.competencies} | {"Manager endorsement": "Yes"} for i in startup["ids"]}
    values[startup["ids"][0]].update(edits or {})
    fill(startup["source"], target, values)
    return target


def analyse(startup: dict[str, Any], *inputs: Path) -> Any:
    return analyze_workbooks(list(inputs), startup["frameworks"], roster=startup["roster"], cycle=CYCLE)


def only(problems: list[Problem], code: str) -> Problem:
    found = [p for p in problems if p.code == code]
    assert len(found) == 1, [(p.code, p.message) for p in problems]
    return found[0]


# ---------------------------------------------------------------- links


@pytest.mark.skipif(sys.platform == "win32", reason="symbolic links need privileges on Windows")
def test_broken_and_looping_links_are_problems_and_a_link_to_a_real_file_is_read(
    startup: dict[str, Any], tmp_path: Path
) -> None:
    folder = tmp_path / "returned"
    folder.mkdir()
    outside = filled(startup, tmp_path / "elsewhere" / "team.xlsx")
    (folder / "team.xlsx").symlink_to(outside)
    (folder / "gone.xlsx").symlink_to(tmp_path / "deleted.xlsx")
    (folder / "loop.xlsx").symlink_to(folder / "loop.xlsx")
    analysis = analyse(startup, folder)
    by_file = {p.file: p for p in analysis.problems if p.severity == "error"}
    assert by_file[str(folder / "gone.xlsx")].message.startswith("a link to a file that does not exist")
    assert str(tmp_path / "deleted.xlsx") in by_file[str(folder / "gone.xlsx")].message
    assert by_file[str(folder / "loop.xlsx")].message.startswith("a link that loops")
    assert {e.employee_id for e in analysis.employees} == set(startup["ids"])  # read through the link
    assert str(folder / "team.xlsx") not in by_file


@pytest.mark.skipif(sys.platform == "win32", reason="symbolic links need privileges on Windows")
def test_a_broken_link_given_by_name_says_what_it_is(startup: dict[str, Any], tmp_path: Path) -> None:
    link = tmp_path / "team.xlsx"
    link.symlink_to(tmp_path / "moved.xlsx")
    [workbook] = ingest_workbooks([link], startup["frameworks"])
    [problem] = workbook.problems
    assert problem.file == str(link) and problem.message.startswith("a link to a file that does not exist")


# ---------------------------------------------------------------- error values


def test_error_values_are_reported_as_found(startup: dict[str, Any], tmp_path: Path) -> None:
    fw = startup["fw"]
    first, second = fw.competencies[0].name, fw.competencies[1].name
    # openpyxl writes these strings as error cells (t="e"), as Excel saves a formula that failed.
    path = filled(
        startup, tmp_path / "errors.xlsx", {first: "#DIV/0!", second: "#N/A", "Manager endorsement": "#VALUE!"}
    )
    workbook = ingest_workbooks([path], startup["frameworks"])[0]
    found = {(p.message.split(":")[0], p.value) for p in workbook.problems if p.code == "error-value"}
    assert found == {(first, "#DIV/0!"), (second, "#N/A"), ("Manager endorsement", "#VALUE!")}


def test_error_values_are_found_by_every_scan() -> None:
    """The quick scan (plain sheets), the full scanner (here: prefixed names) and the .ods scanner."""
    cells = '<c r="D2" t="e"><f>1/0</f><v>#DIV/0!</v></c><c r="E2" t="e"><v>#N/A</v></c>'
    plain = f'<worksheet xmlns="x"><sheetData><row r="2">{cells}</row></sheetData></worksheet>'.encode()
    prefixed = plain.replace(b"<c ", b"<x:c ").replace(b"</c>", b"</x:c>").replace(b"<row", b"<x:row")
    prefixed = prefixed.replace(b"</row", b"</x:row")
    for xml in (plain, prefixed):
        scan = _scan_sheet_xml([xml], "Ratings", Limits(), len(xml))
        assert dict(scan.error_values) == {"D2": "#DIV/0!", "E2": "#N/A"}
    full = _scan_sheet_xml([plain], "Ratings", Limits())  # no size: the full scanner
    assert dict(full.error_values) == {"D2": "#DIV/0!", "E2": "#N/A"}


def test_ods_error_value_is_found(tmp_path: Path) -> None:
    error = (
        '<table:table-cell table:formula="of:=1/0" office:value-type="float" office:value="0" '
        'calcext:value-type="error" xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:'
        'xmlns:calcext:1.0"><text:p>#DIV/0!</text:p></table:table-cell>'
    )
    rows = badfiles.ODS_HEADER + badfiles.ods_row(badfiles.ods_text_cell("E-1"), badfiles.ods_text_cell("Ann"), error)
    scan = scan_file(badfiles.minimal_ods(tmp_path / "error.ods", {"Ratings": rows}), lambda name: True)
    assert dict(scan.sheets["Ratings"].error_values) == {"C2": "#DIV/0!"}


# ---------------------------------------------------------------- Employee IDs not in the roster


def test_unknown_employee_id_is_reported_at_its_cell_and_left_out(startup: dict[str, Any], tmp_path: Path) -> None:
    real = startup["ids"][0]
    typo = real.replace("0", "O", 1)  # the letter for the digit, as a hurried manager types it
    assert typo != real and typo not in startup["roster"].by_id
    path = filled(startup, tmp_path / "typo.xlsx", {"Employee ID": typo})
    analysis = analyse(startup, path)
    problem = only(analysis.problems, "not-in-roster")
    assert problem.cell == "A2" and problem.sheet == "Ratings" and problem.value == typo
    assert problem.expected is not None and problem.expected.startswith("an Employee ID from the roster")
    assert real in problem.expected  # the closest ids are suggested
    assert "the row is not analysed" in problem.message
    assert typo not in {e.employee_id for e in analysis.employees}
    assert real in analysis.missing


# ---------------------------------------------------------------- text that is not text


def _with_bytes(src: Path, dst: Path, part: str, after: bytes, inserted: bytes) -> Path:
    members = badfiles.read_members(src)
    data = members[part]
    at = data.index(after) + len(after)
    return badfiles.rewrite_members(src, dst, {part: data[:at] + inserted + data[at:]})


BAD_TEXT = {
    "invalid UTF-8": (b"\xff\xfe", "bytes that are not UTF-8 text"),
    "lone surrogate": ("\ud800".encode("utf-8", "surrogatepass"), "half of a character pair (a lone surrogate)"),
    "surrogate reference": (b"&#xD800;", "the reference &#xD800;, which is half of a character pair"),
}


@pytest.mark.parametrize("case", sorted(BAD_TEXT))
def test_bad_text_in_a_sheet_names_the_sheet_and_cell(startup: dict[str, Any], tmp_path: Path, case: str) -> None:
    inserted, words = BAD_TEXT[case]
    source = startup["source"]  # generated sheets hold their text inline, in the cell
    name = startup["roster"].by_id[startup["ids"][0]].name
    part = badfiles.sheet_part(source, "Ratings")
    path = _with_bytes(source, tmp_path / "bad.xlsx", part, name[:3].encode(), inserted)
    [problem] = ingest_workbooks([path], startup["frameworks"])[0].problems
    assert (problem.sheet, problem.cell) == ("Ratings", "B2")
    assert f"sheet 'Ratings', cell B2 holds {words}" in problem.message
    assert f"after the text '{name[:3]}'" in problem.message
    assert "decode" not in problem.message and "codepoint" not in problem.message


def _with_shared_strings(src: Path, dst: Path, startup: dict[str, Any]) -> Path:
    """The workbook with a comment held in xl/sharedStrings.xml, as Excel saves text."""
    members = badfiles.read_members(src)
    part = badfiles.sheet_part(src, "Ratings")
    header = [c.value for c in openpyxl.load_workbook(src)["Ratings"][1]]
    ref = f"{openpyxl.utils.get_column_letter(header.index('Comments') + 1)}2"
    sheet = members[part].decode("utf-8")
    sheet = re.sub(rf'<c r="{ref}"[^>]*?(/>|>.*?</c>)', f'<c r="{ref}" t="s"><v>0</v></c>', sheet, count=1)
    members[part] = sheet.encode("utf-8")
    members["xl/sharedStrings.xml"] = (
        f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{badfiles.MAIN_NS}" count="1" uniqueCount="1">'
        "<si><t>Great communication</t></si></sst>"
    ).encode()
    rels = members["xl/_rels/workbook.xml.rels"].decode("utf-8")
    members["xl/_rels/workbook.xml.rels"] = rels.replace(
        "</Relationships>",
        f'<Relationship Id="rIdShared" Type="{badfiles.REL_NS}/sharedStrings" Target="sharedStrings.xml"/>'
        "</Relationships>",
    ).encode("utf-8")
    types = members["[Content_Types].xml"].decode("utf-8")
    members["[Content_Types].xml"] = types.replace(
        "</Types>",
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.sharedStrings+xml"/></Types>',
    ).encode("utf-8")
    badfiles.write_zip(dst, members)
    workbook = ingest_workbooks([dst], startup["frameworks"])[0]
    assert not workbook.problems and any(row.comments == "Great communication" for _, row in workbook.rows)
    return dst


@pytest.mark.parametrize("case", sorted(BAD_TEXT))
def test_bad_text_in_shared_strings_names_the_part_and_the_text(
    startup: dict[str, Any], tmp_path: Path, case: str
) -> None:
    inserted, words = BAD_TEXT[case]
    source = _with_shared_strings(filled(startup, tmp_path / "filled.xlsx"), tmp_path / "shared.xlsx", startup)
    path = _with_bytes(source, tmp_path / "bad.xlsx", "xl/sharedStrings.xml", b"Great commun", inserted)
    [problem] = ingest_workbooks([path], startup["frameworks"])[0].problems
    assert problem.message.startswith(f"damaged text: xl/sharedStrings.xml (the workbook's shared text) holds {words}")
    assert "after the text 'Great commun'" in problem.message


@pytest.mark.parametrize("inserted", [b"\xff", "\udc00".encode("utf-8", "surrogatepass"), b"&#xD800;"])
def test_bad_text_in_an_ods_names_the_sheet_and_cell(tmp_path: Path, inserted: bytes) -> None:
    rows = badfiles.ODS_HEADER + badfiles.ods_row(badfiles.ods_text_cell("E-1"), badfiles.ods_text_cell("Ann@@"))
    path = badfiles.minimal_ods(tmp_path / "bad.ods", {"Ratings": rows})
    members = badfiles.read_members(path)
    members["content.xml"] = members["content.xml"].replace(b"@@", inserted)
    badfiles.write_zip(path, members)
    with pytest.raises(Exception) as raised:
        scan_file(path, lambda name: True)
    assert str(raised.value).startswith("damaged text: sheet 'Ratings', cell B2, holds bytes that are not UTF-8")


# ---------------------------------------------------------------- a false <dimension>


def _false_dimension(startup: dict[str, Any], tmp_path: Path) -> tuple[Path, str]:
    source = filled(startup, tmp_path / "filled.xlsx")
    part = badfiles.sheet_part(source, "Ratings")
    xml = badfiles.read_members(source)[part]
    holds = re.search(rb'<dimension ref="([^"]+)"\s*/>', xml)
    assert holds is not None
    false = xml.replace(holds.group(0), b'<dimension ref="A1:XFD1048576"/>')
    return badfiles.rewrite_members(source, tmp_path / "false.xlsx", {part: false}), holds.group(1).decode()


def test_false_dimension_is_reported_and_the_cells_are_read(startup: dict[str, Any], tmp_path: Path) -> None:
    path, holds = _false_dimension(startup, tmp_path)
    analysis = analyse(startup, path)
    warning = only(analysis.problems, "false-dimension")
    assert warning.severity == "warning" and warning.sheet == "Ratings"
    assert warning.message.startswith(f"the sheet's declared size A1:XFD1048576 is false; it holds {holds}")
    assert not [p for p in analysis.problems if p.severity == "error"]
    assert {e.employee_id for e in analysis.employees} == set(startup["ids"])


@pytest.mark.parametrize("prefix", ["", "x:"], ids=["quick-scan", "full-scan"])
def test_false_dimension_is_judged_by_the_cells_in_every_scan(tmp_path: Path, prefix: str) -> None:
    cells = badfiles.rows_xml(badfiles.RATINGS_OK, prefix)
    path = badfiles.minimal_xlsx(
        tmp_path / "r.xlsx", {"Ratings": cells}, prefix=prefix, dimensions={"Ratings": "A1:XFD1048576"}
    )
    scan = scan_file(path, lambda name: True).sheets["Ratings"]
    assert (scan.max_row, scan.max_column, scan.false_dimension) == (2, 3, "A1:XFD1048576")
    assert scan.dimension_warning == (
        "the sheet's declared size A1:XFD1048576 is false; it holds A1:C2 (its cells were read)"
    )
    honest = badfiles.minimal_xlsx(
        tmp_path / "h.xlsx", {"Ratings": cells}, prefix=prefix, dimensions={"Ratings": "A1:C2"}
    )
    assert scan_file(honest, lambda name: True).sheets["Ratings"].dimension_warning is None


CALAMINE_CHILD = """
import resource, sys
limit = 1 * 2**30
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
from python_calamine import CalamineWorkbook
rows = CalamineWorkbook.from_path(sys.argv[1]).get_sheet_by_name("Ratings").to_python(skip_empty_area=False)
print(len(rows), max(len(row) for row in rows))
"""


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_AS is POSIX")
def test_calamine_sizes_a_sheet_by_its_cells_not_its_dimension(startup: dict[str, Any], tmp_path: Path) -> None:
    """Why a false dimension may be read: calamine, in 1 GiB of address space, reads the real extent (a
    grid of A1:XFD1048576 would need hundreds of GiB). If a calamine upgrade changes that, this fails."""
    path, holds = _false_dimension(startup, tmp_path)
    child = subprocess.run(
        [sys.executable, "-c", CALAMINE_CHILD, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "RUST_BACKTRACE": "0"},
    )
    assert child.returncode == 0, child.stderr
    scan = scan_file(path, lambda name: name == "Ratings").sheets["Ratings"]
    assert child.stdout.split() == [str(scan.max_row), str(scan.max_column)]
    assert holds.endswith(str(scan.max_row))


# ---------------------------------------------------------------- numbers that are not finite


def test_rating_typed_as_1e999_is_not_a_finite_number(startup: dict[str, Any], tmp_path: Path) -> None:
    name = startup["fw"].competencies[0].name
    workbook = ingest_workbooks([filled(startup, tmp_path / "huge.xlsx", {name: "1e999"})], startup["frameworks"])[0]
    problem = only(workbook.problems, "rating-not-finite")
    assert (problem.value, problem.message) == ("1e999", f"{name}: 1e999 is not a finite number")


def test_metric_typed_as_1e999_is_refused_never_met(tmp_path: Path) -> None:
    data = yaml.safe_load((TEMPLATES / "sales.yaml").read_text(encoding="utf-8"))
    for metric in data["metrics"]:
        metric.pop("max", None)  # no upper bound: infinity used to pass every "at least" target
    framework = tmp_path / "sales.yaml"
    framework.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    frameworks = load_frameworks([framework])
    roster = read_roster(TEMPLATES / "rosters" / "sales.csv", frameworks)
    source = generate_workbooks(frameworks, roster, CYCLE, tmp_path / "generated")[0]
    first = openpyxl.load_workbook(source)["Ratings"].cell(2, 1).value
    metric = frameworks[0].metrics[0]
    fill(source, tmp_path / "huge.xlsx", {first: {metric.name: "1e999"}})
    workbook = ingest_workbooks([tmp_path / "huge.xlsx"], frameworks)[0]
    problem = only(workbook.problems, "metric-not-finite")
    assert problem.value == "1e999"
    row = next(row for _, row in workbook.rows if row.employee_id == first)
    assert row.metrics[metric.id] is None


# ---------------------------------------------------------------- writers: no NaN or infinity, one <c> per cell


def test_sheetxml_writes_a_cell_once_and_never_nan_or_infinity() -> None:
    sheet = Worksheet()
    sheet.number(0, 0, 1)
    sheet.text(0, 0, "second")  # the second write replaces the first
    sheet.number(0, 1, math.nan, 3)
    sheet.number(0, 2, math.inf)
    xml = sheet.xml()
    assert xml.count(b'<c r="A1"') == 1 and b"second" in xml
    assert b'<c r="B1" s="3"/>' in xml and b'<c r="C1"/>' in xml
    assert b"nan" not in xml.lower() and b"inf" not in xml.lower()


def _bulk_sheet_xml(write: Any) -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = BulkSheet(workbook.add_worksheet("Readiness"))
    write(sheet)
    workbook.close()
    with zipfile.ZipFile(io.BytesIO(splice(buffer.getvalue(), [sheet]))) as archive:
        return archive.read("xl/worksheets/sheet1.xml")


def test_bulk_sheet_writes_a_cell_once_and_never_nan_or_infinity() -> None:
    def write(sheet: BulkSheet) -> None:
        sheet.write_string(1, 0, "first")
        sheet.write_number(1, 0, 2)
        sheet.write_number(1, 1, math.nan)
        sheet.write_cells(2, [(math.inf, None), (-math.inf, None), (1.5, None)])

    xml = _bulk_sheet_xml(write)
    assert xml.count(b'<c r="A2"') == 1 and b'<c r="A2"><v>2</v></c>' in xml
    assert b'<c r="B2"/>' in xml and b'<c r="A3"/>' in xml and b'<c r="B3"/>' in xml
    assert b"NAN" not in xml.upper() and b"INF" not in xml.upper()


def test_report_cells_never_hold_nan_or_infinity() -> None:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet("Gaps")
    fmt = workbook.add_format({"num_format": "0.00"})
    write_typed(sheet, 0, 0, math.nan, fmt)  # xlsxwriter itself raises on NaN and infinity
    write_typed(sheet, 0, 1, math.inf)
    write_typed(sheet, 0, 2, 2.5)
    workbook.close()
    ws = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))["Gaps"]
    assert [ws.cell(1, c).value for c in (1, 2, 3)] == [None, None, 2.5]
