"""The workbook plan is one thing: A1 references, header texts and metadata each defined once, and what
is written is what is read back. Also: the writer's caches follow the framework, not its address."""

from __future__ import annotations

import gc
import io
import random
import re
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml
from conftest import TEMPLATES

import matrixkit.workbook.writer as writer_module
from matrixkit.intake import safety
from matrixkit.intake.ingest import SheetInput, ingest_sheet, map_columns
from matrixkit.intake.reader import read_workbook
from matrixkit.model.framework import Framework, load_framework
from matrixkit.model.lint import FIXED_HEADERS
from matrixkit.model.roster import Employee, Manager
from matrixkit.outputs.generate import generate_blank_matrix
from matrixkit.run import analyze_workbooks
from matrixkit.workbook.cells import EXCEL_MAX_COLUMNS, cell_ref, col_letter, column_index, parse_ref
from matrixkit.workbook.layout import (
    FORMULA_COLUMNS,
    HEADERS,
    METADATA_SHEET,
    WorkbookPlan,
    plan_manager_workbook,
    ratings_columns,
)
from matrixkit.workbook.metadata import (
    PROPERTY_NAMES,
    FamilyStamp,
    WorkbookMetadata,
    decode_properties,
    decode_sheet,
    encode_properties,
    encode_sheet,
    metadata_of,
)
from matrixkit.workbook.writer import WorkbookWriter, workbook_bytes

PACKAGE = Path(__file__).resolve().parent.parent / "matrixkit"
STARTUP = TEMPLATES / "startup.yaml"

# -- A1 references -------------------------------------------------------------------------------


def test_column_letters_and_index_are_inverse_over_every_excel_column() -> None:
    letters = [col_letter(index) for index in range(EXCEL_MAX_COLUMNS)]
    assert letters[:3] == ["A", "B", "C"] and letters[25:28] == ["Z", "AA", "AB"] and letters[-1] == "XFD"
    assert len(set(letters)) == EXCEL_MAX_COLUMNS
    assert [column_index(text) for text in letters] == list(range(EXCEL_MAX_COLUMNS))
    assert [column_index(text.lower()) for text in letters[::97]] == list(range(EXCEL_MAX_COLUMNS))[::97]


@pytest.mark.parametrize(("row", "col", "ref"), [(0, 0, "A1"), (6, 3, "D7"), (1_048_575, 16_383, "XFD1048576")])
def test_cell_ref_and_parse_ref_are_inverse(row: int, col: int, ref: str) -> None:
    assert cell_ref(row, col) == ref
    assert cell_ref(row, col, absolute=True) == "$" + ref.replace(str(row + 1), f"${row + 1}")
    assert parse_ref(ref) == (row, col)


@pytest.mark.parametrize("text", ["", "D", "7", "D7:E8", "$D$7", "D-7"])
def test_parse_ref_refuses_what_is_not_one_cell(text: str) -> None:
    with pytest.raises(ValueError, match="not a cell reference"):
        parse_ref(text)


def test_the_safety_scan_counts_columns_as_cells_does() -> None:
    for column in (1, 26, 27, 702, 703, 16_384):
        letters = col_letter(column - 1)
        assert safety._column_letters(column) == letters
        assert safety._column_number(letters.encode("ascii")) == column
        assert safety._column_number(letters.lower().encode("ascii")) == column
    assert safety._column_number(b"ABCDEFGHI") > 16_384  # past every limit, without the arithmetic


def test_ingest_places_scanned_formula_cells_by_cells_parse_ref() -> None:
    fw = load_framework(STARTUP)
    columns = ratings_columns(fw)
    rating = next(c for c in columns if c.kind == "rating")
    header = [c.header for c in columns]
    row: list[Any] = ["E1", "Ana", "S1"] + [None] * (len(columns) - 3)
    row[rating.index] = 3
    sheet = SheetInput("f.xlsx", "Ratings", [header, row], formula_cells=frozenset({cell_ref(1, rating.index)}))
    _, problems = ingest_sheet(sheet, fw)
    assert any(p.cell == cell_ref(1, rating.index) and "formula" in p.message for p in problems)


def test_no_module_but_cells_converts_a1_references_itself() -> None:
    arithmetic = re.compile(r"\*\s*26\s*\+|divmod\([^)]*,\s*26\)|chr\(65|26\s*\*\*")
    for path in PACKAGE.rglob("*.py"):
        if path.name == "cells.py":
            continue
        text = path.read_text(encoding="utf-8").replace("26**9", "")  # safety's 'past every limit'
        assert not arithmetic.search(text), f"{path.relative_to(PACKAGE)} converts A1 references itself"


# -- header texts ---------------------------------------------------------------------------------


def test_writer_lint_and_ingest_share_the_header_texts() -> None:
    fw = load_framework(STARTUP)
    written = {c.kind: c.header for c in ratings_columns(fw) if c.key is None}
    assert written == HEADERS
    assert tuple(HEADERS.values()) == FIXED_HEADERS
    read = map_columns(list(HEADERS.values()), fw, {})
    assert set(read) == set(HEADERS) - set(FORMULA_COLUMNS)


# -- metadata: encode and decode are inverse -----------------------------------------------------

# Empty, unicode, the properties' separators, XML's specials, and text that looks like an Excel escape.
_PIECES = ("", " ", "a", "Zoë", "山田太郎", "🙂", *";=@%:-&\"'\n", "%3B", "<b>", "_x0041_")


def _text(rng: random.Random, *, empty: bool = True) -> str:
    text = "".join(rng.choice(_PIECES) for _ in range(rng.randint(0, 4)))
    return text if text or empty else "x"


def _optional(rng: random.Random) -> str | None:
    return None if rng.random() < 0.3 else _text(rng, empty=False)


def _metadata(rng: random.Random) -> WorkbookMetadata:
    families = tuple(
        FamilyStamp(
            f"family{index}.{rng.choice(['a', 'b-c', 'D_9'])}",
            _text(rng),
            _text(rng),
            name=_optional(rng),
            sheet=_optional(rng),
            headers={_text(rng, empty=False): _text(rng) for _ in range(rng.randint(0, 3))},
        )
        for index in range(rng.randint(0, 3))
    )
    scalars = ("matrixkit_version", "layout", "cycle", "manager_id", "manager_name", "kind", "employee_id")
    return WorkbookMetadata(**{name: _optional(rng) for name in scalars}, families=families)


def _as_read(rows: list[tuple[str, str]]) -> list[list[Any]]:
    """What a spreadsheet reader gives back: an empty cell may come back as None."""
    return [[key, value if value else None] for key, value in rows]


def test_metadata_round_trips_through_sheet_and_properties() -> None:
    rng = random.Random(12)
    for _ in range(500):
        meta = _metadata(rng)
        assert decode_sheet(_as_read(encode_sheet(meta))) == meta
        assert decode_sheet(encode_sheet(meta)) == meta
        properties = encode_properties(meta)
        assert tuple(properties) == PROPERTY_NAMES
        assert decode_properties(properties) == meta.without_sheet_details()


def test_an_absent_value_is_written_empty_never_as_a_placeholder() -> None:
    meta = WorkbookMetadata(kind="blank_matrix")
    assert all(value == "" for key, value in encode_properties(meta).items() if key != "matrixkit_kind")
    assert all(value == "" for key, value in encode_sheet(meta) if key != "kind")
    assert decode_properties({"matrixkit_cycle": "-"}).cycle == "-"  # a real value is kept as it is


def _manager_plan(fw: Framework, manager_name: str, cycle: str = "2026-Q4") -> WorkbookPlan:
    employee = Employee("E1", "Ana", fw.family.id, "S2", "M1", row=2)  # S2: the default criteria apply
    return plan_manager_workbook(Manager("M1", manager_name, None), [employee], [fw], cycle)


def _without_hidden_sheet(source: Path, target: Path) -> Path:
    """The workbook with its `_matrixkit` sheet removed, every other part unchanged (as Excel keeps
    the document properties when a sheet is deleted)."""
    with zipfile.ZipFile(source) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    workbook = parts["xl/workbook.xml"].decode("utf-8")
    match = re.search(r'<sheet name="_matrixkit" sheetId="\d+" state="hidden" r:id="(rId\d+)"/>', workbook)
    assert match is not None
    parts["xl/workbook.xml"] = workbook.replace(match.group(), "").encode("utf-8")
    rels = parts["xl/_rels/workbook.xml.rels"].decode("utf-8")
    relation = re.search(rf'<Relationship Id="{match.group(1)}"[^>]*Target="(worksheets/sheet\d+\.xml)"/>', rels)
    assert relation is not None
    parts["xl/_rels/workbook.xml.rels"] = rels.replace(relation.group(), "").encode("utf-8")
    del parts["xl/" + relation.group(1)]
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return target


@pytest.mark.parametrize("hidden_sheet", [True, False], ids=["hidden sheet", "properties only"])
def test_a_written_workbook_reads_back_its_own_metadata(tmp_path: Path, hidden_sheet: bool) -> None:
    fw = load_framework(STARTUP)
    plan = _manager_plan(fw, "Zoë O'Brien; =@ 50% _x0041_ & <b> 山田")
    path = tmp_path / "book.xlsx"
    path.write_bytes(workbook_bytes(plan))
    if not hidden_sheet:
        path = _without_hidden_sheet(path, tmp_path / "no-hidden-sheet.xlsx")
    expected = metadata_of(plan)
    read = read_workbook(path, [fw]).metadata
    assert read == (expected if hidden_sheet else expected.without_sheet_details())


def test_blank_matrix_without_its_hidden_sheet_names_no_cycle_and_no_manager(tmp_path: Path) -> None:
    """Reproduced: analyze said 'this workbook is for cycle -' and filed the row under manager '-'."""
    fw = load_framework(STARTUP)
    blank = generate_blank_matrix(fw, tmp_path / "blank.xlsx", rows=5)
    book = openpyxl.load_workbook(blank)
    ws = book["Ratings"]
    header = [cell.value for cell in ws[1]]
    for title, value in {"Employee ID": "E1", "Name": "Ana", "Level": "S1", "Customer focus": 3}.items():
        ws.cell(2, header.index(title) + 1).value = value
    del book[METADATA_SHEET]
    book.save(blank)
    analysis = analyze_workbooks([blank], [fw], cycle="2026-Q4")
    assert not [p.message for p in analysis.problems if "cycle" in p.message]
    assert [(e.employee_id, e.manager_id) for e in analysis.employees] == [("E1", None)]
    assert read_workbook(blank, [fw]).metadata.cycle is None


# -- caches follow the framework, not its address ---------------------------------------------------


def _startup_variant(tmp_path: Path, threshold: float, description: str) -> Framework:
    data = yaml.safe_load(STARTUP.read_text(encoding="utf-8"))
    data["promotion"]["average_at_least"] = threshold
    data["competencies"][0]["descriptions"]["S3"] = description  # the prompt of a rating at S2
    path = tmp_path / f"startup-{threshold}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return load_framework(path)


def _ratings_part(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read("xl/worksheets/sheet2.xml").decode("utf-8")


def test_a_reused_address_does_not_serve_the_previous_frameworks_threshold_and_prompts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reproduced: a writer kept a framework's row formulas, validations and instructions under
    `id(framework)`, and served them to the next framework created at the same address."""
    # CPython hands a freed address to the next object of its size when it can; make it certain.
    monkeypatch.setattr(writer_module, "id", lambda _: 140_000_000, raising=False)
    writer = WorkbookWriter()
    first = _startup_variant(tmp_path, 3.5, "Talks to customers every week.")
    writer.write(_manager_plan(first, "Kim"))
    del first
    gc.collect()
    second = _startup_variant(tmp_path, 3.25, "Runs a customer interview each sprint.")
    plan = _manager_plan(second, "Kim")
    written = writer.write(plan)
    assert written == workbook_bytes(plan)  # what a fresh writer, with empty caches, writes
    ratings = _ratings_part(written)
    assert re.search(r"&gt;=3\.25[,)]", ratings) and not re.search(r"&gt;=3\.5[,)]", ratings)
    assert "Runs a customer interview each sprint." in ratings
