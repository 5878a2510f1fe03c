"""Readiness of one employee: every criterion with its reason, and the status SPEC defines.

Pure functions over checked data; how each criterion kind is evaluated is its entry in
`matrixkit.model.criteria`, and the figures agree with the workbook's formulas (`scoring`).

>>> from matrixkit.assess.results import CriterionResult
>>> status_of([CriterionResult("average_at_least", "met", "3.60 ≥ 3.50")], conflict=False, complete=True, top=False)
'ready'
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from matrixkit.assess.levelfit import profile_level
from matrixkit.assess.results import CriterionResult, EmployeeResult, RatedRow, Status
from matrixkit.assess.scoring import weighted_average
from matrixkit.model.criteria import (
    STILL_NEEDED_SEPARATOR,
    Case,
    Context,
    Result,
    label_of,
    months_between,
    workbook_verdict,
)
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
    return [_shared_result(CriterionResult(key, result, detail)) for key, result, detail in case.outcomes()]


def _shared_result(result: CriterionResult) -> CriterionResult:
    """One object per distinct result in this process: "no calibration file given" or "manager endorsement:
    No" is the same for thousands of employees, and 100,000 employees' results are held until the report
    is written.

    >>> first = _shared_result(CriterionResult("endorsement", "met", "".join(["manager endorsement: ", "Yes"])))
    >>> first is _shared_result(CriterionResult("endorsement", "met", "manager endorsement: Yes"))
    True
    """
    found = _RESULTS.get(result)
    if found is None:
        if len(_RESULTS) >= _RESULTS_KEPT:
            _RESULTS.clear()  # a company of distinct details must not keep them all here
        found = _RESULTS[result] = result
    return found


_RESULTS: dict[CriterionResult, CriterionResult] = {}
_RESULTS_KEPT = 2**14


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
        # The row's own mappings, never changed after reading: a copy per employee would hold both at once.
        evidence=row.evidence,
        endorsement=row.endorsement,
        metrics=row.metrics,
        rating_cells=row.cells,
        profile_level=profile_level(fw, track.id, valid),
    )


def workbook_view(fw: Framework, result: EmployeeResult, cycle_end: date | None) -> tuple[str | None, str | None]:
    """What the returned workbook's `Ready?` and `Still needed` show for `result` (None: an empty cell),
    derived from the criteria analyze checked: the workbook can never say more than the report.

    Empty while a rating is missing or invalid, at the top of a track and in conflict (two rows, each
    with its own cells); else `model.criteria.workbook_verdict` of the rating criteria's results and
    the row's own evidence, endorsement and metrics.
    """
    if result.status in ("incomplete", "top_of_track", "conflict"):
        return None, None
    criteria = fw.criteria_for(result.level)
    results: dict[str, Result] = {c.criterion: c.result for c in result.criteria}
    return workbook_verdict(criteria, fw, results, result, _months_so_far(result, cycle_end))


def _months_so_far(result: EmployeeResult, cycle_end: date | None) -> int | None:
    """Whole months in level as of the cycle's last day; None without a `level_since` (decided later)."""
    since = result.level_since
    return months_between(since, cycle_end) if since is not None and cycle_end is not None else None


def _only(criteria: Criteria, key: str) -> Criteria:
    """`criteria` with only `key` checked, validated once per level and key rather than per employee."""
    found = _ONLY.get((id(criteria), key))
    if found is None or found[0] is not criteria:
        if len(_ONLY) >= 4096:
            _ONLY.clear()
        found = _ONLY[(id(criteria), key)] = (criteria, Criteria.model_validate({key: criteria.checked()[key]}))
    return found[1]


_ONLY: dict[tuple[int, str], tuple[Criteria, Criteria]] = {}


def what_stands_between(fw: Framework, result: EmployeeResult, cycle_end: date | None) -> str:
    """In one cell of the report's Readiness, what stands between the employee and the next level: each
    criterion not met, or not decided in this run, in the words a manager's `Still needed` uses.

    Unlike the workbook, the report knows how calibration and the earlier cycles came out: a criterion
    met there is not named. Other statuses say what to do instead.
    """
    if result.status == "top_of_track":
        return "Top of track: no next level on this track"
    if result.status == "conflict":
        return "In two workbooks: settle which one rates them, then analyze again"
    if result.status == "incomplete":
        return "Every rating first (some are missing or invalid)"
    if result.status == "ready":
        return "Nothing: every criterion is met"
    criteria = fw.criteria_for(result.level)
    checked = criteria.checked()
    results: dict[str, Result] = {c.criterion: c.result for c in result.criteria}
    months = _months_so_far(result, cycle_end)
    phrases: list[str] = []
    for key, outcome in results.items():
        if outcome == "met" or key not in checked:
            continue
        _verdict, needed = workbook_verdict(_only(criteria, key), fw, {key: outcome}, result, months)
        phrases.append(needed or label_of(key))
    return STILL_NEEDED_SEPARATOR.join(phrases)
