from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml
from click.testing import CliRunner
from conftest import TEMPLATES, base_framework
from filling import fill, header_of, oracle_status

from matrixkit import __version__, load_frameworks
from matrixkit.cli.main import main
from matrixkit.model.framework import Framework
from matrixkit.model.roster import Roster
from matrixkit.outputs.generate import generate_workbooks
from matrixkit.run import analyze_workbooks
from matrixkit.sources.roster import read_roster

CYCLE = "2026-Q4"
CYCLE_END = date(2026, 12, 31)


def _pick(key: str, choices: list[Any]) -> Any:
    return choices[hashlib.sha256(key.encode()).digest()[0] % len(choices)]


def plan_row(fw: Framework, employee: Any) -> dict[str, Any]:
    """What the manager types for one employee: header → value; some rows incomplete on purpose."""
    track = fw.track_of_level[employee.level]
    target = fw.next_level(employee.level) or fw.level_by_id[employee.level]
    values: dict[str, Any] = {}
    for comp in fw.competencies_for(track.id):
        base = target.expected.get(comp.id, 3)
        values[comp.name] = max(1, min(5, base + _pick(employee.employee_id + comp.id, [-1, 0, 0, 0, 1])))
    if _pick(employee.employee_id + "blank", [False, False, False, False, True]):
        values[fw.competencies_for(track.id)[0].name] = None
    for item in fw.evidence:
        values[item.prompt] = _pick(employee.employee_id + item.id, ["Yes", "Yes", "yes ", "No", None])
    values["Manager endorsement"] = _pick(employee.employee_id + "endorse", ["Yes", "Y", "No", None])
    return values


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The conftest framework with sustained_cycles 1 (so `ready` is reachable without history)."""
    folder = tmp_path_factory.mktemp("analyze")
    data = base_framework()
    data["promotion"]["sustained_cycles"] = 1
    framework_path = folder / "eng.yaml"
    framework_path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    frameworks = load_frameworks([framework_path])
    lines = ["employee_id,name,family,level,manager_id,manager_name,level_since"]
    levels = ["L1", "L2", "L3", "L4", "M1", "M2", "M3", "M4"]
    for n in range(24):
        manager = ["MA", "MB", "MC"][n % 3]
        since = ["2024-01-15", "2026-03-06", "2025-12-31", ""][n % 4]
        lines.append(f"E{n:02d},Person {n:02d},eng,{levels[n % len(levels)]},{manager},Manager {manager},{since}")
    roster_path = folder / "roster.csv"
    roster_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    roster = read_roster(roster_path, frameworks)
    generated = generate_workbooks(frameworks, roster, CYCLE, folder / "generated")
    typed: dict[str, dict[str, Any]] = {}
    for path in generated:
        ws = openpyxl.load_workbook(path)["Ratings"]
        ids = [ws.cell(r, 1).value for r in range(2, ws.max_row + 1)]
        values = {i: plan_row(frameworks[0], roster.by_id[i]) for i in ids}
        typed.update(values)
        fill(path, folder / "filled" / path.name, values)
    calibration = folder / "calibration.csv"
    calibration.write_text(
        "employee_id,confirmed\n" + "".join(f"E{n:02d},{_pick(str(n), ['Yes', 'no', ''])}\n" for n in range(0, 24, 2)),
        encoding="utf-8",
    )
    return {
        "folder": folder,
        "frameworks": frameworks,
        "roster": roster,
        "typed": typed,
        "filled": folder / "filled",
        "calibration": calibration,
        "roster_path": roster_path,
        "framework_path": framework_path,
    }


def test_round_trip_gives_back_what_was_typed_and_spec_statuses(small: dict[str, Any]) -> None:
    fw: Framework = small["frameworks"][0]
    roster: Roster = small["roster"]
    before = {p: p.read_bytes() for p in small["filled"].iterdir()}
    analysis = analyze_workbooks(
        [small["filled"]], small["frameworks"], roster=roster, cycle=CYCLE, calibration_file=small["calibration"]
    )
    calibrated = {f"E{n:02d}": _pick(str(n), [True, False, True]) for n in range(0, 24, 2)}
    assert {p: p.read_bytes() for p in small["filled"].iterdir()} == before, "inputs must never change"
    assert len(analysis.employees) == 24 and analysis.missing == []
    statuses = set()
    for employee in analysis.employees:
        typed = small["typed"][employee.employee_id]
        person = roster.by_id[employee.employee_id]
        by_id = {c.id: typed.get(c.name) for c in fw.competencies_for(fw.track_of_level[person.level].id)}
        assert employee.ratings == {c: v for c, v in by_id.items() if v is not None}
        evidence = {item.id: typed.get(item.prompt) for item in fw.evidence}
        endorsement = {"y": "yes"}.get(str(typed["Manager endorsement"]).lower(), typed["Manager endorsement"])
        want = oracle_status(
            fw,
            person.level,
            by_id,
            evidence=evidence,
            endorsement=endorsement,
            level_since=person.level_since,
            cycle_end=CYCLE_END,
            calibrated=calibrated.get(employee.employee_id, False),
        )
        assert employee.status == want, (employee.employee_id, employee.criteria)
        statuses.add(employee.status)
    assert {"incomplete", "top_of_track", "on_track"} <= statuses


def test_every_criterion_has_a_reason(small: dict[str, Any]) -> None:
    analysis = analyze_workbooks([small["filled"]], small["frameworks"], roster=small["roster"], cycle=CYCLE)
    for employee in analysis.employees:
        for criterion in employee.criteria:
            assert criterion.result in ("met", "not_met", "unknown") and criterion.detail
    months = [c for e in analysis.employees for c in e.criteria if c.criterion == "months_in_level_at_least"]
    assert any("since 2026-03-06" in c.detail and c.detail.startswith("9 months") for c in months)
    calibration = [c for e in analysis.employees for c in e.criteria if c.criterion == "calibration"]
    assert calibration and all(c.result == "unknown" for c in calibration)


def test_cli_json_equals_library_call_and_exit_codes(small: dict[str, Any], tmp_path: Path) -> None:
    report, document = tmp_path / "report.xlsx", tmp_path / "report.json"
    args = [
        "analyze",
        str(small["filled"]),
        "--framework",
        str(small["framework_path"]),
        "--roster",
        str(small["roster_path"]),
        "--cycle",
        CYCLE,
        "--out",
        str(report),
        "--json",
        str(document),
    ]
    result = CliRunner().invoke(main, args)
    analysis = analyze_workbooks([small["filled"]], small["frameworks"], roster=small["roster"], cycle=CYCLE)
    assert result.exit_code == (1 if analysis.problems else 0), result.output
    assert json.loads(document.read_text(encoding="utf-8")) == json.loads(
        json.dumps(analysis.to_dict(__version__), ensure_ascii=False)
    )
    assert report.is_file()
    assert "ready" in result.output and str(report) in result.output


def test_cli_refuses_to_write_over_an_input(small: dict[str, Any]) -> None:
    victim = next(small["filled"].iterdir())
    before = victim.read_bytes()
    result = CliRunner().invoke(
        main, ["analyze", str(victim), "--framework", str(small["framework_path"]), "--out", str(victim)]
    )
    assert result.exit_code == 2 and "one of the inputs" in result.output
    assert victim.read_bytes() == before


def test_nothing_readable_exits_2_and_writes_only_the_json(small: dict[str, Any], tmp_path: Path) -> None:
    junk = tmp_path / "junk.xlsx"
    junk.write_text("not a workbook", encoding="utf-8")
    report, document = tmp_path / "r.xlsx", tmp_path / "r.json"
    result = CliRunner().invoke(
        main,
        [
            "analyze",
            str(junk),
            "--framework",
            str(small["framework_path"]),
            "--out",
            str(report),
            "--json",
            str(document),
        ],
    )
    assert result.exit_code == 2
    assert not report.exists()
    problems = json.loads(document.read_text())["problems"]
    assert problems[0]["file"] == str(junk) and "not a zip" in problems[0]["message"]


def test_engineering_template_end_to_end(tmp_path: Path) -> None:
    frameworks = load_frameworks([TEMPLATES / "engineering.yaml"])
    roster = read_roster(TEMPLATES / "rosters" / "engineering.csv", frameworks)
    paths = generate_workbooks(frameworks, roster, CYCLE, tmp_path / "gen")
    fw = frameworks[0]
    for path in paths:
        ws = openpyxl.load_workbook(path)["Ratings"]
        ids = [ws.cell(r, 1).value for r in range(2, ws.max_row + 1)]
        fill(path, tmp_path / "filled" / path.name, {i: plan_row(fw, roster.by_id[i]) for i in ids})
    analysis = analyze_workbooks([tmp_path / "filled"], frameworks, roster=roster, cycle=CYCLE)
    assert len(analysis.employees) == len(roster.employees)
    assert [p for p in analysis.problems if p.severity == "error"] == []
    assert analysis.calibration and all(row.rated >= 1 for row in analysis.calibration)
    assert analysis.development, "development plans list the competencies to grow"
    assert header_of(openpyxl.load_workbook(paths[0])["Ratings"])[0] == "Employee ID"
