"""Large xlsxwriter sheets whose cells are rendered at string speed and spliced in after closing.

A report for 10,000 employees holds about a million cells; xlsxwriter spends ten microseconds on
each and keeps them all as objects. `BulkSheet` stands in for an xlsxwriter worksheet: it renders
the cells it is given row by row into compact XML (strings go to the workbook's shared-string table,
so a reason or a description repeated ten thousand times is stored once), passes every other call
through (widths, panes, filters, conditional formats, print setup), and after `Workbook.close()`
`splice` puts the rendered rows in place of the sheet's empty cell data. Sheets with charts stay
plain xlsxwriter sheets: charts cache the values of the cells they draw.

Three xlsxwriter internals are used, all stable since its first releases: a format's style index
(`Format._get_xf_index`, what xlsxwriter calls when it writes a cell), the workbook's shared-string
table (`Worksheet.str_table`) and its lookup (`_get_shared_string_index`). pyproject pins the
xlsxwriter minor version that tests/test_bulkcells.py passes with: a bulk sheet read back equals,
cell for cell, the same sheet written by xlsxwriter, numbers in xlsxwriter's own text (`%.16G`).

>>> import io
>>> import xlsxwriter
>>> buffer = io.BytesIO()
>>> workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
>>> sheet = BulkSheet(workbook.add_worksheet("Readiness"))
>>> sheet.write_string(1, 0, "E1", workbook.add_format({"bold": True}))
0
>>> workbook.close()
>>> splice(buffer.getvalue(), [sheet])[:2]
b'PK'
"""

from __future__ import annotations

import math
import re
import tempfile
import zipfile
import zlib
from collections.abc import Sequence
from io import BytesIO
from typing import IO, Any

from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from matrixkit.workbook.cells import EXCEL_CELL_LIMIT, cell_ref, col_letter, excel_prefix
from matrixkit.workbook.package import (
    OWN_COMPRESSION,
    SPOOL_IN_MEMORY,
    Member,
    Spooled,
    close_members,
    crc32_combine,
    deflate,
    zip_bytes,
)
from matrixkit.workbook.sheetxml import row_height

_SHEET_DATA = re.compile(rb"<sheetData/>|<sheetData>.*</sheetData>", re.DOTALL)
_DIMENSION = re.compile(rb'<dimension ref="[^"]*"/>')
_BATCH_ROWS = 512  # rendered rows encoded to bytes together
_STRING_ENDS_KEPT = 4096  # distinct texts remembered: a sheet of a million different reasons stays bounded


class BulkSheet:
    """An xlsxwriter worksheet whose cells are rendered here (see the module's docstring). Rows are
    written in order: cells of the current row in any order, then later rows."""

    def __init__(self, worksheet: Worksheet) -> None:
        self.worksheet = worksheet
        self._strings = worksheet.str_table
        self._styles: dict[Format, str] = {}  # format (hashed by identity) → ' s="N"'
        self._row = -1
        self._cells: dict[int, str] = {}  # column → XML of the current row: a cell written again is replaced
        self._letters: list[str] = []  # column → its letters, for the columns met so far
        # text → the end of a cell showing it (' t="s"><v>7</v></c>'): a status or a level written ten
        # thousand times is looked up once in the shared-string table and cut to Excel's limit once.
        self._string_ends: dict[str, str] = {}
        self._height: float | None = None
        # The current row's cells were written left to right (as a whole row is): no sorting needed.
        self._in_order, self._top_col = True, -1
        self._pending: list[str] = []
        # The rows, compressed as they are rendered (a report's sheets would hold tens of megabytes of XML
        # until the workbook closes): a raw deflate stream, its CRC-32 and length uncompressed.
        self._deflater = zlib.compressobj(OWN_COMPRESSION, zlib.DEFLATED, -15)
        # Closed by `close_members` once the workbook is written (or with this object).
        self._spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115
        self._spooled = 0
        self._crc = self._size = 0
        self._first_row = self._last_row = -1
        self._first_col, self._last_col = 1 << 30, -1

    def __getattr__(self, name: str) -> Any:
        if name.startswith(("write", "merge", "insert")):
            # Cell data written to the worksheet itself would be replaced by the rendered rows: refuse it.
            raise AttributeError(f"BulkSheet writes strings, numbers and blanks only, not {name}")
        return getattr(self.worksheet, name)

    def _style(self, fmt: Format | None) -> str:
        if fmt is None:
            return ""
        found = self._styles.get(fmt)
        if found is None:
            index = fmt._get_xf_index()
            found = self._styles[fmt] = f' s="{index}"' if index else ""
        return found

    def _at(self, row: int) -> None:
        if row != self._row:
            if row < self._row:
                raise ValueError(f"rows are written in order: row {row + 1} after row {self._row + 1}")
            self._end_row()
            self._row = row

    def write_string(self, row: int, col: int, string: str, cell_format: Format | None = None) -> int:
        return self._write(row, col, string, cell_format)

    def write_number(self, row: int, col: int, number: float, cell_format: Format | None = None) -> int:
        return self._write(row, col, number, cell_format)

    def write_blank(self, row: int, col: int, blank: Any, cell_format: Format | None = None) -> int:
        return self._write(row, col, None, cell_format)

    def write_cells(self, row: int, cells: list[tuple[Any, Format | None]]) -> None:
        """A whole row from column A: values (text, number, bool as yes/no, None) with their formats.
        The same cells as `_write` gives one by one, in one loop: a report writes a million of them."""
        self._at(row)
        number = str(row + 1)
        letters = self._column_letters(len(cells))
        found = self._cells
        if found:
            self._in_order = False
        styles, ends = self._styles, self._string_ends
        references, top = 0, self._top_col
        for col, (value, fmt) in enumerate(cells):
            if fmt is None:
                if value is None:
                    continue
                shown = ""
            else:
                shown = styles.get(fmt) or self._style(fmt)
            end = ends.get(value)  # a text met before (only texts are keys)
            if end is None:
                end = self._end_of(value)
            else:
                references += 1
            found[col] = f'<c r="{letters[col]}{number}"{shown}{end}'
            top = col
        self._strings.count += references  # each a reference to a shared string, as its lookup counts it
        self._top_col = top

    def _write(self, row: int, col: int, value: Any, fmt: Format | None) -> int:
        if value is None and fmt is None:
            return 0  # as xlsxwriter: a blank without a format is no cell at all
        self._at(row)
        if col < self._top_col:
            self._in_order = False
        self._top_col = max(self._top_col, col)
        self._cells[col] = f'<c r="{col_letter(col)}{row + 1}"{self._style(fmt)}{self._end_of(value)}'
        return 0

    def _end_of(self, value: Any) -> str:
        """What follows a cell's reference and style: its value, or the end of an empty cell."""
        kind = type(value)
        if kind is str:
            end = self._string_ends.get(value)
            if end is None:
                end = self._string_end(value)
                if len(self._string_ends) >= _STRING_ENDS_KEPT:
                    self._string_ends.clear()  # names and ids repeat little: the few words that do come back
                self._string_ends[value] = end
            else:
                self._strings.count += 1  # a reference to a shared string, as its lookup would count it
            return end
        if value is None or (kind is float and not math.isfinite(value)):
            # NaN or infinity has no place in a cell (Excel refuses the file): a blank one instead.
            return "/>"
        if kind is int or kind is float:
            # As xlsxwriter writes numbers, so that a bulk sheet and a plain one in the same report agree.
            return f"><v>{value:.16G}</v></c>"
        return self._string_end(("yes" if value else "no") if kind is bool else str(value))

    def _string_end(self, text: str) -> str:
        index = self._strings._get_shared_string_index(excel_prefix(text, EXCEL_CELL_LIMIT))
        return f' t="s"><v>{index}</v></c>'

    def _column_letters(self, count: int) -> list[str]:
        letters = self._letters
        while len(letters) < count:
            letters.append(col_letter(len(letters)))
        return letters

    def set_row(self, row: int, height: float) -> int:
        self._at(row)
        self._height = height
        return 0

    def _end_row(self) -> None:
        if self._row < 0 or (not self._cells and self._height is None):
            return
        ht = f' ht="{row_height(self._height)}" customHeight="1"' if self._height is not None else ""
        number = self._row + 1
        if self._cells:
            cells = self._cells if self._in_order else dict(sorted(self._cells.items(), key=_column))
            self._first_col = min(self._first_col, next(iter(cells)))
            self._last_col = max(self._last_col, next(reversed(cells)))
            if self._first_row < 0:
                self._first_row = self._row
            self._last_row = self._row
            self._pending.append(f'<row r="{number}"{ht}>{"".join(cells.values())}</row>')
        else:
            self._pending.append(f'<row r="{number}"{ht}/>')
        self._cells, self._height = {}, None
        self._in_order, self._top_col = True, -1
        if len(self._pending) >= _BATCH_ROWS:
            self._flush()

    def _flush(self) -> None:
        rows = "".join(self._pending).encode("utf-8")
        self._pending = []
        self._crc = zlib.crc32(rows, self._crc)
        self._size += len(rows)
        compressed = self._deflater.compress(rows)
        self._spool.write(compressed)
        self._spooled += len(compressed)

    def member(self, name: str, xml: bytes) -> Member:
        """The worksheet part `name`, from the `xml` xlsxwriter wrote with its cell data in place of
        xlsxwriter's empty `<sheetData>`: compressed in three pieces (the rows were as they came) that make
        one deflate stream, each but the last ending on a byte boundary, and not marked final."""
        self._end_row()
        self._flush()
        if self._first_row < 0:
            xml = _replace_first(_DIMENSION, xml, b'<dimension ref="A1"/>')
            return deflate(name, _replace_first(_SHEET_DATA, xml, b"<sheetData/>"), OWN_COMPRESSION)
        top, bottom = cell_ref(self._first_row, self._first_col), cell_ref(self._last_row, self._last_col)
        dimension = top if top == bottom else f"{top}:{bottom}"
        xml = _replace_first(_DIMENSION, xml, f'<dimension ref="{dimension}"/>'.encode())
        found = _SHEET_DATA.search(xml)
        if found is None:
            raise ValueError(f"no {_SHEET_DATA.pattern!r} in the worksheet xlsxwriter wrote")
        before, after = xml[: found.start()] + b"<sheetData>", b"</sheetData>" + xml[found.end() :]
        head = zlib.compressobj(OWN_COMPRESSION, zlib.DEFLATED, -15)
        tail = zlib.compressobj(OWN_COMPRESSION, zlib.DEFLATED, -15)
        rest = self._deflater.flush(zlib.Z_SYNC_FLUSH)
        self._spool.write(rest)
        data = Spooled(
            head.compress(before) + head.flush(zlib.Z_SYNC_FLUSH),
            self._spool,
            self._spooled + len(rest),
            tail.compress(after) + tail.flush(zlib.Z_FINISH),
        )
        crc = crc32_combine(crc32_combine(zlib.crc32(before), self._crc, self._size), zlib.crc32(after), len(after))
        return Member(name, crc, len(before) + self._size + len(after), data)


def _column(cell: tuple[int, str]) -> int:
    return cell[0]


def splice(xlsx: bytes, sheets: Sequence[BulkSheet]) -> bytes:
    """The closed workbook with each bulk sheet's rows in place; every other part copied as it is."""
    members = spliced_members(xlsx, sheets)
    try:
        return zip_bytes(members)
    finally:
        close_members(members)


def spliced_members(xlsx: bytes, sheets: Sequence[BulkSheet]) -> list[Member]:
    """The zip members of `splice`, compressed, in the workbook's order."""
    parts = {f"xl/worksheets/sheet{sheet.worksheet.index + 1}.xml": sheet for sheet in sheets}
    members: list[Member] = []
    with zipfile.ZipFile(BytesIO(xlsx)) as archive:
        for info in archive.infolist():
            sheet = parts.get(info.filename)
            if sheet is None:
                members.append(_raw_member(xlsx, info))
                continue
            members.append(sheet.member(info.filename, archive.read(info.filename)))
    return members


def _replace_first(pattern: re.Pattern[bytes], xml: bytes, replacement: bytes) -> bytes:
    found = pattern.search(xml)
    if found is None:
        raise ValueError(f"no {pattern.pattern!r} in the worksheet xlsxwriter wrote")
    return xml[: found.start()] + replacement + xml[found.end() :]


def _raw_member(xlsx: bytes, info: zipfile.ZipInfo) -> Member:
    """A member as stored, without inflating it (xlsxwriter deflates every part)."""
    start = _data_start(xlsx, info)
    data = xlsx[start : start + info.compress_size]
    if info.compress_type != zipfile.ZIP_DEFLATED:
        return deflate(info.filename, data)
    return Member(info.filename, info.CRC, info.file_size, data)


def _data_start(xlsx: bytes, info: zipfile.ZipInfo) -> int:
    name_length = int.from_bytes(xlsx[info.header_offset + 26 : info.header_offset + 28], "little")
    extra_length = int.from_bytes(xlsx[info.header_offset + 28 : info.header_offset + 30], "little")
    return info.header_offset + 30 + name_length + extra_length
