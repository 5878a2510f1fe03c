"""The report's Level fit sheet: do the ratings see the framework's levels?

From the top: the mean rating per level of each track, one line per competency in a chart beside it (a flat
stretch is the finding); every pair of adjacent levels with each competency's means and rise, the
competencies that barely rise highlighted; then the people whose ratings already meet their next level's
whole profile (possibly under-levelled) and those rated below their current level. A plain xlsxwriter sheet:
its chart caches the values it draws.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from matrixkit.assess.levelfit import FLAT_DIFFERENCE, FLAT_MIN_EMPLOYEES, below_current, level_means, under_levelled
from matrixkit.assess.results import EmployeeResult, LevelFitPair
from matrixkit.outputs.report.context import ReportContext
from matrixkit.outputs.report.styles import FLAG_FILLS, Styles
from matrixkit.outputs.report.tables import (
    CHARS_PER_WIDTH,
    fit_row,
    intro,
    line_series,
    manager_label,
    print_setup,
    write_value,
)

LEVEL_FIT_SHEET = "Level fit"
FLAT_WORDS = "Barely rises"
TOO_FEW_WORDS = f"Too few people to tell (under {FLAT_MIN_EMPLOYEES} at a level)"
CHART_COMPETENCIES = 12  # lines in one chart; more would not read
CHART_ROWS = 16  # rows a chart covers (at the default row height), so the next block starts below it
FLAT_FILL = FLAG_FILLS["aspirational"]

# One set of widths serves every table of the sheet: names in A, figures from B (the means per level are
# even columns), the words about a row in K.
WIDTHS = (28, 10, 10, 10, 10, 10, 10, 10, 10, 9, 36)
PAIR_HEADERS = (
    "Competency",
    "From level",
    "To level",
    "People at the lower level",
    "People at the upper level",
    "Expected at the lower level",
    "Expected at the upper level",
    "Mean rating at the lower level",
    "Mean rating at the upper level",
    "Rise",
    "Finding",
)
PEOPLE_HEADERS = ("Name", "Employee ID", "Level", "Ratings meet the profile of", "Manager")
BELOW_HEADER = "Rated below their level in"
FINDING = len(WIDTHS) - 1  # the column of the words


def write_level_fit(workbook: Workbook, styles: Styles, ctx: ReportContext) -> None:
    ws = workbook.add_worksheet(LEVEL_FIT_SHEET)
    intro(
        ws,
        styles,
        "Level fit — do the ratings see the levels?",
        "Over complete employees (every rating given, not in two workbooks). A competency whose mean rating "
        f"rises less than {FLAT_DIFFERENCE} from one level to the next,",
    )
    ws.write_string(
        2,
        0,
        f"with at least {FLAT_MIN_EMPLOYEES} people at each, barely rises: the two levels may differ on paper only. "
        "A question to ask, not a verdict.",
        styles.note,
    )
    for col, width in enumerate(WIDTHS):
        ws.set_column(col, col, width)
    row = _means_blocks(workbook, ws, styles, ctx, 4)
    row = _pairs_table(ws, styles, ctx, row + 1)
    employees = ctx.employees
    row = _people_table(
        ws,
        styles,
        ctx,
        row + 2,
        "Rated at or above their next level in every competency — possibly under-levelled",
        under_levelled(employees, list(ctx.by_family.values())),
    )
    _people_table(
        ws,
        styles,
        ctx,
        row + 2,
        "Rated below their current level in at least one competency",
        below_current(employees),
    )
    print_setup(ws, width=sum(WIDTHS))


def _track_label(ctx: ReportContext, family: str, track: str) -> str:
    name = ctx.track_name(family, track)
    return f"{ctx.family_name(family)}: {name}" if len(ctx.families) > 1 else name


def _means_blocks(workbook: Workbook, ws: Worksheet, styles: Styles, ctx: ReportContext, row: int) -> int:
    """A table of mean rating per level for each track with complete employees, a line chart beside it."""
    ws.write_string(
        row, 0, "Mean rating per level — one line per competency: a flat stretch is the finding", styles.heading
    )
    row += 1
    drawn = False
    scale_min = min((fw.scale.min for fw in ctx.by_family.values()), default=1)
    for family in ctx.families:
        fw = ctx.framework(family)
        if fw is None:
            continue
        for track in fw.tracks:
            means = level_means(ctx.employees, fw, track.id)
            if not means:
                continue
            drawn = True
            levels = [level.id for level in track.levels]
            label = _track_label(ctx, family, track.id)
            ws.write_string(row, 0, label, styles.bold)
            header = row + 1
            ws.write_string(header, 0, "Competency", styles.header)
            for offset, level in enumerate(levels, start=1):
                ws.write_string(header, offset, level, styles.header)
            first = header + 1
            competencies = [c for c in fw.competencies_for(track.id) if c.id in means]
            for r, competency in enumerate(competencies, start=first):
                ws.write_string(r, 0, competency.name, styles.text)
                for offset, level in enumerate(levels, start=1):
                    write_value(ws, r, offset, _round2(means[competency.id].get(level)), styles.decimal)
            last = first + len(competencies) - 1
            chart = workbook.add_chart({"type": "line"})
            assert chart is not None
            for index in range(min(len(competencies), CHART_COMPETENCIES)):
                name = [LEVEL_FIT_SHEET, first + index, 0]
                chart.add_series(line_series(index, name, LEVEL_FIT_SHEET, header, first + index, 1, len(levels)))
            chart.set_title({"name": f"Mean rating per level — {label}"})
            chart.set_x_axis({"name": "Level"})
            chart.set_y_axis({"name": "Mean rating", "min": scale_min, "max": fw.scale.max, "major_unit": 1})
            chart.set_legend({"position": "right"})
            column = max(len(levels) + 2, 5)
            ws.insert_chart(row, column, chart, {"x_scale": 1.25, "y_scale": 1.05})
            if len(competencies) > CHART_COMPETENCIES:
                ws.write_string(
                    last + 1,
                    0,
                    f"The chart draws the first {CHART_COMPETENCIES} of {len(competencies)} competencies.",
                    styles.note,
                )
            row = max(last + 2, row + CHART_ROWS) + 1
    if not drawn:
        ws.write_string(row, 0, "No complete employee yet: no mean rating to show", styles.text)
        row += 1
    return row


def _round2(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _pairs_table(ws: Worksheet, styles: Styles, ctx: ReportContext, row: int) -> int:
    ws.write_string(row, 0, "Each step up a track, competency by competency", styles.heading)
    header = row + 1
    for col, text in enumerate(PAIR_HEADERS):
        ws.write_string(header, col, text, styles.header)
    fit_row(ws, header, zip(PAIR_HEADERS, WIDTHS, strict=True), bold=True)
    plain = [styles.text, styles.text, styles.text, styles.integer, styles.integer, styles.integer, styles.integer]
    plain += [styles.decimal, styles.decimal, styles.signed_decimal, styles.text]
    lit = [_lit(styles, fmt) for fmt in plain]
    pairs = sorted(ctx.analysis.level_fit, key=lambda p: ctx.level_key(p.family, p.lower))
    r = header
    track: tuple[str, str] | None = None
    for pair in pairs:
        if (pair.family, pair.track) != track:
            track = (pair.family, pair.track)
            r += 1
            ws.write_string(r, 0, _track_label(ctx, pair.family, pair.track), styles.bold)
        for values, flagged in _pair_rows(ctx, pair):
            r += 1
            formats = lit if flagged else plain
            for col, value in enumerate(values):
                write_value(ws, r, col, value, formats[col])
            fit_row(ws, r, [(values[FINDING], WIDTHS[FINDING])])
    if not pairs:
        r += 1
        ws.write_string(r, 0, "No track with two levels", styles.text)
    return r


def _lit(styles: Styles, fmt: Format) -> Format:
    """The format with the flagged rows' fill (and bold), keeping its number format."""
    number = fmt.num_format if isinstance(fmt.num_format, str) and fmt.num_format else None
    extra: dict[str, Any] = {"num_format": number} if number else {}
    if fmt is styles.signed_decimal:
        extra["align"] = "center"
    return styles.get(bg_color=FLAT_FILL, bold=True, **extra)


def _pair_rows(ctx: ReportContext, pair: LevelFitPair) -> list[tuple[list[Any], bool]]:
    fw = ctx.framework(pair.family)
    lower = fw.level_by_id.get(pair.lower) if fw else None
    upper = fw.level_by_id.get(pair.upper) if fw else None
    counts = [pair.employees_lower, pair.employees_upper]
    few = min(counts) < FLAT_MIN_EMPLOYEES
    if not pair.competencies:
        empty = "No complete employee at one of the two levels"
        return [([None, pair.lower, pair.upper, *counts, None, None, None, None, None, empty], False)]
    rows: list[tuple[list[Any], bool]] = []
    for c in pair.competencies:
        finding = FLAT_WORDS if c.flagged else TOO_FEW_WORDS if few else None
        values: list[Any] = [
            ctx.competency_name(pair.family, c.competency),
            pair.lower,
            pair.upper,
            *counts,
            lower.expected.get(c.competency) if lower else None,
            upper.expected.get(c.competency) if upper else None,
            _round2(c.mean_lower),
            _round2(c.mean_upper),
            _round2(c.difference),
            finding,
        ]
        rows.append((values, c.flagged))
    return rows


def _people_table(
    ws: Worksheet,
    styles: Styles,
    ctx: ReportContext,
    row: int,
    title: str,
    people: Sequence[EmployeeResult],
    empty: str = "Nobody",
) -> int:
    ws.write_string(row, 0, title, styles.heading)
    header = row + 1
    headers = [*PEOPLE_HEADERS, *[""] * (FINDING - len(PEOPLE_HEADERS)), BELOW_HEADER]
    for col, text in enumerate(headers):
        ws.write_string(header, col, text, styles.header)
    fit_row(ws, header, zip(headers, WIDTHS, strict=True), bold=True)
    ordered = sorted(people, key=lambda e: (ctx.level_key(e.family, e.level), e.name.casefold(), e.employee_id))
    if not ordered:
        ws.write_string(header + 1, 0, empty, styles.text)
        return header + 1
    names = {(f, c.id): c.name for f, fw in ctx.by_family.items() for c in fw.competencies}
    one_line = int(WIDTHS[FINDING] * CHARS_PER_WIDTH)
    # Thousands of rows at 10,000 employees: written straight, text as text (write_string never makes a formula).
    for r, e in enumerate(ordered, start=header + 1):
        ws.write_string(r, 0, e.name, styles.text)
        ws.write_string(r, 1, e.employee_id, styles.text)
        ws.write_string(r, 2, e.level, styles.text)
        ws.write_string(r, 3, e.profile_level or "none", styles.text)  # none: not even the first level's
        # The manager's name runs on over the empty columns up to the competencies.
        ws.write_string(r, 4, manager_label(e.manager_id, e.manager_name), styles.text)
        if e.current_level_gaps:
            below = ", ".join(names.get((e.family, c), c) for c in e.current_level_gaps)
            ws.write_string(r, FINDING, below, styles.wrap)
            if len(below) > one_line:
                fit_row(ws, r, [(below, WIDTHS[FINDING])])
    return header + len(ordered)
