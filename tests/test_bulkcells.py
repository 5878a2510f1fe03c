"""`BulkSheet` writes what plain xlsxwriter would have written, cell for cell.

bulkcells leans on three xlsxwriter internals (a format's style index, the workbook's shared-string
table and its index lookup), so pyproject pins the xlsxwriter minor version these tests pass with.
Each test writes one sheet twice, through xlsxwriter's own `write_*` calls and through `BulkSheet`,
and compares what openpyxl reads back and, for numbers, the XML text itself.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from typing import Any

import openpyxl
import pytest
import xlsxwriter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from matrixkit.workbook.bulkcells import BulkSheet, splice

# What a test does to a sheet: called once with the plain worksheet, once with a BulkSheet over it.
Fill = Callable[[Any, Workbook], None]

FLOATS = [
    0.1,
    1 / 3,
    0.1 + 0.2,
    2 / 3 * 4,  # 2.6666666666666665: seventeen significant digits
    1e-7,
    -2.5e-12,
    1e15 + 0.5,
    123456.789,
    1e16,
    1e300,
    -0.0,
    0.0,
    5e-324,
]
INTS = [0, 1, -1, 7, 2**31, 2**53, 2**53 + 1, 12345678901234567, 10**20, -(10**18)]
STRINGS = [
    "plain",
    "a < b & c > d",
    "\"double\" and 'single' quotes",
    "]]> and <![CDATA[",
    "  leading spaces",
    "trailing spaces  ",
    " ",
    "line\nbreak\r\nand\ttab",
    "control \x01 character",
    "_x0041_ looks escaped",
    "émigré — “typographic” ✓ 🎉",
    "x" * 40_000,  # beyond Excel's 32,767 characters: both cut it there
]


def written_twice(fill: Fill) -> tuple[bytes, bytes]:
    """The same sheet as plain xlsxwriter writes it, and as BulkSheet renders and splices it."""
    results = []
    for bulk in (False, True):
        buffer = io.BytesIO()
        workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
        workbook.set_properties({"created": None})
        workbook.add_worksheet("Before")  # the bulk sheet is not the first: its part name is looked up
        worksheet = workbook.add_worksheet("Sheet")
        sheet = BulkSheet(worksheet) if bulk else worksheet
        fill(sheet, workbook)
        workbook.close()
        data = buffer.getvalue()
        results.append(splice(data, [sheet]) if isinstance(sheet, BulkSheet) else data)
    return results[0], results[1]


def cells(xlsx: bytes) -> dict[str, tuple[Any, str, str | None]]:
    """Every cell of the sheet as openpyxl reads it: value, number format, font colour."""
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx))
    sheet = workbook["Sheet"]
    return {
        cell.coordinate: (cell.value, cell.number_format, cell.font.color.rgb if cell.font.color else None)
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None or cell.has_style
    }


def sheet_xml(xlsx: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(xlsx)) as archive:
        return archive.read("xl/worksheets/sheet2.xml")


def number_texts(xlsx: bytes) -> list[bytes]:
    return re.findall(rb"<c [^>]*><v>([^<]*)</v></c>", sheet_xml(xlsx))


def test_numbers_are_written_as_xlsxwriter_writes_them() -> None:
    def fill(sheet: Any, workbook: Workbook) -> None:
        for row, number in enumerate([*FLOATS, *INTS]):
            sheet.write_number(row, 0, number)

    plain, bulk = written_twice(fill)
    assert number_texts(bulk) == number_texts(plain)
    assert cells(bulk) == cells(plain)
    read_back = [value for value, _, _ in cells(bulk).values()]
    assert read_back[:3] == [0.1, 1 / 3, float(f"{0.1 + 0.2:.16G}")]


def test_strings_read_back_as_plain_xlsxwriter_writes_them() -> None:
    def fill(sheet: Any, workbook: Workbook) -> None:
        for row, text in enumerate(STRINGS):
            sheet.write_string(row, 1, text)

    plain, bulk = written_twice(fill)
    assert cells(bulk) == cells(plain)
    values = [value for value, _, _ in cells(bulk).values()]
    assert values[4:7] == ["  leading spaces", "trailing spaces  ", " "]
    assert len(values[-1]) == 32_767


def test_repeated_strings_are_stored_once() -> None:
    def fill(sheet: Any, workbook: Workbook) -> None:
        for row in range(300):
            sheet.write_string(row, 0, "Ready")
            sheet.write_string(row, 1, f"E{row % 7}")

    plain, bulk = written_twice(fill)
    assert cells(bulk) == cells(plain)
    with zipfile.ZipFile(io.BytesIO(bulk)) as archive:
        shared = archive.read("xl/sharedStrings.xml")
    assert shared.count(b"<si>") == 8
    assert re.search(rb'count="600" uniqueCount="8"', shared)


def test_formats_blanks_row_heights_and_dimension_match() -> None:
    def fill(sheet: Any, workbook: Workbook) -> None:
        bold = workbook.add_format({"bold": True, "font_color": "#9C0006"})
        percent = workbook.add_format({"num_format": "0.0%"})
        plain_format = workbook.add_format()
        sheet.set_row(1, 30)
        sheet.write_string(1, 2, "header", bold)
        sheet.write_number(1, 3, 0.125, percent)
        sheet.write_blank(2, 4, None, bold)  # a formatted blank is a cell
        sheet.write_blank(2, 5, None)  # an unformatted one is none
        sheet.write_number(3, 1, 4, plain_format)
        sheet.set_row(5, 12.75)  # a row with a height and no cells

    plain, bulk = written_twice(fill)
    assert cells(bulk) == cells(plain)
    # The one difference: xlsxwriter's dimension also spans rows that only have a height, from column A.
    assert b'<dimension ref="A2:E6"/>' in sheet_xml(plain)
    assert b'<dimension ref="B2:E4"/>' in sheet_xml(bulk)
    for xlsx in (plain, bulk):
        xml = sheet_xml(xlsx)
        assert re.search(rb'<row r="2"[^>]* ht="30" customHeight="1"', xml)
        assert re.search(rb'<row r="6"[^>]* ht="12.75" customHeight="1"', xml)
    sheets = [openpyxl.load_workbook(io.BytesIO(x))["Sheet"] for x in (plain, bulk)]
    assert [s.row_dimensions[2].height for s in sheets] == [30, 30]


def test_write_cells_writes_a_row_from_column_a() -> None:
    def fill(sheet: Any, workbook: Workbook) -> None:
        row = [("E1", None), (3.5, None), (True, None), (False, None), (None, None), (12, None)]
        if isinstance(sheet, BulkSheet):
            sheet.write_cells(0, row)
            return
        for col, (value, _fmt) in enumerate(row):
            if isinstance(value, bool):
                sheet.write_string(0, col, "yes" if value else "no")
            elif isinstance(value, str):
                sheet.write_string(0, col, value)
            elif value is not None:
                sheet.write_number(0, col, value)

    plain, bulk = written_twice(fill)
    assert cells(bulk) == cells(plain)


def test_an_empty_bulk_sheet_is_an_empty_sheet() -> None:
    plain, bulk = written_twice(lambda sheet, workbook: None)
    assert cells(bulk) == cells(plain) == {}
    assert b'<dimension ref="A1"/>' in sheet_xml(bulk)


def test_rows_out_of_order_and_cell_writes_it_cannot_render_are_refused() -> None:
    workbook = xlsxwriter.Workbook(io.BytesIO(), {"in_memory": True})
    sheet = BulkSheet(workbook.add_worksheet())
    sheet.write_string(3, 0, "later")
    with pytest.raises(ValueError, match="rows are written in order"):
        sheet.write_string(1, 0, "earlier")
    with pytest.raises(AttributeError, match="not write_formula"):
        sheet.write_formula(4, 0, "=1+1")
    assert isinstance(sheet.worksheet, Worksheet)
    workbook.close()


def test_the_xlsxwriter_internals_bulkcells_uses_are_there() -> None:
    """The three private names: if an xlsxwriter release renames one, this fails before any report does."""
    workbook = xlsxwriter.Workbook(io.BytesIO(), {"in_memory": True})
    worksheet = workbook.add_worksheet()
    fmt = workbook.add_format({"bold": True})
    assert isinstance(fmt._get_xf_index(), int)
    assert worksheet.str_table._get_shared_string_index("x") == 0
    assert worksheet.str_table._get_shared_string_index("x") == 0
    workbook.close()


def test_long_text_is_cut_as_excel_counts_it() -> None:
    """Excel's 32,767-character cell limit counts UTF-16 units: 20,000 emoji are 40,000 of them."""

    def fill(sheet: Any, workbook: Workbook) -> None:
        sheet.write_string(0, 0, "😀" * 20_000)

    _, bulk = written_twice(fill)
    (text,) = [value for value, _, _ in cells(bulk).values()]
    assert len(text.encode("utf-16-le")) // 2 <= 32_767
    assert text == "😀" * (32_767 // 2)


@pytest.mark.parametrize("spooled_in_memory", [2**22, 1_000], ids=["in-memory", "on-disk"])
def test_a_sheet_of_many_batches_is_one_valid_deflate_stream(
    spooled_in_memory: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows are compressed as they are rendered, batch by batch, into a spool (moved to a temporary file
    past its size in memory), then joined to the parts xlsxwriter wrote around them: the member inflates
    to the same cells, and its CRC and size are right (testzip)."""
    from matrixkit.workbook import bulkcells

    monkeypatch.setattr(bulkcells, "SPOOL_IN_MEMORY", spooled_in_memory)

    def fill(sheet: Any, workbook: Workbook) -> None:
        wrap = workbook.add_format({"text_wrap": True})
        for row in range(3_000):
            values = [f"E{row}", "émigré ✓ 🎉", row * 0.5, "On track" if row % 3 else "Not ready", None]
            if isinstance(sheet, BulkSheet) and row % 2:
                sheet.write_cells(row, [(value, wrap) for value in values])
                continue
            for col, value in enumerate(values):
                if isinstance(value, str):
                    sheet.write_string(row, col, value, wrap)
                elif value is None:
                    sheet.write_blank(row, col, None, wrap)
                else:
                    sheet.write_number(row, col, value, wrap)

    plain, bulk = written_twice(fill)
    with zipfile.ZipFile(io.BytesIO(bulk)) as archive:
        assert archive.testzip() is None
        assert archive.getinfo("xl/worksheets/sheet2.xml").file_size == len(sheet_xml(bulk)) > 200_000
    assert cells(bulk) == cells(plain)


@pytest.mark.parametrize("sizes", [(0, 0), (0, 5), (7, 0), (1, 1), (13, 4096), (100, 1_000_003)])
def test_crc32_combine_is_the_crc_of_the_joined_bytes(sizes: tuple[int, int]) -> None:
    import random
    import zlib

    from matrixkit.workbook.package import crc32_combine

    rng = random.Random(sum(sizes))
    first, second = (rng.randbytes(size) for size in sizes)
    assert crc32_combine(zlib.crc32(first), zlib.crc32(second), len(second)) == zlib.crc32(first + second)


def test_cells_of_a_row_written_in_any_column_order_are_laid_out_left_to_right() -> None:
    def fill(sheet: Any, workbook: Workbook) -> None:
        for row in range(3):
            for col in (5, 1, 3, 0):
                sheet.write_string(row, col, f"{row}:{col}")
        for row in range(3, 9):
            if isinstance(sheet, BulkSheet) and row % 2:
                sheet.write_cells(row, [("a", None), (None, None), ("c", None)])
                sheet.write_string(row, 1, "b")
            elif isinstance(sheet, BulkSheet):
                sheet.write_string(row, 2, "c")
                sheet.write_cells(row, [("a", None), ("b", None)])
            else:
                for col, text in ((0, "a"), (2, "c"), (1, "b")):
                    sheet.write_string(row, col, text)

    plain, bulk = written_twice(fill)
    assert cells(bulk) == cells(plain)
    xml = sheet_xml(bulk)
    refs = [re.findall(rb'<c r="([A-Z]+)' + str(row).encode() + b'"', xml) for row in (1, 4, 5)]
    assert refs == [[b"A", b"B", b"D", b"F"], [b"A", b"B", b"C"], [b"A", b"B", b"C"]]
