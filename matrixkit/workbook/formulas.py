"""Spreadsheet formulas for the ratings sheet's computed columns.

Only functions Excel (2007 on) and LibreOffice Calc 7.4 both compute without array entry: IF, AND, OR, MID,
IFERROR, ISNUMBER, COUNT, COUNTIFS, INT, MIN, MAX, INDEX, MATCH, ROUND, SUMPRODUCT. Each formula
mirrors `matrixkit.assess.scoring.row_figures`, and stays within Excel's 8,192 characters.

A row's parameters are either literals (a roster row: the level is known when the file is written)
or spreadsheet expressions (a blank-matrix row: looked up from the level the manager picks). A
blank-matrix row computes over whole rows of the lookup table (`RowArrays`): written term by term,
its Average passed 8,192 characters at about 21 competencies.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from matrixkit.model.criteria import (
    CALIBRATION_NEEDED,
    ENDORSEMENT_NEEDED,
    KIND_BY_KEY,
    NO_START_DATE,
    RATING_BARS,
    STILL_NEEDED_SEPARATOR,
    Figure,
    decided_later,
    gaps_needed,
    in_framework_order,
    months_needed,
)
from matrixkit.model.framework import Framework
from matrixkit.workbook.cells import cell_ref, col_letter
from matrixkit.workbook.layout import LevelLookup, RatingsSheet

Param = str | float | int | bool | None  # str: a spreadsheet expression; else a literal
_UNBOUNDED = "1E+99"
FORMULA_LIMIT = 8192  # Excel's longest formula, in characters
ARGUMENT_LIMIT = 255  # Excel's (and LibreOffice's) most arguments to one function
STILL_NEEDED_LIMIT = 32767  # MID's length: the whole text
_LITERAL = re.compile(r'"(?:[^"]|"")*"')
HEADER_ROW_NUMBER = 1  # the ratings sheet's header row, as a formula names it (`E$1`)


def _literal(value: float | int) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


@dataclass(frozen=True)
class RatingTerm:
    ref: str  # the rating cell, e.g. "D5"
    applicable: Param  # True/False literal, or an expression giving 1/0
    weight: Param
    next_expected: Param  # None: never a gap


@dataclass(frozen=True)
class RowArrays:
    """A row's ratings as one range, and its level's parameters as arrays lined up with it."""

    ratings: str  # e.g. "D5:AA5"
    applicable: str  # 1/0 per rating: an INDEX into the lookup table (a range), or a constant array
    weight: str
    next_expected: str  # 0: never a gap
    applicable_cells: tuple[str, ...] = ()  # a roster row: its applicable ratings, as runs of adjacent cells


@dataclass(frozen=True)
class Requirement:
    """One item of the next level's criteria that is not a rating bar, as Ready? and Still needed test it.

    `phrase` is a formula expression giving its words (`"Manager endorsement"`, `E$1`: the header that
    holds an evidence prompt). A checked item has `met`, an expression true when the row meets it
    (`FALSE`: known not met when the file is written); an item decided later has no `met`, and
    `applies` (None: always) says when it applies, for a blank-matrix row whose level is picked later.
    """

    phrase: str
    met: str | None = None
    applies: str | None = None


@dataclass(frozen=True)
class RowFormulaInputs:
    terms: tuple[RatingTerm, ...]
    applicable_count: Param
    has_next: Param
    thresholds: tuple[tuple[str, Param], ...]  # (rating criterion key, threshold; None: not checked)
    scale_min: int
    scale_max: int
    arrays: RowArrays | None = None  # set: the figures are computed over these instead of term by term
    # Phrases of the rating bars for Still needed, lined up with `thresholds` (None: not checked).
    bar_phrases: tuple[str | None, ...] = ()
    requirements: tuple[Requirement, ...] = ()  # the other criteria, in canonical key order


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _literal_requirements(
    fw: Framework, sheet: RatingsSheet, row: int, level_id: str, months_so_far: int | None
) -> tuple[tuple[str | None, ...], tuple[Requirement, ...]]:
    """A roster row's criteria as Still needed names them (`model.criteria.workbook_verdict` in cells)."""
    if fw.next_level(level_id) is None:
        return (), ()
    checked = fw.criteria_for(level_id).checked()
    bars = tuple(
        _quoted(KIND_BY_KEY[key].needed(checked[key], fw, None)[0]) if key in checked else None for key in RATING_BARS
    )
    header = HEADER_ROW_NUMBER
    requirements: list[Requirement] = []
    for key, value in checked.items():
        if key in RATING_BARS or (key == "sustained_cycles" and value <= 1):
            continue
        if decided_later(key, value, months_so_far):
            requirements += [Requirement(_quoted(p)) for p in KIND_BY_KEY[key].needed(value, fw, None)]
        elif key == "months_in_level_at_least":
            if months_so_far is not None and months_so_far < value:
                requirements.append(Requirement(_quoted(months_needed(value, months_so_far)), "FALSE"))
        elif key == "evidence":
            for item in in_framework_order(value, [e.id for e in fw.evidence]):
                column = sheet.column("evidence", item)
                ref = cell_ref(row, column.index)
                requirements.append(Requirement(f"{column.letter}${header}", f'{ref}="Yes"'))
        elif key == "metrics_at_least":
            for metric_id in in_framework_order(value, [m.id for m in fw.metrics]):
                threshold = value[metric_id]
                column = sheet.column("metric", metric_id)
                ref, bar = cell_ref(row, column.index), _literal(threshold)
                requirements.append(
                    Requirement(
                        f'{column.letter}${header}&" at least {_number(threshold)}"',
                        f"AND(ISNUMBER({ref}),{ref}>={bar})",
                    )
                )
        elif key == "endorsement":
            ref = cell_ref(row, sheet.column("endorsement").index)
            requirements.append(Requirement(_quoted(ENDORSEMENT_NEEDED), f'{ref}="Yes"'))
        else:
            raise AssertionError(key)  # a new kind says here how the workbook checks it
    return bars, tuple(requirements)


def _number(value: float) -> str:
    return f"{value:g}"


def literal_inputs(
    fw: Framework, sheet: RatingsSheet, row: int, level_id: str, months_so_far: int | None = None
) -> RowFormulaInputs:
    """A roster row: everything is known, so formulas hold plain numbers; `months_so_far` is the
    employee's whole months in level on the cycle's last day (None: no `level_since`)."""
    applicable = {c.id for c in fw.competencies_at(level_id)}
    following = fw.next_level(level_id)
    terms = tuple(
        RatingTerm(
            cell_ref(row, column.index),
            True,
            fw.competency_by_id[column.key].weight,
            following.expected.get(column.key) if following else None,
        )
        for column in sheet.columns_of("rating")
        if column.key in applicable
    )
    criteria = fw.criteria_for(level_id)
    bar_phrases, requirements = _literal_requirements(fw, sheet, row, level_id, months_so_far)
    inputs = RowFormulaInputs(
        terms=terms,
        applicable_count=len(terms),
        has_next=following is not None,
        thresholds=tuple((key, getattr(criteria, key)) for key in RATING_BARS),
        scale_min=fw.scale.min,
        scale_max=fw.scale.max,
        bar_phrases=bar_phrases,
        requirements=requirements,
    )
    if len(terms) + 3 <= ARGUMENT_LIMIT and len(average_formula(inputs)) < FORMULA_LIMIT:
        return inputs  # term by term, as most rows are: the shortest to read
    # Hundreds of competencies: over the row's ratings with the level's parameters as constant arrays.
    columns = sheet.columns_of("rating")
    keys = [column.key or "" for column in columns]  # a rating column always names its competency

    def constants(values: Sequence[float | int]) -> str:
        return "{" + ",".join(_literal(v) for v in values) + "}"

    expected = following.expected if following else {}
    never = fw.scale.min  # no rating is below it: never a gap
    return replace(
        inputs,
        arrays=RowArrays(
            f"{cell_ref(row, columns[0].index)}:{cell_ref(row, columns[-1].index)}",
            constants([1 if key in applicable else 0 for key in keys]),
            constants([fw.competency_by_id[key].weight if key in applicable else 0 for key in keys]),
            constants([expected.get(key, never) if key in applicable else never for key in keys]),
            tuple(_runs(row, [column.index for column in columns if column.key in applicable])),
        ),
    )


def _runs(row: int, indexes: Sequence[int]) -> list[str]:
    """Adjacent columns as one range: `D2:F2`, `H2`."""
    runs: list[list[int]] = []
    for index in indexes:
        if runs and runs[-1][-1] + 1 == index:
            runs[-1].append(index)
        else:
            runs.append([index])
    return [
        cell_ref(row, run[0]) if len(run) == 1 else f"{cell_ref(row, run[0])}:{cell_ref(row, run[-1])}" for run in runs
    ]


def _min(values: Sequence[str]) -> str:
    """MIN of any number of values, nested to keep within ARGUMENT_LIMIT arguments a call."""
    if len(values) <= ARGUMENT_LIMIT:
        return f"MIN({','.join(values)})"
    step = ARGUMENT_LIMIT
    return _min([_min(values[i : i + step]) for i in range(0, len(values), step)])


def _when(applicable: Param, expression: str, otherwise: str) -> str:
    if applicable is True:
        return expression
    return f"IF({applicable}={1},{expression},{otherwise})"


def _sum(parts: Sequence[str]) -> str:
    return "+".join(parts) if parts else "0"


def average_formula(inputs: RowFormulaInputs) -> str:
    """Weighted mean while every applicable rating is a whole number on the scale, else empty."""
    if inputs.arrays is not None:
        return _average_over_arrays(inputs, inputs.arrays)
    terms = [t for t in inputs.terms if t.applicable is not False]
    if not terms:
        return '=""'
    low, high = inputs.scale_min, inputs.scale_max
    if all(t.applicable is True for t in terms):
        refs = ",".join(t.ref for t in terms)
        whole = ",".join(f"{t.ref}=INT({t.ref})" for t in terms)
        valid = f"AND(COUNT({refs})={len(terms)},{whole},MIN({refs})>={low},MAX({refs})<={high})"
        if all(t.weight == terms[0].weight for t in terms):
            mean = f"AVERAGE({refs})"
        else:
            weighted = _sum([f"{t.ref}*{_param(t.weight)}" for t in terms])
            mean = f"({weighted})/({_sum([_param(t.weight) for t in terms])})"
        return f'=IFERROR(IF({valid},{mean},""),"")'
    counted = _sum(
        [
            _when(
                t.applicable,
                f"IFERROR(AND(ISNUMBER({t.ref}),{t.ref}=INT({t.ref}),{t.ref}>={low},{t.ref}<={high}),FALSE)*1",
                "0",
            )
            for t in terms
        ]
    )
    weighted = _sum([_when(t.applicable, f"{t.ref}*{_param(t.weight)}", "0") for t in terms])
    total = _sum([_when(t.applicable, _param(t.weight), "0") for t in terms])
    return (
        f"=IFERROR(IF(AND({_param(inputs.applicable_count)}>0,{counted}={_param(inputs.applicable_count)}),"
        f'({weighted})/({total}),""),"")'
    )


def _average_over_arrays(inputs: RowFormulaInputs, arrays: RowArrays) -> str:
    # Valid: a number that is one of the scale's values (MATCH against them is never an error, as INT of
    # a text would be); SUMPRODUCT's separate arguments read a text as 0, and it is then not applicable.
    ratings, applicable, count = arrays.ratings, arrays.applicable, _param(inputs.applicable_count)
    scale = "{" + ",".join(str(v) for v in range(inputs.scale_min, inputs.scale_max + 1)) + "}"
    valid = f"SUMPRODUCT({applicable}*ISNUMBER({ratings})*ISNUMBER(MATCH({ratings},{scale},0)))"
    mean = f"SUMPRODUCT({applicable},{arrays.weight},{ratings})/SUMPRODUCT({applicable},{arrays.weight})"
    return f'=IFERROR(IF(AND({count}>0,{valid}={count}),{mean},""),"")'


def lowest_formula(inputs: RowFormulaInputs, average: str) -> str:
    if inputs.arrays is not None and inputs.arrays.applicable_cells:
        return f'=IF(ISNUMBER({average}),{_min(inputs.arrays.applicable_cells)},"")'
    if inputs.arrays is not None:
        # With every applicable rating valid, the lowest is the scale's first value plus how many of the
        # values below the top no applicable rating reaches down to: COUNTIFS over the row and the level's
        # applicability (a range, as INDEX gives it), where a text never counts and never is an error.
        arrays, low, high = inputs.arrays, inputs.scale_min, inputs.scale_max
        below = ",".join(f'"<={v}"' for v in range(low, high))
        if not below:
            return f'=IF(ISNUMBER({average}),{low},"")'
        counted = f"COUNTIFS({arrays.ratings},{{{below}}},{arrays.applicable},1)"
        return f'=IF(ISNUMBER({average}),{low}+SUMPRODUCT(--({counted}=0)),"")'
    terms = [t for t in inputs.terms if t.applicable is not False]
    values = ",".join(_when(t.applicable, t.ref, _UNBOUNDED) for t in terms)
    return f'=IF(ISNUMBER({average}),MIN({values}),"")'


def gaps_formula(inputs: RowFormulaInputs, average: str) -> str | None:
    """None at the top of a track (the cell stays empty)."""
    if inputs.has_next is False:
        return None
    if inputs.arrays is not None:
        arrays = inputs.arrays
        counted = f"SUMPRODUCT({arrays.applicable}*({arrays.ratings}<{arrays.next_expected}))"
        return f'=IF({_param(inputs.has_next)}=1,IF(ISNUMBER({average}),{counted},""),"")'
    parts = [
        _when(t.applicable, f"({t.ref}<{_param(t.next_expected)})*1", "0")
        for t in inputs.terms
        if t.applicable is not False and t.next_expected is not None
    ]
    body = f'IF(ISNUMBER({average}),{_sum(parts)},"")'
    if inputs.has_next is True:
        return f"={body}"
    return f'=IF({inputs.has_next}=1,{body},"")'


def _bar_checks(inputs: RowFormulaInputs, average: str, lowest: str, gaps: str) -> list[tuple[str, str | None]]:
    """(condition met, its Still needed phrase) of each checked rating bar."""
    figures: dict[Figure, str] = {"average": average, "lowest": lowest, "gaps": gaps}
    phrases = inputs.bar_phrases or (None,) * len(inputs.thresholds)
    return [
        (RATING_BARS[key].formula(figures[RATING_BARS[key].figure], _param(threshold)), phrase)
        for (key, threshold), phrase in zip(inputs.thresholds, phrases, strict=True)
        if threshold is not None
    ]


def ready_formula(inputs: RowFormulaInputs, average: str, lowest: str, gaps: str) -> str | None:
    """Yes / Pending / No (SPEC rev 2) once every rating is valid; None at the top of a track."""
    if inputs.has_next is False:
        return None
    checks = [check for check, _ in _bar_checks(inputs, average, lowest, gaps)]
    checks += [r.met for r in inputs.requirements if r.met is not None]
    later = [r for r in inputs.requirements if r.met is None]
    if any(r.applies is None for r in later):
        passed = '"Pending"'
    elif later:
        passed = f'IF(OR({",".join(r.applies or "" for r in later)}),"Pending","Yes")'
    else:
        passed = '"Yes"'
    verdict = f'IF(AND({",".join(checks)}),{passed},"No")' if checks else passed
    if "FALSE" in checks:  # known not met when the file was written (months in level)
        verdict = '"No"'
    body = f'IF(ISNUMBER({gaps}),{verdict},"")'
    return f"={body}" if inputs.has_next is True else f'=IF({_param(inputs.has_next)}=1,{body},"")'


def still_needed_formula(inputs: RowFormulaInputs, average: str, lowest: str, gaps: str) -> str | None:
    """Each criterion not met or decided later, in words, joined by "; "; None at the top of a track."""
    if inputs.has_next is False:
        return None

    def gap(phrase: str) -> str:  # the separator before a phrase: "; " joined into a literal's quotes
        return (
            f'"{STILL_NEEDED_SEPARATOR}{phrase[1:]}'
            if _LITERAL.fullmatch(phrase)
            else f'"{STILL_NEEDED_SEPARATOR}"&{phrase}'
        )

    pieces: list[str] = []
    for check, phrase in _bar_checks(inputs, average, lowest, gaps):
        pieces.append(f'IF({check},"",{gap(phrase or "")})')
    for r in inputs.requirements:
        if (r.met is None and r.applies is None) or r.met == "FALSE":
            pieces.append(gap(r.phrase))
        elif r.met is None:
            pieces.append(f'IF({r.applies},{gap(r.phrase)},"")')
        else:
            pieces.append(f'IF({r.met},"",{gap(r.phrase)})')
    joined = "&".join(pieces) or '""'
    body = f'IF(ISNUMBER({gaps}),MID({joined},{len(STILL_NEEDED_SEPARATOR) + 1},{STILL_NEEDED_LIMIT}),"")'
    return f"={body}" if inputs.has_next is True else f'=IF({_param(inputs.has_next)}=1,{body},"")'


def _param(value: Param) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float):
        return _literal(value)
    if value is None:
        raise ValueError("a missing parameter has no formula form")
    return value


def lookup_inputs(sheet: RatingsSheet, row: int, lookup: LevelLookup) -> RowFormulaInputs:
    """A blank-matrix row: every parameter is read from the level the manager picks."""
    fw = sheet.framework
    level = f"${col_letter(sheet.column('level').index)}{row + 1}"  # the row's own level cell
    match = f"MATCH({level},{lookup.range('level')},0)"

    def look(name: str, competency_id: str | None = None) -> str:
        return f"INDEX({lookup.range(name, competency_id)},{match})"

    def whole_row(name: str) -> str:
        return f"INDEX({lookup.block(name)},{match},0)"

    ratings = sheet.columns_of("rating")

    terms = tuple(
        RatingTerm(
            cell_ref(row, column.index),
            look("applicable", column.key),
            look("weight", column.key),
            look("next", column.key),
        )
        for column in ratings
    )

    def criterion(name: str) -> str:
        return f"INDEX({lookup.criterion_range(name)},{match})"

    def bar_phrase(key: str) -> str:
        bar = look(RATING_BARS[key].lookup_column)
        if key == "average_at_least":
            return f'"Average at least "&{bar}'
        if key == "each_at_least":
            return f'"No rating below "&{bar}'
        # gaps_needed, in cells
        return f'IF({bar}=0,{_quoted(gaps_needed(0))},"At most "&{bar}&IF({bar}=1," gap"," gaps")&" to the next level")'

    header = HEADER_ROW_NUMBER
    sustained, months = criterion("sustained_cycles"), criterion("months_in_level_at_least")
    requirements = [
        Requirement(f'{sustained}&" cycles at this bar"', applies=f"{sustained}>1"),
        # No roster, no level_since: the months are decided later.
        Requirement(f'{months}&" months in level ({NO_START_DATE})"', applies=f"{months}>0"),
    ]
    evidence: list[Requirement] = []
    for item in fw.evidence:
        column = sheet.column("evidence", item.id)
        ref = cell_ref(row, column.index)
        evidence.append(
            Requirement(f"{column.letter}${header}", f'OR({criterion(f"evidence:{item.id}")}=0,{ref}="Yes")')
        )
    first_evidence = len(requirements)
    requirements += evidence
    for metric in fw.metrics:
        column = sheet.column("metric", metric.id)
        ref, bar = cell_ref(row, column.index), criterion(f"metric:{metric.id}")
        requirements.append(
            Requirement(
                f'{column.letter}${header}&" at least "&{bar}',
                f"OR({bar}<=-{_UNBOUNDED},AND(ISNUMBER({ref}),{ref}>={bar}))",
            )
        )
    endorsement = cell_ref(row, sheet.column("endorsement").index)
    requirements.append(
        Requirement(_quoted(ENDORSEMENT_NEEDED), f'OR({criterion("endorsement")}=0,{endorsement}="Yes")')
    )
    requirements.append(Requirement(_quoted(CALIBRATION_NEEDED), applies=f"{criterion('calibration')}=1"))
    inputs = RowFormulaInputs(
        terms=terms,
        applicable_count=look("count"),
        has_next=look("has_next"),
        thresholds=tuple((key, look(bar.lookup_column)) for key, bar in RATING_BARS.items()),
        bar_phrases=tuple(bar_phrase(key) for key in RATING_BARS),
        requirements=tuple(requirements),
        scale_min=fw.scale.min,
        scale_max=fw.scale.max,
        arrays=RowArrays(
            f"{cell_ref(row, ratings[0].index)}:{cell_ref(row, ratings[-1].index)}",
            whole_row("applicable"),
            whole_row("weight"),
            whole_row("next"),
        ),
    )
    if fw.evidence and _past_the_limit(inputs):
        # Dozens of evidence items, each named: one count of those asked and not yet Yes instead.
        answered = sheet.columns_of("evidence")
        answers = f"{cell_ref(row, answered[0].index)}:{cell_ref(row, answered[-1].index)}"
        missing = f'SUMPRODUCT(INDEX({lookup.evidence_block()},{match},0)*({answers}<>"Yes"))'
        counted = Requirement(f'"Evidence: "&{missing}&IF({missing}=1," item"," items")&" not yet Yes"', f"{missing}=0")
        after = first_evidence + len(evidence)
        inputs = replace(inputs, requirements=(*requirements[:first_evidence], counted, *requirements[after:]))
    return inputs


def _past_the_limit(inputs: RowFormulaInputs) -> bool:
    """Would Ready? or Still needed pass Excel's formula length (guarded, from the farthest cells)?"""
    far = "XFD1048576"
    formulas = (ready_formula(inputs, far, far, far), still_needed_formula(inputs, far, far, far))
    return any(len(guarded(formula) or "") > FORMULA_LIMIT for formula in formulas)


def guarded(formula: str | None) -> str | None:
    """Empty instead of #N/A while the row has no level picked yet."""
    if formula is None:
        return None
    return f'=IFERROR({formula[1:]},"")'
