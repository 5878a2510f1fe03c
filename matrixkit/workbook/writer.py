"""Write a planned workbook: formats, validations, formulas, protection, metadata.

The sheets are rendered by `sheetxml` into the package skeleton of `package` (built once per
workbook shape by xlsxwriter); the guide, role-profile and level-lookup sheets, the same in every
manager's workbook, are rendered and compressed once per `WorkbookWriter`.

Every formula is written with the value it really has when the file opens (see `scoring`), because
LibreOffice does not recalculate .xlsx files on load and would otherwise show a stale 0.

One module for the whole workbook because the ratings sheet and the reference sheets (instructions,
guide, role profile, metadata) share one `WorkbookWriter`'s per-shape caches, styles and protection;
its two halves are marked below ("the ratings sheet", "reference sheets").
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from matrixkit import __version__
from matrixkit.model.framework import Framework
from matrixkit.model.roster import Manager
from matrixkit.model.words import describe_criteria
from matrixkit.workbook.cells import cell_ref, col_letter, excel_length, excel_prefix
from matrixkit.workbook.formulas import (
    RowFormulaInputs,
    average_formula,
    gaps_formula,
    guarded,
    literal_inputs,
    lookup_inputs,
    lowest_formula,
    ready_formula,
)
from matrixkit.workbook.layout import (
    FORMULA_COLUMNS,
    GUIDE_SHEET,
    HEADER_ROW,
    INSTRUCTIONS_SHEET,
    LOOKUP_SHEET,
    METADATA_SHEET,
    NOT_APPLICABLE,
    PROFILE_SHEET,
    YES_NO,
    LevelLookup,
    RatingsSheet,
    WorkbookPlan,
)
from matrixkit.workbook.metadata import (
    PROPERTY_NAMES,
    WorkbookMetadata,
    encode_properties,
    encode_sheet,
    metadata_of,
)
from matrixkit.workbook.package import Member, Shape, SheetSlot, Skeleton, deflate
from matrixkit.workbook.sheetxml import Validation, Worksheet, quoted_list, text_content
from matrixkit.workbook.styles import (
    BASE_FONT,
    HEADER_FILL,
    HEADER_FONT,
    HEADING,
    NOT_APPLICABLE_FILL,
    TITLE,
    document_date,
)

INPUT_MESSAGE_LIMIT = 255
INPUT_TITLE_LIMIT = 32
GUIDE_POINTER = " … (full text: Guide sheet)"

_PALETTE = {
    "header": HEADER_FILL,
    "input": "#FFFBEA",
    "na": NOT_APPLICABLE_FILL,
    "formula": "#EEF3FA",
    "below": "#F8CBAD",
    "between": "#FFE699",
    "meets": "#C6EFCE",
}
_BASE = {**BASE_FONT, "border": 1, "border_color": "#BFBFBF"}


def shorten(text: str, limit: int, suffix: str = "") -> str:
    """Collapse whitespace within each line, keeping line breaks (a list of behaviours stays a list); cut
    at a word boundary so that text plus suffix fits in `limit` characters as Excel counts them: UTF-16
    units, two for an emoji or any other character past U+FFFF.

    >>> shorten("Writes  tested code", 12), len(shorten("🚀" * 20, 32))
    ('Writes', 16)
    >>> shorten("- Writes tests\\n  - Reviews  code\\n", 40)
    '- Writes tests\\n- Reviews code'
    """
    flat = "\n".join(" ".join(line.split()) for line in text.splitlines() if line.strip())
    if excel_length(flat) <= limit:
        return flat
    room = limit - excel_length(suffix)
    cut = excel_prefix(flat, room)
    boundary = max(cut.rfind(" "), cut.rfind("\n"))
    if boundary > 0:
        cut = cut[:boundary]
    return cut.rstrip(" ,;:.\n") + suffix


STYLES: dict[str, dict[str, Any]] = {
    "header": {
        **_BASE,
        "bold": True,
        "text_wrap": True,
        "font_color": HEADER_FONT,
        "bg_color": _PALETTE["header"],
        "locked": True,
        "valign": "vcenter",
    },
    "text": {**_BASE, "locked": True},
    "wrap": {**_BASE, "locked": True, "text_wrap": True},
    "input": {**_BASE, "locked": False, "align": "center", "bg_color": _PALETTE["input"]},
    "input_text": {**_BASE, "locked": False, "text_wrap": True, "bg_color": _PALETTE["input"]},
    "input_number": {**_BASE, "locked": False, "num_format": "0.##", "bg_color": _PALETTE["input"]},
    "na": {
        **_BASE,
        "locked": True,
        "align": "center",
        "italic": True,
        "font_color": "#7F7F7F",
        "bg_color": _PALETTE["na"],
    },
    "average": {**_BASE, "locked": True, "num_format": "0.00", "bg_color": _PALETTE["formula"]},
    "integer": {**_BASE, "locked": True, "num_format": "0", "bg_color": _PALETTE["formula"]},
    "ready": {**_BASE, "locked": True, "bold": True, "align": "center", "bg_color": _PALETTE["formula"]},
    "title": TITLE,
    "heading": HEADING,
    "plain_wrap": {"text_wrap": True, "valign": "top"},
    "bold": {"bold": True, "valign": "top"},
}
HIGHLIGHTS: dict[str, dict[str, Any]] = {
    "na": {"bg_color": _PALETTE["na"], "font_color": "#7F7F7F", "italic": True},
    "below": {"bg_color": _PALETTE["below"], "font_color": "#9C0006"},
    "between": {"bg_color": _PALETTE["between"], "font_color": "#7F6000"},
    "meets": {"bg_color": _PALETTE["meets"], "font_color": "#006100"},
}


def workbook_bytes(plan: WorkbookPlan, *, password: str | None = None) -> bytes:
    """The .xlsx file for `plan`, byte-identical for identical inputs."""
    return WorkbookWriter(password).write(plan)


class WorkbookWriter:
    """Writes workbooks from plans, building what plans of one shape share only once: the package
    skeleton, and the guide, role-profile and level-lookup sheets of the same frameworks."""

    def __init__(self, password: str | None = None) -> None:
        self.password = password
        self._skeletons: dict[Shape, Skeleton] = {}
        self._shared: dict[tuple[Any, ...], Member] = {}
        self._validations: dict[tuple[Any, ...], Validation] = {}
        self._row_templates: dict[tuple[Any, ...], _RowTemplate] = {}
        self._instruction_templates: dict[tuple[Any, ...], str] = {}

    def write(self, plan: WorkbookPlan) -> bytes:
        slots = _slots(plan)
        shape = Shape(slots, document_date(plan.cycle), PROPERTY_NAMES)
        skeleton = self._skeletons.get(shape)
        if skeleton is None:
            skeleton = self._skeletons[shape] = Skeleton(shape, STYLES, HIGHLIGHTS)
        styles = _Styles(skeleton)
        families = tuple((fw.family.id, fw.fingerprint) for fw in plan.frameworks)
        meta = metadata_of(plan)
        ratings = {sheet.name: sheet for sheet in plan.sheets}
        sheets: list[Member | bytes] = []
        for slot, part in zip(slots, skeleton.sheet_parts, strict=True):
            if slot.name == INSTRUCTIONS_SHEET:
                sheets.append(self._instructions(styles, shape, plan))
            elif slot.name in ratings:
                sheets.append(self._ratings(styles, ratings[slot.name], blank_matrix=plan.kind == "blank_matrix"))
            elif slot.name == METADATA_SHEET:
                sheets.append(_metadata_sheet(meta).xml())
            else:
                key = (shape, families, self.password, slot.name)
                if key not in self._shared:
                    self._shared[key] = deflate(part, self._reference_sheet(slot.name, styles, plan).xml())
                sheets.append(self._shared[key])
        values = {"title": _title(plan), "comments": f"Generated by matrixkit {__version__}", **encode_properties(meta)}
        return skeleton.assemble(sheets, values, [sheet.last_row for sheet in plan.sheets])

    def _instructions(self, styles: _Styles, shape: Shape, plan: WorkbookPlan) -> bytes:
        """Rendered once per run with stand-ins for the person it is for, who is then filled in."""
        key = (
            shape,
            tuple(fw.fingerprint for fw in plan.frameworks),
            plan.kind,
            plan.cycle,
            plan.due,
            self.password,
            plan.sheets[0].name,
        )
        template = self._instruction_templates.get(key)
        if template is None:
            manager = Manager(_STAND_IN["manager_id"], _STAND_IN["manager_name"], None) if plan.manager else None
            subject = plan.subject and replace(
                plan.subject, employee_id=_STAND_IN["subject_id"], name=_STAND_IN["subject_name"]
            )
            stand_in = replace(plan, manager=manager, subject=subject)
            template = _instructions(styles, stand_in, self.password).xml().decode("utf-8")
            self._instruction_templates[key] = template
        for field, token in _STAND_IN.items():
            if token in template:
                person = plan.subject if field.startswith("subject") else plan.manager
                value = getattr(person, {"manager_id": "id", "subject_id": "employee_id"}.get(field, "name"))
                template = template.replace(token, text_content(value))
        return template.encode("utf-8")

    def _reference_sheet(self, name: str, styles: _Styles, plan: WorkbookPlan) -> Worksheet:
        if name == GUIDE_SHEET:
            return _guide(styles, plan, self.password)
        if name == PROFILE_SHEET:
            return _profile(styles, plan, self.password)
        if name == LOOKUP_SHEET:
            return _lookup_sheet(LevelLookup(plan.frameworks[0]))
        raise AssertionError(name)

    def _ratings(self, styles: _Styles, sheet: RatingsSheet, *, blank_matrix: bool) -> bytes:
        def row_template(sheet: RatingsSheet, level_id: str) -> _RowTemplate:
            key = (sheet.framework.fingerprint, level_id)  # the columns follow from the framework
            found = self._row_templates.get(key)
            if found is None:
                found = self._row_templates[key] = _RowTemplate.of(styles, sheet, level_id)
            return found

        return _ratings_sheet(
            styles,
            sheet,
            self.password,
            blank_matrix=blank_matrix,
            validation=self._validation,
            row_template=row_template,
        ).xml()

    def _validation(self, fw: Framework, competency_id: str, level_id: str) -> Validation:
        key = (fw.fingerprint, competency_id, level_id)
        found = self._validations.get(key)
        if found is None:
            found = self._validations[key] = _rating_validation(fw, competency_id, level_id)
        return found


_STAND_IN = {field: f"@@matrixkit:{field}@@" for field in ("manager_id", "manager_name", "subject_id", "subject_name")}


def _slots(plan: WorkbookPlan) -> tuple[SheetSlot, ...]:
    blank = plan.kind == "blank_matrix"
    slots = [SheetSlot(INSTRUCTIONS_SHEET, active=not blank)]
    for sheet in plan.sheets:
        slots.append(SheetSlot(sheet.name, active=blank, filter_columns=len(sheet.columns), print_titles=True))
        if blank:
            slots.append(SheetSlot(LOOKUP_SHEET, hidden=True))
    slots += [SheetSlot(GUIDE_SHEET), SheetSlot(PROFILE_SHEET), SheetSlot(METADATA_SHEET, hidden=True)]
    return tuple(slots)


def _title(plan: WorkbookPlan) -> str:
    families = ", ".join(fw.family.name for fw in plan.frameworks)
    if plan.kind == "blank_matrix" or plan.manager is None:
        return f"{families} — role × competency matrix"
    if plan.kind == "self" and plan.subject is not None:
        return f"{families} self-assessment {plan.cycle} — {plan.subject.name}"
    return f"{families} ratings {plan.cycle} — {plan.manager.name}"


class _Styles:
    """Style indices by name, as the skeleton registered them."""

    def __init__(self, skeleton: Skeleton) -> None:
        s, h = skeleton.styles, skeleton.highlights
        self.header, self.text, self.wrap = s["header"], s["text"], s["wrap"]
        self.input, self.input_text, self.input_number = s["input"], s["input_text"], s["input_number"]
        self.na, self.average, self.integer, self.ready = s["na"], s["average"], s["integer"], s["ready"]
        self.title, self.heading, self.plain_wrap, self.bold = s["title"], s["heading"], s["plain_wrap"], s["bold"]
        self.na_highlight, self.below, self.between, self.meets = h["na"], h["below"], h["between"], h["meets"]


def _protected(ws: Worksheet, password: str | None) -> Worksheet:
    ws.password = password
    return ws


# -- the ratings sheet -----------------------------------------------------------------------------


def _ratings_sheet(
    styles: _Styles,
    sheet: RatingsSheet,
    password: str | None,
    *,
    blank_matrix: bool,
    validation: Callable[[Framework, str, str], Validation],
    row_template: Callable[[RatingsSheet, str], _RowTemplate],
) -> Worksheet:
    fw = sheet.framework
    ws = _protected(Worksheet(), password)
    last_col = sheet.columns[-1].index
    ws.columns = _column_runs(sheet)
    for column in sheet.columns:
        ws.text(HEADER_ROW, column.index, column.header, styles.header)
    ws.height(HEADER_ROW, 62)
    first, last = HEADER_ROW + 1, max(sheet.last_row, HEADER_ROW + 1)

    for column in sheet.columns:
        span = f"{cell_ref(first, column.index)}:{cell_ref(last, column.index)}"
        if column.kind in ("evidence", "endorsement"):
            ws.validate(
                span,
                Validation(
                    "list",
                    quoted_list(YES_NO),
                    input_title="Yes or No",
                    input_message=shorten(column.header, 250),
                    error_title="Yes or No",
                    error_message="Pick Yes or No from the list.",
                ),
            )
        elif column.kind == "metric":
            ws.validate(span, _metric_validation(fw, column.key or ""))

    if blank_matrix:
        _blank_rows(ws, styles, sheet)
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    id_col, name_col, level_col = (sheet.column(kind).index for kind in ("employee_id", "name", "level"))
    for row in sheet.rows:
        employee = row.employee
        if employee is None:
            continue
        ws.text(row.row, id_col, employee.employee_id, styles.text)
        ws.text(row.row, name_col, employee.name, styles.text)
        ws.text(row.row, level_col, employee.level, styles.text)
        template = row_template(sheet, employee.level)
        number = str(row.row + 1)
        if template.pieces:
            ws.raw(row.row, level_col + 1, number.join(template.pieces))
        else:
            _employee_cells(styles, ws, sheet, row.row, employee.level)
        for key, letter in template.rated:
            groups[(key, employee.level)].append(letter + number)

    for (competency_id, level_id), refs in sorted(groups.items()):
        ws.validate(" ".join(refs), validation(fw, competency_id, level_id))
    for (competency_id, level_id), refs in sorted(groups.items()):
        rules = _gap_rules(styles, fw, competency_id, level_id, refs[0])
        if rules:
            ws.conditional(" ".join(refs), rules)
    ready = cell_ref(first, sheet.column("ready").index)
    span = f"{ready}:{cell_ref(last, sheet.column('ready').index)}"
    ws.conditional(span, [(f'{ready}="Yes"', styles.meets, False)])
    ws.conditional(span, [(f'{ready}="No"', styles.below, False)])

    ws.freeze = (HEADER_ROW + 1, sheet.column("level").index + 1)
    ws.autofilter = (last, last_col)
    ws.landscape = ws.fit_to_width = ws.print_gridlines = True
    ws.paper = 9
    ws.selected = blank_matrix
    return ws


def _employee_cells(styles: _Styles, ws: Worksheet, sheet: RatingsSheet, row: int, level_id: str) -> None:
    """Every cell of an employee's row after the level: ratings (or n/a), inputs and formulas."""
    fw = sheet.framework
    applicable = {c.id for c in fw.competencies_at(level_id)}
    for column in sheet.columns_of("rating"):
        if column.key in applicable:
            ws.blank(row, column.index, styles.input)
        else:
            ws.text(row, column.index, NOT_APPLICABLE, styles.na)
    _inputs(ws, styles, sheet, row)
    _row_formulas(ws, styles, sheet, row, literal_inputs(fw, sheet, row, level_id), guard=False)


@dataclass(frozen=True)
class _RowTemplate:
    """An employee row's cells after the level, as XML pieces to join with the row number: every row of
    one level differs only in that number, so a team's rows cost a string join each."""

    pieces: tuple[str, ...]  # empty: render each row in full
    rated: tuple[tuple[str, str], ...]  # (competency id, column letter) of the rating cells

    # Two rows no sheet reaches: the cells rendered at both must differ only in the row number.
    _PROBES = (876_543, 987_654)

    @classmethod
    def of(cls, styles: _Styles, sheet: RatingsSheet, level_id: str) -> _RowTemplate:
        fw = sheet.framework
        applicable = {c.id for c in fw.competencies_at(level_id)}
        rated = tuple((c.key or "", c.letter) for c in sheet.columns_of("rating") if c.key in applicable)
        splits = []
        for probe in cls._PROBES:
            scratch = Worksheet()
            _employee_cells(styles, scratch, sheet, probe, level_id)
            splits.append(tuple(scratch.cells_xml(probe).split(str(probe + 1))))
        if splits[0] != splits[1]:  # a constant in a formula spelled like a row number: no shortcut
            return cls((), rated)
        return cls(splits[0], rated)


def _column_runs(sheet: RatingsSheet) -> list[tuple[int, int, float]]:
    """Column widths by kind, neighbours of one width merged into one run (as Excel stores them)."""
    runs: list[tuple[int, int, float]] = []
    for column in sheet.columns:
        width = _width(column.kind)
        if runs and runs[-1][2] == width and runs[-1][1] == column.index - 1:
            runs[-1] = (runs[-1][0], column.index, width)
        else:
            runs.append((column.index, column.index, width))
    return runs


def _width(kind: str) -> float:
    return {
        "employee_id": 12,
        "name": 26,
        "level": 8,
        "rating": 14,
        "evidence": 20,
        "endorsement": 14,
        "metric": 14,
        "comments": 40,
        "average": 10,
        "lowest": 9,
        "gaps": 11,
        "ready": 9,
    }[kind]


def _inputs(ws: Worksheet, styles: _Styles, sheet: RatingsSheet, row: int) -> None:
    for column in sheet.columns:
        if column.kind in ("evidence", "endorsement"):
            ws.blank(row, column.index, styles.input)
        elif column.kind == "metric":
            ws.blank(row, column.index, styles.input_number)
        elif column.kind == "comments":
            ws.blank(row, column.index, styles.input_text)


def _row_formulas(
    ws: Worksheet, styles: _Styles, sheet: RatingsSheet, row: int, inputs: RowFormulaInputs, *, guard: bool
) -> None:
    refs = {kind: cell_ref(row, sheet.column(kind).index) for kind in FORMULA_COLUMNS}
    # Rows open with no ratings, so every figure's true first value is empty (scoring.row_figures agrees;
    # the tests check it). Writing it keeps LibreOffice, which does not recalculate on load, from showing 0.
    cells: list[tuple[str, str | None, int]] = [
        ("average", average_formula(inputs), styles.average),
        ("lowest", lowest_formula(inputs, refs["average"]), styles.integer),
        ("gaps", gaps_formula(inputs, refs["average"]), styles.integer),
        ("ready", ready_formula(inputs, refs["average"], refs["lowest"], refs["gaps"]), styles.ready),
    ]
    for kind, formula, style in cells:
        col = sheet.column(kind).index  # type: ignore[arg-type]
        if guard:
            formula = guarded(formula)
        if formula is None:
            ws.blank(row, col, style)
        else:
            ws.formula(row, col, formula, style)


def _scale_labels(fw: Framework) -> str:
    scale = fw.scale
    return ", ".join(f"{v} {scale.labels[v]}" if v in scale.labels else str(v) for v in scale.values)


def _blank_rows(ws: Worksheet, styles: _Styles, sheet: RatingsSheet) -> None:
    """Rows where the manager types who and picks the level; formulas look the level up."""
    fw = sheet.framework
    lookup = LevelLookup(fw)
    rows = [r.row for r in sheet.rows if r.employee is None]
    if not rows:
        return
    first, last = rows[0], rows[-1]
    level_col = sheet.column("level").index
    ws.validate(
        f"{cell_ref(first, level_col)}:{cell_ref(last, level_col)}",
        Validation(
            "list",
            lookup.range("level"),
            input_title="Level",
            input_message="Pick the person's current level.",
            error_title="Level",
            error_message="Pick a level from the list.",
        ),
    )
    labels = _scale_labels(fw)
    for column in sheet.columns_of("rating"):
        ws.validate(
            f"{cell_ref(first, column.index)}:{cell_ref(last, column.index)}",
            Validation(
                "list",
                quoted_list(str(v) for v in fw.scale.values),
                input_title=shorten(column.header, INPUT_TITLE_LIMIT),
                input_message=shorten(
                    f"{labels}. The Guide sheet says what each level looks like.", INPUT_MESSAGE_LIMIT
                ),
                error_title="Rating",
                error_message=shorten(f"Pick a whole number from the list: {labels}.", INPUT_MESSAGE_LIMIT),
            ),
        )
        top = cell_ref(first, column.index)
        level = f"${col_letter(level_col)}{first + 1}"
        match = f"MATCH({level},{lookup.range('level')},0)"

        def look(part: str, competency_id: str | None = column.key, match: str = match) -> str:
            return f"INDEX({lookup.range(part, competency_id)},{match})"

        current, goal = look("current"), f"MAX({look('current')},{look('next')})"
        ws.conditional(
            f"{top}:{cell_ref(last, column.index)}",
            [
                (f"IFERROR({look('applicable')}=0,FALSE)", styles.na_highlight, True),
                (f"IFERROR(AND(ISNUMBER({top}),{top}<{current}),FALSE)", styles.below, True),
                (f"IFERROR(AND(ISNUMBER({top}),{top}>={current},{top}<{goal}),FALSE)", styles.between, True),
                (f"IFERROR(AND(ISNUMBER({top}),{top}>={goal}),FALSE)", styles.meets, True),
            ],
        )
    for row in rows:
        ws.blank(row, sheet.column("employee_id").index, styles.input_text)
        ws.blank(row, sheet.column("name").index, styles.input_text)
        ws.blank(row, level_col, styles.input)
        for column in sheet.columns_of("rating"):
            ws.blank(row, column.index, styles.input)
        _inputs(ws, styles, sheet, row)
        _row_formulas(ws, styles, sheet, row, lookup_inputs(sheet, row, lookup), guard=True)


def _lookup_sheet(lookup: LevelLookup) -> Worksheet:
    ws = Worksheet(protect_options=False)
    for col, text in enumerate(lookup.header()):
        ws.text(0, col, text)
    for r, values in enumerate(lookup.rows(), start=1):
        for col, value in enumerate(values):
            if isinstance(value, str):
                ws.text(r, col, value)
            else:
                ws.number(r, col, value)
    return ws


def _rating_validation(fw: Framework, competency_id: str, level_id: str) -> Validation:
    target = fw.next_level(level_id) or fw.level_by_id[level_id]
    competency = fw.competency_by_id[competency_id]
    description = competency.descriptions.get(target.id, "")
    return Validation(
        "list",
        quoted_list(str(v) for v in fw.scale.values),
        input_title=shorten(f"{competency.name} · {target.id}", INPUT_TITLE_LIMIT),
        input_message=shorten(f"{target.id}: {description}", INPUT_MESSAGE_LIMIT, GUIDE_POINTER),
        error_title="Rating",
        error_message=shorten(f"Pick a whole number from the list: {_scale_labels(fw)}.", INPUT_MESSAGE_LIMIT),
    )


def _gap_rules(
    styles: _Styles, fw: Framework, competency_id: str, level_id: str, top: str
) -> list[tuple[str, int, bool]]:
    """Red below the current level's profile, amber between current and next, green at the next."""
    current = fw.level_by_id[level_id].expected.get(competency_id)
    following = fw.next_level(level_id)
    target = following.expected.get(competency_id) if following else None
    rules: list[tuple[str, int, bool]] = []
    if current is not None:
        rules.append((f"AND(ISNUMBER({top}),{top}<{current})", styles.below, False))
    goal = max(v for v in (current, target) if v is not None) if (current or target) else None
    if goal is not None and current is not None and goal > current:
        rules.append((f"AND(ISNUMBER({top}),{top}>={current},{top}<{goal})", styles.between, False))
    if goal is not None:
        rules.append((f"AND(ISNUMBER({top}),{top}>={goal})", styles.meets, False))
    return rules


def _metric_validation(fw: Framework, metric_id: str) -> Validation:
    metric = next(m for m in fw.metrics if m.id == metric_id)
    low = metric.min if metric.min is not None else -1e15
    high = metric.max if metric.max is not None else 1e15
    return Validation(
        "decimal",
        (low, high),
        input_title=shorten(metric.name, INPUT_TITLE_LIMIT),
        input_message=f"A number from {low:g} to {high:g}.",
        error_title=shorten(metric.name, INPUT_TITLE_LIMIT),
        error_message=f"Enter a number from {low:g} to {high:g}.",
    )


# -- reference sheets ------------------------------------------------------------------------------


def _instructions(styles: _Styles, plan: WorkbookPlan, password: str | None) -> Worksheet:
    ws = _protected(Worksheet(show_gridlines=False), password)
    ws.columns = [(0, 0, 28), (1, 1, 100)]
    ws.selected = plan.kind != "blank_matrix"
    row = 0
    ws.text(row, 0, _title(plan), styles.title)
    row += 2
    facts: list[tuple[str, str]] = []
    if plan.kind == "self" and plan.subject is not None:
        facts.append(("For", f"{plan.subject.name} ({plan.subject.employee_id}), to rate yourself"))
    elif plan.manager is not None:
        facts.append(("For", f"{plan.manager.name} ({plan.manager.id})"))
    if plan.cycle:
        facts.append(("Review cycle", plan.cycle))
    if plan.due:
        facts.append(("Please return by", plan.due))
    facts.append(("Frameworks", ", ".join(f"{fw.family.name} {fw.family.version}" for fw in plan.frameworks)))
    for label, value in facts:
        ws.text(row, 0, label, styles.bold)
        ws.text(row, 1, value, styles.plain_wrap)
        row += 1
    row += 1
    ws.text(row, 0, "How to fill it in", styles.heading)
    row += 1
    sheet_names = ", ".join(s.name for s in plan.sheets)
    steps = [
        (
            f"Open the sheet {sheet_names}. Your row is there: rate yourself honestly. Your manager rates you "
            "separately; the two are shown side by side, never averaged."
            if plan.kind == "self"
            else f"Open the sheet {sheet_names}. Each row is one person"
            + (" who reports to you." if plan.kind == "manager" else "; type the ID and name and pick the level.")
        ),
        "For each competency, pick a rating from the dropdown. Select a cell to read what the next level "
        "looks like; the Guide sheet has every description in full.",
        "Grey cells marked n/a are competencies outside that person's track: leave them.",
        "Answer each evidence question and Manager endorsement with Yes or No, fill any metric, and add "
        "comments with concrete examples.",
        "Average, Lowest, Gaps to next level and Ready? fill in by themselves once every rating of the row is "
        "given. Cells turn red below the current level's profile, amber between the current and next level, "
        "and green at the next level's profile.",
        "Save the file (.xlsx, or .ods from LibreOffice) and send it back. Do not rename sheets or headers; "
        "sorting rows and adding columns is fine.",
    ]
    for number, step in enumerate(steps, start=1):
        ws.text(row, 0, f"Step {number}", styles.bold)
        ws.text(row, 1, step, styles.plain_wrap)
        row += 1
    for fw in plan.frameworks:
        row += 1
        ws.text(row, 0, f"The scale ({fw.family.name})", styles.heading)
        row += 1
        for point in fw.scale.values:
            ws.number(row, 0, point, styles.bold)
            ws.text(row, 1, fw.scale.labels.get(point, ""), styles.plain_wrap)
            row += 1
        row += 1
        ws.text(row, 0, f"Promotion criteria ({fw.family.name})", styles.heading)
        row += 1
        for track in fw.tracks:
            for level in track.levels:
                following = fw.next_level(level.id)
                if following is None:
                    continue
                ws.text(row, 0, f"{level.id} → {following.id}", styles.bold)
                text = describe_criteria(fw.criteria_for(level.id), fw, following.id)
                ws.text(row, 1, text[0].upper() + text[1:] + ".", styles.plain_wrap)
                row += 1
            if track.entry is not None:
                ws.text(row, 0, f"{track.entry.from_} → {track.entry.to} ({track.name})", styles.bold)
                text = describe_criteria(track.entry.criteria, fw, track.entry.to)
                ws.text(row, 1, f"Crossover: {text}.", styles.plain_wrap)
                row += 1
    return ws


def _guide(styles: _Styles, plan: WorkbookPlan, password: str | None) -> Worksheet:
    ws = _protected(Worksheet(), password)
    ws.freeze = (1, 1)
    widest = max(sum(len(track.levels) for track in fw.tracks) for fw in plan.frameworks)
    ws.columns = [(0, 0, 24), (1, max(widest, max(len(fw.scale.values) for fw in plan.frameworks)), GUIDE_TEXT_WIDTH)]
    row = 0
    for fw in plan.frameworks:
        levels = [level for track in fw.tracks for level in track.levels]
        ws.text(row, 0, f"{fw.family.name} — competency", styles.header)
        for i, level in enumerate(levels, start=1):
            ws.text(row, i, f"{level.id} · {level.title}", styles.header)
        ws.height(row, 34)
        row += 1
        for comp in fw.competencies:
            ws.text(row, 0, comp.name, styles.wrap)
            for i, level in enumerate(levels, start=1):
                text = comp.descriptions.get(level.id)
                if text is not None and fw.assessed(comp.id, level.id):
                    ws.text(row, i, text.strip(), styles.wrap)
                else:
                    ws.text(row, i, NOT_APPLICABLE, styles.na)
            _fit_height(ws, row, [comp.descriptions.get(level.id) for level in levels], GUIDE_TEXT_WIDTH)
            row += 1
        row += 1
        ws.text(row, 0, "Scale", styles.header)
        ws.text(row, 1, "Meaning", styles.header)
        row += 1
        for value in fw.scale.values:
            ws.number(row, 0, value, styles.text)
            ws.text(row, 1, fw.scale.labels.get(value, ""), styles.wrap)
            row += 1
        row = _guide_anchors(styles, ws, fw, row + 1)
        row += 2
    ws.landscape = ws.fit_to_width = True
    return ws


def _guide_anchors(styles: _Styles, ws: Worksheet, fw: Framework, row: int) -> int:
    """What each point of the scale means per competency (`anchors`), for the competencies that say; the
    row after the table (`row` itself when no competency has anchors)."""
    anchored = [comp for comp in fw.competencies if comp.anchors]
    if not anchored:
        return row
    ws.text(row, 0, "What each rating means", styles.header)
    for i, value in enumerate(fw.scale.values, start=1):
        label = fw.scale.labels.get(value)
        ws.text(row, i, f"{value} · {label}" if label else str(value), styles.header)
    row += 1
    for comp in anchored:
        ws.text(row, 0, comp.name, styles.wrap)
        for i, value in enumerate(fw.scale.values, start=1):
            anchor = comp.anchors.get(value)
            if anchor is None:
                ws.blank(row, i, styles.wrap)
            else:
                ws.text(row, i, anchor.strip(), styles.wrap)
        _fit_height(ws, row, list(comp.anchors.values()), GUIDE_TEXT_WIDTH)
        row += 1
    return row


GUIDE_TEXT_WIDTH = 46  # characters: the Guide's text columns


def _fit_height(ws: Worksheet, row: int, texts: Sequence[str | None], width: float) -> None:
    """A row tall enough for its longest wrapped text, each line break kept: LibreOffice opens an .xlsx
    with stored heights and does not grow a row to its wrapped text by itself."""
    per_line = max(1, int(width * 1.1))
    lines = max(
        (sum(max(1, -(-len(part) // per_line)) for part in text.strip().split("\n")) for text in texts if text),
        default=1,
    )
    if lines > 1:
        ws.height(row, min(409.0, 15.0 * lines))


def _profile(styles: _Styles, plan: WorkbookPlan, password: str | None) -> Worksheet:
    ws = _protected(Worksheet(), password)
    ws.freeze = (1, 3)
    widest = max(len(fw.competencies) for fw in plan.frameworks)
    ws.columns = [(0, 0, 22), (1, 1, 10), (2, 2, 32), (3, 2 + widest, 14)]
    row = 0
    for fw in plan.frameworks:
        headers = ["Track", "Level", "Title", *(c.name for c in fw.competencies)]
        for col, text in enumerate(headers):
            ws.text(row, col, text, styles.header)
        ws.height(row, 48)
        row += 1
        for track in fw.tracks:
            for level in track.levels:
                ws.text(row, 0, track.name, styles.text)
                ws.text(row, 1, level.id, styles.text)
                ws.text(row, 2, level.title, styles.text)
                for col, comp in enumerate(fw.competencies, start=3):
                    value = level.expected.get(comp.id)
                    if not fw.assessed(comp.id, level.id):
                        ws.text(row, col, NOT_APPLICABLE, styles.na)
                    elif value is None:
                        ws.blank(row, col, styles.text)
                    else:
                        ws.number(row, col, value, styles.text)
                row += 1
        row += 2
    return ws


def _metadata_sheet(meta: WorkbookMetadata) -> Worksheet:
    ws = Worksheet(protect_options=False)
    for row, (key, value) in enumerate(encode_sheet(meta)):
        ws.text(row, 0, key)
        ws.text(row, 1, value)
    return ws
