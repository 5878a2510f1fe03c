"""Tables HR gives matrixkit (roster, calibration file): read in one place, spreadsheets through the safety scan.

A roster or calibration .xlsx with a cell at XFD1048576 used to abort the whole Python process inside
python-calamine (SIGABRT, tafia/calamine#693). The commands run in a subprocess here, so that such a
crash is a failed test rather than the end of pytest.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import badfiles
import pytest
from conftest import REPO, TEMPLATES

from matrixkit import load_frameworks
from matrixkit.errors import UsageError
from matrixkit.sources.calibration import read_calibration
from matrixkit.sources.roster import RosterError, read_roster
from matrixkit.sources.tables import read_table

ROSTER_HEADER = ["employee_id", "name", "family", "level", "manager_id", "manager_name"]

# The command in a child with its address space capped (as tests/test_safety.py runs calamine), so that
# the old code's attempt to allocate a 17-billion-cell grid fails fast instead of exhausting memory.
CHILD = """
import resource, runpy, sys
limit = 4 * 2**30
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
sys.argv = ["matrixkit", *sys.argv[1:]]
runpy.run_module("matrixkit", run_name="__main__")
"""


def matrixkit_in_subprocess(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", CHILD, *map(str, args)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
        env={**os.environ, "RUST_BACKTRACE": "0"},
        check=False,
    )


def dimension_bomb(dst: Path, header: list[str]) -> Path:
    """A ~1.5 KB workbook whose first sheet holds a table header and a cell at XFD1048576."""
    cells: dict[str, object] = {f"{chr(65 + i)}1": title for i, title in enumerate(header)}
    cells["XFD1048576"] = 1
    return badfiles.minimal_xlsx(dst, {"People": badfiles.rows_xml(cells)}, dimensions={"People": "A1:XFD1048576"})


posix_only = pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_AS is POSIX")


@posix_only
def test_a_roster_dimension_bomb_is_a_problem_naming_the_file_not_a_crash(tmp_path: Path) -> None:
    bomb = dimension_bomb(tmp_path / "roster.xlsx", ROSTER_HEADER)
    assert bomb.stat().st_size < 2048
    result = matrixkit_in_subprocess(
        "generate",
        "--framework",
        TEMPLATES / "startup.yaml",
        "--roster",
        bomb,
        "--cycle",
        "2026-Q4",
        "--out",
        tmp_path / "out",
    )
    assert result.returncode == 2, f"exit {result.returncode}: {result.stderr[-2000:]}"
    assert str(bomb) in result.stderr and "XFD1048576" in result.stderr, result.stderr
    assert not (tmp_path / "out").exists()


@posix_only
def test_a_calibration_dimension_bomb_is_an_error_naming_the_file_not_a_crash(tmp_path: Path) -> None:
    bomb = dimension_bomb(tmp_path / "calibration.xlsx", ["employee_id", "confirmed"])
    returned = badfiles.minimal_xlsx(tmp_path / "returned.xlsx", {"Ratings": badfiles.rows_xml(badfiles.RATINGS_OK)})
    result = matrixkit_in_subprocess(
        "analyze",
        returned,
        "--framework",
        TEMPLATES / "startup.yaml",
        "--calibration",
        bomb,
        "--out",
        tmp_path / "report.xlsx",
    )
    assert result.returncode == 2, f"exit {result.returncode}: {result.stderr[-2000:]}"
    assert f"calibration file {bomb}" in result.stderr and "XFD1048576" in result.stderr, result.stderr
    assert not (tmp_path / "report.xlsx").exists()


def test_the_library_refuses_the_bomb_before_calamine_sees_it(tmp_path: Path) -> None:
    bomb = dimension_bomb(tmp_path / "roster.xlsx", ROSTER_HEADER)
    [problem] = read_table(bomb).problems
    assert (problem.file, problem.sheet, problem.cell) == (str(bomb), "People", "XFD1048576")
    with pytest.raises(RosterError) as caught:
        read_roster(bomb, load_frameworks([TEMPLATES / "startup.yaml"]))
    assert caught.value.problems == [problem]
    with pytest.raises(UsageError, match=r"calibration file .*calibration\.xlsx: sheet 'People' reaches XFD1048576"):
        read_calibration(dimension_bomb(tmp_path / "calibration.xlsx", ["employee_id"]))


def test_only_the_first_sheet_is_read_and_held_to_the_limits(tmp_path: Path) -> None:
    people = badfiles.rows_xml({"A1": "employee_id", "B1": "confirmed", "A2": "E-1", "B2": "No", "A4": "E-2"})
    notes = badfiles.rows_xml({"A1": "note", "XFD1048576": 1})
    path = badfiles.minimal_xlsx(tmp_path / "c.xlsx", {"People": people, "Notes": notes})
    table = read_table(path)
    assert (table.sheet, table.header, table.rows) == (
        "People",
        ["employee_id", "confirmed"],
        [(2, ["E-1", "No"]), (4, ["E-2", ""])],
    )
    assert read_calibration(path) == ({"E-1": False, "E-2": True}, [])


def test_a_table_starts_at_its_first_row_with_content(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("\n;\nemployee_id;confirmed\nE-1;maybe\n", encoding="utf-8")
    table = read_table(path)
    assert (table.header_row, table.header, table.rows) == (3, ["employee_id", "confirmed"], [(4, ["E-1", "maybe"])])
    [problem] = read_calibration(path)[1]
    assert (problem.file, problem.sheet, problem.cell, problem.value) == (str(path), None, "row 4", "maybe")


def test_spreadsheet_problems_name_the_sheet_and_cell(tmp_path: Path) -> None:
    cells: dict[str, object] = {f"{chr(65 + i)}1": title for i, title in enumerate(ROSTER_HEADER)}
    cells.update({"A2": "E-1", "B2": "Ann", "C2": "startup", "D2": "S9", "E2": "M-1", "F2": "Mo"})
    path = badfiles.minimal_xlsx(tmp_path / "roster.xlsx", {"People": badfiles.rows_xml(cells)})
    with pytest.raises(RosterError) as caught:
        read_roster(path, load_frameworks([TEMPLATES / "startup.yaml"]))
    [problem] = caught.value.problems
    assert (problem.file, problem.sheet, problem.cell, problem.path) == (str(path), "People", "D2", "level")
    assert "unknown level 'S9'" in problem.message


@pytest.mark.parametrize(
    ("build", "name", "words"),
    [
        (badfiles.legacy_xls, "roster.xls", "Excel 97-2003 .xls"),
        (badfiles.pdf_renamed, "roster.xlsx", "a PDF file"),
        (badfiles.empty_file, "roster.xlsx", "empty file"),
    ],
)
def test_files_that_are_not_a_usable_spreadsheet_are_named(
    tmp_path: Path, build: Callable[[Path], Path], name: str, words: str
) -> None:
    path = build(tmp_path / name)
    [problem] = read_table(path).problems
    assert problem.file == str(path) and words in problem.message, problem.message


def test_the_readers_are_the_public_entry_points() -> None:
    import matrixkit
    from matrixkit.run import analyze_workbooks

    assert (matrixkit.read_roster, matrixkit.analyze_workbooks) == (read_roster, analyze_workbooks)


def test_only_the_opening_module_hands_files_to_calamine() -> None:
    """Every spreadsheet is parsed after the safety scan, so no module but intake/opening.py imports calamine."""
    package = Path(__file__).resolve().parent.parent / "matrixkit"
    importers = sorted(
        str(p.relative_to(package)) for p in package.rglob("*.py") if "python_calamine" in p.read_text(encoding="utf-8")
    )
    assert importers == ["intake/opening.py"]
