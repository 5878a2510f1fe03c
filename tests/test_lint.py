from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import FT_ENGINEERING, TEMPLATES

from matrixkit import lint_paths
from matrixkit.cli.main import main
from matrixkit.model.lint import count_sentences, find_vague_wording

Mutation = Callable[[dict[str, Any]], object]  # edits the framework in place; any result is ignored


def _desc(data: dict[str, Any], competency: int, level: str, text: str) -> None:
    data["competencies"][competency]["descriptions"][level] = text


def _drop_levels(track: dict[str, Any], keep: int, data: dict[str, Any]) -> None:
    dropped = [level["id"] for level in track["levels"][keep:]]
    track["levels"] = track["levels"][:keep]
    for comp in data["competencies"]:
        for level_id in dropped:
            comp["descriptions"].pop(level_id, None)
    for level in track["levels"]:
        if level.get("equivalent") in dropped:
            del level["equivalent"]
    for other in data["tracks"]:
        for level in other["levels"]:
            if level.get("equivalent") in dropped:
                del level["equivalent"]


def _add_competencies(data: dict[str, Any], count: int, kind: str) -> dict[str, Any]:
    levels = [level["id"] for track in data["tracks"] for level in track["levels"]]
    for n in range(count):
        cid = f"extra_{kind}_{n}"
        data["competencies"].append(
            {
                "id": cid,
                "name": f"Extra {kind} {n}",
                "kind": kind,
                "descriptions": {
                    level: f"Runs {kind} drill number {n} {'for ' + 'the ' * i}group {level} and files its report."
                    for i, level in enumerate(levels)
                },
            }
        )
        for track in data["tracks"]:
            for i, level in enumerate(track["levels"]):
                level["expected"][cid] = min(5, i + 2)
    return data  # edited in place, returned so that one lambda can chain several edits


def _remove_competency(data: dict[str, Any], cid: str) -> dict[str, Any]:
    data["competencies"] = [c for c in data["competencies"] if c["id"] != cid]
    for track in data["tracks"]:
        for level in track["levels"]:
            level["expected"].pop(cid, None)
    for path in data["lateral_paths"]:
        path["transferable"] = [c for c in path["transferable"] if c != cid]
    return data


CASES: list[tuple[str, Mutation, str, str]] = [
    (
        "missing description",
        lambda d: d["competencies"][1]["descriptions"].pop("L3"),
        "missing-description",
        "competencies[1].descriptions",
    ),
    (
        "blank description",
        lambda d: _desc(d, 1, "L3", "   "),
        "missing-description",
        "competencies[1].descriptions",
    ),
    (
        "identical adjacent",
        lambda d: _desc(d, 0, "L3", d["competencies"][0]["descriptions"]["L2"]),
        "same-text",
        "competencies[0].descriptions.L3",
    ),
    (
        "near-identical adjacent",
        lambda d: _desc(d, 0, "L3", d["competencies"][0]["descriptions"]["L2"].replace("teammate", "colleague")),
        "near-same-text",
        "competencies[0].descriptions.L3",
    ),
    (
        "demonstrates leadership",
        lambda d: _desc(d, 2, "L4", "Demonstrates leadership across the org."),
        "vague-wording",
        "competencies[2].descriptions.L4",
    ),
    (
        "thinks strategically",
        lambda d: _desc(d, 2, "L4", "Thinks strategically about the roadmap."),
        "vague-wording",
        "competencies[2].descriptions.L4",
    ),
    (
        "shows ownership",
        lambda d: _desc(d, 2, "L2", "Shows ownership of the release train."),
        "vague-wording",
        "competencies[2].descriptions.L2",
    ),
    (
        "strong",
        lambda d: _desc(d, 3, "L2", "Has strong coding skills in the main language."),
        "vague-wording",
        "competencies[3].descriptions.L2",
    ),
    (
        "good",
        lambda d: _desc(d, 3, "L1", "Has good attention to detail."),
        "vague-wording",
        "competencies[3].descriptions.L1",
    ),
    (
        "excellent",
        lambda d: _desc(d, 3, "L4", "Is an excellent engineer."),
        "vague-wording",
        "competencies[3].descriptions.L4",
    ),
    (
        "understands without an act",
        lambda d: _desc(d, 4, "L2", "Understands distributed systems."),
        "vague-wording",
        "competencies[4].descriptions.L2",
    ),
    (
        "six sentences",
        lambda d: _desc(d, 5, "L2", "Ships a fix. Writes the test. Tells the team. Logs it. Files it. Closes it."),
        "too-many-behaviours",
        "competencies[5].descriptions.L2",
    ),
    (
        "a list of six lines without full stops",
        lambda d: _desc(d, 5, "L2", "\n".join(f"Runs drill {n} for the team" for n in range(6))),
        "too-many-behaviours",
        "competencies[5].descriptions.L2",
    ),
    (
        "a line repeated in one cell",
        lambda d: _desc(d, 5, "L2", "- Ships a fix\n- Writes the test\n- Ships a fix"),
        "repeated-in-cell",
        "competencies[5].descriptions.L2",
    ),
    (
        "a bullet repeated at the next level",
        lambda d: d["competencies"][5]["descriptions"].update(
            L2="- Ships a fix\n- Writes the test", L3="- Ships a fix\n- Reviews the tests of the team"
        ),
        "repeated-item",
        "competencies[5].descriptions.L3",
    ),
    (
        "allow naming no warning",
        lambda d: d["competencies"][5].update(lint={"allow": ["same-txt"]}),
        "unknown-allow",
        "competencies[5].lint.allow[0]",
    ),
    (
        "expected above scale",
        lambda d: d["tracks"][0]["levels"][3]["expected"].update(design=6),
        "expected-out-of-scale",
        "tracks[0].levels[3].expected.design",
    ),
    (
        "expected below scale",
        lambda d: d["tracks"][0]["levels"][0]["expected"].update(design=0),
        "expected-out-of-scale",
        "tracks[0].levels[0].expected.design",
    ),
    (
        "expected falls",
        lambda d: d["tracks"][0]["levels"][3]["expected"].update(design=3),
        "expected-falls",
        "tracks[0].levels[3].expected.design",
    ),
    (
        "expected missing",
        lambda d: d["tracks"][0]["levels"][1]["expected"].pop("design"),
        "expected-missing",
        "tracks[0].levels[1].expected.design",
    ),
    ("three levels", lambda d: _drop_levels(d["tracks"][0], 3, d), "level-count", "tracks[0].levels"),
    (
        "eight levels",
        lambda d: d["tracks"][0]["levels"].extend(
            {"id": f"L{n}", "title": f"E{n}", "expected": dict(d["tracks"][0]["levels"][-1]["expected"])}
            for n in range(5, 9)
        ),
        "level-count",
        "tracks[0].levels",
    ),
    (
        "two competencies",
        lambda d: [_remove_competency(d, c["id"]) for c in list(d["competencies"])[2:]],
        "competency-count",
        "tracks[0]",
    ),
    (
        "thirteen competencies",
        lambda d: (
            _add_competencies(d, 2, "core"),
            _add_competencies(d, 2, "functional"),
            _add_competencies(d, 2, "leadership"),
        ),
        "competency-count",
        "tracks[0]",
    ),
    ("no crossover", lambda d: d["tracks"][1].pop("entry"), "no-crossover", "tracks[1]"),
    (
        "no parity",
        lambda d: d["tracks"][1]["levels"][3].update(equivalent="L3"),
        "no-parity",
        "tracks[0].levels[3]",
    ),
    (
        "management longer",
        lambda d: d["tracks"][1]["levels"].append(
            {"id": "M5", "title": "M5", "expected": dict(d["tracks"][1]["levels"][-1]["expected"])}
        ),
        "track-longer",
        "tracks[1].levels",
    ),
    (
        "no path back",
        lambda d: [lvl.pop("equivalent") for lvl in d["tracks"][1]["levels"]],
        "no-path-back",
        "tracks[1].levels",
    ),
    (
        "each above scale",
        lambda d: d["promotion"].update(each_at_least=6),
        "unmeetable-criteria",
        "promotion.each_at_least",
    ),
    (
        "average above scale",
        lambda d: d["tracks"][0]["levels"][2].update(promotion={"average_at_least": 5.5}),
        "unmeetable-criteria",
        "tracks[0].levels[2].promotion.average_at_least",
    ),
    (
        "negative gaps",
        lambda d: d["promotion"].update(next_level_gaps_at_most=-1),
        "unmeetable-criteria",
        "promotion.next_level_gaps_at_most",
    ),
    (
        "zero sustained cycles",
        lambda d: d["promotion"].update(sustained_cycles=0),
        "unmeetable-criteria",
        "promotion.sustained_cycles",
    ),
    (
        "metric above its max",
        lambda d: d["promotion"].update(metrics_at_least={"quota": 2000}),
        "unmeetable-criteria",
        "promotion.metrics_at_least.quota",
    ),
    (
        "entry criteria above scale",
        lambda d: d["tracks"][1]["entry"]["criteria"].update(each_at_least=9),
        "unmeetable-criteria",
        "tracks[1].entry.criteria.each_at_least",
    ),
    (
        "criteria above the next profile",
        lambda d: d["tracks"][0]["levels"][0].pop("promotion"),
        "criteria-above-profile",
        "promotion.average_at_least",
    ),
    (
        "header collision",
        lambda d: d["competencies"][0].update(name="Average"),
        "header-collision",
        "competencies[0].name",
    ),
    (
        "evidence prompt equals a competency",
        lambda d: d["evidence"][0].update(prompt="Design"),
        "header-collision",
        "evidence[0].prompt",
    ),
    ("scale upside down", lambda d: d["scale"].update(min=5, max=1, labels={}), "scale", "scale"),
    ("zero weight", lambda d: d["competencies"][0].update(weight=0), "weight", "competencies[0].weight"),
    (
        "description outside its track",
        lambda d: d["competencies"][6].update(tracks=["management"]),
        "description-outside-track",
        "competencies[6].descriptions.L1",
    ),
]


def test_base_framework_is_clean(framework_data: dict[str, Any], write_yaml: Any) -> None:
    assert lint_paths([write_yaml(framework_data)]) == []


@pytest.mark.parametrize(("name", "mutate", "code", "path"), CASES, ids=[c[0] for c in CASES])
def test_each_rule_fires_where_it_should(
    framework_data: dict[str, Any], write_yaml: Any, name: str, mutate: Mutation, code: str, path: str
) -> None:
    if name == "description outside its track":
        for track in framework_data["tracks"][:1]:
            for level in track["levels"]:
                level["expected"].pop("coaching")
    mutate(framework_data)
    problems = lint_paths([write_yaml(framework_data)])
    hits = [p for p in problems if p.code == code]
    assert hits, [p.describe() for p in problems]
    assert path in [p.path for p in hits], [p.describe() for p in hits]
    assert all(p.line is not None and p.file for p in hits)
    assert all(p.hint for p in hits if p.severity == "warning"), "every warning says how to fix it"


def test_error_rules_are_errors_and_quality_rules_warnings(framework_data: dict[str, Any], write_yaml: Any) -> None:
    framework_data["tracks"][0]["levels"][3]["expected"]["design"] = 6
    framework_data["competencies"][3]["descriptions"]["L1"] = "Has good attention to detail."
    problems = lint_paths([write_yaml(framework_data)])
    by_code = {p.code: p.severity for p in problems}
    assert by_code["expected-out-of-scale"] == "error"
    assert by_code["vague-wording"] == "warning"


def test_vague_wording_suggests_an_observable_rewrite() -> None:
    found = find_vague_wording("Demonstrates leadership and thinks strategically with strong judgement.")
    assert [word for word, _ in found] == ["Demonstrates leadership", "thinks strategically", "strong"]
    assert all("<verb> <artefact or outcome> <scope or frequency>" in hint for _, hint in found)


def test_understands_with_an_observable_act_is_fine() -> None:
    assert find_vague_wording("Understands the billing system and explains it to new hires.") == []
    assert [w for w, _ in find_vague_wording("Understands the billing system.")] == ["Understands"]


def test_vague_words_match_whole_words_only() -> None:
    assert find_vague_wording("Writes goodbye notes and armstrong tests.") == []


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("Writes code.", 1),
        ("Writes code. Reviews code.", 2),
        ("Writes tests, e.g. unit tests, i.e. small ones. Reviews code.", 2),
        ("Ships it! Then asks why? Then writes it down.", 3),
        ("1. Writes code.\n2. Reviews code.\n3. Deploys code.", 3),
        ("No full stop at the end", 1),
    ],
)
def test_count_sentences(text: str, count: int) -> None:
    assert count_sentences(text) == count


def test_real_world_fixture_has_warnings_but_no_errors() -> None:
    problems = lint_paths([FT_ENGINEERING])
    assert problems, "the FT framework has long, vague cells: lint should say so"
    assert {p.severity for p in problems} == {"warning"}
    codes = {p.code for p in problems}
    assert {"vague-wording", "no-parity", "criteria-above-profile"} <= codes


def test_every_shipped_template_is_clean() -> None:
    templates = sorted(TEMPLATES.glob("*.yaml"))
    assert len(templates) >= 7
    problems = lint_paths(templates)  # together, so lateral paths between families are checked too
    assert problems == [], "\n".join(p.describe() for p in problems)


# -- the command -----------------------------------------------------------------------------------


def test_cli_lint_exit_codes(framework_data: dict[str, Any], write_yaml: Any) -> None:
    runner = CliRunner()
    clean = write_yaml(framework_data)
    result = runner.invoke(main, ["lint", str(clean)])
    assert result.exit_code == 0, result.output
    framework_data["competencies"][3]["descriptions"]["L1"] = "Has good attention to detail."
    warned = write_yaml(framework_data)
    result = runner.invoke(main, ["lint", str(warned)])
    assert result.exit_code == 0
    assert "'good' is vague" in result.output
    framework_data["promotion"]["each_at_least"] = 7
    broken = write_yaml(framework_data)
    result = runner.invoke(main, ["lint", str(broken), str(clean)])
    assert result.exit_code == 1
    assert "promotion.each_at_least" in result.output
    assert str(broken) in result.output


def test_cli_json_equals_library_call(framework_data: dict[str, Any], write_yaml: Any) -> None:
    framework_data["tracks"][1].pop("entry")
    framework_data["competencies"][0]["descriptions"]["L2"] = "Thinks strategically."
    path = write_yaml(framework_data)
    result = CliRunner().invoke(main, ["lint", "--json", str(path)])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == [p.to_dict() for p in lint_paths([path])]
    assert len(json.loads(result.stdout)) >= 2


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("matrixkit: 1\nfamily: [oops\n", "YAML syntax"),
        ("matrixkit: 1\nfamily:\n\tid: x\n", "tab"),
        ("matrixkit: 1\nfamily: 3\ncompetencies: []\ntracks: []\n", "family"),
        ("- just\n- a list\n", "expected a mapping"),
        ("matrixkit: 1\nfamily: {id: x, name: X, version: '1'}\nsurprise: 1\n", "unknown key 'surprise'"),
    ],
)
def test_cli_bad_yaml_is_a_message_never_a_traceback(write_yaml: Any, text: str, words: str) -> None:
    path = write_yaml(text)
    result = CliRunner().invoke(main, ["lint", str(path)])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert words in result.output
    assert str(path) in result.output


def test_cli_lint_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["lint", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2
