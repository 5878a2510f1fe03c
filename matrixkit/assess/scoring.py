"""The figures every ratings row shows, computed in Python exactly as the workbook's formulas do.

One definition serves the generator (true cached values for the first screen) and the analyzer.

>>> from matrixkit.assess.scoring import weighted_average
>>> weighted_average({"a": 3, "b": 4}, {"a": 1.0, "b": 1.0})
3.5
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from matrixkit.model.criteria import COMPARE_DIGITS as COMPARE_DIGITS
from matrixkit.model.criteria import RATING_BARS, Figure, RatedFacts, workbook_verdict
from matrixkit.model.framework import Criteria, Framework


@dataclass(frozen=True)
class BlankFacts:
    """A row whose evidence, endorsement and metric cells are all empty (as every row opens)."""

    employee_id: str = ""
    level: str = ""
    evidence: Mapping[str, bool | None] = field(default_factory=dict)
    endorsement: bool | None = None
    metrics: Mapping[str, float | None] = field(default_factory=dict)


@dataclass(frozen=True)
class RowFigures:
    """What the formula columns show for one employee: None is an empty cell."""

    average: float | None
    lowest: int | None
    gaps: int | None
    ready: str | None  # "Yes" | "Pending" | "No" | None
    still_needed: str | None = None  # "" when nothing is


def weighted_average(ratings: Mapping[str, int], weights: Mapping[str, float]) -> float:
    total = sum(weights[c] for c in ratings)
    return sum(weights[c] * r for c, r in ratings.items()) / total


def next_level_gaps(fw: Framework, level_id: str, ratings: Mapping[str, int]) -> list[str] | None:
    """Competencies rated below the next level's expected value, in framework order; None at the top."""
    following = fw.next_level(level_id)
    if following is None:
        return None
    return [c for c, r in ratings.items() if c in following.expected and r < following.expected[c]]


def rating_criteria_met(criteria: Criteria, average: float, lowest: int, gaps: int) -> dict[str, bool]:
    """Each checked rating criterion and whether it is met, by its `RatingBar`.

    >>> from matrixkit.model.framework import Criteria
    >>> rating_criteria_met(Criteria(average_at_least=3.5, next_level_gaps_at_most=0), 3.4999999999, 3, 1)
    {'average_at_least': True, 'next_level_gaps_at_most': False}
    """
    figures: dict[Figure, float] = {"average": average, "lowest": lowest, "gaps": gaps}
    results: dict[str, bool] = {}
    for key, bar in RATING_BARS.items():
        threshold = getattr(criteria, key)
        if threshold is not None:
            results[key] = bar.met(threshold, figures[bar.figure])
    return results


def row_figures(
    fw: Framework,
    level_id: str,
    ratings: Mapping[str, int | None],
    facts: RatedFacts | None = None,
    months_so_far: int | None = None,
) -> RowFigures:
    """Average, Lowest, Gaps to next level, Ready? and Still needed for valid whole-number ratings of one
    employee, with the row's other inputs (`facts`: all blank when None) and months in level (None: unknown).

    `ratings` holds every competency rated at the employee's level; a None (missing or invalid) rating
    empties every figure, as the spreadsheet does.
    """
    competencies = [c.id for c in fw.competencies_at(level_id)]
    given = {c: ratings.get(c) for c in competencies}
    if any(value is None for value in given.values()):
        return RowFigures(None, None, None, None)
    complete: dict[str, int] = {c: v for c, v in given.items() if v is not None}
    weights = {c.id: c.weight for c in fw.competencies}
    average = weighted_average(complete, weights)
    lowest = min(complete.values())
    gaps = next_level_gaps(fw, level_id, complete)
    if gaps is None:
        return RowFigures(average, lowest, None, None)
    criteria = fw.criteria_for(level_id)
    met = rating_criteria_met(criteria, average, lowest, len(gaps))
    results = {key: "met" if ok else "not_met" for key, ok in met.items()}
    ready, needed = workbook_verdict(criteria, fw, results, facts or BlankFacts(), months_so_far)  # type: ignore[arg-type]
    return RowFigures(average, lowest, len(gaps), ready, needed)
