"""The report's sheets about each person: Readiness, Gaps, Self-assessment and Development plans."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook

from matrixkit.assess.analytics import gap_cells
from matrixkit.assess.readiness import what_stands_between
from matrixkit.assess.results import STATUS_WORDS
from matrixkit.model.cycles import parse_cycle
from matrixkit.outputs.report.context import ReportContext
from matrixkit.outputs.report.styles import Styles, gap_scale
from matrixkit.outputs.report.tables import (
    HEADER_ROW,
    HEAT_WIDTH,
    Cell,
    Column,
    criteria_cells,
    criteria_columns,
    criteria_keys,
    finish_blocks,
    intro,
    manager_label,
    rotated_height,
    write_row,
    write_table,
)

SELF_ASSESSMENT_SHEET = "Self-assessment"
STILL_NEEDED_HEADER = "Still needed for the next level"


def write_readiness(workbook: Workbook, styles: Styles, ctx: ReportContext) -> None:
    ws = ctx.bulk(workbook.add_worksheet("Readiness"))
    intro(
        ws,
        styles,
        "Readiness — one row per employee, every promotion criterion with its result and reason",
        "Status: the first that applies of Conflict, Incomplete, Top of track, Not ready, On track, Ready. "
        "Average is shown to 2 decimals; the criteria use the exact mean.",
    )
    keys = criteria_keys(e.criteria for e in ctx.employees)
    columns = [
        # What a reader needs first, on the first printed page: who, where, and what stands in the way.
        Column("Employee ID", 12),
        Column("Name", 24),
        Column("Level", 9),
        Column("Next level", 9),
        Column("Status", 13),
        Column(STILL_NEEDED_HEADER, 44, "wrap"),
        Column("Average", 9, "decimal"),
        Column("Lowest", 8, "integer"),
        Column("Gaps to next level", 10, "integer"),
        Column("Below the next level in", 32, "wrap"),
        Column("Manager", 24),
        Column("Family", 16),
        Column("Track", 20),
        *criteria_columns(keys),
        Column("Source file", 28, "wrap"),
        Column("Sheet", 14),
        Column("Row", 6, "integer"),
    ]
    cycle = ctx.analysis.cycle
    cycle_end = parse_cycle(cycle).end if cycle else None  # as of which months in level count

    def rows() -> Iterator[list[Any]]:
        for e in ctx.employees:
            fw = ctx.framework(e.family)
            between = what_stands_between(fw, e, cycle_end) if fw is not None and e.level in fw.level_by_id else None
            shows_gaps = e.average is not None and e.next_level is not None
            gap_names = [ctx.competency_name(e.family, c) for c in e.next_level_gaps]
            yield [
                e.employee_id,
                e.name,
                e.level,
                e.next_level,
                Cell(STATUS_WORDS[e.status], styles.status(e.status)),
                between,
                None if e.average is None else round(e.average, 2),
                e.lowest,
                len(e.next_level_gaps) if shows_gaps else None,
                ", ".join(gap_names) if shows_gaps and gap_names else None,
                manager_label(e.manager_id, e.manager_name),
                ctx.family_name(e.family),
                ctx.track_name(e.family, e.track),
                *criteria_cells(styles, keys, e.criteria, ctx.reason_words(e.family)),
                e.source.file if e.source else None,
                e.source.sheet if e.source else None,
                e.source.row if e.source else None,
            ]

    write_table(ws, styles, columns, rows(), freeze_cols=2)


def write_gaps(workbook: Workbook, styles: Styles, ctx: ReportContext) -> None:
    ws = ctx.bulk(workbook.add_worksheet("Gaps"))
    intro(
        ws,
        styles,
        "Gaps — rating minus expected proficiency (negative: below what the level expects)",
        "Left block: against the next level's expected (the current level's at the top of a track, or where "
        "the next level expects nothing). Right block: against the current level's expected. "
        "Grey: the competency does not apply to the employee's track.",
    )
    ws.set_column(0, 0, 12)
    ws.set_column(1, 1, 24)
    ws.set_column(2, 3, 9)
    row = HEADER_ROW
    families = [f for f in ctx.families if ctx.framework(f) is not None]
    blocks = 0
    width = 0
    for family in families:
        fw = ctx.framework(family)
        assert fw is not None
        employees = [e for e in ctx.employees if e.family == family and e.level in fw.level_by_id]
        if not employees:
            continue
        blocks += 1
        competencies = list(fw.competencies)
        n = len(competencies)
        next_first, current_first = 4, 5 + n
        ws.write_string(row, 0, fw.family.name, styles.heading)
        ws.write_string(row, next_first, "Against the next level", styles.bold)
        ws.write_string(row, current_first, "Against the current level", styles.bold)
        header = row + 1
        for col, text in enumerate(("Employee ID", "Name", "Level", "Next level")):
            ws.write_string(header, col, text, styles.header)
        for offset, competency in enumerate(competencies):
            ws.write_string(header, next_first + offset, competency.name, styles.header_rotated)
            ws.write_string(header, current_first + offset, competency.name, styles.header_rotated)
        ws.set_column(next_first, next_first + n - 1, HEAT_WIDTH)
        ws.set_column(current_first - 1, current_first - 1, 2)
        ws.set_column(current_first, current_first + n - 1, HEAT_WIDTH)
        ws.set_row(header, rotated_height(c.name for c in competencies))
        width = max(width, 4 + 12 + 24 + 9 + 9 + 2 + 2 * n * HEAT_WIDTH)
        first = header + 1
        for row, e in enumerate(employees, start=first):
            against_next: list[tuple[Any, Format | None]] = []
            against_current: list[tuple[Any, Format | None]] = []
            for cell in gap_cells(fw, e):
                if cell is None:  # grey: the competency does not apply to this track
                    against_next.append((None, styles.not_applicable))
                    against_current.append((None, styles.not_applicable))
                    continue
                against_next.append(_gap(cell.against_next, styles))
                against_current.append(_gap(cell.against_current, styles))
            names = [(e.employee_id, styles.text), (e.name, styles.text), (e.level, styles.text)]
            write_row(ws, row, [*names, (e.next_level, styles.text), *against_next, (None, None), *against_current])
        last = first + len(employees) - 1
        ws.conditional_format(first, next_first, last, next_first + n - 1, gap_scale(2))
        ws.conditional_format(first, current_first, last, current_first + n - 1, gap_scale(2))
        row = last + 2
    finish_blocks(ws, styles, blocks=blocks, width=width, freeze_cols=2)


def _gap(difference: int | None, styles: Styles) -> tuple[Any, Format | None]:
    """A heat-map cell: the signed difference, or no cell at all where there is no rating to compare."""
    return (None, None) if difference is None else (difference, styles.signed)


def write_self_assessment(workbook: Workbook, styles: Styles, ctx: ReportContext) -> None:
    ws = ctx.bulk(workbook.add_worksheet(SELF_ASSESSMENT_SHEET))
    intro(
        ws,
        styles,
        "Self-assessment — each person's own rating beside their manager's",
        "Shown side by side and never averaged: the manager's rating is the one every other sheet uses. "
        "Disagreement: the two differ by 2 points or more — worth a conversation.",
    )
    columns = [
        Column("Employee ID", 12),
        Column("Name", 24),
        Column("Competency", 26),
        Column("Self", 8, "integer"),
        Column("Manager", 9, "integer"),
        Column("Self − manager", 10, "signed"),
        Column("Disagreement", 13),
    ]
    families = {e.employee_id: e.family for e in ctx.analysis.employees}
    rows = [
        [
            c.employee_id,
            c.name,
            ctx.competency_name(families.get(c.employee_id, ""), c.competency),
            c.self_rating,
            c.manager_rating,
            c.difference,
            "Yes" if c.disagreement else "",
        ]
        for c in ctx.analysis.self_assessment
    ]
    last = write_table(ws, styles, columns, rows, freeze_cols=2, empty="No self-assessment was read")
    if rows:
        ws.conditional_format(HEADER_ROW + 1, 5, last, 5, gap_scale(2))


def write_development_plans(workbook: Workbook, styles: Styles, ctx: ReportContext) -> None:
    ws = ctx.bulk(workbook.add_worksheet("Development plans"))
    intro(
        ws,
        styles,
        "Development plans — the competencies to grow next, largest gap first",
        "For each employee, first every competency rated below what their own level expects, with that "
        "level's text; then those below the next level, with the next level's. Filter on your Employee ID "
        "to read your own plan.",
    )
    columns = [
        Column("Employee ID", 12),
        Column("Name", 22),
        Column("Competency", 24, "wrap"),
        Column("Current rating", 9, "integer"),
        Column("Target level", 30, "wrap"),
        Column("Expected", 9, "integer"),
        Column("Gap", 7, "signed"),
        Column("What the target level looks like", 90, "wrap"),
    ]

    def family(employee_id: str) -> str:
        return ctx.family_by_id.get(employee_id, "")

    items = sorted(
        ctx.analysis.development,
        key=lambda d: (
            d.employee_id,
            not d.below_current,
            d.rating - d.expected,
            ctx.competency_index(family(d.employee_id), d.competency),
            d.competency,
            d.target_level,
        ),
    )
    # A top rule where a new employee's plan starts keeps the plans apart in print.
    plain, wrapped, whole, signed = (
        {ruled: styles.get(**props, **({"top": 2} if ruled else {})) for ruled in (False, True)}
        for props in ({}, {"text_wrap": True}, {"num_format": "0"}, {"num_format": "+0;-0;0", "align": "center"})
    )

    def rows() -> Iterator[list[Any]]:
        previous: str | None = None
        for d in items:
            ruled = previous is not None and d.employee_id != previous
            previous = d.employee_id
            fam = family(d.employee_id)
            yield [
                Cell(d.employee_id, plain[ruled]),
                Cell(ctx.names.get(d.employee_id), plain[ruled]),
                Cell(ctx.competency_name(fam, d.competency), wrapped[ruled]),
                Cell(d.rating, whole[ruled]),
                Cell(ctx.level_label(fam, d.target_level), wrapped[ruled]),
                Cell(d.expected, whole[ruled]),
                Cell(d.rating - d.expected, signed[ruled]),
                Cell(d.description, wrapped[ruled]),
            ]

    write_table(ws, styles, columns, rows(), freeze_cols=2, empty="Nobody has a competency to grow")
