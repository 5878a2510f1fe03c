"""Level fit: do the ratings see the framework's levels? (SPEC rev 2, "Level fit")

Per employee, `profile_level`: the highest level of their track whose every expected value their ratings
meet. Per pair of adjacent levels of a track, each competency's mean rating at the lower and the upper
level over complete employees: where the upper mean is less than 0.5 above the lower one, with at least
3 complete employees at each level, the boundary is one the ratings do not see. Pure functions.

>>> from matrixkit import load_frameworks
>>> (fw,) = load_frameworks(["templates/engineering.yaml"])
>>> profile_level(fw, "ic", dict.fromkeys([c.id for c in fw.competencies_for("ic")], 3))
'IC3'
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from itertools import pairwise

from matrixkit.assess.results import EmployeeResult, LevelFitCompetency, LevelFitPair
from matrixkit.model.criteria import COMPARE_DIGITS
from matrixkit.model.framework import Framework

FLAT_DIFFERENCE = 0.5  # an upper level's mean less than this above the lower one's: a paperwork difference
FLAT_MIN_EMPLOYEES = 3  # complete employees needed at each of the two levels before anything is flagged


def profile_level(fw: Framework, track_id: str, ratings: Mapping[str, int | None]) -> str | None:
    """The highest level of the track whose every expected value the ratings meet; None when not even the
    first level's. A missing rating meets nothing.

    >>> from matrixkit import load_frameworks
    >>> (fw,) = load_frameworks(["templates/engineering.yaml"])
    >>> profile_level(fw, "ic", {}) is None
    True
    """
    found: str | None = None
    for level in fw.track_by_id[track_id].levels:
        met = True
        for competency, expected in level.expected.items():
            rating = ratings.get(competency)
            if rating is None or rating < expected:
                met = False
                break
        if met:
            found = level.id
    return found


def _is_complete(e: EmployeeResult) -> bool:
    # analytics.is_complete, without importing the report's figures here
    return e.average is not None and e.status != "conflict"


def _ratings_by_level(
    employees: Iterable[EmployeeResult],
) -> tuple[dict[tuple[str, str], dict[str, list[int]]], dict[tuple[str, str], int]]:
    """(family, level) → competency → the ratings of complete employees there; and how many they are."""
    ratings: dict[tuple[str, str], dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for e in employees:
        if not _is_complete(e):
            continue
        counts[(e.family, e.level)] += 1
        at_level = ratings[(e.family, e.level)]
        for competency_id, rating in e.ratings.items():
            at_level[competency_id].append(rating)
    return ratings, counts


def level_means(employees: Iterable[EmployeeResult], fw: Framework, track_id: str) -> dict[str, dict[str, float]]:
    """Competency → level → mean rating over the complete employees at that level, in framework order
    (what the Level fit chart draws; a level nobody complete is at has no mean).

    >>> from matrixkit import load_frameworks
    >>> (fw,) = load_frameworks(["templates/startup.yaml"])
    >>> level_means([], fw, fw.tracks[0].id)
    {}
    """
    ratings, _ = _ratings_by_level(e for e in employees if e.family == fw.family.id)
    means: dict[str, dict[str, float]] = {}
    for competency in fw.competencies_for(track_id):
        row = {
            level.id: sum(found) / len(found)
            for level in fw.track_by_id[track_id].levels
            if (found := ratings.get((fw.family.id, level.id), {}).get(competency.id))
        }
        if row:
            means[competency.id] = row
    return means


def level_fit(employees: Iterable[EmployeeResult], frameworks: Sequence[Framework]) -> list[LevelFitPair]:
    """Every adjacent pair of levels of every track, in framework order, with its competencies' means.

    >>> from matrixkit import load_frameworks
    >>> (fw,) = load_frameworks(["templates/startup.yaml"])
    >>> pairs = level_fit([], [fw])
    >>> (pairs[0].lower, pairs[0].upper, pairs[0].employees_lower, pairs[0].competencies)
    ('S1', 'S2', 0, [])
    """
    ratings, counts = _ratings_by_level(employees)
    pairs: list[LevelFitPair] = []
    seen: set[str] = set()
    for fw in frameworks:
        if fw.family.id in seen:
            continue
        seen.add(fw.family.id)
        for track in fw.tracks:
            levels = [level.id for level in track.levels]
            for lower, upper in pairwise(levels):
                n_lower, n_upper = counts.get((fw.family.id, lower), 0), counts.get((fw.family.id, upper), 0)
                below = ratings.get((fw.family.id, lower), {})
                above = ratings.get((fw.family.id, upper), {})
                enough = n_lower >= FLAT_MIN_EMPLOYEES and n_upper >= FLAT_MIN_EMPLOYEES
                competencies: list[LevelFitCompetency] = []
                for competency in fw.competencies_for(track.id):
                    low, high = below.get(competency.id), above.get(competency.id)
                    if not low or not high:
                        continue
                    mean_lower, mean_upper = sum(low) / len(low), sum(high) / len(high)
                    flat = round(mean_upper - mean_lower, COMPARE_DIGITS) < FLAT_DIFFERENCE
                    competencies.append(LevelFitCompetency(competency.id, mean_lower, mean_upper, enough and flat))
                pairs.append(LevelFitPair(fw.family.id, track.id, lower, upper, n_lower, n_upper, competencies))
    return pairs


def under_levelled(employees: Iterable[EmployeeResult], frameworks: Sequence[Framework]) -> list[EmployeeResult]:
    """Complete employees whose ratings meet their next level's whole profile (or a higher one's): possibly
    under-levelled. The top of a track has no next level and is never listed.

    >>> under_levelled([], [])
    []
    """
    order = _level_order(frameworks)
    found = []
    for e in employees:
        if not _is_complete(e) or e.next_level is None or e.profile_level is None:
            continue
        ranks = order.get((e.family, e.track), {})
        if e.profile_level in ranks and e.next_level in ranks and ranks[e.profile_level] >= ranks[e.next_level]:
            found.append(e)
    return found


def below_current(employees: Iterable[EmployeeResult]) -> list[EmployeeResult]:
    """Complete employees rated below their current level's expected value in at least one competency.

    >>> below_current([])
    []
    """
    return [e for e in employees if _is_complete(e) and e.current_level_gaps]


def _level_order(frameworks: Sequence[Framework]) -> dict[tuple[str, str], dict[str, int]]:
    return {
        (fw.family.id, track.id): {level.id: index for index, level in enumerate(track.levels)}
        for fw in frameworks
        for track in fw.tracks
    }
