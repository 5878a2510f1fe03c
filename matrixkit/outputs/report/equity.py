"""The report's Equity sheet (only with `analyze --equity COLUMN`): per roster column, each group's share
meeting the next level's bar, against the highest share (the four-fifths rule), and one test with the level
held fixed. Groups under 5 people are withheld: their row says so and shows no figure.
"""

from __future__ import annotations

from xlsxwriter.workbook import Workbook

from matrixkit.assess.equity import FOUR_FIFTHS, NOT_GIVEN, SUPPRESS_BELOW
from matrixkit.assess.results import EquityColumn
from matrixkit.outputs.report.context import ReportContext
from matrixkit.outputs.report.styles import Styles
from matrixkit.outputs.report.tables import Cell, fit_row, intro, print_setup, write_value

EQUITY_SHEET = "Equity"
ADVERSE_WORDS = "Adverse impact: under four fifths of the highest share"
ADVERSE_FILL = "#FFE699"
WITHHELD = f"Withheld: fewer than {SUPPRESS_BELOW} people"
HEADERS = (
    ("Group", 26),
    ("People", 12),
    ("Share meeting the next level's rating criteria", 22),
    ("Mean gap against their level's profile", 20),
    ("Share against the highest group's", 20),
    ("Finding", 52),
)


def p_value_words(column: EquityColumn) -> str:
    """The test's result in a sentence.

    >>> p_value_words(EquityColumn("gender", None, []))
    'No test: fewer than two groups of 5 or more, or no level where the groups can be compared.'
    >>> p_value_words(EquityColumn("gender", 0.0123, [], "Fisher's exact test"))[:60]
    "p = 0.012 (Fisher's exact test): a difference this large wou"
    """
    if column.p_value is None:
        return "No test: fewer than two groups of 5 or more, or no level where the groups can be compared."
    p = f"{column.p_value:.3f}" if column.p_value >= 0.001 else "< 0.001"
    p = p if p.startswith("<") else f"= {p}"
    if column.p_value < 0.05:
        verdict = "a difference this large would rarely arise by chance alone"
    else:
        verdict = "a difference like this could well arise by chance"
    return f"p {p} ({column.test}): {verdict}, with each level compared only with itself."


def write_equity(workbook: Workbook, styles: Styles, ctx: ReportContext) -> None:
    columns = ctx.analysis.equity or []
    ws = workbook.add_worksheet(EQUITY_SHEET)
    intro(
        ws,
        styles,
        "Equity — does meeting the bar for the next level depend on the group?",
        "Over complete employees not at the top of their track. Meeting the bar: every rating criterion for the "
        "next level met (Ready or On track).",
    )
    notes = (
        f"A share under four fifths of the highest shown group's is flagged. Groups of fewer than {SUPPRESS_BELOW} "
        f'are withheld and left out of the comparison; an empty cell in the roster is the group "{NOT_GIVEN}".',
        "A difference is a question to ask, not a verdict: small groups make every figure uncertain.",
    )
    for offset, note in enumerate(notes, start=2):
        ws.write_string(offset, 0, note, styles.note)
    for col, (_, width) in enumerate(HEADERS):
        ws.set_column(col, col, width)
    flagged = styles.get(bg_color=ADVERSE_FILL, bold=True)
    row = 5
    for column in columns:
        ws.write_string(row, 0, f"By {column.column}", styles.heading)
        ws.write_string(row + 1, 0, p_value_words(column), styles.note)
        header = row + 2
        for col, (text, _) in enumerate(HEADERS):
            ws.write_string(header, col, text, styles.header)
        fit_row(ws, header, HEADERS, bold=True)
        r = header
        for r, group in enumerate(column.groups, start=header + 1):
            if group.suppressed:
                values: list[object] = [group.group, None, None, None, None, WITHHELD]
            else:
                adverse = group.flag == "adverse_impact"
                values = [
                    group.group,
                    group.employees,
                    group.meeting_share,
                    None if group.mean_gap is None else round(group.mean_gap, 2),
                    group.impact_ratio,
                    Cell(ADVERSE_WORDS, flagged) if adverse else None,
                ]
            formats = [styles.text, styles.integer, styles.percent, styles.signed_decimal, styles.percent, styles.text]
            for col, value in enumerate(values):
                write_value(ws, r, col, value, formats[col])
        if not column.groups:
            r = header + 1
            ws.write_string(r, 0, "Nobody to compare: no complete employee below the top of a track", styles.text)
        row = r + 3
    ws.write_string(
        row,
        0,
        f"Four fifths: a share under {FOUR_FIFTHS:.0%} of the highest shown group's. The p-value: how often chance "
        "alone would give differences at least this large, each level compared only with itself.",
        styles.note,
    )
    print_setup(ws, width=sum(width for _, width in HEADERS))
