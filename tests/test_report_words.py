"""The report speaks the reader's words (SPEC rev 2): no id in the Summary, Readiness or Development plans
sheets, for every shipped template — statuses, criteria, competencies, evidence and metrics by their names."""

from __future__ import annotations

import io
import random
import re

import openpyxl
import pytest
from conftest import TEMPLATES

from matrixkit import load_frameworks
from matrixkit.assess.analyze import analyze
from matrixkit.assess.results import STATUSES, RatedRow, Source
from matrixkit.model.framework import CRITERIA_KEYS, Framework
from matrixkit.outputs.report import report_bytes
from matrixkit.sources.roster import read_roster
from matrixkit.sources.templates import list_templates

SHEETS = ("Summary", "Readiness", "Development plans")


def _rated(fw: Framework, template: str, seed: int) -> list[tuple[Framework, RatedRow]]:
    """Every roster employee rated at random around their level's profile, evidence and endorsement mixed."""
    roster = read_roster(TEMPLATES / "rosters" / f"{template}.csv", [fw])
    chance = random.Random(seed)
    rows = []
    for n, person in enumerate(roster.employees):
        level = fw.level_by_id[person.level]
        track = fw.track_of_level[person.level]
        ratings: dict[str, int | None] = {
            c.id: max(fw.scale.min, min(fw.scale.max, level.expected.get(c.id, 3) + chance.choice((-1, 0, 0, 1))))
            for c in fw.competencies_for(track.id)
        }
        evidence: dict[str, bool | None] = {e.id: chance.choice((True, False, None)) for e in fw.evidence}
        metrics: dict[str, float | None] = {m.id: chance.choice((50.0, 120.0)) for m in fw.metrics}
        row = RatedRow(
            person.employee_id,
            person.name,
            fw.family.id,
            person.level,
            person.manager_id,
            ratings,
            evidence,
            chance.choice((True, False)),
            metrics,
            "",
            Source("m.xlsx", "Ratings", n + 2),
        )
        rows.append((fw, row))
    return rows


def _ids(fw: Framework) -> set[str]:
    return {
        *(c.id for c in fw.competencies),
        *(e.id for e in fw.evidence),
        *(m.id for m in fw.metrics),
        *STATUSES,
        *CRITERIA_KEYS,
    }


@pytest.mark.parametrize("template", [t.name for t in list_templates()])
def test_no_id_appears_in_the_sheets_people_read(template: str) -> None:
    fw = load_frameworks([TEMPLATES / f"{template}.yaml"])[0]
    roster = read_roster(TEMPLATES / "rosters" / f"{template}.csv", [fw])
    analysis = analyze(_rated(fw, template, seed=len(template)), [fw], roster=roster, cycle="2026-Q4")
    assert {e.status for e in analysis.employees} & {"on_track", "not_ready"}  # the criteria are exercised
    book = openpyxl.load_workbook(io.BytesIO(report_bytes(analysis, [fw])))
    # Framework prose may use an id's word in passing ("on-time delivery"): descriptions are not names.
    prose = {d.strip() for c in fw.competencies for d in c.descriptions.values()}
    # An id of two words (on_track, cross_team_scope) is never prose; a one-word id (ready, delivery) may
    # be, so it counts only as a whole cell or where a reason would name it ("delivery: Yes").
    compound = sorted((i for i in _ids(fw) if re.search(r"[_-]", i)), key=len, reverse=True)
    # One-word criterion keys are English ("Manager endorsement: Yes"): the compound ones are the ids.
    plain = {i for i in _ids(fw) if not re.search(r"[_-]", i)} - set(CRITERIA_KEYS)
    pattern = re.compile(r"(?<![\w.-])(" + "|".join(map(re.escape, compound)) + r")(?![\w-])")
    named = re.compile(r"(?<![\w.-])(" + "|".join(map(re.escape, sorted(plain))) + r"):")
    # The JSON's own phrasings of a run's limits, which `ReasonWords` rewords by their shape: one seen here
    # means a criterion's detail changed and its rewording no longer matches.
    raw = re.compile(r"gap\(s\)|no history store given|no calibration file given")
    found = []
    for sheet in SHEETS:
        for row in book[sheet].iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.strip() not in prose:
                    hit = pattern.search(cell.value) or named.search(cell.value) or raw.search(cell.value)
                    if hit or cell.value in plain:
                        word = hit.group(1) if hit else cell.value
                        found.append(f"{sheet}!{cell.coordinate}: {word!r} in {cell.value[:80]!r}")
    assert found == []
    reasons = {cell.value for row in book["Readiness"].iter_rows() for cell in row if isinstance(cell.value, str)}
    assert any("no earlier cycle in this run" in text for text in reasons) or template != "engineering"


@pytest.mark.parametrize(("people", "flag"), [(1, None), (2, None), (3, "aspirational")])
def test_a_level_is_flagged_aspirational_only_with_three_complete_employees(people: int, flag: str | None) -> None:
    """As calibration: one employee who misses the bar says nothing about the level."""
    fw = load_frameworks([TEMPLATES / "engineering.yaml"])[0]
    ic2 = fw.level_by_id["IC2"]
    rows = [
        (
            fw,
            RatedRow(
                f"E{n}",
                f"Person {n}",
                "engineering",
                "IC2",
                "M1",
                {c.id: fw.scale.min for c in fw.competencies_for("ic")},
                {},
                None,
                {},
                "",
                Source("m.xlsx", "Ratings", n + 2),
            ),
        )
        for n in range(people)
    ]
    (check,) = [c for c in analyze(rows, [fw], cycle="2026-Q4").level_checks if c.level == ic2.id]
    assert (check.complete, check.meeting, check.flag) == (people, 0, flag)
