"""Documents about one person: promotion packets for calibration sessions, and each employee's own report.

A packet (`write_packets`) is what a calibration session reads about one `ready` or `on_track`
candidate: ratings against the current and the next level, every criterion with its reason, the
evidence answers, the manager's comments, endorsement and calibration state — one printable sheet, and a
PDF beside it when LibreOffice is installed.

An employee report (`write_employee_reports`) is what that employee may read: their ratings, what the
next level looks like where they are furthest from it, their criteria in plain words and their history.
It holds nobody else's data: not their manager's name or id, not the manager's comments (written for HR,
they may mention colleagues), not the source workbook's name.

Both documents are one printable sheet built by the same `_Document` (rows of label, figures and text,
heights fitted to the wrapped text), which is why they share a module; PDFs come from `matrixkit.outputs.pdf`.

>>> import tempfile
>>> from matrixkit import load_frameworks
>>> from matrixkit.sources.roster import read_roster
>>> frameworks = load_frameworks(["templates/startup.yaml"])
>>> roster = read_roster("templates/rosters/startup.csv", frameworks)
>>> from matrixkit.run import analyze_workbooks
>>> from matrixkit.outputs.generate import generate_workbooks
>>> folder = Path(tempfile.mkdtemp())
>>> analysis = analyze_workbooks(generate_workbooks(frameworks, roster, "2026-Q4", folder), frameworks, roster=roster)
>>> write_packets(analysis, frameworks, folder / "packets")  # unrated workbooks: no one is a candidate yet
[]
>>> len(write_employee_reports(analysis, frameworks, folder / "reports", store=None))
22
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from matrixkit import __version__
from matrixkit.assess.results import (
    STATUS_WORDS,
    Analysis,
    CalibrationRow,
    CriterionResult,
    DevelopmentItem,
    EmployeeResult,
)
from matrixkit.errors import PdfConversionError
from matrixkit.fileio import atomic_write_bytes
from matrixkit.model.criteria import label_of, months_between
from matrixkit.model.cycles import parse_cycle
from matrixkit.model.framework import Framework, Level
from matrixkit.model.words import ReasonWords
from matrixkit.outputs.generate import safe_file_stem
from matrixkit.outputs.pdf import convert_to_pdf, soffice_path
from matrixkit.store.sqlite import Store, open_store
from matrixkit.workbook.styles import HEADER_FILL, RESULT_FILLS, STATUS_FILLS, document_date, new_workbook

PACKET_STATUSES = ("ready", "on_track")
PACKET_SHEET = "Packet"
REVIEW_SHEET = "Your review"
HISTORY_SHEET = "Your history"

# Six columns, the last one wide for descriptions: fits an A4 portrait page when shrunk to its width.
WIDTHS = (30, 14, 14, 14, 11, 60)
CHARS_PER_WIDTH = 1.15
LINE_HEIGHT = 15

RESULT_WORDS = {"met": "met", "not_met": "not met", "unknown": "unknown"}
PLAIN_RESULTS = {"met": "Met", "not_met": "Not met yet", "unknown": "Not known yet"}
YES_NO_WORDS = {True: "Yes", False: "No", None: "not answered"}


# -- promotion packets ------------------------------------------------------------------------------


def write_packets(
    analysis: Analysis, frameworks: Sequence[Framework], out_dir: str | Path, *, pdf: bool = True
) -> list[Path]:
    """One .xlsx per `ready` and `on_track` employee in `out_dir` (and a PDF beside each with LibreOffice).

    Returns every file written, sorted. PDFs are skipped silently when `soffice` is not on PATH (see
    `soffice_path`); when LibreOffice fails, the .xlsx files stay and `PdfConversionError` says which.

    >>> import tempfile
    >>> from matrixkit.run import analyze_workbooks
    >>> from matrixkit.model.framework import load_frameworks
    >>> from matrixkit.outputs.generate import generate_blank_matrix
    >>> frameworks = load_frameworks(["templates/engineering.yaml"])
    >>> folder = Path(tempfile.mkdtemp())
    >>> analysis = analyze_workbooks([generate_blank_matrix(frameworks[0], folder / "matrix.xlsx")], frameworks)
    >>> write_packets(analysis, frameworks, folder / "packets")  # a blank matrix: no ready or on_track candidate
    []
    """
    by_family = {fw.family.id: fw for fw in frameworks}
    candidates = [e for e in analysis.employees if e.status in PACKET_STATUSES and e.family in by_family]
    names = _file_names(candidates)
    calibration = {row.manager_id: row for row in analysis.calibration}
    documents: list[tuple[Path, bytes]] = []
    for e in candidates:
        data = packet_bytes(analysis, e, by_family[e.family], calibration.get(e.manager_id or ""))
        documents.append((Path(out_dir) / names[e.employee_id], data))
    return _write_all(documents, analysis.cycle, pdf=pdf)


def packet_bytes(
    analysis: Analysis, e: EmployeeResult, fw: Framework, manager_calibration: CalibrationRow | None = None
) -> bytes:
    """The packet .xlsx of one employee, byte-identical for identical inputs."""
    level = fw.level_by_id[e.level]
    following = fw.level_by_id[e.next_level] if e.next_level else None
    target = following.id if following else "—"
    with _document(f"Promotion packet {analysis.cycle or ''} — {e.name}".strip(), analysis.cycle) as doc:
        doc.start(PACKET_SHEET, landscape=False)
        doc.title(f"Promotion packet — {e.name} ({e.employee_id})")
        doc.note(
            f"Cycle {analysis.cycle or '?'} · {e.level} → {target} · status {e.status}. "
            "For the calibration session: confidential."
        )
        doc.heading("Who")
        doc.pairs(
            [
                ("Employee ID", e.employee_id),
                ("Name", e.name),
                ("Job family", fw.family.name),
                ("Track", fw.track_by_id[e.track].name if e.track in fw.track_by_id else e.track),
                ("Level", _level_label(level)),
                ("Next level", _level_label(following) if following else "top of the track"),
                ("Manager", _manager_label(e.manager_id, e.manager_name)),
                ("In level since", e.level_since.isoformat() if e.level_since else "not in the roster"),
                ("Status", doc.cell(STATUS_WORDS[e.status], doc.status(e.status))),
                ("Average", None if e.average is None else round(e.average, 2)),
                ("Lowest", e.lowest),
            ]
        )
        doc.heading(f"Ratings against {e.level} and {target}")
        rows: list[list[Any]] = []
        for comp in fw.competencies_at(e.level):
            rating = e.ratings.get(comp.id)
            now = level.expected.get(comp.id)
            nxt = following.expected.get(comp.id) if following else None
            gap = rating is not None and nxt is not None and rating < nxt
            rows.append(
                [
                    comp.name,
                    _scale_label(fw, rating) if rating is not None else "not rated",
                    now,
                    nxt,
                    doc.cell(rating - nxt, doc.signed) if rating is not None and nxt is not None else None,
                    (fw.description(comp.id, following.id) or "").strip() if gap and following else None,
                ]
            )
        doc.table(
            [
                "Competency",
                "Rating",
                f"Expected at {e.level}",
                f"Expected at {target}",
                f"Against {target}",
                f"What {target} looks like (where below it)",
            ],
            rows,
        )
        doc.heading("Promotion criteria")
        words = ReasonWords(fw)
        doc.table(
            ["Criterion", "Result", "", "", "", "Reason"],
            [
                [
                    label_of(c.criterion),
                    doc.cell(RESULT_WORDS[c.result], doc.result(c.result)),
                    None,
                    None,
                    None,
                    words(c.detail),
                ]
                for c in e.criteria
            ],
            merge_middle=True,
        )
        required = fw.criteria_for(e.level)
        if fw.evidence:
            doc.heading("Evidence")
            doc.table(
                ["Evidence", "Answer", "Required", "", "", ""],
                [
                    [
                        item.prompt,
                        YES_NO_WORDS[e.evidence.get(item.id)],
                        "yes" if item.id in (required.evidence or ()) else "no",
                        None,
                        None,
                        None,
                    ]
                    for item in fw.evidence
                ],
            )
        if fw.metrics:
            doc.heading("Metrics")
            thresholds = required.metrics_at_least or {}
            doc.table(
                ["Metric", "Value", "Required at least", "", "", ""],
                [
                    [metric.name, e.metrics.get(metric.id), thresholds.get(metric.id), None, None, None]
                    for metric in fw.metrics
                ],
            )
        doc.heading("Endorsement and calibration")
        calibration = next((c for c in e.criteria if c.criterion == "calibration"), None)
        doc.pairs(
            [
                ("Manager endorsement", YES_NO_WORDS[e.endorsement]),
                (
                    "Calibration",
                    f"{RESULT_WORDS[calibration.result]}: {words(calibration.detail)}"
                    if calibration
                    else "not a criterion for this level",
                ),
                ("Manager's ratings", _manager_calibration(manager_calibration)),
            ]
        )
        doc.heading("Manager's comments")
        doc.paragraph(e.comments or "No comments.")
        return doc.finish()


def _manager_calibration(row: CalibrationRow | None) -> str:
    if row is None or row.deviation is None:
        return "not calibrated (no complete team to compare)"
    flag = row.flag or "within range"
    return f"{flag}: {row.deviation:+.2f} against the organisation's gap to the role profile ({row.rated} rated)"


# -- employee reports --------------------------------------------------------------------------------


def write_employee_reports(
    analysis: Analysis,
    frameworks: Sequence[Framework],
    out_dir: str | Path,
    store: str | Path | Store | None = None,
) -> list[Path]:
    """One .xlsx per employee in `out_dir`, holding that employee's data only; returns the paths, sorted.

    With a history `store` (a path or an open `Store`), each report adds the employee's status, average
    and ratings per stored cycle.

    >>> import tempfile
    >>> from matrixkit.run import analyze_workbooks
    >>> from matrixkit.model.framework import load_frameworks
    >>> from matrixkit.sources.roster import read_roster
    >>> from matrixkit.outputs.generate import generate_workbooks
    >>> frameworks = load_frameworks(["templates/startup.yaml"])
    >>> roster = read_roster("templates/rosters/startup.csv", frameworks)
    >>> folder = Path(tempfile.mkdtemp())
    >>> analysis = analyze_workbooks(generate_workbooks(frameworks, roster, "2026-Q4", folder), frameworks)
    >>> write_employee_reports(analysis, frameworks, folder / "reports")[0].name
    'ST-001_Ingrid-Lvaas.xlsx'
    """
    by_family = {fw.family.id: fw for fw in frameworks}
    employees = [e for e in analysis.employees if e.family in by_family]
    names = _file_names(employees)
    development: dict[str, list[DevelopmentItem]] = {}
    for item in analysis.development:
        development.setdefault(item.employee_id, []).append(item)
    documents: list[tuple[Path, bytes]] = []
    with _history(store) as history:
        for e in employees:
            past = history.employee_history(e.employee_id) if history is not None and e.status != "conflict" else None
            data = employee_report_bytes(
                analysis.cycle, e, by_family[e.family], development.get(e.employee_id, []), past
            )
            documents.append((Path(out_dir) / names[e.employee_id], data))
    return _write_all(documents, analysis.cycle, pdf=False)


@contextmanager
def _history(store: str | Path | Store | None) -> Iterator[Store | None]:
    if store is None or isinstance(store, Store):
        yield store
        return
    with open_store(store) as opened:
        yield opened


def _development_table(doc: _Document, fw: Framework, level_id: str, items: Sequence[DevelopmentItem]) -> None:
    doc.table(
        ["Competency", "Your rating", f"Expected at {level_id}", "", "", f"What {level_id} looks like"],
        [
            [
                fw.competency_by_id[d.competency].name if d.competency in fw.competency_by_id else d.competency,
                d.rating,
                d.expected,
                None,
                None,
                d.description,
            ]
            for d in items
        ],
        merge_middle=True,
    )


def employee_report_bytes(
    cycle: str | None,
    e: EmployeeResult,
    fw: Framework,
    development: Sequence[DevelopmentItem],
    history: Sequence[dict[str, Any]] | None = None,
) -> bytes:
    """One employee's own report .xlsx: only fields of `e` that are about them, never their manager's."""
    level = fw.level_by_id[e.level]
    following = fw.level_by_id[e.next_level] if e.next_level else None
    with _document(f"Your review {cycle or ''} — {e.name}".strip(), cycle) as doc:
        doc.start(REVIEW_SHEET, landscape=False)
        doc.title(f"Your review — {e.name}")
        doc.note(f"Cycle {cycle or '?'}. This report is about you only; ask HR if something looks wrong.")
        doc.pairs(
            [
                ("Employee ID", e.employee_id),
                ("Job family", fw.family.name),
                ("Track", fw.track_by_id[e.track].name if e.track in fw.track_by_id else e.track),
                ("Your level", _level_label(level)),
                ("Next level", _level_label(following) if following else "you are at the top of your track"),
                ("Where you stand", _plain_status(e)),
            ]
        )
        if e.status == "conflict":
            return doc.finish()
        if e.average is not None:
            doc.pairs([("Your average rating", round(e.average, 2))])
        target = following.id if following else e.level
        doc.heading("Your ratings")
        rows: list[list[Any]] = []
        for comp in fw.competencies_at(e.level):
            rating = e.ratings.get(comp.id)
            now = level.expected.get(comp.id)
            nxt = following.expected.get(comp.id) if following else None
            rows.append(
                [
                    comp.name,
                    rating,
                    _scale_label(fw, rating) if rating is not None else "not rated yet",
                    now,
                    nxt,
                    _standing(rating, now, nxt),
                ]
            )
        doc.table(
            [
                "Competency",
                "Your rating",
                "Meaning",
                f"Expected at {e.level}",
                f"Expected at {following.id}" if following else "Next level",
                "Where you stand",
            ],
            rows,
        )
        below_current = [d for d in development if d.below_current]
        to_grow = [d for d in development if not d.below_current]
        if below_current:  # first: where they are below what their own level expects
            doc.heading(f"First: below what {e.level} expects, and how {e.level} looks there")
            _development_table(doc, fw, e.level, below_current)
        doc.heading(f"What to grow next: how {target} looks where you are furthest from it")
        if to_grow:
            _development_table(doc, fw, target, to_grow)
        elif below_current:
            doc.paragraph(f"Nothing else below {target}'s expectations.")
        else:
            doc.paragraph(
                "Nothing below the next level's expectations."
                if e.average is not None
                else "Shown once every rating is in."
            )
        if e.criteria:
            doc.heading(f"Promotion criteria for {target}, in plain words")
            doc.table(
                ["What is checked", "Result", "", "", "", "Why"],
                [
                    [
                        label_of(c.criterion),
                        doc.cell(PLAIN_RESULTS[c.result], doc.result(c.result)),
                        None,
                        None,
                        None,
                        _plain_reason(fw, e, c, cycle),
                    ]
                    for c in e.criteria
                ],
                merge_middle=True,
            )
        if history is not None:
            _write_history(doc, fw, e, history)
        return doc.finish()


def _write_history(doc: _Document, fw: Framework, e: EmployeeResult, history: Sequence[dict[str, Any]]) -> None:
    doc.start(HISTORY_SHEET, landscape=True)
    doc.title(f"Your history — {e.name}")
    doc.note("Every review cycle the history store holds for you, oldest first.")
    ids = [c.id for c in fw.competencies_for(e.track)]
    ids += sorted({c for h in history for c in h.get("ratings", {})} - set(ids))
    headers = ["Cycle", "Level", "Status", "Average"] + [
        fw.competency_by_id[c].name if c in fw.competency_by_id else c for c in ids
    ]
    doc.set_widths([12, 10, 14, 10] + [12] * len(ids))
    rows = [
        [h.get("cycle"), h.get("level"), doc.cell(h.get("status"), doc.status(str(h.get("status")))), h.get("average")]
        + [h.get("ratings", {}).get(c) for c in ids]
        for h in history
    ]
    doc.table(headers, rows)


def _plain_status(e: EmployeeResult) -> str:
    following = e.next_level or ""
    return {
        "ready": f"You meet every criterion for {following}.",
        "on_track": f"Your ratings meet the bar for {following}; some other criteria are not met or not known yet.",
        "not_ready": f"Some of your ratings are not yet at the bar for {following}: see what to grow next.",
        "incomplete": "Your review is not complete yet: some ratings are missing.",
        "top_of_track": "You are at the top of your track: your ratings are compared with your own level.",
        "conflict": "Your review is not final yet: HR is resolving a question about your ratings.",
    }[e.status]


def _standing(rating: int | None, now: int | None, nxt: int | None) -> str | None:
    if rating is None:
        return None
    if nxt is not None and rating >= nxt:
        return "at or above the next level"
    if now is not None and rating >= now:
        return "meets your level" + (", below the next" if nxt is not None else "")
    if now is not None:
        return "below your level"
    return None


def _plain_reason(fw: Framework, e: EmployeeResult, c: CriterionResult, cycle: str | None) -> str:
    """The criterion's reason with names instead of ids; only this employee's own values."""
    criteria = fw.criteria_for(e.level)
    names = {comp.id: comp.name for comp in fw.competencies}
    key = c.criterion
    if key == "average_at_least" and e.average is not None and criteria.average_at_least is not None:
        return f"Your average is {e.average:.2f}; the bar is {criteria.average_at_least:g}."
    if key == "each_at_least" and e.lowest is not None and criteria.each_at_least is not None:
        below = [names.get(i, i) for i, r in e.ratings.items() if r < criteria.each_at_least]
        text = f"Your lowest rating is {e.lowest}; no rating may be below {criteria.each_at_least:g}."
        return text + (f" Below it: {', '.join(below)}." if below else "")
    if key == "next_level_gaps_at_most" and e.average is not None and criteria.next_level_gaps_at_most is not None:
        gaps = [names.get(i, i) for i in e.next_level_gaps]
        text = f"{len(gaps)} of your competencies below {e.next_level}'s expectations"
        text += f" ({', '.join(gaps)})" if gaps else ""
        return f"{text}; at most {criteria.next_level_gaps_at_most} allowed."
    if key == "evidence":
        prompts = {item.id: item.prompt for item in fw.evidence}
        return (
            "; ".join(f"{prompts.get(i, i)}: {YES_NO_WORDS[e.evidence.get(i)]}" for i in criteria.evidence or ())
            or c.detail
        )
    if key == "metrics_at_least":
        metric_names = {m.id: m.name for m in fw.metrics}
        parts = []
        for metric_id, threshold in (criteria.metrics_at_least or {}).items():
            value = e.metrics.get(metric_id)
            shown = "not entered" if value is None else f"{value:g}"
            parts.append(f"{metric_names.get(metric_id, metric_id)}: {shown} (at least {threshold:g})")
        return "; ".join(parts) or c.detail
    if key == "endorsement":
        return f"Manager endorsement: {YES_NO_WORDS[e.endorsement]}."
    if key == "months_in_level_at_least" and criteria.months_in_level_at_least is not None:
        needed = criteria.months_in_level_at_least
        if e.level_since is None:
            return f"HR has no date for when you reached {e.level}; {needed} months are needed."
        if cycle is not None:
            months = months_between(e.level_since, parse_cycle(cycle).end)
            return f"{months} months at {e.level} since {e.level_since.isoformat()}; {needed} needed."
    if key == "calibration":
        return {
            "met": "Confirmed in the calibration session.",
            "not_met": "Not confirmed in the calibration session.",
            "unknown": "The calibration session has not confirmed it yet.",
        }[c.result]
    return c.detail


# -- shared: names, documents, writing ----------------------------------------------------------------


def _file_names(employees: Sequence[EmployeeResult]) -> dict[str, str]:
    """employee id → file name from the id and name, safe on every OS; a clash gets -2, -3…"""
    names: dict[str, str] = {}
    taken: dict[str, int] = {}
    for e in sorted(employees, key=lambda e: e.employee_id):
        identifier = safe_file_stem(e.employee_id, 30)
        name = safe_file_stem(e.name)
        stem = f"{identifier}_{name}" if e.name and name != "workbook" else identifier
        count = taken.get(stem.casefold(), 0) + 1
        taken[stem.casefold()] = count
        names[e.employee_id] = f"{stem}-{count}.xlsx" if count > 1 else f"{stem}.xlsx"
    return names


def _level_label(level: Level) -> str:
    return f"{level.id} — {level.title}"


def _scale_label(fw: Framework, rating: int) -> str:
    label = fw.scale.labels.get(rating)
    return f"{rating} — {label}" if label else str(rating)


def _manager_label(manager_id: str | None, manager_name: str | None) -> str:
    if manager_id and manager_name and manager_name != manager_id:
        return f"{manager_name} ({manager_id})"
    return manager_name or manager_id or "(no manager)"


@dataclass(frozen=True)
class _Cell:
    value: Any
    fmt: Format | None


class _Document:
    """A printable workbook written top to bottom: titles, label/value pairs, small tables, paragraphs."""

    def __init__(self, workbook: Workbook, buffer: io.BytesIO) -> None:
        self.workbook, self.buffer = workbook, buffer
        self._formats: dict[tuple[tuple[str, Any], ...], Format] = {}
        self.ws: Worksheet | None = None
        self.row = 0
        self.widths: list[float] = list(WIDTHS)
        self.title_fmt = self.fmt(bold=True, font_size=14, font_color=HEADER_FILL)
        self.heading_fmt = self.fmt(bold=True, font_size=12, font_color=HEADER_FILL)
        self.note_fmt = self.fmt(italic=True, font_color="#595959")
        self.header = self.fmt(
            bold=True, text_wrap=True, font_color="#FFFFFF", bg_color=HEADER_FILL, border=1, border_color="#BFBFBF"
        )
        self.label = self.fmt(bold=True, border=1, border_color="#BFBFBF")
        self.text = self.fmt(text_wrap=True, border=1, border_color="#BFBFBF")
        self.number = self.fmt(border=1, border_color="#BFBFBF", num_format="0.##", align="left")
        self.signed = self.fmt(border=1, border_color="#BFBFBF", num_format="+0;-0;0", align="center")
        self.paragraph_fmt = self.fmt(text_wrap=True)

    def fmt(self, **props: Any) -> Format:
        key = tuple(sorted(props.items()))
        if key not in self._formats:
            self._formats[key] = self.workbook.add_format(
                {"font_name": "Calibri", "font_size": 11, "valign": "top", **props}
            )
        return self._formats[key]

    def cell(self, value: Any, fmt: Format) -> _Cell:
        return _Cell(value, fmt)

    def status(self, status: str) -> Format:
        return self.fmt(bold=True, border=1, border_color="#BFBFBF", bg_color=STATUS_FILLS.get(status, "#FFFFFF"))

    def result(self, result: str) -> Format:
        return self.fmt(border=1, border_color="#BFBFBF", bg_color=RESULT_FILLS.get(result, "#FFFFFF"))

    def start(self, name: str, *, landscape: bool) -> None:
        ws = self.workbook.add_worksheet(name)
        self.ws, self.row = ws, 0
        self.set_widths(WIDTHS)
        ws.set_paper(9)  # A4
        if landscape:
            ws.set_landscape()
        else:
            ws.set_portrait()
        ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
        ws.fit_to_pages(1, 0)
        ws.hide_gridlines(2)

    def set_widths(self, widths: Sequence[float]) -> None:
        self.widths = list(widths)
        for col, width in enumerate(widths):
            self.sheet.set_column(col, col, width)

    @property
    def sheet(self) -> Worksheet:
        assert self.ws is not None, "start() a sheet first"
        return self.ws

    def put(self, row: int, col: int, value: Any, fmt: Format | None) -> None:
        """Text only ever as text (a name `=1+1` stays a name), numbers as numbers, None blank."""
        if isinstance(value, _Cell):
            value, fmt = value.value, value.fmt
        if value is None or (isinstance(value, float) and not math.isfinite(value)):  # no cell holds NaN/inf
            self.sheet.write_blank(row, col, None, fmt)
        elif isinstance(value, bool):
            self.sheet.write_string(row, col, "Yes" if value else "No", fmt)
        elif isinstance(value, int | float):
            self.sheet.write_number(row, col, value, fmt)
        else:
            self.sheet.write_string(row, col, str(value), fmt)

    def title(self, text: str) -> None:
        self.sheet.write_string(self.row, 0, text, self.title_fmt)
        self.row += 1

    def note(self, text: str) -> None:
        self.sheet.write_string(self.row, 0, text, self.note_fmt)
        self.row += 1

    def heading(self, text: str) -> None:
        self.row += 1
        self.sheet.write_string(self.row, 0, text, self.heading_fmt)
        self.row += 1

    def pairs(self, items: Sequence[tuple[str, Any]]) -> None:
        """Label in A, value across B:F."""
        last = len(self.widths) - 1
        for label, value in items:
            self.sheet.write_string(self.row, 0, label, self.label)
            fmt = (
                value.fmt if isinstance(value, _Cell) else self.number if isinstance(value, int | float) else self.text
            )
            self.sheet.merge_range(self.row, 1, self.row, last, "", fmt)
            self.put(self.row, 1, value, fmt)
            self._fit(self.row, [(value, sum(self.widths[1:]))])
            self.row += 1

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[Any]], *, merge_middle: bool = False) -> None:
        """A header row and the rows; an empty header leaves its column out of the table (for long text)."""
        used = [i for i, h in enumerate(headers) if h]
        spans = self._spans(headers) if merge_middle else {i: i for i in used}
        for col in used:
            self._write_span(self.row, col, spans[col], headers[col], self.header)
        self._fit(self.row, [(headers[c], self._width(c, spans[c])) for c in used], factor=0.85)
        self.row += 1
        if not rows:
            self._write_span(self.row, 0, spans[0], "None", self.text)
            self.row += 1
            return
        for values in rows:
            for col in used:
                value = values[col]
                plain = self.number if isinstance(value, int | float) and not isinstance(value, bool) else self.text
                self._write_span(self.row, col, spans[col], value, plain)
            self._fit(self.row, [(values[c], self._width(c, spans[c])) for c in used])
            self.row += 1

    def paragraph(self, text: str) -> None:
        last = len(self.widths) - 1
        self.sheet.merge_range(self.row, 0, self.row, last, "", self.paragraph_fmt)
        self.sheet.write_string(self.row, 0, text, self.paragraph_fmt)
        self._fit(self.row, [(text, sum(self.widths))])
        self.row += 1

    def _spans(self, headers: Sequence[str]) -> dict[int, int]:
        """Each used column spans the unused ones to its right."""
        used = [i for i, h in enumerate(headers) if h]
        return {col: (used[n + 1] - 1 if n + 1 < len(used) else col) for n, col in enumerate(used)}

    def _width(self, first: int, last: int) -> float:
        return sum(self.widths[first : last + 1])

    def _write_span(self, row: int, first: int, last: int, value: Any, fmt: Format | None) -> None:
        cell_fmt = value.fmt if isinstance(value, _Cell) and value.fmt is not None else fmt
        if last > first:
            self.sheet.merge_range(row, first, row, last, "", cell_fmt)
        self.put(row, first, value.value if isinstance(value, _Cell) else value, cell_fmt)

    def _fit(self, row: int, cells: Sequence[tuple[Any, float]], factor: float = 1.0) -> None:
        """Row height for wrapped text: not every program grows rows on load, and merged cells never grow."""
        lines = 1
        for value, width in cells:
            text = value.value if isinstance(value, _Cell) else value
            if isinstance(text, str):
                per_line = max(1, int(width * factor * CHARS_PER_WIDTH))
                lines = max(lines, sum(max(1, -(-len(part) // per_line)) for part in text.split("\n")))
        if lines > 1:
            self.sheet.set_row(row, LINE_HEIGHT * lines)

    def finish(self) -> bytes:
        self.workbook.close()
        return self.buffer.getvalue()


@contextmanager
def _document(title: str, cycle: str | None) -> Iterator[_Document]:
    buffer = io.BytesIO()
    workbook = new_workbook(
        buffer, title=title, comments=f"Written by matrixkit {__version__}", created=document_date(cycle)
    )
    yield _Document(workbook, buffer)


def _write_all(documents: Sequence[tuple[Path, bytes]], cycle: str | None, *, pdf: bool) -> list[Path]:
    written: list[Path] = []
    for path, data in documents:
        atomic_write_bytes(path, data)
        written.append(path)
    soffice = soffice_path() if pdf else None
    if soffice is not None and documents:
        try:
            written.extend(convert_to_pdf(documents, soffice, document_date(cycle)))
        except PdfConversionError as exc:
            raise PdfConversionError(exc.files, exc.reason, [*written, *exc.written]) from None
    return sorted(written)
