"""A hand-built `Analysis` over templates/engineering.yaml: every status, two managers, hostile text.

`trends_analysis()` adds a history of three cycles over engineering and data science.
"""

from __future__ import annotations

import dataclasses
from functools import cache
from pathlib import Path

from matrixkit import load_frameworks
from matrixkit.assess.results import (
    Analysis,
    CalibrationRow,
    CriterionResult,
    CrossoverCandidate,
    DevelopmentItem,
    EmployeeResult,
    LateralGap,
    LevelCheck,
    Source,
    TrendPoint,
    Trends,
)
from matrixkit.model.framework import Framework
from matrixkit.model.problems import Problem

ENGINEERING = Path(__file__).resolve().parent.parent / "templates" / "engineering.yaml"
DATA_SCIENCE = ENGINEERING.with_name("data-science.yaml")

IC = (
    "communication",
    "collaboration",
    "delivery",
    "ownership",
    "technical_craft",
    "system_design",
    "operational_excellence",
    "testing_quality",
    "mentoring",
    "hiring",
)
MANAGEMENT = (
    "communication",
    "collaboration",
    "delivery",
    "ownership",
    "system_design",
    "operational_excellence",
    "testing_quality",
    "people_management",
    "hiring",
)


@cache
def engineering() -> Framework:
    (fw,) = load_frameworks([ENGINEERING])
    return fw


def _c(criterion: str, result: str, detail: str) -> CriterionResult:
    return CriterionResult(criterion, result, detail)  # type: ignore[arg-type]


def _employee(
    employee_id: str,
    name: str,
    manager: tuple[str, str] | None,
    level: str,
    ratings: dict[str, int],
    status: str,
    criteria: list[CriterionResult],
    *,
    file: str = "grace.xlsx",
    row: int = 4,
) -> EmployeeResult:
    fw = engineering()
    track = fw.track_of_level[level]
    following = fw.next_level(level)
    competencies = [c.id for c in fw.competencies_for(track.id)]
    complete = all(c in ratings for c in competencies)
    gaps = []
    if following is not None:
        gaps = [c for c, r in ratings.items() if c in following.expected and r < following.expected[c]]
    current_gaps = [c for c, r in ratings.items() if r < fw.level_by_id[level].expected.get(c, 0)]
    return EmployeeResult(
        employee_id=employee_id,
        name=name,
        manager_id=manager[0] if manager else None,
        family="engineering",
        track=track.id,
        level=level,
        next_level=following.id if following else None,
        ratings=ratings,
        average=sum(ratings.values()) / len(ratings) if complete else None,
        lowest=min(ratings.values()) if complete else None,
        next_level_gaps=gaps,
        current_level_gaps=current_gaps,
        criteria=criteria,
        status=status,  # type: ignore[arg-type]
        source=Source(file, "Ratings", row),
        manager_name=manager[1] if manager else None,
    )


GRACE = ("M1", "Grace Hopper")
LINUS = ("M2", "Linus Ødegård")


def sample_analysis(cycle: str | None = "2026-Q4") -> Analysis:
    ada = _employee(
        "E1",
        "Ada Lovelace",
        GRACE,
        "IC3",
        dict.fromkeys(IC, 4) | {"testing_quality": 3},
        "ready",
        [
            _c("average_at_least", "met", "3.9 ≥ 3.5"),
            _c("each_at_least", "met", "lowest 3 ≥ 3"),
            _c("next_level_gaps_at_most", "met", "0 gaps ≤ 1"),
            _c("evidence", "met", "design_doc_adopted: Yes"),
            _c("endorsement", "met", "endorsed"),
        ],
        row=4,
    )
    bob = _employee(
        "E2",
        "=1+1 Bob",
        GRACE,
        "IC2",
        dict.fromkeys(IC, 2) | {"communication": 3, "delivery": 1},
        "not_ready",
        [
            _c("average_at_least", "not_met", "2.0 < 3.5"),
            _c("each_at_least", "not_met", "delivery 1 < 3"),
            _c("next_level_gaps_at_most", "not_met", "9 gaps > 1"),
            _c("evidence", "unknown", "design_doc_adopted: not answered"),
            _c("endorsement", "not_met", "not endorsed"),
        ],
        row=5,
    )
    zoe = _employee(
        "E3",
        "Zoë Ñúñez 陈",
        LINUS,
        "IC1",
        {"communication": 2, "collaboration": 2},
        "incomplete",
        [_c("average_at_least", "unknown", "ratings missing: delivery, ownership")],
        file="linus.xlsx",
        row=4,
    )
    wei = _employee(
        "E4",
        "Chen Wei",
        LINUS,
        "IC7",
        dict.fromkeys(IC, 5),
        "top_of_track",
        [],
        file="linus.xlsx",
        row=5,
    )
    twice = [
        _employee("E5", "Sam Twice", GRACE, "IC2", dict.fromkeys(IC, 3), "conflict", [], row=6),
        _employee("E5", "Sam Twice", LINUS, "IC2", dict.fromkeys(IC, 2), "conflict", [], file="linus.xlsx", row=6),
    ]
    mia = _employee(
        "E6",
        "Mia Manager",
        LINUS,
        "M1",
        dict.fromkeys(MANAGEMENT, 4) | {"ownership": 5},
        "on_track",
        [
            _c("average_at_least", "met", "4.1 ≥ 3.5"),
            _c("each_at_least", "met", "lowest 4 ≥ 3"),
            _c("next_level_gaps_at_most", "met", "0 gaps ≤ 1"),
            _c("sustained_cycles", "unknown", "2026-Q3 is not in the store"),
        ],
        file="linus.xlsx",
        row=7,
    )
    problems = [
        Problem(
            "warning",
            "E9 is in the roster but in no workbook",
            file="roster.csv",
            value="E9",
            expected="a row in a manager's workbook",
            code="missing-employee",
        ),
        Problem(
            "error",
            "rating is a formula: formulas are never trusted",
            file="linus.xlsx",
            sheet="Ratings",
            cell="D7",
            value="=1+1",
            expected="a whole number from 1 to 5",
            code="formula-cell",
        ),
        Problem(
            "error",
            "note: « Zoë » wrote 4½ — 評価",
            file="grace.xlsx",
            sheet="Ratings",
            cell="E5",
            value="4½",
            expected="a whole number from 1 to 5",
            code="rating-invalid",
        ),
    ]
    calibration = [
        CalibrationRow("M2", "Linus Ødegård", 2, 4.45, 0.95, 0.61, 0.35, None),
        CalibrationRow("M1", "Grace Hopper", 3, 3.05, 0.30, -0.25, -0.51, "severe"),
    ]
    level_checks = [
        LevelCheck("engineering", "IC3", "IC4", 1, 1, "too easy"),
        LevelCheck("engineering", "IC2", "IC3", 1, 0, "aspirational"),
        LevelCheck("engineering", "M1", "M2", 1, 1, "too easy"),
    ]
    crossover = [
        CrossoverCandidate(
            "E1",
            "Ada Lovelace",
            "engineering",
            "IC3",
            "management",
            "M1",
            [_c("average_at_least", "met", "3.9 ≥ 3.2"), _c("evidence", "unknown", "mentored_engineer: not answered")],
        )
    ]
    lateral = [
        LateralGap("E1", "Ada Lovelace", "engineering", "IC3", "data:DS2", "communication", 4, 3),
        LateralGap("E1", "Ada Lovelace", "engineering", "IC3", "data:DS2", "system_design", 4, 5),
    ]
    fw = engineering()
    development = [
        DevelopmentItem("E2", "testing_quality", 2, "IC3", 3, fw.description("testing_quality", "IC3") or ""),
        DevelopmentItem("E2", "delivery", 1, "IC3", 3, fw.description("delivery", "IC3") or ""),
        DevelopmentItem("E2", "ownership", 2, "IC3", 3, fw.description("ownership", "IC3") or ""),
        DevelopmentItem("E1", "testing_quality", 3, "IC4", 4, "=1+1 Reviews tests — «ünïcode»"),
    ]
    return Analysis(
        cycle=cycle,
        employees=[mia, *twice, wei, zoe, bob, ada],
        missing=["E9"],
        problems=problems,
        calibration=calibration,
        org_gap=0.26,
        level_checks=level_checks,
        crossover=crossover,
        lateral=lateral,
        development=development,
        files_read=2,
    )


def empty_analysis() -> Analysis:
    return Analysis(cycle=None, employees=[], missing=[], problems=[], calibration=[])


@cache
def data_science() -> Framework:
    (fw,) = load_frameworks([DATA_SCIENCE])
    return fw


TREND_CYCLES = ["2026-Q2", "2026-Q3", "2026-Q4"]


def sample_trends() -> Trends:
    """Ada is promoted IC2 → IC3 in 2026-Q4; Bob was not rated in 2026-Q3; Zoë is new and incomplete;
    Ana is in data science. Delivery was renamed, and nobody was rated on it in 2026-Q3."""
    return Trends(
        cycles=list(TREND_CYCLES),
        employees={
            "E1": [
                TrendPoint("2026-Q2", "IC2", "on_track", 3.2),
                TrendPoint("2026-Q3", "IC2", "ready", 3.6),
                TrendPoint("2026-Q4", "IC3", "ready", 3.9),
            ],
            "E2": [TrendPoint("2026-Q2", "IC2", "not_ready", 2.0), TrendPoint("2026-Q4", "IC2", "not_ready", 2.049)],
            "E3": [TrendPoint("2026-Q4", "IC1", "incomplete", None)],
            "D1": [TrendPoint("2026-Q3", "DS2", "on_track", 3.0), TrendPoint("2026-Q4", "DS2", "not_ready", 2.875)],
        },
        names={"E1": "Ada Lovelace", "E2": "=1+1 Bob", "E3": "Zoë Ñúñez 陈", "D1": "Ana Datos"},
        competency_means={
            ("engineering", "delivery"): {"2026-Q2": 2.5, "2026-Q4": 2.75},
            ("engineering", "communication"): {"2026-Q2": 3.1, "2026-Q3": 3.25, "2026-Q4": 10 / 3},
            ("data", "communication"): {"2026-Q3": 3.0, "2026-Q4": 3.0},
        },
        competency_names={
            ("engineering", "delivery"): "Delivery & impact",
            ("engineering", "communication"): "Communication",
            ("data", "communication"): "Communication",
        },
    )


def trends_analysis(trends: Trends | None = None) -> Analysis:
    return dataclasses.replace(sample_analysis(), trends=trends or sample_trends())
