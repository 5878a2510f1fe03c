from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import openpyxl
from conftest import REPO

SAMPLES = REPO / "sample_workbooks"


def _build_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("sample_build", SAMPLES / "build.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_samples_match_the_code(tmp_path: Path) -> None:
    """`python sample_workbooks/build.py` was run after the last change to generate or the templates."""
    written = _build_module().build(tmp_path)
    assert written
    for path in written:
        committed = SAMPLES / path.relative_to(tmp_path)
        assert committed.is_file(), f"{committed} is missing: run python sample_workbooks/build.py"
        assert committed.read_bytes() == path.read_bytes(), f"{committed} drifted: rebuild the samples"
    committed_files = sorted(p.relative_to(SAMPLES) for p in SAMPLES.rglob("*.xlsx"))
    assert committed_files == sorted(p.relative_to(tmp_path) for p in written)


def test_filled_samples_hold_whole_number_ratings() -> None:
    filled = sorted(SAMPLES.glob("*/filled/*.xlsx"))
    assert filled
    ws = openpyxl.load_workbook(filled[0])["Ratings"]
    header = [c.value for c in ws[1]]
    first_rating = ws.cell(2, header.index("Level") + 2).value
    assert isinstance(first_rating, int) and 1 <= first_rating <= 5
