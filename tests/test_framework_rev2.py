"""SPEC rev 2's framework file: not-assessed cells (`expected: {id: null}`), `anchors`, numeric level
ids read as text, attribution (`family.source`/`license`), on the test frameworks of tests/frameworks/."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import REPO

from matrixkit import FrameworkError, load_framework
from matrixkit.model.lint import lint_paths

PEOPLE_TEAM = REPO / "tests" / "frameworks" / "people-team.yaml"


def load_errors(write_yaml: Any, data: Any) -> list[Any]:
    with pytest.raises(FrameworkError) as caught:
        load_framework(write_yaml(data))
    return caught.value.problems


def test_null_expectation_is_not_assessed_and_kept_out_of_expected() -> None:
    fw = load_framework(PEOPLE_TEAM)
    first = fw.level_by_id["1"]
    assert first.not_assessed == ("data_literacy", "leadership")
    assert None not in first.expected.values() and "data_literacy" not in first.expected
    assert [c.id for c in fw.competencies_at("1")] == [
        "employee_relations",
        "compliance",
        "communication",
        "collaboration",
    ]
    assert len(fw.competencies_at("7")) == len(fw.competencies_for("people")) == 6
    assert not fw.assessed("leadership", "3") and fw.assessed("leadership", "4")


def test_not_assessed_is_written_only_as_null(framework_data: dict[str, Any], write_yaml: Any) -> None:
    framework_data["tracks"][0]["levels"][0]["not_assessed"] = ["communication"]
    assert any("null" in p.message for p in load_errors(write_yaml, framework_data))


def test_null_expectation_of_an_unknown_competency_is_an_error(framework_data: dict[str, Any], write_yaml: Any) -> None:
    framework_data["tracks"][0]["levels"][0]["expected"]["nonsense"] = None
    assert [p.code for p in load_errors(write_yaml, framework_data)] == ["reference"]


def test_anchors_any_subset_of_the_scale() -> None:
    fw = load_framework(PEOPLE_TEAM)
    assert sorted(fw.competency_by_id["data_literacy"].anchors) == [2, 4]
    assert fw.competency_by_id["compliance"].anchors == {}
    assert fw.competency_by_id["communication"].anchors[3].startswith("Presents to groups")


def test_anchor_outside_the_scale_is_a_structural_error(framework_data: dict[str, Any], write_yaml: Any) -> None:
    framework_data["competencies"][0]["anchors"] = {1: "Starts.", 9: "Beyond the scale."}
    problems = load_errors(write_yaml, framework_data)
    assert [(p.code, p.path) for p in problems] == [("reference", "competencies[0].anchors.9")]
    assert "outside the scale" in problems[0].message


def test_numeric_level_ids_are_text_with_one_warning() -> None:
    fw = load_framework(PEOPLE_TEAM)
    assert [level.id for level in fw.tracks[0].levels] == ["1", "2", "3", "4", "5", "6", "7"]
    assert fw.description("employee_relations", "3").startswith("- Runs investigations")  # type: ignore[union-attr]
    problems = lint_paths([PEOPLE_TEAM])
    assert [p for p in problems if p.severity == "error"] == []
    assert [p.code for p in problems].count("numeric-level-id") == 1


def test_numeric_ids_in_from_to_and_equivalent(framework_data: dict[str, Any], write_yaml: Any) -> None:
    text = write_yaml(framework_data).read_text()
    for old in ("L1", "L2", "L3", "L4"):
        text = text.replace(f"'{old}'", old)
    numeric = text.replace("L1", "1").replace("L2", "2").replace("L3", "3").replace("L4", "4")
    fw = load_framework(write_yaml(numeric))
    assert "1" in fw.level_by_id and fw.next_level("1").id == "2"  # type: ignore[union-attr]


def test_attribution_fields() -> None:
    fw = load_framework(PEOPLE_TEAM)
    assert fw.family.license == "CC0 1.0"
    assert fw.family.source is not None and fw.family.source.startswith("Written for")
