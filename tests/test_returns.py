"""`matrixkit status`: who returned their workbook, how complete it is, who is missing — library and CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml
from click.testing import CliRunner
from conftest import base_framework
from filling import fill, header_of

from matrixkit import load_frameworks
from matrixkit.cli.main import main
from matrixkit.outputs.generate import generate_workbooks
from matrixkit.run import return_status
from matrixkit.sources.roster import read_roster

CYCLE = "2026-Q4"
IC = ["Communication", "Collaboration", "Delivery", "Craft", "Design", "Operations"]  # Coaching: managers only
ROSTER = [
    # id, name, level, manager
    ("E01", "Ada Byron", "L2", "MA"),
    ("E02", "Bo Chen", "L3", "MA"),
    ("E03", "Cy Dorsey", "M1", "MA"),
    ("E04", "Di Evans", "L2", "MB"),
    ("E05", "Ed Fox", "L1", "MB"),
    ("E06", "Flo Gray", "L2", "MB"),
    ("E07", "Gus Hale", "L2", "MB"),
    ("E08", "Hal Ives", "L3", "MC"),
    ("E09", "Ida Jones", "L1", "MC"),
]


def _framework() -> dict[str, Any]:
    """The conftest framework with Coaching rated on the management track only (7 cells there, 6 on IC)."""
    data = base_framework()
    coaching = next(c for c in data["competencies"] if c["id"] == "coaching")
    coaching["tracks"] = ["management"]
    coaching["descriptions"] = {k: v for k, v in coaching["descriptions"].items() if k.startswith("M")}
    for level in data["tracks"][0]["levels"]:
        level["expected"].pop("coaching")
    return data


def _edit(path: Path, change: Any) -> None:
    wb = openpyxl.load_workbook(path)
    change(wb["Ratings"])
    wb.save(path)


@pytest.fixture(scope="module")
def scene(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("returns")
    framework_path = folder / "eng.yaml"
    framework_path.write_text(yaml.safe_dump(_framework(), sort_keys=False), encoding="utf-8")
    frameworks = load_frameworks([framework_path])
    lines = ["employee_id,name,family,level,manager_id,manager_name"]
    lines += [f"{i},{n},eng,{lv},{m},Manager {m}" for i, n, lv, m in ROSTER]
    roster_path = folder / "roster.csv"
    roster_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    only_ma = folder / "roster-ma.csv"
    only_ma.write_text("\n".join(lines[:4]) + "\n", encoding="utf-8")
    roster = read_roster(roster_path, frameworks)
    generated = {p.name.split("_")[0]: p for p in generate_workbooks(frameworks, roster, CYCLE, folder / "generated")}
    returned = folder / "returned"
    full = {name: 3 for name in IC}
    # MA: complete. E06 (MB's report) was typed into MA's workbook: MB's row for E06 is gone.
    fill(generated["MA"], returned / "MA.xlsx", {"E01": full, "E02": full, "E03": {**full, "Coaching": 4}})

    def add_e06(ws: Any) -> None:
        header = header_of(ws)
        row = ws.max_row + 1
        ws.cell(row, header.index("Employee ID") + 1).value = "E06"
        ws.cell(row, header.index("Name") + 1).value = "Flo Gray"
        ws.cell(row, header.index("Level") + 1).value = "L2"
        for name in IC:
            ws.cell(row, header.index(name) + 1).value = 4

    _edit(returned / "MA.xlsx", add_e06)
    # MB: partial — E05 has two blanks and an invalid 7; E06 and E07's rows deleted.
    partial = {**full, "Craft": None, "Design": None, "Operations": 7}
    fill(generated["MB"], returned / "MB.xlsx", {"E04": full, "E05": partial})

    def drop_rows(ws: Any) -> None:
        for r in range(2, ws.max_row + 1):
            if ws.cell(r, 1).value in ("E06", "E07"):
                for c in range(1, ws.max_column + 1):
                    if not str(ws.cell(r, c).value or "").startswith("="):
                        ws.cell(r, c).value = None

    _edit(returned / "MB.xlsx", drop_rows)
    # MC: never returned. And a file that is not a workbook at all.
    (returned / "broken.xlsx").write_bytes(b"PK\x03\x04 this is not a zip archive")
    return {
        "frameworks": frameworks,
        "roster": roster,
        "roster_path": roster_path,
        "only_ma": only_ma,
        "framework_path": framework_path,
        "returned": returned,
    }


def test_status_per_manager(scene: dict[str, Any]) -> None:
    status = return_status([scene["returned"]], scene["frameworks"], scene["roster"])
    assert status.cycle == CYCLE
    by_id = {m.manager_id: m for m in status.managers}
    assert list(by_id) == ["MA", "MB", "MC"]
    ma, mb, mc = by_id["MA"], by_id["MB"], by_id["MC"]
    assert ma.manager_name == "Manager MA"
    assert ma.returned and ma.complete
    assert [Path(f).name for f in ma.files] == ["MA.xlsx"]
    assert (ma.rated, ma.to_rate) == (6 + 6 + 7, 6 + 6 + 7)
    assert ma.missing == [] and ma.incomplete == []

    assert mb.returned and not mb.complete
    assert [Path(f).name for f in mb.files] == ["MA.xlsx", "MB.xlsx"]  # E06 is in MA's workbook
    assert (mb.rated, mb.to_rate) == (6 + 3 + 6, 4 * 6)  # E05: 3 of 6 valid; E07 in no workbook
    assert [p.employee_id for p in mb.missing] == ["E07"]
    assert [(p.employee_id, p.name) for p in mb.incomplete] == [("E05", "Ed Fox")]

    assert not mc.returned and not mc.complete and mc.files == []
    assert (mc.rated, mc.to_rate) == (0, 12)
    assert [p.employee_id for p in mc.missing] == ["E08", "E09"]

    assert [Path(p.file or "").name for p in status.unreadable] == ["broken.xlsx"]
    assert not status.complete
    # The invalid 7 is a problem, exactly as analyze would report it.
    assert any(p.cell and p.value == "7" and "outside the scale" in p.message for p in status.problems)


def test_status_cli_table_and_exit_code(scene: dict[str, Any]) -> None:
    args = ["status", str(scene["returned"]), "--roster", str(scene["roster_path"])]
    result = CliRunner().invoke(main, [*args, "--framework", str(scene["framework_path"])])
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    ma = next(line for line in lines if line.startswith("MA "))
    assert "yes" in ma and "19/19" in ma and "100%" in ma and "MA.xlsx" in ma
    mc = next(line for line in lines if line.startswith("MC "))
    assert " NO " in mc and "0/12" in mc
    assert "missing from every workbook: E07 (Gus Hale)" in result.stdout
    assert "missing from every workbook: E08 (Hal Ives), E09 (Ida Jones)" in result.stdout
    assert "E05 Ed Fox (Ratings row 3): 2 blank (G3, H3); I3 '7' is no rating" in result.stdout
    assert "Unreadable files:" in result.stdout and "broken.xlsx" in result.stdout
    assert "2 of 3 manager(s) returned a workbook; 1 complete." in result.stdout


def test_status_json_equals_the_library(scene: dict[str, Any]) -> None:
    args = ["status", str(scene["returned"]), "--roster", str(scene["roster_path"]), "--json"]
    result = CliRunner().invoke(main, [*args, "--framework", str(scene["framework_path"]), "--cycle", CYCLE])
    assert result.exit_code == 1, result.output
    library = return_status([scene["returned"]], scene["frameworks"], scene["roster"], cycle=CYCLE)
    assert json.loads(result.stdout) == json.loads(json.dumps(library.to_dict()))
    document = json.loads(result.stdout)
    assert document["complete"] is False
    assert [m["returned"] for m in document["managers"]] == [True, True, False]


def test_status_exit_0_when_every_manager_returned_a_complete_workbook(scene: dict[str, Any]) -> None:
    only = ["status", str(scene["returned"] / "MA.xlsx"), "--roster", str(scene["only_ma"])]
    result = CliRunner().invoke(main, [*only, "--framework", str(scene["framework_path"])])
    # E06 in MA's file is not in this roster: a problem to fix before analyze.
    assert result.exit_code == 1 and "E06 is not in the roster" in result.stdout
    roster = read_roster(scene["only_ma"], scene["frameworks"])
    clean = scene["returned"].parent / "clean"
    clean.mkdir(exist_ok=True)

    def drop_e06(ws: Any) -> None:
        ws.delete_rows(ws.max_row)

    target = clean / "MA.xlsx"
    target.write_bytes((scene["returned"] / "MA.xlsx").read_bytes())
    _edit(target, drop_e06)
    assert return_status([clean], scene["frameworks"], roster).complete
    result = CliRunner().invoke(
        main, ["status", str(clean), "--roster", str(scene["only_ma"]), "--framework", str(scene["framework_path"])]
    )
    assert result.exit_code == 0, result.output
    assert "1 of 1 manager(s) returned a workbook; 1 complete." in result.stdout


def test_workbooks_of_another_cycle_are_not_counted(scene: dict[str, Any]) -> None:
    status = return_status([scene["returned"]], scene["frameworks"], scene["roster"], cycle="2026-Q3")
    assert not any(m.returned for m in status.managers)
    assert any("for cycle 2026-Q4, the status for 2026-Q3" in p.message for p in status.problems)


def test_usage_errors_exit_2(scene: dict[str, Any]) -> None:
    framework = ["--framework", str(scene["framework_path"])]
    no_roster = CliRunner().invoke(main, ["status", str(scene["returned"]), *framework])
    assert no_roster.exit_code == 2
    bad_cycle = CliRunner().invoke(
        main,
        ["status", str(scene["returned"]), "--roster", str(scene["roster_path"]), "--cycle", "2026-Q9", *framework],
    )
    assert bad_cycle.exit_code == 2


def test_help_says_the_exit_codes() -> None:
    result = CliRunner().invoke(main, ["status", "--help"])
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    assert "Exit 0 when every manager returned a complete workbook" in text and "2 on a usage error" in text
