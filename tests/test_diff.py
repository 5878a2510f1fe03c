from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from conftest import FT_ENGINEERING, TEMPLATES

from matrixkit.cli.main import main
from matrixkit.model.diff import SECTIONS, Change, diff_frameworks, word_summary
from matrixkit.model.framework import Framework, Level, load_framework


def template(name: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((TEMPLATES / f"{name}.yaml").read_text(encoding="utf-8"))
    return data


def load(write_yaml: Callable[..., Path], data: dict[str, Any]) -> Framework:
    return load_framework(write_yaml(data))


def level(data: dict[str, Any], level_id: str) -> dict[str, Any]:
    for track in data["tracks"]:
        for item in track["levels"]:
            if item["id"] == level_id:
                found: dict[str, Any] = item
                return found
    raise KeyError(level_id)


def competency(data: dict[str, Any], competency_id: str) -> dict[str, Any]:
    found: dict[str, Any] = next(c for c in data["competencies"] if c["id"] == competency_id)
    return found


def by_path(changes: list[Change]) -> dict[str, Change]:
    return {c.path: c for c in changes}


@pytest.mark.parametrize("path", [*sorted(TEMPLATES.glob("*.yaml")), FT_ENGINEERING], ids=lambda p: p.stem)
def test_a_framework_has_no_changes_against_itself(path: Path) -> None:
    assert diff_frameworks(load_framework(path), load_framework(path)) == []


def test_family_levels_and_competencies(write_yaml: Callable[..., Path]) -> None:
    old = template("engineering")
    new = copy.deepcopy(old)
    new["family"]["version"] = "2027.1"
    level(new, "IC3")["title"] = "Senior Engineer"
    level(new, "IC3")["scope"] = "Leads the technical work of one team."
    new["tracks"][0]["levels"].append({"id": "IC8", "title": "Fellow"})
    competency(new, "communication")["name"] = "Communicating"
    competency(new, "hiring")["kind"] = "core"
    competency(new, "technical_craft")["tracks"] = ["ic", "management"]
    competency(new, "delivery")["weight"] = 2
    changes = diff_frameworks(load(write_yaml, old), load(write_yaml, new))
    paths = by_path(changes)
    assert paths["family.version"].old == "2026.1" and paths["family.version"].new == "2027.1"
    assert paths["levels.IC3.title"].kind == "retitled"
    assert paths["levels.IC3.scope"].new == "Leads the technical work of one team."
    assert paths["levels.IC8"].kind == "added" and paths["levels.IC8"].new == "Fellow"
    renamed = paths["competencies.communication.name"]
    assert (renamed.kind, renamed.old, renamed.new) == ("renamed", "Communication", "Communicating")
    assert (paths["competencies.hiring.kind"].old, paths["competencies.hiring.kind"].new) == ("leadership", "core")
    assert paths["competencies.technical_craft.tracks"].old == ["ic"]
    assert paths["competencies.technical_craft.tracks"].new == ["ic", "management"]
    assert (paths["competencies.delivery.weight"].old, paths["competencies.delivery.weight"].new) == (1, 2)
    # The IC7 → IC8 step is new: IC7 had no next level and still has the same criteria, so no criteria change.
    assert not [c for c in changes if c.path.startswith("levels.IC8.")]


def test_descriptions_show_old_and_new_text_with_a_word_summary(write_yaml: Callable[..., Path]) -> None:
    old = template("engineering")
    new = copy.deepcopy(old)
    before = competency(old, "communication")["descriptions"]["IC3"]
    after = before.replace("planning and review meetings", "quarterly planning")
    competency(new, "communication")["descriptions"]["IC3"] = after
    del competency(new, "delivery")["descriptions"]["M4"]
    changes = diff_frameworks(load(write_yaml, old), load(write_yaml, new))
    assert [c.path for c in changes] == [
        "competencies.communication.descriptions.IC3",
        "competencies.delivery.descriptions.M4",
    ]
    changed, removed = changes
    assert (changed.kind, changed.old, changed.new) == ("changed", before, after)
    assert '-"planning and review meetings"' in changed.message or '-"planning' in changed.message
    assert '+"quarterly planning"' in changed.message or "+" in changed.message
    assert removed.kind == "removed" and removed.new is None
    assert changed.section == removed.section == "Descriptions"


def test_word_summary() -> None:
    assert word_summary("Writes the team plan.", "Writes the department plan.") == '-"team" +"department"'
    assert word_summary("a b", "a b c") == '+"c"'
    assert word_summary("a\nb", "a b") == "whitespace or line breaks only"


def test_expected_and_criteria_changes(write_yaml: Callable[..., Path]) -> None:
    old = template("engineering")
    new = copy.deepcopy(old)
    level(new, "IC2")["expected"]["communication"] = 3
    new["promotion"]["average_at_least"] = 3.6
    level(new, "IC3")["promotion"]["each_at_least"] = None  # explicitly cleared
    del level(new, "IC4")["promotion"]["months_in_level_at_least"]  # falls back to the default
    changes = diff_frameworks(load(write_yaml, old), load(write_yaml, new))
    paths = by_path(changes)
    expected = paths["levels.IC2.expected.communication"]
    assert (expected.old, expected.new, expected.section) == (2, 3, "Role profiles")
    assert (paths["promotion.average_at_least"].old, paths["promotion.average_at_least"].new) == (3.5, 3.6)
    cleared = paths["levels.IC3.promotion.each_at_least"]
    assert (cleared.kind, cleared.old, cleared.new) == ("added", None, "none")
    unset = paths["levels.IC4.promotion.months_in_level_at_least"]
    assert (unset.kind, unset.old, unset.new) == ("removed", 18, None)
    # The merged result, key by key: IC3 and M1 take the new default average; IC1, IC2, IC4... override it.
    assert paths["levels.IC3.criteria.average_at_least"].new == 3.6
    assert (paths["levels.IC3.criteria.each_at_least"].old, paths["levels.IC3.criteria.each_at_least"].new) == (3, None)
    assert (paths["levels.IC4.criteria.months_in_level_at_least"].new) == 12
    assert "levels.IC2.criteria.average_at_least" not in paths
    assert "levels.M1.criteria.average_at_least" in paths
    assert {c.section for c in changes} == {"Role profiles", "Promotion criteria"}


def test_entry_lateral_evidence_metrics_and_moves(write_yaml: Callable[..., Path]) -> None:
    old = template("engineering")
    new = copy.deepcopy(old)
    management = new["tracks"][1]
    management["entry"]["from"] = "IC4"
    management["entry"]["criteria"]["each_at_least"] = 4
    new["lateral_paths"][0]["note"] = "Statistics is the gap."
    new["lateral_paths"].append({"from": "IC4", "to": "data:DS4"})
    new["evidence"][0]["prompt"] = "Shipped a feature used by customers"
    new["evidence"].append({"id": "talk_given", "prompt": "Gave a talk"})
    new["metrics"] = [{"id": "uptime", "name": "Uptime (%)", "min": 0, "max": 100}]
    ic = new["tracks"][0]["levels"]
    ic[5], ic[6] = ic[6], ic[5]  # IC6 and IC7 swap places
    changes = diff_frameworks(load(write_yaml, old), load(write_yaml, new))
    paths = by_path(changes)
    assert (paths["tracks.management.entry.from"].old, paths["tracks.management.entry.from"].new) == ("IC3", "IC4")
    assert paths["tracks.management.entry.criteria.each_at_least"].new == 4
    note = next(c for c in changes if c.path.endswith(".note"))
    assert note.new == "Statistics is the gap." and note.section == "Lateral paths"
    assert paths["lateral_paths.IC4->data:DS4"].kind == "added"
    assert paths[f"evidence.{old['evidence'][0]['id']}.prompt"].new == "Shipped a feature used by customers"
    assert paths["evidence.talk_given"].kind == "added"
    assert paths["metrics.uptime"].kind == "added"
    assert paths["tracks.ic.levels"].kind == "reordered"
    assert paths["levels.IC7.position"].kind == "moved"


def test_level_moved_to_another_track(framework_data: dict[str, Any], write_yaml: Callable[..., Path]) -> None:
    new = copy.deepcopy(framework_data)
    moved = new["tracks"][0]["levels"].pop()  # L4 moves to the top of management
    moved.pop("promotion", None)
    moved["equivalent"] = None
    del moved["equivalent"]
    new["tracks"][1]["levels"].append(moved)
    for item in new["tracks"][1]["levels"]:
        if item.get("equivalent") == "L4":
            del item["equivalent"]
    paths = by_path(diff_frameworks(load(write_yaml, framework_data), load(write_yaml, new)))
    assert (paths["levels.L4.track"].old, paths["levels.L4.track"].new) == ("ic", "management")


def test_order_is_stable_and_grouped_by_section(write_yaml: Callable[..., Path]) -> None:
    old = template("sales")
    new = copy.deepcopy(old)
    new["family"]["version"] = "next"
    first = new["competencies"][0]
    first["descriptions"] = {k: v + " Weekly." for k, v in first["descriptions"].items()}
    new["promotion"]["each_at_least"] = 2
    new["competencies"].pop()
    for track in new["tracks"]:
        for item in track["levels"]:
            item.get("expected", {}).pop(old["competencies"][-1]["id"], None)
    a, b = load(write_yaml, old), load(write_yaml, new)
    changes = diff_frameworks(a, b)
    assert changes == diff_frameworks(a, b)
    sections = [SECTIONS.index(c.section) for c in changes]
    assert sections == sorted(sections)
    assert changes[0].path == "family.version"
    assert f"competencies.{old['competencies'][-1]['id']}" in by_path(changes)


def test_levels_know_their_override() -> None:
    # A level's override that names a key with null/[]/false clears the default; the diff says "none".
    fw_level = Level.model_validate({"id": "X", "title": "X", "promotion": {"evidence": []}})
    assert fw_level.promotion is not None and "evidence" in fw_level.promotion.model_fields_set


# -- CLI -------------------------------------------------------------------------------------------


def test_cli_prints_grouped_changes_and_exits_0(write_yaml: Callable[..., Path]) -> None:
    old = template("engineering")
    new = copy.deepcopy(old)
    new["family"]["version"] = "2027.1"
    competency(new, "communication")["descriptions"]["IC1"] = "Posts a written update every day."
    level(new, "IC2")["expected"]["communication"] = 3
    result = CliRunner().invoke(main, ["diff", str(write_yaml(old)), str(write_yaml(new))])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "version 2026.1 → 2027.1" in out
    assert out.index("Family") < out.index("Descriptions") < out.index("Role profiles")
    assert "old: Posts a daily written update" in out
    assert "new: Posts a written update every day." in out
    assert "levels.IC2.expected.communication" in out and "2 → 3" in out


def test_cli_no_changes_exits_0() -> None:
    path = str(TEMPLATES / "sales.yaml")
    result = CliRunner().invoke(main, ["diff", path, path])
    assert result.exit_code == 0
    assert "No changes." in result.output


def test_cli_json_equals_the_library_call(write_yaml: Callable[..., Path]) -> None:
    old = template("customer-success")
    new = copy.deepcopy(old)
    new["family"]["name"] = "Customer Success & Support"
    new["promotion"]["sustained_cycles"] = 3
    new["competencies"][1]["descriptions"] = {
        k: v.replace(" and ", " & ") for k, v in new["competencies"][1]["descriptions"].items()
    }
    old_path, new_path = write_yaml(old), write_yaml(new)
    result = CliRunner().invoke(main, ["diff", str(old_path), str(new_path), "--json"])
    assert result.exit_code == 0, result.output
    expected = [c.to_dict() for c in diff_frameworks(load_framework(old_path), load_framework(new_path))]
    assert expected
    assert json.loads(result.output) == json.loads(json.dumps(expected))


def test_cli_exit_2_when_a_framework_does_not_load(write_yaml: Callable[..., Path]) -> None:
    bad = template("sales")
    bad["competencies"][0]["kind"] = "mystery"
    result = CliRunner().invoke(main, ["diff", str(TEMPLATES / "sales.yaml"), str(write_yaml(bad))])
    assert result.exit_code == 2
    assert "competencies[0].kind" in result.output
