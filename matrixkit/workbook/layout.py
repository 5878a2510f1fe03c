"""Where every cell of a generated workbook goes — decided once, used to write and to read.

The header texts, the column order and the sheet names below are what `writer` writes, what `ingest`
looks for and what `lint` keeps competency names clear of. A1 references come from `cells`.

>>> HEADERS["employee_id"], [HEADERS[kind] for kind in FORMULA_COLUMNS]
('Employee ID', ['Average', 'Lowest', 'Gaps to next level', 'Ready?', 'Still needed'])
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from matrixkit.model.criteria import RATING_BARS
from matrixkit.model.framework import Framework
from matrixkit.model.roster import Employee, Manager

# Re-exported: formulas, bulkcells and authoring import them from here.
from matrixkit.workbook.cells import cell_ref, col_letter, excel_prefix

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
    "still_needed",
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
    "still_needed": "Still needed",
}
# The columns the workbook's formulas fill: written, never read back.
FORMULA_COLUMNS: tuple[ColumnKind, ...] = ("average", "lowest", "gaps", "ready", "still_needed")
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
        ("still_needed", HEADERS["still_needed"], None),
    ]
    return tuple(Column(i, kind, header, key) for i, (kind, header, key) in enumerate(specs))


def evidence_asked(fw: Framework, level_id: str) -> frozenset[str]:
    """The evidence a criterion that applies to an employee at `level_id` asks for: their next level's
    criteria, and the entry criteria of every track they may cross into (at or above its `entry.from`).

    >>> from matrixkit import load_frameworks
    >>> [fw] = load_frameworks(["templates/engineering.yaml"])
    >>> sorted(evidence_asked(fw, "IC1")), sorted(evidence_asked(fw, "IC4"))
    ([], ['cross_team_scope', 'design_doc_adopted', 'mentored_engineer'])
    """
    asked: set[str] = set()
    if fw.next_level(level_id) is not None:
        asked.update(fw.criteria_for(level_id).evidence or ())
    track = fw.track_of_level[level_id]
    order = [level.id for level in track.levels]
    for other in fw.tracks:
        entry = other.entry
        if entry is None or entry.from_ not in order or other.id == track.id:
            continue
        if order.index(level_id) >= order.index(entry.from_) and entry.criteria is not None:
            asked.update(entry.criteria.evidence or ())
    return frozenset(asked)


def ratings_sheet_names(frameworks: Sequence[Framework]) -> dict[str, str]:
    """Family id → sheet name: `Ratings` alone, else `Ratings - <family name>` made safe (`safe_sheet_name`),
    the family id instead where two names would be the same sheet to Excel (which ignores case).

    >>> from types import SimpleNamespace as Fw
    >>> def family(id, name): return Fw(family=Fw(id=id, name=name))
    >>> ratings_sheet_names([family("a", "Sales: EMEA"), family("b", "sales EMEA"), family("c", "Support")])
    {'a': 'Ratings - a', 'b': 'Ratings - b', 'c': 'Ratings - Support'}
    """
    if len(frameworks) == 1:
        return {frameworks[0].family.id: "Ratings"}
    names = {fw.family.id: safe_sheet_name(fw.family.name, fw.family.id) for fw in frameworks}
    names = _unique(names, lambda family, _name, _n: safe_sheet_name(family, family))
    # Ids cut to the same 31 units, or an id that is another family's name: numbered, the last resort.
    return _unique(names, lambda _family, name, n: _cut(name[: SHEET_NAME_LIMIT - 4]) + f" ~{n}")


def _unique(names: dict[str, str], rename: Callable[[str, str, int], str]) -> dict[str, str]:
    counts = Counter(name.casefold() for name in names.values())
    return {
        family: (rename(family, name, n) if counts[name.casefold()] > 1 else name)
        for n, (family, name) in enumerate(names.items(), start=1)
    }


def safe_sheet_name(family_name: str, fallback: str, prefix: str = "Ratings - ") -> str:
    """`prefix` + the family name as Excel accepts a sheet name: without `[]:*?/\\`, control characters and
    leading or trailing apostrophes, white space as single spaces, within 31 UTF-16 code units (an emoji is
    two) without splitting a character; `fallback` when nothing of the name is left.

    >>> safe_sheet_name("Data\tScience / ML \U0001f680\U0001f680\U0001f680\U0001f680\U0001f680\U0001f680'", "ds")
    'Ratings - Data Science ML 🚀🚀'
    >>> safe_sheet_name("'[*]'", "ops")
    'Ratings - ops'
    """
    text = "".join(" " if ch.isspace() else ch for ch in _SHEET_FORBIDDEN.sub("", family_name) if _printable(ch))
    text = " ".join(text.split()).strip("'")
    name = _cut(prefix + text)
    return name if len(name) > len(prefix.rstrip()) else _cut(prefix + fallback)


def _printable(ch: str) -> bool:
    # Control (Cc), surrogate (Cs) and non-characters have no place in XML; a sheet name cannot hold them.
    return ch.isspace() or (unicodedata.category(ch) not in ("Cc", "Cs", "Cn") and ord(ch) & 0xFFFE != 0xFFFE)


def _cut(name: str) -> str:
    """At most SHEET_NAME_LIMIT UTF-16 code units, then no trailing space, apostrophe or joiner."""
    return excel_prefix(name, SHEET_NAME_LIMIT).rstrip(" '\u200d\ufe0f")


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
METRIC_UNCHECKED = -1e99  # a metric's bar in the level table where no criterion asks for it


@dataclass(frozen=True)
class LevelLookup:
    """A hidden table, one row per level, that blank-matrix formulas read with INDEX/MATCH.

    Columns: level id, has next level, applicable count, the rating criteria's thresholds, then four
    blocks of one column per competency (in ratings-column order): applicable, weight, next level's
    expected, current expected. A block's row lines up with the ratings of a row, so a formula takes a
    level's whole block with one INDEX (`block`) and stays short however many competencies there are.
    """

    framework: Framework
    FIXED = ("level", "has_next", "count", *(bar.lookup_column for bar in RATING_BARS.values()))
    PER_COMPETENCY = ("applicable", "weight", "next", "current")
    # After the blocks: what Ready? and Still needed read of the criteria that are not rating criteria.
    CRITERIA = ("sustained_cycles", "months_in_level_at_least", "endorsement", "calibration")

    @property
    def levels(self) -> list[str]:
        return [level.id for track in self.framework.tracks for level in track.levels]

    def header(self) -> list[str]:
        return [
            *self.FIXED,
            *(f"{c.id}:{part}" for part in self.PER_COMPETENCY for c in self.framework.competencies),
            *self.CRITERIA,
            *(f"evidence:{e.id}" for e in self.framework.evidence),
            *(f"metric:{m.id}" for m in self.framework.metrics),
        ]

    def criterion_range(self, name: str) -> str:
        """A column after the blocks: one of CRITERIA, `evidence:<id>` (1: asked) or `metric:<id>` (the bar,
        or METRIC_UNCHECKED)."""
        col = self.header().index(name)
        first, last = cell_ref(1, col, absolute=True), cell_ref(len(self.levels), col, absolute=True)
        return f"{LOOKUP_SHEET}!{first}:{last}"

    def evidence_block(self) -> str:
        """Every evidence column (1: asked), every level: `INDEX(block, level row, 0)` is one level's."""
        header = self.header()
        first = header.index(f"evidence:{self.framework.evidence[0].id}")
        last = first + len(self.framework.evidence) - 1
        top, bottom = cell_ref(1, first, absolute=True), cell_ref(len(self.levels), last, absolute=True)
        return f"{LOOKUP_SHEET}!{top}:{bottom}"

    def column(self, name: str, competency_id: str | None = None) -> int:
        if competency_id is None:
            return self.FIXED.index(name)
        index = [c.id for c in self.framework.competencies].index(competency_id)
        return len(self.FIXED) + self.PER_COMPETENCY.index(name) * len(self.framework.competencies) + index

    def range(self, name: str, competency_id: str | None = None) -> str:
        col = self.column(name, competency_id)
        first, last = cell_ref(1, col, absolute=True), cell_ref(len(self.levels), col, absolute=True)
        return f"{LOOKUP_SHEET}!{first}:{last}"

    def block(self, name: str) -> str:
        """The `name` column of every competency, every level: `INDEX(block, level row, 0)` is one level's."""
        first = self.column(name, self.framework.competencies[0].id)
        last = first + len(self.framework.competencies) - 1
        top, bottom = cell_ref(1, first, absolute=True), cell_ref(len(self.levels), last, absolute=True)
        return f"{LOOKUP_SHEET}!{top}:{bottom}"

    def rows(self) -> list[list[str | float]]:
        fw = self.framework
        table: list[list[str | float]] = []
        for level_id in self.levels:
            applicable = {c.id for c in fw.competencies_at(level_id)}
            following = fw.next_level(level_id)
            criteria = fw.criteria_for(level_id)
            row: list[str | float] = [
                level_id,
                1 if following else 0,
                len(applicable),
                *(bar.lookup_value(getattr(criteria, key)) for key, bar in RATING_BARS.items()),
            ]
            current = fw.level_by_id[level_id].expected
            on_track = [c.id in applicable for c in fw.competencies]
            row += [1 if on else 0 for on in on_track]
            row += [c.weight if on else 0 for c, on in zip(fw.competencies, on_track, strict=True)]
            row += [
                following.expected.get(c.id, 0) if following and on else 0
                for c, on in zip(fw.competencies, on_track, strict=True)
            ]
            row += [current.get(c.id, 0) if on else 0 for c, on in zip(fw.competencies, on_track, strict=True)]
            checked = criteria.checked() if following else {}
            row += [
                checked.get("sustained_cycles") or 0,
                checked.get("months_in_level_at_least") or 0,
                1 if checked.get("endorsement") else 0,
                1 if checked.get("calibration") else 0,
            ]
            row += [1 if e.id in (checked.get("evidence") or ()) else 0 for e in fw.evidence]
            thresholds = checked.get("metrics_at_least") or {}
            row += [thresholds.get(m.id, METRIC_UNCHECKED) for m in fw.metrics]
            table.append(row)
        return table
