"""Reading the roster file (CSV or XLSX, through the safety scan); `model.roster` checks its rows.

>>> from matrixkit import load_frameworks
>>> roster = read_roster("templates/rosters/startup.csv", load_frameworks(["templates/startup.yaml"]))
>>> roster.managers[0].id, len(roster.employees)
('ST-001', 22)
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from matrixkit.errors import RosterError
from matrixkit.model.framework import Framework
from matrixkit.model.roster import Roster, roster_from_table
from matrixkit.sources.tables import read_table

__all__ = ["RosterError", "read_roster"]


def read_roster(path: str | Path, frameworks: Sequence[Framework]) -> Roster:
    """Read and check a roster against the frameworks; raise `RosterError` listing every bad row
    (or why the file cannot be read: not found, unsafe, not a spreadsheet)."""
    return roster_from_table(read_table(path), frameworks)
