"""What the report's sheets share: a value written by its type, a table with its header, widths and filter,
the print setup, row heights for wrapped text, and the criteria columns of Readiness and Management track.

>>> text_lines("a" * 30, 10)   # 11 characters fit on a line 10 units wide
3
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from matrixkit.assess.results import CriterionResult
from matrixkit.model.criteria import criterion, label_of
from matrixkit.model.framework import CRITERIA_KEYS
from matrixkit.model.words import ReasonWords
from matrixkit.outputs.report.styles import TREND_LINE_COLOURS, Styles
from matrixkit.workbook.bulkcells import BulkSheet
from matrixkit.workbook.styles import write_typed

# Rows 0-1 of every table sheet say what it shows; the table's header is on this row (0-based).
HEADER_ROW = 2

RESULT_WORDS = {"met": "met", "not_met": "not met", "unknown": "unknown"}

LINE_HEIGHT = 15  # points per line of 11-point Calibri
CHARS_PER_WIDTH = 1.15  # characters of prose per unit of column width (the width of a "0")
PRINT_FIT_WIDTH = 330  # total column width that still reads when shrunk onto one landscape page
HEAT_WIDTH = 6  # heat map columns: a signed number, the competency name rotated in the header


@dataclass(frozen=True)
class Cell:
    """A value with its own format (a status colour, a number format)."""

    value: Any
    fmt: Format | None = None


@dataclass(frozen=True)
class Column:
    header: str
    width: float
    fmt: str = "text"  # an attribute of Styles used for the column's plain values


def write_value(ws: Worksheet, row: int, col: int, value: Any, fmt: Format | None) -> None:
    """Text always as text (a name `=1+1` stays a name), numbers as numbers, None as an empty cell."""
    if isinstance(value, Cell):
        value, fmt = value.value, value.fmt or fmt
    write_typed(ws, row, col, value, fmt)


def write_row(ws: Worksheet, row: int, cells: list[tuple[Any, Format | None]]) -> None:
    """A whole row from column A, (value, format) per column as `write_value` writes each: on a bulk sheet
    in one call (a report writes a million cells)."""
    if isinstance(ws, BulkSheet):
        ws.write_cells(row, cells)
        return
    for col, (value, fmt) in enumerate(cells):
        write_value(ws, row, col, value, fmt)


def plain_value(value: Any) -> Any:
    return value.value if isinstance(value, Cell) else value


def intro(ws: Worksheet, styles: Styles, title: str, note: str | None = None) -> None:
    ws.write_string(0, 0, title, styles.title)
    if note:
        ws.write_string(1, 0, note, styles.note)


@functools.lru_cache(maxsize=4096)  # a reason or a description repeats on thousands of rows
def text_lines(text: str, width: float) -> int:
    """Lines `text` takes when wrapped in a column `width` characters wide (a generous estimate)."""
    per_line = max(1, int(width * CHARS_PER_WIDTH))
    if len(text) <= per_line and "\n" not in text:
        return 1
    return sum(max(1, -(-len(part) // per_line)) for part in text.split("\n"))


def fit_row(ws: Worksheet, row: int, cells: Iterable[tuple[Any, float]], *, bold: bool = False) -> None:
    """Set the height of a row with wrapped text: not every program grows rows by itself on load."""
    factor = 0.85 if bold else 1.0
    lines = max(
        (text_lines(str(value), width * factor) for value, width in cells if isinstance(value, str)),
        default=1,
    )
    if lines > 1:
        ws.set_row(row, LINE_HEIGHT * lines)


def write_table(
    ws: Worksheet,
    styles: Styles,
    columns: Sequence[Column],
    rows: Iterable[Sequence[Any]],
    *,
    freeze_cols: int = 0,
    empty: str = "Nobody",
) -> int:
    """Header on HEADER_ROW, rows (or the sentence `empty` says when there are none), widths, filter, print
    setup; returns the last row. The rows may come one at a time: a sheet of 50,000 never exists twice."""
    for col, column in enumerate(columns):
        ws.write_string(HEADER_ROW, col, column.header, styles.header)
        ws.set_column(col, col, column.width)
    fit_row(ws, HEADER_ROW, ((c.header, c.width) for c in columns), bold=True)
    ws.freeze_panes(HEADER_ROW + 1, freeze_cols)
    print_setup(ws, header_row=HEADER_ROW, width=sum(c.width for c in columns))
    formats = [getattr(styles, column.fmt) for column in columns]
    wrapping = [(col, column.width) for col, column in enumerate(columns) if column.fmt == "wrap"]
    last_row = HEADER_ROW
    for r, values in enumerate(rows, start=HEADER_ROW + 1):
        last_row = r
        if len(values) != len(columns):
            raise ValueError(f"row {r + 1} has {len(values)} values for {len(columns)} columns")
        write_row(
            ws,
            r,
            [(v.value, v.fmt or f) if isinstance(v, Cell) else (v, f) for v, f in zip(values, formats, strict=True)],
        )
        if wrapping:
            fit_row(ws, r, ((plain_value(values[col]), width) for col, width in wrapping))
    if last_row == HEADER_ROW:
        ws.write_string(HEADER_ROW + 1, 0, empty, styles.text)
        return HEADER_ROW + 1
    ws.autofilter(HEADER_ROW, 0, last_row, len(columns) - 1)
    return last_row


def print_setup(ws: Worksheet, *, header_row: int | None = None, width: float = 0, one_page: bool = False) -> None:
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
    if one_page:
        ws.fit_to_pages(1, 1)
    elif width <= PRINT_FIT_WIDTH:
        ws.fit_to_pages(1, 0)
    else:
        # Too wide to shrink onto one page and still be read: pages across, the IDs on each.
        ws.set_print_scale(70)
        ws.repeat_columns(0, 1)
    if header_row is not None:
        ws.repeat_rows(header_row)


def line_series(
    index: int, name: Any, sheet: str, header: int, row: int, first_col: int, last_col: int
) -> dict[str, Any]:
    """The `index`-th line of a chart: `row`'s values from `first_col` to `last_col` over the categories
    in `header`, each line its own colour with markers (past the palette, dashed)."""
    colour = TREND_LINE_COLOURS[index % len(TREND_LINE_COLOURS)]
    line: dict[str, Any] = {"color": colour, "width": 2.25}
    if index >= len(TREND_LINE_COLOURS):
        line["dash_type"] = "dash"
    return {
        "name": name,
        "categories": [sheet, header, first_col, header, last_col],
        "values": [sheet, row, first_col, row, last_col],
        "line": line,
        "marker": {"type": "circle", "size": 6, "fill": {"color": colour}, "border": {"color": colour}},
    }


def criteria_keys(groups: Iterable[Sequence[CriterionResult]]) -> list[str]:
    """The criteria the results name, in the registry's order; an unregistered key raises (`criterion`)."""
    found = {criterion(c.criterion).key for group in groups for c in group}
    return [key for key in CRITERIA_KEYS if key in found]


def criteria_columns(keys: Sequence[str]) -> list[Column]:
    """A result column and a reason column per criterion, headed by the criterion's label, never its key."""
    columns: list[Column] = []
    for key in keys:
        columns.append(Column(label_of(key), 16))
        columns.append(Column(f"{label_of(key)}: why", 34, "wrap"))
    return columns


def criteria_cells(
    styles: Styles, keys: Sequence[str], criteria: Sequence[CriterionResult], words: ReasonWords
) -> list[Any]:
    """Each criterion's result and its reason in `words` (names, not ids)."""
    by_key = {c.criterion: c for c in criteria}
    cells: list[Any] = []
    for key in keys:
        found = by_key.get(key)
        if found is None:
            cells.extend([None, None])
        else:
            cells.append(Cell(RESULT_WORDS.get(found.result, found.result), styles.result(found.result)))
            cells.append(words(found.detail))
    return cells


def manager_label(manager_id: str | None, manager_name: str | None) -> str:
    if manager_id and manager_name and manager_name != manager_id:
        return f"{manager_name} ({manager_id})"
    return manager_name or manager_id or "(no manager)"


def rotated_height(names: Iterable[str]) -> float:
    """Points a header row needs for names turned upright (bold 11-point Calibri)."""
    return max((len(name) for name in names), default=8) * 5.5 + 12


def finish_blocks(
    ws: Worksheet,
    styles: Styles,
    *,
    blocks: int,
    width: float,
    freeze_cols: int,
    empty: str = "Nobody has a rating yet",
) -> None:
    """Finish a sheet of one heat-map block per family: print setup, `empty` when it has no block, and the
    block's header frozen only when there is one block (with several, only the name columns)."""
    print_setup(ws, width=width)
    if blocks == 0:
        ws.write_string(HEADER_ROW, 0, empty, styles.text)
    elif blocks == 1:
        ws.freeze_panes(HEADER_ROW + 2, freeze_cols)
    else:
        ws.freeze_panes(0, freeze_cols)
