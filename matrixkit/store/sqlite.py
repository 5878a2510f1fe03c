"""The history store: every cycle's ratings and results in one SQLite file.

SQLite through the standard library: schema versioned (`PRAGMA user_version`) with forward migrations,
WAL mode, one transaction per analyze run. Saving a cycle replaces that cycle and nothing else; a run
killed mid-write leaves the previous state, and a second writer waits (then fails clearly).

>>> import tempfile
>>> from matrixkit import load_frameworks
>>> from matrixkit.sources.roster import read_roster
>>> frameworks = load_frameworks(["templates/startup.yaml"])
>>> roster = read_roster("templates/rosters/startup.csv", frameworks)
>>> from matrixkit.run import analyze_workbooks
>>> from matrixkit.outputs.generate import generate_workbooks
>>> folder = Path(tempfile.mkdtemp())
>>> analysis = analyze_workbooks(generate_workbooks(frameworks, roster, "2026-Q4", folder), frameworks, cycle="2026-Q4")
>>> with open_store(folder / "history.db") as store:
...     store.save_cycle(analysis, frameworks)
...     store.cycles()
['2026-Q4']
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from matrixkit import __version__
from matrixkit.assess.results import Analysis, Status, TrendPoint, Trends
from matrixkit.errors import StoreError
from matrixkit.model.cycles import parse_cycle
from matrixkit.model.framework import Framework
from matrixkit.model.problems import Problem

BUSY_TIMEOUT_SECONDS = 30.0

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (  # version 1
        """CREATE TABLE cycles (
            cycle TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            end_date TEXT NOT NULL,
            months INTEGER NOT NULL,
            matrixkit_version TEXT NOT NULL,
            saved_at TEXT NOT NULL)""",
        """CREATE TABLE frameworks (
            cycle TEXT NOT NULL REFERENCES cycles(cycle) ON DELETE CASCADE,
            family TEXT NOT NULL,
            version TEXT NOT NULL,
            fingerprint TEXT NOT NULL,
            competencies TEXT NOT NULL,
            PRIMARY KEY (cycle, family))""",
        """CREATE TABLE results (
            cycle TEXT NOT NULL REFERENCES cycles(cycle) ON DELETE CASCADE,
            employee_id TEXT NOT NULL,
            name TEXT NOT NULL,
            manager_id TEXT,
            family TEXT NOT NULL,
            track TEXT NOT NULL,
            level TEXT NOT NULL,
            next_level TEXT,
            status TEXT NOT NULL,
            average REAL,
            lowest INTEGER,
            rating_criteria_met INTEGER,
            endorsement INTEGER,
            calibration INTEGER,
            criteria TEXT NOT NULL,
            comments TEXT NOT NULL,
            source_file TEXT,
            source_sheet TEXT,
            source_row INTEGER,
            PRIMARY KEY (cycle, employee_id))""",
        """CREATE TABLE ratings (
            cycle TEXT NOT NULL,
            employee_id TEXT NOT NULL,
            competency TEXT NOT NULL,
            rating INTEGER NOT NULL,
            file TEXT,
            sheet TEXT,
            cell TEXT,
            PRIMARY KEY (cycle, employee_id, competency),
            FOREIGN KEY (cycle, employee_id) REFERENCES results(cycle, employee_id) ON DELETE CASCADE)""",
        """CREATE TABLE answers (
            cycle TEXT NOT NULL,
            employee_id TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('evidence', 'metric')),
            item TEXT NOT NULL,
            value REAL,
            PRIMARY KEY (cycle, employee_id, kind, item),
            FOREIGN KEY (cycle, employee_id) REFERENCES results(cycle, employee_id) ON DELETE CASCADE)""",
        "CREATE INDEX results_by_employee ON results(employee_id)",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)


@dataclass(frozen=True)
class PastRecord:
    """What the store knows of one employee in one earlier cycle."""

    cycle: str
    level: str
    status: Status
    rating_criteria_met: bool | None


class Store:
    def __init__(self, path: str | Path, *, busy_timeout: float = BUSY_TIMEOUT_SECONDS) -> None:
        self.path = Path(path)
        try:
            self.connection = sqlite3.connect(self.path, timeout=busy_timeout, isolation_level=None)
            self.connection.execute("PRAGMA foreign_keys = ON")
            if self.connection.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                self.connection.execute("PRAGMA journal_mode = WAL")  # needs a moment alone: only once
            self.connection.execute("PRAGMA synchronous = FULL")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: {_explain(exc)}") from None

    # -- lifecycle ------------------------------------------------------------------------------------

    def close(self) -> None:
        self.connection.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def _migrate(self) -> None:
        version = self.connection.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} was written by a newer matrixkit (schema {version}; this one knows {SCHEMA_VERSION})"
            )
        for number in range(version, SCHEMA_VERSION):
            with self._transaction():
                for statement in MIGRATIONS[number]:
                    self.connection.execute(statement)
                self.connection.execute(f"PRAGMA user_version = {number + 1}")

    def _transaction(self) -> _Transaction:
        return _Transaction(self.connection, self.path)

    # -- reading --------------------------------------------------------------------------------------

    def cycles(self) -> list[str]:
        """Stored cycles, oldest first (by end date, the shorter first on a tie)."""
        rows = self.connection.execute("SELECT cycle FROM cycles").fetchall()
        return sorted((r[0] for r in rows), key=lambda c: parse_cycle(c).sort_key)

    def records(self, employee_ids: Iterable[str], cycles: Iterable[str]) -> dict[tuple[str, str], PastRecord]:
        """(cycle, employee id) → what was stored, for the pairs that exist."""
        wanted_cycles = list(dict.fromkeys(cycles))
        wanted_ids = set(employee_ids)
        if not wanted_cycles or not wanted_ids:
            return {}
        marks = ",".join("?" * len(wanted_cycles))
        rows = self.connection.execute(
            f"SELECT cycle, employee_id, level, status, rating_criteria_met FROM results WHERE cycle IN ({marks})",
            wanted_cycles,
        ).fetchall()
        return {
            (cycle, employee_id): PastRecord(cycle, level, status, None if met is None else bool(met))
            for cycle, employee_id, level, status, met in rows
            if employee_id in wanted_ids
        }

    def employee_history(self, employee_id: str) -> list[dict[str, Any]]:
        """Per stored cycle: level, status, average and ratings of one employee, oldest first."""
        results = self.connection.execute(
            "SELECT cycle, name, manager_id, family, track, level, status, average, lowest, criteria "
            "FROM results WHERE employee_id = ?",
            (employee_id,),
        ).fetchall()
        ratings: dict[str, dict[str, int]] = defaultdict(dict)
        for cycle, competency, rating in self.connection.execute(
            "SELECT cycle, competency, rating FROM ratings WHERE employee_id = ?", (employee_id,)
        ):
            ratings[cycle][competency] = rating
        history = [
            {
                "cycle": cycle,
                "name": name,
                "manager_id": manager_id,
                "family": family,
                "track": track,
                "level": level,
                "status": status,
                "average": None if average is None else round(average, 2),
                "lowest": lowest,
                "ratings": dict(sorted(ratings[cycle].items())),
                "criteria": json.loads(criteria),
            }
            for cycle, name, manager_id, family, track, level, status, average, lowest, criteria in results
        ]
        return sorted(history, key=lambda h: parse_cycle(h["cycle"]).sort_key)

    def summary(self, *, manager_id: str | None = None, level: str | None = None) -> list[dict[str, Any]]:
        """Per stored cycle: how many employees in each status (optionally one manager's, or one level)."""
        query, params = _filtered("SELECT cycle, status, COUNT(*), AVG(average) FROM results", manager_id, level)
        counts: dict[str, dict[str, int]] = defaultdict(dict)
        averages: dict[str, list[tuple[int, float | None]]] = defaultdict(list)
        for cycle, status, count, average in self.connection.execute(query + " GROUP BY cycle, status", params):
            counts[cycle][status] = count
            averages[cycle].append((count, average))
        result = []
        for cycle in self.cycles():
            if cycle not in counts:
                continue
            weighted = [(n, a) for n, a in averages[cycle] if a is not None]
            total = sum(n for n, _ in weighted)
            result.append(
                {
                    "cycle": cycle,
                    "employees": sum(counts[cycle].values()),
                    "statuses": dict(sorted(counts[cycle].items())),
                    "average": round(sum(n * a for n, a in weighted) / total, 2) if total else None,
                }
            )
        return result

    def people(self, *, manager_id: str | None = None, level: str | None = None) -> list[dict[str, Any]]:
        """Per employee (filtered): status and average in each cycle — what `history --manager` shows."""
        query, params = _filtered(
            "SELECT cycle, employee_id, name, level, status, average FROM results", manager_id, level
        )
        rows: dict[str, dict[str, Any]] = {}
        order = {c: i for i, c in enumerate(self.cycles())}
        for cycle, employee_id, name, level_id, status, average in self.connection.execute(query, params):
            person = rows.setdefault(employee_id, {"employee_id": employee_id, "name": name, "cycles": {}})
            person["cycles"][cycle] = {
                "level": level_id,
                "status": status,
                "average": None if average is None else round(average, 2),
            }
        for person in rows.values():
            person["cycles"] = dict(sorted(person["cycles"].items(), key=lambda item: order[item[0]]))
        return sorted(rows.values(), key=lambda p: (p["name"].casefold(), p["employee_id"]))

    def framework_changes(self, cycle: str, frameworks: Sequence[Framework]) -> list[Problem]:
        """Competencies renamed, removed or added since the latest earlier stored cycle of each family."""
        problems: list[Problem] = []
        end = parse_cycle(cycle).sort_key
        for fw in frameworks:
            stored = self.connection.execute(
                "SELECT cycle, version, competencies FROM frameworks WHERE family = ?", (fw.family.id,)
            ).fetchall()
            earlier = [row for row in stored if parse_cycle(row[0]).sort_key < end]
            if not earlier:
                continue
            before_cycle, before_version, competencies = max(earlier, key=lambda row: parse_cycle(row[0]).sort_key)
            before = {c["id"]: c["name"] for c in json.loads(competencies)}
            now = {c.id: c.name for c in fw.competencies}
            since = f"since {before_cycle} (version {before_version} → {fw.family.version})"
            for comp_id in sorted(before.keys() & now.keys()):
                if before[comp_id] != now[comp_id]:
                    problems.append(
                        Problem(
                            "warning",
                            f"{fw.family.id}: competency {comp_id} renamed from "
                            f"'{before[comp_id]}' to '{now[comp_id]}' {since}; cycles are compared "
                            "by id",
                            value=now[comp_id],
                            expected=before[comp_id],
                            code="competency-renamed",
                        )
                    )
            for comp_id in sorted(before.keys() - now.keys()):
                problems.append(
                    Problem(
                        "warning",
                        f"{fw.family.id}: competency {comp_id} ('{before[comp_id]}') "
                        f"removed {since}; its history stops there",
                        value=comp_id,
                        code="competency-removed",
                    )
                )
            for comp_id in sorted(now.keys() - before.keys()):
                problems.append(
                    Problem(
                        "warning",
                        f"{fw.family.id}: competency {comp_id} ('{now[comp_id]}') added "
                        f"{since}; it has no history before {cycle}",
                        value=comp_id,
                        code="competency-added",
                    )
                )
        return problems

    def trends(self) -> Trends:
        """Every stored cycle: employees' status and average, and the organisation's mean per competency."""
        cycles = self.cycles()
        employees: dict[str, list[TrendPoint]] = defaultdict(list)
        names: dict[str, str] = {}
        order = {c: i for i, c in enumerate(cycles)}
        rows = self.connection.execute("SELECT cycle, employee_id, name, level, status, average FROM results")
        for cycle, employee_id, name, level, status, average in sorted(rows, key=lambda r: (order[r[0]], r[1])):
            employees[employee_id].append(TrendPoint(cycle, level, status, average))
            names[employee_id] = name
        means: dict[tuple[str, str], dict[str, float]] = defaultdict(dict)
        for cycle, family, competency, mean in self.connection.execute(
            "SELECT r.cycle, e.family, r.competency, AVG(r.rating) FROM ratings r "
            "JOIN results e ON e.cycle = r.cycle AND e.employee_id = r.employee_id "
            "WHERE e.status NOT IN ('incomplete', 'conflict') GROUP BY r.cycle, e.family, r.competency"
        ):
            means[(family, competency)][cycle] = mean
        latest: dict[tuple[str, str], str] = {}
        for _, family, competencies in sorted(  # oldest first, so the latest name wins
            self.connection.execute("SELECT cycle, family, competencies FROM frameworks"), key=lambda r: order[r[0]]
        ):
            for item in json.loads(competencies):
                latest[(family, item["id"])] = item["name"]
        return Trends(
            cycles=cycles,
            employees=dict(employees),
            names=names,
            competency_means={
                key: dict(sorted(v.items(), key=lambda i: order[i[0]])) for key, v in sorted(means.items())
            },
            competency_names={key: latest.get(key, key[1]) for key in sorted(means)},
        )

    # -- writing --------------------------------------------------------------------------------------

    def save_cycle(self, analysis: Analysis, frameworks: Sequence[Framework]) -> None:
        """Replace this cycle's data with `analysis`, in one transaction; other cycles are untouched."""
        if analysis.cycle is None:
            raise StoreError("a cycle is needed to store results (give --cycle)")
        cycle = parse_cycle(analysis.cycle)
        with self._transaction() as db:
            db.execute("DELETE FROM cycles WHERE cycle = ?", (cycle.id,))
            db.execute(
                "INSERT INTO cycles VALUES (?, ?, ?, ?, ?, ?)",
                (
                    cycle.id,
                    cycle.kind,
                    cycle.end.isoformat(),
                    cycle.months,
                    __version__,
                    datetime.now(UTC).isoformat(timespec="seconds"),
                ),
            )
            families = {e.family for e in analysis.employees}
            db.executemany(
                "INSERT INTO frameworks VALUES (?, ?, ?, ?, ?)",
                [
                    (
                        cycle.id,
                        fw.family.id,
                        fw.family.version,
                        fw.fingerprint,
                        json.dumps([{"id": c.id, "name": c.name} for c in fw.competencies], ensure_ascii=False),
                    )
                    for fw in frameworks
                    if fw.family.id in families
                ],
            )
            self._write_rows(db, cycle.id, analysis)

    def _write_rows(self, db: sqlite3.Connection, cycle: str, analysis: Analysis) -> None:
        results: list[tuple[Any, ...]] = []
        ratings: list[tuple[Any, ...]] = []
        answers: list[tuple[Any, ...]] = []
        for e in analysis.employees:
            met = {"ready": 1, "on_track": 1, "not_ready": 0}.get(e.status)
            calibrated = next((c.result for c in e.criteria if c.criterion == "calibration"), None)
            source = e.source
            results.append(
                (
                    cycle,
                    e.employee_id,
                    e.name,
                    e.manager_id,
                    e.family,
                    e.track,
                    e.level,
                    e.next_level,
                    e.status,
                    e.average,
                    e.lowest,
                    met,
                    None if e.endorsement is None else int(e.endorsement),
                    {"met": 1, "not_met": 0}.get(calibrated or ""),
                    json.dumps([c.to_dict() for c in e.criteria], ensure_ascii=False),
                    e.comments,
                    source.file if source else None,
                    source.sheet if source else None,
                    source.row if source else None,
                )
            )
            if e.status == "conflict":
                continue  # never merged: which of the copies is right is for HR to settle
            for competency, rating in e.ratings.items():
                ratings.append(
                    (
                        cycle,
                        e.employee_id,
                        competency,
                        rating,
                        source.file if source else None,
                        source.sheet if source else None,
                        e.rating_cells.get(competency),
                    )
                )
            answers.extend(
                (cycle, e.employee_id, "evidence", item, None if value is None else float(value))
                for item, value in e.evidence.items()
            )
            answers.extend((cycle, e.employee_id, "metric", item, value) for item, value in e.metrics.items())
        db.executemany(f"INSERT INTO results VALUES ({','.join('?' * 19)})", results)
        db.executemany("INSERT INTO ratings VALUES (?, ?, ?, ?, ?, ?, ?)", ratings)
        db.executemany("INSERT INTO answers VALUES (?, ?, ?, ?, ?)", answers)


class _Transaction:
    """BEGIN IMMEDIATE … COMMIT, rolled back on any error; a busy store is a clear error."""

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self.connection, self.path = connection, path

    def __enter__(self) -> sqlite3.Connection:
        try:
            self.connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise StoreError(f"{self.path}: {_explain(exc)}") from None
        return self.connection

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None) -> None:
        if kind is None:
            self.connection.execute("COMMIT")
        else:
            self.connection.execute("ROLLBACK")


def _filtered(select: str, manager_id: str | None, level: str | None) -> tuple[str, list[str]]:
    """`select` restricted to one manager's reports and/or one level."""
    conditions, params = [], []
    for column, value in (("manager_id", manager_id), ("level", level)):
        if value is not None:
            conditions.append(f"{column} = ?")
            params.append(value)
    return select + (" WHERE " + " AND ".join(conditions) if conditions else ""), params


def _explain(exc: sqlite3.DatabaseError) -> str:
    text = str(exc)
    if "locked" in text or "busy" in text:
        return "the store is busy: another analyze run is writing to it; try again when it has finished"
    if "not a database" in text:
        return "not a matrixkit history store (not an SQLite database)"
    return text


def open_store(path: str | Path, *, busy_timeout: float = BUSY_TIMEOUT_SECONDS) -> Store:
    """Open (creating on first use) the history store at `path`."""
    return Store(path, busy_timeout=busy_timeout)
