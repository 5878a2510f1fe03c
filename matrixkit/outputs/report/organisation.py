"""The report's sheets about the organisation: Summary, Team gaps, Calibration, Criteria check,
Management track and Lateral paths.
"""

from __future__ import annotations

from typing import Any

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from matrixkit.assess.analytics import (
    complete_employees,
    current_level_gap_counts,
    employees_by_status,
    next_level_gap_counts,
    status_by_level,
    team_gaps,
)
from matrixkit.assess.results import STATUS_WORDS, STATUSES
from matrixkit.outputs.report.context import ReportContext
from matrixkit.outputs.report.styles import GAP_BAR_COLOUR, NEXT_GAP_BAR_COLOUR, STATUS_CHART_COLOURS, Styles, gap_scale
from matrixkit.outputs.report.tables import (
    HEADER_ROW,
    HEAT_WIDTH,
    Cell,
    Column,
    criteria_cells,
    criteria_columns,
    criteria_keys,
    finish_blocks,
    fit_row,
    intro,
    manager_label,
    print_setup,
    rotated_height,
    write_table,
    write_value,
)

TOP_GAPS = 10


def write_summary(workbook: Workbook, styles: Styles, ctx: ReportContext) -> None:
    a = ctx.analysis
    ws = workbook.add_worksheet("Summary")
    print_setup(ws, one_page=True)
    ws.set_column(0, 0, 34)
    ws.set_column(1, 7, 11)
    ws.set_column(8, 8, 3)
    title = f"matrixkit report — cycle {a.cycle}" if a.cycle else "matrixkit report"
    ws.write_string(0, 0, title, styles.title)

    errors = sum(1 for p in a.problems if p.severity == "error")
    warnings = len(a.problems) - errors
    facts: list[tuple[str, Any]] = [
        ("Cycle", a.cycle or "(none given)"),
        ("Employees", len({e.employee_id for e in a.employees})),
        ("Files read", a.files_read),
        ("Problems: errors", errors),
        ("Problems: warnings", warnings),
        ("Missing (in the roster, in no workbook)", len(a.missing)),
    ]
    if a.missing:
        facts.append(("Missing employee IDs", ", ".join(sorted(a.missing))))
    facts.extend(_worth_a_look(ctx))
    row = 2
    for label, value in facts:
        ws.write_string(row, 0, label, styles.bold)
        write_value(ws, row, 1, value, styles.text)
        row += 1

    row += 1
    ws.write_string(row, 0, "Status", styles.header)
    ws.write_string(row, 1, "Employees", styles.header)
    by_status = employees_by_status(a.employees)
    for status in STATUSES:
        row += 1
        ws.write_string(row, 0, STATUS_WORDS[status], styles.status(status))
        ws.write_number(row, 1, len(by_status[status]), styles.integer)
    if a.ready_out_of_reach:
        row += 2
        ws.write_string(row, 0, "Why nobody can be Ready in this run", styles.heading)
        width = 34 + 7 * 11  # the merged columns A:H
        for reason in a.ready_out_of_reach:
            row += 1
            ws.merge_range(row, 0, row, 7, reason, styles.wrap)
            fit_row(ws, row, [(reason, width)])

    # Status by level: one row per level that has employees, in framework order.
    row += 2
    ws.write_string(row, 0, "Status by level", styles.heading)
    header = row + 1
    ws.write_string(header, 0, "Family / level", styles.header)
    for offset, status in enumerate(STATUSES, start=1):
        ws.write_string(header, offset, STATUS_WORDS[status], styles.header)
    ws.write_string(header, len(STATUSES) + 1, "Total", styles.header)
    per_level = status_by_level(a.employees)
    levels = sorted(per_level, key=lambda key: ctx.level_key(*key))
    first = header + 1
    if not levels:
        ws.write_string(first, 0, "Nobody was rated", styles.text)
        row = first
    for row, (family, level) in enumerate(levels, start=first):
        ws.write_string(row, 0, f"{ctx.family_name(family)} / {level}", styles.text)
        counts = per_level[(family, level)]
        for offset, status in enumerate(STATUSES, start=1):
            ws.write_number(row, offset, len(counts.get(status, ())), styles.integer)
        total = len(set().union(*counts.values()))
        ws.write_number(row, len(STATUSES) + 1, total, styles.integer)
    if levels:
        tallest = max(len(set().union(*per_level[key].values())) for key in levels)
        _status_chart(workbook, ws, header, first, row, tallest)

    # Top competency gaps: employees below their current level first (below the next level is nearly
    # everyone, by definition), then below the next level, per competency.
    row += 2
    ws.write_string(row, 0, "Top competency gaps", styles.heading)
    gaps_header = row + 1
    headers = ("Competency", BELOW_CURRENT, BELOW_NEXT)
    for col, text in enumerate(headers):
        ws.write_string(gaps_header, col, text, styles.header)
    fit_row(ws, gaps_header, [(BELOW_CURRENT, 11), (BELOW_NEXT, 11)], bold=True)
    top = _top_gaps(ctx)
    first = gaps_header + 1
    if not top:
        ws.write_string(first, 0, "Nobody is rated below a level's profile", styles.text)
    for row, (label, current, upcoming) in enumerate(top, start=first):
        ws.write_string(row, 0, label, styles.text)
        ws.write_number(row, 1, current, styles.integer)
        ws.write_number(row, 2, upcoming, styles.integer)
    if top:
        largest = max(max(current, upcoming) for _label, current, upcoming in top)
        _gaps_chart(workbook, ws, gaps_header, first, first + len(top) - 1, largest)


def _worth_a_look(ctx: ReportContext) -> list[tuple[str, str]]:
    """A line pointing at the Level fit and Equity sheets when they flag something (none otherwise)."""
    a = ctx.analysis
    lines: list[tuple[str, str]] = []
    flat = sum(c.flagged for pair in a.level_fit for c in pair.competencies)
    if flat:
        steps = "1 step up a track where a competency" if flat == 1 else f"{flat} steps up a track where a competency"
        lines.append(("Level fit", f"{steps} barely rises: see the Level fit sheet"))
    adverse = [c.column for c in a.equity or [] if any(g.flag == "adverse_impact" for g in c.groups)]
    if adverse:
        lines.append(("Equity", f"adverse impact flagged by {', '.join(adverse)}: see the Equity sheet"))
    return lines


BELOW_CURRENT = "Employees below their current level"
BELOW_NEXT = "Employees below the next level"


def _top_gaps(ctx: ReportContext) -> list[tuple[str, int, int]]:
    """(label, below their current level, below the next level), most below their current level first."""
    current = current_level_gap_counts(ctx.analysis.employees)
    upcoming = next_level_gap_counts(ctx.analysis.employees)
    several = len({family for family, _ in (*current, *upcoming)}) > 1

    def label(family: str, competency: str) -> str:
        name = ctx.competency_name(family, competency)
        return f"{ctx.family_name(family)}: {name}" if several else name

    keys = {key for key in (*current, *upcoming) if current[key] or upcoming[key]}
    ranked = sorted(keys, key=lambda key: (-current[key], -upcoming[key], label(*key)))
    return [(label(*key), current[key], upcoming[key]) for key in ranked[:TOP_GAPS]]


def _axis_step(largest: int) -> int:
    """Whole-number gridlines, about eight of them at most: these are counts of people."""
    return max(1, -(-largest // 8))


def _summary_series(header: int, first: int, last: int, col: int, colour: str, *, gap: int) -> dict[str, Any]:
    """One series of a Summary table's chart: named by its header cell, a category per row of column A."""
    return {
        "name": ["Summary", header, col],
        "categories": ["Summary", first, 0, last, 0],
        "values": ["Summary", first, col, last, col],
        "fill": {"color": colour},
        "border": {"color": colour},
        "gap": gap,
    }


def _status_chart(workbook: Workbook, ws: Worksheet, header: int, first: int, last: int, tallest: int) -> None:
    chart = workbook.add_chart({"type": "column", "subtype": "stacked"})
    for offset, status in enumerate(STATUSES, start=1):
        chart.add_series(_summary_series(header, first, last, offset, STATUS_CHART_COLOURS[status], gap=60))
    chart.set_title({"name": "Status by level"})
    chart.set_y_axis({"name": "Employees", "min": 0, "major_unit": _axis_step(tallest)})
    chart.set_legend({"position": "bottom"})
    ws.insert_chart(2, 9, chart, {"x_scale": 1.3, "y_scale": 1.1})


def _gaps_chart(workbook: Workbook, ws: Worksheet, header: int, first: int, last: int, largest: int) -> None:
    chart = workbook.add_chart({"type": "bar"})
    for col, colour in ((1, GAP_BAR_COLOUR), (2, NEXT_GAP_BAR_COLOUR)):
        chart.add_series(_summary_series(header, first, last, col, colour, gap=50))
    chart.set_title({"name": "Top competency gaps"})
    # In a bar chart y is the category axis: reversed, the largest gap is on top; every competency named
    # (LibreOffice otherwise drops every other label where they would crowd).
    chart.set_y_axis({"reverse": True, "interval_unit": 1, "num_font": {"size": 9}})
    chart.set_x_axis({"name": "Employees", "min": 0, "major_unit": _axis_step(largest)})
    chart.set_legend({"position": "bottom"})
    ws.insert_chart(20, 9, chart, {"x_scale": 1.3, "y_scale": 1.45})  # room for ten named bars


def write_team_gaps(workbook: Workbook, styles: Styles, ctx: ReportContext) -> None:
    ws = ctx.bulk(workbook.add_worksheet("Team gaps"))
    intro(
        ws,
        styles,
        "Team gaps — per manager, mean of (rating − expected at each employee's current level)",
        "Over complete employees only (every rating valid, not in conflict). Negative: the team is below its "
        "role profiles in that competency. Rated: how many complete employees the mean is over.",
    )
    ws.set_column(0, 0, 30)
    ws.set_column(1, 1, 8)
    row = HEADER_ROW
    blocks = 0
    width = 0
    for family in ctx.families:
        fw = ctx.framework(family)
        if fw is None:
            continue
        complete = complete_employees(ctx.employees, fw)
        if not complete:
            continue
        blocks += 1
        teams, organisation = team_gaps(fw, complete)
        competencies = list(fw.competencies)
        ws.write_string(row, 0, fw.family.name, styles.heading)
        header = row + 1
        ws.write_string(header, 0, "Manager", styles.header)
        ws.write_string(header, 1, "Rated", styles.header)
        for offset, competency in enumerate(competencies, start=2):
            ws.write_string(header, offset, competency.name, styles.header_rotated)
        ws.set_column(2, 1 + len(competencies), HEAT_WIDTH + 1)
        ws.set_row(header, rotated_height(c.name for c in competencies))
        width = max(width, 30 + 8 + len(competencies) * (HEAT_WIDTH + 1))
        first = header + 1
        groups = [(manager_label(t.manager_id, t.manager_name), t, styles.text) for t in teams]
        groups.append(("Organisation", organisation, styles.bold))
        for row, (label, team, label_fmt) in enumerate(groups, start=first):
            ws.write_string(row, 0, label, label_fmt)
            ws.write_number(row, 1, team.rated, styles.integer)
            for offset, competency in enumerate(competencies, start=2):
                mean = team.means.get(competency.id)
                if mean is not None:
                    ws.write_number(row, offset, mean, styles.signed_decimal)
        last_team = first + len(groups) - 2
        ws.conditional_format(first, 2, last_team, 1 + len(competencies), gap_scale(1))
        row = first + len(groups) + 1
    finish_blocks(ws, styles, blocks=blocks, width=width, freeze_cols=1)


def write_calibration(workbook: Workbook, styles: Styles, ctx: ReportContext) -> None:
    a = ctx.analysis
    ws = ctx.bulk(workbook.add_worksheet("Calibration"))
    org = "unknown (no complete employees)" if a.org_gap is None else f"{a.org_gap:+.2f}"
    intro(
        ws,
        styles,
        "Calibration — how each manager rates, against the role profiles and the organisation",
        "Flag: lenient when the deviation from the org is +0.5 or more, severe when it is −0.5 or less, only "
        f"for managers with at least 3 rated employees. Organisation's mean gap against the role profile: {org}.",
    )
    share_header = "Share of 4–5" if ctx.scale_max == {5} else "Share of the top two ratings"
    columns = [
        Column("Manager", 30),
        Column("Rated", 8, "integer"),
        Column("Mean", 9, "decimal"),
        Column(share_header, 11, "percent"),
        Column("Mean gap vs role profile", 12, "signed_decimal"),
        Column("Deviation from org", 12, "signed_decimal"),
        Column("Flag", 11),
    ]
    rows = [
        [
            manager_label(c.manager_id, c.manager_name),
            c.rated,
            c.mean,
            c.share_high,
            c.gap,
            c.deviation,
            Cell(c.flag, styles.flag(c.flag)),
        ]
        for c in sorted(a.calibration, key=lambda c: c.manager_id)
    ]
    write_table(ws, styles, columns, rows, freeze_cols=1, empty="No manager has a complete employee to compare")


def write_criteria_check(workbook: Workbook, styles: Styles, ctx: ReportContext) -> None:
    ws = ctx.bulk(workbook.add_worksheet("Criteria check"))
    intro(
        ws,
        styles,
        "Criteria check — per level, the complete employees who already meet the next level's rating criteria",
        "Flag: aspirational when under 5% meet them (out of reach for almost everyone), too easy when over 60% "
        "do; a level needs 3 complete employees for a flag.",
    )
    columns = [
        Column("Family", 18),
        Column("Level", 10),
        Column("Next level", 10),
        Column("Complete employees", 11, "integer"),
        Column("Meeting the next level's rating criteria", 14, "integer"),
        Column("Share", 9, "percent"),
        Column("Flag", 13),
    ]
    checks = sorted(ctx.analysis.level_checks, key=lambda c: (ctx.level_key(c.family, c.level), c.next_level))
    rows = [
        [
            ctx.family_name(c.family),
            c.level,
            c.next_level,
            c.complete,
            c.meeting,
            c.share,
            Cell(c.flag, styles.flag(c.flag)),
        ]
        for c in checks
    ]
    write_table(ws, styles, columns, rows, freeze_cols=2, empty="No level has complete employees to check")


def write_management_track(workbook: Workbook, styles: Styles, ctx: ReportContext) -> None:
    ws = ctx.bulk(workbook.add_worksheet("Management track"))
    intro(
        ws,
        styles,
        "Management track — crossover candidates",
        "Employees at or above the level from which another track may be entered who meet its entry "
        "criteria, with every criterion's result and reason.",
    )
    candidates = sorted(ctx.analysis.crossover, key=lambda c: (c.employee_id, c.to_track, c.to_level))
    keys = criteria_keys(c.criteria for c in candidates)
    columns = [
        Column("Employee ID", 12),
        Column("Name", 24),
        Column("Family", 16),
        Column("Level", 9),
        Column("To track", 22),
        Column("To level", 9),
        *criteria_columns(keys),
    ]
    rows = [
        [
            c.employee_id,
            c.name,
            ctx.family_name(c.family),
            c.level,
            ctx.track_name(c.family, c.to_track),
            c.to_level,
            *criteria_cells(styles, keys, c.criteria, ctx.reason_words(c.family)),
        ]
        for c in candidates
    ]
    write_table(ws, styles, columns, rows, freeze_cols=2, empty="Nobody meets the entry criteria of another track")


def write_lateral_paths(workbook: Workbook, styles: Styles, ctx: ReportContext) -> None:
    ws = ctx.bulk(workbook.add_worksheet("Lateral paths"))
    intro(
        ws,
        styles,
        "Lateral paths — transferable competencies against another family's level",
        "Gap: rating minus the target level's expected (negative: below it).",
    )
    columns = [
        Column("Employee ID", 12),
        Column("Name", 24),
        Column("Level", 9),
        Column("Target (family:level)", 22),
        Column("Competency", 26),
        Column("Rating", 8, "integer"),
        Column("Target expected", 10, "integer"),
        Column("Gap", 8, "signed"),
    ]
    items = sorted(
        ctx.analysis.lateral,
        key=lambda g: (g.employee_id, g.to, g.gap is None, g.gap or 0, ctx.competency_index(g.family, g.competency)),
    )
    rows = [
        [
            g.employee_id,
            g.name,
            g.level,
            g.to,
            ctx.competency_name(g.family, g.competency),
            g.rating,
            g.expected,
            g.gap,
        ]
        for g in items
    ]
    last = write_table(ws, styles, columns, rows, freeze_cols=2, empty="Nobody is at a level with a lateral path")
    if rows:
        ws.conditional_format(HEADER_ROW + 1, 7, last, 7, gap_scale(2))
