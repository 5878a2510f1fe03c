"""Every kind of promotion criterion, defined once: adding a kind is one entry in `KINDS` plus its tests.

An entry (`CriterionKind`) holds what the rest of matrixkit asks of a kind: its YAML key and the type of
its value (how an authoring-sheet cell is read), its label in reports and packets, its help text, the
phrases people read, its lint bounds, how it is evaluated for one employee (`Case`), and, for a rating
criterion, how it compares a row's figure in Python and in the workbook's Ready? formula (`RatingBar`).
The pydantic `Criteria` model in `matrixkit.model.framework` has one field per entry; a test keeps them equal.

>>> criterion("each_at_least").label, criterion("each_at_least").value_type, "each_at_least" in RATING_BARS
('Lowest rating', 'number', True)
>>> label_of("no_such_kind")  # doctest: +ELLIPSIS
Traceback (most recent call last):
KeyError: "unknown criterion kind 'no_such_kind'; registered: average_at_least, each_at_least, ..."
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Literal, Protocol

from matrixkit.model.cycles import previous_cycles

if TYPE_CHECKING:
    from matrixkit.model.framework import Criteria, Framework, Level

Result = Literal["met", "not_met", "unknown"]
Outcome = tuple[Result, str]  # a result and the detail that names what was checked
# How the value is written in YAML and read from an authoring-sheet cell:
# number 3.5 · whole 12 · yes_no true · ids [a, b] · thresholds {metric: 100}
ValueType = Literal["number", "whole", "yes_no", "ids", "thresholds"]
Figure = Literal["average", "lowest", "gaps"]

# Criteria compare the exact mean; both Python and the spreadsheet round to 9 places first so that
# float noise (3.4999999999) can never flip a result between the two.
COMPARE_DIGITS = 9


def months_between(since: date, end: date) -> int:
    """Whole calendar months from `since` to `end` (a month from the 31st completes on a shorter month's last day).

    >>> months_between(date(2026, 3, 6), date(2026, 12, 5)), months_between(date(2026, 3, 6), date(2026, 12, 6))
    (8, 9)
    """
    months = (end.year - since.year) * 12 + end.month - since.month
    anniversary = min(since.day, calendar.monthrange(end.year, end.month)[1])
    if end.day < anniversary:
        months -= 1
    return max(months, 0)


# -- what an evaluation reads ----------------------------------------------------------------------


class RatedFacts(Protocol):
    """What criteria read of one employee's checked row (`matrixkit.assess.results.RatedRow`)."""

    @property
    def employee_id(self) -> str: ...
    @property
    def level(self) -> str: ...
    @property
    def evidence(self) -> Mapping[str, bool | None]: ...
    @property
    def endorsement(self) -> bool | None: ...
    @property
    def metrics(self) -> Mapping[str, float | None]: ...


class PastCycle(Protocol):
    """What `sustained_cycles` reads of one earlier cycle (`matrixkit.store.sqlite.PastRecord`)."""

    @property
    def level(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def rating_criteria_met(self) -> bool | None: ...


@dataclass(frozen=True)
class Context:
    """What readiness needs beyond the employee's own row."""

    cycle_end: date | None = None
    level_since: date | None = None
    calibration: Mapping[str, bool] | None = None  # employee id → confirmed; None: no file given
    cycle: str | None = None
    history: Mapping[str, PastCycle] | None = None  # earlier cycle → this employee's record; None: no store
    known_cycles: frozenset[str] = frozenset()  # every cycle the store holds


class Case:
    """One employee against one set of criteria: everything an evaluator may read.

    `ratings` holds every competency of the employee's track (None: missing or invalid); `average` is
    their weighted mean while all are valid (`matrixkit.assess.scoring.weighted_average`), else None.
    A plain class with slots, not a dataclass: one is made per employee and criteria set.
    """

    __slots__ = (
        "_outcomes",
        "average",
        "complete",
        "context",
        "criteria",
        "framework",
        "ratings",
        "row",
        "target",
        "valid",
    )

    def __init__(
        self,
        framework: Framework,
        criteria: Criteria,
        target: Level | None,  # the level these criteria lead to; None at the top of a track
        ratings: Mapping[str, int | None],
        average: float | None,
        row: RatedFacts,
        context: Context,
    ) -> None:
        self.framework, self.criteria, self.target = framework, criteria, target
        self.ratings, self.average, self.row, self.context = ratings, average, row, context
        self.valid: dict[str, int] = {c: v for c, v in ratings.items() if v is not None}
        self.complete = bool(ratings) and len(self.valid) == len(ratings)
        self._outcomes: dict[str, Outcome] = {}

    @property
    def unknown_ratings(self) -> str:
        missing = sorted(c for c, v in self.ratings.items() if v is None)
        return f"{len(missing)} rating(s) missing or invalid: {', '.join(missing)}"

    def outcome(self, key: str) -> Outcome:
        """The result of the checked criterion `key`, evaluated once however often it is asked for."""
        found = self._outcomes.get(key)
        if found is None:
            found = self._outcomes[key] = criterion(key).evaluate(getattr(self.criteria, key), self)
        return found

    def outcomes(self) -> list[tuple[str, Result, str]]:
        """(key, result, detail) for every checked criterion, in the canonical key order."""
        results: list[tuple[str, Result, str]] = []
        for key, value in self.criteria.checked().items():
            found = self._outcomes.get(key)
            if found is None:
                found = self._outcomes[key] = KIND_BY_KEY[key].evaluate(value, self)
            results.append((key, found[0], found[1]))
        return results


def worst(results: Sequence[str]) -> Result:
    """not_met if any is, else unknown if any is, else met (also for none at all)."""
    if "not_met" in results:
        return "not_met"
    if "unknown" in results:
        return "unknown"
    return "met"


# -- lint findings ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """A lint problem with one criterion's value; `path` is relative to the criteria mapping."""

    path: tuple[str, ...]
    message: str
    code: str = "unmeetable-criteria"
    severity: Literal["error", "warning"] = "error"


# -- rating criteria -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RatingBar:
    """How a rating criterion compares one of a row's figures: in Python, and in the Ready? formula.

    >>> bar = RatingBar("average", "average_at_least", rounded=True)
    >>> bar.met(3.5, 3.4999999999), bar.formula("E5", "3.5"), bar.lookup_value(None)
    (True, 'ROUND(E5,9)>=3.5', -1e+99)
    """

    figure: Figure  # the ratings-sheet column it compares
    lookup_column: str  # its column in a blank matrix's hidden level table
    at_most: bool = False  # figure ≤ threshold; else figure ≥ threshold
    rounded: bool = False  # round the figure to COMPARE_DIGITS first (the mean)

    @property
    def unchecked(self) -> float:
        """A threshold every figure meets: "not checked" inside a formula."""
        return 1e99 if self.at_most else -1e99

    def lookup_value(self, threshold: float | None) -> float:
        """What the hidden level table holds for `threshold` (None: not checked)."""
        return self.unchecked if threshold is None else threshold

    def met(self, threshold: float, figure: float) -> bool:
        value = round(figure, COMPARE_DIGITS) if self.rounded else figure
        return value <= threshold if self.at_most else value >= threshold

    def formula(self, figure: str, threshold: str) -> str:
        value = f"ROUND({figure},{COMPARE_DIGITS})" if self.rounded else figure
        return f"{value}{'<=' if self.at_most else '>='}{threshold}"


# -- the kinds -------------------------------------------------------------------------------------


Words = Callable[[Any, "Framework | None", "str | None"], list[str]]


@dataclass(frozen=True)
class CriterionKind:
    """One kind of promotion criterion. `value` below is its checked (never None) value."""

    key: str  # the YAML key, also the JSON `criterion`
    value_type: ValueType
    label: str  # in report and packet tables
    help: str  # what an author types in its authoring-sheet column
    words: Words  # (value, framework or None, next level id or None) → phrases people read
    evaluate: Callable[[Any, Case], Outcome]
    bounds: Callable[[Any, Framework], list[Finding]] = lambda value, fw: []
    bar: RatingBar | None = None  # set for a rating criterion: it decides not_ready and Ready?
    # Its phrase joins this kind's phrase with these words when both are checked ("… with …").
    joins: tuple[str, str] | None = None
    # What the workbook's `Still needed` calls it while it is not met or decided later: one phrase per
    # item (an evidence prompt, a metric), as a manager reads it ("Manager endorsement").
    needed: Words = lambda value, fw, next_level: []

    @property
    def is_rating(self) -> bool:
        return self.bar is not None


def _number(value: float) -> str:
    return f"{value:g}"


def _two_places(value: float) -> str:
    return f"{value:.2f}"


def _scale_bounds(key: str) -> Callable[[float, Framework], list[Finding]]:
    def bounds(value: float, fw: Framework) -> list[Finding]:
        low, high = fw.scale.min, fw.scale.max
        if value > high:
            return [Finding((key,), f"{key}: {value:g} is above the scale's top ({high}): no one could meet it")]
        if value <= low:
            return [
                Finding(
                    (key,),
                    f"{key}: {value:g} is at or below the scale's bottom ({low}): everyone meets it",
                    code="trivial-criteria",
                    severity="warning",
                )
            ]
        return []

    return bounds


def _at_least(key: str, minimum: int, message: str) -> Callable[[int, Framework], list[Finding]]:
    def bounds(value: int, fw: Framework) -> list[Finding]:
        return [Finding((key,), message)] if value < minimum else []

    return bounds


def _evaluate_average(threshold: float, case: Case) -> Outcome:
    if case.average is None:
        return "unknown", case.unknown_ratings
    met = RATING_BARS["average_at_least"].met(threshold, case.average)
    return ("met" if met else "not_met"), f"{_two_places(case.average)} {'≥' if met else '<'} {_two_places(threshold)}"


def _evaluate_each(threshold: float, case: Case) -> Outcome:
    if not case.complete:
        return "unknown", case.unknown_ratings
    below = sorted(c for c, v in case.valid.items() if v < threshold)
    lowest = min(case.valid.values())
    if below:
        return "not_met", f"lowest {lowest} < {threshold:g}: {', '.join(below)}"
    return "met", f"lowest {lowest} ≥ {threshold:g}"


def _evaluate_gaps(allowed: int, case: Case) -> Outcome:
    target = case.target
    if not case.complete:
        return "unknown", case.unknown_ratings
    if target is None:
        return "unknown", "no next level"
    gaps = [c for c, v in case.valid.items() if c in target.expected and v < target.expected[c]]
    names = f": {', '.join(gaps)}" if gaps else ""
    met = len(gaps) <= allowed
    return ("met" if met else "not_met"), f"{len(gaps)} gap(s) to {target.id} {'≤' if met else '>'} {allowed}{names}"


def _gaps_words(gaps: int, fw: Framework | None, next_level: str | None) -> list[str]:
    target = f"{next_level}'s profile" if next_level else "the next level's profile"
    noun = "competency" if gaps == 1 else "competencies"
    return [f"no competency below {target}" if gaps == 0 else f"at most {gaps} {noun} below {target}"]


def _evaluate_sustained(cycles: int, case: Case) -> Outcome:
    """Rating criteria met in this cycle and the N−1 cycles of the same kind before it, at the same level."""
    context = case.context
    this_cycle = worst([case.outcome(key)[0] for key in RATING_CRITERIA if getattr(case.criteria, key) is not None])
    here = f"{context.cycle or 'this cycle'}: {'met' if this_cycle == 'met' else this_cycle.replace('_', ' ')}"
    if cycles <= 1:
        return this_cycle, f"only this cycle is required ({here})"
    if context.history is None or context.cycle is None:
        return "unknown", f"needs {cycles} consecutive cycles; no history store given, 1 cycle known"
    outcomes: list[str] = [this_cycle]
    parts = [here]
    earlier_cycles = previous_cycles(context.cycle, cycles - 1)
    for earlier in earlier_cycles:
        record = context.history.get(earlier)
        if earlier not in context.known_cycles:
            outcomes.append("unknown")
            parts.append(f"{earlier}: not in the store")
        elif record is None:
            outcomes.append("unknown")
            parts.append(f"{earlier}: not rated")
        elif record.level != case.row.level:
            outcomes.append("not_met")
            parts.append(f"{earlier}: at {record.level} (the count restarts at a new level)")
        elif record.rating_criteria_met is None:
            outcomes.append("unknown")
            parts.append(f"{earlier}: {record.status.replace('_', ' ')}")
        else:
            outcomes.append("met" if record.rating_criteria_met else "not_met")
            parts.append(f"{earlier}: {'met' if record.rating_criteria_met else 'not met'}")
    known = sum(1 for c in earlier_cycles if c in context.known_cycles) + 1
    return worst(outcomes), f"{cycles} consecutive cycles needed, {known} known: " + "; ".join(parts)


def _evaluate_months(needed: int, case: Case) -> Outcome:
    since, end = case.context.level_since, case.context.cycle_end
    if since is None:
        return "unknown", "no level_since in the roster"
    if end is None:
        return "unknown", "no cycle given"
    months = months_between(since, end)
    met = months >= needed
    return ("met" if met else "not_met"), f"{months} months since {since.isoformat()} {'≥' if met else '<'} {needed}"


_YES_NO = {True: "Yes", False: "No", None: "not answered"}


def _yes_no_all(answers: Sequence[tuple[str, bool | None]]) -> Outcome:
    results = ["met" if a is True else "not_met" if a is False else "unknown" for _, a in answers]
    detail = "; ".join(f"{item}: {_YES_NO[answer]}" for item, answer in answers) or "nothing to check"
    return worst(results), detail


def _evaluate_evidence(items: Sequence[str], case: Case) -> Outcome:
    return _yes_no_all([(item, case.row.evidence.get(item)) for item in items])


def _evidence_words(items: Sequence[str], fw: Framework | None, next_level: str | None) -> list[str]:
    prompts = {e.id: e.prompt for e in fw.evidence} if fw else {}
    return [f"evidence: {prompts.get(item, item)}" for item in items]


def _evaluate_metrics(thresholds: Mapping[str, float], case: Case) -> Outcome:
    parts: list[str] = []
    results: list[str] = []
    for metric_id, threshold in thresholds.items():
        value = case.row.metrics.get(metric_id)
        if value is None:
            parts.append(f"{metric_id}: missing")
            results.append("unknown")
        else:
            met = value >= threshold
            parts.append(f"{metric_id}: {value:g} {'≥' if met else '<'} {threshold:g}")
            results.append("met" if met else "not_met")
    return worst(results), "; ".join(parts)


def _metrics_words(thresholds: Mapping[str, float], fw: Framework | None, next_level: str | None) -> list[str]:
    names = {m.id: m.name for m in fw.metrics} if fw else {}
    return [f"{names.get(metric_id, metric_id)} of at least {_number(t)}" for metric_id, t in thresholds.items()]


def _metrics_bounds(thresholds: Mapping[str, float], fw: Framework) -> list[Finding]:
    metrics = {m.id: m for m in fw.metrics}
    findings: list[Finding] = []
    for metric_id, threshold in thresholds.items():
        metric = metrics.get(metric_id)
        if metric is not None and metric.max is not None and threshold > metric.max:
            findings.append(
                Finding(
                    ("metrics_at_least", metric_id),
                    f"{metric_id} at least {threshold:g} is above its maximum {metric.max:g}: no one could meet it",
                )
            )
    return findings


def _evaluate_calibration(required: bool, case: Case) -> Outcome:
    confirmed = case.context.calibration
    employee = case.row.employee_id
    if confirmed is None:
        return "unknown", "no calibration file given (--calibration)"
    if employee not in confirmed:
        return "not_met", "not in the calibration file"
    if confirmed[employee]:
        return "met", "confirmed in calibration"
    return "not_met", "calibration did not confirm"


ENDORSEMENT_NEEDED = "Manager endorsement"
CALIBRATION_NEEDED = "Calibration session"
NO_START_DATE = "start date unknown"


def gaps_needed(allowed: int) -> str:
    """`Still needed` for `next_level_gaps_at_most`.

    >>> gaps_needed(0), gaps_needed(1), gaps_needed(2)
    ('No gap to the next level', 'At most 1 gap to the next level', 'At most 2 gaps to the next level')
    """
    if allowed == 0:
        return "No gap to the next level"
    return f"At most {allowed} gap{'' if allowed == 1 else 's'} to the next level"


def sustained_needed(cycles: int) -> str:
    """`Still needed` for `sustained_cycles`: `sustained_needed(2) == "2 cycles at this bar"`."""
    return f"{cycles} cycles at this bar"


def months_needed(needed: int, so_far: int | None) -> str:
    """`Still needed` for `months_in_level_at_least`; `so_far` None: no `level_since` to count from.

    >>> months_needed(12, 9), months_needed(12, None)
    ('12 months in level (9 so far)', '12 months in level (start date unknown)')
    """
    return f"{needed} months in level ({NO_START_DATE if so_far is None else f'{so_far} so far'})"


def metric_needed(name: str, threshold: float) -> str:
    """`Still needed` for one metric: `metric_needed("Quota (%)", 100) == "Quota (%) at least 100"`."""
    return f"{name} at least {_number(threshold)}"


def _prompt(fw: Framework | None, evidence_id: str) -> str:
    return next((e.prompt for e in fw.evidence if e.id == evidence_id), evidence_id) if fw else evidence_id


def _metric_name(fw: Framework | None, metric_id: str) -> str:
    return next((m.name for m in fw.metrics if m.id == metric_id), metric_id) if fw else metric_id


KINDS: tuple[CriterionKind, ...] = (
    CriterionKind(
        key="average_at_least",
        value_type="number",
        label="Average rating",
        help="Mean rating at least this (e.g. 3.5).",
        words=lambda value, fw, next_level: [f"an average of at least {_number(value)}"],
        evaluate=_evaluate_average,
        bounds=_scale_bounds("average_at_least"),
        bar=RatingBar("average", "average_at_least", rounded=True),
        needed=lambda value, fw, next_level: [f"Average at least {_number(value)}"],
    ),
    CriterionKind(
        key="each_at_least",
        value_type="number",
        label="Lowest rating",
        help="No rating below this (e.g. 3).",
        words=lambda value, fw, next_level: [f"no competency below {_number(value)}"],
        evaluate=_evaluate_each,
        bounds=_scale_bounds("each_at_least"),
        bar=RatingBar("lowest", "each_at_least"),
        joins=("average_at_least", " with "),
        needed=lambda value, fw, next_level: [f"No rating below {_number(value)}"],
    ),
    CriterionKind(
        key="next_level_gaps_at_most",
        value_type="whole",
        label="Gaps to the next level",
        help="At most this many competencies below the next level's expected value.",
        words=_gaps_words,
        evaluate=_evaluate_gaps,
        bounds=_at_least("next_level_gaps_at_most", 0, "next_level_gaps_at_most below 0: no one could meet it"),
        bar=RatingBar("gaps", "gaps_at_most", at_most=True),
        needed=lambda value, fw, next_level: [gaps_needed(value)],
    ),
    CriterionKind(
        key="sustained_cycles",
        value_type="whole",
        label="Sustained over cycles",
        help="Rating criteria met this many consecutive cycles.",
        words=lambda value, fw, next_level: (
            [f"the rating criteria met for {value} consecutive cycles"] if value > 1 else []
        ),
        evaluate=_evaluate_sustained,
        bounds=_at_least("sustained_cycles", 1, "sustained_cycles counts this cycle, so it must be 1 or more"),
        needed=lambda value, fw, next_level: [sustained_needed(value)] if value > 1 else [],
    ),
    CriterionKind(
        key="months_in_level_at_least",
        value_type="whole",
        label="Time in level",
        help="Whole months in the level.",
        words=lambda value, fw, next_level: [f"at least {value} months in level"],
        evaluate=_evaluate_months,
        bounds=_at_least("months_in_level_at_least", 0, "months_in_level_at_least must not be negative"),
        needed=lambda value, fw, next_level: [months_needed(value, None)],
    ),
    CriterionKind(
        key="evidence",
        value_type="ids",
        label="Evidence",
        help="Evidence ids that must be Yes, comma-separated (see the Evidence sheet).",
        words=_evidence_words,
        evaluate=_evaluate_evidence,
        needed=lambda value, fw, next_level: [_prompt(fw, item) for item in value],
    ),
    CriterionKind(
        key="metrics_at_least",
        value_type="thresholds",
        label="Metrics",
        help="metric_id: value, comma-separated (e.g. quota: 100).",
        words=_metrics_words,
        evaluate=_evaluate_metrics,
        bounds=_metrics_bounds,
        needed=lambda value, fw, next_level: [metric_needed(_metric_name(fw, m), t) for m, t in value.items()],
    ),
    CriterionKind(
        key="endorsement",
        value_type="yes_no",
        label="Manager endorsement",
        help="yes: manager endorsement required.",
        words=lambda value, fw, next_level: ["manager endorsement"] if value else [],
        evaluate=lambda value, case: _yes_no_all([("manager endorsement", case.row.endorsement)]),
        needed=lambda value, fw, next_level: [ENDORSEMENT_NEEDED] if value else [],
    ),
    CriterionKind(
        key="calibration",
        value_type="yes_no",
        label="Calibration",
        help="yes: confirmed in a calibration session.",
        words=lambda value, fw, next_level: ["confirmed in a calibration session"] if value else [],
        evaluate=_evaluate_calibration,
        needed=lambda value, fw, next_level: [CALIBRATION_NEEDED] if value else [],
    ),
)

KIND_BY_KEY: dict[str, CriterionKind] = {kind.key: kind for kind in KINDS}
CRITERIA_KEYS: tuple[str, ...] = tuple(KIND_BY_KEY)  # the canonical (SPEC) key order
RATING_BARS: dict[str, RatingBar] = {kind.key: kind.bar for kind in KINDS if kind.bar is not None}
RATING_CRITERIA: tuple[str, ...] = tuple(RATING_BARS)


def criterion(key: str) -> CriterionKind:
    """The registered kind for `key`; an unknown key raises `KeyError` (never a silent fallback).

    >>> criterion("months_in_level_at_least").label
    'Time in level'
    """
    try:
        return KIND_BY_KEY[key]
    except KeyError:
        raise KeyError(f"unknown criterion kind {key!r}; registered: {', '.join(CRITERIA_KEYS)}") from None


def label_of(key: str) -> str:
    """The label reports and packets show for criterion `key`.

    >>> label_of("next_level_gaps_at_most")
    'Gaps to the next level'
    """
    return criterion(key).label


def keys_of_type(value_type: ValueType) -> tuple[str, ...]:
    """The criterion keys whose value is of `value_type`, in canonical order.

    >>> keys_of_type("yes_no")
    ('endorsement', 'calibration')
    """
    return tuple(kind.key for kind in KINDS if kind.value_type == value_type)


def criteria_phrases(criteria: Criteria, fw: Framework | None, next_level: str | None) -> list[str]:
    """The phrases people read for the checked criteria: one per item checked, in canonical order.

    `next_level` names the level the criteria lead to (None: "the next level"). The published page
    shows one per line; `matrixkit.model.words.describe_criteria` joins them into one sentence.

    >>> from matrixkit.model.framework import Criteria
    >>> criteria_phrases(Criteria(average_at_least=3.5, each_at_least=3, months_in_level_at_least=12), None, "IC4")
    ['an average of at least 3.5 with no competency below 3', 'at least 12 months in level']
    """
    phrases: list[str] = []
    first_phrase: dict[str, int] = {}  # kind key → index of its single phrase, for a kind that joins it
    for key, value in criteria.checked().items():
        kind = KIND_BY_KEY[key]
        own = kind.words(value, fw, next_level)
        if kind.joins is not None and kind.joins[0] in first_phrase and len(own) == 1:
            index = first_phrase[kind.joins[0]]
            phrases[index] += kind.joins[1] + own[0]
            continue
        if len(own) == 1:
            first_phrase[key] = len(phrases)
        phrases.extend(own)
    return phrases


def criteria_findings(criteria: Criteria, fw: Framework) -> list[Finding]:
    """Every checked value that no one (error) or everyone (warning) could meet, in canonical order."""
    return [finding for key, value in criteria.checked().items() for finding in KIND_BY_KEY[key].bounds(value, fw)]


# -- what the workbook's Ready? and Still needed show ---------------------------------------------

Verdict = Literal["Yes", "Pending", "No"]
STILL_NEEDED_SEPARATOR = "; "


def decided_later(key: str, value: Any, months_so_far: int | None) -> bool:
    """Whether the workbook cannot check criterion `key`: it is decided after the workbook comes back."""
    if key == "calibration":
        return True
    if key == "sustained_cycles":
        return bool(value > 1)
    return key == "months_in_level_at_least" and months_so_far is None


def workbook_verdict(
    criteria: Criteria,
    fw: Framework | None,
    rating_results: Mapping[str, Result],
    facts: RatedFacts,
    months_so_far: int | None,
) -> tuple[Verdict, str]:
    """`Ready?` and `Still needed` of a complete row below the top of its track, as its formulas show them.

    The workbook checks the rating criteria (`rating_results`), the row's evidence, endorsement and metric
    cells (anything but a Yes, or a number at the bar, is not met) and the months in level as of the
    cycle's last day (`months_so_far`; None: no `level_since`). Calibration, `sustained_cycles` above 1 and
    months without a start date are decided later: `Pending` when all else is met. `Still needed` names,
    in canonical key order, each criterion not met or decided later.

    >>> from types import SimpleNamespace as Row
    >>> from matrixkit.model.framework import Criteria
    >>> criteria = Criteria(average_at_least=3.5, months_in_level_at_least=12, endorsement=True, calibration=True)
    >>> row = Row(employee_id="E1", level="IC2", evidence={}, endorsement=None, metrics={})
    >>> workbook_verdict(criteria, None, {"average_at_least": "met"}, row, 9)
    ('No', '12 months in level (9 so far); Manager endorsement; Calibration session')
    """
    missing: list[str] = []
    later = not_met = False
    for key, value in criteria.checked().items():
        kind = KIND_BY_KEY[key]
        if decided_later(key, value, months_so_far):
            phrases = kind.needed(value, fw, None)
            later = later or bool(phrases)
            missing += phrases
            continue
        if kind.is_rating:
            lacking = [] if rating_results.get(key) == "met" else kind.needed(value, fw, None)
        elif key == "sustained_cycles":
            lacking = []  # one cycle: the rating criteria themselves
        elif key == "months_in_level_at_least":
            short = months_so_far is not None and months_so_far < value
            lacking = [months_needed(value, months_so_far)] if short else []
        elif key == "evidence":
            order = [e.id for e in fw.evidence] if fw else []
            lacking = [
                _prompt(fw, item) for item in in_framework_order(value, order) if facts.evidence.get(item) is not True
            ]
        elif key == "metrics_at_least":
            order = [m.id for m in fw.metrics] if fw else []
            lacking = [
                metric_needed(_metric_name(fw, metric_id), value[metric_id])
                for metric_id in in_framework_order(value, order)
                if not _at_bar(facts.metrics.get(metric_id), value[metric_id])
            ]
        elif key == "endorsement":
            lacking = [] if facts.endorsement is True else kind.needed(value, fw, None)
        else:
            raise AssertionError(key)  # a new kind says here how the workbook checks it
        not_met = not_met or bool(lacking)
        missing += lacking
    verdict: Verdict = "No" if not_met else "Pending" if later else "Yes"
    return verdict, STILL_NEEDED_SEPARATOR.join(missing)


def in_framework_order(ids: Iterable[str], order: Sequence[str]) -> list[str]:
    """`ids` in the order the framework lists them (its columns' order), unknown ids last as given.

    >>> in_framework_order(["b", "x", "a"], ["a", "b"])
    ['a', 'b', 'x']
    """
    rank = {item: n for n, item in enumerate(order)}
    return sorted(ids, key=lambda item: rank.get(item, len(rank)))


def _at_bar(figure: float | None, threshold: float) -> bool:
    return figure is not None and figure >= threshold
