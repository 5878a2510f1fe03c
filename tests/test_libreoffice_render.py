"""The manager's sheets as LibreOffice lays them out: every row tall enough for its wrapped text, and the
Instructions printed within the page's width.

LibreOffice shows an .xlsx row at the height the file stores and does not grow it to wrapped text by
itself, so matrixkit writes the heights (`workbook.textfit`). The check is LibreOffice's own layout:
for every row the bridge reads the height shown and the height `OptimalHeight` gives for the same
content with the fonts installed; a row whose text needs more than it has fails the test. The pages are
also rendered to PNG; with MATRIXKIT_WRITE_PICTURES=1 they are kept in sample_workbooks/pictures/ for
a reviewer to look at.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import FT_ENGINEERING, REPO, TEMPLATES

from matrixkit import load_frameworks
from matrixkit.outputs.generate import generate_blank_matrix, generate_workbooks
from matrixkit.sources.roster import read_roster

pytestmark = pytest.mark.libreoffice

SHEETS = ("Ratings", "Guide", "Instructions")
TOLERANCE = 40  # 1/100 mm: LibreOffice rounds a row to whole twips and pixels
PICTURES = REPO / "sample_workbooks" / "pictures"


def short_rows(heights: dict[str, list[tuple[int, int]]]) -> list[str]:
    """Every row whose content needs more height than LibreOffice shows it with."""
    return [
        f"{sheet} row {row + 1}: shown {shown / 100:.1f} mm, needs {needed / 100:.1f} mm"
        for sheet, rows in heights.items()
        for row, (shown, needed) in enumerate(rows)
        if needed > shown + TOLERANCE
    ]


def _workbooks(tmp_path: Path) -> list[Path]:
    engineering = load_frameworks([TEMPLATES / "engineering.yaml"])
    roster = read_roster(TEMPLATES / "rosters" / "engineering.csv", engineering)
    paths = generate_workbooks(engineering, roster, "2026-Q4", tmp_path / "engineering")
    people = load_frameworks([REPO / "tests" / "frameworks" / "people-team.yaml"])
    ft = load_frameworks([FT_ENGINEERING])
    ft_roster = tmp_path / "ft.csv"
    ft_roster.write_text(
        "employee_id,name,family,level,manager_id,manager_name\nE1,Zoë,ft_engineering,senior-1,B,Boss\n",
        encoding="utf-8",
    )
    return [
        paths[0],
        *generate_workbooks(
            people,
            read_roster(REPO / "tests" / "frameworks" / "people-team-roster.csv", people),
            "2026-Q4",
            tmp_path / "people",
        )[:1],
        *generate_workbooks(ft, read_roster(ft_roster, ft), "2026-Q4", tmp_path / "ft"),
        generate_blank_matrix(engineering[0], tmp_path / "matrix.xlsx", rows=5),
    ]


def test_wrapped_text_fits_its_rows(libreoffice: Any, tmp_path: Path) -> None:
    sys.path.insert(0, str(REPO / "sample_workbooks"))
    from build import fill_workbook

    problems: list[str] = []
    workbooks = _workbooks(tmp_path)
    filled = tmp_path / "filled" / workbooks[0].name
    fill_workbook(workbooks[0], filled, load_frameworks([TEMPLATES / "engineering.yaml"])[0])
    for path in [*workbooks, filled]:
        heights = libreoffice.row_heights(path, SHEETS)
        assert all(heights[sheet] for sheet in SHEETS)
        problems += [f"{path.name} {p}" for p in short_rows(heights)]
    assert not problems, "\n".join(problems[:20])


def test_the_check_sees_a_row_too_short(libreoffice: Any, tmp_path: Path) -> None:
    """The same Guide with its stored heights taken out: LibreOffice shows one line, the text needs more."""
    import zipfile

    [path] = _workbooks(tmp_path)[:1]
    crushed = tmp_path / "crushed.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(crushed, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.startswith("xl/worksheets/"):
                data = re.sub(rb' ht="[^"]*"', b' ht="15"', data)  # every row back to one line
            target.writestr(info, data)
    assert short_rows(libreoffice.row_heights(crushed, ["Guide"]))


def _pages(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) is not installed")
def test_sheets_render_and_instructions_fit_the_page(libreoffice: Any, tmp_path: Path) -> None:
    path = _workbooks(tmp_path)[0]
    pdf = libreoffice.convert_pdf(path, tmp_path / "manager.pdf")
    pages = _pages(pdf)
    kinds = {
        "instructions": next(i for i, p in enumerate(pages) if "How to fill it in" in p),
        "ratings": next(i for i, p in enumerate(pages) if "Employee ID" in p and "Still needed" in p),
        "guide": next(i for i, p in enumerate(pages) if "— competency" in p),
    }
    instructions = " ".join(pages[kinds["instructions"]].split())
    # Column B on the same page as its labels, the longest step's last words included: nothing cut off.
    for words in ("sorting rows and adding columns is fine.", "Neither is a promotion decision: HR's report is."):
        assert words in instructions, words
    assert "Software Engineer I →" in instructions
    assert "IC1 → IC2" not in instructions
    subprocess.run(["pdftoppm", "-png", "-r", "50", str(pdf), str(tmp_path / "page")], check=True)
    pictures = sorted(tmp_path.glob("page-*.png"))
    assert len(pictures) == len(pages) - (pages[-1].strip() == "")
    if os.environ.get("MATRIXKIT_WRITE_PICTURES"):
        _keep_pictures(libreoffice, path, pdf, kinds, tmp_path)


def _keep_pictures(libreoffice: Any, path: Path, pdf: Path, kinds: dict[str, int], tmp_path: Path) -> None:
    """Pictures a reviewer can read: the Instructions page whole; the filled sample's ratings (left: the
    ratings, right: Ready? and Still needed) and the Guide's first columns, cut out at a readable scale."""
    sys.path.insert(0, str(REPO / "sample_workbooks"))
    from build import fill_workbook

    filled = tmp_path / "filled.xlsx"
    fill_workbook(path, filled, load_frameworks([TEMPLATES / "engineering.yaml"])[0])
    filled_pdf = libreoffice.convert_pdf(filled, tmp_path / "filled.pdf", recalc=True)
    PICTURES.mkdir(exist_ok=True)
    crops = {
        "instructions": (pdf, kinds["instructions"], 60, None),
        "ratings-left": (filled_pdf, kinds["ratings"], 150, (0, 60, 1000, 330)),
        "ratings-right": (filled_pdf, kinds["ratings"], 150, (1000, 60, 754, 330)),
        "guide": (pdf, kinds["guide"], 110, (0, 40, 820, 320)),
    }
    for name, (source, index, dpi, box) in crops.items():
        page = str(index + 1)
        command = ["pdftoppm", "-png", "-singlefile", "-r", str(dpi), "-f", page, "-l", page]
        if box is not None:
            x, y, width, height = box
            command += ["-x", str(x), "-y", str(y), "-W", str(width), "-H", str(height)]
        subprocess.run([*command, str(source), str(PICTURES / f"engineering-{name}")], check=True)
