"""Problems are values with a code, in one natural order everywhere: JSON, the Problems sheet, the terminal."""

from __future__ import annotations

import ast
import io
import json
import re
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import FT_ENGINEERING, REPO, TEMPLATES

from matrixkit import load_frameworks
from matrixkit.cli.main import main
from matrixkit.errors import RosterError
from matrixkit.model.framework import Framework
from matrixkit.model.lint import lint_paths
from matrixkit.model.problems import Problem, natural_key, sort_problems
from matrixkit.outputs.generate import generate_blank_matrix
from matrixkit.outputs.report import report_bytes
from matrixkit.run import analyze_workbooks
from matrixkit.sources.roster import read_roster

CODE = re.compile(r"[a-z]+(-[a-z]+)*")
FRAMEWORK = TEMPLATES / "startup.yaml"


def bad_matrix(path: Path, fw: Framework, bad_rows: tuple[int, ...] = (2, 10)) -> Path:
    """A blank matrix typed into like a manager would: ten people, a 4.5 rating in column D of `bad_rows`."""
    generate_blank_matrix(fw, path, rows=12)
    book = openpyxl.load_workbook(path)
    sheet = book["Ratings"]
    headers = [cell.value for cell in sheet[1]]
    assert headers[:4] == ["Employee ID", "Name", "Level", fw.competencies[0].name]
    for row in range(2, 12):
        sheet.cell(row, 1).value = f"{path.stem}-E{row}"
        sheet.cell(row, 2).value = f"Person {row}"
        sheet.cell(row, 3).value = "S2"
        sheet.cell(row, 4).value = 4.5 if row in bad_rows else 3
    book.save(path)
    return path


@pytest.fixture(scope="module")
def returned(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Path], list[Framework]]:
    folder = tmp_path_factory.mktemp("returned")
    frameworks = load_frameworks([FRAMEWORK])
    files = [bad_matrix(folder / f"{name}.xlsx", frameworks[0]) for name in ("file10", "file2")]
    return files, frameworks


def places(problems: list[Problem]) -> list[tuple[str, str]]:
    return [(Path(p.file or "").name, p.cell or "") for p in problems if p.cell and p.cell.startswith("D")]


NATURAL = [("file2.xlsx", "D2"), ("file2.xlsx", "D10"), ("file10.xlsx", "D2"), ("file10.xlsx", "D10")]


def test_sort_is_natural_in_every_field() -> None:
    problems = [
        Problem("warning", "w", file="a.xlsx", cell="D2", code="w"),
        Problem("error", "e", file="file10.xlsx", sheet="Ratings", cell="D2", code="e"),
        Problem("error", "e", file="file2.xlsx", sheet="Ratings", cell="D10", code="e"),
        Problem("error", "e", file="file2.xlsx", sheet="Ratings", cell="row 10", code="e"),
        Problem("error", "e", file="file2.xlsx", sheet="Ratings", cell="AA9", code="e"),
        Problem("error", "e", file="file2.xlsx", sheet="Ratings", cell="Z9", code="e"),
        Problem("error", "e", file="file2.xlsx", sheet="Ratings", cell="D2", code="e"),
        Problem("error", "e", file="f.yaml", path="competencies[10]", code="e"),
        Problem("error", "e", file="f.yaml", path="competencies[2]", code="e"),
    ]
    assert [(p.file, p.cell or p.path) for p in sort_problems(problems)] == [
        ("f.yaml", "competencies[2]"),
        ("f.yaml", "competencies[10]"),
        ("file2.xlsx", "D2"),
        ("file2.xlsx", "Z9"),
        ("file2.xlsx", "AA9"),
        ("file2.xlsx", "row 10"),
        ("file2.xlsx", "D10"),
        ("file10.xlsx", "D2"),
        ("a.xlsx", "D2"),  # warnings after every error
    ]
    assert sorted(["x10", "x9", "x", "10", "9"], key=natural_key) == ["9", "10", "x", "x9", "x10"]


def test_json_lists_d2_before_d10_and_file2_before_file10(returned: tuple[list[Path], list[Framework]]) -> None:
    files, frameworks = returned
    document = analyze_workbooks(files, frameworks, cycle="2026-Q4").to_dict("test")
    listed = [(Path(p["file"]).name, p["cell"]) for p in document["problems"]]
    assert listed == NATURAL
    assert all(CODE.fullmatch(p["code"]) for p in document["problems"])  # the JSON carries each code


def test_problems_sheet_lists_d2_before_d10(returned: tuple[list[Path], list[Framework]]) -> None:
    files, frameworks = returned
    analysis = analyze_workbooks(files, frameworks, cycle="2026-Q4")
    sheet = openpyxl.load_workbook(io.BytesIO(report_bytes(analysis, frameworks)), read_only=True)["Problems"]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    header = next(i for i, row in enumerate(rows) if row[:2] == ["Severity", "File"])
    file_col, cell_col = rows[header].index("File"), rows[header].index("Cell")
    listed = [(Path(row[file_col]).name, row[cell_col]) for row in rows[header + 1 :] if row[cell_col]]
    assert listed == NATURAL


def test_terminal_lists_d2_before_d10(returned: tuple[list[Path], list[Framework]], tmp_path: Path) -> None:
    files, _ = returned
    outputs = ["--out", str(tmp_path / "report.xlsx"), "--json", str(tmp_path / "report.json")]
    result = CliRunner().invoke(
        main, ["analyze", *map(str, files), "--framework", str(FRAMEWORK), "--cycle", "2026-Q4", *outputs]
    )
    assert result.exit_code == 1, result.output
    printed = re.findall(r"^(\S*file\d+\.xlsx)$|Ratings!(D\d+)", result.output, flags=re.MULTILINE)
    listed, current = [], ""
    for file, cell in printed:
        current = Path(file).name if file else current
        if cell:
            listed.append((current, cell))
    assert listed == NATURAL
    document = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert [(Path(p["file"]).name, p["cell"]) for p in document["problems"]] == NATURAL
    assert {p["code"] for p in document["problems"]} == {"rating-not-whole"}


# -- every problem has a code ----------------------------------------------------------------------


def test_every_problem_built_in_matrixkit_names_its_code() -> None:
    """Static: each Problem(...) call passes code= (or forwards **extra from a caller that must)."""
    missing = []
    for path in sorted((REPO / "matrixkit").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Problem":
                keywords = {keyword.arg for keyword in node.keywords}
                if "code" not in keywords and None not in keywords:
                    missing.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert missing == []
    with pytest.raises(TypeError, match="code"):
        Problem("error", "no code")  # type: ignore[call-arg]


def test_every_problem_over_the_corpus_has_a_kebab_case_code(
    returned: tuple[list[Path], list[Framework]], tmp_path: Path
) -> None:
    files, frameworks = returned
    found: list[Problem] = []
    found += lint_paths([*sorted(TEMPLATES.glob("*.yaml")), FT_ENGINEERING])
    broken = tmp_path / "broken.yaml"
    broken.write_text("matrixkit: 1\nfamily: {id: x}\ncompetencies:\n\t- id: a\n", encoding="utf-8")
    not_a_framework = tmp_path / "list.yaml"
    not_a_framework.write_text("- 1\n- 2\n", encoding="utf-8")
    unknown_keys = tmp_path / "keys.yaml"
    unknown_keys.write_text("matrixkit: 1\nfamily: {id: x, name: X}\ncolour: red\n", encoding="utf-8")
    found += lint_paths([broken, not_a_framework, unknown_keys, tmp_path / "absent.yaml"])
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "employee_id,name,family,level,manager_id,level_since\n"
        "E1,Ann,startup,S9,E1,soon\nE1,Bob,nope,S1,E2,\nE3,,startup,S1,,\n",
        encoding="utf-8",
    )
    with pytest.raises(RosterError) as caught:
        read_roster(roster, frameworks)
    found += caught.value.problems
    good_roster = tmp_path / "good.csv"
    good_roster.write_text(
        "employee_id,name,family,level,manager_id,manager_name\nfile2-E2,Ann,startup,S3,M1,Mo\nZ9,Zed,startup,S1,M1,Mo\n",
        encoding="utf-8",
    )
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"%PDF-1.4 not a workbook")
    analysis = analyze_workbooks(
        [*files, junk], frameworks, roster=read_roster(good_roster, frameworks), cycle="2026-Q4"
    )
    found += analysis.problems
    codes = {p.code for p in found}
    assert all(isinstance(p.code, str) and CODE.fullmatch(p.code) for p in found), codes
    # The corpus really exercises lint, schema, YAML, roster, cell and file problems.
    assert {"yaml-syntax", "schema", "roster-row", "rating-not-whole", "unsafe-file", "not-in-roster"} <= codes
