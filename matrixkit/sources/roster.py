"""Reading the roster file (CSV or XLSX, through the safety scan) and checking every row into a `Roster`.

>>> from matrixkit import load_frameworks
>>> roster = read_roster("templates/rosters/startup.csv", load_frameworks(["templates/startup.yaml"]))
>>> roster.managers[0].id, len(roster.employees)
('ST-001', 22)
"""

from __future__ import annotations

import difflib
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

__all__ = ["RosterError", "manager_id_warnings", "read_roster", "roster_from_table"]

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
    # A manager's id, name and email repeat on each of their reports' rows: one string each, not ten.
    shared: dict[str, str] = {}
    share = shared.setdefault

    def bad(row: int, column: str, value: str, message: str, expected: str | None = None) -> None:
        where = table.where(row, header.index(column))
        problems.append(
            Problem("error", message, **where, path=column, value=value, expected=expected, code="roster-row")
        )

    # One problem per unknown family, and per unknown level of a family: a typo copied down a column is one.
    unknown_families: dict[str, list[int]] = {}
    unknown_levels: dict[tuple[str, str], list[int]] = {}
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
            unknown_families.setdefault(values["family"], []).append(number)
            continue
        level = _match_level(fw, values["level"])
        if level is None:
            unknown_levels.setdefault((fw.family.id, values["level"]), []).append(number)
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
        extra = {k: share(v, v) for k, v in values.items() if k and k not in REQUIRED and k not in OPTIONAL}
        employees.append(
            Employee(
                employee_id=employee_id,
                name=values["name"],
                family=fw.family.id,
                level=level,
                manager_id=share(values["manager_id"], values["manager_id"]),
                row=number,
                manager_name=share(name, name) if (name := values.get("manager_name")) else None,
                manager_email=share(email, email) if (email := values.get("manager_email")) else None,
                email=values.get("email") or None,
                level_since=since,
                extra=extra,
            )
        )
    for family, rows in unknown_families.items():
        problems.append(_unknown_family(table, header.index("family"), family, rows, frameworks))
    by_id = {fw.family.id: fw for fw in frameworks}
    for (family, level), rows in unknown_levels.items():
        problems.append(_unknown_level(table, header.index("level"), by_id[family], level, rows))
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


def manager_id_warnings(roster: Roster) -> list[Problem]:
    """A manager_id that is nobody's employee_id but looks like someone's (a near id, or that person's name as
    manager_name): most likely a typo, which would send a workbook to a manager who does not exist while the
    real one gets none. A manager outside the roster with an id of their own (X-CTO) is not warned about.

    >>> from matrixkit.model.roster import Employee
    >>> people = (Employee("E-003", "Ann", "eng", "IC3", "X-CTO", 2),
    ...           Employee("E-010", "Bo", "eng", "IC1", "E-0003", 3))
    >>> [p.message for p in manager_id_warnings(Roster("r.csv", people))]  # doctest: +ELLIPSIS
    ["manager_id E-0003 in row 3 is nobody's employee_id: did you mean E-003 (Ann)? ..."]
    """
    people = roster.by_id
    ids = sorted(people)
    by_name = {e.name.casefold(): e.employee_id for e in roster.employees}
    problems = []
    for manager in roster.managers:
        if manager.id in people:
            continue
        reports = sorted(roster.reports_of(manager.id), key=lambda e: e.row)
        named = by_name.get((reports[0].manager_name or "").casefold())
        meant = named or closest(manager.id, ids)
        if meant is None:
            continue
        rows = [e.row for e in reports]
        affected = ", ".join(f"{e.employee_id} ({e.name})" for e in reports[:5])
        if len(reports) > 5:
            affected += f" and {len(reports) - 5} more"
        problems.append(
            Problem(
                "warning",
                f"manager_id {manager.id} in {_rows(rows)} is nobody's employee_id: did you mean {meant} "
                f"({people[meant].name})? As written, {affected} go in a workbook for a manager who is not in "
                f"the roster, and {meant} gets no workbook for them",
                file=roster.file,
                cell=f"row {rows[0]}",
                path="manager_id",
                value=manager.id,
                expected=meant,
                hint=f"correct manager_id to {meant}, or leave it if {manager.id} is someone outside the roster",
                code="manager-id-unknown",
            )
        )
    return problems


def _unknown_family(
    table: Table, column: int, family: str, rows: Sequence[int], frameworks: Sequence[Framework]
) -> Problem:
    """One problem for every row of a family none of the frameworks holds: a typo, or the wrong --framework."""
    given = ", ".join(f"{fw.family.name} ({fw.family.id})" for fw in frameworks) or "none"
    names = [fw.family.id for fw in frameworks] + [fw.family.name for fw in frameworks]
    close = closest(family, names)
    if close:
        hint = f"correct the family to '{close}'"
    else:
        hint = f"pass the {family} framework too: --framework {suggest_framework_file(family)}"
    return Problem(
        "error",
        f"unknown family '{family}' in {_rows(rows)}: the frameworks given are {given}"
        + (f"; did you mean '{close}'?" if close else ""),
        **table.where(rows[0], column),
        path="family",
        value=family,
        expected=", ".join(sorted(fw.family.id for fw in frameworks)),
        hint=hint,
        code="roster-row",
    )


def _unknown_level(table: Table, column: int, fw: Framework, level: str, rows: Sequence[int]) -> Problem:
    levels = ", ".join(fw.level_by_id)
    close = closest(level, list(fw.level_by_id))
    return Problem(
        "error",
        f"unknown level '{level}' in {_rows(rows)}: {fw.family.name}'s levels are {levels}"
        + (f"; did you mean {close}?" if close else ""),
        **table.where(rows[0], column),
        path="level",
        value=level,
        expected=levels,
        hint=f"correct the level to {close}" if close else None,
        code="roster-row",
    )


def _rows(rows: Sequence[int]) -> str:
    """`row 7` or `12 rows (7, 9, 12, 15, 20 and 7 more)`."""
    shown = ", ".join(map(str, rows[:5])) + (f" and {len(rows) - 5} more" if len(rows) > 5 else "")
    return f"row {shown}" if len(rows) == 1 else f"{len(rows)} rows ({shown})"


def suggest_framework_file(family_id: str) -> str:
    """The shipped template for `family_id`, as a path to pass to --framework; else a placeholder.

    >>> suggest_framework_file("engineering").endswith("engineering.yaml"), suggest_framework_file("zzz")
    (True, 'FILE.yaml (the zzz framework)')
    """
    from matrixkit.sources.templates import list_templates

    for info in list_templates():
        if info.framework.family.id == family_id:
            try:
                return str(info.path.relative_to(Path.cwd()))
            except ValueError:
                return str(info.path)
    return f"FILE.yaml (the {family_id} framework)"


def closest(text: str, choices: Sequence[str]) -> str | None:
    """The choice `text` most likely meant: equal but for case, spaces and punctuation, else a near spelling.

    >>> closest("IC 3", ["IC1", "IC2", "IC3"]), closest("enginering", ["engineering", "sales"]), closest("x", ["IC1"])
    ('IC3', 'engineering', None)
    """
    folded: dict[str, str] = {}
    for choice in choices:
        folded.setdefault(_folded(choice), choice)  # the first spelling given wins (ids before names)
    if _folded(text) in folded:
        return folded[_folded(text)]
    near = difflib.get_close_matches(_folded(text), list(folded), n=1, cutoff=0.75)
    return folded[near[0]] if near else None


def _folded(text: str) -> str:
    return re.sub(r"[\s\-_.]+", "", text).casefold()


def _match_level(fw: Framework, text: str) -> str | None:
    if text in fw.level_by_id:
        return text
    folded = {level_id.casefold(): level_id for level_id in fw.level_by_id}
    return folded.get(text.casefold())
