"""Readiness of one employee: every criterion with its reason, and the status SPEC defines.

Pure functions over checked data; how each criterion kind is evaluated is its entry in
`matrixkit.model.criteria`, and the figures agree with the workbook's formulas (`scoring`).

>>> from matrixkit.assess.results import CriterionResult
>>> status_of([CriterionResult("average_at_least", "met", "3.60 ≥ 3.50")], conflict=False, complete=True, top=False)
'ready'
"""

from __future__ import annotations

from collections.abc import Mapping

from matrixkit.assess.levelfit import profile_level
from matrixkit.assess.results import CriterionResult, EmployeeResult, RatedRow, Status
from matrixkit.assess.scoring import weighted_average
from matrixkit.model.criteria import Case, Context
from matrixkit.model.framework import RATING_CRITERIA, Criteria, Framework, Level


def evaluate_criteria(
    fw: Framework,
    criteria: Criteria,
    target: Level | None,
    ratings: Mapping[str, int | None],
    row: RatedRow,
    context: Context,
) -> list[CriterionResult]:
    """One result per checked criterion key, in SPEC's key order, each with a detail naming what it checked."""
    complete = bool(ratings) and all(v is not None for v in ratings.values())
    weights = {c.id: c.weight for c in fw.competencies}
    valid = {c: v for c, v in ratings.items() if v is not None}
    average = weighted_average(valid, weights) if complete else None
    case = Case(fw, criteria, target, ratings, average, row, context)
    return [CriterionResult(key, result, detail) for key, result, detail in case.outcomes()]


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
    competencies = [c.id for c in fw.competencies_at(row.level)]
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
        profile_level=profile_level(fw, track.id, valid),
    )
