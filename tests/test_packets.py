"""Promotion packets and employee self-service reports: generate → fill → analyze → write, then read back."""

from __future__ import annotations

import os
import re
import subprocess
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml
from click.testing import CliRunner
from conftest import base_framework
from filling import fill

from matrixkit import load_frameworks
from matrixkit.assess.results import Analysis
from matrixkit.cli.main import main
from matrixkit.model.words import ReasonWords
from matrixkit.outputs.generate import generate_workbooks
from matrixkit.outputs.packets import (
    PACKET_SHEET,
    REVIEW_SHEET,
    write_employee_reports,
    write_packets,
)
from matrixkit.outputs.pdf import soffice_path
from matrixkit.run import analyze_workbooks
from matrixkit.sources.roster import read_roster

CYCLE = "2026-Q4"
EVIDENCE = "Has led a project with 3+ cross-team stakeholders"
COMPETENCIES = ["Communication", "Collaboration", "Delivery", "Craft", "Design", "Operations", "Coaching"]
ROSTER = [
    # id, name, level, manager, level_since
    ("EMP000", "Orla Vance", "M3", "BOSS", "2024-01-15"),
    ("EMP001", "Quinn Darrow", "M1", "EMP000", "2024-01-15"),
    ("EMP002", "Rhea Solberg", "M1", "EMP000", "2024-01-15"),
    ("EMP010", "Tariq Nwosu", "L2", "EMP001", "2024-01-15"),
    ("EMP011", "Ulla Brandt", "L2", "EMP001", "2024-01-15"),
    ("EMP012", "Vikram Osei", "L2", "EMP001", "2024-01-15"),
    ("EMP013", "Wanda Ferreira", "L1", "EMP001", "2024-01-15"),
    ("EMP020", "Xavier Lindqvist", "L4", "EMP002", "2024-01-15"),
    ("EMP021", "Yara Castellanos", "L3", "EMP002", ""),
    ("EMP022", "Zeno Hartmann", "L1", "EMP002", "2024-01-15"),
    ("EMP023", "Aino Kaur", "L2", "EMP002", "2024-01-15"),
]


def _row(
    ratings: list[Any], evidence: str | None = "Yes", endorsement: str | None = "Yes", comments: str = ""
) -> dict[str, Any]:
    values: dict[str, Any] = dict(zip(COMPETENCIES, ratings, strict=True))
    values.update({EVIDENCE: evidence, "Manager endorsement": endorsement, "Comments": comments or None})
    return values


TYPED = {
    "EMP000": _row([4] * 7),  # M4 expects 5 everywhere: 7 gaps, not_ready
    "EMP001": _row([4] * 7, comments="Runs the best planning sessions in the group."),  # ready
    "EMP002": _row([2] * 7),  # below each_at_least 3: not_ready
    "EMP010": _row([4] * 7, comments="Ready; stronger than Vikram Osei on design."),  # ready
    "EMP011": _row([4] * 7, endorsement="No"),  # on_track: not endorsed
    "EMP012": _row([3] * 7),  # average 3 < 3.5: not_ready
    "EMP013": _row([3, 3, 3, None, 3, 3, 3]),  # incomplete
    "EMP020": _row([5] * 7),  # top_of_track
    "EMP021": _row([5, 5, 5, 5, 5, 5, 4]),  # on_track: no level_since, months unknown
    "EMP022": _row([3] * 7, comments="Promote. Quinn Darrow (EMP001) agrees."),  # ready
    "EMP023": _row([4, 4, "4.5", 4, 4, 4, 4]),  # incomplete (invalid)
}
WANT = {
    "EMP000": "not_ready",
    "EMP001": "ready",
    "EMP002": "not_ready",
    "EMP010": "ready",
    "EMP011": "on_track",
    "EMP012": "not_ready",
    "EMP013": "incomplete",
    "EMP020": "top_of_track",
    "EMP021": "on_track",
    "EMP022": "ready",
    "EMP023": "incomplete",
}


@pytest.fixture(scope="module")
def scene(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("packets")
    data = base_framework()
    data["promotion"]["sustained_cycles"] = 1
    framework_path = folder / "eng.yaml"
    framework_path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    frameworks = load_frameworks([framework_path])
    lines = ["employee_id,name,family,level,manager_id,manager_name,level_since"]
    lines += [f"{i},{n},eng,{lv},{m},Board Chair,{s}" for i, n, lv, m, s in ROSTER]
    roster_path = folder / "roster.csv"
    roster_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    roster = read_roster(roster_path, frameworks)
    for path in generate_workbooks(frameworks, roster, CYCLE, folder / "generated"):
        ws = openpyxl.load_workbook(path)["Ratings"]
        ids = [ws.cell(r, 1).value for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value]
        fill(path, folder / "filled" / path.name, {i: TYPED[i] for i in ids})
    calibration = folder / "calibration.csv"
    calibration.write_text("employee_id\nEMP001\nEMP010\nEMP011\nEMP021\nEMP022\n", encoding="utf-8")
    analysis = analyze_workbooks(
        [folder / "filled"], frameworks, roster=roster, cycle=CYCLE, calibration_file=calibration
    )
    return {
        "folder": folder,
        "frameworks": frameworks,
        "analysis": analysis,
        "framework_path": framework_path,
        "roster_path": roster_path,
        "calibration": calibration,
    }


def _strings(path: Path) -> list[str]:
    wb = openpyxl.load_workbook(path)
    return [str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]


def _rows(path: Path, sheet: str) -> list[list[Any]]:
    ws = openpyxl.load_workbook(path)[sheet]
    return [[c.value for c in row] for row in ws.iter_rows()]


def _section(rows: list[list[Any]], heading: str) -> list[list[Any]]:
    """The table under a heading: its header row and the rows up to the next blank row."""
    start = next(
        i for i, r in enumerate(rows) if r[0] and str(r[0]).startswith(heading) and all(v is None for v in r[1:])
    )
    found: list[list[Any]] = []
    for row in rows[start + 1 :]:
        if all(v is None for v in row):
            break
        found.append(row)
    return found


def test_statuses_are_the_scenario(scene: dict[str, Any]) -> None:
    analysis: Analysis = scene["analysis"]
    assert {e.employee_id: e.status for e in analysis.employees} == WANT


def test_packets_only_for_ready_and_on_track(scene: dict[str, Any], tmp_path: Path) -> None:
    paths = write_packets(scene["analysis"], scene["frameworks"], tmp_path, pdf=False)
    want = sorted(i for i, s in WANT.items() if s in ("ready", "on_track"))
    assert [p.name for p in paths] == sorted(p.name for p in paths)
    assert sorted(p.name.split("_")[0] for p in paths) == want
    assert {p.suffix for p in paths} == {".xlsx"}
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in paths)  # nothing half-written
    assert (tmp_path / "EMP010_Tariq-Nwosu.xlsx") in paths


def test_packet_content(scene: dict[str, Any], tmp_path: Path) -> None:
    analysis: Analysis = scene["analysis"]
    write_packets(analysis, scene["frameworks"], tmp_path, pdf=False)
    rows = _rows(tmp_path / "EMP011_Ulla-Brandt.xlsx", PACKET_SHEET)
    assert rows[0][0] == "Promotion packet — Ulla Brandt (EMP011)"
    who = {r[0]: r[1] for r in _section(rows, "Who")}
    assert who["Employee ID"] == "EMP011" and who["Name"] == "Ulla Brandt"
    assert who["Level"] == "L2 — Engineer 2" and who["Next level"] == "L3 — Engineer 3"
    assert who["Manager"] == "Quinn Darrow (EMP001)"
    assert who["Status"] == "On track" and who["Average"] == 4 and who["In level since"] == "2024-01-15"

    ratings = _section(rows, "Ratings against L2 and L3")
    assert ratings[0][:5] == ["Competency", "Rating", "Expected at L2", "Expected at L3", "Against L3"]
    by_name = {r[0]: r for r in ratings[1:]}
    assert list(by_name) == COMPETENCIES
    assert by_name["Craft"][1:5] == ["4 — Advanced", 3, 4, 0]
    assert by_name["Craft"][5] is None  # no gap: no description

    employee = next(e for e in analysis.employees if e.employee_id == "EMP011")
    criteria = _section(rows, "Promotion criteria")
    words = ReasonWords(scene["frameworks"][0])
    assert [(r[1], r[5]) for r in criteria[1:]] == [
        ({"met": "met", "not_met": "not met", "unknown": "unknown"}[c.result], words(c.detail))
        for c in employee.criteria
    ]
    assert not any("--calibration" in (r[5] or "") or "gap(s)" in (r[5] or "") for r in criteria[1:])
    assert ["Manager endorsement", "not met", None, None, None, "manager endorsement: No"] in criteria
    evidence = _section(rows, "Evidence")
    assert evidence[1][:3] == [EVIDENCE, "Yes", "yes"]
    state = {r[0]: r[1] for r in _section(rows, "Endorsement and calibration")}
    assert state["Manager endorsement"] == "No"
    assert state["Calibration"] == "met: confirmed in calibration"

    # A gap to the next level shows what that level looks like.
    fw = scene["frameworks"][0]
    rows = _rows(tmp_path / "EMP021_Yara-Castellanos.xlsx", PACKET_SHEET)
    coaching = next(r for r in _section(rows, "Ratings against L3 and L4") if r[0] == "Coaching")
    assert coaching[1:5] == ["4 — Advanced", 4, 5, -1]
    assert coaching[5] == fw.description("coaching", "L4")
    comments = _rows(tmp_path / "EMP010_Tariq-Nwosu.xlsx", PACKET_SHEET)
    assert _section(comments, "Manager's comments")[0][0] == "Ready; stronger than Vikram Osei on design."


def test_packets_are_byte_reproducible(scene: dict[str, Any], tmp_path: Path) -> None:
    first = write_packets(scene["analysis"], scene["frameworks"], tmp_path / "a", pdf=False)
    second = write_packets(scene["analysis"], scene["frameworks"], tmp_path / "b", pdf=False)
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]
    first = write_employee_reports(scene["analysis"], scene["frameworks"], tmp_path / "c")
    second = write_employee_reports(scene["analysis"], scene["frameworks"], tmp_path / "d")
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]


def test_text_is_never_a_formula(scene: dict[str, Any], tmp_path: Path) -> None:
    analysis: Analysis = scene["analysis"]
    employee = next(e for e in analysis.employees if e.employee_id == "EMP010")
    hostile = replace(employee, name='=HYPERLINK("http://x")', comments="+1+1")
    changed = replace(analysis, employees=[hostile])
    (path,) = write_packets(changed, scene["frameworks"], tmp_path, pdf=False)
    (report,) = write_employee_reports(changed, scene["frameworks"], tmp_path / "self")
    for written in (path, report):
        with zipfile.ZipFile(written) as archive:
            sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
            assert not any(b"<f>" in archive.read(n) for n in sheets)


def _other_people(analysis: Analysis, employee_id: str) -> list[str]:
    return [text for e in analysis.employees if e.employee_id != employee_id for text in (e.employee_id, e.name)]


def test_employee_reports_hold_nobody_elses_data(scene: dict[str, Any], tmp_path: Path) -> None:
    analysis: Analysis = scene["analysis"]
    paths = write_employee_reports(analysis, scene["frameworks"], tmp_path)
    assert len(paths) == len(analysis.employees)
    by_id = {p.name.split("_")[0]: p for p in paths}
    assert set(by_id) == set(WANT)
    manager_names = {"Board Chair", "BOSS"}
    for employee in analysis.employees:
        path = by_id[employee.employee_id]
        strings = _strings(path)
        assert any(employee.name in s for s in strings) and any(employee.employee_id in s for s in strings)
        forbidden = [*_other_people(analysis, employee.employee_id), *manager_names]
        for text in strings:
            for other in forbidden:
                assert other not in text, (employee.employee_id, other, text)
        with zipfile.ZipFile(path) as archive:
            for part in archive.namelist():
                xml = archive.read(part).decode("utf-8", errors="replace")
                for other in forbidden:
                    assert other not in xml, (employee.employee_id, part, other)
    # The comments of EMP022 name EMP001; they are for HR, never in the employee's own report.
    assert not any("Promote" in s for s in _strings(by_id["EMP022"]))


def test_employee_report_content(scene: dict[str, Any], tmp_path: Path) -> None:
    analysis: Analysis = scene["analysis"]
    fw = scene["frameworks"][0]
    write_employee_reports(analysis, scene["frameworks"], tmp_path)
    rows = _rows(tmp_path / "EMP021_Yara-Castellanos.xlsx", REVIEW_SHEET)
    assert rows[0][0] == "Your review — Yara Castellanos"
    ratings = _section(rows, "Your ratings")
    assert ratings[0][:5] == ["Competency", "Your rating", "Meaning", "Expected at L3", "Expected at L4"]
    coaching = next(r for r in ratings if r[0] == "Coaching")
    assert coaching[1:6] == [4, "4 — Advanced", 4, 5, "meets your level, below the next"]
    grow = _section(rows, "What to grow next")
    assert grow[1][0] == "Coaching" and grow[1][5] == fw.description("coaching", "L4")
    criteria = {r[0]: r for r in _section(rows, "Promotion criteria for L4")}
    assert criteria["Time in level"][1] == "Not known yet"
    assert criteria["Time in level"][5] == "HR has no date for when you reached L3; 12 months are needed."
    assert criteria["Calibration"][5] == "Confirmed in the calibration session."
    assert criteria["Average rating"][5] == "Your average is 4.86; the bar is 3.5."
    assert criteria["Evidence"][5] == f"{EVIDENCE}: Yes"
    assert "Your history" not in openpyxl.load_workbook(tmp_path / "EMP021_Yara-Castellanos.xlsx").sheetnames

    ready = {r[0]: r for r in _section(_rows(tmp_path / "EMP010_Tariq-Nwosu.xlsx", REVIEW_SHEET), "Promotion")}
    assert ready["Time in level"][1:] == ["Met", None, None, None, "35 months at L2 since 2024-01-15; 12 needed."]

    incomplete = _rows(tmp_path / "EMP013_Wanda-Ferreira.xlsx", REVIEW_SHEET)
    craft = next(r for r in _section(incomplete, "Your ratings") if r[0] == "Craft")
    assert craft[1:3] == [None, "not rated yet"]


def test_employee_reports_with_history(scene: dict[str, Any], tmp_path: Path) -> None:
    store = tmp_path / "history.db"
    filled = scene["folder"] / "filled"
    frameworks = scene["frameworks"]
    roster = read_roster(scene["roster_path"], frameworks)
    analyze_workbooks([filled], frameworks, roster=roster, cycle="2026-Q3", store=store)
    analysis = analyze_workbooks([filled], frameworks, roster=roster, cycle=CYCLE, store=store)
    paths = write_employee_reports(analysis, frameworks, tmp_path / "out", store=store)
    path = next(p for p in paths if p.name.startswith("EMP010_"))
    history = _rows(path, "Your history")
    assert history[2][:4] == ["Cycle", "Level", "Status", "Average"]
    assert [r[:4] for r in history[3:]] == [["2026-Q3", "L2", "on_track", 4], ["2026-Q4", "L2", "on_track", 4]]
    assert history[3][4:] == [4] * 7
    for p in paths:
        employee_id = p.name.split("_")[0]
        for text in _strings(p):
            for other in _other_people(analysis, employee_id):
                assert other not in text


def test_cli_writes_packets_and_employee_reports(scene: dict[str, Any], tmp_path: Path) -> None:
    args = [
        "analyze",
        str(scene["folder"] / "filled"),
        "--framework",
        str(scene["framework_path"]),
        "--roster",
        str(scene["roster_path"]),
        "--cycle",
        CYCLE,
        "--calibration",
        str(scene["calibration"]),
        "--out",
        str(tmp_path / "report.xlsx"),
        "--packets",
        str(tmp_path / "packets"),
        "--employee-reports",
        str(tmp_path / "employees"),
    ]
    env = {"PATH": ""}  # no LibreOffice: packets without PDFs, said once
    result = CliRunner().invoke(main, args, env=env)
    assert result.exit_code == 1, result.output  # the scenario has an invalid rating: a problem
    assert (tmp_path / "report.xlsx").is_file()
    packets = sorted(p.name for p in (tmp_path / "packets").iterdir())
    assert [n.split("_")[0] for n in packets] == ["EMP001", "EMP010", "EMP011", "EMP021", "EMP022"]
    assert len(list((tmp_path / "employees").iterdir())) == len(WANT)
    assert result.stderr.count("soffice") == 1


def _libreoffice_or_skip() -> str:
    found = soffice_path()
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice (soffice) is not on PATH; CI is set, so the PDF tests must run")
        pytest.skip("LibreOffice (soffice) is not on PATH")
    return found


def test_packets_as_pdf(scene: dict[str, Any], tmp_path: Path) -> None:
    _libreoffice_or_skip()
    paths = write_packets(scene["analysis"], scene["frameworks"], tmp_path / "a")
    pdfs = [p for p in paths if p.suffix == ".pdf"]
    assert sorted(p.with_suffix(".xlsx") for p in pdfs) == [p for p in paths if p.suffix == ".xlsx"]
    for pdf in pdfs:
        data = pdf.read_bytes()
        assert data.startswith(b"%PDF-") and b"%%EOF" in data[-1024:]
    assert re.search(rb"/CreationDate\s*\(D:20261001", pdfs[0].read_bytes())
    again = write_packets(scene["analysis"], scene["frameworks"], tmp_path / "b")
    for first, second in zip(paths, again, strict=True):
        one, two = first.read_bytes(), second.read_bytes()
        if first.suffix == ".xlsx":
            assert one == two, f"same inputs, same workbook bytes: {first.name}"
            continue
        # Same stamps (time and id come from the inputs, not the clock) and the same text on every page.
        # Not the same bytes in every run: LibreOffice embeds the font fontconfig resolves at that moment,
        # and in a full test run it once embedded a different subset (Length1 27912 against 29104).
        stamps = (rb"/CreationDate\s*\([^)]*\)", rb"/ID\s*\[[^\]]*\]")
        for stamp in stamps:
            assert re.findall(stamp, one) == re.findall(stamp, two), f"{first.name}: {stamp!r}"
        assert _pdf_text(first) == _pdf_text(second), f"same inputs, same text: {first.name}"


def _pdf_text(pdf: Path) -> str:
    done = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_cli_never_writes_documents_among_the_inputs(scene: dict[str, Any], tmp_path: Path) -> None:
    filled = scene["folder"] / "filled"
    before = sorted(p.name for p in filled.iterdir())
    for option in ("--packets", "--employee-reports"):
        result = CliRunner().invoke(
            main,
            [
                "analyze",
                str(filled),
                "--framework",
                str(scene["framework_path"]),
                "--out",
                str(tmp_path / "report.xlsx"),
                option,
                str(filled / "inside"),
            ],
        )
        assert result.exit_code == 2 and "holds input workbooks" in result.output
    assert sorted(p.name for p in filled.iterdir()) == before


def _texts(folder: Path) -> str:
    """Every part of every workbook (and every other file) in `folder`, as one text."""
    found: list[str] = []
    for path in [folder] if folder.is_file() else sorted(folder.rglob("*")):
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as archive:
                found.extend(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
        elif path.is_file():
            found.append(path.read_bytes().decode("utf-8", "replace"))
    return "\n".join(found)


def test_equity_columns_never_reach_packets_or_employee_reports(scene: dict[str, Any], tmp_path: Path) -> None:
    lines = scene["roster_path"].read_text(encoding="utf-8").splitlines()
    groups = ("Zebrafinch", "Quokka")
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "\n".join([lines[0] + ",birdname", *(f"{line},{groups[n % 2]}" for n, line in enumerate(lines[1:]))]) + "\n",
        encoding="utf-8",
    )

    def run(out: Path, *extra: str) -> str:
        args = ["analyze", str(scene["folder"] / "filled"), "--framework", str(scene["framework_path"])]
        args += ["--roster", str(roster), "--cycle", CYCLE, "--calibration", str(scene["calibration"])]
        args += ["--out", str(out / "report.xlsx"), "--json", str(out / "report.json"), *extra]
        args += ["--packets", str(out / "packets"), "--employee-reports", str(out / "employees")]
        result = CliRunner().invoke(main, args, env={"PATH": ""})
        assert result.exit_code == 1, result.output
        assert list((out / "packets").iterdir()) and list((out / "employees").iterdir())
        for folder in ("packets", "employees"):
            text = _texts(out / folder)
            assert not any(word in text for word in ("birdname", *groups)), folder
        return _texts(out / "report.xlsx") + (out / "report.json").read_text(encoding="utf-8")

    with_option = run(tmp_path / "with", "--equity", "birdname")
    assert all(word in with_option for word in ("birdname", *groups))
    without = run(tmp_path / "without")
    assert not any(word in without for word in ("birdname", *groups, "Equity"))
