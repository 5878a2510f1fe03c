"""Golden files: the generated workbook's parts, compared part by part with checked-in expectations.

Refresh after an intended change with:  MATRIXKIT_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py
then read the diff (`git diff tests/golden`) before committing it.
"""

from __future__ import annotations

import os
import re
import zipfile
from pathlib import Path
from typing import Any
from xml.dom import minidom

import pytest

from matrixkit import __version__, load_frameworks
from matrixkit.outputs.generate import generate_blank_matrix, generate_workbooks
from matrixkit.sources.roster import read_roster

GOLDEN = Path(__file__).parent / "golden"
UPDATE = bool(os.environ.get("MATRIXKIT_UPDATE_GOLDEN"))
PARTS = {
    "workbook": "xl/workbook.xml",
    "instructions": "xl/worksheets/sheet1.xml",
    "ratings": "xl/worksheets/sheet2.xml",
    "guide": "xl/worksheets/sheet3.xml",
    "profile": "xl/worksheets/sheet4.xml",
    "metadata": "xl/worksheets/sheet5.xml",
    "styles": "xl/styles.xml",
    "custom-properties": "docProps/custom.xml",
    "core-properties": "docProps/core.xml",
}


def _masked(xml: bytes) -> str:
    """Pretty-printed, with what legitimately varies between releases (the version) masked."""
    text = minidom.parseString(xml).toprettyxml(indent=" ")
    return text.replace(__version__, "<VERSION>")


@pytest.fixture(scope="module")
def small_workbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import yaml
    from conftest import base_framework

    folder = tmp_path_factory.mktemp("golden")
    framework = folder / "eng.yaml"
    framework.write_text(yaml.safe_dump(base_framework(), sort_keys=False), encoding="utf-8")
    roster = folder / "roster.csv"
    roster.write_text(
        "employee_id,name,family,level,manager_id,manager_name,level_since\n"
        "E2,Björn =Test,eng,L2,BOSS,Ana Boss,2025-01-31\nE1,Aiko,eng,L1,BOSS,Ana Boss,\n"
        "E3,Chidi,eng,M4,BOSS,Ana Boss,2024-06-01\nE4,Dana,eng,M1,BOSS,Ana Boss,\n",
        encoding="utf-8",
    )
    frameworks = load_frameworks([framework])
    [path] = generate_workbooks(
        frameworks, read_roster(roster, frameworks), "2026-Q4", folder / "out", due="2026-12-15"
    )
    return path


@pytest.mark.parametrize("part", sorted(PARTS))
def test_generated_part_matches_golden(small_workbook: Path, part: str) -> None:
    with zipfile.ZipFile(small_workbook) as archive:
        actual = _masked(archive.read(PARTS[part]))
    expected_file = GOLDEN / f"manager-{part}.xml"
    if UPDATE or not expected_file.exists():
        if not UPDATE:
            pytest.fail(f"{expected_file} missing: run with MATRIXKIT_UPDATE_GOLDEN=1 to create it")
        expected_file.parent.mkdir(exist_ok=True)
        expected_file.write_text(actual, encoding="utf-8")
    assert actual == expected_file.read_text(encoding="utf-8"), f"{part} differs from {expected_file}"


def test_blank_matrix_ratings_matches_golden(tmp_path: Path) -> None:
    import yaml
    from conftest import base_framework

    framework = tmp_path / "eng.yaml"
    framework.write_text(yaml.safe_dump(base_framework(), sort_keys=False), encoding="utf-8")
    path = generate_blank_matrix(load_frameworks([framework])[0], tmp_path / "m.xlsx", rows=3)
    with zipfile.ZipFile(path) as archive:
        actual = _masked(archive.read("xl/worksheets/sheet2.xml"))
    expected_file = GOLDEN / "blank-ratings.xml"
    if UPDATE:
        expected_file.write_text(actual, encoding="utf-8")
    assert actual == expected_file.read_text(encoding="utf-8")


def test_masking_hides_only_the_version() -> None:
    masked: Any = _masked(f'<a v="{__version__}">x</a>'.encode())
    assert "<VERSION>" in masked and re.search(r">x<", masked)
