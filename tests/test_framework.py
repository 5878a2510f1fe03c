from __future__ import annotations

import hashlib
from typing import Any

import pytest
from conftest import FT_ENGINEERING, SHARED_FIXTURES

from matrixkit import FrameworkError, load_framework, load_frameworks
from matrixkit.model.framework import Criteria


def load_errors(write_yaml: Any, data: Any) -> list[Any]:
    with pytest.raises(FrameworkError) as caught:
        load_framework(write_yaml(data))
    return caught.value.problems


def test_real_world_framework_loads_with_its_structure() -> None:
    fw = load_framework(FT_ENGINEERING)
    assert fw.family.id == "ft_engineering"
    assert [t.id for t in fw.tracks] == ["ic", "management"]
    assert [level.id for level in fw.tracks[0].levels][:3] == ["junior", "engineer", "senior-1"]
    assert fw.next_level("senior-1").id == "senior-2-ic"  # type: ignore[union-attr]
    assert fw.next_level("tech-director") is None
    assert len(fw.competencies_for("management")) == 9
    # Line breaks and the zero-width space survive loading untouched.
    assert "\u200b" in fw.description("independent_working", "senior-2-ic")  # type: ignore[operator]
    assert "\n" in fw.description("technical", "junior")  # type: ignore[operator]


def test_criteria_merge_level_over_default(framework_data: dict[str, Any], write_yaml: Any) -> None:
    framework_data["tracks"][0]["levels"][2]["promotion"] = {
        "average_at_least": 4.0,
        "evidence": [],  # an empty list clears the default
        "calibration": False,  # false means "not checked"
    }
    fw = load_framework(write_yaml(framework_data))
    merged = fw.criteria_for("L3")
    assert merged.average_at_least == 4.0
    assert merged.evidence is None
    assert merged.calibration is None
    assert merged.each_at_least == 3  # untouched default still applies
    assert merged.endorsement is True
    default_level = fw.criteria_for("L2")
    assert default_level.average_at_least == 3.5
    assert default_level.evidence == ("cross_team_scope",)
    assert list(default_level.rating_criteria) == [
        "average_at_least",
        "each_at_least",
        "next_level_gaps_at_most",
    ]


def test_unchecked_values_mean_not_checked() -> None:
    criteria = Criteria.model_validate({"average_at_least": None, "metrics_at_least": {}, "endorsement": False})
    assert criteria.checked() == {}


def test_fingerprint_is_stable_and_tracks_meaning(framework_data: dict[str, Any], write_yaml: Any) -> None:
    first = load_framework(write_yaml(framework_data)).fingerprint
    assert load_framework(write_yaml(framework_data)).fingerprint == first
    framework_data["competencies"][0]["descriptions"]["L1"] += " Then reports it."
    assert load_framework(write_yaml(framework_data)).fingerprint != first


def test_framework_is_frozen(framework_data: dict[str, Any], write_yaml: Any) -> None:
    fw = load_framework(write_yaml(framework_data))
    with pytest.raises(Exception, match="frozen"):
        fw.family = fw.family  # type: ignore[misc]


# -- YAML that cannot be read: one message with the line -------------------------------------------


def test_yaml_syntax_error_names_the_line(write_yaml: Any) -> None:
    problems = load_errors(write_yaml, "matrixkit: 1\nfamily: {id: eng, name: [unclosed\ntracks: []\n")
    assert len(problems) == 1
    assert problems[0].line == 3
    assert "YAML syntax" in problems[0].message


def test_tab_indentation_is_named(write_yaml: Any) -> None:
    problems = load_errors(write_yaml, "matrixkit: 1\nfamily:\n\tid: eng\n")
    assert len(problems) == 1
    assert problems[0].line == 3
    assert "tab" in problems[0].message


def test_duplicate_key_is_an_error_not_a_silent_overwrite(write_yaml: Any) -> None:
    problems = load_errors(write_yaml, "matrixkit: 1\nfamily: {id: a, name: A, version: '1'}\nfamily: {}\n")
    assert problems[0].line == 3
    assert "duplicate key 'family'" in problems[0].message


def test_wrong_type_names_path_line_and_expectation(framework_data: dict[str, Any], write_yaml: Any) -> None:
    framework_data["tracks"][0]["levels"][1]["expected"]["design"] = "three"
    path = write_yaml(framework_data)
    problems = load_errors(write_yaml, path.read_text())
    assert [p.path for p in problems] == ["tracks[0].levels[1].expected.design"]
    assert problems[0].message == "expected a whole number, found 'three'"
    line = path.read_text().splitlines()[problems[0].line - 1]
    assert "design: three" in line


def test_unknown_key_lists_allowed_keys(framework_data: dict[str, Any], write_yaml: Any) -> None:
    framework_data["competencies"][2]["descripton"] = {}
    problems = load_errors(write_yaml, framework_data)
    assert problems[0].path == "competencies[2].descripton"
    assert "unknown key 'descripton'" in problems[0].message
    assert "descriptions" in (problems[0].hint or "")


def test_unknown_criteria_key(framework_data: dict[str, Any], write_yaml: Any) -> None:
    framework_data["promotion"]["tenure_years"] = 2
    problems = load_errors(write_yaml, framework_data)
    assert problems[0].path == "promotion.tenure_years"
    assert "average_at_least" in (problems[0].hint or "")


def test_unquoted_version_gets_a_quoting_hint(framework_data: dict[str, Any], write_yaml: Any) -> None:
    framework_data["family"]["version"] = 2026.1
    problems = load_errors(write_yaml, framework_data)
    assert problems[0].path == "family.version"
    assert problems[0].hint == 'quote it: "2026.1"'


def test_missing_required_key(framework_data: dict[str, Any], write_yaml: Any) -> None:
    del framework_data["tracks"][1]["levels"][0]["title"]
    problems = load_errors(write_yaml, framework_data)
    assert problems[0].path == "tracks[1].levels[0].title"
    assert problems[0].message == "missing required key 'title'"


def test_every_schema_problem_is_reported_at_once(framework_data: dict[str, Any], write_yaml: Any) -> None:
    framework_data["scale"]["max"] = "five"
    framework_data["competencies"][0]["kind"] = "soft"
    problems = load_errors(write_yaml, framework_data)
    assert {p.path for p in problems} == {"scale.max", "competencies[0].kind"}


# -- references ------------------------------------------------------------------------------------


def _mutate(data: dict[str, Any], change: str) -> None:
    tracks = data["tracks"]
    if change == "duplicate level id":
        tracks[1]["levels"][0]["id"] = "L1"
    elif change == "expected unknown competency":
        tracks[0]["levels"][0]["expected"]["typing"] = 2
    elif change == "description unknown level":
        data["competencies"][3]["descriptions"]["L9"] = "Writes code."
    elif change == "entry from unknown":
        tracks[1]["entry"]["from"] = "L7"
    elif change == "entry to off track":
        tracks[1]["entry"]["to"] = "L1"
    elif change == "lateral from unknown":
        data["lateral_paths"][0]["from"] = "Q1"
    elif change == "transferable unknown":
        data["lateral_paths"][0]["transferable"] = ["telepathy"]
    elif change == "evidence unknown":
        data["promotion"]["evidence"] = ["moon_landing"]
    elif change == "metric unknown":
        data["promotion"]["metrics_at_least"] = {"revenue": 3}
    elif change == "competency track unknown":
        data["competencies"][6]["tracks"] = ["sales"]
    elif change == "equivalent unknown":
        tracks[1]["levels"][0]["equivalent"] = "L99"
    elif change == "duplicate competency name":
        data["competencies"][1]["name"] = data["competencies"][0]["name"]
    elif change == "expected competency off track":
        data["competencies"][6]["tracks"] = ["management"]
        descriptions = data["competencies"][6]["descriptions"]
        for key in [k for k in descriptions if k.startswith("L")]:
            del descriptions[key]


@pytest.mark.parametrize(
    ("change", "path", "words"),
    [
        ("duplicate level id", "tracks[1].levels[0].id", "duplicate level id 'L1'"),
        ("expected unknown competency", "tracks[0].levels[0].expected.typing", "unknown competency 'typing'"),
        ("description unknown level", "competencies[3].descriptions.L9", "unknown level 'L9'"),
        ("entry from unknown", "tracks[1].entry.from", "unknown level 'L7'"),
        ("entry to off track", "tracks[1].entry.to", "'L1' is not a level of track 'management'"),
        ("lateral from unknown", "lateral_paths[0].from", "unknown level 'Q1'"),
        ("transferable unknown", "lateral_paths[0].transferable[0]", "unknown competency 'telepathy'"),
        ("evidence unknown", "promotion.evidence[0]", "unknown evidence item 'moon_landing'"),
        ("metric unknown", "promotion.metrics_at_least.revenue", "unknown metric 'revenue'"),
        ("competency track unknown", "competencies[6].tracks[0]", "unknown track 'sales'"),
        ("equivalent unknown", "tracks[1].levels[0].equivalent", "unknown level 'L99'"),
        ("duplicate competency name", "competencies[1].name", "duplicate competency name"),
        (
            "expected competency off track",
            "tracks[0].levels[0].expected.coaching",
            "does not apply to track 'ic'",
        ),
    ],
)
def test_reference_errors(framework_data: dict[str, Any], write_yaml: Any, change: str, path: str, words: str) -> None:
    _mutate(framework_data, change)
    problems = load_errors(write_yaml, framework_data)
    located = [p for p in problems if p.path == path]
    assert located, [p.describe() for p in problems]
    assert words in located[0].message
    assert located[0].line is not None and located[0].file is not None


def test_lateral_target_checked_only_when_that_family_is_loaded(
    framework_data: dict[str, Any], write_yaml: Any
) -> None:
    eng = write_yaml(framework_data)
    assert load_frameworks([eng])  # data family not loaded: nothing to check against
    data = {**framework_data, "family": {"id": "data", "name": "Data", "version": "1"}, "lateral_paths": []}
    data["competencies"] = [c for c in framework_data["competencies"] if c["id"] != "communication"]
    for track in data["tracks"]:
        for level in track["levels"]:
            level["expected"].pop("communication", None)
    other = write_yaml(data)
    with pytest.raises(FrameworkError) as caught:
        load_frameworks([eng, other])
    messages = {p.path: p.message for p in caught.value.problems}
    assert "family 'data' has no level 'DS2'" in messages["lateral_paths[0].to"]
    assert "does not exist in family 'data'" in messages["lateral_paths[0].transferable[0]"]


def test_load_frameworks_expands_folders(framework_data: dict[str, Any], write_yaml: Any) -> None:
    path = write_yaml(framework_data, "one.yaml")
    frameworks = load_frameworks([path.parent])
    assert [fw.family.id for fw in frameworks] == ["eng"]


# SHA-256 of ../shared/fixtures/real-world/ft-engineering.yaml, the file tests/fixtures copies (MIT licence).
FT_ENGINEERING_SHA256 = "37360014da5a5a216e66063600acda71ef68755f4355935a8d471e3ed28a2f7e"


def test_fixture_copy_is_current() -> None:
    """Runs in every clone: the copy is byte for byte the recorded source, with its licence beside it;
    where ../shared sits beside the checkout, the source has not moved on either."""
    assert hashlib.sha256(FT_ENGINEERING.read_bytes()).hexdigest() == FT_ENGINEERING_SHA256
    licence = (FT_ENGINEERING.parent / "LICENSE.ft-engineering").read_text(encoding="utf-8")
    assert licence.startswith("MIT License") and "Financial Times" in licence
    shared = SHARED_FIXTURES / "real-world" / "ft-engineering.yaml"
    if shared.exists():
        assert hashlib.sha256(shared.read_bytes()).hexdigest() == FT_ENGINEERING_SHA256
