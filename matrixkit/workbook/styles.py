"""The look every workbook matrixkit writes shares, and the one way an xlsxwriter workbook is made.

Manager workbooks, the report, packets and the authoring workbook each build the formats they need,
but from these colours and this base font, so a status, a result or a header reads the same in all of
them. `new_workbook` opens every workbook written through xlsxwriter as a whole (the report, packets,
the authoring workbook; manager workbooks are stamped from a skeleton, `package`): text from HR or a
roster is only ever text (never a formula, a number or a link), and the creation date comes from the cycle.

>>> STATUS_FILLS["ready"], RESULT_FILLS["not_met"], document_date("2026-Q4").date().isoformat()
('#A9D08E', '#FCE4D6', '2026-10-01')
"""

from __future__ import annotations

import io
import math
from datetime import datetime, time
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from matrixkit.errors import UsageError
from matrixkit.model.cycles import parse_cycle

BASE_FONT: dict[str, Any] = {"font_name": "Calibri", "font_size": 11, "valign": "top"}
HEADER_FILL = "#1F3864"  # header rows, and the colour of titles and headings
HEADER_FONT = "#FFFFFF"
NOT_APPLICABLE_FILL = "#D9D9D9"
NOT_APPLICABLE_FONT = "#7F7F7F"
TITLE: dict[str, Any] = {"bold": True, "font_size": 16, "font_color": HEADER_FILL}
HEADING: dict[str, Any] = {"bold": True, "font_size": 12, "font_color": HEADER_FILL}
RESULT_FILLS = {"met": "#E2EFDA", "not_met": "#FCE4D6", "unknown": "#EDEDED"}
STATUS_FILLS: dict[str, str] = {
    "ready": "#A9D08E",
    "on_track": "#E2EFDA",
    "not_ready": "#FFD966",
    "incomplete": NOT_APPLICABLE_FILL,
    "top_of_track": "#BDD7EE",
    "conflict": "#FF9999",
}
DEFAULT_CREATED = datetime(2000, 1, 1)


def document_date(cycle: str | None) -> datetime:
    """A workbook's creation date: the cycle's first day, so the same inputs always give the same bytes."""
    if cycle is None:
        return DEFAULT_CREATED
    try:
        return datetime.combine(parse_cycle(cycle).start, time())
    except UsageError:
        return DEFAULT_CREATED


def new_workbook(buffer: io.BytesIO, *, title: str, comments: str, created: datetime) -> Workbook:
    """An in-memory xlsxwriter workbook where input text is only ever text (never a formula or link)."""
    workbook = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    workbook.set_properties({"title": title, "author": "matrixkit", "comments": comments, "created": created})
    return workbook


def write_typed(ws: Worksheet, row: int, col: int, value: Any, fmt: Format | None = None) -> None:
    """Text always as text (a name `=1+1` stays a name), numbers as numbers, None as an empty cell
    (NaN and infinity too: no cell can hold them, and xlsxwriter raises on them)."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        if fmt is not None:
            ws.write_blank(row, col, None, fmt)
    elif isinstance(value, bool):
        ws.write_string(row, col, "yes" if value else "no", fmt)
    elif isinstance(value, int | float):
        ws.write_number(row, col, value, fmt)
    else:
        ws.write_string(row, col, str(value), fmt)
