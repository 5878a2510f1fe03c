"""Author a framework in a spreadsheet: export YAML → xlsx for HR and managers to edit, import it back.

The import builds the same plain data a YAML file holds and loads it through the same path
(`framework_from_document`), so a workbook gets exactly the checks a YAML file gets; every problem is
then located at the sheet and cell it came from. A round trip YAML → xlsx → YAML gives back a
framework equal to the original.

>>> import tempfile
>>> from matrixkit.model.framework import load_framework
>>> workbook = Path(tempfile.mkdtemp()) / "engineering.xlsx"
>>> _ = export_framework(load_framework("templates/engineering.yaml"), workbook)
>>> result = import_framework_workbook(workbook)
>>> result.framework.fingerprint == load_framework("templates/engineering.yaml").fingerprint
True
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from matrixkit.errors import FrameworkError, MatrixkitError, UnsafeFileError, WorkbookImportError, YamlSyntaxError
from matrixkit.fileio import atomic_write_bytes
from matrixkit.intake.safety import Limits, scan_file
from matrixkit.model.framework import CRITERIA_KEYS, SCHEMA_VERSION, Criteria, Framework, framework_from_document
from matrixkit.model.problems import Problem, has_errors, sort_problems
from matrixkit.model.words import describe_criteria
from matrixkit.sources.yamldoc import Loc, YamlDocument, format_path, parse_yaml
from matrixkit.workbook.layout import cell_ref
from matrixkit.workbook.writer import document_date, new_workbook

# -- the workbook's layout, shared by export and import --------------------------------------------

INSTRUCTIONS_SHEET = "Instructions"
FAMILY_SHEET = "Family & scale"
LEVELS_SHEET = "Levels"
COMPETENCIES_SHEET = "Competencies"
DESCRIPTIONS_SHEET = "Descriptions"
PROFILES_SHEET = "Role profiles"
CRITERIA_SHEET = "Criteria"
EVIDENCE_SHEET = "Evidence"
METRICS_SHEET = "Metrics"
LATERAL_SHEET = "Lateral paths"
SHEETS = (
    FAMILY_SHEET,
    LEVELS_SHEET,
    COMPETENCIES_SHEET,
    DESCRIPTIONS_SHEET,
    PROFILES_SHEET,
    CRITERIA_SHEET,
    EVIDENCE_SHEET,
    METRICS_SHEET,
    LATERAL_SHEET,
)

FIELD_SCHEMA, FIELD_ID, FIELD_NAME, FIELD_VERSION = "Schema version", "Family id", "Family name", "Version"
FIELD_MIN, FIELD_MAX, FIELD_LABEL = "Scale min", "Scale max", "Label"
LEVEL_COLUMNS = ("Track id", "Track name", "Entry from", "Entry to", "Level id", "Title", "Scope", "Equivalent")
COMPETENCY_COLUMNS = ("Id", "Name", "Kind", "Tracks", "Weight")
EVIDENCE_COLUMNS = ("Id", "Prompt")
METRIC_COLUMNS = ("Id", "Name", "Min", "Max")
LATERAL_COLUMNS = ("From level", "To (family:level)", "Transferable", "Note")
CRITERIA_OWNER, CRITERIA_TARGET, CRITERIA_MEANING = "Criteria for", "Level or track", "Meaning (not read back)"
CRITERIA_WORDS = "Effective criteria at export (not read back)"
CRITERIA_COLUMNS = (CRITERIA_OWNER, CRITERIA_TARGET, CRITERIA_MEANING, *CRITERIA_KEYS, CRITERIA_WORDS)
OWNER_DEFAULT, OWNER_LEVEL, OWNER_ENTRY = "default", "level", "entry"
GRID_ID_DESCRIPTIONS, GRID_NAME_DESCRIPTIONS = "Competency id", "Competency (not read back)"
GRID_ID_PROFILES, GRID_NAME_PROFILES = "Level id", "Title (not read back)"
TITLES_ROW_MARK = "titles →"
NAMES_ROW_MARK = "names →"
KINDS = ("core", "functional", "leadership")
# A criterion present in a level's override that clears the default, as opposed to a blank (not set).
CLEARED = "none"
YES_WORDS, NO_WORDS = ("yes", "y", "true", "1"), ("no", "n", "false", "0")
SPARE_ROWS = 200

_INT_KEYS = ("next_level_gaps_at_most", "sustained_cycles", "months_in_level_at_least")
_NUMBER_KEYS = ("average_at_least", "each_at_least")
_BOOL_KEYS = ("endorsement", "calibration")
_CRITERIA_HELP = {
    "average_at_least": "Mean rating at least this (e.g. 3.5).",
    "each_at_least": "No rating below this (e.g. 3).",
    "next_level_gaps_at_most": "At most this many competencies below the next level's expected value.",
    "sustained_cycles": "Rating criteria met this many consecutive cycles.",
    "months_in_level_at_least": "Whole months in the level.",
    "evidence": "Evidence ids that must be Yes, comma-separated (see the Evidence sheet).",
    "metrics_at_least": "metric_id: value, comma-separated (e.g. quota: 100).",
    "endorsement": "yes: manager endorsement required.",
    "calibration": "yes: confirmed in a calibration session.",
}
_CLEAR_HELP = " Blank: not set (a level inherits the default). none: explicitly not checked."


# -- export ----------------------------------------------------------------------------------------


def export_framework(fw: Framework, path: str | Path) -> Path:
    """Write `fw` as an editable authoring workbook (atomically); return the path.

    >>> import tempfile
    >>> from matrixkit.model.framework import load_framework
    >>> folder = Path(tempfile.mkdtemp())
    >>> export_framework(load_framework("templates/sales.yaml"), folder / "sales.xlsx").name
    'sales.xlsx'
    """
    atomic_write_bytes(path, framework_workbook_bytes(fw))
    return Path(path)


def framework_workbook_bytes(fw: Framework) -> bytes:
    """The authoring workbook as bytes; the same framework always gives the same bytes."""
    buffer = io.BytesIO()
    workbook = new_workbook(
        buffer,
        title=f"{fw.family.name} framework {fw.family.version} (authoring)",
        comments="Edit, then: matrixkit framework import THIS.xlsx -o FRAMEWORK.yaml",
        created=document_date(None),
    )
    styles = _Styles(workbook)
    _write_instructions(workbook, styles, fw)
    _write_family(workbook, styles, fw)
    _write_levels(workbook, styles, fw)
    _write_competencies(workbook, styles, fw)
    _write_descriptions(workbook, styles, fw)
    _write_profiles(workbook, styles, fw)
    _write_criteria(workbook, styles, fw)
    _write_table(
        workbook,
        styles,
        EVIDENCE_SHEET,
        EVIDENCE_COLUMNS,
        [[e.id, e.prompt] for e in fw.evidence],
        widths=(24, 80),
        help_=("Unique id, used in the criteria's evidence column.", "The Yes/No question a manager confirms."),
    )
    _write_table(
        workbook,
        styles,
        METRICS_SHEET,
        METRIC_COLUMNS,
        [[m.id, m.name, m.min, m.max] for m in fw.metrics],
        widths=(24, 40, 12, 12),
        help_=("Unique id, used in metrics_at_least.", "Column header in the ratings workbook.", "", ""),
    )
    _write_table(
        workbook,
        styles,
        LATERAL_SHEET,
        LATERAL_COLUMNS,
        [[p.from_, p.to, _join(p.transferable) if p.transferable else None, p.note] for p in fw.lateral_paths],
        widths=(14, 22, 40, 70),
        help_=(
            "A level of this family.",
            "family_id:level_id in another framework file.",
            "Competency ids, comma-separated.",
            "",
        ),
    )
    workbook.close()
    return buffer.getvalue()


class _Styles:
    def __init__(self, workbook: Workbook) -> None:
        base = {"font_name": "Calibri", "font_size": 11, "valign": "top"}
        add = workbook.add_format
        self.header = add(
            {**base, "bold": True, "text_wrap": True, "font_color": "#FFFFFF", "bg_color": "#1F3864", "border": 1}
        )
        self.reference = add(
            {**base, "italic": True, "font_color": "#595959", "bg_color": "#F2F2F2", "text_wrap": True}
        )
        self.text = add({**base, "text_wrap": True})
        self.number = add({**base, "num_format": "General", "align": "left"})
        self.na = add({**base, "text_wrap": True, "bg_color": "#D9D9D9", "font_color": "#7F7F7F"})
        self.center = add({**base, "align": "center"})
        self.na_center = add({**base, "align": "center", "bg_color": "#D9D9D9"})
        self.title = add({"bold": True, "font_size": 16, "font_color": "#1F3864"})
        self.heading = add({"bold": True, "font_size": 12, "font_color": "#1F3864"})
        self.wrap = add({"text_wrap": True, "valign": "top"})


def _write_cell(ws: Worksheet, row: int, col: int, value: Any, fmt: Format | None = None) -> None:
    """Text always as text (never a formula), numbers as numbers, None as an empty cell."""
    if value is None:
        if fmt is not None:
            ws.write_blank(row, col, None, fmt)
    elif isinstance(value, bool):
        ws.write_string(row, col, "yes" if value else "no", fmt)
    elif isinstance(value, int | float):
        ws.write_number(row, col, _number_out(value), fmt)
    else:
        ws.write_string(row, col, str(value), fmt)


def _number_out(value: float) -> float:
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _join(items: Sequence[str]) -> str:
    return ", ".join(items)


def _header(ws: Worksheet, styles: _Styles, columns: Sequence[str], help_: Sequence[str] = ()) -> None:
    for col, name in enumerate(columns):
        ws.write_string(0, col, name, styles.header)
        text = help_[col] if col < len(help_) else ""
        if text:
            ws.write_comment(0, col, text, {"x_scale": 2, "y_scale": 1.2})
    ws.freeze_panes(1, 0)


def _row_height(texts: Sequence[str | None], width: float) -> float | None:
    lines = 1
    for text in texts:
        if not text:
            continue
        per_line = max(1, int(width * 1.1))
        count = sum(max(1, math.ceil(len(part) / per_line)) for part in text.split("\n"))
        lines = max(lines, count)
    return min(409.0, 15.0 * lines) if lines > 1 else None


def _write_table(
    workbook: Workbook,
    styles: _Styles,
    name: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    widths: Sequence[float],
    help_: Sequence[str] = (),
) -> Worksheet:
    ws = workbook.add_worksheet(name)
    _header(ws, styles, columns, help_)
    for col, width in enumerate(widths):
        ws.set_column(col, col, width, styles.text)
    for r, values in enumerate(rows, start=1):
        for col, value in enumerate(values):
            _write_cell(ws, r, col, value, styles.text)
        heights = [
            _row_height([value], widths[col]) or 0.0
            for col, value in enumerate(values[: len(widths)])
            if isinstance(value, str)
        ]
        height = max(heights, default=0.0)
        if height:
            ws.set_row(r, height)
    return ws


def _write_instructions(workbook: Workbook, styles: _Styles, fw: Framework) -> None:
    ws = workbook.add_worksheet(INSTRUCTIONS_SHEET)
    ws.set_column(0, 0, 110, styles.wrap)
    lines: list[tuple[str, Format | None]] = [
        (f"{fw.family.name} career framework, version {fw.family.version}: authoring workbook", styles.title),
        (
            "Edit the white cells, save (as .xlsx, or .ods in LibreOffice), then turn the workbook back into the "
            "framework file:",
            None,
        ),
        ("    matrixkit framework import THIS.xlsx -o framework.yaml", styles.heading),
        (
            "The import checks everything `matrixkit lint` checks and names the sheet and cell of each problem; "
            "nothing is written while there is an error. Grey, italic cells and columns marked "
            "'not read back' are for reference only: edit the sheet where the item is defined.",
            None,
        ),
        ("", None),
        ("Sheets", styles.heading),
        (f"{FAMILY_SHEET}: the family's id, name and version, and the rating scale with a label per value.", None),
        (
            f"{LEVELS_SHEET}: one row per level, lowest first within each track. Track name and the entry (crossover) "
            "levels are the track's: the same on each of its rows (blank rows repeat the first). Equivalent: a level "
            "of another track with the same status and pay.",
            None,
        ),
        (
            f"{COMPETENCIES_SHEET}: id, name, kind (core, functional or leadership), tracks (ids, comma-separated; "
            "blank = every track) and weight (blank = 1).",
            None,
        ),
        (
            f"{DESCRIPTIONS_SHEET}: the observable behaviour for each competency (row) at each level (column); grey "
            "cells are levels of a track the competency does not apply to. Line breaks in a cell are kept.",
            None,
        ),
        (
            f"{PROFILES_SHEET}: the proficiency each level (row) expects in each competency (column), "
            f"{fw.scale.min}–{fw.scale.max}; blank = not expected.",
            None,
        ),
        (
            f"{CRITERIA_SHEET}: one row for the family's default promotion criteria, one per level (its override "
            "for leaving that level: a key set here replaces the default's) and one per track entry. Blank = not "
            "set; the word `none` = explicitly not checked (a level's `none` switches off the default's value).",
            None,
        ),
        (
            f"{EVIDENCE_SHEET}, {METRICS_SHEET}, {LATERAL_SHEET}: the Yes/No evidence items, numeric metrics and "
            "moves to other job families.",
            None,
        ),
        ("", None),
        ("Ids", styles.heading),
        (
            "Ids use letters, digits, '_', '-' or '.', starting with a letter or digit. Renaming an id means "
            "renaming it everywhere it is used (grid headers, criteria, equivalent, lateral paths). Lists are "
            "comma-separated.",
            None,
        ),
    ]
    for row, (text, fmt) in enumerate(lines):
        if text:
            ws.write_string(row, 0, text, fmt)
    ws.activate()


def _write_family(workbook: Workbook, styles: _Styles, fw: Framework) -> None:
    ws = workbook.add_worksheet(FAMILY_SHEET)
    _header(ws, styles, ("Field", "Value", "Notes"))
    ws.set_column(0, 0, 18, styles.text)
    ws.set_column(1, 1, 40, styles.text)
    ws.set_column(2, 2, 70, styles.wrap)
    rows: list[tuple[str, Any, str]] = [
        (FIELD_SCHEMA, SCHEMA_VERSION, "Do not change."),
        (FIELD_ID, fw.family.id, "Used in lateral paths of other families (family_id:level_id)."),
        (FIELD_NAME, fw.family.name, ""),
        (FIELD_VERSION, fw.family.version, "Raise it for each published change, e.g. 2027.1."),
        (FIELD_MIN, fw.scale.min, "Lowest rating."),
        (FIELD_MAX, fw.scale.max, "Highest rating."),
    ]
    values = sorted(set(fw.scale.values) | set(fw.scale.labels))
    for value in values:
        rows.append((f"{FIELD_LABEL} {value}", fw.scale.labels.get(value), "Blank: no label."))
    for r, (name, value, note) in enumerate(rows, start=1):
        ws.write_string(r, 0, name, styles.reference)
        _write_cell(ws, r, 1, value, styles.text)
        if note:
            ws.write_string(r, 2, note, styles.reference)


def _write_levels(workbook: Workbook, styles: _Styles, fw: Framework) -> None:
    rows = [
        [
            track.id,
            track.name,
            track.entry.from_ if track.entry else None,
            track.entry.to if track.entry else None,
            level.id,
            level.title,
            level.scope,
            level.equivalent,
        ]
        for track in fw.tracks
        for level in track.levels
    ]
    ws = _write_table(
        workbook,
        styles,
        LEVELS_SHEET,
        LEVEL_COLUMNS,
        rows,
        widths=(14, 24, 12, 12, 14, 30, 70, 12),
        help_=(
            "The track's id. Rows of a track go lowest level first.",
            "The track's name (same on each of its rows).",
            "Crossover: the lowest level of another track that may enter this track.",
            "Crossover: the level of this track it enters.",
            "Unique across the family; heads a column of the Descriptions sheet and a row of Role profiles.",
            "Job title.",
            "Optional: the level's scope in a sentence.",
            "Optional: a level of another track with the same status and pay.",
        ),
    )
    ws.autofilter(0, 0, max(1, len(rows)), len(LEVEL_COLUMNS) - 1)


def _write_competencies(workbook: Workbook, styles: _Styles, fw: Framework) -> None:
    rows = [
        [
            c.id,
            c.name,
            c.kind,
            (_join(c.tracks) if c.tracks else CLEARED) if c.tracks is not None else None,
            c.weight,
        ]
        for c in fw.competencies
    ]
    ws = _write_table(
        workbook,
        styles,
        COMPETENCIES_SHEET,
        COMPETENCY_COLUMNS,
        rows,
        widths=(24, 32, 14, 26, 10),
        help_=(
            "Unique id; heads a column of Role profiles and a row of Descriptions.",
            "Unique name; heads the rating column in managers' workbooks.",
            "core, functional or leadership.",
            "Track ids, comma-separated. Blank: every track.",
            "Weight in the average. Blank: 1.",
        ),
    )
    last = len(rows) + SPARE_ROWS
    ws.data_validation(
        1,
        2,
        last,
        2,
        {
            "validate": "list",
            "source": list(KINDS),
            "input_title": "Kind",
            "input_message": "core, functional or leadership",
            "error_title": "Kind",
            "error_message": "Choose core, functional or leadership.",
        },
    )
    ws.data_validation(
        1,
        4,
        last,
        4,
        {
            "validate": "decimal",
            "criteria": ">=",
            "value": 0,
            "error_title": "Weight",
            "error_message": "A number, e.g. 1 or 1.5.",
        },
    )


def _all_levels(fw: Framework) -> list[tuple[str, str, str]]:
    return [(level.id, level.title, track.id) for track in fw.tracks for level in track.levels]


def _write_descriptions(workbook: Workbook, styles: _Styles, fw: Framework) -> None:
    ws = workbook.add_worksheet(DESCRIPTIONS_SHEET)
    levels = _all_levels(fw)
    known = {level_id for level_id, _t, _tr in levels}
    extra = [lid for c in fw.competencies for lid in c.descriptions if lid not in known]
    columns = [*(lid for lid, _t, _tr in levels), *dict.fromkeys(extra)]
    titles = {lid: title for lid, title, _tr in levels}
    track_of = {lid: tr for lid, _t, tr in levels}
    _header(ws, styles, (GRID_ID_DESCRIPTIONS, GRID_NAME_DESCRIPTIONS, *columns))
    ws.write_string(1, 0, TITLES_ROW_MARK, styles.reference)
    ws.write_blank(1, 1, None, styles.reference)
    for col, lid in enumerate(columns, start=2):
        ws.write_string(1, col, titles.get(lid, ""), styles.reference)
    ws.set_column(0, 0, 22, styles.text)
    ws.set_column(1, 1, 24, styles.reference)
    ws.set_column(2, 1 + max(1, len(columns)), 48, styles.text)
    for r, comp in enumerate(fw.competencies, start=2):
        ws.write_string(r, 0, comp.id, styles.text)
        ws.write_string(r, 1, comp.name, styles.reference)
        for col, lid in enumerate(columns, start=2):
            applies = lid in track_of and fw.applies_to(comp, track_of[lid])
            _write_cell(ws, r, col, comp.descriptions.get(lid), styles.text if applies else styles.na)
        height = _row_height(list(comp.descriptions.values()), 48)
        if height:
            ws.set_row(r, height)
    ws.freeze_panes(2, 2)


def _write_profiles(workbook: Workbook, styles: _Styles, fw: Framework) -> None:
    ws = workbook.add_worksheet(PROFILES_SHEET)
    comps = list(fw.competencies)
    _header(ws, styles, (GRID_ID_PROFILES, GRID_NAME_PROFILES, *(c.id for c in comps)))
    ws.write_string(1, 0, NAMES_ROW_MARK, styles.reference)
    ws.write_blank(1, 1, None, styles.reference)
    for col, comp in enumerate(comps, start=2):
        ws.write_string(1, col, comp.name, styles.reference)
    ws.set_row(0, 30)
    ws.set_row(1, 45)
    ws.set_column(0, 0, 14, styles.text)
    ws.set_column(1, 1, 30, styles.reference)
    ws.set_column(2, 1 + max(1, len(comps)), 14, styles.center)
    row = 2
    for track in fw.tracks:
        for level in track.levels:
            ws.write_string(row, 0, level.id, styles.text)
            ws.write_string(row, 1, level.title, styles.reference)
            for col, comp in enumerate(comps, start=2):
                fmt = styles.center if fw.applies_to(comp, track.id) else styles.na_center
                _write_cell(ws, row, col, level.expected.get(comp.id), fmt)
            extra = [cid for cid in level.expected if cid not in fw.competency_by_id]
            if extra:  # only reachable for frameworks built in code; kept so that nothing is lost
                raise MatrixkitError(f"level {level.id} expects unknown competencies {extra}")
            row += 1
    last_row = row - 1 + SPARE_ROWS
    if comps:
        ws.data_validation(
            2,
            2,
            last_row,
            1 + len(comps),
            {
                "validate": "integer",
                "criteria": "between",
                "minimum": fw.scale.min,
                "maximum": fw.scale.max,
                "input_title": "Expected proficiency",
                "input_message": f"A whole number {fw.scale.min}–{fw.scale.max}; blank = not expected.",
                "error_title": "Expected proficiency",
                "error_message": f"Enter a whole number from {fw.scale.min} to {fw.scale.max}, or leave blank.",
            },
        )
    ws.freeze_panes(2, 2)


def _criteria_cells(criteria: Criteria | None, *, only_set: bool) -> list[Any]:
    if criteria is None:
        return [None] * len(CRITERIA_KEYS)
    cells: list[Any] = []
    for key in CRITERIA_KEYS:
        value = getattr(criteria, key)
        if value is None:
            cells.append(CLEARED if only_set and key in criteria.model_fields_set else None)
        elif key == "evidence":
            cells.append(_join(value))
        elif key == "metrics_at_least":
            cells.append(", ".join(f"{k}: {_format_number(v)}" for k, v in value.items()))
        else:
            cells.append(value)
    return cells


def _format_number(value: float) -> str:
    return str(_number_out(value))


def _write_criteria(workbook: Workbook, styles: _Styles, fw: Framework) -> None:
    ws = workbook.add_worksheet(CRITERIA_SHEET)
    help_ = (
        f"{OWNER_DEFAULT}: the family's default promotion criteria; {OWNER_LEVEL}: a level's override "
        f"for leaving it; {OWNER_ENTRY}: the criteria to enter a track (crossover).",
        "The level id (level rows) or track id (entry rows).",
        "",
        *(_CRITERIA_HELP[key] + _CLEAR_HELP for key in CRITERIA_KEYS),
        "",
    )
    _header(ws, styles, CRITERIA_COLUMNS, help_)
    ws.set_row(0, 45)
    ws.set_column(0, 1, 14, styles.text)
    ws.set_column(2, 2, 34, styles.reference)
    ws.set_column(3, 2 + len(CRITERIA_KEYS), 14, styles.text)
    ws.set_column(3 + CRITERIA_KEYS.index("evidence"), 3 + CRITERIA_KEYS.index("evidence"), 30, styles.text)
    ws.set_column(3 + len(CRITERIA_KEYS), 3 + len(CRITERIA_KEYS), 70, styles.reference)
    rows: list[list[Any]] = [
        [
            OWNER_DEFAULT,
            None,
            "Default criteria to move up one level",
            *_criteria_cells(fw.promotion, only_set=False),
            describe_criteria(fw.promotion, fw, None),
        ]
    ]
    for track in fw.tracks:
        for level in track.levels:
            following = fw.next_level(level.id)
            meaning = f"Leaving {level.id} for {following.id}" if following else f"{level.id}: top of track {track.id}"
            words = describe_criteria(fw.criteria_for(level.id), fw, following.id if following else None)
            rows.append(
                [
                    OWNER_LEVEL,
                    level.id,
                    meaning,
                    *_criteria_cells(level.promotion, only_set=True),
                    words if following else None,
                ]
            )
    for track in fw.tracks:
        if track.entry is not None:
            meaning = f"Entering {track.id} at {track.entry.to} from {track.entry.from_} or above"
            rows.append(
                [
                    OWNER_ENTRY,
                    track.id,
                    meaning,
                    *_criteria_cells(track.entry.criteria, only_set=False),
                    describe_criteria(track.entry.criteria, fw, None),
                ]
            )
    for r, values in enumerate(rows, start=1):
        for col, value in enumerate(values):
            fmt = styles.reference if col in (2, len(values) - 1) else styles.text
            _write_cell(ws, r, col, value, fmt)
    last = len(rows) + SPARE_ROWS
    ws.data_validation(1, 0, last, 0, {"validate": "list", "source": [OWNER_DEFAULT, OWNER_LEVEL, OWNER_ENTRY]})
    for key in _BOOL_KEYS:
        col = 3 + CRITERIA_KEYS.index(key)
        ws.data_validation(1, col, last, col, {"validate": "list", "source": ["yes", "no", CLEARED]})
    ws.freeze_panes(1, 3)


# -- import ----------------------------------------------------------------------------------------


@dataclass
class ImportResult:
    """A framework read from a workbook (None when there is an error) and every problem, located."""

    framework: Framework | None
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.framework is not None and not has_errors(self.problems)


def import_framework_workbook(path: str | Path, *, lint: bool = True, limits: Limits | None = None) -> ImportResult:
    """Read an authoring workbook (.xlsx or .ods) through the same checks as a YAML file, and lint it.

    Raises `WorkbookImportError` (or `UnsafeFileError`) when the file is not a readable spreadsheet;
    every problem in its content is in `problems`, with its sheet and cell.

    >>> import tempfile
    >>> from matrixkit.model.framework import load_framework
    >>> workbook = export_framework(load_framework("templates/engineering.yaml"), Path(tempfile.mkdtemp()) / "e.xlsx")
    >>> result = import_framework_workbook(workbook)
    >>> result.ok, [p.describe() for p in result.problems][:1]
    (True, [])
    """
    reader = _WorkbookReader(Path(path), limits or Limits())
    data = reader.read()
    problems = list(reader.problems)
    framework: Framework | None = None
    try:
        framework = framework_from_document(YamlDocument(data, str(path)))
    except FrameworkError as exc:
        problems.extend(reader.locate(p) for p in exc.problems)
    if framework is not None and lint:
        from matrixkit.model.lint import lint_frameworks

        problems.extend(reader.locate(p) for p in lint_frameworks([framework]))
    problems = sort_problems(problems)
    if has_errors(problems):
        framework = None
    return ImportResult(framework, problems)


def read_framework_workbook(path: str | Path) -> Framework:
    """The framework in an authoring workbook; `FrameworkError` (located at sheet and cell) on any error."""
    result = import_framework_workbook(path)
    if result.framework is None:
        raise FrameworkError([p for p in result.problems if p.severity == "error"])
    return result.framework


class _WorkbookReader:
    def __init__(self, path: Path, limits: Limits) -> None:
        self.path = path
        self.file = str(path)
        self.limits = limits
        self.problems: list[Problem] = []
        self.places: dict[str, tuple[str, str]] = {}
        self.grids: dict[str, list[list[Any]]] = {}

    # -- where things are

    def at(self, loc: Loc, sheet: str, row: int, col: int) -> None:
        self.places.setdefault(format_path(loc), (sheet, cell_ref(row, col)))

    def locate(self, problem: Problem) -> Problem:
        """The problem with the sheet and cell its framework path came from."""
        path = problem.path
        while path:
            if path in self.places:
                sheet, cell = self.places[path]
                return dataclasses.replace(problem, file=self.file, sheet=sheet, cell=cell, line=None)
            path = _parent_path(path)
        return dataclasses.replace(problem, file=self.file, line=None)

    def error(
        self, message: str, sheet: str | None = None, row: int | None = None, col: int | None = None, value: Any = None
    ) -> None:
        cell = cell_ref(row, col) if row is not None and col is not None else None
        self.problems.append(
            Problem(
                "error",
                message,
                file=self.file,
                sheet=sheet,
                cell=cell,
                value=None if value is None else str(value),
                code="workbook",
            )
        )

    # -- reading

    def read(self) -> dict[str, Any]:
        self._open()
        data: dict[str, Any] = {}
        self._family(data)
        competencies = self._competencies()
        data["competencies"] = competencies
        self._descriptions(competencies)
        evidence = self._simple(EVIDENCE_SHEET, EVIDENCE_COLUMNS, "evidence", self._evidence_item)
        if evidence:
            data["evidence"] = evidence
        metrics = self._simple(METRICS_SHEET, METRIC_COLUMNS, "metrics", self._metric_item)
        if metrics:
            data["metrics"] = metrics
        tracks, level_locs = self._levels()
        self._profiles(tracks, level_locs)
        promotion = self._criteria(tracks, level_locs)
        if promotion is not None:
            data["promotion"] = promotion
        data["tracks"] = tracks
        lateral = self._simple(LATERAL_SHEET, LATERAL_COLUMNS, "lateral_paths", self._lateral_item)
        if lateral:
            data["lateral_paths"] = lateral
        ordered = {key: data[key] for key in _TOP_ORDER if key in data}
        return ordered

    def _open(self) -> None:
        try:
            scan_file(self.path, lambda _name: True, self.limits)
        except UnsafeFileError as exc:
            raise WorkbookImportError(f"{self.file}: {exc.message}") from None
        if self.path.suffix.lower() == ".xls":
            raise WorkbookImportError(f"{self.file}: an Excel 97-2003 .xls workbook: save it as .xlsx or .ods")
        try:
            from python_calamine import CalamineWorkbook

            workbook = CalamineWorkbook.from_path(self.file)
            names = list(workbook.sheet_names)
            for name in names:
                if name in SHEETS:
                    self.grids[name] = [
                        list(row) for row in workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
                    ]
        except Exception as exc:  # calamine raises many unrelated types for unreadable content
            raise WorkbookImportError(f"{self.file}: cannot be read as a spreadsheet: {exc}") from None
        missing = [name for name in SHEETS if name not in self.grids]
        if len(missing) == len(SHEETS):
            raise WorkbookImportError(
                f"{self.file}: not a framework authoring workbook (no sheet named {', '.join(SHEETS[:3])}, …); "
                "make one with `matrixkit framework export`"
            )
        for name in missing:
            if name in (EVIDENCE_SHEET, METRICS_SHEET, LATERAL_SHEET):
                continue  # optional lists: a deleted sheet means none
            self.error(f"sheet '{name}' is missing (was it renamed or deleted?)", sheet=name)

    def _table(self, sheet: str, columns: Sequence[str]) -> tuple[dict[str, int], list[tuple[int, list[Any]]]]:
        """Column index by header (case-insensitive) and the non-blank data rows below the header."""
        grid = self.grids.get(sheet)
        if not grid:
            return {}, []
        header = {_norm(v): i for i, v in reversed(list(enumerate(grid[0]))) if not _blank(v)}
        index: dict[str, int] = {}
        for name in columns:
            if _norm(name) in header:
                index[name] = header[_norm(name)]
            else:
                self.error(f"no column headed '{name}' in row 1", sheet=sheet, row=0, col=len(grid[0]))
        rows = [(r, row) for r, row in enumerate(grid[1:], start=1) if any(not _blank(v) for v in row)]
        return index, rows

    @staticmethod
    def _get(row: list[Any], index: dict[str, int], name: str) -> Any:
        col = index.get(name)
        return row[col] if col is not None and col < len(row) else ""

    def _family(self, data: dict[str, Any]) -> None:
        grid = self.grids.get(FAMILY_SHEET) or []
        values: dict[str, tuple[int, Any]] = {}
        labels: dict[Any, Any] = {}
        for r, row in enumerate(grid[1:], start=1):
            if not row or _blank(row[0]):
                continue
            name = _norm(row[0])
            value = row[1] if len(row) > 1 else ""
            match = re.fullmatch(rf"{FIELD_LABEL.lower()}\s*(\S+)", name)
            if match:
                key = _to_int(match.group(1))
                self.at(("scale", "labels", key), FAMILY_SHEET, r, 1)
                self.at(("scale", "labels"), FAMILY_SHEET, r, 1)
                if not _blank(value):
                    labels[key] = _text(value)
                continue
            values[name] = (r, value)
        family: dict[str, Any] = {}
        scale: dict[str, Any] = {}
        fields: list[tuple[str, Loc, Callable[[Any], Any]]] = [
            (FIELD_SCHEMA, ("matrixkit",), _to_int),
            (FIELD_ID, ("family", "id"), _id),
            (FIELD_NAME, ("family", "name"), _text),
            (FIELD_VERSION, ("family", "version"), _text),
            (FIELD_MIN, ("scale", "min"), _to_int),
            (FIELD_MAX, ("scale", "max"), _to_int),
        ]
        for name, loc, convert in fields:
            if _norm(name) not in values:
                if name in (FIELD_ID, FIELD_NAME, FIELD_VERSION):
                    self.error(f"no row '{name}' in column A", sheet=FAMILY_SHEET)
                continue
            r, value = values[_norm(name)]
            self.at(loc, FAMILY_SHEET, r, 1)
            if _blank(value):
                continue
            if loc == ("matrixkit",):
                data["matrixkit"] = convert(value)
            elif loc[0] == "family":
                family[str(loc[1])] = convert(value)
            else:
                scale[str(loc[1])] = convert(value)
        data.setdefault("matrixkit", SCHEMA_VERSION)
        data["family"] = family
        self.at(("family",), FAMILY_SHEET, 0, 0)
        if labels:
            scale["labels"] = labels
        if scale:
            data["scale"] = {key: scale[key] for key in ("min", "max", "labels") if key in scale}

    def _competencies(self) -> list[dict[str, Any]]:
        index, rows = self._table(COMPETENCIES_SHEET, COMPETENCY_COLUMNS)
        self.at(("competencies",), COMPETENCIES_SHEET, 0, 0)
        result: list[dict[str, Any]] = []
        for r, row in rows:
            i = len(result)
            item: dict[str, Any] = {}
            for name, key, convert in (
                ("Id", "id", _id),
                ("Name", "name", _text),
                ("Kind", "kind", _kind),
                ("Tracks", "tracks", _id_list),
                ("Weight", "weight", _number),
            ):
                if name in index:
                    self.at(("competencies", i, key), COMPETENCIES_SHEET, r, index[name])
                value = self._get(row, index, name)
                if not _blank(value):
                    converted = convert(value)
                    if key == "weight" and converted == 1:
                        continue
                    item[key] = converted
            self.at(("competencies", i), COMPETENCIES_SHEET, r, index.get("Id", 0))
            item["descriptions"] = {}
            result.append(item)
        return result

    def _descriptions(self, competencies: list[dict[str, Any]]) -> None:
        sheet = DESCRIPTIONS_SHEET
        grid = self.grids.get(sheet)
        if not grid:
            return
        by_id = {str(c.get("id")): (i, c) for i, c in enumerate(competencies) if "id" in c}
        columns = self._grid_columns(sheet, grid[0])
        seen: dict[str, int] = {}
        for r, row in enumerate(grid[1:], start=1):
            if not row or _norm(row[0]) == _norm(TITLES_ROW_MARK) or all(_blank(v) for v in row):
                continue
            if _blank(row[0]):
                if any(not _blank(row[col]) for col, _l in columns if col < len(row)):
                    self.error("a row with descriptions but no competency id in column A", sheet=sheet, row=r, col=0)
                continue
            cid = _id(row[0])
            if cid not in by_id:
                self.error(
                    f"unknown competency '{cid}': add it on the {COMPETENCIES_SHEET} sheet first",
                    sheet=sheet,
                    row=r,
                    col=0,
                    value=cid,
                )
                continue
            if cid in seen:
                self.error(f"competency '{cid}' has two rows (also row {seen[cid] + 1})", sheet=sheet, row=r, col=0)
                continue
            seen[cid] = r
            i, comp = by_id[cid]
            self.at(("competencies", i, "descriptions"), sheet, r, 0)
            for col, level_id in columns:
                self.at(("competencies", i, "descriptions", level_id), sheet, r, col)
                value = row[col] if col < len(row) else ""
                if not _blank(value):
                    comp["descriptions"][level_id] = _text(value)

    def _grid_columns(self, sheet: str, header: list[Any]) -> list[tuple[int, str]]:
        columns: list[tuple[int, str]] = []
        seen: dict[str, int] = {}
        for col, value in enumerate(header[2:], start=2):
            if _blank(value):
                continue
            key = _id(value)
            if key in seen:
                self.error(f"two columns headed '{key}'", sheet=sheet, row=0, col=col, value=key)
                continue
            seen[key] = col
            columns.append((col, key))
        return columns

    def _simple(
        self,
        sheet: str,
        columns: Sequence[str],
        top: str,
        build: Callable[[list[Any], dict[str, int]], list[tuple[str, str, Any]]],
    ) -> list[dict[str, Any]]:
        if sheet not in self.grids:
            return []
        index, rows = self._table(sheet, columns)
        self.at((top,), sheet, 0, 0)
        result: list[dict[str, Any]] = []
        for r, row in rows:
            i = len(result)
            item: dict[str, Any] = {}
            self.at((top, i), sheet, r, 0)
            for column, key, value in build(row, index):
                if column in index:
                    self.at((top, i, key), sheet, r, index[column])
                if value is not None:
                    item[key] = value
            result.append(item)
        return result

    def _evidence_item(self, row: list[Any], index: dict[str, int]) -> list[tuple[str, str, Any]]:
        return [
            ("Id", "id", _opt(_id, self._get(row, index, "Id"))),
            ("Prompt", "prompt", _opt(_text, self._get(row, index, "Prompt"))),
        ]

    def _metric_item(self, row: list[Any], index: dict[str, int]) -> list[tuple[str, str, Any]]:
        return [
            ("Id", "id", _opt(_id, self._get(row, index, "Id"))),
            ("Name", "name", _opt(_text, self._get(row, index, "Name"))),
            ("Min", "min", _opt(_number, self._get(row, index, "Min"))),
            ("Max", "max", _opt(_number, self._get(row, index, "Max"))),
        ]

    def _lateral_item(self, row: list[Any], index: dict[str, int]) -> list[tuple[str, str, Any]]:
        transferable = self._get(row, index, LATERAL_COLUMNS[2])
        return [
            (LATERAL_COLUMNS[0], "from", _opt(_id, self._get(row, index, LATERAL_COLUMNS[0]))),
            (LATERAL_COLUMNS[1], "to", _opt(_id, self._get(row, index, LATERAL_COLUMNS[1]))),
            (LATERAL_COLUMNS[2], "transferable", None if _blank(transferable) else _id_list(transferable)),
            (LATERAL_COLUMNS[3], "note", _opt(_text, self._get(row, index, LATERAL_COLUMNS[3]))),
        ]

    def _levels(self) -> tuple[list[dict[str, Any]], dict[str, Loc]]:
        sheet = LEVELS_SHEET
        index, rows = self._table(sheet, LEVEL_COLUMNS)
        self.at(("tracks",), sheet, 0, 0)
        tracks: dict[str, dict[str, Any]] = {}
        first_row: dict[str, dict[str, tuple[int, Any]]] = {}
        level_locs: dict[str, Loc] = {}
        for r, row in rows:
            raw_track = self._get(row, index, "Track id")
            if _blank(raw_track):
                self.error("no track id for this level", sheet=sheet, row=r, col=index.get("Track id", 0))
                continue
            track_id = _id(raw_track)
            if track_id not in tracks:
                ti = len(tracks)
                track: dict[str, Any] = {"id": track_id}
                tracks[track_id] = track
                first_row[track_id] = {}
                self.at(("tracks", ti), sheet, r, index["Track id"])
                self.at(("tracks", ti, "id"), sheet, r, index["Track id"])
                self.at(("tracks", ti, "levels"), sheet, r, index.get("Level id", 0))
            ti = list(tracks).index(track_id)
            track = tracks[track_id]
            for column, key in (("Track name", "name"), ("Entry from", "from"), ("Entry to", "to")):
                value = self._get(row, index, column)
                if _blank(value):
                    continue
                converted = _text(value) if key == "name" else _id(value)
                earlier = first_row[track_id].get(key)
                if earlier is None:
                    first_row[track_id][key] = (r, converted)
                    loc: Loc = ("tracks", ti, "name") if key == "name" else ("tracks", ti, "entry", key)
                    self.at(loc, sheet, r, index[column])
                    if key == "from" or (key == "to" and "from" not in first_row[track_id]):
                        self.at(("tracks", ti, "entry"), sheet, r, index[column])
                elif earlier[1] != converted:
                    self.error(
                        f"{column} of track '{track_id}' is '{converted}' here but '{earlier[1]}' on row "
                        f"{earlier[0] + 1}: a track has one {column.lower()}",
                        sheet=sheet,
                        row=r,
                        col=index[column],
                        value=converted,
                    )
            level: dict[str, Any] = {}
            li = len(track.setdefault("levels", []))
            for column, key, convert in (
                ("Level id", "id", _id),
                ("Title", "title", _text),
                ("Scope", "scope", _text),
                ("Equivalent", "equivalent", _id),
            ):
                if column in index:
                    self.at(("tracks", ti, "levels", li, key), sheet, r, index[column])
                value = self._get(row, index, column)
                if not _blank(value):
                    level[key] = convert(value)
            self.at(("tracks", ti, "levels", li), sheet, r, index.get("Level id", 0))
            track["levels"].append(level)
            if "id" in level:
                level_locs.setdefault(str(level["id"]), ("tracks", ti, "levels", li))
        for track_id, track in tracks.items():
            info = first_row[track_id]
            if "name" in info:
                track["name"] = info["name"][1]
            if "from" in info or "to" in info:
                entry: dict[str, Any] = {}
                if "from" in info:
                    entry["from"] = info["from"][1]
                if "to" in info:
                    entry["to"] = info["to"][1]
                track["entry"] = entry
            levels = track.pop("levels")
            track.pop("id")
            tracks[track_id] = {"id": track_id, **track, "levels": levels}
        return list(tracks.values()), level_locs

    def _profiles(self, tracks: list[dict[str, Any]], level_locs: dict[str, Loc]) -> None:
        sheet = PROFILES_SHEET
        grid = self.grids.get(sheet)
        if not grid:
            return
        columns = self._grid_columns(sheet, grid[0])
        seen: dict[str, int] = {}
        for r, row in enumerate(grid[1:], start=1):
            if not row or _norm(row[0]) == _norm(NAMES_ROW_MARK) or all(_blank(v) for v in row):
                continue
            if _blank(row[0]):
                if any(not _blank(row[col]) for col, _c in columns if col < len(row)):
                    self.error("a row with values but no level id in column A", sheet=sheet, row=r, col=0)
                continue
            level_id = _id(row[0])
            if level_id not in level_locs:
                self.error(
                    f"unknown level '{level_id}': add it on the {LEVELS_SHEET} sheet first",
                    sheet=sheet,
                    row=r,
                    col=0,
                    value=level_id,
                )
                continue
            if level_id in seen:
                self.error(
                    f"level '{level_id}' has two rows (also row {seen[level_id] + 1})", sheet=sheet, row=r, col=0
                )
                continue
            seen[level_id] = r
            loc = level_locs[level_id]
            level = tracks[int(loc[1])]["levels"][int(loc[3])]
            expected: dict[str, Any] = {}
            self.at((*loc, "expected"), sheet, r, 0)
            for col, comp_id in columns:
                self.at((*loc, "expected", comp_id), sheet, r, col)
                value = row[col] if col < len(row) else ""
                if not _blank(value):
                    expected[comp_id] = _to_int(value)
            if expected:
                level["expected"] = expected

    def _criteria(self, tracks: list[dict[str, Any]], level_locs: dict[str, Loc]) -> dict[str, Any] | None:
        sheet = CRITERIA_SHEET
        if sheet not in self.grids:
            return None
        index, rows = self._table(sheet, CRITERIA_COLUMNS[:2] + CRITERIA_KEYS)
        track_index = {str(t.get("id")): ti for ti, t in enumerate(tracks)}
        default: dict[str, Any] | None = None
        owners: dict[str, int] = {}
        for r, row in rows:
            owner = _norm(self._get(row, index, CRITERIA_OWNER))
            target = self._get(row, index, CRITERIA_TARGET)
            target_id = None if _blank(target) else _id(target)
            owner_col = index.get(CRITERIA_OWNER, 0)
            loc: Loc
            if owner == OWNER_DEFAULT:
                loc = ("promotion",)
            elif owner == OWNER_LEVEL:
                if target_id is None or target_id not in level_locs:
                    self.error(
                        f"unknown level '{target_id or ''}' in column {CRITERIA_TARGET}",
                        sheet=sheet,
                        row=r,
                        col=index.get(CRITERIA_TARGET, 1),
                        value=target_id,
                    )
                    continue
                loc = (*level_locs[target_id], "promotion")
            elif owner == OWNER_ENTRY:
                if target_id is None or target_id not in track_index:
                    self.error(
                        f"unknown track '{target_id or ''}' in column {CRITERIA_TARGET}",
                        sheet=sheet,
                        row=r,
                        col=index.get(CRITERIA_TARGET, 1),
                        value=target_id,
                    )
                    continue
                loc = ("tracks", track_index[target_id], "entry", "criteria")
            else:
                self.error(
                    f"'{self._get(row, index, CRITERIA_OWNER)}' in column {CRITERIA_OWNER}: expected "
                    f"{OWNER_DEFAULT}, {OWNER_LEVEL} or {OWNER_ENTRY}",
                    sheet=sheet,
                    row=r,
                    col=owner_col,
                )
                continue
            key_of_owner = format_path(loc)
            if key_of_owner in owners:
                self.error(
                    f"a second row for the same criteria (also row {owners[key_of_owner] + 1})",
                    sheet=sheet,
                    row=r,
                    col=owner_col,
                )
                continue
            owners[key_of_owner] = r
            self.at(loc, sheet, r, owner_col)
            criteria: dict[str, Any] = {}
            for key in CRITERIA_KEYS:
                if key not in index:
                    continue
                col = index[key]
                self.at((*loc, key), sheet, r, col)
                value = row[col] if col < len(row) else ""
                if _blank(value):
                    continue
                criteria[key] = self._criterion(key, value, sheet, r, col)
            if owner == OWNER_DEFAULT:
                default = criteria
            elif owner == OWNER_LEVEL:
                if criteria:
                    level = tracks[int(loc[1])]["levels"][int(loc[3])]
                    level["promotion"] = criteria
            else:
                track = tracks[int(loc[1])]
                if "entry" not in track:
                    self.error(
                        f"entry criteria for track '{target_id}', which has no Entry from / Entry to on the "
                        f"{LEVELS_SHEET} sheet",
                        sheet=sheet,
                        row=r,
                        col=owner_col,
                    )
                    continue
                if criteria:
                    track["entry"]["criteria"] = criteria
        return default or None

    def _criterion(self, key: str, value: Any, sheet: str, row: int, col: int) -> Any:
        if isinstance(value, str) and value.strip().lower() == CLEARED:
            return None
        if key in _INT_KEYS:
            return _to_int(value)
        if key in _NUMBER_KEYS:
            return _number(value)
        if key in _BOOL_KEYS:
            return _bool(value)
        if key == "evidence":
            return _id_list(value)
        # metrics_at_least: "quota: 100, csat: 85"
        result: dict[str, Any] = {}
        for part in str(value).split(","):
            if not part.strip():
                continue
            name, sep, threshold = part.partition(":")
            if not sep or not name.strip():
                self.error(
                    f"'{part.strip()}': expected metric_id: value, e.g. quota: 100",
                    sheet=sheet,
                    row=row,
                    col=col,
                    value=value,
                )
                continue
            result[name.strip()] = _number(threshold.strip())
        return result


_TOP_ORDER = (
    "matrixkit",
    "family",
    "scale",
    "competencies",
    "evidence",
    "metrics",
    "promotion",
    "tracks",
    "lateral_paths",
)


def _parent_path(path: str) -> str:
    if path.endswith("]"):
        return path[: path.rfind("[")]
    cut = path.rfind(".")
    bracket = path.rfind("]")
    if cut > bracket:
        return path[:cut]
    return path[: bracket + 1] if bracket >= 0 else ""


# -- cell values -----------------------------------------------------------------------------------


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def _norm(value: Any) -> str:
    return " ".join(str(value).split()).lower()


def _text(value: Any) -> Any:
    """Text exactly as typed; a number typed into a text cell becomes its text (3 → "3", 2.5 → "2.5")."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return value  # let validation say "expected text"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date().isoformat()
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    return str(value)


def _id(value: Any) -> Any:
    text = _text(value)
    return text.strip() if isinstance(text, str) else text


def _opt(convert: Callable[[Any], Any], value: Any) -> Any:
    return None if _blank(value) else convert(value)


def _id_list(value: Any) -> Any:
    text = _id(value)
    if not isinstance(text, str):
        return text
    if text.lower() == CLEARED:
        return []
    return [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]


def _kind(value: Any) -> Any:
    text = _id(value)
    return text.lower() if isinstance(text, str) and text.lower() in KINDS else text


def _to_int(value: Any) -> Any:
    """A whole number from a cell (4, 4.0, " 4 "); anything else unchanged, for validation to name."""
    if isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        try:
            return int(text)
        except ValueError:
            try:
                number = float(text)
            except ValueError:
                return value
            return int(number) if number.is_integer() else number
    return value


def _number(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip().replace(",", ".")) if value.strip().count(",") <= 1 else value
        except ValueError:
            return value
    return value


def _bool(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    text = _text(value)
    if isinstance(text, str):
        lowered = text.strip().lower()
        if lowered in YES_WORDS:
            return True
        if lowered in NO_WORDS:
            return False
    return text


# -- YAML ------------------------------------------------------------------------------------------


class _Flow(list[Any]):
    """A list written in flow style: ``[ic, management]``."""


class _FlowMap(dict[str, Any]):
    """A mapping written in flow style: ``{communication: 3, delivery: 2}``."""


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = None
    if "\n" in value.rstrip("\n"):
        style = "|"
    elif len(value) > 90:
        style = ">"
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _represent_flow(dumper: yaml.SafeDumper, value: _Flow) -> yaml.Node:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=True)


def _represent_flow_map(dumper: yaml.SafeDumper, value: _FlowMap) -> yaml.Node:
    return dumper.represent_mapping("tag:yaml.org,2002:map", value, flow_style=True)


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(_Flow, _represent_flow)
_Dumper.add_representer(_FlowMap, _represent_flow_map)


def _num(value: float) -> float:
    return _number_out(value)


def _criteria_data(criteria: Criteria, *, override: bool) -> dict[str, Any]:
    """The keys to write: checked values; for an override also the keys it clears (empty / null / false)."""
    result: dict[str, Any] = {}
    for key in CRITERIA_KEYS:
        value = getattr(criteria, key)
        if value is None:
            if override and key in criteria.model_fields_set:
                result[key] = (
                    _Flow()
                    if key == "evidence"
                    else _FlowMap()
                    if key == "metrics_at_least"
                    else (False if key in _BOOL_KEYS else None)
                )
            continue
        if key == "evidence":
            result[key] = _Flow(value)
        elif key == "metrics_at_least":
            result[key] = _FlowMap({k: _num(v) for k, v in value.items()})
        elif isinstance(value, float):
            result[key] = _num(value)
        else:
            result[key] = value
    return result


def framework_data(fw: Framework) -> dict[str, Any]:
    """The framework as plain data in the SPEC's key order, leaving out what equals the default."""
    data: dict[str, Any] = {
        "matrixkit": SCHEMA_VERSION,
        "family": {"id": fw.family.id, "name": fw.family.name, "version": fw.family.version},
        "scale": {"min": fw.scale.min, "max": fw.scale.max},
    }
    if fw.scale.labels:
        data["scale"]["labels"] = dict(fw.scale.labels)
    competencies = []
    for c in fw.competencies:
        item: dict[str, Any] = {"id": c.id, "name": c.name, "kind": c.kind}
        if c.tracks is not None:
            item["tracks"] = _Flow(c.tracks)
        if c.weight != 1:
            item["weight"] = _num(c.weight)
        item["descriptions"] = dict(c.descriptions)
        competencies.append(item)
    data["competencies"] = competencies
    if fw.evidence:
        data["evidence"] = [{"id": e.id, "prompt": e.prompt} for e in fw.evidence]
    if fw.metrics:
        data["metrics"] = [
            {
                "id": m.id,
                "name": m.name,
                **({"min": _num(m.min)} if m.min is not None else {}),
                **({"max": _num(m.max)} if m.max is not None else {}),
            }
            for m in fw.metrics
        ]
    promotion = _criteria_data(fw.promotion, override=False)
    if promotion:
        data["promotion"] = promotion
    tracks = []
    for t in fw.tracks:
        track: dict[str, Any] = {"id": t.id, "name": t.name}
        if t.entry is not None:
            entry: dict[str, Any] = {"from": t.entry.from_, "to": t.entry.to}
            criteria = _criteria_data(t.entry.criteria, override=False)
            if criteria:
                entry["criteria"] = criteria
            track["entry"] = entry
        levels = []
        for lv in t.levels:
            level: dict[str, Any] = {"id": lv.id, "title": lv.title}
            if lv.scope is not None:
                level["scope"] = lv.scope
            if lv.equivalent is not None:
                level["equivalent"] = lv.equivalent
            if lv.expected:
                level["expected"] = _FlowMap(lv.expected)
            if lv.promotion is not None:
                level["promotion"] = _criteria_data(lv.promotion, override=True)
            levels.append(level)
        track["levels"] = levels
        tracks.append(track)
    data["tracks"] = tracks
    if fw.lateral_paths:
        paths = []
        for p in fw.lateral_paths:
            path: dict[str, Any] = {"from": p.from_, "to": p.to}
            if p.transferable:
                path["transferable"] = _Flow(p.transferable)
            if p.note is not None:
                path["note"] = p.note
            paths.append(path)
        data["lateral_paths"] = paths
    return data


def framework_yaml(fw: Framework, *, header: str | None = None) -> str:
    """The framework as a readable YAML file that loads back to an equal framework.

    >>> from matrixkit.model.framework import load_framework
    >>> print(framework_yaml(load_framework("templates/sales.yaml")).splitlines()[0])
    matrixkit: 1
    """
    data = framework_data(fw)
    text = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False)
    text = _space_sections(text)
    if header:
        text = "".join(f"# {line}".rstrip() + "\n" for line in header.splitlines()) + text
    if not same_framework(_reload(text), fw):
        # A text PyYAML cannot write in block style faithfully: fall back to its default (quoted) styles.
        text = yaml.safe_dump(framework_plain(fw), sort_keys=False, allow_unicode=True, width=100)
        if not same_framework(_reload(text), fw):
            raise MatrixkitError("the framework cannot be written as YAML that loads back the same")
    return text


def framework_plain(fw: Framework) -> dict[str, Any]:
    def plain(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, list):
            return [plain(v) for v in value]
        return value

    return dict(plain(framework_data(fw)))


def _space_sections(text: str) -> str:
    """A blank line before each top-level key, so that sections stand apart."""
    lines = text.splitlines(keepends=True)
    out: list[str] = []
    for index, line in enumerate(lines):
        if index > 1 and line[:1].isalpha():
            out.append("\n")
        out.append(line)
    return "".join(out)


def _reload(text: str) -> Framework | None:
    try:
        return framework_from_document(parse_yaml(text, "<written>"))
    except (FrameworkError, YamlSyntaxError):
        return None


def same_framework(a: Framework | None, b: Framework | None) -> bool:
    """Equal in every value, and in what each level's promotion override names (`none` included)."""
    if a is None or b is None:
        return a is b
    return a.model_dump(by_alias=True) == b.model_dump(by_alias=True) and _overrides(a) == _overrides(b)


def _overrides(fw: Framework) -> dict[str, frozenset[str] | None]:
    return {
        level.id: None if level.promotion is None else frozenset(level.promotion.model_fields_set)
        for track in fw.tracks
        for level in track.levels
    }


def write_framework_yaml(fw: Framework, path: str | Path, *, header: str | None = None) -> Path:
    """Write `fw` as YAML, atomically."""
    atomic_write_bytes(path, framework_yaml(fw, header=header).encode("utf-8"))
    return Path(path)
