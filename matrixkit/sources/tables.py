"""Tables HR gives matrixkit — the roster, the calibration list — read from a CSV or a spreadsheet's first sheet.

A spreadsheet passes `intake.safety.scan_file` before python-calamine parses it: a 1 KB .xlsx with a
cell at XFD1048576 makes calamine allocate the whole grid and abort the Python process
(tafia/calamine#693), so a hostile roster must become a problem naming the file, never a crash.
Only the first sheet is scanned and read. A legacy .xls is refused: its cells cannot be inspected
before parsing, and SPEC asks for CSV or XLSX.

>>> table = read_table("templates/rosters/startup.csv")
>>> table.header[:3], table.rows[0][0]
(['employee_id', 'name', 'email'], 2)
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TypedDict

from matrixkit.intake.opening import FirstSheet, Refusal, open_spreadsheet
from matrixkit.intake.safety import Limits
from matrixkit.model.problems import Problem
from matrixkit.workbook.cells import cell_ref

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".ods", ".xls")
# A roster may list more people than a ratings sheet holds rows; the cell limit still bounds what
# calamine allocates, and the column limit what a table of people can need.
TABLE_LIMITS = Limits(max_rows=1_048_576)


class Where(TypedDict):
    """Where a problem about a table is: the keyword arguments of `Problem` that locate it."""

    file: str
    sheet: str | None
    cell: str


@dataclass(frozen=True)
class Table:
    """A header and the rows under it, every cell as text; `problems` say why a file gave no table."""

    file: str
    sheet: str | None = None  # the sheet read; None for a CSV
    header: list[str] = field(default_factory=list)
    header_row: int = 1  # 1-based: the first row with any content
    rows: list[tuple[int, list[str]]] = field(default_factory=list)  # (1-based row number, cells), none blank
    problems: list[Problem] = field(default_factory=list)

    def where(self, row: int, column: int | None = None) -> Where:
        """`file`, `sheet` and `cell` of a Problem about a row (0-based column: about one of its cells).

        >>> Table("r.xlsx", sheet="People").where(5, 2), Table("r.csv").where(5, 2)["cell"]
        ({'file': 'r.xlsx', 'sheet': 'People', 'cell': 'C5'}, 'row 5')
        """
        # A spreadsheet user finds a cell by its reference; a CSV's reader counts lines.
        cell = cell_ref(row - 1, column) if self.sheet is not None and column is not None else f"row {row}"
        return {"file": self.file, "sheet": self.sheet, "cell": cell}


def read_table(path: str | Path, *, limits: Limits = TABLE_LIMITS) -> Table:
    """The header (the first row with content) and the non-blank rows under it, from a CSV or a spreadsheet.

    >>> read_table("no-such-roster.csv").problems[0].message
    'file not found'
    """
    file, source = str(path), Path(path)

    def failed(message: str, code: str, sheet: str | None = None, cell: str | None = None) -> Table:
        return Table(file, sheet, problems=[Problem("error", message, file=file, sheet=sheet, cell=cell, code=code)])

    if source.is_file() and source.suffix.lower() not in SPREADSHEET_SUFFIXES:
        return _table(file, None, _csv_rows(source.read_bytes()))
    opened = open_spreadsheet(source, FirstSheet(), limits, xls_advice="open it and save it as .xlsx or .csv")
    if isinstance(opened, Refusal):
        return failed(opened.message, opened.code, opened.sheet, opened.cell)
    if not opened.grids:
        return _table(file, None, [])
    name, grid = next(iter(opened.grids.items()))
    return _table(file, name, [[_cell_text(value) for value in row] for row in grid])


def _table(file: str, sheet: str | None, grid: list[list[str]]) -> Table:
    numbered = [(number, row) for number, row in enumerate(grid, start=1) if any(cell.strip() for cell in row)]
    if not numbered:
        return Table(file, sheet)
    (header_row, header), *rows = numbered
    return Table(file, sheet, header, header_row, rows)


def _csv_rows(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return [list(row) for row in csv.reader(io.StringIO(text), dialect)]


def _cell_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value)
