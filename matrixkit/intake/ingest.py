"""Turn a ratings sheet's cell grid into checked rows and problems — no file access here.

Rows are found by the `Employee ID` header, columns by header text (the workbook's own metadata maps
headers of an older framework version to competency ids), so sorted rows, moved or extra columns and
blank rows all read the same. Every cell is valid or yields a problem; nothing is rounded or guessed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from matrixkit.assess.results import RatedRow, RowCells, Source
from matrixkit.model.framework import Framework
from matrixkit.model.problems import Problem, ProblemCap
from matrixkit.workbook.cells import cell_ref, col_letter, parse_ref
from matrixkit.workbook.layout import FORMULA_COLUMNS, HEADERS, NOT_APPLICABLE

HEADER_SEARCH_ROWS = 30
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")
_YES = {"yes", "y", "true", "1"}
_NO = {"no", "n", "false", "0"}
_YES_NO = {**dict.fromkeys(_YES, True), **dict.fromkeys(_NO, False)}
_ERROR_VALUES = {
    "#N/A",
    "#VALUE!",
    "#REF!",
    "#DIV/0!",
    "#NUM!",
    "#NAME?",
    "#NULL!",
    "#SPILL!",
    "#CALC!",
    "#GETTING_DATA",
}

# A rating's verdict: the rating (None when there is none), and the problem it raises as (value shown,
# message, code), or None. Pure, so a verdict on a typed text can be reused for every cell holding it.
_Verdict = tuple[int | None, tuple[object, str, str] | None]
# Distinct (column, text) verdicts kept per sheet: a flood repeats a few texts, and a sheet of a million
# different texts must not keep a million verdicts.
_VERDICTS_KEPT = 10_000


def normalise_header(text: object) -> str:
    return " ".join(str(text).split()).casefold() if text is not None else ""


@dataclass(frozen=True)
class SheetInput:
    """One ratings sheet as read from a file."""

    file: str
    sheet: str
    grid: Sequence[Sequence[Any]]
    formula_cells: frozenset[str] = frozenset()
    error_cells: frozenset[str] = frozenset()  # calamine reads error values as blanks: the scan knows better
    error_values: Mapping[str, str] = field(default_factory=dict)  # ... and what each shows ("#DIV/0!")
    # header text → "kind:key" as the workbook was generated (from its metadata); may be empty
    generated_headers: Mapping[str, str] = field(default_factory=dict)
    manager_id: str | None = None
    manager_name: str | None = None
    cycle: str | None = None


def describe_value(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value)) if abs(value) < 1e15 else repr(value)
    return str(value)


@dataclass
class _Reader:
    sheet: SheetInput
    fw: Framework
    problems: list[Problem] = field(default_factory=list)
    # (row, column) of the cells holding a formula or an error value: a set lookup per cell, not a reference
    formulas: frozenset[tuple[int, int]] = frozenset()
    errors: frozenset[tuple[int, int]] = frozenset()
    cap: ProblemCap | None = None
    # The columns holding any of those (in a generated sheet, only the computed ones): a cell of any other
    # column is what was typed, known by one lookup of an int rather than of a new tuple.
    flagged_columns: frozenset[int] = frozenset()
    rating_expected: str = ""
    text_verdicts: dict[tuple[int, str], _Verdict] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.formulas = frozenset(map(parse_ref, self.sheet.formula_cells))
        self.errors = frozenset(map(parse_ref, self.sheet.error_cells))
        self.flagged_columns = frozenset(col for _row, col in self.formulas | self.errors)
        scale = self.fw.scale
        self.rating_expected = f"a whole number from {scale.min} to {scale.max}"

    def problem(
        self, severity: str, row: int, col: int | None, value: object, expected: str | None, message: str, code: str
    ) -> None:
        if self.cap is not None and self.cap.only_counts(code, row):
            return  # a flood past its cap: counted, never built

        def build() -> Problem:
            return Problem(
                severity,  # type: ignore[arg-type]
                message,
                file=self.sheet.file,
                sheet=self.sheet.sheet,
                cell=cell_ref(row, col) if col is not None else f"row {row + 1}",
                value=None if value is None else describe_value(value),
                expected=expected,
                code=code,
            )

        if self.cap is None:
            self.problems.append(build())
        else:
            self.cap.add(self.problems, code, row, col, build)

    def typed_value(
        self, values: Sequence[Any], row: int, col: int, expected: str, name: str, noun: str
    ) -> tuple[bool, Any]:
        """(True, value) for what a person typed; (False, None) once a formula or error value is reported.

        Formulas are never trusted, whatever their cached result; error values read as blanks with
        calamine, so the file scan's list of error cells decides.
        """
        value = _cell(values, col)
        if (row, col) in self.formulas:
            self.problem(
                "error",
                row,
                col,
                value,
                expected,
                f"{name}: a formula, not a typed {noun} (formulas are never trusted)",
                "formula-cell",
            )
            return False, None
        if (row, col) in self.errors:
            shown = self.sheet.error_values.get(cell_ref(row, col)) or value
            self.problem("error", row, col, shown, expected, f"{name}: an error value, not a {noun}", "error-value")
            return False, None
        return True, value


def find_header_row(grid: Sequence[Sequence[Any]]) -> int | None:
    target = normalise_header(HEADERS["employee_id"])
    for index, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        if any(normalise_header(cell) == target for cell in row):
            return index
    return None


def map_columns(header: Sequence[Any], fw: Framework, generated: Mapping[str, str]) -> dict[str, int]:
    """'kind:key' → column index, by header text: the generated metadata first, then the framework."""
    known: dict[str, str] = {}
    for kind, text in HEADERS.items():
        if kind not in FORMULA_COLUMNS:
            known[normalise_header(text)] = kind
    for comp in fw.competencies:
        known[normalise_header(comp.name)] = f"rating:{comp.id}"
    for item in fw.evidence:
        known[normalise_header(item.prompt)] = f"evidence:{item.id}"
    for metric in fw.metrics:
        known[normalise_header(metric.name)] = f"metric:{metric.id}"
    for text, meaning in generated.items():
        known.setdefault(normalise_header(text), meaning)
    columns: dict[str, int] = {}
    for index, text in enumerate(header):
        found = known.get(normalise_header(text))
        if found is not None and found not in columns:
            columns[found] = index
    return columns


def ingest_sheet(
    sheet: SheetInput, fw: Framework, cap: ProblemCap | None = None
) -> tuple[list[RatedRow], list[Problem]]:
    """Read every employee row of one ratings sheet; return the rows and every problem found (with a
    `cap`, the problems of a kind past its limit are only counted there)."""
    reader = _Reader(sheet, fw, cap=cap)
    grid = sheet.grid
    header_row = find_header_row(grid)
    if header_row is None:
        reader.problem(
            "error",
            0,
            None,
            None,
            f"a header row with '{HEADERS['employee_id']}'",
            f"no '{HEADERS['employee_id']}' header found: this sheet cannot be read",
            "no-header-row",
        )
        return [], reader.problems
    columns = map_columns(grid[header_row], fw, sheet.generated_headers)
    for required in ("employee_id", "level"):
        if required not in columns:
            reader.problem(
                "error",
                header_row,
                None,
                None,
                HEADERS[required],
                f"no '{HEADERS[required]}' column: this sheet cannot be read",
                "missing-column",
            )
            return [], reader.problems
    for comp in fw.competencies:
        if f"rating:{comp.id}" not in columns:
            reader.problem(
                "error",
                header_row,
                None,
                None,
                comp.name,
                f"no column for competency '{comp.name}' ({comp.id}): its ratings count as missing",
                "missing-competency-column",
            )
    plan = _RowPlan.of(fw, columns)
    rows: list[RatedRow] = []
    for index in range(header_row + 1, len(grid)):
        row = _ingest_row(reader, grid[index], index, plan)
        if row is not None:
            rows.append(row)
    return rows, reader.problems


@dataclass
class _RowPlan:
    """Where each input of a row is, worked out once per sheet."""

    columns: dict[str, int]
    inputs: list[int]  # every input column: a row with none of them filled is blank
    ratings: list[tuple[str, str, int | None]]  # (competency id, name, column)
    evidence: list[tuple[str, str, int | None]]  # (evidence id, prompt, column)
    applicable: dict[str, frozenset[str]] = field(default_factory=dict)  # level id → its competency ids
    letters: dict[int, str] = field(default_factory=dict)  # column → its letters, for the rows' cell references
    letters_at: dict[str, dict[str, str]] = field(default_factory=dict)  # level id → `rating_letters`

    def __post_init__(self) -> None:
        self.letters = {col: col_letter(col) for col in self.columns.values()}

    @classmethod
    def of(cls, fw: Framework, columns: dict[str, int]) -> _RowPlan:
        return cls(
            columns,
            [i for key, i in columns.items() if not key.startswith(FORMULA_COLUMNS)],
            [(c.id, c.name, columns.get(f"rating:{c.id}")) for c in fw.competencies],
            [(e.id, e.prompt, columns.get(f"evidence:{e.id}")) for e in fw.evidence],
        )

    def rating_letters(self, fw: Framework, level: str) -> dict[str, str]:
        """Competency id → the column letters of its rating, for the competencies rated at `level`: one
        mapping a level, which every row's `RowCells` shares."""
        found = self.letters_at.get(level)
        if found is None:
            applicable = self.applicable_to(fw, level)
            found = self.letters_at[level] = {
                competency_id: self.letters[col]
                for competency_id, _name, col in self.ratings
                if competency_id in applicable and col is not None
            }
        return found

    def applicable_to(self, fw: Framework, level: str) -> frozenset[str]:
        found = self.applicable.get(level)
        if found is None:
            chosen = fw.competencies_at(level) if level in fw.level_by_id else fw.competencies
            found = self.applicable[level] = frozenset(c.id for c in chosen)
        return found


def _cell(values: Sequence[Any], col: int | None) -> Any:
    if col is None or col >= len(values):
        return None
    value = values[col]
    return None if value == "" else value


def _text(value: Any) -> str:
    return "" if value is None else describe_value(value).strip()


def _shared_ref(ref: str) -> str:
    """One object per cell reference ("A2") in this process: every workbook's row 2 names the same
    Employee ID cell, and rows travel from the reading workers pickled, which writes an object met before
    as a reference to it. (The rating cells are `RowCells`: letters shared by a level, no string at all.)

    >>> _shared_ref("".join(["E", "2"])) is _shared_ref("E2")
    True
    """
    found = _REFS.get(ref)
    if found is None:
        if len(_REFS) >= _REFS_KEPT:
            _REFS.clear()  # a sheet of a million rows must not keep a million references
        found = _REFS[ref] = ref
    return found


_REFS: dict[str, str] = {}
_REFS_KEPT = 2**16


def _ingest_row(reader: _Reader, values: Sequence[Any], row: int, plan: _RowPlan) -> RatedRow | None:
    fw = reader.fw
    columns = plan.columns
    width = len(values)
    for index in plan.inputs:
        if index < width and values[index] is not None and values[index] != "":
            break
    else:
        return None  # a blank row
    employee_id = _text(_cell(values, columns["employee_id"]))
    if not employee_id:
        reader.problem(
            "error",
            row,
            columns["employee_id"],
            None,
            "an employee id",
            f"a row with entries but no {HEADERS['employee_id']}: it is not analysed",
            "no-employee-id",
        )
        return None
    level_text = _text(_cell(values, columns["level"]))
    level = (
        level_text
        if level_text in fw.level_by_id
        else next((lid for lid in fw.level_by_id if lid.casefold() == level_text.casefold()), level_text)
    )
    name = _text(_cell(values, columns.get("name")))
    ratings: dict[str, int | None] = {}
    applicable = plan.applicable_to(fw, level)
    number = str(row + 1)
    for competency_id, competency_name, col in plan.ratings:
        if competency_id not in applicable:
            if col is not None and level in fw.level_by_id and competency_id in fw.level_by_id[level].not_assessed:
                _not_assessed_rating(reader, values, row, col, competency_name, level)
            continue
        if col is None:
            ratings[competency_id] = None
        else:
            ratings[competency_id] = parse_rating(reader, values, row, col, competency_name)
    evidence = {
        evidence_id: parse_yes_no(reader, values, row, col, prompt) for evidence_id, prompt, col in plan.evidence
    }
    endorsement = parse_yes_no(reader, values, row, columns.get("endorsement"), HEADERS["endorsement"])
    metrics = {m.id: parse_metric(reader, values, row, columns.get(f"metric:{m.id}"), m) for m in fw.metrics}
    return RatedRow(
        employee_id=employee_id,
        name=name,
        family=fw.family.id,
        level=level,
        manager_id=reader.sheet.manager_id,
        ratings=ratings,
        evidence=evidence,
        endorsement=endorsement,
        metrics=metrics,
        comments=_text(_cell(values, columns.get("comments"))),
        source=Source(reader.sheet.file, reader.sheet.sheet, row + 1),
        manager_name=reader.sheet.manager_name,
        cycle=reader.sheet.cycle,
        cells=RowCells(plan.rating_letters(fw, level), number),
        id_cell=_shared_ref(plan.letters[columns["employee_id"]] + number),
    )


def _not_assessed_rating(reader: _Reader, values: Sequence[Any], row: int, col: int, name: str, level: str) -> None:
    """A rating typed where the framework does not assess the competency (`expected: {id: null}`): a
    warning naming the cell; the value counts nowhere. The workbook's own `n/a` is no news."""
    value = values[col] if col < len(values) else None
    if value is None or (isinstance(value, str) and value.strip().casefold() in ("", NOT_APPLICABLE)):
        return
    reader.problem(
        "warning",
        row,
        col,
        value,
        NOT_APPLICABLE,
        f"{name}: not assessed at level {level}, so this rating is ignored",
        "rating-not-assessed",
    )


def parse_rating(reader: _Reader, values: Sequence[Any], row: int, col: int, name: str) -> int | None:
    """A typed whole number within the scale, or None (blank: no problem; anything else: a problem)."""
    scale = reader.fw.scale
    value = values[col] if col < len(values) else None
    typed_here = col not in reader.flagged_columns  # no formula or error value in this column: it was typed
    # The common case first: a number picked from the dropdown, read back as a float or an int.
    if (isinstance(value, float) and value.is_integer()) or type(value) is int:
        whole = int(value)
        if scale.min <= whole <= scale.max and (
            typed_here or ((row, col) not in reader.formulas and (row, col) not in reader.errors)
        ):
            return whole
    expected = reader.rating_expected
    if typed_here and type(value) is str:  # text, blank included: no formula or error value to report first
        return _rating_text(reader, value, row, col, name)
    typed, value = reader.typed_value(values, row, col, expected, name, "rating")
    if not typed or value is None:
        return None
    if isinstance(value, bool):
        reader.problem(
            "error", row, col, value, expected, f"{name}: a true/false value, not a rating", "rating-invalid"
        )
        return None
    if isinstance(value, int | float):
        return _rating_number(reader, float(value), value, row, col, name)
    if isinstance(value, str):
        return _rating_text(reader, value, row, col, name)
    if isinstance(value, datetime | date | time | timedelta):
        reader.problem("error", row, col, value, expected, f"{name}: a date or time, not a rating", "rating-invalid")
        return None
    reader.problem("error", row, col, value, expected, f"{name}: not a rating", "rating-invalid")
    return None


def _judge_rating_number(number: float, value: object, scale_min: int, scale_max: int, name: str) -> _Verdict:
    """A rating read as a number (`value` as found, for the problem): a whole one within the scale, or why not."""
    if not math.isfinite(number):
        return None, _non_finite(value, name, "rating-not-finite")
    if not number.is_integer():
        return None, (value, f"{name}: {describe_value(value)} is not a whole number", "rating-not-whole")
    if not scale_min <= number <= scale_max:
        message = f"{name}: {describe_value(value)} is outside the scale {scale_min}–{scale_max}"
        return None, (value, message, "rating-out-of-scale")
    return int(number), None


def _judge_rating_text(value: str, scale_min: int, scale_max: int, name: str) -> _Verdict:
    """A rating typed as text: a number within the scale, or why not (blank: no rating and no problem).

    >>> _judge_rating_text(" 4 ", 1, 5, "Craft"), _judge_rating_text("four", 1, 5, "Craft")[1]
    ((4, None), ('four', "Craft: 'four' is not a number", 'rating-invalid'))
    """
    text = value.strip()
    if text == "":
        return None, None
    if text in _ERROR_VALUES:
        return None, (text, f"{name}: an error value, not a rating", "error-value")
    if text.casefold() == NOT_APPLICABLE:
        return None, (text, f"{name}: marked n/a, but it applies to this level", "rating-not-applicable")
    if not _NUMBER.match(text):
        return None, (text, f"{name}: '{text}' is not a number", "rating-invalid")
    return _judge_rating_number(float(text), value, scale_min, scale_max, name)


def _rating_number(reader: _Reader, number: float, value: object, row: int, col: int, name: str) -> int | None:
    scale = reader.fw.scale
    return _report(reader, _judge_rating_number(number, value, scale.min, scale.max, name), row, col)


def _rating_text(reader: _Reader, value: str, row: int, col: int, name: str) -> int | None:
    key = (col, value)
    verdict = reader.text_verdicts.get(key)
    if verdict is None:
        scale = reader.fw.scale
        verdict = _judge_rating_text(value, scale.min, scale.max, name)
        if len(reader.text_verdicts) < _VERDICTS_KEPT:
            reader.text_verdicts[key] = verdict
    return _report(reader, verdict, row, col)


def _report(reader: _Reader, verdict: _Verdict, row: int, col: int) -> int | None:
    rating, problem = verdict
    if problem is not None:
        shown, message, code = problem
        reader.problem("error", row, col, shown, reader.rating_expected, message, code)
    return rating


def _non_finite(value: object, name: str, code: str) -> tuple[object, str, str]:
    return value, f"{name}: {describe_value(value)} is not a finite number", code


def _finite(
    reader: _Reader, number: float, value: object, row: int, col: int, expected: str, name: str, code: str
) -> bool:
    """False, with a problem, for NaN or infinity: "1e999" reads as infinity, which would pass any
    "at least" target, so it is refused and never counted as met."""
    if math.isfinite(number):
        return True
    shown, message, code = _non_finite(value, name, code)
    reader.problem("error", row, col, shown, expected, message, code)
    return False


def parse_yes_no(reader: _Reader, values: Sequence[Any], row: int, col: int | None, name: str) -> bool | None:
    if col is None:
        return None
    expected = "Yes or No"
    value = values[col] if col < len(values) else None
    if (value is None or value == "") and col not in reader.flagged_columns:
        return None  # a blank typed cell: no answer, and no problem
    if type(value) is str and (
        col not in reader.flagged_columns or ((row, col) not in reader.formulas and (row, col) not in reader.errors)
    ):
        text = value.strip()
        answer = _YES_NO.get(text.casefold())
        if answer is not None or not text or text.casefold() == NOT_APPLICABLE:
            return answer  # a blank is no answer, and no problem; nor is n/a where nothing asks for it
    typed, value = reader.typed_value(values, row, col, expected, name, "Yes or No answer")
    if not typed or value is None:
        return None
    if isinstance(value, bool):
        return value
    answer = parse_yes_no_text(describe_value(value))
    if answer is None and describe_value(value).strip():
        reader.problem(
            "error", row, col, value, expected, f"{name}: '{describe_value(value)}' is not Yes or No", "yes-no-invalid"
        )
    return answer


def parse_yes_no_text(text: str) -> bool | None:
    """yes/no/y/n/true/false/1/0 in any case, trimmed; None for anything else.

    >>> parse_yes_no_text(" YES "), parse_yes_no_text("n"), parse_yes_no_text("maybe")
    (True, False, None)
    """
    folded = text.strip().casefold()
    if folded in _YES:
        return True
    if folded in _NO:
        return False
    return None


def parse_metric(reader: _Reader, values: Sequence[Any], row: int, col: int | None, metric: Any) -> float | None:
    if col is None:
        return None
    low, high = metric.min, metric.max
    expected = "a number" + (f" from {low:g} to {high:g}" if low is not None and high is not None else "")
    typed, value = reader.typed_value(values, row, col, expected, metric.name, "number")
    if not typed or value is None:
        return None
    number: float | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str) and _NUMBER.match(value.strip()):
        number = float(value.strip())
    if number is None:
        reader.problem("error", row, col, value, expected, f"{metric.name}: not a number", "metric-invalid")
        return None
    if not _finite(reader, number, value, row, col, expected, metric.name, "metric-not-finite"):
        return None
    if (low is not None and number < low) or (high is not None and number > high):
        reader.problem(
            "error", row, col, value, expected, f"{metric.name}: {number:g} is out of range", "metric-out-of-range"
        )
        return None
    return number
