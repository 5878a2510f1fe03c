from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import FT_ENGINEERING, TEMPLATES
from python_calamine import CalamineWorkbook

from matrixkit.authoring import (
    CRITERIA_SHEET,
    DESCRIPTIONS_SHEET,
    PROFILES_SHEET,
    export_framework,
    framework_workbook_bytes,
    framework_yaml,
    import_framework_workbook,
    read_framework_workbook,
    same_framework,
)
from matrixkit.cli.main import main
from matrixkit.errors import FrameworkError, WorkbookImportError
from matrixkit.model.diff import diff_frameworks
from matrixkit.model.framework import CRITERIA_KEYS, Framework, load_framework
from matrixkit.workbook.cells import cell_ref

FRAMEWORKS = [*sorted(TEMPLATES.glob("*.yaml")), FT_ENGINEERING]


def cell_of(path: Path, sheet: str, row_key: str, column_header: str) -> str:
    """The A1 address of the cell in the row whose column A is `row_key`, under `column_header` in row 1."""
    grid = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    col = list(grid[0]).index(column_header)
    row = next(i for i, r in enumerate(grid) if r[0] == row_key)
    return cell_ref(row, col)


def criteria_cell(path: Path, owner: str, target: str, key: str) -> str:
    grid = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(CRITERIA_SHEET).to_python(skip_empty_area=False)
    col = list(grid[0]).index(key)
    row = next(i for i, r in enumerate(grid) if r[0] == owner and r[1] == target)
    return cell_ref(row, col)


def edit(path: Path, edits: list[tuple[str, str, Any]]) -> Path:
    book = openpyxl.load_workbook(path)
    for sheet, ref, value in edits:
        book[sheet][ref].value = value
    out = path.with_name(path.stem + "-edited.xlsx")
    book.save(out)
    return out


@pytest.fixture
def engineering_xlsx(tmp_path: Path) -> Path:
    return export_framework(load_framework(TEMPLATES / "engineering.yaml"), tmp_path / "engineering.xlsx")


# -- round trip ------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", FRAMEWORKS, ids=lambda p: p.stem)
def test_yaml_to_xlsx_to_yaml_is_lossless(path: Path, tmp_path: Path) -> None:
    original = load_framework(path)
    xlsx = export_framework(original, tmp_path / "framework.xlsx")
    result = import_framework_workbook(xlsx)
    assert not [p for p in result.problems if p.severity == "error"]
    assert result.framework is not None
    assert result.framework.model_dump(by_alias=True) == original.model_dump(by_alias=True)
    assert result.framework.fingerprint == original.fingerprint
    assert same_framework(result.framework, original)  # each override names the same keys (`none` kept)
    for level_id in original.level_by_id:
        assert result.framework.criteria_for(level_id) == original.criteria_for(level_id)
    written = tmp_path / "framework.yaml"
    written.write_text(framework_yaml(result.framework), encoding="utf-8")
    reloaded = load_framework(written)
    assert same_framework(reloaded, original)
    assert reloaded.fingerprint == original.fingerprint


def test_real_world_text_survives_exactly(tmp_path: Path) -> None:
    original = load_framework(FT_ENGINEERING)
    texts = [t for c in original.competencies for t in c.descriptions.values()]
    assert any("\u200b" in t for t in texts) and any("\n" in t.rstrip("\n") for t in texts)
    back = read_framework_workbook(export_framework(original, tmp_path / "ft.xlsx"))
    assert [t for c in back.competencies for t in c.descriptions.values()] == texts


def test_export_is_reproducible() -> None:
    fw = load_framework(TEMPLATES / "engineering.yaml")
    assert framework_workbook_bytes(fw) == framework_workbook_bytes(load_framework(TEMPLATES / "engineering.yaml"))


def test_workbook_has_the_sheets_headers_and_validations(engineering_xlsx: Path) -> None:
    book = openpyxl.load_workbook(engineering_xlsx)
    assert book.sheetnames == [
        "Instructions",
        "Family & scale",
        "Levels",
        "Competencies",
        "Descriptions",
        "Role profiles",
        "Anchors",
        "Criteria",
        "Evidence",
        "Metrics",
        "Lateral paths",
    ]
    levels = [c.value for c in book["Levels"][1]]
    assert levels == ["Track id", "Track name", "Entry from", "Entry to", "Level id", "Title", "Scope", "Equivalent"]
    assert [c.value for c in book["Competencies"][1]] == ["Id", "Name", "Kind", "Tracks", "Weight", "Lint allows"]
    criteria_headers = [c.value for c in book["Criteria"][1]]
    assert all(key in criteria_headers for key in CRITERIA_KEYS)
    kinds = [v for v in book["Competencies"].data_validations.dataValidation if v.type == "list"]
    assert kinds and kinds[0].formula1 == '"core,functional,leadership"'
    # A whole number on the scale, or n/a (not assessed at that level).
    expected = [v for v in book["Role profiles"].data_validations.dataValidation if v.type == "custom"]
    assert expected and expected[0].formula1 == 'OR(C3="n/a",AND(ISNUMBER(C3),C3=INT(C3),C3>=1,C3<=5))'
    descriptions = book["Descriptions"]
    assert descriptions["C1"].value == "IC1" and descriptions["C3"].alignment.wrap_text


# -- import: validation located at sheet and cell -----------------------------------------------


def test_schema_errors_name_sheet_and_cell(engineering_xlsx: Path) -> None:
    kind = cell_of(engineering_xlsx, "Competencies", "delivery", "Kind")
    weight = cell_of(engineering_xlsx, "Competencies", "ownership", "Weight")
    months = criteria_cell(engineering_xlsx, "level", "IC2", "months_in_level_at_least")
    edited = edit(
        engineering_xlsx,
        [("Competencies", kind, "mystery"), ("Competencies", weight, "heavy"), (CRITERIA_SHEET, months, 2.5)],
    )
    result = import_framework_workbook(edited)
    assert result.framework is None
    located = {(p.sheet, p.cell): p for p in result.problems if p.severity == "error"}
    assert ("Competencies", kind) in located and "core" in located[("Competencies", kind)].message
    assert "expected a number" in located[("Competencies", weight)].message
    assert "whole number" in located[(CRITERIA_SHEET, months)].message
    with pytest.raises(FrameworkError):
        read_framework_workbook(edited)


def test_reference_errors_name_sheet_and_cell(engineering_xlsx: Path) -> None:
    expected = cell_of(engineering_xlsx, PROFILES_SHEET, "M1", "technical_craft")  # IC-only competency
    evidence = criteria_cell(engineering_xlsx, "level", "IC3", "evidence")
    edited = edit(engineering_xlsx, [(PROFILES_SHEET, expected, 3), (CRITERIA_SHEET, evidence, "design_doc, nope")])
    problems = import_framework_workbook(edited).problems
    located: dict[tuple[str | None, str | None], list[str]] = {}
    for p in problems:
        if p.severity == "error":
            located.setdefault((p.sheet, p.cell), []).append(p.message)
    assert "does not apply to track 'management'" in located[(PROFILES_SHEET, expected)][0]
    messages = " | ".join(located[(CRITERIA_SHEET, evidence)])
    assert "unknown evidence item 'design_doc'" in messages and "unknown evidence item 'nope'" in messages


def test_none_clears_and_blank_inherits(engineering_xlsx: Path) -> None:
    evidence = criteria_cell(engineering_xlsx, "level", "IC3", "evidence")
    calibration = criteria_cell(engineering_xlsx, "level", "IC4", "calibration")
    average = criteria_cell(engineering_xlsx, "level", "IC4", "average_at_least")
    edited = edit(
        engineering_xlsx,
        [(CRITERIA_SHEET, evidence, None), (CRITERIA_SHEET, calibration, "none"), (CRITERIA_SHEET, average, None)],
    )
    fw = read_framework_workbook(edited)
    default = fw.promotion
    assert fw.criteria_for("IC3").evidence == default.evidence  # blank: not set, the default applies
    assert fw.criteria_for("IC4").calibration is None  # none: explicitly not checked
    assert default.calibration is True
    assert fw.criteria_for("IC4").average_at_least == default.average_at_least
    original = load_framework(TEMPLATES / "engineering.yaml")
    paths = {c.path for c in diff_frameworks(original, fw)}
    assert "levels.IC4.promotion.calibration" in paths and "levels.IC3.promotion.evidence" in paths


def test_lint_warnings_are_located_and_do_not_block(tmp_path: Path) -> None:
    xlsx = export_framework(load_framework(FT_ENGINEERING), tmp_path / "ft.xlsx")
    result = import_framework_workbook(xlsx)
    assert result.ok and result.problems
    assert all(p.severity == "warning" and p.sheet and p.cell for p in result.problems)
    assert {p.sheet for p in result.problems} >= {DESCRIPTIONS_SHEET}


def test_not_a_spreadsheet(tmp_path: Path) -> None:
    path = tmp_path / "notes.xlsx"
    path.write_text("hello", encoding="utf-8")
    with pytest.raises(WorkbookImportError):
        import_framework_workbook(path)


def test_inconsistent_track_rows(engineering_xlsx: Path) -> None:
    name = cell_of(engineering_xlsx, "Levels", "ic", "Track name")
    second = name[0] + str(int(name[1:]) + 1)
    problems = import_framework_workbook(edit(engineering_xlsx, [("Levels", second, "Other")])).problems
    assert [(p.sheet, p.cell) for p in problems if p.severity == "error"] == [("Levels", second)]


# -- CLI -------------------------------------------------------------------------------------------


def test_cli_export_then_import(tmp_path: Path) -> None:
    runner = CliRunner()
    xlsx, out = tmp_path / "sales.xlsx", tmp_path / "sales.yaml"
    result = runner.invoke(main, ["framework", "export", str(TEMPLATES / "sales.yaml"), "-o", str(xlsx)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["framework", "import", str(xlsx), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert same_framework(load_framework(out), load_framework(TEMPLATES / "sales.yaml"))
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Imported from sales.xlsx")
    keys = [line.split(":")[0] for line in text.splitlines() if line[:1].isalpha()]
    assert keys == ["matrixkit", "family", "scale", "competencies", "evidence", "metrics", "promotion", "tracks"]


def test_cli_import_errors_exit_1_and_write_nothing(engineering_xlsx: Path, tmp_path: Path) -> None:
    kind = cell_of(engineering_xlsx, "Competencies", "delivery", "Kind")
    edited = edit(engineering_xlsx, [("Competencies", kind, "mystery")])
    out = tmp_path / "out.yaml"
    result = CliRunner().invoke(main, ["framework", "import", str(edited), "-o", str(out)])
    assert result.exit_code == 1
    assert f"Competencies!{kind}" in result.output and "nothing was written" in result.output
    assert not out.exists()


def test_cli_import_prints_warnings_and_writes(tmp_path: Path) -> None:
    xlsx = export_framework(load_framework(FT_ENGINEERING), tmp_path / "ft.xlsx")
    out = tmp_path / "ft.yaml"
    result = CliRunner().invoke(main, ["framework", "import", str(xlsx), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "warning" in result.output and "Descriptions!" in result.output
    assert same_framework(load_framework(out), load_framework(FT_ENGINEERING))


def test_cli_export_of_a_broken_framework_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("matrixkit: 1\nfamily: {id: x}\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["framework", "export", str(bad), "-o", str(tmp_path / "x.xlsx")])
    assert result.exit_code == 2


# -- a real LibreOffice edit ---------------------------------------------------------------------


@pytest.mark.libreoffice
@pytest.mark.parametrize("fmt", ["xlsx", "ods"])
def test_libreoffice_edit_round_trip(libreoffice: Any, tmp_path: Path, fmt: str) -> None:
    original = load_framework(TEMPLATES / "engineering.yaml")
    xlsx = export_framework(original, tmp_path / "engineering.xlsx")
    description = cell_of(xlsx, DESCRIPTIONS_SHEET, "communication", "IC3")
    expected = cell_of(xlsx, PROFILES_SHEET, "IC2", "communication")
    new_text = "Presents the team's plans at quarterly planning.\nWrites release notes that support staff use."
    saved = tmp_path / f"edited.{fmt}"
    libreoffice.fill(xlsx, saved, [(DESCRIPTIONS_SHEET, description, new_text), (PROFILES_SHEET, expected, 4)])
    result = import_framework_workbook(saved)
    assert result.framework is not None, [p.describe() for p in result.problems]
    changes = diff_frameworks(original, result.framework)
    assert [(c.path, c.old, c.new) for c in changes] == [
        ("competencies.communication.descriptions.IC3", original.description("communication", "IC3"), new_text),
        ("levels.IC2.expected.communication", 2, 4),
    ]


@pytest.mark.libreoffice
def test_libreoffice_resave_keeps_real_world_text(libreoffice: Any, tmp_path: Path) -> None:
    original: Framework = load_framework(FT_ENGINEERING)
    xlsx = export_framework(original, tmp_path / "ft.xlsx")
    saved = tmp_path / "ft-resaved.xlsx"
    libreoffice.fill(xlsx, saved, [])
    back = read_framework_workbook(saved)
    assert diff_frameworks(original, back) == []
    assert same_framework(back, original)


def test_import_scans_the_file_before_reading_it(tmp_path: Path) -> None:
    # A 1 KB file with a cell at XFD1048576 makes calamine abort the process: the scan must refuse it first.
    from badfiles import minimal_xlsx, rows_xml

    path = minimal_xlsx(
        tmp_path / "hostile.xlsx",
        {"Levels": rows_xml({"A1": "Track id", "XFD1048576": 1})},
        dimensions={"Levels": "A1:XFD1048576"},
    )
    with pytest.raises(WorkbookImportError, match="sheet 'Levels' reaches XFD1048576"):
        import_framework_workbook(path)


def test_list_sheets_are_written_with_the_headers_the_import_reads(engineering_xlsx: Path) -> None:
    from matrixkit.authoring import sheets

    book = CalamineWorkbook.from_path(str(engineering_xlsx))
    for name, table in (
        (sheets.LEVELS_SHEET, sheets.LEVEL_TABLE),
        (sheets.COMPETENCIES_SHEET, sheets.COMPETENCY_TABLE),
        (sheets.EVIDENCE_SHEET, sheets.EVIDENCE_TABLE),
        (sheets.METRICS_SHEET, sheets.METRIC_TABLE),
        (sheets.LATERAL_SHEET, sheets.LATERAL_TABLE),
    ):
        header = book.get_sheet_by_name(name).to_python(skip_empty_area=False)[0]
        assert header == [c.header for c in table], name
    assert book.sheet_names == [sheets.INSTRUCTIONS_SHEET, *sheets.SHEETS]
