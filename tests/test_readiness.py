from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from matrixkit import load_frameworks
from matrixkit.assess.readiness import assess, status_of
from matrixkit.assess.results import CriterionResult, RatedRow, Source
from matrixkit.model.criteria import Context, months_between


@pytest.mark.parametrize(
    ("since", "end", "months"),
    [
        (date(2026, 3, 6), date(2026, 12, 5), 8),
        (date(2026, 3, 6), date(2026, 12, 6), 9),  # SPEC: the 9th month completes on 2026-12-06
        (date(2026, 1, 31), date(2026, 2, 28), 1),  # from the 31st: on the last day of a shorter month
        (date(2026, 1, 31), date(2026, 2, 27), 0),
        (date(2024, 1, 31), date(2024, 2, 29), 1),  # leap year
        (date(2025, 12, 31), date(2026, 12, 31), 12),
        (date(2027, 1, 1), date(2026, 12, 31), 0),  # a future date never gives negative months
    ],
)
def test_whole_calendar_months(since: date, end: date, months: int) -> None:
    assert months_between(since, end) == months


def _c(criterion: str, result: str) -> CriterionResult:
    return CriterionResult(criterion, result, "x")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("criteria", "flags", "status"),
    [
        ([_c("average_at_least", "not_met")], {"conflict": True}, "conflict"),
        ([_c("average_at_least", "met")], {"complete": False}, "incomplete"),
        ([], {"top": True}, "top_of_track"),
        ([_c("average_at_least", "met"), _c("each_at_least", "not_met"), _c("endorsement", "met")], {}, "not_ready"),
        ([_c("average_at_least", "met"), _c("endorsement", "unknown")], {}, "on_track"),
        ([_c("average_at_least", "met"), _c("sustained_cycles", "not_met")], {}, "on_track"),
        ([_c("average_at_least", "met"), _c("calibration", "met")], {}, "ready"),
    ],
)
def test_status_precedence(criteria: list[CriterionResult], flags: dict[str, bool], status: str) -> None:
    options: dict[str, Any] = {"conflict": False, "complete": True, "top": False, **flags}
    assert status_of(criteria, **options) == status


def test_reasons_name_what_was_checked(framework_data: dict[str, Any], write_yaml: Any) -> None:
    framework_data["competencies"][0]["weight"] = 3
    fw = load_frameworks([write_yaml(framework_data)])[0]
    ratings: dict[str, int | None] = {
        "communication": 3,
        "collaboration": 4,
        "delivery": 4,
        "craft": 4,
        "design": 2,
        "operations": 4,
        "coaching": 4,
    }
    row = RatedRow(
        "E1", "Ann", "eng", "L2", "M", ratings, {"cross_team_scope": None}, True, {}, "", Source("f.xlsx", "Ratings", 2)
    )
    result = assess(fw, row, Context(cycle_end=date(2026, 12, 31), level_since=date(2026, 3, 6)))
    details = {c.criterion: (c.result, c.detail) for c in result.criteria}
    # weighted: (3*3 + 4*5 + 2) / 9 = 3.444…
    assert details["average_at_least"] == ("not_met", "3.44 < 3.50")
    assert details["each_at_least"] == ("not_met", "lowest 2 < 3: design")
    assert (
        details["next_level_gaps_at_most"][0] == "not_met" and "communication" in details["next_level_gaps_at_most"][1]
    )
    assert details["months_in_level_at_least"] == ("not_met", "9 months since 2026-03-06 < 12")
    assert details["evidence"] == ("unknown", "cross_team_scope: not answered")
    assert details["endorsement"] == ("met", "manager endorsement: Yes")
    assert details["calibration"][0] == "unknown"
    assert result.status == "not_ready"
    assert result.average == pytest.approx(31 / 9)
