"""`status`: which managers have sent their workbook back, how complete it is, and who is still missing.

The list HR chases before the deadline. Ratings are read with the same `ingest` that `analyze` uses, so
"rated" here means exactly what analyze will accept: a typed whole number within the scale.

Pure: `tally_returns` counts workbooks already read; `matrixkit.run.return_status` reads the files.

>>> import tempfile
>>> from matrixkit import load_frameworks, read_roster
>>> from matrixkit.intake.reader import ingest_workbooks
>>> from matrixkit.outputs.generate import generate_workbooks
>>> frameworks = load_frameworks(["templates/startup.yaml"])
>>> roster = read_roster("templates/rosters/startup.csv", frameworks)
>>> files = generate_workbooks(frameworks, roster, "2026-Q4", tempfile.mkdtemp())  # back without a rating
>>> status = tally_returns(ingest_workbooks(files, frameworks), frameworks, roster, cycle="2026-Q4")
>>> [(m.manager_id, m.rated, m.to_rate) for m in status.managers if not m.complete][:2]
[('ST-001', 0, 35), ('ST-002', 0, 35)]
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from matrixkit.assess.analyze import IdSuggester, report_not_in_roster
from matrixkit.assess.results import RatedRow, problem_to_json
from matrixkit.model.cycles import settle_cycle
from matrixkit.model.framework import Framework
from matrixkit.model.problems import FloodCaps, Problem, sort_problems, summarise_floods
from matrixkit.model.roster import Employee, Roster


@dataclass(frozen=True)
class PersonRef:
    employee_id: str
    name: str

    def to_dict(self) -> dict[str, str]:
        return {"employee_id": self.employee_id, "name": self.name}


@dataclass(frozen=True)
class ManagerReturn:
    """One manager's return: their file(s) and how many of their reports' rating cells hold a valid rating."""

    manager_id: str
    manager_name: str
    reports: int
    files: list[str]
    rated: int  # rating cells of their reports holding a valid rating
    to_rate: int  # every rating cell that applies to their reports (by the roster's level)
    missing: list[PersonRef]  # reports in no workbook at all
    incomplete: list[PersonRef]  # reports found, but with a rating missing or invalid

    @property
    def returned(self) -> bool:
        return bool(self.files)

    @property
    def complete(self) -> bool:
        return self.returned and self.rated == self.to_rate and not self.missing

    @property
    def share(self) -> float:
        return self.rated / self.to_rate if self.to_rate else 1.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "manager_id": self.manager_id,
            "manager_name": self.manager_name,
            "reports": self.reports,
            "returned": self.returned,
            "complete": self.complete,
            "files": list(self.files),
            "rated": self.rated,
            "to_rate": self.to_rate,
            "missing": [p.to_dict() for p in self.missing],
            "incomplete": [p.to_dict() for p in self.incomplete],
        }


@dataclass(frozen=True)
class ReturnStatus:
    cycle: str | None
    managers: list[ManagerReturn]
    files: list[str]  # every input file, sorted
    unreadable: list[Problem]  # one or more problems per file that could not be read at all
    problems: list[Problem] = field(default_factory=list)  # every problem found (unreadable included)

    @property
    def complete(self) -> bool:
        """Every manager returned a complete workbook and nothing was wrong: `status` exits 0."""
        return all(m.complete for m in self.managers) and not any(p.severity == "error" for p in self.problems)

    def to_dict(self) -> dict[str, Any]:
        return {
            "cycle": self.cycle,
            "complete": self.complete,
            "managers": [m.to_dict() for m in self.managers],
            "files": list(self.files),
            "unreadable": [problem_to_json(p) for p in self.unreadable],
            "problems": [problem_to_json(p) for p in self.problems],
        }


class ReturnedWorkbook(Protocol):
    """One input file as read and checked (`matrixkit.intake.reader.IngestedWorkbook` is one)."""

    @property
    def file(self) -> str: ...
    @property
    def readable(self) -> bool: ...
    @property
    def kind(self) -> str: ...  # "manager", "self" (an employee's self-assessment) or "blank_matrix"
    @property
    def manager_id(self) -> str | None: ...
    @property
    def cycle(self) -> str | None: ...
    @property
    def rows(self) -> Sequence[tuple[Framework, RatedRow]]: ...
    @property
    def problems(self) -> Sequence[Problem]: ...


def tally_returns(
    workbooks: Sequence[ReturnedWorkbook],
    frameworks: Sequence[Framework],
    roster: Roster,
    *,
    cycle: str | None = None,
) -> ReturnStatus:
    """Per manager in the roster: returned or not, which file(s), rated cells / cells to rate, who is missing.

    A workbook belongs to a manager when its metadata names them or when its rows are their reports.
    Workbooks of another cycle (than `cycle`, else the one most workbooks name) are a problem and not
    counted; employees' self-assessments are not managers' returns and are skipped.

    >>> tally_returns([], [], Roster("roster.csv", ())).managers
    []
    """
    problems: list[Problem] = []
    unreadable: list[Problem] = []
    read: list[tuple[str, str | None, str | None, Sequence[tuple[Framework, RatedRow]]]] = []
    for workbook in workbooks:
        problems.extend(workbook.problems)
        if not workbook.readable:
            unreadable.extend(p for p in workbook.problems if p.severity == "error")
        elif workbook.kind != "self":  # an employee's self-assessment is not a manager's return
            read.append((workbook.file, workbook.manager_id, workbook.cycle, workbook.rows))
    named = {file: file_cycle for file, _, file_cycle, _ in read if file_cycle}
    cycle = settle_cycle(cycle, named, problems, purpose="the status", consequence=": it is not counted")
    counted = [entry for entry in read if entry[2] in (None, cycle)]

    by_family = {fw.family.id: fw for fw in frameworks}
    people = roster.by_id
    suggest = IdSuggester(roster)
    caps = FloodCaps()
    files_of: dict[str, set[str]] = defaultdict(set)
    rated_of: dict[str, int] = {}  # employee id → valid ratings in their best row
    for file, manager_id, _, rows in counted:
        if manager_id:
            files_of[manager_id].add(file)
        for _fw, row in rows:
            person = people.get(row.employee_id)
            if person is None:
                report_not_in_roster(problems, caps, row, roster, suggest, "the row is not counted")
                continue
            files_of[person.manager_id].add(file)
            rated = _valid_ratings(row, person, by_family[person.family])
            rated_of[person.employee_id] = max(rated, rated_of.get(person.employee_id, 0))

    managers: list[ManagerReturn] = []
    for manager in roster.managers:
        reports = sorted(roster.reports_of(manager.id), key=lambda e: e.employee_id)
        to_rate = sum(_applicable(e, by_family[e.family]) for e in reports)
        missing = [PersonRef(e.employee_id, e.name) for e in reports if e.employee_id not in rated_of]
        partial = [
            PersonRef(e.employee_id, e.name)
            for e in reports
            if e.employee_id in rated_of and rated_of[e.employee_id] < _applicable(e, by_family[e.family])
        ]
        managers.append(
            ManagerReturn(
                manager_id=manager.id,
                manager_name=manager.name,
                reports=len(reports),
                files=sorted(files_of.get(manager.id, set())),
                rated=sum(rated_of.get(e.employee_id, 0) for e in reports),
                to_rate=to_rate,
                missing=missing,
                incomplete=partial,
            )
        )
    return ReturnStatus(
        cycle=cycle,
        managers=managers,
        files=sorted(w.file for w in workbooks),
        unreadable=sort_problems(unreadable),
        problems=summarise_floods(problems, left_out=caps.left_out()),
    )


def _applicable(person: Employee, fw: Framework) -> int:
    return len(fw.competencies_at(person.level))


def _valid_ratings(row: RatedRow, person: Employee, fw: Framework) -> int:
    """Valid ratings of the competencies the roster's level applies (the roster wins, as in analyze)."""
    return sum(1 for c in fw.competencies_at(person.level) if row.ratings.get(c.id) is not None)


def status_table(status: ReturnStatus) -> str:
    """The terminal table: a line per manager, the missing and incomplete reports under it, unreadable files."""
    lines: list[str] = []
    header = f"{'Manager':<30} {'Returned':<8} {'Rated':>11} {'Done':>5}  File(s)"
    lines.append(f"Cycle {status.cycle or '?'}: {len(status.managers)} manager(s), {len(status.files)} file(s)")
    lines.append(header)
    lines.append("-" * len(header))
    for m in status.managers:
        who = _cut(f"{m.manager_id} {m.manager_name}" if m.manager_name != m.manager_id else m.manager_id, 30)
        files = ", ".join(Path(f).name for f in m.files) or "-"
        rated = f"{m.rated}/{m.to_rate}"
        done = f"{int(m.share * 100)}%"
        lines.append(f"{who:<30} {'yes' if m.returned else 'NO':<8} {rated:>11} {done:>5}  {files}")
        if m.missing:
            lines.append(f"{'':<4}missing from every workbook: {_people(m.missing)}")
        if m.incomplete:
            lines.append(f"{'':<4}ratings missing or invalid: {_people(m.incomplete)}")
    returned = sum(m.returned for m in status.managers)
    complete = sum(m.complete for m in status.managers)
    lines.append("")
    lines.append(f"{returned} of {len(status.managers)} manager(s) returned a workbook; {complete} complete.")
    if status.unreadable:
        lines.append("Unreadable files:")
        for p in status.unreadable:
            lines.append(f"  {p.file}: {p.message}")
    others = [p for p in status.problems if p.severity == "error" and p not in status.unreadable]
    if others:
        lines.append(f"{len(others)} other error(s) in readable files (run analyze for the full list), e.g.:")
        for p in others[:10]:
            lines.append(f"  {p.describe()}")
    return "\n".join(lines)


def _people(people: Sequence[PersonRef]) -> str:
    return ", ".join(f"{p.employee_id} ({p.name})" for p in people)


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
