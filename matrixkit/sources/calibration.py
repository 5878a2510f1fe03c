"""Reading the calibration file: who was confirmed in the calibration session (CSV or XLSX, through the safety scan).

SPEC: `employee_id` and optionally `confirmed` (Yes/No; absent or blank means confirmed).

>>> import tempfile
>>> from pathlib import Path
>>> calibration = Path(tempfile.mkdtemp()) / "calibration.csv"
>>> _ = calibration.write_text("employee_id,confirmed\\nEMP001,Yes\\nEMP010,No\\n")
>>> read_calibration(calibration)
({'EMP001': True, 'EMP010': False}, [])
"""

from __future__ import annotations

from pathlib import Path

from matrixkit.errors import UsageError
from matrixkit.intake.ingest import parse_yes_no_text
from matrixkit.model.problems import Problem
from matrixkit.sources.tables import read_table


def read_calibration(path: str | Path) -> tuple[dict[str, bool], list[Problem]]:
    """employee_id → confirmed, and a problem for each row whose `confirmed` is not Yes or No.

    A file that cannot be used at all (missing, unsafe, empty, no employee_id column) is a `UsageError`.
    """
    file = str(path)
    if not Path(path).is_file():
        raise UsageError(f"calibration file {file} not found")
    table = read_table(path)
    if table.problems:  # the message names the sheet and cell when there is one
        raise UsageError(f"calibration file {file}: {table.problems[0].message}")
    if not table.header:
        raise UsageError(f"calibration file {file} is empty")
    header = [h.strip().casefold() for h in table.header]
    if "employee_id" not in header:
        raise UsageError(f"calibration file {file} has no employee_id column")
    id_col = header.index("employee_id")
    confirmed_col = header.index("confirmed") if "confirmed" in header else None
    result: dict[str, bool] = {}
    problems: list[Problem] = []
    for number, row in table.rows:
        employee_id = row[id_col].strip() if id_col < len(row) else ""
        if employee_id.endswith(".0") and employee_id[:-2].isdigit():
            employee_id = employee_id[:-2]
        if not employee_id:
            continue
        raw = row[confirmed_col].strip() if confirmed_col is not None and confirmed_col < len(row) else ""
        answer = parse_yes_no_text(raw) if raw else True
        if answer is None:
            problems.append(
                Problem(
                    "error",
                    f"confirmed must be Yes or No for {employee_id}",
                    **table.where(number, confirmed_col),
                    value=raw,
                    expected="Yes or No",
                    code="calibration-yes-no",
                )
            )
            continue
        result[employee_id] = answer
    return result, problems
