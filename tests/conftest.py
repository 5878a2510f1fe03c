from __future__ import annotations

import os

# The committed filled samples are openpyxl's own writer's bytes; with lxml installed (the OOXML
# validation needs it) openpyxl would switch writers and every sample would read as drifted.
os.environ["OPENPYXL_LXML"] = "False"

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

pytest_plugins = ["conftest_libreoffice"]

REPO = Path(__file__).resolve().parent.parent
# A copy of ../shared/fixtures (the FT framework, MIT): CI clones the repository on its own, so the
# tests must not depend on a folder beside it. test_fixture_copy_is_current keeps the copy honest.
SHARED_FIXTURES = REPO.parent / "shared" / "fixtures"
FIXTURES = REPO / "tests" / "fixtures"
FT_ENGINEERING = FIXTURES / "real-world" / "ft-engineering.yaml"
TEMPLATES = REPO / "templates"

# Each level's phrase differs in scope, so adjacent descriptions are never near-identical.
_SCOPE = {
    "L1": "on tasks a senior engineer breaks down for them, asking for review on every change",
    "L2": "across a feature from design note to release, with a teammate reviewing the plan",
    "L3": "for the whole team's service, publishing a quarterly plan that two teams follow",
    "L4": "across several teams, chairing the monthly review where cross-team decisions get written down",
    "M1": "for a team of five to eight people, running weekly one-to-ones and a monthly planning session",
    "M2": "for a group of three teams, writing the hiring plan and the budget each half-year",
    "M3": "for a department of ten teams, presenting the annual roadmap to the executive board",
    "M4": "for the whole company, setting the yearly engineering headcount and reporting it to the board",
}
_ACTS = {
    "communication": "Writes status updates",
    "collaboration": "Pairs with peers",
    "delivery": "Ships changes",
    "craft": "Writes tested code",
    "design": "Draws system diagrams",
    "operations": "Handles on-call pages",
    "coaching": "Mentors colleagues",
}


def base_framework() -> dict[str, Any]:
    """A lint-clean framework: two tracks of four levels, seven competencies, every rule satisfied."""
    ic = ["L1", "L2", "L3", "L4"]
    mgmt = ["M1", "M2", "M3", "M4"]
    kinds = {
        "communication": "core",
        "collaboration": "core",
        "delivery": "core",
        "craft": "functional",
        "design": "functional",
        "operations": "functional",
        "coaching": "leadership",
    }
    competencies = [
        {
            "id": cid,
            "name": cid.title(),
            "kind": kind,
            "descriptions": {level: f"{_ACTS[cid]} {_SCOPE[level]}." for level in ic + mgmt},
        }
        for cid, kind in kinds.items()
    ]

    def profile(base: int) -> dict[str, int]:
        return {cid: min(5, base) for cid in kinds}

    framework: dict[str, Any] = {
        "matrixkit": 1,
        "family": {"id": "eng", "name": "Engineering", "version": "2026.1"},
        "scale": {
            "min": 1,
            "max": 5,
            "labels": {1: "Learning", 2: "Developing", 3: "Proficient", 4: "Advanced", 5: "Expert"},
        },
        "competencies": competencies,
        "evidence": [{"id": "cross_team_scope", "prompt": "Has led a project with 3+ cross-team stakeholders"}],
        "metrics": [{"id": "quota", "name": "Quota attainment (%)", "min": 0, "max": 1000}],
        "promotion": {
            "average_at_least": 3.5,
            "each_at_least": 3,
            "next_level_gaps_at_most": 1,
            "sustained_cycles": 2,
            "months_in_level_at_least": 12,
            "evidence": ["cross_team_scope"],
            "endorsement": True,
            "calibration": True,
        },
        "tracks": [
            {
                "id": "ic",
                "name": "Individual contributor",
                "levels": [
                    {"id": level, "title": f"Engineer {i + 1}", "expected": profile(i + 2)}
                    for i, level in enumerate(ic)
                ],
            },
            {
                "id": "management",
                "name": "Management",
                "entry": {"from": "L2", "to": "M1", "criteria": {"each_at_least": 3}},
                "levels": [
                    {
                        "id": level,
                        "title": f"Manager {i + 1}",
                        "expected": profile(i + 2),
                        "equivalent": ic[i],
                    }
                    for i, level in enumerate(mgmt)
                ],
            },
        ],
        "lateral_paths": [{"from": "L2", "to": "data:DS2", "transferable": ["communication"]}],
    }
    # The first step up expects 3 everywhere: an average of 3.5 would ask for more than the next level.
    for track in framework["tracks"]:
        track["levels"][0]["promotion"] = {"average_at_least": 3}
    return framework


@pytest.fixture
def framework_data() -> dict[str, Any]:
    return copy.deepcopy(base_framework())


@pytest.fixture
def write_yaml(tmp_path: Path) -> Callable[..., Path]:
    counter = iter(range(1_000_000))

    def write(data: Any, name: str | None = None) -> Path:
        path = tmp_path / (name or f"framework{next(counter)}.yaml")
        text = data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
        path.write_text(text, encoding="utf-8")
        return path

    return write
