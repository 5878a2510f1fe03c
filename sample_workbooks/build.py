"""Rebuild the sample workbooks from the shipped templates, so they never drift from the code.

    python sample_workbooks/build.py

For two templates (engineering, sales) it writes `<template>/generated/` (exactly what `matrixkit
generate` produces for the template's roster) and `<template>/filled/` (the same files with ratings,
evidence, endorsement, metrics and comments filled in as a manager would, reproducibly: the values
derive from each employee's id). The filling goes through openpyxl, like a script a manager might run;
the tests fill through LibreOffice as well.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sys
import zipfile
from pathlib import Path

# openpyxl writes other bytes through lxml than through its own writer; the samples are built without
# it, wherever lxml is installed (tests/conftest.py sets the same before anything imports openpyxl).
os.environ["OPENPYXL_LXML"] = "False"

import openpyxl

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

from matrixkit.model.framework import Framework, load_frameworks  # noqa: E402
from matrixkit.outputs.generate import generate_workbooks  # noqa: E402
from matrixkit.sources.roster import read_roster  # noqa: E402
from matrixkit.workbook.textfit import row_points  # noqa: E402

COMMENTS_WIDTH = 40  # the ratings sheet's Comments column, in characters

SAMPLES = {"engineering": "2026-Q4", "sales": "2026-H2"}


def _pick(key: str, choices: list[object]) -> object:
    digest = hashlib.sha256(key.encode()).digest()
    return choices[digest[0] % len(choices)]


def rating_for(employee_id: str, competency_id: str, expected: int, scale: range) -> int:
    """Near the level's profile, a little above or below; the same every time."""
    offset = int(str(_pick(f"{employee_id}/{competency_id}", [-1, 0, 0, 0, 1, 1])))
    return max(scale.start, min(scale.stop - 1, expected + offset))


def fill_workbook(source: Path, target: Path, framework: Framework) -> None:
    """Fill every input of the ratings sheet of a generated workbook; leave the formulas alone."""
    wb = openpyxl.load_workbook(source)
    ws = wb["Ratings"]
    header = [c.value for c in ws[1]]
    by_name = {c.name: c for c in framework.competencies}
    evidence = {e.prompt for e in framework.evidence}
    metrics = {m.name: m for m in framework.metrics}
    for row in range(2, ws.max_row + 1):
        employee_id = ws.cell(row, 1).value
        level_id = ws.cell(row, 3).value
        if not employee_id:
            continue
        level = framework.level_by_id[level_id]
        # About a third of people already work at the next level: the rest are rated around their own.
        stretch = _pick(f"{employee_id}/stretch", [True, False, False])
        profile = (framework.next_level(level_id) or level) if stretch else level
        for col, title in enumerate(header, start=1):
            cell = ws.cell(row, col)
            if title in by_name and cell.value != "n/a":
                comp = by_name[title]
                expected = profile.expected.get(comp.id, 3)
                cell.value = rating_for(employee_id, comp.id, expected, framework.scale.values)
            elif (title in evidence and cell.value != "n/a") or title == "Manager endorsement":
                cell.value = _pick(f"{employee_id}/{title}", ["Yes", "Yes", "No"])
            elif title in metrics:
                cell.value = int(str(_pick(f"{employee_id}/{title}", [85, 96, 104, 112, 131])))
            elif title == "Comments":
                cell.value = f"Sample comment for {employee_id}: concrete examples go here."
                # As Excel and LibreOffice grow a row while a manager types; a script has to say it.
                ws.row_dimensions[row].height = row_points([cell.value], COMMENTS_WIDTH)
    target.parent.mkdir(parents=True, exist_ok=True)
    wb.save(target)
    _freeze_timestamps(target)


def _freeze_timestamps(path: Path) -> None:
    """openpyxl stamps the save time into docProps/core.xml and the zip entries: fix both, so a
    rebuild that changes nothing changes no byte (and git shows no noise)."""
    with zipfile.ZipFile(path) as archive:
        members = [(info, archive.read(info)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in members:
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2000-01-01T00:00:00Z", data)
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(fixed, data)


def build(out: Path = HERE) -> list[Path]:
    written: list[Path] = []
    for template, cycle in SAMPLES.items():
        frameworks = load_frameworks([REPO / "templates" / f"{template}.yaml"])
        roster = read_roster(REPO / "templates" / "rosters" / f"{template}.csv", frameworks)
        folder = out / template
        shutil.rmtree(folder, ignore_errors=True)
        generated = generate_workbooks(frameworks, roster, cycle, folder / "generated")
        written += generated
        for path in generated:
            target = folder / "filled" / path.name
            fill_workbook(path, target, frameworks[0])
            written.append(target)
    return written


if __name__ == "__main__":
    paths = build()
    print(f"wrote {len(paths)} sample workbooks under {HERE}")
