"""What an analysis produces: plain frozen data, turned into JSON and report sheets elsewhere."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from matrixkit.model.problems import Problem

Result = Literal["met", "not_met", "unknown"]
Status = Literal["ready", "on_track", "not_ready", "incomplete", "top_of_track", "conflict"]
STATUSES: tuple[Status, ...] = ("ready", "on_track", "not_ready", "incomplete", "top_of_track", "conflict")
# The statuses as people read them (SPEC rev 2: the report speaks the reader's words; the JSON keeps the ids).
STATUS_WORDS: dict[str, str] = {
    "ready": "Ready",
    "on_track": "On track",
    "not_ready": "Not ready",
    "incomplete": "Incomplete",
    "top_of_track": "Top of track",
    "conflict": "Conflict",
}


@dataclass(frozen=True, slots=True)
class Source:
    file: str
    sheet: str
    row: int  # 1-based, as the spreadsheet shows it

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "sheet": self.sheet, "row": self.row}


class RowCells(Mapping[str, str]):
    """Where each rating of one row was typed, made only when asked: the sheet's column letters per
    competency (one mapping shared by every row of a level) and the row's number. 100,000 rows for
    strangers, left out of the results, then never become a million reference strings.

    >>> cells = RowCells({"craft": "D", "care": "E"}, "7")
    >>> cells["care"], dict(cells) == {"craft": "D7", "care": "E7"}, cells.get("other")
    ('E7', True, None)
    """

    __slots__ = ("letters", "row")

    def __init__(self, letters: Mapping[str, str], row: str) -> None:
        self.letters, self.row = letters, row

    def __getitem__(self, competency_id: str) -> str:
        return self.letters[competency_id] + self.row

    def __iter__(self) -> Iterator[str]:
        return iter(self.letters)

    def __len__(self) -> int:
        return len(self.letters)

    def __reduce__(self) -> tuple[type[RowCells], tuple[Mapping[str, str], str]]:
        return RowCells, (self.letters, self.row)


@dataclass(frozen=True, slots=True)
class RatedRow:
    """One employee's row as read from a workbook, every value already checked.

    A rating, evidence answer or metric that was missing or invalid is None (the problem list says why).
    """

    employee_id: str
    name: str
    family: str
    level: str
    manager_id: str | None
    ratings: dict[str, int | None]  # every competency of the employee's track
    evidence: dict[str, bool | None]
    endorsement: bool | None
    metrics: dict[str, float | None]
    comments: str
    source: Source
    manager_name: str | None = None
    cycle: str | None = None
    cells: Mapping[str, str] = field(default_factory=dict)  # competency id → cell reference of its rating
    id_cell: str | None = None  # where the Employee ID was typed ("A6")


@dataclass(frozen=True, slots=True)
class CriterionResult:
    criterion: str
    result: Result
    detail: str

    def to_dict(self) -> dict[str, Any]:
        return {"criterion": self.criterion, "result": self.result, "detail": self.detail}


@dataclass(frozen=True, slots=True)
class EmployeeResult:
    employee_id: str
    name: str
    manager_id: str | None
    family: str
    track: str
    level: str
    next_level: str | None
    ratings: dict[str, int]  # valid ratings only, framework order
    average: float | None  # exact mean; None while a rating is missing
    lowest: int | None
    next_level_gaps: list[str]
    current_level_gaps: list[str]
    criteria: list[CriterionResult]
    status: Status
    source: Source | None
    level_since: date | None = None
    manager_name: str | None = None
    comments: str = ""
    evidence: dict[str, bool | None] = field(default_factory=dict)
    endorsement: bool | None = None
    metrics: dict[str, float | None] = field(default_factory=dict)
    rating_cells: Mapping[str, str] = field(default_factory=dict)  # the row's own `cells`, shared
    profile_level: str | None = None  # the highest level of the track whose every expected value is met

    def to_dict(self) -> dict[str, Any]:
        """SPEC's JSON shape for one employee."""
        return {
            "employee_id": self.employee_id,
            "name": self.name,
            "manager_id": self.manager_id,
            "family": self.family,
            "track": self.track,
            "level": self.level,
            "next_level": self.next_level,
            "ratings": dict(self.ratings),
            "average": None if self.average is None else round(self.average, 2),
            "lowest": self.lowest,
            "next_level_gaps": list(self.next_level_gaps),
            "criteria": [c.to_dict() for c in self.criteria],
            "status": self.status,
            "source": self.source.to_dict() if self.source else None,
            "below_current_level": list(self.current_level_gaps),
            "profile_level": self.profile_level,
        }


@dataclass(frozen=True, slots=True)
class CalibrationRow:
    manager_id: str
    manager_name: str | None
    rated: int  # complete employees
    mean: float | None  # mean of all their ratings
    share_high: float | None  # share of ratings at 4 or 5 (the scale's top two points)
    gap: float | None  # mean of (rating − expected at current level)
    deviation: float | None  # gap − the organisation's gap
    flag: Literal["lenient", "severe"] | None

    def to_dict(self) -> dict[str, Any]:
        def r(value: float | None) -> float | None:
            return None if value is None else round(value, 2)

        return {
            "manager_id": self.manager_id,
            "rated": self.rated,
            "mean": r(self.mean),
            "gap": r(self.gap),
            "deviation": r(self.deviation),
            "flag": self.flag,
        }


@dataclass(frozen=True, slots=True)
class LevelCheck:
    """Per level: how many complete employees meet the next level's rating criteria."""

    family: str
    level: str
    next_level: str
    complete: int
    meeting: int
    flag: Literal["aspirational", "too easy"] | None

    @property
    def share(self) -> float | None:
        return self.meeting / self.complete if self.complete else None


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


@dataclass(frozen=True, slots=True)
class LevelFitCompetency:
    """One competency across a pair of adjacent levels: its mean rating at each, over complete employees."""

    competency: str
    mean_lower: float
    mean_upper: float
    flagged: bool  # the upper level's mean is less than 0.5 above the lower one's, with 3 or more at each

    @property
    def difference(self) -> float:
        return self.mean_upper - self.mean_lower

    def to_dict(self) -> dict[str, Any]:
        return {
            "competency": self.competency,
            "mean_lower": _round(self.mean_lower),
            "mean_upper": _round(self.mean_upper),
            "difference": _round(self.difference),
            "flagged": self.flagged,
        }


@dataclass(frozen=True, slots=True)
class LevelFitPair:
    """A pair of adjacent levels of a track and the competencies rated at both."""

    family: str
    track: str
    lower: str
    upper: str
    employees_lower: int  # complete employees, not in conflict
    employees_upper: int
    competencies: list[LevelFitCompetency]

    def to_dict(self) -> dict[str, Any]:
        return {
            "family": self.family,
            "track": self.track,
            "lower": self.lower,
            "upper": self.upper,
            "employees_lower": self.employees_lower,
            "employees_upper": self.employees_upper,
            "competencies": [c.to_dict() for c in self.competencies],
        }


@dataclass(frozen=True, slots=True)
class EquityGroup:
    """One value of an `--equity` column. Suppressed (under 5 employees): every figure None, its size too."""

    group: str
    employees: int | None
    meeting_share: float | None
    mean_gap: float | None
    impact_ratio: float | None
    flag: Literal["adverse_impact"] | None
    suppressed: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "group": self.group,
            "employees": self.employees,
            "meeting_share": _round(self.meeting_share, 4),
            "mean_gap": _round(self.mean_gap),
            "impact_ratio": _round(self.impact_ratio, 4),
            "flag": self.flag,
            "suppressed": self.suppressed,
        }


@dataclass(frozen=True, slots=True)
class EquityColumn:
    """The groups of one roster column compared, and the level-stratified test over the shown ones."""

    column: str
    p_value: float | None
    groups: list[EquityGroup]
    test: str | None = None  # which test gave p_value, in words (for the report)

    def to_dict(self) -> dict[str, Any]:
        return {"column": self.column, "p_value": self.p_value, "groups": [g.to_dict() for g in self.groups]}


@dataclass(frozen=True, slots=True)
class CrossoverCandidate:
    employee_id: str
    name: str
    family: str
    level: str
    to_track: str
    to_level: str
    criteria: list[CriterionResult]


@dataclass(frozen=True, slots=True)
class LateralGap:
    employee_id: str
    name: str
    family: str
    level: str
    to: str  # family:level
    competency: str
    rating: int
    expected: int | None

    @property
    def gap(self) -> int | None:
        return None if self.expected is None else self.rating - self.expected


@dataclass(frozen=True, slots=True)
class DevelopmentItem:
    employee_id: str
    competency: str
    rating: int
    target_level: str
    expected: int
    description: str
    below_current: bool = False  # below what their own level expects: the first thing to grow


@dataclass(frozen=True, slots=True)
class SelfComparison:
    """One competency of one employee: their own rating beside their manager's, never averaged."""

    employee_id: str
    name: str
    competency: str
    self_rating: int | None
    manager_rating: int | None
    disagreement: bool  # the two differ by DISAGREEMENT points or more

    @property
    def difference(self) -> int | None:
        if self.self_rating is None or self.manager_rating is None:
            return None
        return self.self_rating - self.manager_rating

    def to_dict(self) -> dict[str, Any]:
        return {
            "employee_id": self.employee_id,
            "competency": self.competency,
            "self": self.self_rating,
            "manager": self.manager_rating,
            "difference": self.difference,
            "disagreement": self.disagreement,
        }


@dataclass(frozen=True, slots=True)
class TrendPoint:
    cycle: str
    level: str
    status: Status
    average: float | None


@dataclass(frozen=True, slots=True)
class Trends:
    """Cycles from the history store, oldest first, with this run's cycle last."""

    cycles: list[str]
    employees: dict[str, list[TrendPoint]]  # employee id → one point per cycle they were rated in
    names: dict[str, str]  # employee id → name (latest)
    # (family id, competency id) → cycle → organisation mean rating; competency ids, so renames don't split
    competency_means: dict[tuple[str, str], dict[str, float]]
    competency_names: dict[tuple[str, str], str]  # latest name


@dataclass(frozen=True, slots=True)
class Analysis:
    cycle: str | None
    employees: list[EmployeeResult]
    missing: list[str]
    problems: list[Problem]
    calibration: list[CalibrationRow]
    org_gap: float | None = None
    level_checks: list[LevelCheck] = field(default_factory=list)
    crossover: list[CrossoverCandidate] = field(default_factory=list)
    lateral: list[LateralGap] = field(default_factory=list)
    development: list[DevelopmentItem] = field(default_factory=list)
    files_read: int = 0
    trends: Trends | None = None  # with a history store only
    self_assessment: list[SelfComparison] = field(default_factory=list)
    level_fit: list[LevelFitPair] = field(default_factory=list)
    equity: list[EquityColumn] | None = None  # with `--equity` only
    # Why nobody (or some) can be ready whatever was entered, from the run itself: no calibration file,
    # no earlier cycle in the store. Plain sentences for the terminal and the Summary, not in the JSON.
    ready_out_of_reach: list[str] = field(default_factory=list)

    def to_dict(self, version: str) -> dict[str, Any]:
        """SPEC's JSON report."""
        return {key: list(value) if isinstance(value, Iterator) else value for key, value in self.json_parts(version)}

    def json_parts(self, version: str) -> list[tuple[str, Any]]:
        """SPEC's JSON report as its keys in order, each list of records an iterator of them: a writer encodes
        one employee at a time, and 10,000 employees never exist twice over as dicts and text.

        >>> [key for key, _value in Analysis("2026-Q4", [], [], [], []).json_parts("1.0")][:4]
        ['matrixkit', 'cycle', 'employees', 'missing']
        """
        parts: list[tuple[str, Any]] = [
            ("matrixkit", version),
            ("cycle", self.cycle),
            ("employees", (e.to_dict() for e in self.employees)),
            ("missing", list(self.missing)),
            ("problems", (problem_to_json(p) for p in self.problems)),
            ("calibration", (c.to_dict() for c in self.calibration)),
            ("level_fit", (pair.to_dict() for pair in self.level_fit)),
        ]
        if self.equity is not None:
            parts.append(("equity", (column.to_dict() for column in self.equity)))
        if self.self_assessment:
            parts.append(("self_assessment", (c.to_dict() for c in self.self_assessment)))
        return parts


def problem_to_json(problem: Problem) -> dict[str, Any]:
    """A problem as the JSON outputs carry it: SPEC's keys, and its `code`.

    >>> problem_to_json(Problem("error", "not a number", file="m.xlsx", cell="D7", code="rating-not-number"))["code"]
    'rating-not-number'
    """
    return {
        "severity": problem.severity,
        "file": problem.file,
        "sheet": problem.sheet,
        "cell": problem.cell,
        "value": problem.value,
        "expected": problem.expected,
        "message": problem.message,
        "code": problem.code,  # SPEC allows keys beyond its shape; scripts group by this one
    }
