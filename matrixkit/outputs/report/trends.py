"""The report's Trends sheet (with a history store): each employee's status and average per cycle, the
organisation's mean per competency, and a line chart of each.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from xlsxwriter.chart import Chart
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from matrixkit.assess.analytics import level_changes, trend_points
from matrixkit.assess.results import STATUS_WORDS, Trends
from matrixkit.outputs.report.context import ReportContext
from matrixkit.outputs.report.styles import Styles
from matrixkit.outputs.report.tables import HEADER_ROW, fit_row, intro, line_series, print_setup, write_value

# Only with a history store (`analysis.trends`): between Development plans and Problems.
TRENDS_SHEET = "Trends"
TREND_CHART_COMPETENCIES = 12  # lines in the competency chart; more would not read
TREND_CHART_EMPLOYEES = 25  # employees the averages chart draws at most; with more it is left out


def _round2(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _trend_columns(ws: Worksheet, widths: Sequence[float]) -> None:
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)


def _trend_header(ws: Worksheet, styles: Styles, row: int, headers: Sequence[tuple[str, float]]) -> None:
    for col, (text, _) in enumerate(headers):
        ws.write_string(row, col, text, styles.header)
    fit_row(ws, row, headers, bold=True)


def write_trends(workbook: Workbook, styles: Styles, ctx: ReportContext, trends: Trends) -> None:
    ws = workbook.add_worksheet(TRENDS_SHEET)
    cycles = list(trends.cycles)
    intro(
        ws,
        styles,
        "Trends — each employee's status and average per cycle, and the organisation's mean per competency",
        f"Cycles from the history store, oldest first, this run's last: {', '.join(cycles) or 'none'}. "
        "Blank: not rated in that cycle. Averages and means are shown to 2 decimals.",
    )

    # Per employee: the widths of these columns are the sheet's; the tables below reuse them.
    employee_headers: list[tuple[str, float]] = [("Employee ID", 12), ("Name", 24)]
    for cycle in cycles:
        employee_headers += [(f"{cycle} status", 13), (f"{cycle} average", 10)]
    employee_headers += [("Level", 9), ("Level changes", 28)]
    table_width = sum(width for _, width in employee_headers)
    _trend_columns(ws, [width for _, width in employee_headers])
    _trend_header(ws, styles, HEADER_ROW, employee_headers)

    def name(employee_id: str) -> str:
        return trends.names.get(employee_id) or ctx.names.get(employee_id) or ""

    employee_ids = sorted(trends.employees, key=lambda i: (name(i), i))
    averages: dict[str, dict[str, float | None]] = {}
    row = HEADER_ROW
    for row, employee_id in enumerate(employee_ids, start=HEADER_ROW + 1):
        by_cycle = trend_points(trends, trends.employees[employee_id])
        averages[employee_id] = {c: p.average for c, p in by_cycle.items()}
        ws.write_string(row, 0, employee_id, styles.text)
        ws.write_string(row, 1, name(employee_id), styles.text)
        for index, cycle in enumerate(cycles):
            point = by_cycle.get(cycle)
            if point is None:
                continue
            ws.write_string(row, 2 + 2 * index, STATUS_WORDS[point.status], styles.status(point.status))
            write_value(ws, row, 3 + 2 * index, _round2(point.average), styles.decimal)
        level, changes = level_changes(trends, by_cycle)
        write_value(ws, row, 2 + 2 * len(cycles), level, styles.text)
        write_value(ws, row, 3 + 2 * len(cycles), changes, styles.wrap)
        if changes:
            fit_row(ws, row, [(changes, employee_headers[-1][1])])
    if employee_ids:
        ws.autofilter(HEADER_ROW, 0, row, len(employee_headers) - 1)
    else:
        row = HEADER_ROW + 1
        ws.write_string(row, 0, "Nobody has a stored cycle to compare", styles.text)

    # Per competency: the organisation's mean rating per cycle, cycles from column C on.
    keys = sorted(
        trends.competency_means,
        key=lambda k: (k[0], ctx.competency_index(k[0], k[1]), k[1]),
    )
    several_families = len({family for family, _ in keys}) > 1

    def competency_name(family: str, competency: str) -> str:
        return trends.competency_names.get((family, competency)) or ctx.competency_name(family, competency)

    row += 2
    ws.write_string(row, 0, "Organisation mean rating per competency", styles.heading)
    means_header = row + 1
    _trend_header(ws, styles, means_header, [("Family", 12), ("Competency", 24), *((c, 10) for c in cycles)])
    means_first = means_header + 1
    row = means_header
    for row, (family, competency) in enumerate(keys, start=means_first):
        ws.write_string(row, 0, ctx.family_name(family), styles.text)
        ws.write_string(row, 1, competency_name(family, competency), styles.text)
        means = trends.competency_means[(family, competency)]
        for index, cycle in enumerate(cycles):
            write_value(ws, row, 2 + index, _round2(means.get(cycle)), styles.decimal)
    if not keys:
        row = means_first
        ws.write_string(row, 0, "No competency has ratings in a stored cycle", styles.text)

    # The employee chart needs each employee's averages side by side: a small table of its own.
    charted_employees = [i for i in employee_ids if any(v is not None for v in averages[i].values())]
    draw_employees = bool(cycles) and 0 < len(employee_ids) <= TREND_CHART_EMPLOYEES and bool(charted_employees)
    averages_first = 0
    if draw_employees:
        row += 2
        ws.write_string(row, 0, "Average per cycle — the data of the employee chart", styles.heading)
        averages_header = row + 1
        _trend_header(ws, styles, averages_header, [("Employee ID", 12), ("Name", 24), *((c, 10) for c in cycles)])
        averages_first = averages_header + 1
        for row, employee_id in enumerate(charted_employees, start=averages_first):
            ws.write_string(row, 0, employee_id, styles.text)
            ws.write_string(row, 1, name(employee_id), styles.text)
            for index, cycle in enumerate(cycles):
                write_value(ws, row, 2 + index, _round2(averages[employee_id].get(cycle)), styles.decimal)

    notes: list[str] = []
    if len(keys) > TREND_CHART_COMPETENCIES:
        notes.append(
            f"The competency chart draws the first {TREND_CHART_COMPETENCIES} of {len(keys)} competencies "
            "(in the table's order); the table has them all."
        )
    if len(employee_ids) > TREND_CHART_EMPLOYEES:
        notes.append(
            f"No chart of employee averages: {len(employee_ids)} employees, more than "
            f"{TREND_CHART_EMPLOYEES} lines would not read. The table above has every average."
        )
    row += 1
    for note in notes:
        row += 1
        ws.write_string(row, 0, note, styles.note)
    chart_row = row + 2

    scale_min = min((fw.scale.min for fw in ctx.by_family.values()), default=1)
    scale_max = max(ctx.scale_max)
    x_offset = 0
    if cycles and keys:
        charted = keys[:TREND_CHART_COMPETENCIES]
        series = []
        for offset, (family, competency) in enumerate(charted):
            label: Any = competency_name(family, competency)
            if several_families:
                label = f"{ctx.family_name(family)}: {label}"
            else:
                label = [TRENDS_SHEET, means_first + offset, 1]
            series.append((label, means_first + offset))
        chart = _trend_chart(workbook, means_header, len(cycles), series, "Organisation mean rating per competency")
        chart.set_y_axis({"name": "Mean rating", "min": scale_min, "max": scale_max, "major_unit": 1})
        ws.insert_chart(chart_row, 0, chart, {"x_scale": 1.3, "y_scale": 1.3})
        x_offset = int(480 * 1.3) + 24
    if draw_employees:
        series = [([TRENDS_SHEET, averages_first + i, 1], averages_first + i) for i in range(len(charted_employees))]
        chart = _trend_chart(workbook, averages_first - 1, len(cycles), series, "Average rating per employee")
        chart.set_y_axis({"name": "Average rating", "min": scale_min, "max": scale_max, "major_unit": 1})
        ws.insert_chart(chart_row, 0, chart, {"x_scale": 1.3, "y_scale": 1.3, "x_offset": x_offset})

    ws.freeze_panes(0, 2)  # several tables: the names stay in view, no header is frozen over the others
    print_setup(ws, width=max(table_width, 2 * 480 * 1.3 / 7))


def _trend_chart(
    workbook: Workbook, header: int, n_cycles: int, series: Sequence[tuple[Any, int]], title: str
) -> Chart:
    """A line per series over the cycles; categories are the cycle names in `header`, from column C."""
    chart = workbook.add_chart({"type": "line"})
    assert chart is not None
    for index, (name, row) in enumerate(series):
        chart.add_series(line_series(index, name, TRENDS_SHEET, header, row, 2, 1 + n_cycles))
    # A cycle someone was not rated in is bridged; the markers show the cycles that have a value.
    chart.show_blanks_as("span")
    chart.set_title({"name": title})
    chart.set_x_axis({"name": "Cycle"})
    chart.set_legend({"position": "right"})
    return chart
