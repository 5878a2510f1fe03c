"""The report workbook of `matrixkit analyze`: an `Analysis` turned into sheets people read.

HR reads Summary, Readiness, Calibration and Criteria check; managers read Team gaps; each employee
reads their rows of Development plans; with a history store, Trends follows everyone over the cycles.
Everything is computed from the `Analysis` and the frameworks, never from formulas: the file holds values
and text only, so it reads the same in every program.

The sheets are written by `organisation` (Summary, Team gaps, Calibration, Criteria check, Management
track, Lateral paths), `people` (Readiness, Gaps, Self-assessment, Development plans), `levelfit`, `equity`
(only with `--equity`), `trends` and `problems`, over what they share in `tables`, `context` and `styles`;
the figures the JSON does not carry are computed in `matrixkit.assess.analytics` and `matrixkit.assess.levelfit`.

>>> import tempfile
>>> from pathlib import Path
>>> from matrixkit import load_frameworks, read_roster
>>> from matrixkit.outputs.generate import generate_workbooks
>>> from matrixkit.run import analyze_workbooks
>>> frameworks = load_frameworks(["templates/startup.yaml"])
>>> roster = read_roster("templates/rosters/startup.csv", frameworks)
>>> folder = Path(tempfile.mkdtemp())
>>> analysis = analyze_workbooks(generate_workbooks(frameworks, roster, "2026-Q4", folder), frameworks, roster=roster)
>>> data = report_bytes(analysis, frameworks)
>>> (folder / "report.xlsx").write_bytes(data) == len(data)
True
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

from matrixkit import __version__
from matrixkit.assess.results import Analysis
from matrixkit.collector import collector_paused
from matrixkit.fileio import atomic_write_bytes
from matrixkit.model.framework import Framework
from matrixkit.outputs.report.context import ReportContext
from matrixkit.outputs.report.equity import EQUITY_SHEET, write_equity
from matrixkit.outputs.report.levelfit import LEVEL_FIT_SHEET, write_level_fit
from matrixkit.outputs.report.organisation import (
    write_calibration,
    write_criteria_check,
    write_lateral_paths,
    write_management_track,
    write_summary,
    write_team_gaps,
)
from matrixkit.outputs.report.people import (
    SELF_ASSESSMENT_SHEET,
    write_development_plans,
    write_gaps,
    write_readiness,
    write_self_assessment,
)
from matrixkit.outputs.report.problems import write_problems
from matrixkit.outputs.report.styles import Styles
from matrixkit.outputs.report.trends import TRENDS_SHEET, write_trends
from matrixkit.workbook.bulkcells import spliced_members
from matrixkit.workbook.package import Member, close_members, zip_bytes, zip_chunks
from matrixkit.workbook.styles import document_date, new_workbook

SHEET_NAMES = (
    "Summary",
    "Readiness",
    "Gaps",
    "Team gaps",
    "Calibration",
    "Criteria check",
    LEVEL_FIT_SHEET,
    "Management track",
    "Lateral paths",
    "Development plans",
    "Problems",
)


def report_bytes(analysis: Analysis, frameworks: Sequence[Framework]) -> bytes:
    """The report .xlsx for `analysis`, byte-identical for identical inputs.

    `write_report` writes the same bytes to a file without holding them whole.

    >>> import tempfile
    >>> from pathlib import Path
    >>> from matrixkit.model.framework import load_frameworks
    >>> from matrixkit.outputs.generate import generate_blank_matrix
    >>> from matrixkit.run import analyze_workbooks
    >>> frameworks = load_frameworks(["templates/engineering.yaml"])
    >>> blank = generate_blank_matrix(frameworks[0], Path(tempfile.mkdtemp()) / "matrix.xlsx")
    >>> report = report_bytes(analyze_workbooks([blank], frameworks), frameworks)
    >>> report[:2]
    b'PK'
    """
    members = _report_members(analysis, frameworks)
    try:
        return zip_bytes(members)
    finally:
        close_members(members)


def write_report(path: str | Path, analysis: Analysis, frameworks: Sequence[Framework]) -> Path:
    """`report_bytes` written atomically to `path`, member by member."""
    members = _report_members(analysis, frameworks)
    try:
        return atomic_write_bytes(path, zip_chunks(members))
    finally:
        close_members(members)


def _report_members(analysis: Analysis, frameworks: Sequence[Framework]) -> list[Member]:
    # A plain sheet's cells are xlsxwriter objects by the hundred thousand (`collector`).
    with collector_paused():
        return _members(analysis, frameworks)


def _members(analysis: Analysis, frameworks: Sequence[Framework]) -> list[Member]:
    buffer = io.BytesIO()
    workbook = new_workbook(
        buffer,
        title=f"matrixkit report {analysis.cycle}" if analysis.cycle else "matrixkit report",
        comments=f"Written by matrixkit {__version__}",
        created=document_date(analysis.cycle),
    )
    ctx = ReportContext(analysis, frameworks)
    styles = Styles(workbook)
    write_summary(workbook, styles, ctx)
    write_readiness(workbook, styles, ctx)
    write_gaps(workbook, styles, ctx)
    write_team_gaps(workbook, styles, ctx)
    write_calibration(workbook, styles, ctx)
    write_criteria_check(workbook, styles, ctx)
    write_level_fit(workbook, styles, ctx)
    if analysis.equity is not None:  # only with --equity: nothing about those columns otherwise
        write_equity(workbook, styles, ctx)
    write_management_track(workbook, styles, ctx)
    write_lateral_paths(workbook, styles, ctx)
    write_development_plans(workbook, styles, ctx)
    if analysis.self_assessment:
        write_self_assessment(workbook, styles, ctx)
    if analysis.trends is not None:
        write_trends(workbook, styles, ctx, analysis.trends)
    write_problems(workbook, styles, ctx)
    workbook.close()
    return spliced_members(buffer.getvalue(), ctx.bulk_sheets)


__all__ = [
    "EQUITY_SHEET",
    "LEVEL_FIT_SHEET",
    "SELF_ASSESSMENT_SHEET",
    "SHEET_NAMES",
    "TRENDS_SHEET",
    "report_bytes",
    "write_report",
]
