"""Where every cell of a generated workbook goes — decided once, used to write and to read.

The header texts, the column order and the sheet names below are what `writer` writes, what `ingest`
looks for and what `lint` keeps competency names clear of. A1 references come from `cells`.

>>> HEADERS["employee_id"], [HEADERS[kind] for kind in FORMULA_COLUMNS]
('Employee ID', ['Average', 'Lowest', 'Gaps to next level', 'Ready?'])
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from matrixkit.model.criteria import RATING_BARS
from matrixkit.model.framework import Framework
from matrixkit.model.roster import Employee, Manager

# Re-exported: formulas, bulkcells and authoring import them from here.
from matrixkit.workbook.cells import cell_ref as cell_ref
from matrixkit.workbook.cells import col_letter as col_letter

LAYOUT_VERSION = 1
METADATA_SHEET = "_matrixkit"
GUIDE_SHEET = "Guide"
PROFILE_SHEET = "Role profile"
INSTRUCTIONS_SHEET = "Instructions"
HEADER_ROW = 0  # zero-based: the header is the sheet's first row, so filters and freezing stay simple
SHEET_NAME_LIMIT = 31
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")

ColumnKind = Literal[
    "employee_id",
    "name",
    "level",
    "rating",
    "evidence",
    "endorsement",
    "metric",
    "comments",
    "average",
    "lowest",
    "gaps",
    "ready",
]

HEADERS = {
    "employee_id": "Employee ID",
    "name": "Name",
    "level": "Level",
    "endorsement": "Manager endorsement",
    "comments": "Comments",
    "average": "Average",
    "lowest": "Lowest",
    "gaps": "Gaps to next level",
    "ready": "Ready?",
}
# The columns the workbook's formulas fill: written, never read back.
FORMULA_COLUMNS: tuple[ColumnKind, ...] = ("average", "lowest", "gaps", "ready")
YES_NO = ("Yes", "No")
WorkbookKind = Literal["manager", "blank_matrix", "self"]
NOT_APPLICABLE = "n/a"


@dataclass(frozen=True)
class Column:
    index: int
    kind: ColumnKind
    header: str
    key: str | None = None  # competency, evidence or metric id

    @property
    def letter(self) -> str:
        return col_letter(self.index)


@dataclass(frozen=True)
class RatingsRow:
    row: int  # zero-based sheet row
    employee: Employee | None  # None: an empty row of the blank matrix


@dataclass(frozen=True)
class RatingsSheet:
    name: str
    framework: Framework
    columns: tuple[Column, ...]
    rows: tuple[RatingsRow, ...]

    def column(self, kind: ColumnKind, key: str | None = None) -> Column:
        for column in self.columns:
            if column.kind == kind and column.key == key:
                return column
        raise KeyError((kind, key))

    def columns_of(self, kind: ColumnKind) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.kind == kind)

    @property
    def last_row(self) -> int:
        return self.rows[-1].row if self.rows else HEADER_ROW


@dataclass(frozen=True)
class WorkbookPlan:
    cycle: str | None
    manager: Manager | None
    frameworks: tuple[Framework, ...]
    sheets: tuple[RatingsSheet, ...]
    due: str | None = None
    kind: WorkbookKind = "manager"
    subject: Employee | None = None  # the person rating themselves, in a self-assessment


def ratings_columns(fw: Framework) -> tuple[Column, ...]:
    """SPEC's column order: identity, competencies, evidence, endorsement, metrics, comments, formulas."""
    specs: list[tuple[ColumnKind, str, str | None]] = [
        ("employee_id", HEADERS["employee_id"], None),
        ("name", HEADERS["name"], None),
        ("level", HEADERS["level"], None),
        *(("rating", c.name, c.id) for c in fw.competencies),
        *(("evidence", e.prompt, e.id) for e in fw.evidence),
        ("endorsement", HEADERS["endorsement"], None),
        *(("metric", m.name, m.id) for m in fw.metrics),
        ("comments", HEADERS["comments"], None),
        ("average", HEADERS["average"], None),
        ("lowest", HEADERS["lowest"], None),
        ("gaps", HEADERS["gaps"], None),
        ("ready", HEADERS["ready"], None),
    ]
    return tuple(Column(i, kind, header, key) for i, (kind, header, key) in enumerate(specs))


def ratings_sheet_names(frameworks: Sequence[Framework]) -> dict[str, str]:
    """Family id → sheet name: `Ratings` alone, else `Ratings - <family name>`, unique within 31 chars."""
    if len(frameworks) == 1:
        return {frameworks[0].family.id: "Ratings"}

    def clean(text: str) -> str:
        return f"Ratings - {_SHEET_FORBIDDEN.sub('', text).strip()}"[:SHEET_NAME_LIMIT].rstrip()

    names = {fw.family.id: clean(fw.family.name) for fw in frameworks}
    counts: dict[str, int] = {}
    for name in names.values():
        counts[name.casefold()] = counts.get(name.casefold(), 0) + 1
    return {family: (clean(family) if counts[name.casefold()] > 1 else name) for family, name in names.items()}


def sort_employees(employees: Sequence[Employee]) -> list[Employee]:
    return sorted(employees, key=lambda e: (e.name.casefold(), e.employee_id))


def plan_manager_workbook(
    manager: Manager,
    reports: Sequence[Employee],
    frameworks: Sequence[Framework],
    cycle: str,
    due: str | None = None,
) -> WorkbookPlan:
    """The workbook one manager receives: a ratings sheet per family of their direct reports."""
    by_family = {fw.family.id: fw for fw in frameworks}
    present = [fw for fw in frameworks if any(e.family == fw.family.id for e in reports)]
    names = ratings_sheet_names(present)
    sheets = []
    for fw in present:
        people = sort_employees([e for e in reports if e.family == fw.family.id])
        rows = tuple(RatingsRow(HEADER_ROW + 1 + i, e) for i, e in enumerate(people))
        sheets.append(RatingsSheet(names[fw.family.id], by_family[fw.family.id], ratings_columns(fw), rows))
    return WorkbookPlan(cycle, manager, tuple(present), tuple(sheets), due)


def plan_blank_matrix(fw: Framework, rows: int, cycle: str | None = None) -> WorkbookPlan:
    """A roster-free matrix: `rows` empty rows where the manager types names and picks levels."""
    sheet = RatingsSheet(
        "Ratings",
        fw,
        ratings_columns(fw),
        tuple(RatingsRow(HEADER_ROW + 1 + i, None) for i in range(rows)),
    )
    return WorkbookPlan(cycle, None, (fw,), (sheet,), kind="blank_matrix")


def plan_self_assessment(
    employee: Employee, manager: Manager, frameworks: Sequence[Framework], cycle: str, due: str | None = None
) -> WorkbookPlan:
    """One employee's own workbook: the same ratings sheet, with only their row."""
    plan = plan_manager_workbook(manager, [employee], frameworks, cycle, due)
    return WorkbookPlan(plan.cycle, manager, plan.frameworks, plan.sheets, due, kind="self", subject=employee)


LOOKUP_SHEET = "_levels"


@dataclass(frozen=True)
class LevelLookup:
    """A hidden table, one row per level, that blank-matrix formulas read with INDEX/MATCH.

    Columns: level id, has next level, applicable count, the rating criteria's thresholds, then per
    competency (in ratings-column order): applicable, weight, next level's expected, current expected.
    """

    framework: Framework
    FIXED = ("level", "has_next", "count", *(bar.lookup_column for bar in RATING_BARS.values()))
    PER_COMPETENCY = ("applicable", "weight", "next", "current")

    @property
    def levels(self) -> list[str]:
        return [level.id for track in self.framework.tracks for level in track.levels]

    def header(self) -> list[str]:
        return [
            *self.FIXED,
            *(f"{c.id}:{part}" for c in self.framework.competencies for part in self.PER_COMPETENCY),
        ]

    def column(self, name: str, competency_id: str | None = None) -> int:
        if competency_id is None:
            return self.FIXED.index(name)
        index = [c.id for c in self.framework.competencies].index(competency_id)
        return len(self.FIXED) + index * len(self.PER_COMPETENCY) + self.PER_COMPETENCY.index(name)

    def range(self, name: str, competency_id: str | None = None) -> str:
        col = self.column(name, competency_id)
        first, last = cell_ref(1, col, absolute=True), cell_ref(len(self.levels), col, absolute=True)
        return f"{LOOKUP_SHEET}!{first}:{last}"

    def rows(self) -> list[list[str | float]]:
        fw = self.framework
        table: list[list[str | float]] = []
        for level_id in self.levels:
            track = fw.track_of_level[level_id]
            applicable = {c.id for c in fw.competencies_for(track.id)}
            following = fw.next_level(level_id)
            criteria = fw.criteria_for(level_id)
            row: list[str | float] = [
                level_id,
                1 if following else 0,
                len(applicable),
                *(bar.lookup_value(getattr(criteria, key)) for key, bar in RATING_BARS.items()),
            ]
            current = fw.level_by_id[level_id].expected
            for comp in fw.competencies:
                on_track = comp.id in applicable
                row += [
                    1 if on_track else 0,
                    comp.weight if on_track else 0,
                    (following.expected.get(comp.id, 0) if following and on_track else 0),
                    current.get(comp.id, 0) if on_track else 0,
                ]
            table.append(row)
        return table
