from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import FT_ENGINEERING, REPO, TEMPLATES

from matrixkit import load_frameworks
from matrixkit.cli.main import main
from matrixkit.outputs.generate import generate_blank_matrix, generate_workbooks, safe_file_stem
from matrixkit.sources.roster import read_roster
from matrixkit.workbook.layout import ratings_sheet_names
from matrixkit.workbook.writer import INPUT_MESSAGE_LIMIT, _rating_title, rating_message

ALLOWED_FUNCTIONS = {
    "AVERAGE",
    "MIN",
    "MAX",
    "COUNT",
    "IF",
    "AND",
    "OR",
    "IFERROR",
    "ISNUMBER",
    "INT",
    "ROUND",
    "INDEX",
    "MATCH",
    "SUMPRODUCT",
    "COUNTIF",
    "COUNTIFS",
    "MID",  # Excel 2007 and every LibreOffice: Still needed drops its leading separator
}
SPEC_HEADERS_START = ["Employee ID", "Name", "Level"]
SPEC_HEADERS_END = ["Comments", "Average", "Lowest", "Gaps to next level", "Ready?", "Still needed"]


@pytest.fixture(scope="module")
def engineering_out(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Path], Any, Any]:
    frameworks = load_frameworks([TEMPLATES / "engineering.yaml"])
    roster = read_roster(TEMPLATES / "rosters" / "engineering.csv", frameworks)
    out = tmp_path_factory.mktemp("eng")
    return generate_workbooks(frameworks, roster, "2026-Q4", out, due="2026-12-15"), frameworks[0], roster


def ratings_header(ws: Any) -> list[str]:
    return [c.value for c in next(ws.iter_rows(min_row=1, max_row=1))]


def test_one_workbook_per_manager_with_only_their_reports(engineering_out: Any) -> None:
    paths, _, roster = engineering_out
    assert len(paths) == len(roster.managers)
    for path in paths:
        manager_id = path.name.split("_")[0]
        wb = openpyxl.load_workbook(path)
        ws = wb["Ratings"]
        ids = [row[0].value for row in ws.iter_rows(min_row=2) if row[0].value]
        assert sorted(ids) == sorted(e.employee_id for e in roster.reports_of(manager_id))


def test_sheets_order_visibility_and_metadata(engineering_out: Any) -> None:
    paths, fw, _ = engineering_out
    wb = openpyxl.load_workbook(paths[0])
    assert wb.sheetnames == ["Instructions", "Ratings", "Guide", "Role profile", "_matrixkit"]
    assert wb.worksheets[0].sheet_state == "visible"
    assert wb["_matrixkit"].sheet_state == "hidden"
    meta = {row[0].value: row[1].value for row in wb["_matrixkit"].iter_rows()}
    assert meta["cycle"] == "2026-Q4"
    assert meta["manager_id"] == paths[0].name.split("_")[0]
    assert fw.fingerprint in meta["family:engineering"]
    props = {p.name: p.value for p in wb.custom_doc_props.props}
    assert props["matrixkit_cycle"] == "2026-Q4"
    assert props["matrixkit_families"] == f"engineering={fw.family.version}@{fw.fingerprint}"


def test_ratings_columns_follow_spec(engineering_out: Any) -> None:
    paths, fw, _ = engineering_out
    header = ratings_header(openpyxl.load_workbook(paths[1])["Ratings"])
    expected = [
        *SPEC_HEADERS_START,
        *(c.name for c in fw.competencies),
        *(e.prompt for e in fw.evidence),
        "Manager endorsement",
        *(m.name for m in fw.metrics),
        *SPEC_HEADERS_END,
    ]
    assert header == expected


def test_rating_cells_have_dropdown_message_and_alert(engineering_out: Any) -> None:
    paths, fw, roster = engineering_out
    wb = openpyxl.load_workbook(paths[1])
    ws = wb["Ratings"]
    header = ratings_header(ws)
    communication_col = header.index("Communication") + 1
    row = 2
    employee = roster.by_id[ws.cell(row, 1).value]
    target = fw.next_level(employee.level) or fw.level_by_id[employee.level]
    cell = ws.cell(row, communication_col).coordinate
    rules = [dv for dv in ws.data_validations.dataValidation if cell in dv.sqref]
    assert len(rules) == 1
    rule = rules[0]
    assert rule.type == "list" and rule.formula1 == '"1,2,3,4,5"'
    assert rule.showErrorMessage and rule.errorStyle in (None, "stop")
    # SPEC rev 2: both levels' expected values, then what the numbers around them mean.
    current = fw.level_by_id[employee.level]
    now, goal = current.expected["communication"], target.expected["communication"]
    assert rule.prompt.startswith(f"{current.id} expects {now}, {target.id} expects {goal} here.\n")
    assert len(rule.prompt) <= INPUT_MESSAGE_LIMIT
    label = fw.scale.labels[goal]
    assert f"\n{goal} {label} — as {target.id}: " in rule.prompt
    assert " ".join(fw.description("communication", target.id).split())[:20] in rule.prompt
    assert rule.prompt.endswith("\nFull text: Guide sheet.")
    assert rule.promptTitle == f"Communication · {current.id}"


def test_rating_message_uses_anchors_and_keeps_line_breaks() -> None:
    """Anchors where the framework has them; a cut never splits a word; titles keep their level."""
    [fw] = load_frameworks([REPO / "tests" / "frameworks" / "people-team.yaml"])
    competency = next(c for c in fw.competencies if c.anchors)
    level = next(lv for lv in fw.tracks[0].levels if fw.assessed(competency.id, lv.id) and fw.next_level(lv.id))
    message = rating_message(fw, competency.id, level.id)
    assert len(message) <= INPUT_MESSAGE_LIMIT and message.count("\n") >= 2
    value = level.expected[competency.id]
    anchor = " ".join(competency.anchors[value].split())
    assert message.startswith(f"level {level.id} expects {value}, level ")  # a numeric id reads as a level
    line = next(part for part in message.split("\n")[1:] if part.startswith(f"{value} "))
    assert anchor.startswith(line.split(" — ", 1)[1].rstrip("…"))
    assert _rating_title("Accomplishment and delivery excellence", "senior-2-pm") == "Accomplishment… · senior-2-pm"
    assert len(_rating_title("A" * 40, "IC3")) <= 32 and _rating_title("A" * 40, "IC3").endswith(" · IC3")


def test_not_applicable_cells_are_locked_and_inputs_unlocked(engineering_out: Any) -> None:
    paths, fw, roster = engineering_out
    for path in paths:
        ws = openpyxl.load_workbook(path)["Ratings"]
        header = ratings_header(ws)
        assert ws.protection.sheet and ws.protection.autoFilter is False  # False means "allowed" in OOXML
        for row in range(2, ws.max_row + 1):
            employee = roster.by_id[ws.cell(row, 1).value]
            track = fw.track_of_level[employee.level].id
            for comp in fw.competencies:
                cell = ws.cell(row, header.index(comp.name) + 1)
                if fw.applies_to(comp, track):
                    assert cell.value is None and cell.protection.locked is False
                else:
                    assert cell.value == "n/a" and cell.protection.locked is True
                    assert cell.fill.fgColor.rgb.endswith("D9D9D9")
            for name in ("Manager endorsement", "Comments"):
                assert ws.cell(row, header.index(name) + 1).protection.locked is False
            for name in ("Employee ID", "Name", "Level", "Average", "Ready?"):
                assert ws.cell(row, header.index(name) + 1).protection.locked is True


def test_formulas_use_only_portable_functions(engineering_out: Any) -> None:
    paths, *_ = engineering_out
    ws = openpyxl.load_workbook(paths[1])["Ratings"]
    formulas = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("=")]
    assert formulas
    used = {name for f in formulas for name in re.findall(r"([A-Z][A-Z0-9.]*)\(", f)}
    assert used <= ALLOWED_FUNCTIONS, used - ALLOWED_FUNCTIONS


def test_formula_cached_values_are_empty_not_zero(engineering_out: Any) -> None:
    """xlsxwriter's default cached 0 would show on LibreOffice's first screen: we write the true value."""
    paths, *_ = engineering_out
    with zipfile.ZipFile(paths[1]) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet2.xml").decode()
    cells = re.findall(r"<c [^>]*>(<f>.*?</f>)(<v>.*?</v>)?</c>", sheet_xml)
    assert cells
    assert all(value in ("", "<v></v>") for _, value in cells), {v for _, v in cells}


def test_same_inputs_same_bytes(tmp_path: Path) -> None:
    frameworks = load_frameworks([TEMPLATES / "sales.yaml"])
    roster = read_roster(TEMPLATES / "rosters" / "sales.csv", frameworks)
    first = generate_workbooks(frameworks, roster, "2026-H2", tmp_path / "a")
    second = generate_workbooks(frameworks, roster, "2026-H2", tmp_path / "b")
    assert [p.name for p in first] == [p.name for p in second]
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes()


def test_roster_text_is_never_a_formula_or_link(tmp_path: Path) -> None:
    frameworks = load_frameworks([TEMPLATES / "startup.yaml"])
    nasty = ["=1+1", "+SUM(A1)", "@x", "-x", "https://evil.example.com", '=HYPERLINK("http://x","y")']
    lines = ["employee_id,name,family,level,manager_id,manager_name"]
    lines += [
        f'E{i},"{name.replace(chr(34), chr(34) * 2)}",startup,S1,BOSS,"=cmd|calc"' for i, name in enumerate(nasty)
    ]
    roster_path = tmp_path / "r.csv"
    roster_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    roster = read_roster(roster_path, frameworks)
    [path] = generate_workbooks(frameworks, roster, "2026-Q4", tmp_path / "out")
    wb = openpyxl.load_workbook(path)
    ws = wb["Ratings"]
    names = {ws.cell(r, 2).value: ws.cell(r, 2) for r in range(2, ws.max_row + 1)}
    assert set(names) == set(nasty)
    for cell in names.values():
        assert cell.data_type == "s" and cell.hyperlink is None
    instructions = wb["Instructions"]
    texts = [c for row in instructions.iter_rows() for c in row if c.value == "=cmd|calc (BOSS)"]
    assert texts and texts[0].data_type == "s"


def test_file_names_are_safe() -> None:
    assert safe_file_stem("Zoë Ó'Brien / CON") == "Zoe-O-Brien_CON"
    assert safe_file_stem("李小龍") == "LiXiaoLong"  # transliterated, no longer dropped
    assert safe_file_stem("?*/") == "workbook"
    assert safe_file_stem("CON") == "_CON"
    assert safe_file_stem('a<b>c:"d|e?f*g') == "a-b-c-d-e-f-g"


def test_sheet_names_for_several_families() -> None:
    frameworks = load_frameworks([TEMPLATES / "engineering.yaml", TEMPLATES / "customer-success.yaml"])
    names = ratings_sheet_names(frameworks)
    assert all(len(n) <= 31 and not re.search(r"[\[\]:*?/\\]", n) for n in names.values())
    assert names == {"engineering": "Ratings - Engineering", "customer_success": "Ratings - Customer Success & Su"}


def test_colliding_sheet_names_fall_back_to_family_ids(framework_data: dict[str, Any], write_yaml: Any) -> None:
    one = write_yaml(
        {
            **framework_data,
            "family": {"id": "eng_a", "name": "Engineering: Platform Group North", "version": "1"},
            "lateral_paths": [],
        }
    )
    two = write_yaml(
        {
            **framework_data,
            "family": {"id": "eng_b", "name": "Engineering: Platform Group South", "version": "1"},
            "lateral_paths": [],
        }
    )
    names = ratings_sheet_names(load_frameworks([one, two]))
    assert names == {"eng_a": "Ratings - eng_a", "eng_b": "Ratings - eng_b"}


def test_manager_with_reports_in_two_families_gets_two_sheets(tmp_path: Path) -> None:
    frameworks = load_frameworks([TEMPLATES / "engineering.yaml", TEMPLATES / "data-science.yaml"])
    roster_path = tmp_path / "r.csv"
    roster_path.write_text(
        "employee_id,name,family,level,manager_id,manager_name\n"
        "E1,Ann,engineering,IC2,B,Boss\nD1,Dee,data,DS3,B,Boss\n",
        encoding="utf-8",
    )
    [path] = generate_workbooks(frameworks, read_roster(roster_path, frameworks), "2026-Q4", tmp_path / "o")
    wb = openpyxl.load_workbook(path)
    assert [n for n in wb.sheetnames if n.startswith("Ratings")] == ["Ratings - Engineering", "Ratings - Data Science"]


def test_long_real_world_descriptions_are_cut_at_a_word_with_a_pointer(tmp_path: Path) -> None:
    frameworks = load_frameworks([FT_ENGINEERING])
    fw = frameworks[0]
    roster_path = tmp_path / "r.csv"
    roster_path.write_text(
        "employee_id,name,family,level,manager_id,manager_name\nE1,Ann,ft_engineering,senior-1,B,Boss\n",
        encoding="utf-8",
    )
    [path] = generate_workbooks(frameworks, read_roster(roster_path, frameworks), "2026-Q4", tmp_path / "o")
    wb = openpyxl.load_workbook(path)
    prompts = [dv.prompt for dv in wb["Ratings"].data_validations.dataValidation if dv.formula1 == '"1,2,3,4,5"']
    long_ones = [p for p in prompts if p.endswith("\nFull text: Guide sheet.")]
    assert long_ones and all(len(p) <= INPUT_MESSAGE_LIMIT for p in prompts)
    guide = wb["Guide"]
    full = fw.description("technical", "senior-2-ic").strip()  # type: ignore[union-attr]
    assert any(c.value == full for row in guide.iter_rows() for c in row), "the guide holds the full text"


def test_blank_matrix_has_level_dropdown_and_guarded_formulas(tmp_path: Path) -> None:
    [fw] = load_frameworks([TEMPLATES / "engineering.yaml"])
    path = generate_blank_matrix(fw, tmp_path / "matrix.xlsx", rows=10)
    wb = openpyxl.load_workbook(path)
    ws = wb["Ratings"]
    assert wb["_levels"].sheet_state == "hidden"
    level_rules = [dv for dv in ws.data_validations.dataValidation if "C2" in dv.sqref]
    assert level_rules and level_rules[0].formula1.startswith("_levels!")
    header = ratings_header(ws)
    average = ws.cell(2, header.index("Average") + 1).value
    assert average.startswith("=IFERROR(") and "MATCH($C2" in average
    assert ws.cell(11, header.index("Ready?") + 1).value.startswith("=IFERROR(")
    assert ws.cell(2, 1).protection.locked is False and ws.cell(2, 3).protection.locked is False


def test_cli_generate_and_blank_matrix(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "out"
    result = runner.invoke(
        main,
        [
            "generate",
            "--framework",
            str(TEMPLATES / "people.yaml"),
            "--roster",
            str(TEMPLATES / "rosters" / "people.csv"),
            "--cycle",
            "2026-Q4",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert len(list(out.glob("*.xlsx"))) >= 3
    result = runner.invoke(
        main, ["generate", "--framework", str(TEMPLATES / "people.yaml"), "--out", str(tmp_path / "m.xlsx")]
    )
    assert result.exit_code == 0 and (tmp_path / "m.xlsx").is_file()
    result = runner.invoke(
        main,
        [
            "generate",
            "--framework",
            str(TEMPLATES / "people.yaml"),
            "--roster",
            str(TEMPLATES / "rosters" / "people.csv"),
            "--cycle",
            "2026-Q5",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 2 and "2026-Q5" in result.output


def test_metric_with_only_a_minimum_says_so(tmp_path: Path) -> None:
    from matrixkit.workbook.writer import _metric_validation

    [fw] = load_frameworks([TEMPLATES / "sales.yaml"])
    only_min = fw.model_copy(update={"metrics": [fw.metrics[0].model_copy(update={"max": None})]})
    rule = _metric_validation(only_min, fw.metrics[0].id)
    assert rule.input_message == "A number of at least 0." and "1e+15" not in rule.error_message
    assert _metric_validation(fw, fw.metrics[0].id).input_message == "A number from 0 to 1000."


def test_instructions_speak_in_level_titles(engineering_out: Any) -> None:
    paths, _, _ = engineering_out
    ws = openpyxl.load_workbook(paths[0])["Instructions"]
    labels = [row[0].value for row in ws.iter_rows() if row[0].value]
    assert "Software Engineer I → Software Engineer II" in labels
    assert not any(str(label).startswith("IC1 →") for label in labels)
    assert ws.page_setup.fitToHeight == 0 and ws.sheet_properties.pageSetUpPr.fitToPage
    heights = [ws.row_dimensions[r].height for r in range(1, ws.max_row + 1)]
    assert any(h and h > 30 for h in heights), "long steps get taller rows"
