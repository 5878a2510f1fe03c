"""Lint on frameworks shaped like real ones (issue 14): every warning worth acting on, and each rule both ways.

The frameworks below are written for these tests, in the shapes public career frameworks take: an engineering
ladder whose axes keep a behaviour flat on purpose with a 3-level management branch, a people-team framework
whose cells are bullet lists, emoji in family and competency names.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from conftest import FT_ENGINEERING, TEMPLATES

from matrixkit.cli.main import main
from matrixkit.model.lint import (
    ALLOWABLE,
    MAX_BEHAVIOURS,
    behaviours,
    find_vague_wording,
    lint_paths,
    lint_report,
    list_items,
)
from matrixkit.model.problems import Problem

DOCS = Path(__file__).resolve().parents[1] / "docs" / "lint.md"

LADDER = """\
matrixkit: 1
family: {id: engineering, name: "🛠️ Engineering", version: "2026.1"}
scale: {min: 1, max: 5, labels: {1: Learning, 2: Developing, 3: Proficient, 4: Advanced, 5: Expert}}
competencies:
  - id: technology
    name: Technology
    kind: functional
    descriptions:
      E1: Fixes bugs in one service with a reviewer's help.
      E2: Ships features in one service and writes their tests.
      E3: Designs changes across two services and writes the design note.
      E4: Chooses the team's libraries and records each choice in a decision log.
      E5: Sets the technical direction of a product area in a yearly plan.
      M1: Reviews the designs of the team before work starts.
      M2: Reviews the designs of several teams before work starts.
      M3: Sets the technical direction of a department in a yearly plan.
  - id: process
    name: Process
    kind: core
    lint: {allow: [same-text]}   # the ladder keeps this axis flat on purpose: the rating says how well
    descriptions:
      E1: Follows the team's delivery process and raises a change to it in the retro.
      E2: Follows the team's delivery process and raises a change to it in the retro.
      E3: Follows the team's delivery process and raises a change to it in the retro.
      E4: Changes the delivery process of two teams and measures the lead time before and after.
      E5: Changes the delivery process of the department and reports the lead time each quarter.
      M1: Runs the team's planning every two weeks.
      M2: Runs the planning of several teams every quarter.
      M3: Sets the planning calendar of the department.
  - id: people
    name: People
    kind: core
    descriptions:
      E1: Asks for help with a summary of what was tried.
      E2: Pairs with a new joiner during their first month.
      E3: Mentors one engineer and agrees their goals with them.
      E4: Mentors engineers of two teams and runs the team's interview loop.
      E5: Coaches senior engineers and designs the hiring process of the area.
      M1: Holds a one-to-one with each report every week, making sure everybody understands the team's goals.
      M2: Coaches managers and reviews their teams' goals each quarter.
      M3: Designs the career framework of the department with the people team.
  - id: influence
    name: Influence
    kind: core
    descriptions:
      E1: Shares what was learnt in the team's demo.
      E2: Presents a feature in the team's demo.
      E3: Presents a design to the group and answers its questions.
      E4: Leads the architecture forum of the group and publishes its decisions.
      E5: Leads the architecture forum of the group and publishes its decisions.
      M1: Presents the team's plan to the group.
      M2: Presents the group's plan to the department.
      M3: Presents the department's plan to the company.
promotion: {next_level_gaps_at_most: 1, endorsement: true}
tracks:
  - id: ic
    name: Individual contributor
    levels:
      - {id: E1, title: Engineer I, expected: {technology: 1, process: 1, people: 1, influence: 1}}
      - {id: E2, title: Engineer II, expected: {technology: 2, process: 2, people: 2, influence: 2}}
      - {id: E3, title: Senior Engineer, expected: {technology: 3, process: 3, people: 3, influence: 3}}
      - {id: E4, title: Staff Engineer, expected: {technology: 4, process: 4, people: 4, influence: 4}}
      - {id: E5, title: Principal Engineer, expected: {technology: 5, process: 5, people: 5, influence: 5}}
  - id: management
    name: Management
    entry: {from: E3, to: M1, criteria: {endorsement: true}}
    levels:
      - {id: M1, title: Manager, equivalent: E4, expected: {technology: 3, process: 4, people: 4, influence: 4}}
      - {id: M2, title: Senior Manager, equivalent: E5, expected: {technology: 4, process: 5, people: 5, influence: 4}}
      - {id: M3, title: Director, equivalent: E5, expected: {technology: 5, process: 5, people: 5, influence: 5}}
"""

PEOPLE = """\
matrixkit: 1
family: {id: people, name: "🌱 People & Culture", version: "1"}
scale: {min: 1, max: 4, labels: {1: Starting, 2: Growing, 3: Strong, 4: Leading}}
competencies:
  - id: partnering
    name: "🤝 Partnering"
    kind: core
    descriptions:
      P1: |
        - Answers employees' questions in the HR inbox within two days
        - Keeps the employee records of one office up to date
      P2: |
        - Answers employees' questions in the HR inbox within two days
        - Runs the onboarding sessions, making sure everybody understands the benefits
      P3: |
        In this role:
        • Advises the managers of one department on each performance case
        • Runs the yearly engagement survey of the department and presents its results
      P4: |
        1. Advises the leadership team on the people plan every quarter
        2. Designs the engagement survey and its follow-up for the company
  - id: communication
    name: "📣 Communication"
    kind: core
    lint: {allow: [repeated-item]}   # the lists add up on purpose: each level keeps the one below
    descriptions:
      P1: |
        * Writes the weekly HR update
      P2: |
        * Writes the weekly HR update
        * Presents the update at the all-hands every month
      P3: |
        * Writes the weekly HR update
        * Presents the update at the all-hands every month
        * Writes the policy pages of the intranet
      P4: |
        * Writes the company's people policies
        * Explains each policy change to managers before it starts
  - id: relations
    name: "🧭 Employee relations"
    kind: functional
    descriptions:
      P1: |
        - Takes notes in grievance meetings
        - Files the notes in the case system the same day
      P2: |
        - Runs a grievance meeting with a checklist
        - Writes the outcome letter for a manager to sign
      P3: |
        - Investigates a grievance and writes the report
        - Proposes the outcome to the manager
      P4: |
        - Leads investigations across the company
        - Trains managers in running a grievance meeting
        - Writes the grievance policy
        - Reviews each outcome letter
        - Reports case numbers to the board every quarter
        - Negotiates settlements with lawyers
        - Chooses the case system and runs its renewal
tracks:
  - id: hr
    name: People team
    levels:
      - {id: P1, title: HR Assistant, expected: {partnering: 1, communication: 1, relations: 1}}
      - {id: P2, title: HR Advisor, expected: {partnering: 2, communication: 2, relations: 2}}
      - {id: P3, title: HR Business Partner, expected: {partnering: 3, communication: 3, relations: 3}}
      - {id: P4, title: Head of People, expected: {partnering: 4, communication: 4, relations: 4}}
"""


def _write(tmp_path: Path, text: str, name: str = "framework.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _found(problems: list[Problem]) -> set[tuple[str, str | None]]:
    return {(p.code, p.path) for p in problems}


# -- the frameworks as a whole ---------------------------------------------------------------------


def test_flat_on_purpose_ladder_with_a_three_level_branch_gives_one_warning(tmp_path: Path) -> None:
    report = lint_report([_write(tmp_path, LADDER)])
    assert _found(report.problems) == {("same-text", "competencies[3].descriptions.E5")}
    (warning,) = report.problems
    assert warning.message.startswith("'Influence' reads the same at E4 and E5")
    assert "lint: {allow: [same-text]}" in (warning.hint or "")
    # the flat Process axis is allowed, once, for its one run E1–E3 — and counted
    assert [(p.code, p.path) for p in report.allowed] == [("same-text", "competencies[1].descriptions.E2")]
    assert "E1, E2 and E3" in report.allowed[0].message


def test_bullet_list_framework_with_emoji_names_gives_two_warnings(tmp_path: Path) -> None:
    report = lint_report([_write(tmp_path, PEOPLE)])
    assert _found(report.problems) == {
        ("repeated-item", "competencies[0].descriptions.P2"),
        ("too-many-behaviours", "competencies[2].descriptions.P4"),
    }
    repeated, crowded = sorted(report.problems, key=lambda p: p.code)
    assert "P2 repeats 'Answers employees' questions in the HR…' from P1" in repeated.message
    assert crowded.message.startswith("'🧭 Employee relations' asks for more than 5 behaviours in one cell at P4 (7)")
    assert {p.code for p in report.allowed} == {"repeated-item"}


def test_cli_prints_how_many_findings_the_framework_allows(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["lint", str(_write(tmp_path, PEOPLE))])
    assert result.exit_code == 0, result.output
    assert result.output.rstrip().endswith(
        "0 error(s), 2 warning(s) in 1 input(s)\n1 finding allowed by the framework (repeated-item)"
    )
    assert "📣 Communication" not in result.output


def test_family_level_allow_applies_to_every_competency(tmp_path: Path) -> None:
    text = LADDER.replace('version: "2026.1"}\n', 'version: "2026.1"}\nlint: {allow: [same-text]}\n', 1)
    report = lint_report([_write(tmp_path, text)])
    assert report.problems == []
    assert [p.path for p in report.allowed] == [
        "competencies[1].descriptions.E2",
        "competencies[3].descriptions.E5",
    ]


def test_shipped_templates_and_the_ft_fixture_lint_without_errors() -> None:
    templates = sorted(TEMPLATES.glob("*.yaml"))
    assert lint_paths(templates) == []
    problems = lint_paths([FT_ENGINEERING])
    assert {p.severity for p in problems} == {"warning"}
    # issue 14: 32 warnings before; the 2-level management branch, the kinds and the sentence counts of the
    # numbered lists no longer warn, and the judging words of one competency are one warning
    assert len(problems) == 10
    assert {p.code for p in problems} == {"vague-wording", "criteria-above-profile", "no-parity"}
    assert all(p.hint for p in problems)


# -- lists in cells --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "items"),
    [
        ("- Writes tests\n- Reviews code", ["Writes tests", "Reviews code"]),
        ("• Writes tests\n• Reviews code", ["Writes tests", "Reviews code"]),
        ("* Writes tests\n* Reviews code", ["Writes tests", "Reviews code"]),
        ("1. Writes tests.\n\n2. Reviews code. Weekly.", ["Writes tests.", "Reviews code. Weekly."]),
        ("1) Writes tests\n2) Reviews code", ["Writes tests", "Reviews code"]),
        (
            "- Writes tests that catch\n  regressions\n- Reviews code",
            ["Writes tests that catch regressions", "Reviews code"],
        ),
        ("At this level:\n- Writes tests\n- Reviews code", ["Writes tests", "Reviews code"]),
        ("Writes tests\nReviews code\nDeploys", ["Writes tests", "Reviews code", "Deploys"]),
        ("- Writes tests", ["Writes tests"]),
        ("Writes tests that catch\nregressions before review.", []),
        ("Writes tests. Reviews code.", []),
    ],
)
def test_list_items(text: str, items: list[str]) -> None:
    assert list_items(text) == items


def test_eleven_bullets_are_eleven_behaviours_not_sentences(tmp_path: Path, framework_data: dict[str, Any]) -> None:
    framework_data["competencies"][5]["descriptions"]["L2"] = "\n".join(f"- Runs drill {n}." for n in range(11))
    (problem,) = [p for p in _lint(tmp_path, framework_data) if p.code == "too-many-behaviours"]
    assert "at L2 (11): a manager rates one number against all of them" in problem.message
    assert "sentence" not in problem.message


@pytest.mark.parametrize(
    ("text", "fires"),
    [
        ("\n".join(f"Runs drill {n} for the team" for n in range(7)), True),  # 7 lines, no full stop
        (" ".join(f"Runs drill {n}." for n in range(6)), True),  # six sentences of prose
        ("\n".join(f"- Runs drill {n}. Logs it. Files it." for n in range(MAX_BEHAVIOURS)), False),
        (" ".join(f"Runs drill {n}." for n in range(3)), False),  # three sentences: one or two was too strict
    ],
)
def test_too_many_behaviours(tmp_path: Path, framework_data: dict[str, Any], text: str, fires: bool) -> None:
    framework_data["competencies"][5]["descriptions"]["L2"] = text
    codes = [p.code for p in _lint(tmp_path, framework_data)]
    assert ("too-many-behaviours" in codes) is fires


def test_crowded_cells_are_one_warning_listing_them(tmp_path: Path, framework_data: dict[str, Any]) -> None:
    for level, n in (("L2", 6), ("L3", 8)):
        framework_data["competencies"][5]["descriptions"][level] = "\n".join(f"- Runs drill {i}" for i in range(n))
    (problem,) = [p for p in _lint(tmp_path, framework_data) if p.code == "too-many-behaviours"]
    assert "at L2 (6) and L3 (8)" in problem.message


@pytest.mark.parametrize(
    ("cell", "fires"),
    [
        ("- Ships a fix\n- Writes the test\n- ships a fix.", True),
        ("Ships a fix. Writes the test. Ships a fix.", True),
        ("- Ships a fix\n- Ships a fix to production", False),
    ],
)
def test_repeated_in_cell(tmp_path: Path, framework_data: dict[str, Any], cell: str, fires: bool) -> None:
    framework_data["competencies"][5]["descriptions"]["L2"] = cell
    codes = [p.code for p in _lint(tmp_path, framework_data)]
    assert ("repeated-in-cell" in codes) is fires


def test_repeated_item_at_the_next_level_both_ways(tmp_path: Path, framework_data: dict[str, Any]) -> None:
    descriptions = framework_data["competencies"][5]["descriptions"]
    descriptions["L2"] = "- Ships a fix\n- Writes the test"
    descriptions["L3"] = "- Ships a fix\n- Reviews the tests of the team"
    assert [p.path for p in _lint(tmp_path, framework_data) if p.code == "repeated-item"] == [
        "competencies[5].descriptions.L3"
    ]
    descriptions["L3"] = "- Ships a fix to two services\n- Reviews the tests of the team"
    assert "repeated-item" not in [p.code for p in _lint(tmp_path, framework_data)]


# -- reads the same --------------------------------------------------------------------------------


def test_same_text_is_one_warning_per_competency_listing_its_levels(
    tmp_path: Path, framework_data: dict[str, Any]
) -> None:
    descriptions = framework_data["competencies"][0]["descriptions"]
    descriptions["L2"] = descriptions["L4"] = descriptions["L1"]
    descriptions["L3"] = descriptions["L1"].replace(" ", "  ") + "\n"  # spacing is no difference
    (problem,) = [p for p in _lint(tmp_path, framework_data) if p.code == "same-text"]
    assert problem.message.startswith(
        f"'{framework_data['competencies'][0]['name']}' reads the same at L1, L2, L3 and L4"
    )
    assert problem.path == "competencies[0].descriptions.L2"


def test_a_bullet_more_is_a_difference(tmp_path: Path, framework_data: dict[str, Any]) -> None:
    descriptions = framework_data["competencies"][0]["descriptions"]
    descriptions["L1"] = "- Writes the weekly update\n- Answers questions in the team channel"
    descriptions["L2"] = descriptions["L1"] + "\n- Presents the update at the monthly review"
    codes = [p.code for p in _lint(tmp_path, framework_data)]
    assert "same-text" not in codes and "near-same-text" not in codes
    assert "repeated-item" in codes  # what is repeated is said, for what it is


@pytest.mark.parametrize(
    ("upper", "near"),
    [
        ("- Writes the weekly update\n- Answers questions in the team's channel", True),  # one word changed
        ("- Writes the weekly update\n- Presents the plan to the board", False),  # one item changed
        ("- Writes the weekly update\n- Answers questions in every team channel", False),  # a change of scope
    ],
)
def test_near_same_text_compares_item_by_item(
    tmp_path: Path, framework_data: dict[str, Any], upper: str, near: bool
) -> None:
    descriptions = framework_data["competencies"][0]["descriptions"]
    descriptions["L1"] = "- Writes the weekly update\n- Answers questions in the team channel"
    descriptions["L2"] = upper
    codes = [p.code for p in _lint(tmp_path, framework_data)]
    assert ("near-same-text" in codes) is near


# -- vague wording ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Understands the billing system.",
        "Deeply understands the data model.",
        "Is aware of the team's priorities.",
        "Has a deep understanding of SQL.",
        "Follows the roadmap and understands its trade-offs.",
        "Aware of the main security risks.",
        "Knows the incident process by heart.",
    ],
)
def test_knowing_of_the_employee_is_vague(text: str) -> None:
    assert find_vague_wording(text), text


@pytest.mark.parametrize(
    "text",
    [
        "Communicates changes early, making sure everybody understands the benefits.",
        "Makes sure the team knows the escalation path.",
        "Keeps stakeholders aware of the risks.",
        "Ensures that each customer understands the new pricing.",
        "Grows the team's understanding of the incident process.",
        "Follows good practice for code review.",
        "Keeps the service cost-effective.",
    ],
)
def test_someone_elses_knowing_and_set_phrases_are_not_vague(text: str) -> None:
    assert find_vague_wording(text) == []


def test_a_vague_word_is_one_warning_per_competency(tmp_path: Path, framework_data: dict[str, Any]) -> None:
    descriptions = framework_data["competencies"][3]["descriptions"]
    descriptions["L1"] = "Writes good tests and good docs."
    descriptions["L2"] = "Reviews code with good judgement."
    (problem,) = [p for p in _lint(tmp_path, framework_data) if p.code == "vague-wording"]
    assert "at L1 and L2: 'good' is vague" in problem.message
    descriptions["L2"] = "Reviews code with strong judgement."
    (problem,) = [p for p in _lint(tmp_path, framework_data) if p.code == "vague-wording"]
    assert problem.message.endswith(": 'good' at L1 and 'strong' at L2 are vague or unobservable")
    descriptions["L1"] = "Writes good tests with strong reviews."
    descriptions["L2"] = "Reviews code."
    (problem,) = [p for p in _lint(tmp_path, framework_data) if p.code == "vague-wording"]
    assert problem.message.endswith(" at L1: 'good' and 'strong' are vague or unobservable")


# -- counts ----------------------------------------------------------------------------------------


def test_a_short_branch_is_not_a_short_ladder(tmp_path: Path, framework_data: dict[str, Any]) -> None:
    management = framework_data["tracks"][1]
    dropped = [level["id"] for level in management["levels"][3:]]
    management["levels"] = management["levels"][:3]
    for comp in framework_data["competencies"]:
        for level_id in dropped:
            comp["descriptions"].pop(level_id, None)
    management["levels"][-1]["equivalent"] = framework_data["tracks"][0]["levels"][-1]["id"]
    assert "level-count" not in [p.code for p in _lint(tmp_path, framework_data)]
    management.pop("entry")  # a track of its own is a ladder: three levels are a short one
    assert "tracks[1].levels" in [p.path for p in _lint(tmp_path, framework_data) if p.code == "level-count"]


def test_kinds_are_not_counted(tmp_path: Path, framework_data: dict[str, Any]) -> None:
    for comp in framework_data["competencies"]:
        comp["kind"] = "core"  # a source framework that does not classify its competencies
    assert _lint(tmp_path, framework_data) == []


# -- allow -----------------------------------------------------------------------------------------


def test_allow_on_one_competency_allows_nothing_elsewhere(tmp_path: Path, framework_data: dict[str, Any]) -> None:
    for ci in (0, 1):
        descriptions = framework_data["competencies"][ci]["descriptions"]
        descriptions["L3"] = descriptions["L2"]
    framework_data["competencies"][0]["lint"] = {"allow": ["same-text"]}
    report = lint_report([_write(tmp_path, yaml.safe_dump(framework_data, allow_unicode=True))])
    assert [p.path for p in report.problems] == ["competencies[1].descriptions.L3"]
    assert [p.path for p in report.allowed] == ["competencies[0].descriptions.L3"]


def test_allow_covers_expected_values_of_its_competency(tmp_path: Path, framework_data: dict[str, Any]) -> None:
    framework_data["tracks"][0]["levels"][3]["expected"]["design"] = 3  # falls
    design = next(c for c in framework_data["competencies"] if c["id"] == "design")
    design["lint"] = {"allow": ["expected-falls"]}
    report = lint_report([_write(tmp_path, yaml.safe_dump(framework_data, allow_unicode=True))])
    assert report.problems == []
    assert [p.code for p in report.allowed] == ["expected-falls"]


def test_errors_cannot_be_allowed_and_unknown_codes_are_named(tmp_path: Path, framework_data: dict[str, Any]) -> None:
    framework_data["lint"] = {"allow": ["missing-description", "same-txt"]}
    framework_data["competencies"][1]["descriptions"].pop("L3")
    problems = _lint(tmp_path, framework_data)
    assert "missing-description" in [p.code for p in problems if p.severity == "error"]
    unknown = [p for p in problems if p.code == "unknown-allow"]
    assert [(p.path, p.value) for p in unknown] == [
        ("lint.allow[0]", "missing-description"),
        ("lint.allow[1]", "same-txt"),
    ]
    assert "errors must be fixed" in unknown[0].message
    assert "same-text" in (unknown[1].hint or "") and "vague-wording" in (unknown[1].hint or "")


def test_allow_changes_no_fingerprint(tmp_path: Path, framework_data: dict[str, Any]) -> None:
    from matrixkit.model.framework import load_framework

    plain = load_framework(_write(tmp_path, yaml.safe_dump(framework_data), "plain.yaml"))
    framework_data["lint"] = {"allow": ["same-text"]}
    allowed = load_framework(_write(tmp_path, yaml.safe_dump(framework_data), "allowed.yaml"))
    assert plain.fingerprint == allowed.fingerprint
    assert allowed.lint.allow == ("same-text",)


# -- every warning: a hint, a documented code ------------------------------------------------------


def test_no_finding_is_said_twice(tmp_path: Path, framework_data: dict[str, Any]) -> None:
    framework_data["competencies"][3]["descriptions"]["L1"] = "Writes good tests. Writes good tests."
    problems = _lint(tmp_path, framework_data)
    assert len(problems) == len(set(problems))
    assert [p.code for p in problems].count("vague-wording") == 1


def test_every_allowable_code_is_documented() -> None:
    documented = set(re.findall(r"^### `([a-z-]+)`", DOCS.read_text(encoding="utf-8"), re.MULTILINE))
    assert set(ALLOWABLE) <= documented
    assert {"unknown-allow", "missing-description", "too-long"} <= documented


def test_behaviours_of_prose_are_its_sentences() -> None:
    assert behaviours("Writes tests, e.g. unit tests. Reviews code.") == [
        "Writes tests, e.g. unit tests",
        "Reviews code",
    ]


def _lint(tmp_path: Path, data: dict[str, Any]) -> list[Problem]:
    return lint_paths([_write(tmp_path, yaml.safe_dump(data, sort_keys=False, allow_unicode=True))])


def test_allow_holds_in_a_file_with_structural_errors(tmp_path: Path) -> None:
    broken = LADDER.replace("title: Director,", "title: [Director],", 1)  # M3 cannot be read
    report = lint_report([_write(tmp_path, broken)])
    assert "schema" in [p.code for p in report.problems if p.severity == "error"]
    assert "same-text" in [p.code for p in report.allowed]
    assert ("same-text", "competencies[1].descriptions.E2") not in _found(report.problems)


def test_flat_text_is_no_finding_where_the_competency_has_anchors(tmp_path: Path) -> None:
    """A behaviourally anchored scale: one description for every level and what each number means, the
    role profile saying which number each level expects. Nothing for the author to fix."""
    data = yaml.safe_load((TEMPLATES / "startup.yaml").read_text(encoding="utf-8"))
    first = data["competencies"][0]
    first["descriptions"] = dict.fromkeys(first["descriptions"], "Writes the plan the team works from.")
    path = tmp_path / "flat.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    assert "same-text" in {p.code for p in lint_paths([path])}
    first["anchors"] = {1: "Needs the plan written for them.", 3: "Writes it.", 5: "Others copy it."}
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    assert "same-text" not in {p.code for p in lint_paths([path])}
