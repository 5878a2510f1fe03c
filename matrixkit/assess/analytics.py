"""Figures over an `Analysis` that the report shows and the JSON does not carry.

Pure functions of the employees' results and the frameworks: which employees count as complete,
status counts per level, the competencies most employees fall short in, each team's mean gap against
its role profiles, each employee's gap per competency, and each person's trend over the cycles. The
report's sheets lay these out; nothing here knows about workbooks.

>>> from matrixkit.assess.results import EmployeeResult
>>> alex = EmployeeResult("E1", "Alex", "M1", "eng", "ic", "IC2", "IC3", {"delivery": 2}, 2.0, 2,
...                       ["delivery"], [], [], "not_ready", None)
>>> next_level_gap_counts([alex])
Counter({('eng', 'delivery'): 1})
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from matrixkit.assess.results import STATUSES, EmployeeResult, TrendPoint, Trends
from matrixkit.model.framework import Framework, Level


def employee_order(e: EmployeeResult) -> tuple[str, str, str, int, str]:
    """The sort key that puts employees in the report's order: by id, then where their row was read."""
    source = e.source
    return (
        e.employee_id,
        source.file if source else "",
        source.sheet if source else "",
        source.row if source else 0,
        e.level,
    )


def is_complete(e: EmployeeResult) -> bool:
    """Every rating valid and not in conflict: the employees calibration and team means count."""
    return e.average is not None and e.status != "conflict"


def complete_employees(employees: Iterable[EmployeeResult], fw: Framework) -> list[EmployeeResult]:
    """The complete employees of `fw`'s family at one of its levels, in the order given."""
    return [e for e in employees if e.family == fw.family.id and is_complete(e) and e.level in fw.level_by_id]


def employees_by_status(employees: Iterable[EmployeeResult]) -> dict[str, set[str]]:
    """The distinct employee ids in each status; every status is a key, empty or not."""
    found: dict[str, set[str]] = {status: set() for status in STATUSES}
    for e in employees:
        found.setdefault(e.status, set()).add(e.employee_id)
    return found


def status_by_level(employees: Iterable[EmployeeResult]) -> dict[tuple[str, str], dict[str, set[str]]]:
    """(family, level) → status → distinct employee ids, for the levels that have employees."""
    per_level: dict[tuple[str, str], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for e in employees:
        per_level[(e.family, e.level)][e.status].add(e.employee_id)
    return per_level


def next_level_gap_counts(employees: Iterable[EmployeeResult]) -> Counter[tuple[str, str]]:
    """(family, competency) → employees below the next level's expectation in it (conflicts left out)."""
    counts: Counter[tuple[str, str]] = Counter()
    for e in employees:
        if e.status == "conflict" or e.next_level is None:
            continue
        for competency in set(e.next_level_gaps):
            counts[(e.family, competency)] += 1
    return counts


def current_level_gap_counts(employees: Iterable[EmployeeResult]) -> Counter[tuple[str, str]]:
    """(family, competency) → employees rated below their own current level's expectation in it (conflicts
    left out): the gaps that matter first, where next-level gaps are nearly everyone's by definition."""
    counts: Counter[tuple[str, str]] = Counter()
    for e in employees:
        if e.status == "conflict":
            continue
        for competency in set(e.current_level_gaps):
            counts[(e.family, competency)] += 1
    return counts


def top_gaps(
    counts: Mapping[tuple[str, str], int], label: Callable[[str, str], str], limit: int
) -> list[tuple[str, int]]:
    """The `limit` largest counts as (label, count), largest first, equal counts by label.

    >>> top_gaps({("eng", "a"): 1, ("eng", "b"): 3, ("eng", "c"): 1}, lambda f, c: c.upper(), 2)
    [('B', 3), ('A', 1)]
    """
    ranked = sorted(
        ((label(f, c), n) for (f, c), n in counts.items() if n > 0),
        key=lambda item: (-item[1], item[0]),
    )
    return ranked[:limit]


@dataclass(frozen=True)
class TeamGaps:
    """One manager's team (or the whole organisation): mean of rating − expected at the current level.

    `means` holds a competency only when someone in the team has both a rating and an expectation in it.
    """

    manager_id: str | None
    manager_name: str | None
    rated: int
    means: dict[str, float]


def team_gaps(fw: Framework, complete: Sequence[EmployeeResult]) -> tuple[list[TeamGaps], TeamGaps]:
    """Per manager (sorted by manager id; no manager first) and for all of `complete` together.

    The means are summed in the order of `complete`, so the same order gives the same floats.
    """
    teams: dict[str, list[EmployeeResult]] = defaultdict(list)
    for e in complete:
        teams[e.manager_id or ""].append(e)
    per_manager = [
        _team(fw, members[0].manager_id, members[0].manager_name, members)
        for members in (teams[key] for key in sorted(teams))
    ]
    return per_manager, _team(fw, None, None, complete)


def _team(
    fw: Framework, manager_id: str | None, manager_name: str | None, members: Sequence[EmployeeResult]
) -> TeamGaps:
    means: dict[str, float] = {}
    for competency in fw.competencies:
        diffs = [
            float(m.ratings[competency.id] - expected)
            for m in members
            if competency.id in m.ratings
            and (expected := fw.level_by_id[m.level].expected.get(competency.id)) is not None
        ]
        if diffs:
            means[competency.id] = sum(diffs) / len(diffs)
    return TeamGaps(manager_id, manager_name, len({m.employee_id for m in members}), means)


class GapCell(NamedTuple):
    """An employee's rating minus the expected proficiency, against the next and the current level.

    None where there is no rating or the level expects nothing.
    """

    against_next: int | None
    against_current: int | None


def gap_cells(fw: Framework, e: EmployeeResult) -> list[GapCell | None]:
    """One cell per competency of `fw`, in its order; None where the competency does not apply to the track.

    Against the next level means its expected proficiency, or the current level's at the top of a track
    or where the next level expects nothing. `e.level` must be a level of `fw`.
    """
    applicable = {c.id for c in fw.competencies_at(e.level)} if e.level in fw.level_by_id else set()
    current = fw.level_by_id[e.level]
    following = fw.level_by_id.get(e.next_level) if e.next_level is not None else None
    cells: list[GapCell | None] = []
    for competency in fw.competencies:
        cid = competency.id
        if cid not in applicable:
            cells.append(None)
            continue
        rating = e.ratings.get(cid)
        if rating is None:
            cells.append(GapCell(None, None))
            continue
        target = _expected(following, cid)
        if target is None:
            target = _expected(current, cid)
        expected_now = _expected(current, cid)
        cells.append(
            GapCell(
                None if target is None else rating - target,
                None if expected_now is None else rating - expected_now,
            )
        )
    return cells


def _expected(level: Level | None, competency: str) -> int | None:
    return None if level is None else level.expected.get(competency)


def trend_points(trends: Trends, points: Iterable[TrendPoint]) -> dict[str, TrendPoint]:
    """Cycle → point, for the cycles of `trends`; one point per cycle, whatever the input order."""
    by_cycle: dict[str, TrendPoint] = {}
    known = set(trends.cycles)
    for point in sorted(points, key=lambda p: (p.cycle, p.level, p.status, p.average is None, p.average or 0.0)):
        if point.cycle in known:
            by_cycle.setdefault(point.cycle, point)
    return by_cycle


def level_changes(trends: Trends, by_cycle: Mapping[str, TrendPoint]) -> tuple[str | None, str | None]:
    """The latest level, and every change of level as "IC2 → IC3 in 2026-Q3" (None when it never changed)."""
    changes: list[str] = []
    level: str | None = None
    for cycle in trends.cycles:
        point = by_cycle.get(cycle)
        if point is None:
            continue
        if level is not None and point.level != level:
            changes.append(f"{level} → {point.level} in {cycle}")
        level = point.level
    return level, ", ".join(changes) or None
