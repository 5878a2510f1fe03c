"""Memory of the reading: what ingested rows share (issue 19)."""

from __future__ import annotations

from conftest import REPO, TEMPLATES

from matrixkit import load_frameworks
from matrixkit.intake.reader import expand_inputs, ingest_workbooks


def test_rows_of_different_workbooks_share_their_cell_references() -> None:
    """Row 2 of every workbook names the same cells: one string per reference, not one per row (a row's
    ten references were a quarter of its memory). Across the process pool too, since a pickled result
    writes an object met before as a reference to it."""
    files = expand_inputs([REPO / "sample_workbooks" / "engineering" / "filled"])
    frameworks = load_frameworks([TEMPLATES / "engineering.yaml"])
    for workers in (1, 2):
        read = ingest_workbooks(files, frameworks, workers=workers)
        second_rows = [row for workbook in read for _fw, row in workbook.rows if row.source.row == 2]
        assert len(second_rows) >= 2
        first, other = second_rows[0], second_rows[1]
        assert first.source.file != other.source.file
        assert first.id_cell == other.id_cell and first.id_cell is other.id_cell
        shared = set(first.cells) & set(other.cells)
        assert shared and all(first.cells[key] is other.cells[key] for key in shared)
