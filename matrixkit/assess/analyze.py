"""`analyze`: ingested rows in, one `Analysis` out — readiness, calibration, gaps and every problem.

Pure: plain data in (rows already read and checked, the roster, the calibration mapping, what the
history store holds of earlier cycles), results out. Reading files and the store is the outer
layer's, `matrixkit.run.analyze_workbooks`.

>>> import tempfile
>>> from matrixkit import load_frameworks, read_roster
>>> from matrixkit.intake.reader import ingest_workbooks
>>> from matrixkit.outputs.generate import generate_workbooks
>>> frameworks = load_frameworks(["templates/startup.yaml"])
>>> roster = read_roster("templates/rosters/startup.csv", frameworks)
>>> sent = generate_workbooks(frameworks, roster, "2026-Q4", tempfile.mkdtemp())  # back without a rating
>>> rows = [row for workbook in ingest_workbooks(sent, frameworks) for row in workbook.rows]
>>> analysis = analyze(rows, frameworks, roster=roster, cycle="2026-Q4")
>>> [e.status for e in analysis.employees][:3]
['incomplete', 'incomplete', 'incomplete']
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from matrixkit.assess.equity import check_columns, compare_groups
from matrixkit.assess.levelfit import level_fit
from matrixkit.assess.readiness import assess, evaluate_criteria
from matrixkit.assess.results import (
    Analysis,
    CalibrationRow,
    CrossoverCandidate,
    DevelopmentItem,
    EmployeeResult,
    LateralGap,
    LevelCheck,
    RatedRow,
    SelfComparison,
)
from matrixkit.assess.scoring import COMPARE_DIGITS
from matrixkit.model.criteria import Context
from matrixkit.model.cycles import parse_cycle, previous_cycles
from matrixkit.model.framework import RATING_CRITERIA, Criteria, Framework
from matrixkit.model.problems import FloodCaps, Problem, summarise_floods
from matrixkit.model.roster import Roster

if TYPE_CHECKING:
    from matrixkit.store.sqlite import PastRecord

FLAG_DEVIATION = 0.5
FLAG_MIN_RATED = 3  # fewer complete employees than this say nothing about a manager or a level: no flag
ASPIRATIONAL_SHARE = 0.05
TOO_EASY_SHARE = 0.60
DISAGREEMENT = 2  # self and manager ratings this far apart deserve a conversation


@dataclass(frozen=True)
class Past:
    """What the history store holds of earlier cycles, for the `sustained_cycles` criteria."""

    records: Mapping[str, Mapping[str, PastRecord]] = field(default_factory=dict)  # employee → cycle → record
    cycles: frozenset[str] = frozenset()  # every stored cycle but the one analysed


def analyze(
    rows: Sequence[tuple[Framework, RatedRow]],
    frameworks: Sequence[Framework],
    *,
    roster: Roster | None = None,
    calibration: Mapping[str, bool] | None = None,
    past: Past | None = None,
    cycle: str | None = None,
    self_rows: Sequence[tuple[Framework, RatedRow]] = (),
    problems: Iterable[Problem] = (),
    files_read: int | None = None,
    equity: Sequence[str] = (),
) -> Analysis:
    """Assess every employee of the managers' `rows` and compute the organisation-wide views.

    `calibration` maps employee id → confirmed (None: no calibration file); `past` is None without a
    store; `self_rows` (employees' own ratings) are shown beside, never mixed in; `problems` found while
    reading are carried into the result, sorted with the ones found here. `files_read` defaults to the
    files the rows come from. `equity` names roster columns to compare promotion outcomes by (`--equity`;
    a `UsageError` when the roster has no such column); without it nothing about those columns is computed.

    >>> analysis = analyze([], [], cycle="2026-Q4", problems=[Problem("warning", "no workbooks", code="no-workbooks")])
    >>> analysis.cycle, analysis.employees, [p.message for p in analysis.problems], analysis.files_read
    ('2026-Q4', [], ['no workbooks'], 0)
    """
    equity_columns = check_columns(roster, equity)
    found = list(problems)
    if files_read is None:
        files_read = len({row.source.file for _, row in [*rows, *self_rows]})
    caps = FloodCaps()  # 100,000 rows of strangers are 100 problems and a count, never 100,000 objects
    reconciled = _reconcile_with_roster(list(rows), roster, frameworks, found, caps)
    found.extend(nothing_rated(reconciled, found))
    history = None if past is None else past.records
    known = frozenset() if past is None else past.cycles
    employees = _assess_all(reconciled, roster, cycle, calibration, found, history, known)
    comparisons = compare_self_assessments(employees, self_rows, found)
    analysis = _analysis(cycle, employees, reconciled, roster, frameworks, calibration, found, files_read, caps)
    out_of_reach = ready_out_of_reach(
        employees, frameworks, cycle=cycle, calibration_given=calibration is not None, past=past
    )
    return replace(
        analysis,
        self_assessment=comparisons,
        ready_out_of_reach=out_of_reach,
        level_fit=level_fit(employees, frameworks),
        equity=compare_groups(employees, frameworks, roster, equity_columns) if roster and equity_columns else None,
    )


def ready_out_of_reach(
    employees: Sequence[EmployeeResult],
    frameworks: Sequence[Framework],
    *,
    cycle: str | None,
    calibration_given: bool,
    past: Past | None,
) -> list[str]:
    """Why employees cannot be `ready` in this run whatever their managers entered, when it follows from
    the run itself (SPEC rev 2): a criterion needs a calibration file that was not given, or earlier
    cycles the store does not hold. One sentence per cause, in plain words; empty when nothing blocks.

    >>> from matrixkit.assess.results import CriterionResult
    >>> person = EmployeeResult("E1", "Ann", None, "eng", "ic", "IC2", "IC3", {}, 3.8, 3, [], [],
    ...     [CriterionResult("calibration", "unknown", "")], "on_track", None)
    >>> ready_out_of_reach([person], [], cycle="2026-Q4", calibration_given=False, past=None)[0][-71:]
    'calibration session: nobody can be Ready in this run, at best On track.'
    """
    by_family = {fw.family.id: fw for fw in frameworks}
    candidates = [e for e in employees if e.status in ("ready", "on_track", "not_ready")]
    if not candidates:
        return []
    needs_calibration = [e for e in candidates if any(c.criterion == "calibration" for c in e.criteria)]
    missing_cycles: dict[str, list[EmployeeResult]] = defaultdict(list)
    for person in candidates:
        fw = by_family.get(person.family)
        sustained = fw.criteria_for(person.level).sustained_cycles if fw else None
        if not sustained or sustained <= 1:
            continue
        if past is None or cycle is None:
            missing_cycles["an earlier cycle"].append(person)
            continue
        absent = [earlier for earlier in previous_cycles(cycle, sustained - 1) if earlier not in past.cycles]
        if absent:
            missing_cycles[", ".join(absent)].append(person)
    reasons: list[str] = []

    def who(blocked: Sequence[EmployeeResult]) -> str:
        if len(blocked) == len(candidates):
            return "nobody can be Ready in this run, at best On track"
        return f"{len(blocked)} of {len(candidates)} rated employees cannot be Ready in this run, at best On track"

    if needs_calibration and not calibration_given:
        reasons.append(
            "No calibration file was given (--calibration), and the promotion criteria ask for a calibration "
            f"session: {who(needs_calibration)}."
        )
    for cycles, blocked in missing_cycles.items():
        where = "no history store was given (--store)" if past is None else f"the history store holds no {cycles}"
        reasons.append(
            f"The promotion criteria ask for the rating bar met in consecutive cycles, and {where}: {who(blocked)}."
        )
    return reasons


def nothing_rated(rows: Sequence[tuple[Framework, RatedRow]], problems: Sequence[Problem]) -> list[Problem]:
    """A warning when there are employees but not one rating, blank or invalid: most likely the workbooks as
    they were sent out (a run that is otherwise clean and says nothing would read as success).

    >>> from matrixkit.assess.results import Source
    >>> source = Source("a.xlsx", "Ratings", 2)
    >>> row = RatedRow("E1", "Ann", "eng", "IC1", "M1", {"communication": None}, {}, None, {}, "", source)
    >>> [p.message for p in nothing_rated([(None, row)], [])]
    ['the 1 employee in 1 workbook has no rating yet: were these the workbooks as sent?']
    """
    if not rows or any(p.code == "rating-invalid" for p in problems):
        return []
    if any(rating is not None for _, row in rows for rating in row.ratings.values()):
        return []
    files = sorted({row.source.file for _, row in rows})
    people = len({row.employee_id for _, row in rows})
    workbooks = "1 workbook" if len(files) == 1 else f"{len(files)} workbooks"
    who = "the 1 employee" if people == 1 else f"none of the {people} employees"
    verb = "has no rating yet" if people == 1 else "has a rating yet"
    return [
        Problem(
            "warning",
            f"{who} in {workbooks} {verb}: were these the workbooks as sent?",
            file=files[0] if len(files) == 1 else None,
            hint="analyze the workbooks the managers sent back, once they have filled in the ratings",
            code="nothing-rated",
        )
    ]


def earlier_cycles_needed(frameworks: Sequence[Framework], cycle: str) -> list[str]:
    """The earlier cycles whose records the frameworks' `sustained_cycles` criteria look at, nearest first.

    >>> earlier_cycles_needed([], "2026-Q4")
    []
    """
    depth = max((c.sustained_cycles or 1 for fw in frameworks for c in _all_criteria(fw)), default=1)
    return previous_cycles(cycle, depth - 1)


def _all_criteria(fw: Framework) -> list[Criteria]:
    return [fw.criteria_for(level.id) for track in fw.tracks for level in track.levels]


def _analysis(
    cycle: str | None,
    employees: list[EmployeeResult],
    rows: list[tuple[Framework, RatedRow]],
    roster: Roster | None,
    frameworks: Sequence[Framework],
    calibration: Mapping[str, bool] | None,
    problems: list[Problem],
    readable: int,
    caps: FloodCaps,
) -> Analysis:
    missing: list[str] = []
    if roster is not None:
        seen = {e.employee_id for e in employees}
        for person in roster.employees:
            if person.employee_id not in seen:
                missing.append(person.employee_id)
                problems.append(
                    Problem(
                        "warning",
                        f"{person.employee_id} ({person.name}) is in the roster but in no workbook "
                        f"(manager {person.manager_id})",
                        file=roster.file,
                        cell=f"row {person.row}",
                        value=person.employee_id,
                        code="missing-employee",
                    )
                )
    by_family = {fw.family.id: fw for fw in frameworks}
    org_gap, calibration_rows = calibrate(employees, by_family)
    return Analysis(
        cycle=cycle,
        employees=employees,
        missing=missing,
        problems=summarise_floods(problems, left_out=caps.left_out()),
        calibration=calibration_rows,
        org_gap=org_gap,
        level_checks=check_levels(employees, by_family),
        crossover=crossover_candidates(employees, rows, by_family, calibration, cycle, roster),
        lateral=lateral_gaps(employees, by_family),
        development=development_plans(employees, by_family),
        files_read=readable,
    )


def _reconcile_with_roster(
    rows: list[tuple[Framework, RatedRow]],
    roster: Roster | None,
    frameworks: Sequence[Framework],
    problems: list[Problem],
    caps: FloodCaps,
) -> list[tuple[Framework, RatedRow]]:
    """The roster wins on level, family, name and manager; the workbook's level must exist otherwise."""
    by_family = {fw.family.id: fw for fw in frameworks}
    people = roster.by_id if roster else {}
    managers = roster.manager_by_id if roster else {}
    result: list[tuple[Framework, RatedRow]] = []
    suggest = IdSuggester(roster)
    for fw, row in rows:
        where: dict[str, Any] = {"file": row.source.file, "sheet": row.source.sheet, "cell": f"row {row.source.row}"}
        person = people.get(row.employee_id)
        if roster is not None and person is None:
            # Left out of the results: without a roster entry the row has no manager, no level date and
            # perhaps a mistyped id (the real person would be listed missing and this one counted twice).
            report_not_in_roster(problems, caps, row, roster, suggest, "the row is not analysed")
            continue
        if person is not None:
            if person.family != row.family:
                problems.append(
                    Problem(
                        "warning",
                        f"{row.employee_id}: the workbook rates family {row.family}, the "
                        f"roster says {person.family}; the roster wins",
                        value=row.family,
                        expected=person.family,
                        code="roster-family-differs",
                        **where,
                    )
                )
                fw = by_family[person.family]
            if person.level != row.level:
                problems.append(
                    Problem(
                        "warning",
                        f"{row.employee_id}: level {row.level} in the workbook, "
                        f"{person.level} in the roster; the roster wins",
                        value=row.level,
                        expected=person.level,
                        code="roster-level-differs",
                        **where,
                    )
                )
            manager = managers.get(person.manager_id)
            manager_name = manager.name if manager else None
            row = replace(
                row,
                family=person.family,
                level=person.level,
                name=person.name,
                manager_id=person.manager_id,
                manager_name=manager_name,
            )
        elif row.level not in fw.level_by_id:
            problems.append(
                Problem(
                    "error",
                    f"{row.employee_id}: '{row.level}' is not a level of {fw.family.id}; the row is not analysed",
                    value=row.level,
                    expected=", ".join(fw.level_by_id),
                    code="unknown-level",
                    **where,
                )
            )
            continue
        result.append((fw, row))
    return result


def _assess_all(
    rows: list[tuple[Framework, RatedRow]],
    roster: Roster | None,
    cycle: str | None,
    calibration: Mapping[str, bool] | None,
    problems: list[Problem],
    history: Mapping[str, Mapping[str, PastRecord]] | None = None,
    known: frozenset[str] = frozenset(),
) -> list[EmployeeResult]:
    occurrences: dict[str, list[tuple[Framework, RatedRow]]] = defaultdict(list)
    for fw, row in rows:
        occurrences[row.employee_id].append((fw, row))
    cycle_end = parse_cycle(cycle).end if cycle else None
    people = roster.by_id if roster else {}
    results: list[EmployeeResult] = []
    for employee_id, found in occurrences.items():
        conflict = len(found) > 1
        if conflict:
            problems.extend(conflict_problems(employee_id, [row for _, row in found]))
        fw, row = found[0]
        person = people.get(employee_id)
        context = Context(
            cycle_end=cycle_end,
            level_since=person.level_since if person else None,
            calibration=calibration,
            cycle=cycle,
            history=None if history is None else history.get(employee_id, {}),
            known_cycles=known,
        )
        results.append(assess(fw, row, context, conflict=conflict))
    return sorted(results, key=lambda e: (e.family, e.manager_id or "", e.name.casefold(), e.employee_id))


CONFLICT_PLACES_NAMED = 5


def conflict_problems(employee_id: str, rows: Sequence[RatedRow]) -> list[Problem]:
    """One error per file an employee appears in more than once overall, at its first row there, naming the
    first few places of all and how many more: linear in the rows, whatever a paste repeated.

    >>> from matrixkit.assess.results import Source
    >>> row = RatedRow("E1", "Ann", "eng", "IC2", None, {}, {}, None, {}, "", Source("a.xlsx", "Ratings", 2))
    >>> rows = [replace(row, source=Source("a.xlsx", "Ratings", n)) for n in range(2, 9)]
    >>> [(p.cell, p.message) for p in conflict_problems("E1", rows)]  # doctest: +NORMALIZE_WHITESPACE
    [('row 2', 'E1 appears 7 times (a.xlsx [Ratings] row 2; a.xlsx [Ratings] row 3; a.xlsx [Ratings] row 4;
      a.xlsx [Ratings] row 5; a.xlsx [Ratings] row 6; and 2 more): a conflict, never merged')]
    """
    named = "; ".join(f"{r.source.file} [{r.source.sheet}] row {r.source.row}" for r in rows[:CONFLICT_PLACES_NAMED])
    more = len(rows) - CONFLICT_PLACES_NAMED
    places = f"{named}; and {more:,} more" if more > 0 else named
    message = f"{employee_id} appears {len(rows):,} times ({places}): a conflict, never merged"
    first_in_file: dict[str, RatedRow] = {}
    for row in rows:
        first_in_file.setdefault(row.source.file, row)
    return [
        Problem(
            "error",
            message,
            file=row.source.file,
            sheet=row.source.sheet,
            cell=f"row {row.source.row}",
            value=employee_id,
            code="conflict",
        )
        for row in first_in_file.values()
    ]


# -- organisation-wide views ------------------------------------------------------------------------


def _complete(employees: Iterable[EmployeeResult]) -> list[EmployeeResult]:
    return [e for e in employees if e.status not in ("incomplete", "conflict")]


def _deviations(employee: EmployeeResult, fw: Framework) -> list[int]:
    expected = fw.level_by_id[employee.level].expected
    return [rating - expected[c] for c, rating in employee.ratings.items() if c in expected]


def calibrate(
    employees: Sequence[EmployeeResult], by_family: dict[str, Framework]
) -> tuple[float | None, list[CalibrationRow]]:
    """Per manager over complete employees: mean rating, gap to the role profile, deviation from the org."""
    complete = _complete(employees)
    org = [d for e in complete for d in _deviations(e, by_family[e.family])]
    org_gap = sum(org) / len(org) if org else None
    per_manager: dict[str, list[EmployeeResult]] = defaultdict(list)
    for e in complete:
        per_manager[e.manager_id or ""].append(e)
    rows: list[CalibrationRow] = []
    for manager_id in sorted(per_manager):
        team = per_manager[manager_id]
        ratings = [r for e in team for r in e.ratings.values()]
        gaps = [d for e in team for d in _deviations(e, by_family[e.family])]
        top_two = {e.family: by_family[e.family].scale.max - 1 for e in team}
        high = sum(1 for e in team for r in e.ratings.values() if r >= top_two[e.family])
        gap = sum(gaps) / len(gaps) if gaps else None
        deviation = None if gap is None or org_gap is None else gap - org_gap
        flag = None
        if deviation is not None and len(team) >= FLAG_MIN_RATED:
            rounded = round(deviation, COMPARE_DIGITS)
            flag = "lenient" if rounded >= FLAG_DEVIATION else "severe" if rounded <= -FLAG_DEVIATION else None
        rows.append(
            CalibrationRow(
                manager_id=manager_id,
                manager_name=team[0].manager_name,
                rated=len(team),
                mean=sum(ratings) / len(ratings) if ratings else None,
                share_high=high / len(ratings) if ratings else None,
                gap=gap,
                deviation=deviation,
                flag=flag,  # type: ignore[arg-type]
            )
        )
    return org_gap, rows


def check_levels(employees: Sequence[EmployeeResult], by_family: dict[str, Framework]) -> list[LevelCheck]:
    """Per level: the share of complete employees meeting the next level's rating criteria."""
    checks: list[LevelCheck] = []
    complete = [e for e in _complete(employees) if e.status != "top_of_track"]
    for family_id in sorted({e.family for e in complete}):
        fw = by_family[family_id]
        for track in fw.tracks:
            for level in track.levels:
                following = fw.next_level(level.id)
                if following is None:
                    continue
                people = [e for e in complete if e.family == family_id and e.level == level.id]
                if not people:
                    continue
                meeting = sum(
                    all(c.result == "met" for c in e.criteria if c.criterion in RATING_CRITERIA) for e in people
                )
                share = meeting / len(people)
                flag = "aspirational" if share < ASPIRATIONAL_SHARE else "too easy" if share > TOO_EASY_SHARE else None
                if len(people) < FLAG_MIN_RATED:
                    flag = None  # one employee is not a level: as calibration, no flag below the minimum
                checks.append(LevelCheck(family_id, level.id, following.id, len(people), meeting, flag))  # type: ignore[arg-type]
    return checks


def crossover_candidates(
    employees: Sequence[EmployeeResult],
    rows: Sequence[tuple[Framework, RatedRow]],
    by_family: dict[str, Framework],
    calibration: Mapping[str, bool] | None,
    cycle: str | None,
    roster: Roster | None,
) -> list[CrossoverCandidate]:
    """Employees at or above a track's `entry.from` who meet its `entry.criteria` (against `entry.to`)."""
    row_of = {row.employee_id: row for _, row in rows}
    people = roster.by_id if roster else {}
    cycle_end = parse_cycle(cycle).end if cycle else None
    candidates: list[CrossoverCandidate] = []
    for e in _complete(employees):
        fw = by_family[e.family]
        for track in fw.tracks:
            entry = track.entry
            if entry is None or e.track == track.id:
                continue
            source = fw.track_of_level[entry.from_]
            if source.id != e.track:
                continue
            order = [level.id for level in source.levels]
            if order.index(e.level) < order.index(entry.from_):
                continue
            row = row_of[e.employee_id]
            person = people.get(e.employee_id)
            context = Context(cycle_end, person.level_since if person else None, calibration)
            ratings = {c: e.ratings.get(c) for c in (comp.id for comp in fw.competencies_at(e.level))}
            results = evaluate_criteria(fw, entry.criteria, fw.level_by_id[entry.to], ratings, row, context)
            if all(r.result == "met" for r in results):
                candidates.append(
                    CrossoverCandidate(e.employee_id, e.name, e.family, e.level, track.id, entry.to, results)
                )
    return candidates


def lateral_gaps(employees: Sequence[EmployeeResult], by_family: dict[str, Framework]) -> list[LateralGap]:
    """For employees at a lateral path's `from` level: transferable ratings against the target profile."""
    gaps: list[LateralGap] = []
    for e in _complete(employees):
        fw = by_family[e.family]
        for path in fw.lateral_paths:
            if path.from_ != e.level:
                continue
            target = by_family.get(path.to_family)
            target_level = target.level_by_id.get(path.to_level) if target else None
            for comp_id in path.transferable:
                rating = e.ratings.get(comp_id)
                if rating is None:
                    continue
                expected = target_level.expected.get(comp_id) if target_level else None
                gaps.append(LateralGap(e.employee_id, e.name, e.family, e.level, path.to, comp_id, rating, expected))
    return gaps


def development_plans(employees: Sequence[EmployeeResult], by_family: dict[str, Framework]) -> list[DevelopmentItem]:
    """Per employee: first the competencies below their own level, with its text; then those below the
    next level only, with the next level's; each largest gap first. An IC2 rated 1 where IC2 expects 2
    reads what IC2 looks like there, not IC3."""
    items: list[DevelopmentItem] = []
    for e in employees:
        if e.status == "conflict":
            continue
        fw = by_family[e.family]
        current = fw.level_by_id[e.level]
        targets = [(current, True)] + ([(fw.level_by_id[e.next_level], False)] if e.next_level else [])
        listed: set[str] = set()
        for target, below_current in targets:
            below = [
                (target.expected[c] - rating, c, rating)
                for c, rating in e.ratings.items()
                if c in target.expected and rating < target.expected[c] and c not in listed
            ]
            for _, comp_id, rating in sorted(below, key=lambda item: (-item[0], item[1])):
                listed.add(comp_id)
                items.append(
                    DevelopmentItem(
                        e.employee_id,
                        comp_id,
                        rating,
                        target.id,
                        target.expected[comp_id],
                        (fw.description(comp_id, target.id) or "").strip(),
                        below_current=below_current,
                    )
                )
    return items


def compare_self_assessments(
    employees: Sequence[EmployeeResult], self_rows: Sequence[tuple[Framework, RatedRow]], problems: list[Problem]
) -> list[SelfComparison]:
    """Each employee's own ratings beside their manager's, flagging differences of DISAGREEMENT or more."""
    managers = {e.employee_id: e for e in employees}
    seen: set[str] = set()
    comparisons: list[SelfComparison] = []
    for fw, row in sorted(self_rows, key=lambda item: item[1].employee_id):
        if row.employee_id in seen:
            problems.append(
                Problem(
                    "warning",
                    f"{row.employee_id} sent two self-assessments; the first is shown",
                    file=row.source.file,
                    sheet=row.source.sheet,
                    cell=f"row {row.source.row}",
                    code="duplicate-self-assessment",
                )
            )
            continue
        seen.add(row.employee_id)
        rated = managers.get(row.employee_id)
        for comp in fw.competencies:
            if comp.id not in row.ratings:
                continue
            own, theirs = row.ratings.get(comp.id), rated.ratings.get(comp.id) if rated else None
            apart = own is not None and theirs is not None and abs(own - theirs) >= DISAGREEMENT
            comparisons.append(
                SelfComparison(row.employee_id, rated.name if rated else row.name, comp.id, own, theirs, apart)
            )
    return comparisons


# -- rows the roster does not list -------------------------------------------------------------------


class IdSuggester:
    """The roster ids closest to an unknown one, within a fixed budget of comparisons per run, so that
    100,000 rows of strangers against a large roster stay linear (beyond it: no suggestion)."""

    BUDGET = 1_000_000  # id comparisons, about a second

    def __init__(self, roster: Roster | None) -> None:
        self.ids = sorted(roster.by_id) if roster else []
        self.left = self.BUDGET
        self.found: dict[str, list[str]] = {}

    def __call__(self, employee_id: str) -> list[str]:
        found = self.found.get(employee_id)
        if found is None:
            if self.left < len(self.ids):
                return []
            self.left -= len(self.ids)
            found = self.found[employee_id] = difflib.get_close_matches(employee_id, self.ids, n=3, cutoff=0.75)
        return found


def report_not_in_roster(
    problems: list[Problem], caps: FloodCaps, row: RatedRow, roster: Roster, suggest: IdSuggester, consequence: str
) -> None:
    """Add `not_in_roster`'s problem, or past the cap only count it: the suggestion is never worked out
    for a problem nobody will read."""
    source = row.source
    caps.add(
        problems,
        source.file,
        source.sheet,
        "not-in-roster",
        source.row,
        0,
        lambda: not_in_roster(row, roster, suggest, consequence),
    )


def not_in_roster(row: RatedRow, roster: Roster, suggest: IdSuggester, consequence: str) -> Problem:
    """The error for a row whose Employee ID the roster does not list, at the cell holding the id.

    >>> from matrixkit.assess.results import Source
    >>> from matrixkit.model.roster import Employee
    >>> roster = Roster("roster.csv", (Employee("ENG-009", "Ann Lee", "engineering", "IC2", "ENG-001", 2),))
    >>> row = RatedRow("ENG-0O9", "", "engineering", "IC2", None, {}, {}, None, {}, "", Source("a.xlsx", "Ratings", 6),
    ...                id_cell="A6")
    >>> problem = not_in_roster(row, roster, IdSuggester(roster), "the row is not analysed")
    >>> problem.cell, problem.expected
    ('A6', 'an Employee ID from the roster (roster.csv), perhaps ENG-009')
    """
    close = suggest(row.employee_id)
    expected = f"an Employee ID from the roster ({roster.file})"
    if close:
        expected += ", perhaps " + " or ".join(close)
    return Problem(
        "error",
        f"{row.employee_id} is not in the roster: {consequence} (correct the id, or add the person to the roster)",
        file=row.source.file,
        sheet=row.source.sheet,
        cell=row.id_cell or f"row {row.source.row}",
        value=row.employee_id,
        expected=expected,
        code="not-in-roster",
    )
