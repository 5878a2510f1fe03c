"""Issue 13's contract gaps: the store's cycle from the workbooks, lint in one pass, generate for any framework."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from conftest import base_framework
from filling import fill

from matrixkit import load_frameworks
from matrixkit.cli.main import main
from matrixkit.outputs.generate import generate_workbooks
from matrixkit.sources.roster import read_roster
from matrixkit.store.sqlite import open_store

# -- analyze --store without --cycle ---------------------------------------------------------------


def _returned_workbook(tmp_path: Path, cycle: str, framework: Path) -> Path:
    """One manager's workbook for `cycle`, generated and filled with a rating for each report."""
    folder = tmp_path / cycle
    roster_path = folder / "roster.csv"
    folder.mkdir(parents=True)
    roster_path.write_text(
        "employee_id,name,family,level,manager_id,manager_name\nE1,Ada,eng,L2,BOSS,Boss\nE2,Bo,eng,L3,BOSS,Boss\n",
        encoding="utf-8",
    )
    frameworks = load_frameworks([framework])
    [sent] = generate_workbooks(frameworks, read_roster(roster_path, frameworks), cycle, folder / "sent")
    names = [c.name for c in frameworks[0].competencies_for("ic")]
    returned = tmp_path / "returned" / f"{cycle}.xlsx"
    fill(sent, returned, {employee: dict.fromkeys(names, 3) for employee in ("E1", "E2")})
    return returned


@pytest.fixture
def framework_file(tmp_path: Path) -> Path:
    path = tmp_path / "eng.yaml"
    path.write_text(yaml.safe_dump(base_framework(), sort_keys=False), encoding="utf-8")
    return path


def _analyze(framework: Path, out: Path, *inputs: Path) -> Any:
    args = ["analyze", *map(str, inputs), "--framework", str(framework), "--store", str(out / "history.db")]
    return CliRunner().invoke(main, [*args, "--out", str(out / "report.xlsx")])


def test_store_takes_the_cycle_the_workbooks_name(tmp_path: Path, framework_file: Path) -> None:
    returned = _returned_workbook(tmp_path, "2026-Q3", framework_file)
    result = _analyze(framework_file, tmp_path, returned)
    assert result.exit_code in (0, 1), result.output
    assert "cycle 2026-Q3" in result.output
    with open_store(tmp_path / "history.db") as store:
        assert store.cycles() == ["2026-Q3"]


def test_store_refuses_workbooks_that_disagree_on_the_cycle(tmp_path: Path, framework_file: Path) -> None:
    q3 = _returned_workbook(tmp_path, "2026-Q3", framework_file)
    q4 = _returned_workbook(tmp_path, "2026-Q4", framework_file)
    result = _analyze(framework_file, tmp_path, q3, q4)
    assert result.exit_code == 2, result.output
    assert "the workbooks disagree: 2026-Q3 (2026-Q3.xlsx), 2026-Q4 (2026-Q4.xlsx)" in result.output
    assert "give --cycle" in result.output
    assert not (tmp_path / "history.db").exists() and not (tmp_path / "report.xlsx").exists()


def test_store_refuses_workbooks_that_name_no_cycle(tmp_path: Path, framework_file: Path) -> None:
    import openpyxl

    returned = _returned_workbook(tmp_path, "2026-Q3", framework_file)
    book = openpyxl.load_workbook(returned)
    for prop in list(book.custom_doc_props.props):
        if prop.name == "matrixkit_cycle":
            prop.value = ""
    book.save(returned)
    meta = book["_matrixkit"]
    assert meta is not None  # the hidden metadata sheet also names the cycle: blank it there too
    for row in meta.iter_rows():
        for cell in row:
            if cell.value == "2026-Q3":
                cell.value = None
    book.save(returned)
    result = _analyze(framework_file, tmp_path, returned)
    assert result.exit_code == 2, result.output
    assert "no workbook names one in its metadata" in result.output
