"""Promotion equity: does meeting the bar for the next level depend on a group the roster names?
(SPEC rev 2, "Promotion equity"; only with `analyze --equity COLUMN`.)

Over complete employees not at the top of their track, per value of a roster column: how many, the share
meeting every rating criterion for the next level (status `ready` or `on_track`), the mean gap against
their current level's profile, the share against the highest shown share (the four-fifths rule), and one
test, with the level held fixed, of whether the outcome depends on the group. A group of fewer than 5 is
withheld entirely, so no person can be picked out.

Which test (the statistics are the libraries', never written here):

- two shown groups, several levels where the comparison can be made: the Cochran–Mantel–Haenszel test
  over one 2×2 table per level (statsmodels' `StratifiedTable.test_null_odds`, no continuity correction);
- two shown groups and only one such level: Fisher's exact test on its 2×2 table (scipy), exact whatever
  the counts, where the Mantel–Haenszel statistic would only approximate it;
- three or more shown groups: statsmodels' `StratifiedTable` is 2×2 only, and statsmodels has no generalized
  Mantel–Haenszel test. We use the score (Lagrange multiplier) test of a logistic regression with the level
  as a factor, for adding the group (statsmodels' GLM `score_test`): the score test of that model is the
  generalized Mantel–Haenszel statistic up to a factor n/(n−1) per level, and unlike a likelihood-ratio or
  Wald test it is computed at the model without the group, so a group where nobody (or everybody) meets the
  bar does not break the fit.

A level takes part only where at least two shown groups have employees and the outcome varies (the others
carry no information about the groups with the level held fixed); with none, `p_value` is None.
statsmodels and scipy are imported only here, when a column is compared.

>>> from matrixkit.model.roster import Employee, Roster
>>> roster = Roster("r.csv", (Employee("E1", "Ann", "eng", "IC1", "M1", 2, extra={"gender": "f"}),))
>>> available_columns(roster)
['gender']
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from matrixkit.assess.results import EmployeeResult, EquityColumn, EquityGroup
from matrixkit.errors import UsageError
from matrixkit.model.criteria import COMPARE_DIGITS
from matrixkit.model.framework import Framework
from matrixkit.model.roster import Roster

NOT_GIVEN = "(not given)"
SUPPRESS_BELOW = 5  # a group this small is never shown on its own
FOUR_FIFTHS = 0.8
MEETING = ("ready", "on_track")  # every rating criterion for the next level met

CMH_TEST = "Cochran–Mantel–Haenszel test over the levels"
FISHER_TEST = "Fisher's exact test (one level holds the comparison)"
SCORE_TEST = (
    "score test of a logistic regression with the level as a factor, a generalized Cochran–Mantel–Haenszel test"
)


def available_columns(roster: Roster) -> list[str]:
    """The roster's columns beyond SPEC's own (its extra columns), in the file's order."""
    found: dict[str, None] = {}
    for person in roster.employees:
        found.update(dict.fromkeys(person.extra))
    return list(found)


def check_columns(roster: Roster | None, columns: Sequence[str]) -> list[str]:
    """The roster's names for `columns` (matched case-insensitively, each once); a `UsageError` naming the
    columns there when one is not among them.

    >>> from matrixkit.model.roster import Employee, Roster
    >>> roster = Roster("r.csv", (Employee("E1", "Ann", "eng", "IC1", "M1", 2, extra={"gender": "f"}),))
    >>> check_columns(roster, ["Gender"])
    ['gender']
    >>> check_columns(roster, ["site"])
    Traceback (most recent call last):
    ...
    matrixkit.errors.UsageError: --equity site: the roster r.csv has no such column; it can compare by: gender
    """
    if not columns:
        return []
    if roster is None:
        raise UsageError("--equity needs --roster: the groups come from the roster's columns")
    available = available_columns(roster)
    by_folded = {name.casefold(): name for name in available}
    matched: list[str] = []
    for column in columns:
        name = by_folded.get(column.strip().casefold())
        if name is None:
            there = ", ".join(available) or "none (it has only employee_id, name, family, level and the like)"
            raise UsageError(
                f"--equity {column}: the roster {roster.file} has no such column; it can compare by: {there}"
            )
        if name not in matched:
            matched.append(name)
    return matched


@dataclass(frozen=True)
class _Person:
    group: str
    stratum: tuple[str, str]  # (family, level)
    meets: bool
    gaps: list[int]  # rating − expected at the current level, per competency with an expected value


def compare_groups(
    employees: Iterable[EmployeeResult], frameworks: Sequence[Framework], roster: Roster, columns: Sequence[str]
) -> list[EquityColumn]:
    """One `EquityColumn` per roster column, groups in name order and "(not given)" last.

    >>> from matrixkit.model.roster import Employee, Roster
    >>> roster = Roster("r.csv", (Employee("E1", "Ann", "eng", "IC1", "M1", 2, extra={"gender": "f"}),))
    >>> compare_groups([], [], roster, ["gender"])
    [EquityColumn(column='gender', p_value=None, groups=[], test=None)]
    """
    by_family: dict[str, Framework] = {}
    for fw in frameworks:
        by_family.setdefault(fw.family.id, fw)
    population = [e for e in employees if e.average is not None and e.status not in ("conflict", "top_of_track")]
    people = roster.by_id
    result: list[EquityColumn] = []
    for column in columns:
        found: list[_Person] = []
        for e in population:
            person = people.get(e.employee_id)
            value = person.extra.get(column, "") if person else ""
            found.append(_Person(value or NOT_GIVEN, (e.family, e.level), e.status in MEETING, _gaps(e, by_family)))
        result.append(_compare(column, found))
    return result


def _gaps(e: EmployeeResult, by_family: Mapping[str, Framework]) -> list[int]:
    fw = by_family.get(e.family)
    level = fw.level_by_id.get(e.level) if fw else None
    if level is None:
        return []
    return [rating - level.expected[c] for c, rating in e.ratings.items() if c in level.expected]


def _compare(column: str, people: Sequence[_Person]) -> EquityColumn:
    members: dict[str, list[_Person]] = defaultdict(list)
    for person in people:
        members[person.group].append(person)
    names = sorted(members, key=lambda g: (g == NOT_GIVEN, g.casefold(), g))
    shown = [g for g in names if len(members[g]) >= SUPPRESS_BELOW]
    shares = {g: sum(p.meets for p in members[g]) / len(members[g]) for g in shown}
    best = max(shares.values(), default=0.0)
    groups: list[EquityGroup] = []
    for name in names:
        if name not in shares:
            groups.append(EquityGroup(name, None, None, None, None, None, True))
            continue
        gaps = [gap for p in members[name] for gap in p.gaps]
        ratio = shares[name] / best if best > 0 else None  # nobody meets the bar anywhere: nothing to compare
        adverse = ratio is not None and round(ratio, COMPARE_DIGITS) < FOUR_FIFTHS
        groups.append(
            EquityGroup(
                name,
                len(members[name]),
                shares[name],
                sum(gaps) / len(gaps) if gaps else None,
                ratio,
                "adverse_impact" if adverse else None,
                False,
            )
        )
    p_value, test = stratified_test([(p.group, p.stratum, p.meets) for g in shown for p in members[g]])
    return EquityColumn(column, p_value, groups, test)


def stratified_test(observations: Sequence[tuple[str, Any, bool]]) -> tuple[float | None, str | None]:
    """The p-value of "the outcome does not depend on the group, the stratum held fixed", and the test used.

    `observations` are (group, stratum, outcome) of the shown groups only. None when no stratum can compare.

    >>> stratified_test([("a", "L1", True), ("b", "L1", True)])
    (None, None)
    """
    by_stratum: dict[Any, list[tuple[str, bool]]] = defaultdict(list)
    for group, stratum, meets in observations:
        by_stratum[stratum].append((group, meets))
    informative = {
        stratum: rows
        for stratum, rows in by_stratum.items()
        if len({g for g, _ in rows}) >= 2 and len({m for _, m in rows}) == 2
    }
    groups = sorted({g for rows in informative.values() for g, _ in rows})
    if len(groups) < 2:
        return None, None
    strata = sorted(informative, key=repr)
    if len(groups) == 2:
        tables = [_two_by_two(informative[s], groups) for s in strata]
        if len(tables) == 1:
            from scipy.stats import fisher_exact

            return float(fisher_exact(tables[0]).pvalue), FISHER_TEST
        import numpy as np
        from statsmodels.stats.contingency_tables import StratifiedTable

        stacked = np.stack([np.asarray(t, dtype=float) for t in tables], axis=2)
        return float(StratifiedTable(stacked).test_null_odds(correction=False).pvalue), CMH_TEST
    return _score_test(informative, strata, groups), SCORE_TEST


def _two_by_two(rows: Sequence[tuple[str, bool]], groups: Sequence[str]) -> list[list[int]]:
    """Rows: the two groups; columns: meeting the bar, not meeting it."""
    return [
        [sum(1 for g, m in rows if g == group and m), sum(1 for g, m in rows if g == group and not m)]
        for group in groups
    ]


def _score_test(
    informative: Mapping[Any, Sequence[tuple[str, bool]]], strata: Sequence[Any], groups: Sequence[str]
) -> float:
    import numpy as np
    from statsmodels.genmod.families import Binomial  # not statsmodels.api: a third less to import
    from statsmodels.genmod.generalized_linear_model import GLM

    outcome: list[float] = []
    level_columns: list[list[float]] = []
    group_columns: list[list[float]] = []
    for index, stratum in enumerate(strata):
        for group, meets in informative[stratum]:
            outcome.append(1.0 if meets else 0.0)
            level_columns.append([1.0 if i == index else 0.0 for i in range(len(strata))])
            group_columns.append([1.0 if group == other else 0.0 for other in groups[1:]])
    null_model = GLM(np.asarray(outcome), np.asarray(level_columns), family=Binomial()).fit()
    tested = null_model.score_test(exog_extra=np.asarray(group_columns))
    # statsmodels 0.15 returns a result object, 0.14 a (statistic, p-value, df) tuple
    p_value = tested.pvalue if hasattr(tested, "pvalue") else tested[1]
    return float(np.asarray(p_value).item())
