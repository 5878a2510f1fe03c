"""Memory of the reading: what ingested rows share (issue 19)."""

from __future__ import annotations

from pathlib import Path

from conftest import REPO, TEMPLATES

from matrixkit import load_frameworks
from matrixkit.intake.reader import expand_inputs, ingest_workbooks


def test_rows_hold_their_cell_references_without_a_string_each() -> None:
    """A row's ten rating references were a quarter of its memory: now the rows of a level share one
    mapping of column letters and make a reference only when asked ("D7"). Across the process pool too,
    since a pickled result writes an object met before as a reference to it. The Employee ID's cell is one
    string per reference in a process: every workbook's row 2 names the same cells."""
    from matrixkit.assess.results import RowCells
    from matrixkit.workbook.cells import parse_ref

    files = expand_inputs([REPO / "sample_workbooks" / "engineering" / "filled"])
    frameworks = load_frameworks([TEMPLATES / "engineering.yaml"])
    for workers in (1, 2):
        read = ingest_workbooks(files, frameworks, workers=workers)
        rows = [row for workbook in read for _fw, row in workbook.rows]
        assert rows and all(isinstance(row.cells, RowCells) for row in rows)
        for row in rows:
            assert all(parse_ref(ref)[0] + 1 == row.source.row for ref in row.cells.values())
        by_level: dict[tuple[str, str], list[object]] = {}
        for workbook in read:
            for _fw, row in workbook.rows:
                assert isinstance(row.cells, RowCells)
                by_level.setdefault((workbook.file, row.level), []).append(row.cells.letters)
        shared = [letters for letters in by_level.values() if len(letters) > 1]
        assert shared and all(all(one is group[0] for one in group) for group in shared)
        second_rows = [row for row in rows if row.source.row == 2]
        first, other = second_rows[0], second_rows[1]
        assert first.source.file != other.source.file and first.id_cell is other.id_cell


def test_no_cyclic_collection_while_rows_are_collected() -> None:
    """Every collection while rows arrive would scan all the rows received so far (superlinear at 100,000
    employees); the collector is off meanwhile and then as it was."""
    import gc

    files = expand_inputs([REPO / "sample_workbooks" / "engineering" / "filled"])
    frameworks = load_frameworks([TEMPLATES / "engineering.yaml"])
    collections: list[str] = []

    def count(phase: str, _info: dict[str, int]) -> None:
        if phase == "start":
            collections.append(phase)

    gc.callbacks.append(count)
    try:
        assert gc.isenabled()
        read = ingest_workbooks(files, frameworks, workers=1)
        assert gc.isenabled()
        assert sum(len(workbook.rows) for workbook in read) > 40
        assert collections == []
        gc.disable()
        ingest_workbooks(files[:1], frameworks, workers=1)
        assert not gc.isenabled()  # left as it was found
    finally:
        gc.enable()
        gc.callbacks.remove(count)


def test_a_long_sheet_is_read_row_by_row_into_the_grid_calamine_would_give(tmp_path: Path) -> None:
    """Past 1,000 rows the grid is built from `iter_rows()` (never the whole `to_python` grid at once),
    padded to column A: equal, value for value and type for type, to `to_python(skip_empty_area=False)`."""
    import openpyxl
    from python_calamine import CalamineWorkbook

    from matrixkit.intake.opening import _grid_of_rows

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in range(3, 1_203):
        sheet.cell(row, 3, f"E{row % 7}")
        sheet.cell(row, 5, float(row % 5) if row % 11 else -0.0)
        if row % 13 == 0:
            sheet.cell(row, 6, True)
    path = tmp_path / "long.xlsx"
    book.save(path)
    read = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(book.sheetnames[0])
    assert read.start is not None and read.start[1] == 2  # the first used column is C
    whole = read.to_python(skip_empty_area=False)
    by_rows = _grid_of_rows(read.iter_rows(), read.start[1])
    assert [[(type(v), repr(v)) for v in row] for row in by_rows] == [
        [(type(v), repr(v)) for v in row] for row in whole
    ]
