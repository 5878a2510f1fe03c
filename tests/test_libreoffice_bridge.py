"""Tests of the LibreOffice harness itself (tests/libreoffice.py + tests/uno_bridge.py).

They open an xlsxwriter workbook in a real headless LibreOffice, so they also pin down what
LibreOffice does with such files: it shows the cached formula values as written (the trap: our
generator must write true cached values), recalculates on request, and keeps validation,
protection, hidden sheets and custom properties across an xlsx and an ods round trip.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from libreoffice import LibreOffice, LibreOfficeError, LOWorkbook

pytest_plugins = ["conftest_libreoffice"]

YELLOW = "#FFFF00"


def _write_workbook(path: Path) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    ratings = wb.add_worksheet("Ratings")
    lists = wb.add_worksheet("Lists")
    secret = wb.add_worksheet("Secret")

    unlocked = wb.add_format({"locked": False})
    unlocked_yellow = wb.add_format({"locked": False, "bg_color": YELLOW})

    ratings.write_row(0, 0, ["Self", "Peer", "Manager", "Average", "Agree?", "Check", "Total"])
    ratings.write_row(1, 0, [3, 4, 5], unlocked)
    # Deliberately wrong cached value: the true average is 4.
    ratings.write_formula("D2", "=AVERAGE(A2:C2)", None, 0)
    ratings.write_blank("E2", None, unlocked_yellow)
    ratings.write_formula("F2", "=1/0", None, "#DIV/0!")
    # An empty cached string result makes LibreOffice compute the cell even without recalc.
    ratings.write_formula("G2", "=SUM(A2:C2)", None, "")
    ratings.data_validation(
        "E2",
        {
            "validate": "list",
            "source": ["Yes", "No"],
            "input_title": "Agree?",
            "input_message": "Pick Yes or No",
            "error_title": "Not allowed",
            "error_message": "Choose from the list",
            "error_type": "stop",
        },
    )
    ratings.write_blank("E3", None, unlocked)
    ratings.data_validation("E3", {"validate": "list", "source": "=Lists!$A$1:$A$3"})
    ratings.protect()

    lists.write_column(0, 0, ["Low", "Mid", "High"])
    lists.hide()
    secret.write("A1", "not for users")
    secret.very_hidden()

    wb.set_custom_property("MatrixkitSchema", "1.0")
    wb.set_custom_property("Levels", 8)
    wb.set_custom_property("Reviewed", True)
    wb.set_custom_property("Generated", dt.datetime(2024, 5, 6, 7, 8, 9))
    wb.close()
    return path


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _write_workbook(tmp_path_factory.mktemp("lo-source") / "book.xlsx")


def test_profile_pins_recalculation_on_load_to_never(libreoffice: LibreOffice) -> None:
    info = libreoffice.ping()
    assert info["product"] == "LibreOffice"
    assert info["config"] == {"OOXMLRecalcMode": 1, "ODFRecalcMode": 1}


def test_read_without_recalc_shows_the_stale_cached_value(libreoffice: LibreOffice, source: Path) -> None:
    book = libreoffice.read(source, recalc=False)
    assert book["recalculated"] is False
    # LibreOffice ignores fullCalcOnLoad and shows the cached 0: what a user sees on opening.
    assert book.value("Ratings", "D2") == 0
    assert book.formula("Ratings", "D2") == "=AVERAGE(A2:C2)"
    # Cells without a usable cached value are computed anyway.
    assert book.value("Ratings", "G2") == 12
    assert book.value("Ratings", "F2") == "#DIV/0!"
    assert book.error("Ratings", "F2") == "#DIV/0!"
    assert book.rows("Ratings")[0] == ["Self", "Peer", "Manager", "Average", "Agree?", "Check", "Total"]
    assert book.value("Ratings", "E2") is None


def test_read_with_recalc_shows_the_true_average(libreoffice: LibreOffice, source: Path) -> None:
    book = libreoffice.read(source, recalc=True)
    assert book["recalculated"] is True
    assert book.value("Ratings", "D2") == 4
    assert book.value("Ratings", "G2") == 12
    assert book.error("Ratings", "F2") == "#DIV/0!"


def _assert_structure(book: LOWorkbook, *, levels: object = 8) -> None:
    assert book.sheet_names == ["Ratings", "Lists", "Secret"]
    assert book.visibility("Ratings") == "visible"
    assert book.visibility("Lists") == "hidden"
    # LibreOffice has no "very hidden" state: it loads (and saves) such a sheet as hidden.
    assert book.visibility("Secret") == "hidden"
    assert book.is_protected("Ratings")
    assert not book.is_protected("Lists")

    props = book.custom_properties
    assert props["MatrixkitSchema"] == "1.0"
    assert props["Levels"] == levels
    assert props["Reviewed"] is True
    assert props["Generated"].startswith("2024-05-06T07:08:09")

    e2 = book.cell("Ratings", "E2")
    assert e2["locked"] is False
    assert e2["background"] == YELLOW
    validation = book.validation("Ratings", "E2")
    assert validation is not None
    assert validation["type"] == "list"
    assert validation["list_entries"] == ["Yes", "No"]
    assert validation["show_input_message"] is True
    assert validation["input_title"] == "Agree?"
    assert validation["input_message"] == "Pick Yes or No"
    assert validation["show_error_message"] is True
    assert validation["error_style"] == "stop"
    assert validation["error_title"] == "Not allowed"
    assert validation["error_message"] == "Choose from the list"

    e3 = book.validation("Ratings", "E3")
    assert e3 is not None
    assert e3["type"] == "list"
    assert e3["list_source"] is not None and "Lists" in e3["list_source"]
    assert e3["list_entries"] == ["Low", "Mid", "High"]

    assert book.cell("Ratings", "A2")["locked"] is False
    assert book.cell("Ratings", "D2")["locked"] is True
    assert book.cell("Ratings", "D2")["background"] is None
    assert book.validation("Ratings", "D2") is None


def test_read_reports_structure(libreoffice: LibreOffice, source: Path) -> None:
    _assert_structure(libreoffice.read(source))


def test_read_only_the_requested_cells(libreoffice: LibreOffice, source: Path) -> None:
    book = libreoffice.read(source, cells={"Ratings": ["E2", "A1:B1"]})
    assert sorted(book["cells"]["Ratings"]) == ["A1", "B1", "E2"]
    assert book.validation("Ratings", "E2") is not None
    nothing = libreoffice.read(source, detail_sheet_prefix=None)
    assert nothing["cells"] == {}


def test_fill_recalculates_and_round_trips_through_xlsx(libreoffice: LibreOffice, source: Path, tmp_path: Path) -> None:
    out = tmp_path / "filled.xlsx"
    result = libreoffice.fill(source, out, [("Ratings", "B2", 7), {"sheet": "Ratings", "cell": "E2", "value": "Yes"}])
    assert out.is_file()
    assert result.value("Ratings", "D2") == 5
    assert result.value("Ratings", "G2") == 15
    assert result.value("Ratings", "E2") == "Yes"

    # LibreOffice writes true cached values: they show without any recalculation.
    back = libreoffice.read(out, recalc=False)
    assert back.value("Ratings", "B2") == 7
    assert back.value("Ratings", "D2") == 5
    assert back.value("Ratings", "E2") == "Yes"
    assert back.formula("Ratings", "D2") == "=AVERAGE(A2:C2)"
    assert back.error("Ratings", "F2") == "#DIV/0!"
    # An integer custom property comes back as a float (written as vt:r8).
    _assert_structure(back, levels=8.0)

    # The same file as openpyxl sees it.
    wb = openpyxl.load_workbook(out)
    assert wb["Ratings"]["D2"].value == "=AVERAGE(A2:C2)"
    assert wb["Ratings"].protection.sheet is True
    assert wb["Lists"].sheet_state == "hidden"
    assert wb["Secret"].sheet_state == "hidden"  # veryHidden does not survive
    assert wb["Ratings"]["E2"].protection.locked is False
    assert wb["Ratings"]["D2"].protection.locked is True
    validations = {str(dv.sqref): dv for dv in wb["Ratings"].data_validations.dataValidation}
    assert validations["E2"].type == "list"
    assert validations["E2"].formula1 == '"Yes,No"'
    assert validations["E2"].showInputMessage
    assert validations["E2"].promptTitle == "Agree?"
    assert validations["E2"].prompt == "Pick Yes or No"
    assert validations["E3"].formula1 == "Lists!$A$1:$A$3"
    custom = {p.name: p.value for p in wb.custom_doc_props.props}
    assert custom["MatrixkitSchema"] == "1.0"
    assert custom["Levels"] == 8
    assert custom["Reviewed"] is True
    cached = openpyxl.load_workbook(out, data_only=True)["Ratings"]
    assert cached["D2"].value == 5
    assert cached["G2"].value == 15
    assert cached["E2"].value == "Yes"


def test_fill_round_trips_through_ods(libreoffice: LibreOffice, source: Path, tmp_path: Path) -> None:
    out = tmp_path / "filled.ods"
    result = libreoffice.fill(source, out, [("Ratings", "A2", 6), ("Ratings", "E2", "No")], "ods")
    assert result["format"] == "ods"
    assert result.value("Ratings", "D2") == 5
    with zipfile.ZipFile(out) as zf:
        assert zf.read("mimetype") == b"application/vnd.oasis.opendocument.spreadsheet"

    back = libreoffice.read(out, recalc=False)
    assert back.value("Ratings", "A2") == 6
    assert back.value("Ratings", "D2") == 5
    assert back.value("Ratings", "E2") == "No"
    assert back.formula("Ratings", "D2") == "=AVERAGE(A2:C2)"
    _assert_structure(back, levels=8.0)


def test_fill_clears_cells_and_sets_formulas(libreoffice: LibreOffice, source: Path, tmp_path: Path) -> None:
    result = libreoffice.fill(
        source,
        tmp_path / "cleared.xlsx",
        [
            ("Ratings", "A2", None),
            {"sheet": "Ratings", "cell": "H2", "formula": "=MAX(A2:C2)"},
            ("Ratings", "E3", "=not a formula"),
        ],
    )
    assert result.value("Ratings", "A2") is None
    assert result.value("Ratings", "D2") == 4.5  # AVERAGE ignores the now empty cell
    assert result.value("Ratings", "H2") == 5
    assert result.formula("Ratings", "H2") == "=MAX(A2:C2)"
    assert result.value("Ratings", "E3") == "=not a formula"
    assert result.formula("Ratings", "E3") is None


def test_convert_to_pdf(libreoffice: LibreOffice, source: Path, tmp_path: Path) -> None:
    pdf = libreoffice.convert_pdf(source, tmp_path / "book.pdf")
    assert pdf.read_bytes()[:5] == b"%PDF-"


def test_errors_are_reported_and_soffice_survives(libreoffice: LibreOffice, source: Path, tmp_path: Path) -> None:
    with pytest.raises(LibreOfficeError, match="no such file"):
        libreoffice.read(tmp_path / "missing.xlsx")
    with pytest.raises(LibreOfficeError, match="no sheet named 'Nope'"):
        libreoffice.fill(source, tmp_path / "x.xlsx", [("Nope", "A1", 1)])
    assert not (tmp_path / "x.xlsx").exists()
    with pytest.raises(LibreOfficeError, match="unknown op"):
        libreoffice.request({"op": "explode", "path": str(source)})
    not_a_sheet = tmp_path / "garbage.xlsx"
    not_a_sheet.write_bytes(b"this is not a zip file")
    with pytest.raises(LibreOfficeError):
        libreoffice.read(not_a_sheet)
    assert libreoffice.alive
    assert libreoffice.read(source).value("Ratings", "A2") == 3


def test_list_formula_parsing() -> None:
    import uno_bridge

    assert uno_bridge.split_list_formula('"Yes";"No"') == ["Yes", "No"]
    assert uno_bridge.split_list_formula('"a ""quoted"" one"; "b;c"') == ['a "quoted" one', "b;c"]
    assert uno_bridge.split_list_formula("$Lists.$A$1:$A$3") is None
    assert uno_bridge.col_letters(0) == "A"
    assert uno_bridge.col_letters(27) == "AB"
    assert uno_bridge.a1(3, 1) == "D2"
