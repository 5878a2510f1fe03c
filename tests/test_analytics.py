"""The figures the report shows and the JSON does not carry, computed without a workbook."""

from __future__ import annotations

import dataclasses

from report_fixtures import GRACE, IC, LINUS, _employee, engineering, sample_analysis

from matrixkit.assess.analytics import (
    GapCell,
    complete_employees,
    employee_order,
    gap_cells,
    is_complete,
    next_level_gap_counts,
    team_gaps,
    top_gaps,
)


def _all(rating: int, **changes: int) -> dict[str, int]:
    return {c: changes.get(c, rating) for c in IC}


def test_team_gaps_are_means_against_the_current_level_per_manager_and_for_everyone() -> None:
    fw = engineering()
    ada = _employee("E1", "Ada", GRACE, "IC2", _all(2, delivery=4), "on_track", [])  # IC2 expects 2 everywhere
    bob = _employee("E2", "Bob", GRACE, "IC2", _all(2, delivery=1), "not_ready", [])
    cy = _employee("E3", "Cy", LINUS, "IC3", _all(3, delivery=2), "not_ready", [])  # IC3 expects 3
    teams, organisation = team_gaps(fw, [ada, bob, cy])
    assert [(t.manager_id, t.rated) for t in teams] == [("M1", 2), ("M2", 1)]
    assert teams[0].means["delivery"] == 0.5  # (+2 − 1) / 2
    assert teams[1].means["delivery"] == -1.0
    assert organisation.rated == 3
    assert organisation.means["delivery"] == (2 - 1 - 1) / 3
    assert organisation.means["communication"] == 0.0
    assert "people_management" not in organisation.means  # nobody on the management track


def test_only_complete_employees_of_the_family_count() -> None:
    fw = engineering()
    rated = _employee("E1", "Ada", GRACE, "IC2", _all(2), "on_track", [])
    missing = dataclasses.replace(rated, employee_id="E2", status="incomplete", average=None)
    conflict = dataclasses.replace(rated, employee_id="E3", status="conflict")
    other = dataclasses.replace(rated, employee_id="E4", family="sales")
    assert [is_complete(e) for e in (rated, missing, conflict)] == [True, False, False]
    assert complete_employees([rated, missing, conflict, other], fw) == [rated]


def test_gap_cells_against_the_next_and_current_level_and_not_applicable() -> None:
    fw = engineering()
    ratings = _all(3)
    del ratings["hiring"]
    e = _employee("E1", "Ada", GRACE, "IC2", ratings, "on_track", [])
    cells = dict(zip([c.id for c in fw.competencies], gap_cells(fw, e), strict=True))
    assert cells["delivery"] == GapCell(against_next=0, against_current=1)  # IC3 expects 3, IC2 expects 2
    assert cells["hiring"] == GapCell(None, None)  # not rated
    assert cells["people_management"] is None  # management track only


def test_top_gaps_count_each_employee_once_and_leave_out_conflicts() -> None:
    below = _employee("E1", "Ada", GRACE, "IC2", _all(2), "not_ready", [])
    assert set(below.next_level_gaps) == set(IC)
    conflict = dataclasses.replace(below, employee_id="E2", status="conflict")
    twice = dataclasses.replace(below, employee_id="E3", next_level_gaps=["delivery", "delivery"])
    counts = next_level_gap_counts([below, conflict, twice])
    assert counts[("engineering", "delivery")] == 2
    assert counts[("engineering", "communication")] == 1
    ranked = top_gaps(counts, lambda _family, competency: competency, 3)
    assert ranked == [("delivery", 2), ("collaboration", 1), ("communication", 1)]


def test_employee_order_is_by_id_then_source() -> None:
    employees = sample_analysis().employees
    ordered = sorted(employees, key=employee_order)
    assert [e.employee_id for e in ordered] == sorted(e.employee_id for e in employees)
