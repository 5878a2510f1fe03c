"""The roster: who is rated, at which level, by which manager. Pure data.

`matrixkit.sources.roster.read_roster` reads a roster file and checks every row into a `Roster`.

>>> from matrixkit import load_frameworks
>>> from matrixkit.sources.roster import read_roster
>>> roster = read_roster("templates/rosters/engineering.csv", load_frameworks(["templates/engineering.yaml"]))
>>> roster.managers[0].id, len(roster.reports_of(roster.managers[0].id))
('ENG-001', 5)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property


@dataclass(frozen=True, slots=True)
class Employee:
    employee_id: str
    name: str
    family: str
    level: str
    manager_id: str
    row: int
    manager_name: str | None = None
    manager_email: str | None = None
    email: str | None = None
    level_since: date | None = None
    extra: dict[str, str] = field(default_factory=dict, compare=False)


@dataclass(frozen=True, slots=True)
class Manager:
    id: str
    name: str
    email: str | None


@dataclass(frozen=True)
class Roster:
    file: str
    employees: tuple[Employee, ...]

    @cached_property
    def by_id(self) -> dict[str, Employee]:
        return {e.employee_id: e for e in self.employees}

    @cached_property
    def _reports(self) -> dict[str, list[Employee]]:
        found: dict[str, list[Employee]] = {}
        for e in self.employees:
            found.setdefault(e.manager_id, []).append(e)
        return found

    @cached_property
    def managers(self) -> list[Manager]:
        """Everyone who rates somebody, sorted by id; names come from the roster itself when listed."""
        people = self.by_id
        result: dict[str, Manager] = {}
        for e in self.employees:
            if e.manager_id in result:
                continue
            listed = people.get(e.manager_id)
            name = listed.name if listed else (e.manager_name or e.manager_id)
            email = listed.email if listed and listed.email else e.manager_email
            result[e.manager_id] = Manager(e.manager_id, name, email)
        return sorted(result.values(), key=lambda m: m.id)

    @cached_property
    def manager_by_id(self) -> dict[str, Manager]:
        return {m.id: m for m in self.managers}

    def reports_of(self, manager_id: str) -> list[Employee]:
        return list(self._reports.get(manager_id, ()))
