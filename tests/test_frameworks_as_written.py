"""Frameworks written the way public ones are (tests/frameworks/): numeric and sub-level ids, bullet-list
cells, anchors, competencies not assessed at some levels, emoji names, attribution. Every command works
on them: lint, generate, analyze, export/import, the YAML writer, diff and publish (SPEC rev 2)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml
from conftest import REPO
from filling import fill

from matrixkit import load_frameworks
from matrixkit.authoring.export import export_framework
from matrixkit.authoring.importing import import_framework_workbook
from matrixkit.model.diff import diff_frameworks, format_changes
from matrixkit.model.framework import Framework, framework_from_document, load_framework
from matrixkit.model.lint import lint_paths
from matrixkit.outputs.generate import generate_workbooks
from matrixkit.outputs.publish import publish_html
from matrixkit.run import analyze_workbooks
from matrixkit.sources.roster import read_roster
from matrixkit.sources.yamldoc import parse_yaml
from matrixkit.sources.yamlwriter import framework_yaml, same_framework
from matrixkit.workbook.writer import rating_message

FRAMEWORKS = REPO / "tests" / "frameworks"
PEOPLE_TEAM = FRAMEWORKS / "people-team.yaml"
CUSTOMER_OPS = FRAMEWORKS / "customer-ops.yaml"
WRITTEN = (PEOPLE_TEAM, CUSTOMER_OPS)


@pytest.mark.parametrize("path", WRITTEN, ids=lambda p: p.stem)
def test_lints_without_errors(path: Path) -> None:
    problems = lint_paths([path])
    assert [p.describe() for p in problems if p.severity == "error"] == []
    # A short list, each worth acting on: numeric level ids, one warning for the file however many places
    # write them (quote them); the behaviours kept flat on purpose are allowed by the framework itself.
    assert [p.code for p in problems] == ["numeric-level-id"]


def test_sub_levels_are_plain_level_ids() -> None:
    fw = load_framework(CUSTOMER_OPS)
    assert [level.id for level in fw.tracks[0].levels] == ["1A", "1B", "1C", "2"]
    assert fw.next_level("1C").id == "2"  # type: ignore[union-attr]
    assert fw.criteria_for("1A").months_in_level_at_least == 1


@pytest.fixture(scope="module")
def people_workbook(tmp_path_factory: pytest.TempPathFactory) -> tuple[Framework, Any, Path]:
    folder = tmp_path_factory.mktemp("people")
    frameworks = load_frameworks([PEOPLE_TEAM])
    roster = read_roster(FRAMEWORKS / "people-team-roster.csv", frameworks)
    [path] = generate_workbooks(frameworks, roster, "2026-Q4", folder / "out")
    return frameworks[0], roster, path


def test_not_assessed_cells_are_not_applicable_and_locked(people_workbook: Any) -> None:
    _fw, _roster, path = people_workbook
    ws = openpyxl.load_workbook(path)["Ratings"]
    header = [c.value for c in ws[1]]
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == "P01")  # level 1
    people_data = ws.cell(row, header.index("📊 People data") + 1)
    leadership = ws.cell(row, header.index("🧭 Leadership") + 1)
    relations = ws.cell(row, header.index("🤝 Employee relations") + 1)
    assert people_data.value == leadership.value == "n/a"
    assert people_data.protection.locked and leadership.protection.locked
    assert relations.value is None and not relations.protection.locked
    # Level 4 assesses leadership: an input cell there.
    row4 = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == "P04")
    assert ws.cell(row4, header.index("🧭 Leadership") + 1).protection.locked is False


def test_guide_keeps_line_breaks_and_lists_anchors(people_workbook: Any) -> None:
    fw, _roster, path = people_workbook
    texts = [c.value for row in openpyxl.load_workbook(path)["Guide"].iter_rows() for c in row if c.value]
    assert fw.description("employee_relations", "3").strip() in texts
    assert any(isinstance(t, str) and t.startswith("- Runs investigations") and "\n- Coaches" in t for t in texts)
    assert "What each rating means" in texts
    assert fw.competency_by_id["communication"].anchors[3] in texts


def test_rating_input_messages_keep_line_breaks(people_workbook: Any, tmp_path: Path) -> None:
    fw, _roster, path = people_workbook
    ws = openpyxl.load_workbook(path)["Ratings"]
    prompts = [v.prompt or "" for v in ws.data_validations.dataValidation]
    # SPEC rev 2: a competency's anchors where it has them (one line per point), else the descriptions.
    anchored = fw.competency_by_id["employee_relations"].anchors
    assert any(all(f"— {anchors[:25]}" in p for anchors in list(anchored.values())[:2]) for p in prompts)
    data = yaml.safe_load((REPO / "tests" / "frameworks" / "people-team.yaml").read_text(encoding="utf-8"))
    for competency in data["competencies"]:
        competency.pop("anchors", None)
    (tmp_path / "plain.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    plain = load_framework(tmp_path / "plain.yaml")
    message = rating_message(plain, "employee_relations", "3")
    assert "\n- " in message, "a bullet-list description reaches the message as a list"


def test_analyze_leaves_not_assessed_competencies_out(people_workbook: Any, tmp_path: Path) -> None:
    fw, roster, path = people_workbook
    filled = tmp_path / "filled.xlsx"
    names = {c.id: c.name for c in fw.competencies}
    ratings: dict[str, dict[str, int | str]] = {
        "P01": {names[c]: 2 for c in ("employee_relations", "compliance", "communication", "collaboration")},
        "P04": {names[c.id]: 3 for c in fw.competencies},
    }
    ratings["P01"][names["communication"]] = 3
    ratings["P01"][names["leadership"]] = 4  # typed over the n/a of a competency level 1 does not assess
    ratings["P01"]["Manager endorsement"] = "Yes"
    fill(path, filled, ratings)
    analysis = analyze_workbooks([filled], [fw], roster=roster, cycle="2026-Q4")
    by_id = {e.employee_id: e for e in analysis.employees}
    first = by_id["P01"]
    assert first.status != "incomplete"
    assert set(first.ratings) == {"employee_relations", "compliance", "communication", "collaboration"}
    assert first.average == pytest.approx(2.25) and first.lowest == 2
    assert {c.criterion for c in first.criteria} >= {"average_at_least", "next_level_gaps_at_most"}
    [ignored] = [p for p in analysis.problems if p.code == "rating-not-assessed"]
    assert ignored.severity == "warning" and ignored.sheet == "Ratings"
    assert ignored.cell is not None and ignored.cell.endswith(str(list(by_id).index("P01") + 2))
    assert "Leadership" in ignored.message and "not assessed at level 1" in ignored.message
    assert by_id["P04"].status != "incomplete" and "leadership" in by_id["P04"].ratings


@pytest.mark.parametrize("path", WRITTEN, ids=lambda p: p.stem)
def test_export_import_round_trip_keeps_everything(path: Path, tmp_path: Path) -> None:
    original = load_framework(path)
    result = import_framework_workbook(export_framework(original, tmp_path / "authoring.xlsx"))
    assert result.ok, [p.describe() for p in result.problems]
    back = result.framework
    assert back is not None and back.fingerprint == original.fingerprint
    assert back.family.source == original.family.source and back.family.license == original.family.license
    assert [c.anchors for c in back.competencies] == [c.anchors for c in original.competencies]
    assert [lv.not_assessed for lv in back.level_by_id.values()] == [
        lv.not_assessed for lv in original.level_by_id.values()
    ]
    assert diff_frameworks(original, back) == []
    # What the author accepted on purpose survives too (it is outside the fingerprint, so checked here).
    assert [c.lint.allow for c in back.competencies] == [c.lint.allow for c in original.competencies]
    assert any(c.lint.allow for c in original.competencies)


def test_file_wide_lint_settings_survive_export_and_import(tmp_path: Path) -> None:
    text = PEOPLE_TEAM.read_text(encoding="utf-8").replace("\nscale:", "\nlint: {allow: [too-long]}\n\nscale:", 1)
    (tmp_path / "team.yaml").write_text(text, encoding="utf-8")
    original = load_framework(tmp_path / "team.yaml")
    assert original.lint.allow == ("too-long",)
    back = import_framework_workbook(export_framework(original, tmp_path / "authoring.xlsx")).framework
    assert back is not None and back.lint.allow == ("too-long",)
    again = framework_from_document(parse_yaml(framework_yaml(original), "again.yaml"))
    assert again.lint.allow == ("too-long",)


@pytest.mark.parametrize("path", WRITTEN, ids=lambda p: p.stem)
def test_yaml_writer_round_trip(path: Path) -> None:
    original = load_framework(path)
    text = framework_yaml(original)
    assert "null" in text and "anchors:" in text and "license:" in text
    again = framework_from_document(parse_yaml(text, "again.yaml"))
    assert same_framework(again, original) and again.fingerprint == original.fingerprint
    assert [c.lint.allow for c in again.competencies] == [c.lint.allow for c in original.competencies]


def test_diff_reports_anchors_not_assessed_and_attribution(tmp_path: Path) -> None:
    old = load_framework(PEOPLE_TEAM)
    text = PEOPLE_TEAM.read_text(encoding="utf-8")
    text = text.replace(
        "Copies numbers from the HR system; someone else checks them.", "Copies numbers; a peer checks."
    )
    text = text.replace("      4: Builds the analysis others decide from, and says how sure it is.\n", "")
    text = text.replace("data_literacy: 1, compliance: 2", "data_literacy: null, compliance: 2")
    text = text.replace('license: "CC0 1.0"', 'license: "CC BY 4.0"')
    new_path = tmp_path / "people-team.yaml"
    new_path.write_text(text, encoding="utf-8")
    new = load_framework(new_path)
    changes = {c.path: c for c in diff_frameworks(old, new)}
    assert changes["competencies.data_literacy.anchors.2"].kind == "changed"
    assert changes["competencies.data_literacy.anchors.4"].kind == "removed"
    assert changes["competencies.data_literacy.anchors.2"].section == "Anchors"
    assert (changes["levels.2.expected.data_literacy"].old, changes["levels.2.expected.data_literacy"].new) == (
        1,
        "not assessed",
    )
    assert changes["family.license"].new == "CC BY 4.0"
    assert "Anchors (2)" in format_changes(changes.values(), old, new)


def test_published_page_shows_anchors_not_assessed_and_attribution() -> None:
    frameworks = load_frameworks([PEOPLE_TEAM, CUSTOMER_OPS])
    page = publish_html(frameworks, date(2026, 12, 1))
    assert page.count("What each rating means") == 4  # competencies with anchors, over both families
    assert "Closes routine cases alone; asks before any case with legal risk." in page
    assert "Not assessed at this level." in page and ">not assessed<" in page
    footer = page[page.index('<footer class="page-footer">') :]
    assert "licensed CC0 1.0" in footer and "🎧 Customer Operations: from Written for matrixkit" in footer
    # A bullet-list cell keeps its line breaks (the .text cells show them: white-space: pre-line).
    assert "- Logs every employee question in the case tracker the same day\n- Answers policy" in page


def test_packets_and_reports_use_the_level_competencies(people_workbook: Any, tmp_path: Path) -> None:
    fw, roster, path = people_workbook
    filled = tmp_path / "filled.xlsx"
    names = [
        fw.competency_by_id[c].name for c in ("employee_relations", "compliance", "communication", "collaboration")
    ]
    fill(path, filled, {"P01": dict.fromkeys(names, 1)})
    analysis = analyze_workbooks([filled], [fw], roster=roster, cycle="2026-Q4")
    [first] = [e for e in analysis.employees if e.employee_id == "P01"]
    assert first.average == 1 and first.next_level_gaps == [
        "employee_relations",
        "compliance",
        "communication",
        "collaboration",
    ]


def test_format_page_example_loads_and_lints_without_errors(tmp_path: Path) -> None:
    page = (REPO / "docs" / "framework-format.md").read_text(encoding="utf-8")
    example = page.split("```yaml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "example.yaml"
    path.write_text(example, encoding="utf-8")
    fw = load_framework(path)
    assert fw.level_by_id["1A"].not_assessed == ("coaching",) and fw.competency_by_id["tickets"].anchors
    assert [p.describe() for p in lint_paths([path]) if p.severity == "error"] == []


def test_import_problems_come_in_reading_order(tmp_path: Path) -> None:
    original = export_framework(load_framework(REPO / "templates" / "engineering.yaml"), tmp_path / "e.xlsx")
    book = openpyxl.load_workbook(original)
    for ref in ("F12", "F3"):  # two missing titles: Levels!F3 must come before Levels!F12
        book["Levels"][ref] = None
    book.save(tmp_path / "edited.xlsx")
    cells = [p.cell for p in import_framework_workbook(tmp_path / "edited.xlsx").problems if p.sheet == "Levels"]
    assert cells == ["F3", "F12"]


def test_an_authoring_workbook_from_before_lint_allows_still_imports(tmp_path: Path) -> None:
    path = export_framework(load_framework(CUSTOMER_OPS), tmp_path / "authoring.xlsx")
    book = openpyxl.load_workbook(path)
    sheet = book["Competencies"]
    header = [c.value for c in sheet[1]]
    sheet.delete_cols(header.index("Lint allows") + 1)
    book.save(path)
    result = import_framework_workbook(path)
    assert result.ok, [p.describe() for p in result.problems]
    assert result.framework is not None and all(not c.lint.allow for c in result.framework.competencies)
