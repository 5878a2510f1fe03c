"""Readiness of one employee: every criterion with its reason, and the status SPEC defines.

Pure functions over checked data; the figures agree with the workbook's formulas (`scoring`).

>>> months_between(date(2026, 3, 6), date(2026, 12, 5)), months_between(date(2026, 3, 6), date(2026, 12, 6))
(8, 9)
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from matrixkit.assess.results import CriterionResult, EmployeeResult, RatedRow, Result, Status
from matrixkit.model.cycles import previous_cycles
from matrixkit.model.framework import RATING_CRITERIA, Criteria, Framework, Level

if TYPE_CHECKING:
    from matrixkit.store.sqlite import PastRecord
from matrixkit.assess.scoring import COMPARE_DIGITS, weighted_average


def months_between(since: date, end: date) -> int:
    """Whole calendar months from `since` to `end` (a month from the 31st completes on a shorter month's last day)."""
    months = (end.year - since.year) * 12 + end.month - since.month
    anniversary = min(since.day, calendar.monthrange(end.year, end.month)[1])
    if end.day < anniversary:
        months -= 1
    return max(months, 0)


def _n(value: float) -> str:
    return f"{value:.2f}"


@dataclass(frozen=True)
class Context:
    """What readiness needs beyond the employee's own row."""

    cycle_end: date | None = None
    level_since: date | None = None
    calibration: Mapping[str, bool] | None = None  # employee id → confirmed; None: no file given
    cycle: str | None = None
    history: Mapping[str, PastRecord] | None = None  # earlier cycle → this employee's record; None: no store
    known_cycles: frozenset[str] = frozenset()  # every cycle the store holds


def evaluate_criteria(
    fw: Framework,
    criteria: Criteria,
    target: Level | None,
    ratings: Mapping[str, int | None],
    row: RatedRow,
    context: Context,
) -> list[CriterionResult]:
    """One result per checked criterion key, in SPEC's key order, each with a detail naming what it checked."""
    results: list[CriterionResult] = []
    complete = all(v is not None for v in ratings.values()) and bool(ratings)
    valid = {c: v for c, v in ratings.items() if v is not None}
    missing = sorted(c for c, v in ratings.items() if v is None)
    unknown_ratings = f"{len(missing)} rating(s) missing or invalid: {', '.join(missing)}"
    weights = {c.id: c.weight for c in fw.competencies}
    average = weighted_average(valid, weights) if complete else None
    checked = criteria.checked()

    if "average_at_least" in checked:
        threshold = float(checked["average_at_least"])
        if average is None:
            results.append(CriterionResult("average_at_least", "unknown", unknown_ratings))
        else:
            met = round(average, COMPARE_DIGITS) >= threshold
            sign = "≥" if met else "<"
            results.append(
                CriterionResult(
                    "average_at_least", "met" if met else "not_met", f"{_n(average)} {sign} {_n(threshold)}"
                )
            )
    if "each_at_least" in checked:
        threshold = float(checked["each_at_least"])
        if not complete:
            results.append(CriterionResult("each_at_least", "unknown", unknown_ratings))
        else:
            below = sorted(c for c, v in valid.items() if v < threshold)
            lowest = min(valid.values())
            if below:
                detail = f"lowest {lowest} < {threshold:g}: {', '.join(below)}"
            else:
                detail = f"lowest {lowest} ≥ {threshold:g}"
            results.append(CriterionResult("each_at_least", "not_met" if below else "met", detail))
    if "next_level_gaps_at_most" in checked:
        allowed = int(checked["next_level_gaps_at_most"])
        if not complete or target is None:
            reason = unknown_ratings if not complete else "no next level"
            results.append(CriterionResult("next_level_gaps_at_most", "unknown", reason))
        else:
            gaps = [c for c, v in valid.items() if c in target.expected and v < target.expected[c]]
            names = f": {', '.join(gaps)}" if gaps else ""
            met = len(gaps) <= allowed
            sign = "≤" if met else ">"
            results.append(
                CriterionResult(
                    "next_level_gaps_at_most",
                    "met" if met else "not_met",
                    f"{len(gaps)} gap(s) to {target.id} {sign} {allowed}{names}",
                )
            )
    if "sustained_cycles" in checked:
        cycles = int(checked["sustained_cycles"])
        rating_results = [r for r in results if r.criterion in RATING_CRITERIA]
        results.append(_sustained(cycles, _combine(rating_results), row.level, context))
    if "months_in_level_at_least" in checked:
        needed = int(checked["months_in_level_at_least"])
        if context.level_since is None:
            results.append(CriterionResult("months_in_level_at_least", "unknown", "no level_since in the roster"))
        elif context.cycle_end is None:
            results.append(CriterionResult("months_in_level_at_least", "unknown", "no cycle given"))
        else:
            months = months_between(context.level_since, context.cycle_end)
            met = months >= needed
            sign = "≥" if met else "<"
            results.append(
                CriterionResult(
                    "months_in_level_at_least",
                    "met" if met else "not_met",
                    f"{months} months since {context.level_since.isoformat()} {sign} {needed}",
                )
            )
    if "evidence" in checked:
        answers = [(e, row.evidence.get(e)) for e in checked["evidence"]]
        results.append(_yes_no_all("evidence", answers))
    if "metrics_at_least" in checked:
        parts, outcome = [], []
        for metric_id, threshold in checked["metrics_at_least"].items():
            value = row.metrics.get(metric_id)
            if value is None:
                parts.append(f"{metric_id}: missing")
                outcome.append("unknown")
            else:
                met = value >= threshold
                parts.append(f"{metric_id}: {value:g} {'≥' if met else '<'} {threshold:g}")
                outcome.append("met" if met else "not_met")
        results.append(CriterionResult("metrics_at_least", _worst(outcome), "; ".join(parts)))
    if "endorsement" in checked:
        results.append(_yes_no_all("endorsement", [("manager endorsement", row.endorsement)]))
    if "calibration" in checked:
        if context.calibration is None:
            results.append(CriterionResult("calibration", "unknown", "no calibration file given (--calibration)"))
        elif row.employee_id not in context.calibration:
            results.append(CriterionResult("calibration", "not_met", "not in the calibration file"))
        elif context.calibration[row.employee_id]:
            results.append(CriterionResult("calibration", "met", "confirmed in calibration"))
        else:
            results.append(CriterionResult("calibration", "not_met", "calibration did not confirm"))
    return results


def _sustained(cycles: int, this_cycle: Result, level: str, context: Context) -> CriterionResult:
    """Rating criteria met in this cycle and the N−1 cycles of the same kind before it, at the same level."""
    here = f"{context.cycle or 'this cycle'}: {'met' if this_cycle == 'met' else this_cycle.replace('_', ' ')}"
    if cycles <= 1:
        return CriterionResult("sustained_cycles", this_cycle, f"only this cycle is required ({here})")
    if context.history is None or context.cycle is None:
        return CriterionResult(
            "sustained_cycles", "unknown", f"needs {cycles} consecutive cycles; no history store given, 1 cycle known"
        )
    outcomes, parts = [this_cycle], [here]
    for earlier in previous_cycles(context.cycle, cycles - 1):
        record = context.history.get(earlier)
        if earlier not in context.known_cycles:
            outcomes.append("unknown")
            parts.append(f"{earlier}: not in the store")
        elif record is None:
            outcomes.append("unknown")
            parts.append(f"{earlier}: not rated")
        elif record.level != level:
            outcomes.append("not_met")
            parts.append(f"{earlier}: at {record.level} (the count restarts at a new level)")
        elif record.rating_criteria_met is None:
            outcomes.append("unknown")
            parts.append(f"{earlier}: {record.status.replace('_', ' ')}")
        else:
            outcomes.append("met" if record.rating_criteria_met else "not_met")
            parts.append(f"{earlier}: {'met' if record.rating_criteria_met else 'not met'}")
    known = sum(1 for c in previous_cycles(context.cycle, cycles - 1) if c in context.known_cycles) + 1
    detail = f"{cycles} consecutive cycles needed, {known} known: " + "; ".join(parts)
    return CriterionResult("sustained_cycles", _worst(outcomes), detail)


def _yes_no_all(criterion: str, answers: list[tuple[str, bool | None]]) -> CriterionResult:
    words = {True: "Yes", False: "No", None: "not answered"}
    outcome: list[str] = ["met" if a is True else "not_met" if a is False else "unknown" for _, a in answers]
    detail = "; ".join(f"{item}: {words[answer]}" for item, answer in answers) or "nothing to check"
    return CriterionResult(criterion, _worst(outcome), detail)


def _worst(outcomes: Sequence[str]) -> Result:
    if "not_met" in outcomes:
        return "not_met"
    if "unknown" in outcomes:
        return "unknown"
    return "met"


def _combine(results: list[CriterionResult]) -> Result:
    return _worst([r.result for r in results])


def status_of(criteria: list[CriterionResult], *, conflict: bool, complete: bool, top: bool) -> Status:
    """The first that applies: conflict, incomplete, top_of_track, not_ready, on_track, ready."""
    if conflict:
        return "conflict"
    if not complete:
        return "incomplete"
    if top:
        return "top_of_track"
    if any(c.result == "not_met" for c in criteria if c.criterion in RATING_CRITERIA):
        return "not_ready"
    if all(c.result == "met" for c in criteria):
        return "ready"
    return "on_track"


def assess(fw: Framework, row: RatedRow, context: Context, *, conflict: bool = False) -> EmployeeResult:
    """Everything the report says about one employee."""
    track = fw.track_of_level[row.level]
    competencies = [c.id for c in fw.competencies_for(track.id)]
    ratings = {c: row.ratings.get(c) for c in competencies}
    valid = {c: v for c, v in ratings.items() if v is not None}
    complete = len(valid) == len(competencies) and bool(competencies)
    following = fw.next_level(row.level)
    current = fw.level_by_id[row.level]
    criteria = (
        []
        if conflict or following is None
        else evaluate_criteria(fw, fw.criteria_for(row.level), following, ratings, row, context)
    )
    weights = {c.id: c.weight for c in fw.competencies}
    next_gaps = (
        [c for c, v in valid.items() if c in following.expected and v < following.expected[c]] if following else []
    )
    current_gaps = [c for c, v in valid.items() if c in current.expected and v < current.expected[c]]
    return EmployeeResult(
        employee_id=row.employee_id,
        name=row.name,
        manager_id=row.manager_id,
        family=fw.family.id,
        track=track.id,
        level=row.level,
        next_level=following.id if following else None,
        ratings=valid,
        average=weighted_average(valid, weights) if complete and not conflict else None,
        lowest=min(valid.values()) if complete and not conflict else None,
        next_level_gaps=next_gaps,
        current_level_gaps=current_gaps,
        criteria=criteria,
        status=status_of(criteria, conflict=conflict, complete=complete, top=following is None),
        source=row.source,
        level_since=context.level_since,
        manager_name=row.manager_name,
        comments=row.comments,
        evidence=dict(row.evidence),
        endorsement=row.endorsement,
        metrics=dict(row.metrics),
        rating_cells=dict(row.cells),
    )
