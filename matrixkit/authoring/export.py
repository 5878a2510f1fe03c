"""Export a framework as the authoring workbook: one sheet per part, white cells to edit, grey ones for reference.

The same framework always gives the same bytes. The sheets and headers are `sheets`' (read back by
`importing`); header comments and data validation help whoever edits the file.

>>> import tempfile
>>> from matrixkit.model.framework import load_framework
>>> workbook = export_framework(load_framework("templates/engineering.yaml"), Path(tempfile.mkdtemp()) / "e.xlsx")
>>> workbook.read_bytes()[:2]
b'PK'
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from matrixkit.authoring.sheets import (
    _CLEAR_HELP,
    ANCHORS_SHEET,
    CLEARED,
    COMPETENCIES_SHEET,
    COMPETENCY_TABLE,
    CRITERIA_COLUMNS,
    CRITERIA_SHEET,
    DESCRIPTIONS_SHEET,
    EVIDENCE_SHEET,
    EVIDENCE_TABLE,
    FAMILY_SHEET,
    FIELD_ID,
    FIELD_LABEL,
    FIELD_LICENSE,
    FIELD_LINT,
    FIELD_MAX,
    FIELD_MIN,
    FIELD_NAME,
    FIELD_SCHEMA,
    FIELD_SOURCE,
    FIELD_VERSION,
    GRID_ID_ANCHORS,
    GRID_ID_DESCRIPTIONS,
    GRID_ID_PROFILES,
    GRID_NAME_ANCHORS,
    GRID_NAME_DESCRIPTIONS,
    GRID_NAME_PROFILES,
    INSTRUCTIONS_SHEET,
    KINDS,
    LATERAL_SHEET,
    LATERAL_TABLE,
    LEVEL_TABLE,
    LEVELS_SHEET,
    METRIC_TABLE,
    METRICS_SHEET,
    NAMES_ROW_MARK,
    NOT_ASSESSED,
    OWNER_DEFAULT,
    OWNER_ENTRY,
    OWNER_LEVEL,
    PROFILES_SHEET,
    SPARE_ROWS,
    TITLES_ROW_MARK,
    Column,
)
from matrixkit.errors import MatrixkitError
from matrixkit.fileio import atomic_write_bytes
from matrixkit.model.criteria import criterion, keys_of_type
from matrixkit.model.framework import CRITERIA_KEYS, SCHEMA_VERSION, Criteria, Framework
from matrixkit.model.words import describe_criteria
from matrixkit.sources.yamlwriter import plain_number
from matrixkit.workbook.styles import (
    BASE_FONT,
    HEADER_FILL,
    HEADER_FONT,
    HEADING,
    NOT_APPLICABLE_FILL,
    NOT_APPLICABLE_FONT,
    TITLE,
    document_date,
    new_workbook,
    write_typed,
)


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
    _write_anchors(workbook, styles, fw)
    _write_criteria(workbook, styles, fw)
    _write_table(
        workbook,
        styles,
        EVIDENCE_SHEET,
        EVIDENCE_TABLE,
        [[e.id, e.prompt] for e in fw.evidence],
    )
    _write_table(
        workbook,
        styles,
        METRICS_SHEET,
        METRIC_TABLE,
        [[m.id, m.name, m.min, m.max] for m in fw.metrics],
    )
    _write_table(
        workbook,
        styles,
        LATERAL_SHEET,
        LATERAL_TABLE,
        [[p.from_, p.to, _join(p.transferable) if p.transferable else None, p.note] for p in fw.lateral_paths],
    )
    workbook.close()
    return buffer.getvalue()


class _Styles:
    def __init__(self, workbook: Workbook) -> None:
        base = BASE_FONT
        add = workbook.add_format
        self.header = add(
            {**base, "bold": True, "text_wrap": True, "font_color": HEADER_FONT, "bg_color": HEADER_FILL, "border": 1}
        )
        self.reference = add(
            {**base, "italic": True, "font_color": "#595959", "bg_color": "#F2F2F2", "text_wrap": True}
        )
        self.text = add({**base, "text_wrap": True})
        self.number = add({**base, "num_format": "General", "align": "left"})
        self.na = add({**base, "text_wrap": True, "bg_color": NOT_APPLICABLE_FILL, "font_color": NOT_APPLICABLE_FONT})
        self.center = add({**base, "align": "center"})
        self.na_center = add({**base, "align": "center", "bg_color": NOT_APPLICABLE_FILL})
        self.title = add(TITLE)
        self.heading = add(HEADING)
        self.wrap = add({"text_wrap": True, "valign": "top"})


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
    columns: Sequence[Column],
    rows: Sequence[Sequence[Any]],
) -> Worksheet:
    ws = workbook.add_worksheet(name)
    _header(ws, styles, [c.header for c in columns], [c.help for c in columns])
    widths = [c.width for c in columns]
    for col, width in enumerate(widths):
        ws.set_column(col, col, width, styles.text)
    for r, values in enumerate(rows, start=1):
        for col, value in enumerate(values):
            write_typed(ws, r, col, value, styles.text)
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
            f"{fw.scale.min}–{fw.scale.max}; blank = not expected; {NOT_ASSESSED} = not assessed at that level "
            "(no rating cell, and no description needed).",
            None,
        ),
        (
            f"{ANCHORS_SHEET}: optional, what each point of the scale (column) means for a competency (row); "
            "leave blank the points a competency does not describe.",
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
        (FIELD_SOURCE, fw.family.source, "Optional: where the framework comes from (a URL or a citation)."),
        (FIELD_LICENSE, fw.family.license, "Optional: the terms it is used under, e.g. CC BY-SA 4.0."),
        (FIELD_LINT, _join(fw.lint.allow) or None, "Optional: lint warnings accepted for the whole file, codes."),
        (FIELD_MIN, fw.scale.min, "Lowest rating."),
        (FIELD_MAX, fw.scale.max, "Highest rating."),
    ]
    values = sorted(set(fw.scale.values) | set(fw.scale.labels))
    for value in values:
        rows.append((f"{FIELD_LABEL} {value}", fw.scale.labels.get(value), "Blank: no label."))
    for r, (name, value, note) in enumerate(rows, start=1):
        ws.write_string(r, 0, name, styles.reference)
        write_typed(ws, r, 1, value, styles.text)
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
        LEVEL_TABLE,
        rows,
    )
    ws.autofilter(0, 0, max(1, len(rows)), len(LEVEL_TABLE) - 1)


def _write_competencies(workbook: Workbook, styles: _Styles, fw: Framework) -> None:
    rows = [
        [
            c.id,
            c.name,
            c.kind,
            (_join(c.tracks) if c.tracks else CLEARED) if c.tracks is not None else None,
            c.weight,
            _join(c.lint.allow) or None,
        ]
        for c in fw.competencies
    ]
    ws = _write_table(
        workbook,
        styles,
        COMPETENCIES_SHEET,
        COMPETENCY_TABLE,
        rows,
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
            write_typed(ws, r, col, comp.descriptions.get(lid), styles.text if applies else styles.na)
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
                value = NOT_ASSESSED if comp.id in level.not_assessed else level.expected.get(comp.id)
                write_typed(ws, row, col, value, fmt)
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
                "validate": "custom",
                "value": (
                    f'=OR(C3="{NOT_ASSESSED}",AND(ISNUMBER(C3),C3=INT(C3),C3>={fw.scale.min},C3<={fw.scale.max}))'
                ),
                "input_title": "Expected proficiency",
                "input_message": (
                    f"A whole number {fw.scale.min}–{fw.scale.max}; blank = not expected; {NOT_ASSESSED} = not "
                    "assessed at this level."
                ),
                "error_title": "Expected proficiency",
                "error_message": (
                    f"Enter a whole number from {fw.scale.min} to {fw.scale.max}, {NOT_ASSESSED}, or leave blank."
                ),
            },
        )
    ws.freeze_panes(2, 2)


def _write_anchors(workbook: Workbook, styles: _Styles, fw: Framework) -> None:
    ws = workbook.add_worksheet(ANCHORS_SHEET)
    points = sorted(set(fw.scale.values) | {p for c in fw.competencies for p in c.anchors})
    _header(ws, styles, (GRID_ID_ANCHORS, GRID_NAME_ANCHORS, *(str(p) for p in points)))
    ws.set_column(0, 0, 22, styles.text)
    ws.set_column(1, 1, 24, styles.reference)
    ws.set_column(2, 1 + max(1, len(points)), 40, styles.text)
    for r, comp in enumerate(fw.competencies, start=1):
        ws.write_string(r, 0, comp.id, styles.text)
        ws.write_string(r, 1, comp.name, styles.reference)
        for col, point in enumerate(points, start=2):
            write_typed(ws, r, col, comp.anchors.get(point), styles.text)
        height = _row_height(list(comp.anchors.values()), 40)
        if height:
            ws.set_row(r, height)
    ws.freeze_panes(1, 2)


def _criteria_cells(criteria: Criteria | None, *, only_set: bool) -> list[Any]:
    if criteria is None:
        return [None] * len(CRITERIA_KEYS)
    cells: list[Any] = []
    for key in CRITERIA_KEYS:
        value = getattr(criteria, key)
        if value is None:
            cells.append(CLEARED if only_set and key in criteria.model_fields_set else None)
        elif criterion(key).value_type == "ids":
            cells.append(_join(value))
        elif criterion(key).value_type == "thresholds":
            cells.append(", ".join(f"{k}: {_format_number(v)}" for k, v in value.items()))
        else:
            cells.append(value)
    return cells


def _format_number(value: float) -> str:
    return str(plain_number(value))


def _write_criteria(workbook: Workbook, styles: _Styles, fw: Framework) -> None:
    ws = workbook.add_worksheet(CRITERIA_SHEET)
    help_ = (
        f"{OWNER_DEFAULT}: the family's default promotion criteria; {OWNER_LEVEL}: a level's override "
        f"for leaving it; {OWNER_ENTRY}: the criteria to enter a track (crossover).",
        "The level id (level rows) or track id (entry rows).",
        "",
        *(criterion(key).help + _CLEAR_HELP for key in CRITERIA_KEYS),
        "",
    )
    _header(ws, styles, CRITERIA_COLUMNS, help_)
    ws.set_row(0, 45)
    ws.set_column(0, 1, 14, styles.text)
    ws.set_column(2, 2, 34, styles.reference)
    ws.set_column(3, 2 + len(CRITERIA_KEYS), 14, styles.text)
    for key in keys_of_type("ids"):
        ws.set_column(3 + CRITERIA_KEYS.index(key), 3 + CRITERIA_KEYS.index(key), 30, styles.text)
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
            write_typed(ws, r, col, value, fmt)
    last = len(rows) + SPARE_ROWS
    ws.data_validation(1, 0, last, 0, {"validate": "list", "source": [OWNER_DEFAULT, OWNER_LEVEL, OWNER_ENTRY]})
    for key in keys_of_type("yes_no"):
        col = 3 + CRITERIA_KEYS.index(key)
        ws.data_validation(1, col, last, col, {"validate": "list", "source": ["yes", "no", CLEARED]})
    ws.freeze_panes(1, 3)
