"""`history`: what the store holds, as a document (for --json) and as a terminal table."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from matrixkit.assess.results import STATUSES
from matrixkit.errors import MatrixkitError
from matrixkit.store.sqlite import Store


def history_document(
    store: Store, *, employee: str | None = None, manager: str | None = None, level: str | None = None
) -> dict[str, Any]:
    """One employee's cycles, one manager's or one level's people, or a summary of every cycle."""
    if employee is not None:
        cycles = store.employee_history(employee)
        if not cycles:
            raise MatrixkitError(f"no employee {employee} in {store.path}")
        return {"employee_id": employee, "name": cycles[-1]["name"], "cycles": cycles}
    if manager is not None or level is not None:
        return {
            "manager_id": manager,
            "level": level,
            "cycles": [c["cycle"] for c in store.summary(manager_id=manager, level=level)],
            "people": store.people(manager_id=manager, level=level),
        }
    return {"cycles": store.summary()}


def _table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    cells = [[("" if v is None else str(v)) for v in row] for row in [header, *rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = ["  ".join(value.ljust(width) for value, width in zip(row, widths, strict=True)).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def history_table(document: dict[str, Any]) -> str:
    if "employee_id" in document:
        cycles = document["cycles"]
        competencies = sorted({c for cycle in cycles for c in cycle["ratings"]})
        rows = [
            [c["cycle"], c["level"], c["status"], c["average"], *(c["ratings"].get(k) for k in competencies)]
            for c in cycles
        ]
        title = f"{document['name']} ({document['employee_id']})"
        return f"{title}\n{_table(['cycle', 'level', 'status', 'average', *competencies], rows)}"
    if "people" in document:
        cycles = document["cycles"]
        rows = []
        for person in document["people"]:
            cells = []
            for cycle in cycles:
                point = person["cycles"].get(cycle)
                average = "" if point is None or point["average"] is None else f" {point['average']:.2f}"
                cells.append("" if point is None else f"{point['level']} {point['status']}{average}")
            rows.append([person["employee_id"], person["name"], *cells])
        scope = " and ".join(
            part
            for part in (
                f"manager {document['manager_id']}" if document["manager_id"] else "",
                f"level {document['level']}" if document["level"] else "",
            )
            if part
        )
        return f"People of {scope}\n{_table(['employee', 'name', *cycles], rows)}"
    rows = [
        [c["cycle"], c["employees"], *(c["statuses"].get(s, 0) for s in STATUSES), c["average"]]
        for c in document["cycles"]
    ]
    if not rows:
        return "The store holds no cycle yet."
    return _table(["cycle", "employees", *STATUSES, "average"], rows)
