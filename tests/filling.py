"""Fill generated workbooks like a manager would (openpyxl), and an independent readiness oracle.

The oracle re-derives SPEC's status rules from scratch, without matrixkit's readiness code, so a
round trip can check that analyze computes what SPEC says rather than what matrixkit believes.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl

from matrixkit.model.framework import Framework


def header_of(ws: Any) -> list[Any]:
    return [c.value for c in ws[1]]


def fill(source: Path, target: Path, values: Mapping[str, Mapping[str, Any]], sheet: str = "Ratings") -> None:
    """values: employee id → {header text: value}. Writes into the row of that employee."""
    wb = openpyxl.load_workbook(source)
    ws = wb[sheet]
    header = header_of(ws)
    rows = {ws.cell(r, 1).value: r for r in range(2, ws.max_row + 1)}
    for employee_id, cells in values.items():
        for title, value in cells.items():
            ws.cell(rows[employee_id], header.index(title) + 1).value = value
    target.parent.mkdir(parents=True, exist_ok=True)
    wb.save(target)


def whole_months(since: date, end: date) -> int:
    months = (end.year - since.year) * 12 + (end.month - since.month)
    if end.day < min(since.day, calendar.monthrange(end.year, end.month)[1]):
        months -= 1
    return months


def oracle_status(
    fw: Framework,
    level: str,
    ratings: Mapping[str, int | None],
    *,
    evidence: Mapping[str, str | None] | None = None,
    endorsement: str | None = None,
    level_since: date | None = None,
    cycle_end: date | None = None,
    calibrated: bool | None = None,
) -> str:
    """SPEC's status, computed the plain way (no history: sustained_cycles above 1 is unknown)."""
    track = next(t for t in fw.tracks if any(lv.id == level for lv in t.levels))
    ids = [c.id for c in fw.competencies if c.tracks is None or track.id in c.tracks]
    rated = {c: rating for c in ids if (rating := ratings.get(c)) is not None}
    if len(rated) < len(ids):
        return "incomplete"
    levels = [lv.id for lv in track.levels]
    if levels.index(level) == len(levels) - 1:
        return "top_of_track"
    nxt = track.levels[levels.index(level) + 1]
    crit = dict(fw.promotion.model_dump(exclude_none=True))
    here = next(lv for lv in track.levels if lv.id == level)
    if here.promotion is not None:
        for key in here.promotion.model_fields_set:
            crit[key] = getattr(here.promotion, key)
    crit = {k: v for k, v in crit.items() if v is not None}
    weights = {c.id: c.weight for c in fw.competencies}
    total = sum(weights[c] for c in ids)
    mean = sum(weights[c] * rated[c] for c in ids) / total
    rating_ok = True
    if "average_at_least" in crit and round(mean, 9) < crit["average_at_least"]:
        rating_ok = False
    if "each_at_least" in crit and min(rated.values()) < crit["each_at_least"]:
        rating_ok = False
    if "next_level_gaps_at_most" in crit:
        gaps = sum(1 for c in ids if (expected := nxt.expected.get(c)) is not None and rated[c] < expected)
        if gaps > crit["next_level_gaps_at_most"]:
            rating_ok = False
    if not rating_ok:
        return "not_ready"
    others: list[bool | None] = []
    if "sustained_cycles" in crit:
        others.append(True if crit["sustained_cycles"] <= 1 else None)
    if "months_in_level_at_least" in crit:
        others.append(
            None
            if level_since is None or cycle_end is None
            else whole_months(level_since, cycle_end) >= crit["months_in_level_at_least"]
        )
    yes = {"yes": True, "no": False}
    if "evidence" in crit:
        answers = [yes.get(str((evidence or {}).get(e) or "").strip().lower()) for e in crit["evidence"]]
        others.append(False if False in answers else None if None in answers else True)
    if "endorsement" in crit:
        others.append(yes.get(str(endorsement or "").strip().lower()))
    if "calibration" in crit:
        others.append(calibrated)
    if "metrics_at_least" in crit:
        others.append(None)
    return "ready" if all(o is True for o in others) else "on_track"
