from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import TEMPLATES

from matrixkit import load_frameworks
from matrixkit.cli.main import main
from matrixkit.errors import RosterError
from matrixkit.model.framework import Framework
from matrixkit.model.problems import Problem
from matrixkit.sources.roster import read_roster

HEADER = "employee_id,name,family,level,manager_id,manager_name,level_since\n"


@pytest.fixture(scope="module")
def engineering() -> list[Framework]:
    return load_frameworks([TEMPLATES / "engineering.yaml", TEMPLATES / "data-science.yaml"])


def roster_errors(tmp_path: Path, text: str, frameworks: list[Framework]) -> list[Problem]:
    path = tmp_path / "roster.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RosterError) as caught:
        read_roster(path, frameworks)
    return caught.value.problems


def test_shipped_rosters_read_cleanly() -> None:
    for roster_path in sorted((TEMPLATES / "rosters").glob("*.csv")):
        frameworks = load_frameworks([TEMPLATES / f"{roster_path.stem}.yaml"])
        roster = read_roster(roster_path, frameworks)
        assert 20 <= len(roster.employees) <= 60, roster_path
        assert len(roster.managers) >= 3, roster_path


def test_columns_are_case_insensitive_and_extras_kept(tmp_path: Path, engineering: list[Framework]) -> None:
    path = tmp_path / "r.csv"
    path.write_text(
        "Employee_ID,NAME,Family,Level,Manager_Id,Team\nE1,Zoë,engineering,ic2,M1,Payments\n"
        "M1,Mona,engineering,M1,X,\n".replace(",X,", ",M1b,"),
        encoding="utf-8",
    )
    path.write_text(path.read_text().replace("M1b", "M1") + "", encoding="utf-8")
    with pytest.raises(RosterError) as caught:  # M1 managing itself
        read_roster(path, engineering)
    assert "their own manager" in caught.value.problems[0].message
    path.write_text(
        "Employee_ID,NAME,Family,Level,Manager_Id,Manager_Name,Team\n"
        "E1,Zoë,engineering,ic2,M1,,Payments\nM1,Mona,Engineering,M1,CEO,Ceo Person,\n",
        encoding="utf-8",
    )
    roster = read_roster(path, engineering)
    first = roster.by_id["E1"]
    assert first.level == "IC2"  # level matched case-insensitively, stored as the framework spells it
    assert first.extra == {"team": "Payments"}
    assert roster.by_id["M1"].family == "engineering"  # family by name works too
    assert [m.id for m in roster.managers] == ["CEO", "M1"]


@pytest.mark.parametrize(
    ("rows", "row", "words"),
    [
        ("E1,Ann,marketing,IC1,M1,Mo,\n", "row 2", "unknown family 'marketing'"),
        ("E1,Ann,engineering,IC9,M1,Mo,\n", "row 2", "unknown level 'IC9'"),
        ("E1,Ann,engineering,IC1,M1,Mo,\nE1,Bob,engineering,IC1,M1,Mo,\n", "row 3", "duplicate employee_id E1"),
        ("E1,Ann,engineering,IC1,GHOST,,\n", "row 2", "manager_id GHOST is nobody"),
        ("E1,Ann,engineering,IC1,M1,Mo,2024-13-01\n", "row 2", "level_since is not a date"),
        ("E1,,engineering,IC1,M1,Mo,\n", "row 2", "name is empty"),
    ],
)
def test_bad_rows_are_named(tmp_path: Path, engineering: list[Framework], rows: str, row: str, words: str) -> None:
    problems = roster_errors(tmp_path, HEADER + rows, engineering)
    assert any(p.cell == row and words in p.message for p in problems), [p.describe() for p in problems]


def test_every_bad_row_is_reported_at_once(tmp_path: Path, engineering: list[Framework]) -> None:
    rows = "E1,Ann,marketing,IC1,M1,Mo,\nE2,Bo,engineering,IC9,M1,Mo,\nE3,Cy,engineering,IC1,M1,Mo,\n"
    problems = roster_errors(tmp_path, HEADER + rows, engineering)
    assert [p.cell for p in problems] == ["row 2", "row 3"]


def test_missing_required_column(tmp_path: Path, engineering: list[Framework]) -> None:
    problems = roster_errors(tmp_path, "employee_id,name,level\nE1,Ann,IC1\n", engineering)
    assert "family, manager_id" in problems[0].message


def test_control_characters_removed_and_formulas_kept_as_text(tmp_path: Path, engineering: list[Framework]) -> None:
    path = tmp_path / "r.csv"
    path.write_text(HEADER + 'E1,"=1+1\x07",engineering,IC1,M1,Mo,\n', encoding="utf-8")
    roster = read_roster(path, engineering)
    assert roster.by_id["E1"].name == "=1+1"


def test_overlong_text_is_refused(tmp_path: Path, engineering: list[Framework]) -> None:
    problems = roster_errors(tmp_path, HEADER + f"E1,{'x' * 40000},engineering,IC1,M1,Mo,\n", engineering)
    assert "32767" in problems[0].message


def test_generate_with_bad_roster_writes_nothing(tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text(HEADER + "E1,Ann,engineering,IC9,M1,Mo,\n", encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main,
        [
            "generate",
            "--framework",
            str(TEMPLATES / "engineering.yaml"),
            "--roster",
            str(roster),
            "--cycle",
            "2026-Q4",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 2
    assert "row 2" in result.output and "IC9" in result.output
    assert not out.exists()
