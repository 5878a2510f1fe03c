"""The report's Problems sheet: every problem found in the inputs, errors first, with where it is."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from xlsxwriter.workbook import Workbook

from matrixkit.model.problems import Problem, sort_problems
from matrixkit.outputs.report.context import ReportContext
from matrixkit.outputs.report.styles import SEVERITY_FILLS, Styles
from matrixkit.outputs.report.tables import HEADER_ROW, Cell, Column, intro, write_table

EXCEL_ROWS = 1_048_576


def rows_that_fit(problems: Sequence[Problem], room: int = EXCEL_ROWS - HEADER_ROW - 1) -> list[Problem]:
    """`problems` when they fit in `room` rows; else the first room - 1 and a last one saying how many more
    the JSON holds — a sheet past Excel's 1,048,576 rows cannot be opened at all.

    >>> flood = [Problem("error", "bad", file=f"f{n}.xlsx", code="rating-invalid") for n in range(5)]
    >>> [p.message for p in rows_that_fit(flood, room=3)][-1]
    '3 more problems are not shown: this sheet holds what Excel can; the JSON report (--json) lists every one'
    """
    if len(problems) <= room:
        return list(problems)
    shown = list(problems[: room - 1])
    more = len(problems) - len(shown)
    note = Problem(
        "error" if any(p.severity == "error" for p in problems[len(shown) :]) else "warning",
        f"{more:,} more problems are not shown: this sheet holds what Excel can; the JSON report (--json) "
        "lists every one",
        code="problems-not-shown",
    )
    return [*shown, note]


def write_problems(workbook: Workbook, styles: Styles, ctx: ReportContext) -> None:
    ws = ctx.bulk(workbook.add_worksheet("Problems"))
    problems = sort_problems(list(ctx.analysis.problems))
    errors = sum(1 for p in problems if p.severity == "error")
    intro(
        ws,
        styles,
        f"Problems — {errors} error(s), {len(problems) - errors} warning(s); errors first",
        "Every problem found in the inputs, with where it is, the value found and what was expected.",
    )
    with_line = any(p.line is not None for p in problems)
    with_path = any(p.path for p in problems)
    columns = [
        Column("Severity", 10),
        Column("File", 30, "wrap"),
        Column("Sheet", 16),
        Column("Cell", 8),
        Column("Value", 18, "wrap"),
        Column("Expected", 22, "wrap"),
        Column("Message", 60, "wrap"),
        Column("Hint", 30, "wrap"),
    ]
    if with_line:
        columns.append(Column("Line", 7, "integer"))
    if with_path:
        columns.append(Column("Path", 30, "wrap"))
    rows: list[list[Any]] = []
    for p in rows_that_fit(problems):
        row: list[Any] = [
            Cell(p.severity, styles.get(bg_color=SEVERITY_FILLS.get(p.severity, "#FFFFFF"), bold=True)),
            p.file,
            p.sheet,
            p.cell,
            p.value,
            p.expected,
            p.message,
            p.hint,
        ]
        if with_line:
            row.append(p.line)
        if with_path:
            row.append(p.path)
        rows.append(row)
    write_table(ws, styles, columns, rows, freeze_cols=1, empty="No problems: every input was read as it should be")
