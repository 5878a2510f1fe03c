"""The report workbook of `matrixkit analyze`: an `Analysis` turned into sheets people read.

HR reads Summary, Readiness, Calibration and Criteria check; managers read Team gaps; each employee
reads their rows of Development plans; with a history store, Trends follows everyone over the cycles.
Everything is computed from the `Analysis` and the frameworks, never from formulas: the file holds values
and text only, so it reads the same in every program.

>>> import tempfile
>>> from pathlib import Path
>>> from matrixkit import load_frameworks
>>> from matrixkit.model.roster import read_roster
>>> frameworks = load_frameworks(["templates/startup.yaml"])
>>> roster = read_roster("templates/rosters/startup.csv", frameworks)
>>> from matrixkit.assess.analyze import analyze_workbooks
>>> from matrixkit.outputs.generate import generate_workbooks
>>> folder = Path(tempfile.mkdtemp())
>>> analysis = analyze_workbooks(generate_workbooks(frameworks, roster, "2026-Q4", folder), frameworks, roster=roster)
>>> data = report_bytes(analysis, frameworks)
>>> (folder / "report.xlsx").write_bytes(data) == len(data)
True
"""

from __future__ import annotations

import io
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from xlsxwriter.chart import Chart
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from matrixkit import __version__
from matrixkit.assess.results import STATUSES, Analysis, CriterionResult, EmployeeResult, TrendPoint, Trends
from matrixkit.model.framework import CRITERIA_KEYS, Framework, Level
from matrixkit.model.problems import sort_problems
from matrixkit.workbook.bulkcells import BulkSheet, splice
from matrixkit.workbook.writer import document_date, new_workbook

SHEET_NAMES = (
    "Summary",
    "Readiness",
    "Gaps",
    "Team gaps",
    "Calibration",
    "Criteria check",
    "Management track",
    "Lateral paths",
    "Development plans",
    "Problems",
)
# Only with a history store (`analysis.trends`): between Development plans and Problems.
TRENDS_SHEET = "Trends"
SELF_ASSESSMENT_SHEET = "Self-assessment"
# Rows 0-1 of every table sheet say what it shows; the table's header is on this row (0-based).
HEADER_ROW = 2
NONE_TEXT = "None"

RESULT_WORDS = {"met": "met", "not_met": "not met", "unknown": "unknown"}
RESULT_FILLS = {"met": "#E2EFDA", "not_met": "#FCE4D6", "unknown": "#EDEDED"}
STATUS_FILLS: dict[str, str] = {
    "ready": "#A9D08E",
    "on_track": "#E2EFDA",
    "not_ready": "#FFD966",
    "incomplete": "#D9D9D9",
    "top_of_track": "#BDD7EE",
    "conflict": "#FF9999",
}
# Chart colours are stronger than cell fills: a thin bar must still be seen in print.
STATUS_CHART_COLOURS: dict[str, str] = {
    "ready": "#548235",
    "on_track": "#A9D08E",
    "not_ready": "#FFC000",
    "incomplete": "#A6A6A6",
    "top_of_track": "#2E75B6",
    "conflict": "#C00000",
}
GAP_BAR_COLOUR = "#7030A0"
# Lines of the Trends charts, one colour per series (dashed after the twelfth); none is a cell fill.
TREND_LINE_COLOURS = (
    "#1F77B4",
    "#FF7F0E",
    "#2CA02C",
    "#D62728",
    "#9467BD",
    "#8C564B",
    "#E377C2",
    "#7F7F7F",
    "#BCBD22",
    "#17BECF",
    "#393B79",
    "#AD494A",
)
SEVERITY_FILLS = {"error": "#FF9999", "warning": "#FFE699"}
FLAG_FILLS = {"lenient": "#FFE699", "severe": "#BDD7EE", "aspirational": "#FFE699", "too easy": "#BDD7EE"}
HEADER_FILL = "#1F3864"
NOT_APPLICABLE_FILL = "#F2F2F2"

TOP_GAPS = 10
LINE_HEIGHT = 15  # points per line of 11-point Calibri
CHARS_PER_WIDTH = 1.15  # characters of prose per unit of column width (the width of a "0")
PRINT_FIT_WIDTH = 330  # total column width that still reads when shrunk onto one landscape page
HEAT_WIDTH = 6  # heat map columns: a signed number, the competency name rotated in the header
TREND_CHART_COMPETENCIES = 12  # lines in the competency chart; more would not read
TREND_CHART_EMPLOYEES = 25  # employees the averages chart draws at most; with more it is left out


def _gap_scale(limit: float) -> dict[str, Any]:
    """Red below expectations, white on them, green above.

    The ends are fixed (not the data's min and max): a team that meets its profile is not painted red at 0.
    """
    return {
        "type": "3_color_scale",
        "min_type": "num",
        "min_value": -limit,
        "min_color": "#F8696B",
        "mid_type": "num",
        "mid_value": 0,
        "mid_color": "#FFFFFF",
        "max_type": "num",
        "max_value": limit,
        "max_color": "#63BE7B",
    }


def report_bytes(analysis: Analysis, frameworks: Sequence[Framework]) -> bytes:
    """The report .xlsx for `analysis`, byte-identical for identical inputs.

    >>> import tempfile
    >>> from pathlib import Path
    >>> from matrixkit.assess.analyze import analyze_workbooks
    >>> from matrixkit.model.framework import load_frameworks
    >>> from matrixkit.outputs.generate import generate_blank_matrix
    >>> frameworks = load_frameworks(["templates/engineering.yaml"])
    >>> blank = generate_blank_matrix(frameworks[0], Path(tempfile.mkdtemp()) / "matrix.xlsx")
    >>> report = report_bytes(analyze_workbooks([blank], frameworks), frameworks)
    >>> report[:2]
    b'PK'
    """
    buffer = io.BytesIO()
    workbook = new_workbook(
        buffer,
        title=f"matrixkit report {analysis.cycle}" if analysis.cycle else "matrixkit report",
        comments=f"Written by matrixkit {__version__}",
        created=document_date(analysis.cycle),
    )
    ctx = _Context(analysis, frameworks)
    styles = _Styles(workbook)
    _write_summary(workbook, styles, ctx)
    _write_readiness(workbook, styles, ctx)
    _write_gaps(workbook, styles, ctx)
    _write_team_gaps(workbook, styles, ctx)
    _write_calibration(workbook, styles, ctx)
    _write_criteria_check(workbook, styles, ctx)
    _write_management_track(workbook, styles, ctx)
    _write_lateral_paths(workbook, styles, ctx)
    _write_development_plans(workbook, styles, ctx)
    if analysis.self_assessment:
        _write_self_assessment(workbook, styles, ctx)
    if analysis.trends is not None:
        _write_trends(workbook, styles, ctx, analysis.trends)
    _write_problems(workbook, styles, ctx)
    workbook.close()
    return splice(buffer.getvalue(), ctx.bulk_sheets)


# -- what the sheets share -------------------------------------------------------------------------


class _Context:
    """The analysis with the framework look-ups every sheet needs; unknown ids fall back to themselves."""

    def bulk(self, worksheet: Worksheet) -> Worksheet:
        """A sheet of one row per employee (or problem): its cells written at string speed (`bulkcells`)."""
        sheet = BulkSheet(worksheet)
        self.bulk_sheets.append(sheet)
        return cast(Worksheet, sheet)  # it answers every call the sheet writers make

    def __init__(self, analysis: Analysis, frameworks: Sequence[Framework]) -> None:
        self.analysis = analysis
        self.bulk_sheets: list[BulkSheet] = []
        self.by_family: dict[str, Framework] = {}
        for fw in frameworks:
            self.by_family.setdefault(fw.family.id, fw)
        self.employees = sorted(analysis.employees, key=_employee_key)
        self.families = sorted({*self.by_family, *(e.family for e in analysis.employees)})
        # The first row of an employee (in sorted order) names them, as in Readiness.
        self.names: dict[str, str] = {}
        self.family_by_id: dict[str, str] = {}
        for employee in self.employees:
            self.names.setdefault(employee.employee_id, employee.name)
            self.family_by_id.setdefault(employee.employee_id, employee.family)
        self.scale_max = {fw.scale.max for fw in frameworks} or {5}

    def framework(self, family: str) -> Framework | None:
        return self.by_family.get(family)

    def family_name(self, family: str) -> str:
        fw = self.by_family.get(family)
        return fw.family.name if fw else family

    def competency_name(self, family: str, competency: str) -> str:
        fw = self.by_family.get(family)
        if fw is not None and competency in fw.competency_by_id:
            return fw.competency_by_id[competency].name
        for other in self._frameworks_sorted():
            if competency in other.competency_by_id:
                return other.competency_by_id[competency].name
        return competency

    def track_name(self, family: str, track: str) -> str:
        fw = self.by_family.get(family)
        if fw is not None and track in fw.track_by_id:
            return fw.track_by_id[track].name
        return track

    def level(self, family: str, level_id: str | None) -> Level | None:
        fw = self.by_family.get(family)
        if fw is None or level_id is None:
            return None
        return fw.level_by_id.get(level_id)

    def level_label(self, family: str, level_id: str) -> str:
        level = self.level(family, level_id)
        return f"{level_id} — {level.title}" if level is not None else level_id

    def level_key(self, family: str, level_id: str) -> tuple[int, int, int, str]:
        """Framework order: family, then track, then level up the track; unknown levels last."""
        family_index = self.families.index(family) if family in self.families else len(self.families)
        fw = self.by_family.get(family)
        if fw is not None:
            for track_index, track in enumerate(fw.tracks):
                for level_index, level in enumerate(track.levels):
                    if level.id == level_id:
                        return (family_index, track_index, level_index, level_id)
        return (family_index, 1_000_000, 0, level_id)

    def competency_index(self, family: str, competency: str) -> int:
        fw = self.by_family.get(family)
        ids = [c.id for c in fw.competencies] if fw else []
        return ids.index(competency) if competency in ids else len(ids)

    def _frameworks_sorted(self) -> list[Framework]:
        return [self.by_family[f] for f in sorted(self.by_family)]


def _employee_key(e: EmployeeResult) -> tuple[str, str, str, int, str]:
    source = e.source
    return (
        e.employee_id,
        source.file if source else "",
        source.sheet if source else "",
        source.row if source else 0,
        e.level,
    )


def _is_complete(e: EmployeeResult) -> bool:
    """Every rating valid and not in conflict: the employees calibration and team means count."""
    return e.average is not None and e.status != "conflict"


def _manager_label(manager_id: str | None, manager_name: str | None) -> str:
    if manager_id and manager_name and manager_name != manager_id:
        return f"{manager_name} ({manager_id})"
    return manager_name or manager_id or "(no manager)"


def _criteria_keys(groups: Iterable[Sequence[CriterionResult]]) -> list[str]:
    found = {c.criterion for group in groups for c in group}
    known = [key for key in CRITERIA_KEYS if key in found]
    return known + sorted(found - set(CRITERIA_KEYS))


_BASE_FORMAT: dict[str, Any] = {"font_name": "Calibri", "font_size": 11, "valign": "top"}


class _Styles:
    """Formats made on first use and reused, so equal inputs create them in the same order."""

    def __init__(self, workbook: Workbook) -> None:
        self._workbook = workbook
        self._cache: dict[tuple[tuple[str, Any], ...], Format] = {}
        self._by_status: dict[str, Format] = {}
        self._by_result: dict[str, Format] = {}
        self.title = self.get(bold=True, font_size=14, font_color=HEADER_FILL)
        self.heading = self.get(bold=True, font_size=12, font_color=HEADER_FILL)
        self.note = self.get(italic=True, font_color="#595959")
        self.header = self.get(
            bold=True, text_wrap=True, font_color="#FFFFFF", bg_color=HEADER_FILL, border=1, border_color="#BFBFBF"
        )
        self.header_rotated = self.get(
            bold=True,
            font_color="#FFFFFF",
            bg_color=HEADER_FILL,
            border=1,
            border_color="#BFBFBF",
            rotation=90,
            align="center",
            valign="bottom",
        )
        self.text = self.get()
        self.wrap = self.get(text_wrap=True)
        self.bold = self.get(bold=True)
        self.integer = self.get(num_format="0")
        self.decimal = self.get(num_format="0.00")
        self.signed = self.get(num_format="+0;-0;0", align="center")
        self.signed_decimal = self.get(num_format="+0.00;-0.00;0.00", align="center")
        self.percent = self.get(num_format="0%")
        self.not_applicable = self.get(bg_color=NOT_APPLICABLE_FILL)

    def get(self, **props: Any) -> Format:
        key = tuple(sorted(props.items()))
        if key not in self._cache:
            self._cache[key] = self._workbook.add_format({**_BASE_FORMAT, **props})
        return self._cache[key]

    def status(self, status: str) -> Format:
        found = self._by_status.get(status)
        if found is None:
            found = self._by_status[status] = self.get(bg_color=STATUS_FILLS.get(status, "#FFFFFF"), bold=True)
        return found

    def result(self, result: str) -> Format:
        found = self._by_result.get(result)
        if found is None:
            found = self._by_result[result] = self.get(bg_color=RESULT_FILLS.get(result, "#FFFFFF"))
        return found

    def flag(self, flag: str | None) -> Format:
        return self.get(bg_color=FLAG_FILLS[flag], bold=True) if flag in FLAG_FILLS else self.text


@dataclass(frozen=True)
class _Cell:
    """A value with its own format (a status colour, a number format)."""

    value: Any
    fmt: Format | None = None


@dataclass(frozen=True)
class _Column:
    header: str
    width: float
    fmt: str = "text"  # an attribute of _Styles used for the column's plain values


def _write(ws: Worksheet, row: int, col: int, value: Any, fmt: Format | None) -> None:
    """Text always as text (a name `=1+1` stays a name), numbers as numbers, None as an empty cell."""
    if isinstance(value, _Cell):
        value, fmt = value.value, value.fmt or fmt
    if value is None:
        if fmt is not None:
            ws.write_blank(row, col, None, fmt)
    elif isinstance(value, bool):
        ws.write_string(row, col, "yes" if value else "no", fmt)
    elif isinstance(value, int | float):
        ws.write_number(row, col, value, fmt)
    else:
        ws.write_string(row, col, str(value), fmt)


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, _Cell) else value


def _intro(ws: Worksheet, styles: _Styles, title: str, note: str | None = None) -> None:
    ws.write_string(0, 0, title, styles.title)
    if note:
        ws.write_string(1, 0, note, styles.note)


def _text_lines(text: str, width: float) -> int:
    """Lines `text` takes when wrapped in a column `width` characters wide (a generous estimate)."""
    per_line = max(1, int(width * CHARS_PER_WIDTH))
    if len(text) <= per_line and "\n" not in text:
        return 1
    return sum(max(1, -(-len(part) // per_line)) for part in text.split("\n"))


def _fit_row(ws: Worksheet, row: int, cells: Iterable[tuple[Any, float]], *, bold: bool = False) -> None:
    """Set the height of a row with wrapped text: not every program grows rows by itself on load."""
    factor = 0.85 if bold else 1.0
    lines = max(
        (_text_lines(str(value), width * factor) for value, width in cells if isinstance(value, str)),
        default=1,
    )
    if lines > 1:
        ws.set_row(row, LINE_HEIGHT * lines)


def _table(
    ws: Worksheet,
    styles: _Styles,
    columns: Sequence[_Column],
    rows: Sequence[Sequence[Any]],
    *,
    freeze_cols: int = 0,
) -> int:
    """Header on HEADER_ROW, rows (or one "None" line), widths, filter, print setup; returns the last row."""
    for col, column in enumerate(columns):
        ws.write_string(HEADER_ROW, col, column.header, styles.header)
        ws.set_column(col, col, column.width)
    _fit_row(ws, HEADER_ROW, ((c.header, c.width) for c in columns), bold=True)
    ws.freeze_panes(HEADER_ROW + 1, freeze_cols)
    _print_setup(ws, header_row=HEADER_ROW, width=sum(c.width for c in columns))
    if not rows:
        ws.write_string(HEADER_ROW + 1, 0, NONE_TEXT, styles.text)
        return HEADER_ROW + 1
    formats = [getattr(styles, column.fmt) for column in columns]
    bulk = ws if isinstance(ws, BulkSheet) else None
    wrapping = [(col, column.width) for col, column in enumerate(columns) if column.fmt == "wrap"]
    for r, values in enumerate(rows, start=HEADER_ROW + 1):
        if len(values) != len(columns):
            raise ValueError(f"row {r + 1} has {len(values)} values for {len(columns)} columns")
        if bulk is not None:
            bulk.write_cells(
                r,
                [
                    (v.value, v.fmt or f) if isinstance(v, _Cell) else (v, f)
                    for v, f in zip(values, formats, strict=True)
                ],
            )
        else:
            for col, value in enumerate(values):
                _write(ws, r, col, value, formats[col])
        if wrapping:
            _fit_row(ws, r, ((_plain(values[col]), width) for col, width in wrapping))
    last_row = HEADER_ROW + len(rows)
    ws.autofilter(HEADER_ROW, 0, last_row, len(columns) - 1)
    return last_row


def _print_setup(ws: Worksheet, *, header_row: int | None = None, width: float = 0, one_page: bool = False) -> None:
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


# -- Summary ---------------------------------------------------------------------------------------


def _distinct_by_status(employees: Iterable[EmployeeResult]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {status: set() for status in STATUSES}
    for e in employees:
        found.setdefault(e.status, set()).add(e.employee_id)
    return found


def _write_summary(workbook: Workbook, styles: _Styles, ctx: _Context) -> None:
    a = ctx.analysis
    ws = workbook.add_worksheet("Summary")
    _print_setup(ws, one_page=True)
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
        ("Missing employee IDs", ", ".join(sorted(a.missing)) or NONE_TEXT),
    ]
    row = 2
    for label, value in facts:
        ws.write_string(row, 0, label, styles.bold)
        _write(ws, row, 1, value, styles.text)
        row += 1

    row += 1
    ws.write_string(row, 0, "Status", styles.header)
    ws.write_string(row, 1, "Employees", styles.header)
    by_status = _distinct_by_status(a.employees)
    for status in STATUSES:
        row += 1
        ws.write_string(row, 0, status, styles.status(status))
        ws.write_number(row, 1, len(by_status[status]), styles.integer)

    # Status by level: one row per level that has employees, in framework order.
    row += 2
    ws.write_string(row, 0, "Status by level", styles.heading)
    header = row + 1
    ws.write_string(header, 0, "Family / level", styles.header)
    for offset, status in enumerate(STATUSES, start=1):
        ws.write_string(header, offset, status, styles.header)
    ws.write_string(header, len(STATUSES) + 1, "Total", styles.header)
    per_level: dict[tuple[str, str], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for e in a.employees:
        per_level[(e.family, e.level)][e.status].add(e.employee_id)
    levels = sorted(per_level, key=lambda key: ctx.level_key(*key))
    first = header + 1
    if not levels:
        ws.write_string(first, 0, NONE_TEXT, styles.text)
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

    # Top competency gaps: employees below the next level's expectation, per competency.
    row += 2
    ws.write_string(row, 0, "Top competency gaps", styles.heading)
    gaps_header = row + 1
    ws.write_string(gaps_header, 0, "Competency", styles.header)
    ws.write_string(gaps_header, 1, "Employees below the next level", styles.header)
    _fit_row(ws, gaps_header, [("Employees below the next level", 11)], bold=True)
    top = _top_gaps(ctx)
    first = gaps_header + 1
    if not top:
        ws.write_string(first, 0, NONE_TEXT, styles.text)
    for row, (label, count) in enumerate(top, start=first):
        ws.write_string(row, 0, label, styles.text)
        ws.write_number(row, 1, count, styles.integer)
    if top:
        _gaps_chart(workbook, ws, gaps_header, first, first + len(top) - 1, top[0][1])


def _top_gaps(ctx: _Context) -> list[tuple[str, int]]:
    counts: Counter[tuple[str, str]] = Counter()
    for e in ctx.analysis.employees:
        if e.status == "conflict" or e.next_level is None:
            continue
        for competency in set(e.next_level_gaps):
            counts[(e.family, competency)] += 1
    several = len({family for family, _ in counts}) > 1

    def label(family: str, competency: str) -> str:
        name = ctx.competency_name(family, competency)
        return f"{ctx.family_name(family)}: {name}" if several else name

    ranked = sorted(
        ((label(f, c), n) for (f, c), n in counts.items() if n > 0),
        key=lambda item: (-item[1], item[0]),
    )
    return ranked[:TOP_GAPS]


def _axis_step(largest: int) -> int:
    """Whole-number gridlines, about eight of them at most: these are counts of people."""
    return max(1, -(-largest // 8))


def _status_chart(workbook: Workbook, ws: Worksheet, header: int, first: int, last: int, tallest: int) -> None:
    chart = workbook.add_chart({"type": "column", "subtype": "stacked"})
    for offset, status in enumerate(STATUSES, start=1):
        colour = STATUS_CHART_COLOURS[status]
        chart.add_series(
            {
                "name": ["Summary", header, offset],
                "categories": ["Summary", first, 0, last, 0],
                "values": ["Summary", first, offset, last, offset],
                "fill": {"color": colour},
                "border": {"color": colour},
                "gap": 60,
            }
        )
    chart.set_title({"name": "Status by level"})
    chart.set_y_axis({"name": "Employees", "min": 0, "major_unit": _axis_step(tallest)})
    chart.set_legend({"position": "bottom"})
    ws.insert_chart(2, 9, chart, {"x_scale": 1.3, "y_scale": 1.1})


def _gaps_chart(workbook: Workbook, ws: Worksheet, header: int, first: int, last: int, largest: int) -> None:
    chart = workbook.add_chart({"type": "bar"})
    chart.add_series(
        {
            "name": ["Summary", header, 1],
            "categories": ["Summary", first, 0, last, 0],
            "values": ["Summary", first, 1, last, 1],
            "fill": {"color": GAP_BAR_COLOUR},
            "border": {"color": GAP_BAR_COLOUR},
            "gap": 50,
        }
    )
    chart.set_title({"name": "Top competency gaps"})
    # In a bar chart y is the category axis: reversed, the largest gap is on top.
    chart.set_y_axis({"reverse": True})
    chart.set_x_axis({"name": "Employees below the next level", "min": 0, "major_unit": _axis_step(largest)})
    chart.set_legend({"none": True})
    ws.insert_chart(20, 9, chart, {"x_scale": 1.3, "y_scale": 1.1})


# -- Readiness -------------------------------------------------------------------------------------


def _criteria_columns(keys: Sequence[str]) -> list[_Column]:
    columns: list[_Column] = []
    for key in keys:
        columns.append(_Column(key, 16))
        columns.append(_Column(f"{key} — reason", 34, "wrap"))
    return columns


def _criteria_cells(styles: _Styles, keys: Sequence[str], criteria: Sequence[CriterionResult]) -> list[Any]:
    by_key = {c.criterion: c for c in criteria}
    cells: list[Any] = []
    for key in keys:
        found = by_key.get(key)
        if found is None:
            cells.extend([None, None])
        else:
            cells.append(_Cell(RESULT_WORDS.get(found.result, found.result), styles.result(found.result)))
            cells.append(found.detail)
    return cells


def _write_readiness(workbook: Workbook, styles: _Styles, ctx: _Context) -> None:
    ws = ctx.bulk(workbook.add_worksheet("Readiness"))
    _intro(
        ws,
        styles,
        "Readiness — one row per employee, every promotion criterion with its result and reason",
        "Status: the first that applies of conflict, incomplete, top_of_track, not_ready, on_track, ready. "
        "Average is shown to 2 decimals; the criteria use the exact mean.",
    )
    keys = _criteria_keys(e.criteria for e in ctx.employees)
    columns = [
        _Column("Employee ID", 12),
        _Column("Name", 24),
        _Column("Manager", 24),
        _Column("Family", 16),
        _Column("Track", 20),
        _Column("Level", 9),
        _Column("Next level", 9),
        _Column("Status", 13),
        _Column("Average", 9, "decimal"),
        _Column("Lowest", 8, "integer"),
        _Column("Gaps to next level", 10, "integer"),
        _Column("Below the next level in", 32, "wrap"),
        *_criteria_columns(keys),
        _Column("Source file", 28, "wrap"),
        _Column("Sheet", 14),
        _Column("Row", 6, "integer"),
    ]
    rows: list[list[Any]] = []
    for e in ctx.employees:
        shows_gaps = e.average is not None and e.next_level is not None
        gap_names = [ctx.competency_name(e.family, c) for c in e.next_level_gaps]
        rows.append(
            [
                e.employee_id,
                e.name,
                _manager_label(e.manager_id, e.manager_name),
                ctx.family_name(e.family),
                ctx.track_name(e.family, e.track),
                e.level,
                e.next_level,
                _Cell(e.status, styles.status(e.status)),
                None if e.average is None else round(e.average, 2),
                e.lowest,
                len(e.next_level_gaps) if shows_gaps else None,
                ", ".join(gap_names) if shows_gaps and gap_names else None,
                *_criteria_cells(styles, keys, e.criteria),
                e.source.file if e.source else None,
                e.source.sheet if e.source else None,
                e.source.row if e.source else None,
            ]
        )
    _table(ws, styles, columns, rows, freeze_cols=2)


# -- Gaps ------------------------------------------------------------------------------------------


def _rotated_height(names: Iterable[str]) -> float:
    """Points a header row needs for names turned upright (bold 11-point Calibri)."""
    return max((len(name) for name in names), default=8) * 5.5 + 12


def _expected(level: Level | None, competency: str) -> int | None:
    return None if level is None else level.expected.get(competency)


def _write_gaps(workbook: Workbook, styles: _Styles, ctx: _Context) -> None:
    ws = ctx.bulk(workbook.add_worksheet("Gaps"))
    _intro(
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
        ws.set_row(header, _rotated_height(c.name for c in competencies))
        width = max(width, 4 + 12 + 24 + 9 + 9 + 2 + 2 * n * HEAT_WIDTH)
        first = header + 1
        for row, e in enumerate(employees, start=first):
            applicable = {c.id for c in fw.competencies_for(e.track)} if e.track in fw.track_by_id else set()
            current = fw.level_by_id[e.level]
            following = ctx.level(family, e.next_level)
            _write(ws, row, 0, e.employee_id, styles.text)
            _write(ws, row, 1, e.name, styles.text)
            _write(ws, row, 2, e.level, styles.text)
            _write(ws, row, 3, e.next_level, styles.text)
            for offset, competency in enumerate(competencies):
                cid = competency.id
                if cid not in applicable:
                    ws.write_blank(row, next_first + offset, None, styles.not_applicable)
                    ws.write_blank(row, current_first + offset, None, styles.not_applicable)
                    continue
                rating = e.ratings.get(cid)
                if rating is None:
                    continue
                target = _expected(following, cid)
                if target is None:
                    target = _expected(current, cid)
                if target is not None:
                    ws.write_number(row, next_first + offset, rating - target, styles.signed)
                expected_now = _expected(current, cid)
                if expected_now is not None:
                    ws.write_number(row, current_first + offset, rating - expected_now, styles.signed)
        last = first + len(employees) - 1
        ws.conditional_format(first, next_first, last, next_first + n - 1, _gap_scale(2))
        ws.conditional_format(first, current_first, last, current_first + n - 1, _gap_scale(2))
        row = last + 2
    _print_setup(ws, width=width)
    if blocks == 0:
        ws.write_string(HEADER_ROW, 0, NONE_TEXT, styles.text)
    elif blocks == 1:
        ws.freeze_panes(HEADER_ROW + 2, 2)
    else:
        ws.freeze_panes(0, 2)


# -- Team gaps -------------------------------------------------------------------------------------


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _write_team_gaps(workbook: Workbook, styles: _Styles, ctx: _Context) -> None:
    ws = ctx.bulk(workbook.add_worksheet("Team gaps"))
    _intro(
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
        complete = [e for e in ctx.employees if e.family == family and _is_complete(e) and e.level in fw.level_by_id]
        if not complete:
            continue
        blocks += 1
        teams: dict[str, list[EmployeeResult]] = defaultdict(list)
        labels: dict[str, str] = {}
        for e in complete:
            key = e.manager_id or ""
            teams[key].append(e)
            labels.setdefault(key, _manager_label(e.manager_id, e.manager_name))
        competencies = list(fw.competencies)
        ws.write_string(row, 0, fw.family.name, styles.heading)
        header = row + 1
        ws.write_string(header, 0, "Manager", styles.header)
        ws.write_string(header, 1, "Rated", styles.header)
        for offset, competency in enumerate(competencies, start=2):
            ws.write_string(header, offset, competency.name, styles.header_rotated)
        ws.set_column(2, 1 + len(competencies), HEAT_WIDTH + 1)
        ws.set_row(header, _rotated_height(c.name for c in competencies))
        width = max(width, 30 + 8 + len(competencies) * (HEAT_WIDTH + 1))
        first = header + 1
        groups = [(labels[key], teams[key], styles.text) for key in sorted(teams)]
        groups.append(("Organisation", complete, styles.bold))
        for row, (label, members, label_fmt) in enumerate(groups, start=first):
            ws.write_string(row, 0, label, label_fmt)
            ws.write_number(row, 1, len({m.employee_id for m in members}), styles.integer)
            for offset, competency in enumerate(competencies, start=2):
                diffs = [
                    float(m.ratings[competency.id] - expected)
                    for m in members
                    if competency.id in m.ratings
                    and (expected := fw.level_by_id[m.level].expected.get(competency.id)) is not None
                ]
                mean = _mean(diffs)
                if mean is not None:
                    ws.write_number(row, offset, mean, styles.signed_decimal)
        last_team = first + len(groups) - 2
        ws.conditional_format(first, 2, last_team, 1 + len(competencies), _gap_scale(1))
        row = first + len(groups) + 1
    _print_setup(ws, width=width)
    if blocks == 0:
        ws.write_string(HEADER_ROW, 0, NONE_TEXT, styles.text)
    elif blocks == 1:
        ws.freeze_panes(HEADER_ROW + 2, 1)
    else:
        ws.freeze_panes(0, 1)


# -- Calibration -----------------------------------------------------------------------------------


def _write_calibration(workbook: Workbook, styles: _Styles, ctx: _Context) -> None:
    a = ctx.analysis
    ws = ctx.bulk(workbook.add_worksheet("Calibration"))
    org = "unknown (no complete employees)" if a.org_gap is None else f"{a.org_gap:+.2f}"
    _intro(
        ws,
        styles,
        "Calibration — how each manager rates, against the role profiles and the organisation",
        "Flag: lenient when the deviation from the org is +0.5 or more, severe when it is −0.5 or less, only "
        f"for managers with at least 3 rated employees. Organisation's mean gap against the role profile: {org}.",
    )
    share_header = "Share of 4–5" if ctx.scale_max == {5} else "Share of the top two ratings"
    columns = [
        _Column("Manager", 30),
        _Column("Rated", 8, "integer"),
        _Column("Mean", 9, "decimal"),
        _Column(share_header, 11, "percent"),
        _Column("Mean gap vs role profile", 12, "signed_decimal"),
        _Column("Deviation from org", 12, "signed_decimal"),
        _Column("Flag", 11),
    ]
    rows = [
        [
            _manager_label(c.manager_id, c.manager_name),
            c.rated,
            c.mean,
            c.share_high,
            c.gap,
            c.deviation,
            _Cell(c.flag, styles.flag(c.flag)),
        ]
        for c in sorted(a.calibration, key=lambda c: c.manager_id)
    ]
    _table(ws, styles, columns, rows, freeze_cols=1)


# -- Criteria check --------------------------------------------------------------------------------


def _write_criteria_check(workbook: Workbook, styles: _Styles, ctx: _Context) -> None:
    ws = ctx.bulk(workbook.add_worksheet("Criteria check"))
    _intro(
        ws,
        styles,
        "Criteria check — per level, the complete employees who already meet the next level's rating criteria",
        "Flag: aspirational when under 5% meet them (out of reach for almost everyone), too easy when over 60% do.",
    )
    columns = [
        _Column("Family", 18),
        _Column("Level", 10),
        _Column("Next level", 10),
        _Column("Complete employees", 11, "integer"),
        _Column("Meeting the next level's rating criteria", 14, "integer"),
        _Column("Share", 9, "percent"),
        _Column("Flag", 13),
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
            _Cell(c.flag, styles.flag(c.flag)),
        ]
        for c in checks
    ]
    _table(ws, styles, columns, rows, freeze_cols=2)


# -- Management track ------------------------------------------------------------------------------


def _write_management_track(workbook: Workbook, styles: _Styles, ctx: _Context) -> None:
    ws = ctx.bulk(workbook.add_worksheet("Management track"))
    _intro(
        ws,
        styles,
        "Management track — crossover candidates",
        "Employees at or above a track's entry level (entry.from) who meet its entry criteria, with every "
        "criterion's result and reason.",
    )
    candidates = sorted(ctx.analysis.crossover, key=lambda c: (c.employee_id, c.to_track, c.to_level))
    keys = _criteria_keys(c.criteria for c in candidates)
    columns = [
        _Column("Employee ID", 12),
        _Column("Name", 24),
        _Column("Family", 16),
        _Column("Level", 9),
        _Column("To track", 22),
        _Column("To level", 9),
        *_criteria_columns(keys),
    ]
    rows = [
        [
            c.employee_id,
            c.name,
            ctx.family_name(c.family),
            c.level,
            ctx.track_name(c.family, c.to_track),
            c.to_level,
            *_criteria_cells(styles, keys, c.criteria),
        ]
        for c in candidates
    ]
    _table(ws, styles, columns, rows, freeze_cols=2)


# -- Lateral paths ---------------------------------------------------------------------------------


def _write_lateral_paths(workbook: Workbook, styles: _Styles, ctx: _Context) -> None:
    ws = ctx.bulk(workbook.add_worksheet("Lateral paths"))
    _intro(
        ws,
        styles,
        "Lateral paths — transferable competencies against another family's level",
        "Gap: rating minus the target level's expected (negative: below it).",
    )
    columns = [
        _Column("Employee ID", 12),
        _Column("Name", 24),
        _Column("Level", 9),
        _Column("Target (family:level)", 22),
        _Column("Competency", 26),
        _Column("Rating", 8, "integer"),
        _Column("Target expected", 10, "integer"),
        _Column("Gap", 8, "signed"),
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
    last = _table(ws, styles, columns, rows, freeze_cols=2)
    if rows:
        ws.conditional_format(HEADER_ROW + 1, 7, last, 7, _gap_scale(2))


# -- Self-assessment -------------------------------------------------------------------------------


def _write_self_assessment(workbook: Workbook, styles: _Styles, ctx: _Context) -> None:
    ws = ctx.bulk(workbook.add_worksheet(SELF_ASSESSMENT_SHEET))
    _intro(
        ws,
        styles,
        "Self-assessment — each person's own rating beside their manager's",
        "Shown side by side and never averaged: the manager's rating is the one every other sheet uses. "
        "Disagreement: the two differ by 2 points or more — worth a conversation.",
    )
    columns = [
        _Column("Employee ID", 12),
        _Column("Name", 24),
        _Column("Competency", 26),
        _Column("Self", 8, "integer"),
        _Column("Manager", 9, "integer"),
        _Column("Self − manager", 10, "signed"),
        _Column("Disagreement", 13),
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
    last = _table(ws, styles, columns, rows, freeze_cols=2)
    if rows:
        ws.conditional_format(HEADER_ROW + 1, 5, last, 5, _gap_scale(2))


# -- Development plans -----------------------------------------------------------------------------


def _write_development_plans(workbook: Workbook, styles: _Styles, ctx: _Context) -> None:
    ws = ctx.bulk(workbook.add_worksheet("Development plans"))
    _intro(
        ws,
        styles,
        "Development plans — the competencies to grow next, largest gap first",
        "For each employee, every competency rated below the target level's expected proficiency, with what "
        "that level looks like. Filter on your Employee ID to read your own plan.",
    )
    columns = [
        _Column("Employee ID", 12),
        _Column("Name", 22),
        _Column("Competency", 24, "wrap"),
        _Column("Current rating", 9, "integer"),
        _Column("Target level", 30, "wrap"),
        _Column("Expected", 9, "integer"),
        _Column("Gap", 7, "signed"),
        _Column("What the target level looks like", 90, "wrap"),
    ]

    def family(employee_id: str) -> str:
        return ctx.family_by_id.get(employee_id, "")

    items = sorted(
        ctx.analysis.development,
        key=lambda d: (
            d.employee_id,
            d.rating - d.expected,
            ctx.competency_index(family(d.employee_id), d.competency),
            d.competency,
            d.target_level,
        ),
    )
    rows: list[list[Any]] = []
    previous: str | None = None
    # A top rule where a new employee's plan starts keeps the plans apart in print.
    plain, wrapped, whole, signed = (
        {ruled: styles.get(**props, **({"top": 2} if ruled else {})) for ruled in (False, True)}
        for props in ({}, {"text_wrap": True}, {"num_format": "0"}, {"num_format": "+0;-0;0", "align": "center"})
    )
    for d in items:
        ruled = previous is not None and d.employee_id != previous
        previous = d.employee_id
        fam = family(d.employee_id)
        rows.append(
            [
                _Cell(d.employee_id, plain[ruled]),
                _Cell(ctx.names.get(d.employee_id), plain[ruled]),
                _Cell(ctx.competency_name(fam, d.competency), wrapped[ruled]),
                _Cell(d.rating, whole[ruled]),
                _Cell(ctx.level_label(fam, d.target_level), wrapped[ruled]),
                _Cell(d.expected, whole[ruled]),
                _Cell(d.rating - d.expected, signed[ruled]),
                _Cell(d.description, wrapped[ruled]),
            ]
        )
    _table(ws, styles, columns, rows, freeze_cols=2)


# -- Trends ----------------------------------------------------------------------------------------


def _trend_points(trends: Trends, points: Iterable[TrendPoint]) -> dict[str, TrendPoint]:
    """Cycle → point, for the cycles the sheet has columns for; one point per cycle, whatever the input order."""
    by_cycle: dict[str, TrendPoint] = {}
    known = set(trends.cycles)
    for point in sorted(points, key=lambda p: (p.cycle, p.level, p.status, p.average is None, p.average or 0.0)):
        if point.cycle in known:
            by_cycle.setdefault(point.cycle, point)
    return by_cycle


def _level_changes(trends: Trends, by_cycle: dict[str, TrendPoint]) -> tuple[str | None, str | None]:
    """The latest level, and every change of level as "IC2 → IC3 in 2026-Q3" (None when it never changed)."""
    changes: list[str] = []
    level: str | None = None
    for cycle in trends.cycles:
        point = by_cycle.get(cycle)
        if point is None:
            continue
        if level is not None and point.level != level:
            changes.append(f"{level} → {point.level} in {cycle}")
        level = point.level
    return level, ", ".join(changes) or None


def _round2(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _trend_columns(ws: Worksheet, widths: Sequence[float]) -> None:
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)


def _trend_header(ws: Worksheet, styles: _Styles, row: int, headers: Sequence[tuple[str, float]]) -> None:
    for col, (text, _) in enumerate(headers):
        ws.write_string(row, col, text, styles.header)
    _fit_row(ws, row, headers, bold=True)


def _write_trends(workbook: Workbook, styles: _Styles, ctx: _Context, trends: Trends) -> None:
    ws = workbook.add_worksheet(TRENDS_SHEET)
    cycles = list(trends.cycles)
    _intro(
        ws,
        styles,
        "Trends — each employee's status and average per cycle, and the organisation's mean per competency",
        f"Cycles from the history store, oldest first, this run's last: {', '.join(cycles) or NONE_TEXT}. "
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
        by_cycle = _trend_points(trends, trends.employees[employee_id])
        averages[employee_id] = {c: p.average for c, p in by_cycle.items()}
        ws.write_string(row, 0, employee_id, styles.text)
        ws.write_string(row, 1, name(employee_id), styles.text)
        for index, cycle in enumerate(cycles):
            point = by_cycle.get(cycle)
            if point is None:
                continue
            ws.write_string(row, 2 + 2 * index, point.status, styles.status(point.status))
            _write(ws, row, 3 + 2 * index, _round2(point.average), styles.decimal)
        level, changes = _level_changes(trends, by_cycle)
        _write(ws, row, 2 + 2 * len(cycles), level, styles.text)
        _write(ws, row, 3 + 2 * len(cycles), changes, styles.wrap)
        if changes:
            _fit_row(ws, row, [(changes, employee_headers[-1][1])])
    if employee_ids:
        ws.autofilter(HEADER_ROW, 0, row, len(employee_headers) - 1)
    else:
        row = HEADER_ROW + 1
        ws.write_string(row, 0, NONE_TEXT, styles.text)

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
            _write(ws, row, 2 + index, _round2(means.get(cycle)), styles.decimal)
    if not keys:
        row = means_first
        ws.write_string(row, 0, NONE_TEXT, styles.text)

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
                _write(ws, row, 2 + index, _round2(averages[employee_id].get(cycle)), styles.decimal)

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
    _print_setup(ws, width=max(table_width, 2 * 480 * 1.3 / 7))


def _trend_chart(
    workbook: Workbook, header: int, n_cycles: int, series: Sequence[tuple[Any, int]], title: str
) -> Chart:
    """A line per series over the cycles; categories are the cycle names in `header`, from column C."""
    chart = workbook.add_chart({"type": "line"})
    assert chart is not None
    for index, (name, row) in enumerate(series):
        colour = TREND_LINE_COLOURS[index % len(TREND_LINE_COLOURS)]
        line: dict[str, Any] = {"color": colour, "width": 2.25}
        if index >= len(TREND_LINE_COLOURS):
            line["dash_type"] = "dash"
        chart.add_series(
            {
                "name": name,
                "categories": [TRENDS_SHEET, header, 2, header, 1 + n_cycles],
                "values": [TRENDS_SHEET, row, 2, row, 1 + n_cycles],
                "line": line,
                "marker": {"type": "circle", "size": 6, "fill": {"color": colour}, "border": {"color": colour}},
            }
        )
    # A cycle someone was not rated in is bridged; the markers show the cycles that have a value.
    chart.show_blanks_as("span")
    chart.set_title({"name": title})
    chart.set_x_axis({"name": "Cycle"})
    chart.set_legend({"position": "right"})
    return chart


# -- Problems --------------------------------------------------------------------------------------


def _write_problems(workbook: Workbook, styles: _Styles, ctx: _Context) -> None:
    ws = ctx.bulk(workbook.add_worksheet("Problems"))
    problems = sort_problems(list(ctx.analysis.problems))
    errors = sum(1 for p in problems if p.severity == "error")
    _intro(
        ws,
        styles,
        f"Problems — {errors} error(s), {len(problems) - errors} warning(s); errors first",
        "Every problem found in the inputs, with where it is, the value found and what was expected.",
    )
    with_line = any(p.line is not None for p in problems)
    with_path = any(p.path for p in problems)
    columns = [
        _Column("Severity", 10),
        _Column("File", 30, "wrap"),
        _Column("Sheet", 16),
        _Column("Cell", 8),
        _Column("Value", 18, "wrap"),
        _Column("Expected", 22, "wrap"),
        _Column("Message", 60, "wrap"),
        _Column("Hint", 30, "wrap"),
    ]
    if with_line:
        columns.append(_Column("Line", 7, "integer"))
    if with_path:
        columns.append(_Column("Path", 30, "wrap"))
    rows: list[list[Any]] = []
    for p in problems:
        row: list[Any] = [
            _Cell(p.severity, styles.get(bg_color=SEVERITY_FILLS.get(p.severity, "#FFFFFF"), bold=True)),
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
    _table(ws, styles, columns, rows, freeze_cols=1)


__all__ = ["SELF_ASSESSMENT_SHEET", "SHEET_NAMES", "TRENDS_SHEET", "report_bytes"]
