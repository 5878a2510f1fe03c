"""Issue 13's contract gaps: the store's cycle from the workbooks, lint in one pass, generate for any framework."""

from __future__ import annotations

import copy
import html
import re
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import openpyxl
import pytest
import yaml
from click.testing import CliRunner
from conftest import base_framework
from filling import fill

from matrixkit import load_frameworks
from matrixkit.assess.scoring import row_figures
from matrixkit.cli.main import main
from matrixkit.model.framework import Framework
from matrixkit.outputs.generate import generate_blank_matrix, generate_workbooks
from matrixkit.run import analyze_workbooks
from matrixkit.sources.roster import read_roster
from matrixkit.sources.yamldoc import read_yaml
from matrixkit.store.sqlite import open_store
from matrixkit.workbook.cells import cell_ref
from matrixkit.workbook.layout import ratings_columns

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"

# -- analyze --store without --cycle ---------------------------------------------------------------


def _returned_workbook(tmp_path: Path, cycle: str, framework: Path) -> Path:
    """One manager's workbook for `cycle`, generated and filled with a rating for each report."""
    folder = tmp_path / cycle
    roster_path = folder / "roster.csv"
    folder.mkdir(parents=True)
    roster_path.write_text(
        "employee_id,name,family,level,manager_id,manager_name\nE1,Ada,eng,L2,BOSS,Boss\nE2,Bo,eng,L3,BOSS,Boss\n",
        encoding="utf-8",
    )
    frameworks = load_frameworks([framework])
    [sent] = generate_workbooks(frameworks, read_roster(roster_path, frameworks), cycle, folder / "sent")
    names = [c.name for c in frameworks[0].competencies_for("ic")]
    returned = tmp_path / "returned" / f"{cycle}.xlsx"
    fill(sent, returned, {employee: dict.fromkeys(names, 3) for employee in ("E1", "E2")})
    return returned


@pytest.fixture
def framework_file(tmp_path: Path) -> Path:
    path = tmp_path / "eng.yaml"
    path.write_text(yaml.safe_dump(base_framework(), sort_keys=False), encoding="utf-8")
    return path


def _analyze(framework: Path, out: Path, *inputs: Path) -> Any:
    args = ["analyze", *map(str, inputs), "--framework", str(framework), "--store", str(out / "history.db")]
    return CliRunner().invoke(main, [*args, "--out", str(out / "report.xlsx")])


def test_store_takes_the_cycle_the_workbooks_name(tmp_path: Path, framework_file: Path) -> None:
    returned = _returned_workbook(tmp_path, "2026-Q3", framework_file)
    result = _analyze(framework_file, tmp_path, returned)
    assert result.exit_code in (0, 1), result.output
    assert "cycle 2026-Q3" in result.output
    with open_store(tmp_path / "history.db") as store:
        assert store.cycles() == ["2026-Q3"]


def test_store_refuses_workbooks_that_disagree_on_the_cycle(tmp_path: Path, framework_file: Path) -> None:
    q3 = _returned_workbook(tmp_path, "2026-Q3", framework_file)
    q4 = _returned_workbook(tmp_path, "2026-Q4", framework_file)
    result = _analyze(framework_file, tmp_path, q3, q4)
    assert result.exit_code == 2, result.output
    assert "the workbooks disagree: 2026-Q3 (2026-Q3.xlsx), 2026-Q4 (2026-Q4.xlsx)" in result.output
    assert "give --cycle" in result.output
    assert not (tmp_path / "history.db").exists() and not (tmp_path / "report.xlsx").exists()


def test_store_refuses_workbooks_that_name_no_cycle(tmp_path: Path, framework_file: Path) -> None:
    import openpyxl

    returned = _returned_workbook(tmp_path, "2026-Q3", framework_file)
    book = openpyxl.load_workbook(returned)
    for prop in list(book.custom_doc_props.props):
        if prop.name == "matrixkit_cycle":
            prop.value = ""
    book.save(returned)
    meta = book["_matrixkit"]
    assert meta is not None  # the hidden metadata sheet also names the cycle: blank it there too
    for row in meta.iter_rows():
        for cell in row:
            if cell.value == "2026-Q3":
                cell.value = None
    book.save(returned)
    result = _analyze(framework_file, tmp_path, returned)
    assert result.exit_code == 2, result.output
    assert "no workbook names one in its metadata" in result.output


# -- generate: sheet names for any family name ------------------------------------------------------

HOSTILE_NAMES = {
    "emoji": "Engineering " + "\U0001f680" * 12,  # Excel counts each as two of its 31 characters
    "control": "Ops\x07Team\x1b",
    "tab-newline": "Data\tScience\nand ML",
    "apostrophes": "'Sales'",
    "forbidden": "Sales: [EMEA]/APAC*?\\",
    "nothing-left": "[*]",
}


def _two_family_workbook(tmp_path: Path, family_name: str) -> tuple[Path, list[Framework]]:
    """One manager with a report in a family named `family_name` and one in a plain family."""
    hostile = base_framework()
    hostile["family"]["name"] = family_name
    del hostile["lateral_paths"]
    plain = copy.deepcopy(hostile)
    plain["family"] = {"id": "data", "name": "Data", "version": "1"}
    tmp_path.mkdir(parents=True, exist_ok=True)
    for name, data in (("hostile", hostile), ("plain", plain)):
        (tmp_path / f"{name}.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    frameworks = load_frameworks([tmp_path / "hostile.yaml", tmp_path / "plain.yaml"])
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "employee_id,name,family,level,manager_id,manager_name\nE1,Ada,eng,L2,B,Boss\nE2,Bo,data,L3,B,Boss\n",
        encoding="utf-8",
    )
    [path] = generate_workbooks(frameworks, read_roster(roster, frameworks), "2026-Q4", tmp_path / "out")
    return path, frameworks


def _utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _unquote_sheet(reference: str) -> str:
    sheet = reference.rsplit("!", 1)[0]
    return sheet[1:-1].replace("''", "'") if sheet.startswith("'") else sheet


def assert_valid_sheet_names(path: Path) -> list[str]:
    """Every XML part parses; sheet names are what Excel accepts; defined names name those sheets."""
    with zipfile.ZipFile(path) as package:
        parts = {name: package.read(name) for name in package.namelist() if name.endswith((".xml", ".rels"))}
    for content in parts.values():
        ElementTree.fromstring(content)  # a raw control character is not XML: Excel refuses the file
    workbook = ElementTree.fromstring(parts["xl/workbook.xml"])
    names = [sheet.get("name") or "" for sheet in workbook.iter(f"{MAIN}sheet")]
    for name in names:
        assert 0 < _utf16_units(name) <= 31, name
        assert not re.search(r"[\[\]:*?/\\\x00-\x1f\x7f]", name), name
        assert not name.startswith("'") and not name.endswith("'"), name
        assert name == name.strip() and "  " not in name, name
    assert len({name.casefold() for name in names}) == len(names)
    defined = [d.text or "" for d in workbook.iter(f"{MAIN}definedName")]
    assert defined and all(_unquote_sheet(text) in names for text in defined), (names, defined)
    assert openpyxl.load_workbook(path).sheetnames == names
    return names


@pytest.mark.parametrize("case", sorted(HOSTILE_NAMES))
def test_any_family_name_gives_valid_sheet_names(tmp_path: Path, case: str) -> None:
    path, frameworks = _two_family_workbook(tmp_path, HOSTILE_NAMES[case])
    names = assert_valid_sheet_names(path)
    assert "Ratings - Data" in names and sum(name.startswith("Ratings - ") for name in names) == 2
    analysis = analyze_workbooks([path], frameworks)  # and the sheets read back as what they are
    assert {e.employee_id for e in analysis.employees} == {"E1", "E2"}
    assert not [p for p in analysis.problems if p.severity == "error"], analysis.problems


def test_sheet_names_cut_as_excel_counts_and_fall_back_to_the_id(tmp_path: Path) -> None:
    path, _ = _two_family_workbook(tmp_path / "emoji", HOSTILE_NAMES["emoji"])
    assert "Ratings - Engineering \U0001f680\U0001f680\U0001f680\U0001f680" in assert_valid_sheet_names(path)
    path, _ = _two_family_workbook(tmp_path / "empty", HOSTILE_NAMES["nothing-left"])
    assert "Ratings - eng" in assert_valid_sheet_names(path)
    path, _ = _two_family_workbook(tmp_path / "same", "DATA")  # the same sheet to Excel: both take their id
    assert {"Ratings - eng", "Ratings - data"} <= set(assert_valid_sheet_names(path))


@pytest.mark.libreoffice
def test_libreoffice_opens_workbooks_of_any_family_name(libreoffice: Any, tmp_path: Path) -> None:
    for case, family_name in sorted(HOSTILE_NAMES.items()):
        path, _ = _two_family_workbook(tmp_path / case, family_name)
        names = assert_valid_sheet_names(path)
        assert libreoffice.read(path).sheet_names == names, case
        resaved = libreoffice.fill(path, tmp_path / f"{case}-resaved.xlsx", [])
        assert resaved.sheet_names == names, case
        assert openpyxl.load_workbook(tmp_path / f"{case}-resaved.xlsx").sheetnames == names, case


# -- generate: formulas within 8,192 characters ------------------------------------------------------


def _wide_framework(tmp_path: Path, competencies: int) -> Framework:
    """`competencies` competencies, weighted unevenly; every third only on the management track."""
    data = base_framework()
    del data["lateral_paths"]
    template = data["competencies"][0]
    data["competencies"] = [
        {
            **copy.deepcopy(template),
            "id": f"c{n:02d}",
            "name": f"Competency {n:02d}",
            "kind": ("core", "functional", "leadership")[n % 3],
            "weight": 1 + n % 3,
            **({"tracks": ["management"]} if n % 3 == 2 else {}),
        }
        for n in range(competencies)
    ]
    for track in data["tracks"]:
        on_track = [c for c in data["competencies"] if track["id"] in c.get("tracks", [track["id"]])]
        for rank, level in enumerate(track["levels"]):
            level["expected"] = {c["id"]: min(5, 2 + rank + int(c["id"][1:]) % 2) for c in on_track}
    path = tmp_path / "wide.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    [fw] = load_frameworks([path])
    return fw


def _formulas(path: Path, sheet: str = "xl/worksheets/sheet2.xml") -> list[str]:
    with zipfile.ZipFile(path) as package:
        xml = package.read(sheet).decode("utf-8")
    return [html.unescape(found) for found in re.findall(r"<f>(.*?)</f>", xml)]


def test_blank_matrix_formulas_stay_within_excel_limit(tmp_path: Path) -> None:
    fw = _wide_framework(tmp_path, 60)
    path = generate_blank_matrix(fw, tmp_path / "matrix.xlsx", rows=3)
    formulas = _formulas(path)
    assert formulas and "Ratings" in openpyxl.load_workbook(path).sheetnames
    assert max(len(f) + 1 for f in formulas) <= 8192, max(len(f) for f in formulas)


@pytest.mark.libreoffice
def test_wide_blank_matrix_computes_like_python(libreoffice: Any, tmp_path: Path) -> None:
    fw = _wide_framework(tmp_path, 24)
    path = generate_blank_matrix(fw, tmp_path / "matrix.xlsx", rows=10)
    assert max(len(f) + 1 for f in _formulas(path)) <= 8192
    header = [c.header for c in ratings_columns(fw)]
    rating_col = {c.id: header.index(c.name) for c in fw.competencies}
    levels = ["L1", "L2", "L4", "M1", "M3", "M4", "L3", "M2", "L2", "M1"]
    edits: list[tuple[str, str, Any]] = []
    expected: dict[int, dict[str, Any]] = {}
    for row, level in enumerate(levels, start=1):
        edits += [("Ratings", cell_ref(row, 0), f"P{row}"), ("Ratings", cell_ref(row, 2), level)]
        competencies = fw.competencies_for(fw.track_of_level[level].id)
        typed: dict[str, Any] = {c.id: 1 + (row + n) % 5 for n, c in enumerate(competencies)}
        if row == 3:
            typed[competencies[0].id] = "four"  # invalid: every figure empty
        if row == 4:
            typed[competencies[-1].id] = 3.5
        if row == 5:
            del typed[competencies[1].id]
        if row == 7:  # a text where the level rates nothing must not disturb the figures
            edits.append(("Ratings", cell_ref(row, rating_col["c02"]), "n/a"))
        for comp_id, value in typed.items():
            edits.append(("Ratings", cell_ref(row, rating_col[comp_id]), value))
        valid = {c: v if isinstance(v, int) else None for c, v in typed.items()}
        figures = row_figures(fw, level, valid)
        expected[row] = {
            "Average": figures.average,
            "Lowest": figures.lowest,
            "Gaps to next level": figures.gaps,
            "Ready?": figures.ready,
        }
    book = libreoffice.fill(path, tmp_path / "filled.xlsx", edits)
    computed = _assert_computed(book, header, expected)
    assert computed >= 20  # most rows are complete: the figures were computed, not all empty


def _figures(fw: Framework, level: str, typed: dict[str, Any]) -> dict[str, Any]:
    figures = row_figures(fw, level, {c: v if isinstance(v, int) else None for c, v in typed.items()})
    return {
        "Average": figures.average,
        "Lowest": figures.lowest,
        "Gaps to next level": figures.gaps,
        "Ready?": figures.ready,
    }


def _assert_computed(book: Any, header: list[str], expected: dict[int, dict[str, Any]], sheet: str = "Ratings") -> int:
    """LibreOffice's recalculated figures equal matrixkit's; returns how many were not empty."""
    computed = 0
    for row, want in expected.items():
        for name, value in want.items():
            shown = book.value(sheet, cell_ref(row, header.index(name)))
            shown = None if shown == "" else shown
            if isinstance(value, float):
                assert shown == pytest.approx(value, abs=1e-9), (row, name, shown, value)
            else:
                assert shown == value, (row, name, shown, value)
            computed += value is not None
    return computed


@pytest.mark.libreoffice
def test_roster_rows_of_hundreds_of_competencies_compute_like_python(libreoffice: Any, tmp_path: Path) -> None:
    fw = _wide_framework(tmp_path, 300)
    roster = tmp_path / "roster.csv"
    people = {"E1": "L2", "E2": "M2", "E3": "L3"}
    roster.write_text(
        "employee_id,name,family,level,manager_id,manager_name\n"
        + "".join(f"{e},Person {e},eng,{level},B,Boss\n" for e, level in people.items()),
        encoding="utf-8",
    )
    [path] = generate_workbooks([fw], read_roster(roster, [fw]), "2026-Q4", tmp_path / "out")
    formulas = _formulas(path)
    assert max(len(f) + 1 for f in formulas) <= 8192
    assert any("SUMPRODUCT" in f for f in formulas)  # the long rows took the array form
    header = [c.header for c in ratings_columns(fw)]
    rows = {openpyxl.load_workbook(path)["Ratings"].cell(r + 1, 1).value: r for r in range(1, 4)}
    edits: list[tuple[str, str, Any]] = []
    expected: dict[int, dict[str, Any]] = {}
    for employee, level in people.items():
        competencies = fw.competencies_for(fw.track_of_level[level].id)
        typed: dict[str, Any] = {c.id: 2 + (n * 7 + len(employee)) % 4 for n, c in enumerate(competencies)}
        if employee == "E3":
            typed[competencies[5].id] = 4.5
        edits += [
            ("Ratings", cell_ref(rows[employee], header.index(fw.competency_by_id[c].name)), v)
            for c, v in typed.items()
        ]
        expected[rows[employee]] = _figures(fw, level, typed)
    book = libreoffice.fill(path, tmp_path / "filled.xlsx", edits)
    assert _assert_computed(book, header, expected) >= 6


# -- lint: every problem in one pass ------------------------------------------------------------------


def _with_quality_faults() -> dict[str, Any]:
    """base_framework with one of each quality fault the issue names, and no structural error."""
    data = base_framework()
    data["competencies"][0]["descriptions"]["L2"] = "Shows leadership in the weekly planning meeting."
    data["competencies"][1]["descriptions"]["L3"] = data["competencies"][1]["descriptions"]["L2"]
    ic = data["tracks"][0]["levels"]
    ic[2]["expected"]["craft"] = 9  # outside the scale
    ic[3]["expected"]["design"] = ic[2]["expected"]["design"] - 1  # falls
    return data


def _lint(tmp_path: Path, data: dict[str, Any], name: str) -> list[Any]:
    from matrixkit.model.lint import lint_paths

    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return lint_paths([path])


QUALITY = {"vague-wording", "same-text", "expected-out-of-scale", "expected-falls"}


def test_lint_reports_quality_faults_beside_structural_errors(tmp_path: Path) -> None:
    fixed = _lint(tmp_path, _with_quality_faults(), "fixed")
    assert {p.code for p in fixed} == QUALITY
    broken = _with_quality_faults()
    broken["competencies"][6]["descriptions"]["L1"] = 5  # not text
    del broken["tracks"][1]["levels"][1]["title"]  # M2 has no title: the whole level cannot be read
    broken["tracks"][0]["levels"][1]["expected"]["delivery"] = "high"  # not a number
    problems = _lint(tmp_path, broken, "broken")
    structural = [(p.path, p.code) for p in problems if p.code not in QUALITY]
    assert structural == [
        ("competencies[6].descriptions.L1", "schema"),
        ("tracks[0].levels[1].expected.delivery", "schema"),
        ("tracks[1].levels[1].title", "schema"),
    ]

    # The quality faults, each at the same place as once the structure is fixed, and on its own line.
    def where(found: list[Any]) -> set[tuple[str, str | None, str]]:
        return {(p.code, p.path, p.message) for p in found if p.code in QUALITY}

    assert where(problems) == where(fixed)
    lines = read_yaml(tmp_path / "broken.yaml")
    assert all(p.line == lines.line_of(_loc(p.path)) for p in problems), problems


def _loc(path: str | None) -> tuple[str | int, ...]:
    """`tracks[0].levels[3].expected.design` → ("tracks", 0, "levels", 3, "expected", "design")."""
    return tuple(int(part) if part.isdigit() else part for part in re.findall(r"[^.\[\]]+", path or ""))


def test_lint_after_a_cut_list_item_points_at_the_file_own_lines(tmp_path: Path) -> None:
    """A level cut from the middle of a track: the levels after it keep their own index and line."""
    data = _with_quality_faults()
    data["tracks"][0]["levels"][1]["title"] = 2  # not text: L2 cannot be read
    problems = _lint(tmp_path, data, "cut")
    falls = [p for p in problems if p.code == "expected-falls"]
    fixed = [p for p in _lint(tmp_path, _with_quality_faults(), "fixed") if p.code == "expected-falls"]
    assert [(p.path, p.line) for p in falls] == [(p.path, p.line) for p in fixed]  # the files' lines agree
    assert "tracks[0].levels[3].expected.design" in {p.path for p in falls}
    assert not [p for p in problems if "L2" in p.message and p.code == "reference"]  # it exists: no false alarm
    assert not [p for p in problems if p.message == "must not be empty"]


LINT_FILE = """\
matrixkit: 1
family: {id: eng, name: Eng, version: "1"}
competencies:
  - id: craft
    name: Craft
    kind: core
    descriptions:
      L1: Writes good tests.
      L2: 5
tracks:
  - id: ic
    name: IC
    levels:
      - {id: L1, title: One, expected: {craft: 2}}
      - {id: L2, title: Two, expected: {craft: 1}}
"""

LINT_OUTPUT = """\
{file}
      9  error    competencies[0].descriptions.L2
                  expected text, found the number 5
                  → quote it: "5"
      8  warning  competencies[0].descriptions.L1
                  'Craft' at L1: 'good' is vague or unobservable
                  → a judgement a manager cannot check; describe the result: <verb> <artefact or outcome> \
<scope or frequency>, e.g. 'Writes tests that catch regressions before review' instead of 'writes good tests'
     11  warning  tracks[0]
                  track 'ic' rates 1 competency; aim for 3–12
                  → an average of one or two ratings says little: split a broad competency
     13  warning  tracks[0].levels
                  track 'ic' has 2 levels; a ladder works with 4–7
                  → each step is a big jump: split a level, or enter this track from another (`entry`)
     15  warning  tracks[0].levels[1].expected.craft
                  'Craft' falls from 2 at L1 to 1 at L2
                  → expect at least 2 at L2, or less at L1: a higher level asks for no less

1 error(s), 4 warning(s) in 1 input(s)
"""


def test_lint_terminal_output_in_one_pass_with_the_summary_on_its_own_line(tmp_path: Path) -> None:
    path = tmp_path / "eng.yaml"
    path.write_text(LINT_FILE, encoding="utf-8")
    result = CliRunner().invoke(main, ["lint", str(path)])
    assert result.exit_code == 1
    assert result.output == LINT_OUTPUT.format(file=path)
