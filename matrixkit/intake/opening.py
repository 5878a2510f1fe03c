"""Opening a spreadsheet file that came from outside: the safety scan first, then python-calamine.

Every spreadsheet matrixkit reads — returned workbooks, roster and calibration files — opens here, so
none reaches calamine before `scan_file` has bounded it (a 1 KB .xlsx with a cell at XFD1048576 makes
calamine abort the process, tafia/calamine#693). Only the sheets the scan has bounded are parsed. What
stops a file is a `Refusal`: the caller turns it into a problem in its own words.

>>> opened = open_spreadsheet("sample_workbooks/engineering/filled/ENG-001_Siobhan-Ni-Bhriain.xlsx",
...                           lambda name: name == "Ratings")
>>> opened.sheet_names[:2], list(opened.grids), opened.grids["Ratings"][0][0]
(['Instructions', 'Ratings'], ['Ratings'], 'Employee ID')
>>> open_spreadsheet("no-such.xlsx", lambda name: True).message
'file not found'
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from matrixkit.errors import UnsafeFileError
from matrixkit.intake.safety import FileScan, Limits, scan_file

Grid = list[list[Any]]


@dataclass(frozen=True)
class Refusal:
    """Why a file gives no sheets; `code` is the problem code, `sheet` and `cell` where it was found."""

    message: str
    code: str
    sheet: str | None = None
    cell: str | None = None


@dataclass(frozen=True)
class OpenedSpreadsheet:
    scan: FileScan
    sheet_names: list[str]  # every sheet, in workbook order
    grids: dict[str, Grid]  # the wanted sheets only, each bounded by the scan


class FirstSheet:
    """A `wanted` for `open_spreadsheet`: true for the first sheet it is asked about (sheets come in order)."""

    def __init__(self) -> None:
        self.name: str | None = None

    def __call__(self, name: str) -> bool:
        if self.name is None:
            self.name = name
        return name == self.name


def _missing(source: Path) -> str:
    """Why there is no file to read: absent, or a link that leads nowhere."""
    if not source.is_symlink():
        return "file not found"
    try:
        source.resolve(strict=True)
    except (RuntimeError, OSError) as exc:  # Python 3.11 reports a loop as RuntimeError, later ones as ELOOP
        if isinstance(exc, RuntimeError) or exc.errno == errno.ELOOP:
            return "a link that loops (it leads back to itself, never to a file): replace it with the workbook"
    return f"a link to a file that does not exist ({os.readlink(source)}): replace it with the workbook"


def _grid_of_rows(rows: Iterable[list[Any]], first_column: int) -> Grid:
    """The grid `to_python(skip_empty_area=False)` gives, built row by row from `iter_rows()` (whose rows
    start at the sheet's first used column), each distinct text or number held once: a sheet of 100,000
    rows repeating a few words and ratings never exists as millions of separate objects at once, as the
    whole grid from `to_python` would before any sharing. Zeros keep their sign and NaN its own object.

    >>> grid = _grid_of_rows([["M1", 3.0, -0.0], ["".join(["M", "1"]), 3.0, 0.0]], 1)
    >>> grid[0][1] is grid[1][1], grid[0][2] is grid[1][2], grid == [["", "M1", 3.0, -0.0], ["", "M1", 3.0, 0.0]]
    (True, True, True)
    """
    seen: dict[object, Any] = {}
    keep = seen.setdefault
    lead = [""] * first_column
    grid: list[list[Any]] = []
    for row in rows:
        for index, value in enumerate(row):
            kind = type(value)
            if kind is str or (kind is float and value and value == value):
                row[index] = keep(value, value)
        grid.append(lead + row if lead else row)
        if len(seen) > _DISTINCT_VALUES:
            seen.clear()  # a sheet of distinct values gains nothing here: the memory stays bounded
    return grid


_DISTINCT_VALUES = 2**16
_SHARED_FROM_ROWS = 1_000  # a returned workbook of a few dozen rows is read faster without


def open_spreadsheet(
    path: str | Path,
    wanted: Callable[[str], bool],
    limits: Limits | None = None,
    *,
    xls_advice: str = "open it and save it as .xlsx",
) -> OpenedSpreadsheet | Refusal:
    """The grids of the `wanted` sheets of one .xlsx/.xlsm/.ods file, or why the file cannot be read."""
    source = Path(path)
    if not source.is_file():
        return Refusal(_missing(source), "file")
    try:
        scan = scan_file(source, wanted, limits or Limits())
    except UnsafeFileError as exc:
        return Refusal(str(exc), "unsafe-file", exc.sheet, exc.cell)
    if scan.kind == "xls":
        # A legacy file's cells cannot be inspected before parsing, so its size cannot be bounded.
        return Refusal(f"an Excel 97-2003 .xls file: {xls_advice}", "xls-file")
    try:
        from python_calamine import CalamineWorkbook

        workbook = CalamineWorkbook.from_path(str(source))
        names = list(workbook.sheet_names)
        grids: dict[str, Grid] = {}
        for name in names:
            if not wanted(name):
                continue
            if name not in scan.sheets:  # never ask calamine for a sheet the scan has not bounded
                return Refusal(f"the sheet '{name}' could not be checked before reading", "unsafe-file", name)
            sheet = workbook.get_sheet_by_name(name)
            if sheet.total_height > _SHARED_FROM_ROWS and sheet.start is not None:
                grids[name] = _grid_of_rows(sheet.iter_rows(), sheet.start[1])
            else:
                grids[name] = sheet.to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises many unrelated types for unreadable content
        return Refusal(f"cannot be read as a spreadsheet: {exc}", "unreadable-file")
    return OpenedSpreadsheet(scan, names, grids)
