"""The figures every ratings row shows, computed in Python exactly as the workbook's formulas do.

One definition serves the generator (true cached values for the first screen) and the analyzer.

>>> from matrixkit.assess.scoring import weighted_average
>>> weighted_average({"a": 3, "b": 4}, {"a": 1.0, "b": 1.0})
3.5
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from matrixkit.model.criteria import COMPARE_DIGITS as COMPARE_DIGITS
from matrixkit.model.criteria import RATING_BARS, Figure
from matrixkit.model.framework import Criteria, Framework


@dataclass(frozen=True)
class RowFigures:
    """What the formula columns show for one employee: None is an empty cell."""

    average: float | None
    lowest: int | None
    gaps: int | None
    ready: str | None  # "Yes" | "No" | None


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


def row_figures(fw: Framework, level_id: str, ratings: Mapping[str, int | None]) -> RowFigures:
    """Average, Lowest, Gaps to next level and Ready? for valid whole-number ratings of one employee.

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
    met = rating_criteria_met(fw.criteria_for(level_id), average, lowest, len(gaps))
    return RowFigures(average, lowest, len(gaps), "Yes" if all(met.values()) else "No")
