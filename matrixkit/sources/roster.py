"""Reading the roster file (CSV or XLSX, through the safety scan) and checking every row into a `Roster`.

>>> from matrixkit import load_frameworks
>>> roster = read_roster("templates/rosters/startup.csv", load_frameworks(["templates/startup.yaml"]))
>>> roster.managers[0].id, len(roster.employees)
('ST-001', 22)
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from matrixkit.errors import RosterError
from matrixkit.model.framework import Framework
from matrixkit.model.problems import Problem
from matrixkit.model.roster import Employee, Roster
from matrixkit.sources.tables import Table, read_table
from matrixkit.workbook.cells import EXCEL_CELL_LIMIT, excel_length

__all__ = ["RosterError", "read_roster", "roster_from_table"]

REQUIRED = ("employee_id", "name", "family", "level", "manager_id")
OPTIONAL = ("manager_name", "manager_email", "email", "level_since")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def read_roster(path: str | Path, frameworks: Sequence[Framework]) -> Roster:
    """Read and check a roster against the frameworks; raise `RosterError` listing every bad row
    (or why the file cannot be read: not found, unsafe, not a spreadsheet)."""
    return roster_from_table(read_table(path), frameworks)


def clean_text(value: str) -> str:
    """Trimmed, without control characters (they corrupt spreadsheet XML); tabs and newlines become spaces."""
    return _CONTROL.sub("", value.replace("\t", " ").replace("\r\n", " ").replace("\n", " ")).strip()


def roster_from_table(table: Table, frameworks: Sequence[Framework]) -> Roster:
    """Check a roster's rows against the frameworks; raise `RosterError` listing every bad row.

    >>> from matrixkit.sources.tables import Table
    >>> try:
    ...     roster_from_table(Table("r.csv", header=["employee_id", "name"]), [])
    ... except RosterError as exc:
    ...     print(exc.problems[0].describe())
    r.csv!row 1: error: missing required column(s): family, level, manager_id
    """
    file = table.file
    if table.problems:
        raise RosterError(table.problems)
    if not table.header:
        raise RosterError([Problem("error", "the roster is empty", file=file, code="roster-empty")])
    header = [clean_text(h).lower() for h in table.header]
    missing = [column for column in REQUIRED if column not in header]
    if missing:
        raise RosterError(
            [
                Problem(
                    "error",
                    f"missing required column(s): {', '.join(missing)}",
                    **table.where(table.header_row),
                    expected=", ".join(REQUIRED),
                    value=", ".join(h for h in header if h),
                    code="roster-columns",
                )
            ]
        )
    families = {fw.family.id.casefold(): fw for fw in frameworks}
    families.update({fw.family.name.casefold(): fw for fw in frameworks if fw.family.name.casefold() not in families})
    problems: list[Problem] = []
    employees: list[Employee] = []
    seen: dict[str, int] = {}

    def bad(row: int, column: str, value: str, message: str, expected: str | None = None) -> None:
        where = table.where(row, header.index(column))
        problems.append(
            Problem("error", message, **where, path=column, value=value, expected=expected, code="roster-row")
        )

    for number, raw in table.rows:
        values = {header[i]: clean_text(v) for i, v in enumerate(raw) if i < len(header)}
        if not any(values.values()):
            continue  # blank lines are not people
        too_long = [c for c, v in values.items() if excel_length(v) > EXCEL_CELL_LIMIT]
        for column in too_long:
            bad(
                number,
                column,
                values[column][:40] + "…",
                f"{column} is {excel_length(values[column])} characters; a spreadsheet cell holds {EXCEL_CELL_LIMIT}",
            )
        empty = [c for c in REQUIRED if not values.get(c)]
        for column in empty:
            bad(number, column, "", f"{column} is empty")
        if empty or too_long:
            continue
        employee_id = values["employee_id"]
        if employee_id in seen:
            bad(
                number,
                "employee_id",
                employee_id,
                f"duplicate employee_id {employee_id} (also row {seen[employee_id]})",
            )
            continue
        seen[employee_id] = number
        fw = families.get(values["family"].casefold())
        if fw is None:
            known = ", ".join(sorted(f.family.id for f in frameworks))
            bad(number, "family", values["family"], f"unknown family '{values['family']}'", expected=known)
            continue
        level = _match_level(fw, values["level"])
        if level is None:
            bad(
                number,
                "level",
                values["level"],
                f"unknown level '{values['level']}' for family {fw.family.id}",
                expected=", ".join(fw.level_by_id),
            )
            continue
        since: date | None = None
        if values.get("level_since"):
            try:
                since = date.fromisoformat(values["level_since"][:10])
            except ValueError:
                bad(
                    number,
                    "level_since",
                    values["level_since"],
                    "level_since is not a date",
                    expected="YYYY-MM-DD",
                )
                continue
        extra = {k: v for k, v in values.items() if k and k not in REQUIRED and k not in OPTIONAL}
        employees.append(
            Employee(
                employee_id=employee_id,
                name=values["name"],
                family=fw.family.id,
                level=level,
                manager_id=values["manager_id"],
                row=number,
                manager_name=values.get("manager_name") or None,
                manager_email=values.get("manager_email") or None,
                email=values.get("email") or None,
                level_since=since,
                extra=extra,
            )
        )
    ids = {e.employee_id for e in employees} | set(seen)
    for e in employees:
        if e.manager_id == e.employee_id:
            bad(e.row, "manager_id", e.manager_id, f"{e.employee_id} is their own manager")
        elif e.manager_id not in ids and not e.manager_name:
            bad(
                e.row,
                "manager_id",
                e.manager_id,
                f"manager_id {e.manager_id} is nobody: not an employee in the roster and no manager_name given",
            )
    if problems:
        raise RosterError(problems)
    return Roster(file, tuple(employees))


def _match_level(fw: Framework, text: str) -> str | None:
    if text in fw.level_by_id:
        return text
    folded = {level_id.casefold(): level_id for level_id in fw.level_by_id}
    return folded.get(text.casefold())
