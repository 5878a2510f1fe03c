"""`safety.scan_file`: every broken or hostile file is refused with a clear message, in bounded time and
memory, before python-calamine sees it; valid workbooks (as generated, re-saved by openpyxl, saved by
LibreOffice as .xlsx and .ods) pass, with their formula cells found exactly.

The bad files are built by `badfiles`. None is ever opened with python-calamine in this process: the
tests that show what calamine itself does run it in a subprocess with a capped address space.
"""

from __future__ import annotations

import os
import struct
import subprocess
import sys
import time
import tracemalloc
import zipfile
from collections.abc import Callable
from pathlib import Path

import badfiles
import openpyxl
import pytest
from conftest import TEMPLATES
from libreoffice import LibreOffice

from matrixkit import load_frameworks
from matrixkit.errors import UnsafeFileError
from matrixkit.intake import safety
from matrixkit.intake.safety import FileScan, Limits, SheetScan, _scan_sheet_xml, scan_file
from matrixkit.outputs.generate import generate_workbooks
from matrixkit.sources.roster import read_roster

FORMULA_COLUMNS = ("Average", "Lowest", "Gaps to next level", "Ready?", "Still needed")
MEMORY_BOUND = 32 * 2**20  # peak Python allocations while scanning any file here, by design


def wanted(name: str) -> bool:
    return name.startswith("Ratings") or name == "_matrixkit"


@pytest.fixture(scope="session")
def valid_xlsx(tmp_path_factory: pytest.TempPathFactory) -> Path:
    frameworks = load_frameworks([TEMPLATES / "startup.yaml"])
    roster = read_roster(TEMPLATES / "rosters" / "startup.csv", frameworks)
    paths = generate_workbooks(frameworks, roster, "2026-Q4", tmp_path_factory.mktemp("generated"))
    return max(paths, key=lambda p: p.stat().st_size)  # the manager with the most reports


@pytest.fixture(scope="session")
def ratings_part(valid_xlsx: Path) -> str:
    return badfiles.sheet_part(valid_xlsx, "Ratings")


def measured_scan(path: Path, limits: Limits | None = None) -> tuple[FileScan | UnsafeFileError, float, int]:
    """The scan's result (or refusal), its wall-clock seconds and its peak traced memory in bytes."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        result: FileScan | UnsafeFileError = scan_file(path, wanted, limits or Limits())
    except UnsafeFileError as exc:
        result = exc
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return result, elapsed, peak


def refusal(path: Path, record: Callable[[str, object], None], limits: Limits | None = None) -> UnsafeFileError:
    result, elapsed, peak = measured_scan(path, limits)
    record("scan_ms", round(elapsed * 1000, 2))  # measured and reported, never asserted
    record("peak_mib", round(peak / 2**20, 2))
    assert isinstance(result, UnsafeFileError), f"{path.name} was not refused: {result}"
    assert peak < MEMORY_BOUND
    return result


def openpyxl_formula_cells(path: Path, sheet: str) -> frozenset[str]:
    workbook = openpyxl.load_workbook(path)
    return frozenset(c.coordinate for row in workbook[sheet].iter_rows() for c in row if c.data_type == "f")


# ---------------------------------------------------------------- valid workbooks


def test_generated_workbook_scans_with_exact_formula_cells(valid_xlsx: Path) -> None:
    scan = scan_file(valid_xlsx, wanted)
    assert scan.kind == "xlsx"
    assert set(scan.sheets) == {"Ratings", "_matrixkit"}
    ratings = scan.sheets["Ratings"]
    sheet = openpyxl.load_workbook(valid_xlsx)["Ratings"]
    header = [c.value for c in sheet[1]]
    employees = range(2, sheet.max_row + 1)
    formula_columns = [openpyxl.utils.get_column_letter(header.index(name) + 1) for name in FORMULA_COLUMNS]
    assert ratings.formula_cells == {f"{col}{row}" for col in formula_columns for row in employees}
    assert ratings.formula_cells == openpyxl_formula_cells(valid_xlsx, "Ratings")
    rating_column = openpyxl.utils.get_column_letter(header.index("Employee ID") + 4)
    assert not any(ref.startswith(rating_column) for ref in ratings.formula_cells)
    assert (ratings.max_row, ratings.max_column) == (sheet.max_row, len(header))
    assert scan.sheets["_matrixkit"].formula_cells == frozenset()


def test_openpyxl_resaved_copy_with_a_formula_typed_into_a_rating_cell(valid_xlsx: Path, tmp_path: Path) -> None:
    workbook = openpyxl.load_workbook(valid_xlsx)
    sheet = workbook["Ratings"]
    sheet["D2"] = "=1+2"  # a manager "rates" with a formula: it must be seen as one
    sheet["E2"] = 4
    sheet["F2"] = "#N/A"  # an error value, which calamine reads as an empty string
    resaved = tmp_path / "resaved.xlsx"
    workbook.save(resaved)
    scan = scan_file(resaved, wanted)
    formulas = scan.sheets["Ratings"].formula_cells
    assert "D2" in formulas
    assert "E2" not in formulas
    assert formulas == openpyxl_formula_cells(resaved, "Ratings")
    assert scan.sheets["Ratings"].error_cells == {"F2"}


def test_scan_of_a_typical_workbook_reads_it_without_a_spreadsheet_parser(
    valid_xlsx: Path, monkeypatch: pytest.MonkeyPatch, record_property: Callable[[str, object], None]
) -> None:
    """The scan is a guard before the parser, so it must not be a parse: it finds the formula cells
    openpyxl finds, the same every time, with openpyxl and calamine unusable. (Its speed is measured in
    benchmarks/, never asserted here.)"""
    sheet = openpyxl.load_workbook(valid_xlsx)["Ratings"]
    formulas = {cell.coordinate for row in sheet.iter_rows() for cell in row if cell.data_type == "f"}

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the scan opened the workbook with a spreadsheet parser")

    monkeypatch.setattr(openpyxl, "load_workbook", refuse)
    monkeypatch.setattr(openpyxl.reader.excel, "load_workbook", refuse)
    monkeypatch.setitem(sys.modules, "python_calamine", None)  # importing it now raises ImportError
    started = time.perf_counter()
    scans = [scan_file(valid_xlsx, wanted) for _ in range(5)]
    record_property("scan_ms", round((time.perf_counter() - started) / len(scans) * 1000, 3))  # reported only
    assert formulas, "the fixture has formula cells to find"
    assert scans[0].kind == "xlsx"
    assert set(scans[0].sheets["Ratings"].formula_cells) == formulas
    assert all(scan == scans[0] for scan in scans)


def test_only_wanted_sheets_are_described(valid_xlsx: Path) -> None:
    assert set(scan_file(valid_xlsx, lambda name: name == "Guide").sheets) == {"Guide"}
    assert scan_file(valid_xlsx, lambda name: False).sheets == {}


# ---------------------------------------------------------------- refused files


def test_file_larger_than_the_limit(valid_xlsx: Path, record_property: Callable[[str, object], None]) -> None:
    error = refusal(valid_xlsx, record_property, Limits(max_file_bytes=10 * 1024))
    assert "KiB on disk; the limit is 10 KiB" in str(error)


def test_size_message_in_mib(tmp_path: Path, record_property: Callable[[str, object], None]) -> None:
    big = tmp_path / "big.xlsx"
    with big.open("wb") as out:
        out.truncate(int(52.3 * 2**20))
    assert str(refusal(big, record_property)) == "52.3 MiB on disk; the limit is 50 MiB"


@pytest.mark.parametrize(
    ("build", "words"),
    [
        (badfiles.pdf_renamed, ["a PDF file, not a spreadsheet (renamed to .xlsx?)"]),
        (badfiles.csv_text, ["not a spreadsheet: not a zip file", "CSV"]),
        (badfiles.html_page, ["not a spreadsheet: not a zip file", "HTML"]),
        (badfiles.empty_file, ["empty file"]),
        (badfiles.encrypted_by_hand, ["password-protected (encrypted) workbook: ask for a copy saved without a"]),
        (badfiles.word_doc, ["not a spreadsheet", "Word"]),
    ],
    ids=["pdf", "csv", "html", "empty", "encrypted", "word"],
)
def test_not_a_workbook(
    build: Callable[[Path], Path], words: list[str], tmp_path: Path, record_property: Callable[[str, object], None]
) -> None:
    message = str(refusal(build(tmp_path / "returned.xlsx"), record_property))
    for word in words:
        assert word in message
    assert "not a zip file" not in message or "PDF" not in message


def test_encrypted_workbook_from_msoffcrypto(
    valid_xlsx: Path, tmp_path: Path, record_property: Callable[[str, object], None]
) -> None:
    if not os.environ.get("CI"):
        pytest.importorskip("msoffcrypto")
    encrypted = badfiles.encrypted_with_msoffcrypto(valid_xlsx, tmp_path / "locked.xlsx")
    message = str(refusal(encrypted, record_property))
    assert message.startswith("password-protected (encrypted) workbook")
    assert "zip" not in message


def test_legacy_xls_is_recognised_without_sheets(tmp_path: Path) -> None:
    scan = scan_file(badfiles.legacy_xls(tmp_path / "old.xls"), wanted)
    assert scan == FileScan(kind="xls", sheets={})


def test_unreadable_path(tmp_path: Path, record_property: Callable[[str, object], None]) -> None:
    assert "cannot be read" in str(refusal(tmp_path, record_property))


BUILDERS_FROM_VALID: list[tuple[str, Callable[[Path, Path, str], Path], list[str]]] = [
    ("truncated", lambda src, dst, part: badfiles.truncated(src, dst), ["damaged file", "truncated"]),
    (
        "billion-laughs",
        lambda src, dst, part: badfiles.billion_laughs(src, dst),
        ["xl/sharedStrings.xml", "DTD", "entity", "refused"],
    ),
    ("xxe", lambda src, dst, part: badfiles.external_entity(src, dst), ["xl/workbook.xml", "entity"]),
    ("utf16-entities", lambda src, dst, part: badfiles.utf16_entities(src, dst), ["sharedStrings", "entity"]),
    ("zip-bomb", badfiles.zip_bomb, ["zip bomb", "sheet2.xml", ":1 to 300 MiB"]),
    ("zip-bomb-forged", badfiles.zip_bomb_forged, ["zip bomb", "sheet2.xml", "declares"]),
    ("zip-bomb-total", lambda src, dst, part: badfiles.zip_bomb_many_parts(src, dst), ["zip bomb", "201", "200 MiB"]),
    ("too-many-parts", lambda src, dst, part: badfiles.too_many_members(src, dst), ["zip bomb", "limit is 10,000"]),
    ("overlapping", lambda src, dst, part: badfiles.overlapping_members(src, dst), ["zip bomb", "overlap"]),
    ("duplicate-names", lambda src, dst, part: badfiles.duplicate_names(src, dst), ["damaged", "two parts"]),
    ("corrupt-part", badfiles.corrupt_member, ["damaged", "sheet2.xml", "corrupt"]),
    ("bzip2-part", lambda src, dst, part: badfiles.bzip2_member(src, dst), ["damaged", "compression method"]),
    ("zip-encryption", lambda src, dst, part: badfiles.zip_encrypted_flag(src, dst), ["password-protected"]),
]


@pytest.mark.parametrize(
    ("build", "words"), [b[1:] for b in BUILDERS_FROM_VALID], ids=[b[0] for b in BUILDERS_FROM_VALID]
)
def test_hostile_or_broken_zip(
    build: Callable[[Path, Path, str], Path],
    words: list[str],
    valid_xlsx: Path,
    ratings_part: str,
    tmp_path: Path,
    record_property: Callable[[str, object], None],
) -> None:
    message = str(refusal(build(valid_xlsx, tmp_path / "returned.xlsx", ratings_part), record_property))
    for word in words:
        assert word in message, message


def _scan_outcome(path: Path) -> str:
    try:
        return repr(scan_file(path, wanted))
    except UnsafeFileError as error:
        return f"refused: {error} ({error.sheet}, {error.cell})"


@pytest.mark.ooxml_unchecked
def test_members_read_in_memory_as_through_zipfile(
    valid_xlsx: Path, ratings_part: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file up to 4 MiB has its members inflated straight from its bytes (issue 19); a larger one is
    streamed through zipfile. Both readers give the same scan or the same refusal, for every hostile zip."""
    cases = [build(valid_xlsx, tmp_path / f"{name}.xlsx", ratings_part) for name, build, _words in BUILDERS_FROM_VALID]
    renamed = tmp_path / "renamed-locally.xlsx"  # the part's local header names another part than its directory
    raw = valid_xlsx.read_bytes()
    local = raw.find(ratings_part.encode(), raw.find(b"PK\x03\x04"))
    renamed.write_bytes(raw[:local] + ratings_part.upper().encode() + raw[local + len(ratings_part) :])
    cases += [renamed, valid_xlsx, badfiles.zip_bomb_forged(valid_xlsx, tmp_path / "forged.xlsx", ratings_part)]
    in_memory = [_scan_outcome(path) for path in cases]
    monkeypatch.setattr(safety, "_IN_MEMORY_BYTES", 0)
    assert [_scan_outcome(path) for path in cases] == in_memory
    assert in_memory[-2].startswith("FileScan(") and all(o.startswith("refused") for o in in_memory[:-2])
    assert in_memory[-3] == "refused: damaged file: the zip archive is truncated or corrupt (None, None)"


def test_zip_bomb_is_judged_before_decompressing(valid_xlsx: Path, ratings_part: str, tmp_path: Path) -> None:
    bomb = badfiles.zip_bomb(valid_xlsx, tmp_path / "bomb.xlsx", ratings_part)
    assert bomb.stat().st_size < 2**20  # 300 MiB inside, under 1 MiB on disk
    with zipfile.ZipFile(bomb) as archive:
        assert archive.getinfo(ratings_part).file_size > 300 * 2**20
    result, _elapsed, peak = measured_scan(bomb)
    assert isinstance(result, UnsafeFileError)
    assert peak < 4 * 2**20


def test_forged_sizes_stop_decompression_at_the_declared_size(
    valid_xlsx: Path, ratings_part: str, tmp_path: Path
) -> None:
    bomb = badfiles.zip_bomb_forged(valid_xlsx, tmp_path / "forged.xlsx", ratings_part)
    result, _elapsed, peak = measured_scan(bomb)
    assert isinstance(result, UnsafeFileError)
    assert "30 KiB its zip header declares" in str(result)
    assert peak < 4 * 2**20


# ---------------------------------------------------------------- sheets beyond the limits (dimension bombs)


@pytest.mark.parametrize(
    ("build", "cell"),
    [
        (badfiles.dimension_bomb, "XFD1048576"),
        (lambda dst: badfiles.dimension_bomb(dst, prefix="x:"), "XFD1048576"),
        (badfiles.bomb_without_references, "A1048576"),
    ],
    ids=["cells", "prefixed-namespace", "no-references"],
)
def test_dimension_bomb(
    build: Callable[[Path], Path], cell: str, tmp_path: Path, record_property: Callable[[str, object], None]
) -> None:
    path = build(tmp_path / "ratings.xlsx")
    assert path.stat().st_size < 5 * 1024
    error = refusal(path, record_property)
    assert str(error) == f"sheet 'Ratings' reaches {cell}, beyond the limit of 100,000 rows and 1,000 columns"
    assert (error.sheet, error.cell) == ("Ratings", cell)


def test_cell_area_within_row_and_column_limits_but_too_large(
    tmp_path: Path, record_property: Callable[[str, object], None]
) -> None:
    path = badfiles.minimal_xlsx(
        tmp_path / "area.xlsx", {"Ratings": badfiles.rows_xml({"A1": "Employee ID", "ALL100000": 1})}
    )
    error = refusal(path, record_property)
    assert str(error) == "sheet 'Ratings' spans A1:ALL100000, 100,000,000 cells; the limit is 5,000,000 cells"
    assert error.cell == "ALL100000"


def test_limits_can_be_raised(tmp_path: Path) -> None:
    path = badfiles.dimension_ref_bomb(tmp_path / "ratings.xlsx")
    scan = scan_file(path, wanted, Limits(max_rows=2**20, max_columns=2**14))
    assert scan.sheets["Ratings"] == SheetScan("Ratings", 2, 3, frozenset())


def test_unwanted_sheet_beyond_the_limits_is_not_read(tmp_path: Path) -> None:
    path = badfiles.bomb_in_unwanted_sheet(tmp_path / "notes.xlsx")
    scan = scan_file(path, wanted)
    assert set(scan.sheets) == {"Ratings"}
    with pytest.raises(UnsafeFileError, match="sheet 'Notes' reaches XFD1048576"):
        scan_file(path, lambda name: True)


def test_malformed_cell_tag_is_refused_not_guessed(tmp_path: Path) -> None:
    data = '<row r="1"><c r="A1"><v>1</v></c><c r="XFD1048576" a="<"><v>1</v></c></row>'
    path = badfiles.minimal_xlsx(tmp_path / "malformed.xlsx", {"Ratings": data})
    with pytest.raises(UnsafeFileError, match="malformed XML tag"):
        scan_file(path, wanted)


def test_utf16_sheet_part_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UnsafeFileError, match="sheet 'Ratings' is stored as UTF-16 XML"):
        scan_file(badfiles.utf16_sheet(tmp_path / "utf16.xlsx"), wanted)


@pytest.mark.parametrize("suffix", [".xlsx", ".ods", ".zip"])
def test_ods_and_xlsx_in_one_zip_are_both_checked(tmp_path: Path, suffix: str) -> None:
    """calamine reads the .xlsx or the .ods half depending on the extension: a bomb in either is refused."""
    ods = badfiles.ods_with_libreoffice_repeats(tmp_path / "good.ods")
    bomb = badfiles.dimension_bomb(tmp_path / "bomb.xlsx")
    with pytest.raises(UnsafeFileError, match="reaches XFD1048576"):
        scan_file(badfiles.merged_zip(tmp_path / f"both{suffix}", ods, bomb), wanted)
    good_xlsx = badfiles.minimal_xlsx(tmp_path / "good.xlsx", {"Ratings": badfiles.rows_xml(badfiles.RATINGS_OK)})
    ods_bomb = badfiles.ods_dimension_bomb(tmp_path / "bomb.ods")
    with pytest.raises(UnsafeFileError, match="reaches XFD1048576"):
        scan_file(badfiles.merged_zip(tmp_path / f"both2{suffix}", good_xlsx, ods_bomb), wanted)


@pytest.mark.parametrize(
    ("build", "name", "message"),
    [
        (
            badfiles.ods_with_libreoffice_repeats,
            "r.xlsx",
            "an OpenDocument spreadsheet (.ods) with the extension .xlsx",
        ),
        (badfiles.dimension_ref_bomb, "r.ods", "an Excel workbook (.xlsx) with the extension .ods: rename it to .xlsx"),
        (badfiles.dimension_ref_bomb, "r.xls", "an Excel workbook (.xlsx) with the extension .xls: rename it to .xlsx"),
        (badfiles.legacy_xls, "r.xlsx", "a legacy Excel 97-2003 workbook (.xls) with the extension .xlsx"),
    ],
)
def test_content_that_contradicts_the_extension(
    build: Callable[[Path], Path], name: str, message: str, tmp_path: Path
) -> None:
    """calamine chooses its reader by extension, so a renamed file would be misread: say what it is."""
    built = build(tmp_path / "source")
    renamed = built.rename(tmp_path / name)
    with pytest.raises(UnsafeFileError) as raised:
        scan_file(renamed, wanted, Limits(max_rows=2**20, max_columns=2**14, max_cells=2**40))
    assert str(raised.value).startswith(message)


def test_unknown_extension_is_judged_by_content(tmp_path: Path) -> None:
    ods = badfiles.ods_with_libreoffice_repeats(tmp_path / "ratings.bin")
    assert scan_file(ods, wanted).kind == "ods"


# ---------------------------------------------------------------- how cells are placed and formulas found


def test_cells_and_rows_without_references_are_placed_like_calamine(tmp_path: Path) -> None:
    data = (
        '<row r="3"><c><v>1</v></c><c><f>A3+1</f><v>2</v></c><c r="E3"/><c><f>1</f></c></row><row><c><v>5</v></c></row>'
    )
    path = badfiles.minimal_xlsx(tmp_path / "positions.xlsx", {"Ratings": data})
    assert scan_file(path, wanted).sheets["Ratings"] == SheetScan("Ratings", 4, 6, frozenset({"B3", "F3"}))


def test_shared_and_array_formulas(tmp_path: Path) -> None:
    data = (
        '<row r="2"><c r="A2"><v>1</v></c><c r="B2"><f t="shared" ref="B2:B4" si="0">A2*2</f><v>2</v></c></row>'
        '<row r="3"><c r="A3"><v>2</v></c><c r="B3"><f t="shared" si="0"/><v>4</v></c></row>'
        '<row r="4"><c r="A4"><v>3</v></c><c r="B4"><f t="shared" si="0"/><v>6</v></c>'
        '<c r="C4"><f t="array" ref="C4">SUM(A2:A4)</f><v>6</v></c></row>'
    )
    path = badfiles.minimal_xlsx(tmp_path / "shared.xlsx", {"Ratings": data})
    assert scan_file(path, wanted).sheets["Ratings"].formula_cells == {"B2", "B3", "B4", "C4"}


def test_prefixed_namespace(tmp_path: Path) -> None:
    cells = {"A1": "Employee ID", "B2": 4, "C2": ("=", "B2*2")}
    path = badfiles.minimal_xlsx(tmp_path / "prefixed.xlsx", {"Ratings": badfiles.rows_xml(cells, "x:")}, prefix="x:")
    assert scan_file(path, wanted).sheets["Ratings"] == SheetScan("Ratings", 2, 3, frozenset({"C2"}))


def test_sheet_scan_does_not_depend_on_chunk_boundaries(valid_xlsx: Path, ratings_part: str) -> None:
    xml = badfiles.read_members(valid_xlsx)[ratings_part]
    whole = _scan_sheet_xml([xml], "Ratings", Limits())
    assert whole.formula_cells
    for size in (1, 2, 3, 5, 7, 13, 64, 1000, 4096):
        chunks = [xml[i : i + size] for i in range(0, len(xml), size)]
        assert _scan_sheet_xml(chunks, "Ratings", Limits()) == whole, size


def test_long_text_between_tags_across_chunks() -> None:
    text = "x" * 300_000
    xml = (
        f'<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>{text}</t></is></c>'
        f'<c r="B1">   \n  <f>A1</f></c></row></sheetData></worksheet>'
    ).encode()
    for size in (1000, 65_536, 100_000):
        chunks = [xml[i : i + size] for i in range(0, len(xml), size)]
        assert _scan_sheet_xml(chunks, "Ratings", Limits()) == SheetScan("Ratings", 1, 2, frozenset({"B1"}))


# ---------------------------------------------------------------- .ods


def test_ods_with_libreoffice_style_repeats_scans(tmp_path: Path) -> None:
    scan = scan_file(badfiles.ods_with_libreoffice_repeats(tmp_path / "ratings.ods"), wanted)
    assert scan == FileScan("ods", {"Ratings": SheetScan("Ratings", 3, 4, frozenset({"D2"}))})


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            badfiles.ods_dimension_bomb,
            "sheet 'Ratings' reaches XFD1048576, beyond the limit of 100,000 rows and 1,000 columns",
        ),
        (
            lambda dst: badfiles.ods_dimension_bomb(dst, sheet="Notes"),
            "sheet 'Notes' reaches XFD1048576, beyond the limit of 100,000 rows and 1,000 columns",
        ),
        (
            badfiles.ods_repeated_content_bomb,
            "sheet 'Ratings' reaches XFD100002, beyond the limit of 100,000 rows and 1,000 columns",
        ),
        (
            lambda dst: badfiles.minimal_ods(dst, {"Ratings": badfiles.ODS_HEADER}, encrypted=True),
            "password-protected (encrypted) workbook: ask for a copy saved without a password",
        ),
        (
            lambda dst: badfiles.minimal_ods(
                dst, {"Ratings": badfiles.ODS_HEADER}, mimetype="application/vnd.oasis.opendocument.text"
            ),
            "not a spreadsheet: an OpenDocument file of type 'application/vnd.oasis.opendocument.text'",
        ),
    ],
    ids=["dimension-bomb", "unwanted-sheet-bomb", "repeated-content", "encrypted", "text-document"],
)
def test_ods_refused(
    build: Callable[[Path], Path], message: str, tmp_path: Path, record_property: Callable[[str, object], None]
) -> None:
    assert str(refusal(build(tmp_path / "returned.ods"), record_property)) == message


# ---------------------------------------------------------------- real clients: LibreOffice saves


@pytest.mark.libreoffice
@pytest.mark.parametrize("suffix", [".ods", ".xlsx"])
def test_libreoffice_saved_workbook(libreoffice: LibreOffice, valid_xlsx: Path, tmp_path: Path, suffix: str) -> None:
    sheet = openpyxl.load_workbook(valid_xlsx)["Ratings"]
    header = [c.value for c in sheet[1]]
    first_rating = openpyxl.utils.get_column_letter(header.index("Employee ID") + 4)
    second_rating = openpyxl.utils.get_column_letter(header.index("Employee ID") + 5)
    third_rating = openpyxl.utils.get_column_letter(header.index("Employee ID") + 6)
    saved = tmp_path / f"saved{suffix}"
    book = libreoffice.fill(
        valid_xlsx,
        saved,
        [
            ("Ratings", f"{first_rating}2", 4),
            {"sheet": "Ratings", "cell": f"{second_rating}2", "formula": "=2+2"},
            {"sheet": "Ratings", "cell": f"{third_rating}2", "formula": "=NA()"},
        ],
    )
    scan = scan_file(saved, wanted)
    assert scan.kind == suffix[1:]
    ratings = scan.sheets["Ratings"]
    assert ratings.formula_cells == set(book.sheet("Ratings")["formulas"])
    assert {f"{second_rating}2", f"{third_rating}2"} <= ratings.formula_cells
    assert f"{first_rating}2" not in ratings.formula_cells
    assert ratings.error_cells == set(book.sheet("Ratings")["errors"]) == {f"{third_rating}2"}
    assert (ratings.max_row, ratings.max_column) == (sheet.max_row, len(header))
    if suffix == ".ods":  # the case the repeat handling exists for
        with zipfile.ZipFile(saved) as archive:
            assert b'table:number-rows-repeated="10' in archive.read("content.xml")


# ---------------------------------------------------------------- what calamine itself does (in a subprocess)

CALAMINE_CHILD = """
import resource, sys
limit = 4 * 2**30
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
from python_calamine import CalamineWorkbook
workbook = CalamineWorkbook.from_path(sys.argv[1])
for name in sys.argv[2:]:
    rows = workbook.get_sheet_by_name(name).to_python()
    print(name, len(rows), flush=True)
"""


def calamine_in_subprocess(path: Path, *sheets: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", CALAMINE_CHILD, str(path), *sheets],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "RUST_BACKTRACE": "0"},
    )


calamine_subprocess = pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_AS is POSIX")


@calamine_subprocess
def test_calamine_parses_only_the_xlsx_sheets_asked_for(tmp_path: Path) -> None:
    """Why the .xlsx scan may skip sheets that are not wanted, and why the guard exists at all."""
    path = badfiles.bomb_in_unwanted_sheet(tmp_path / "notes.xlsx")
    asked_ratings = calamine_in_subprocess(path, "Ratings")
    assert asked_ratings.returncode == 0, asked_ratings.stderr
    assert asked_ratings.stdout.split() == ["Ratings", "2"]
    asked_notes = calamine_in_subprocess(path, "Notes")
    assert asked_notes.returncode != 0  # the dimension bomb: calamine aborts the whole process
    assert "Notes" not in asked_notes.stdout


@calamine_subprocess
def test_calamine_parses_every_ods_sheet_on_opening(tmp_path: Path) -> None:
    """Why the .ods scan holds every sheet to the limits."""
    good = calamine_in_subprocess(badfiles.ods_with_libreoffice_repeats(tmp_path / "good.ods"), "Ratings")
    assert good.returncode == 0, good.stderr
    opened = calamine_in_subprocess(badfiles.ods_dimension_bomb(tmp_path / "notes.ods", sheet="Notes"))
    assert opened.returncode != 0  # fails on opening, before any sheet is asked for


def _both_scans(sheet_xml: bytes) -> tuple[SheetScan | None, SheetScan]:
    from matrixkit.intake.safety import _quick_sheet_scan, _scan_sheet_xml

    return _quick_sheet_scan(sheet_xml, "Ratings", Limits()), _scan_sheet_xml([sheet_xml], "Ratings", Limits())


QUICK_SCAN_CASES = {
    "error value": ('<c r="D2" t="e"><v>#N/A</v></c><c r="E2"><v>3</v></c>', set(), {"D2"}),
    "error value, single quotes": ("<c r='D2' t='e'><v>#N/A</v></c>", set(), {"D2"}),
    "shared formula": (
        '<c r="D2"><f t="shared" si="0" ref="D2:D3">1+1</f><v>2</v></c><c r="D3"><f t="shared" si="0"/><v>2</v></c>',
        {"D2", "D3"},
        set(),
    ),
    "formula after whitespace": ('<c r="D2" s="3">\n  <f>A1</f><v>4</v></c>', {"D2"}, set()),
    "'>' inside an attribute": ('<c r="D2" x="a>b"><f>A1</f><v>4</v></c>', {"D2"}, set()),
    "text that looks like tags": ('<c r="D2" t="inlineStr"><is><t>t="e" &lt;f x</t></is></c>', set(), set()),
}


@pytest.mark.parametrize("case", sorted(QUICK_SCAN_CASES))
def test_quick_sheet_scan_agrees_with_the_full_scan(case: str) -> None:
    """The quick path (plain sheets) finds exactly the formula and error cells the full scanner finds,
    or declines and leaves the file to it."""
    cells, formulas, errors = QUICK_SCAN_CASES[case]
    xml = f'<worksheet xmlns="x"><sheetData><row r="2">{cells}</row></sheetData></worksheet>'.encode()
    quick, full = _both_scans(xml)
    assert (set(full.formula_cells), set(full.error_cells)) == (formulas, errors)
    if quick is not None:
        assert (quick.formula_cells, quick.error_cells) == (full.formula_cells, full.error_cells)


def test_quick_sheet_scan_takes_generated_filled_and_resaved_sheets(valid_xlsx: Path, tmp_path: Path) -> None:
    import openpyxl

    resaved = tmp_path / "resaved.xlsx"
    workbook = openpyxl.load_workbook(valid_xlsx)
    workbook["Ratings"]["D2"] = "=1+1"
    workbook["Ratings"]["E2"] = 4
    workbook.save(resaved)
    for path in (valid_xlsx, resaved):
        xml = badfiles.read_members(path)[badfiles.sheet_part(path, "Ratings")]
        quick, full = _both_scans(xml)
        assert quick is not None, f"{path.name}: the quick path declined a plain sheet"
        assert (quick.formula_cells, quick.error_cells) == (full.formula_cells, full.error_cells)
        assert (quick.max_row, quick.max_column) >= (full.max_row, full.max_column)
    assert quick is not None and "D2" in quick.formula_cells


def test_quick_sheet_scan_declines_what_only_the_full_scan_can_place() -> None:
    from matrixkit.intake.safety import _quick_sheet_scan

    for cells in ("<c><v>1</v></c>", '<c s="1" r="D2"><v>1</v></c>', '<c r="XFD2"/>', '<x:c r="D2"/>'):
        xml = f"<worksheet><sheetData><row>{cells}</row></sheetData></worksheet>".encode()
        assert _quick_sheet_scan(xml, "Ratings", Limits()) is None, cells


def test_directory_entries_are_counted_as_zipfile_lists_them(valid_xlsx: Path) -> None:
    """The count taken before zipfile builds an object per entry is the number zipfile then lists."""
    import io
    import zipfile

    from matrixkit.intake.safety import _count_directory_entries

    data = valid_xlsx.read_bytes()
    assert _count_directory_entries(io.BytesIO(data), len(data)) == len(zipfile.ZipFile(valid_xlsx).infolist())


def test_member_shorter_than_its_header_declares_is_corrupt(
    valid_xlsx: Path, ratings_part: str, tmp_path: Path, record_property: Callable[[str, object], None]
) -> None:
    """The bounded reader checks the size both ways: fewer bytes than declared is a damaged part."""
    raw = bytearray(valid_xlsx.read_bytes())
    with zipfile.ZipFile(valid_xlsx) as archive:
        declared = archive.getinfo(ratings_part).file_size + 100
    for position in _central_entries(bytes(raw)):
        name_length = struct.unpack_from("<H", raw, position + 28)[0]
        if raw[position + 46 : position + 46 + name_length].decode() == ratings_part:
            struct.pack_into("<I", raw, position + 24, declared)  # the uncompressed size
    forged = tmp_path / "short.xlsx"
    forged.write_bytes(bytes(raw))
    message = str(refusal(forged, record_property))
    assert message == f"damaged file: {ratings_part} is corrupt inside the zip archive"


def _central_entries(data: bytes) -> list[int]:
    positions, position = [], data.find(b"PK\x01\x02")
    while position >= 0:
        positions.append(position)
        position = data.find(b"PK\x01\x02", position + 4)
    return positions


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[:1024],
        lambda data: data[:0x1E] + struct.pack("<H", 7) + data[0x20:],  # a sector size no file has
    ],
    ids=["truncated", "bad-sector-size"],
)
def test_damaged_compound_file(
    damage: Callable[[bytes], bytes], tmp_path: Path, record_property: Callable[[str, object], None]
) -> None:
    path = badfiles.legacy_xls(tmp_path / "old.xls")
    path.write_bytes(damage(path.read_bytes()))
    assert str(refusal(path, record_property)) == "damaged file: the Office compound file is truncated or corrupt"


def _streamed_scans(sheet_xml: bytes, limits: Limits, monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """The streamed full scan of `sheet_xml` in 1 KiB pieces, with and without `plain_rows`: each a
    SheetScan or the refusal's message."""
    from matrixkit.intake.safety import _SheetScanner

    pieces = [sheet_xml[i : i + 1024] for i in range(0, len(sheet_xml), 1024)]
    found: list[object] = []
    for plain in (True, False):
        with monkeypatch.context() as patch:
            if not plain:
                patch.setattr(_SheetScanner, "plain_rows", lambda self, buffer, start, end: start)
            try:
                found.append(_scan_sheet_xml(iter(pieces), "Ratings", limits))
            except UnsafeFileError as exc:
                found.append(str(exc))
    return found


PLAIN_ROWS_CASES = {
    "plain": ('<c r="A{n}" t="inlineStr"><is><t>x</t></is></c><c r="D{n}" s="3"><v>4</v></c>', Limits()),
    "empty cells past the content": ('<c r="A{n}"><v>1</v></c><c r="Z{n}" s="1"/><c r="Y{n}"></c>', Limits()),
    "a cell past the column limit": ('<c r="A{n}"><v>1</v></c><c r="ALM{n}"/>', Limits()),
    "past the cell limit": ('<c r="A{n}"><v>1</v></c><c r="J{n}"><v>1</v></c>', Limits(max_cells=1_000)),
    "a cell without reference": ('<c r="A{n}"><v>1</v></c><c><v>2</v></c>', Limits()),
    "a malformed tag": ('<c r="A{n}"><v>1</v></c><c r="B{n}" odd><v>2</v></c>', Limits()),
    "other attributes and spacing": (
        '<c r="A{n}" s="2" t="n" cm="1"><v>1</v></c><c r="B{n}" /><c r="C{n}" t="inlineStr" >  </c>',
        Limits(),
    ),
    "a foreign tag in a row": ('<c r="A{n}"><v>1</v></c><col min="1"/>', Limits()),
    "a formula and an error": ('<c r="A{n}"><f>1/0</f><v>1</v></c><c r="B{n}" t="e"><v>#N/A</v></c>', Limits()),
}


@pytest.mark.parametrize("case", sorted(PLAIN_ROWS_CASES))
def test_plain_rows_of_a_streamed_sheet_agree_with_the_tag_by_tag_scan(
    case: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A sheet too large for the quick path is streamed; its plain rows are read at C speed, with the
    result (or refusal) the scan of every tag gives."""
    cells, limits = PLAIN_ROWS_CASES[case]
    rows = "".join(f'<row r="{n}">{cells.format(n=n)}</row>' for n in range(1, 400))
    xml = f'<worksheet xmlns="x"><dimension ref="A1:D5"/><sheetData>{rows}</sheetData></worksheet>'.encode()
    with_plain_rows, tag_by_tag = _streamed_scans(xml, limits, monkeypatch)
    assert with_plain_rows == tag_by_tag


def test_plain_rows_are_read_without_visiting_each_tag() -> None:
    """The rows before a piece's last `<row` are handled in one pass (the hostile benchmark's 65 MiB
    sheets are read this way, in under half the time)."""
    from matrixkit.intake.safety import _SheetScanner

    rows = "".join(f'<row r="{n}"><c r="A{n}"><v>1</v></c><c r="C{n}"/></row>' for n in range(1, 50))
    buffer = f'{rows}<row r="50">'.encode()
    scanner = _SheetScanner("Ratings", Limits())
    assert scanner.plain_rows(buffer, 0, len(buffer)) == buffer.rindex(b"<row")
    assert (scanner.max_row, scanner.max_column) == (49, 1)


@pytest.mark.parametrize("cell", ['<c r="C{n}" s="4" cm="1"><v>2</v></c>', '<c r="C{n}"  s="4"><v>2</v></c>'])
def test_plain_rows_read_cells_of_any_attributes_in_one_pass(cell: str) -> None:
    """Cells spelt otherwise than Excel's usual `r`, `s`, `t` are still plain, matched the general way."""
    from matrixkit.intake.safety import _SheetScanner

    rows = "".join(
        f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>x</t></is></c>{cell.format(n=n)}</row>' for n in range(1, 50)
    )
    buffer = f'{rows}<row r="50">'.encode()
    scanner = _SheetScanner("Ratings", Limits())
    assert scanner.plain_rows(buffer, 0, len(buffer)) == buffer.rindex(b"<row")
    assert (scanner.max_row, scanner.max_column) == (49, 3)
