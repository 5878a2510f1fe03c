"""The criteria registry: every kind defined once, the model and the registry in step, unknown keys loud."""

from __future__ import annotations

import doctest
from dataclasses import replace
from datetime import date
from types import ModuleType
from typing import Any

import pytest
from report_fixtures import engineering, sample_analysis

from matrixkit.assess import readiness, scoring
from matrixkit.assess.results import CriterionResult, RatedRow, Source
from matrixkit.model import criteria as registry
from matrixkit.model import framework, words
from matrixkit.model.criteria import (
    CRITERIA_KEYS,
    KINDS,
    RATING_BARS,
    RATING_CRITERIA,
    Case,
    Context,
    criteria_phrases,
    criterion,
    keys_of_type,
    label_of,
)
from matrixkit.model.framework import Criteria, Id, Int, Number
from matrixkit.outputs.packets import employee_report_bytes, packet_bytes
from matrixkit.workbook.formulas import literal_inputs, ready_formula
from matrixkit.workbook.layout import LevelLookup, RatingsSheet, ratings_columns

ANNOTATION_OF_TYPE: dict[str, Any] = {
    "number": Number | None,
    "whole": Int | None,
    "yes_no": bool | None,
    "ids": tuple[Id, ...] | None,
    "thresholds": dict[Id, Number] | None,
}
# One checked value per kind, for the checks that need a value of the right type.
SAMPLE_VALUES: dict[str, Any] = {
    "average_at_least": 3.5,
    "each_at_least": 3.0,
    "next_level_gaps_at_most": 1,
    "sustained_cycles": 2,
    "months_in_level_at_least": 12,
    "evidence": ("led_project",),
    "metrics_at_least": {"quota": 100.0},
    "endorsement": True,
    "calibration": True,
}


def test_every_criteria_field_is_registered_and_every_kind_is_a_field() -> None:
    assert set(Criteria.model_fields) == set(CRITERIA_KEYS)
    assert tuple(Criteria.model_fields) == CRITERIA_KEYS  # the canonical order is the model's order too
    assert set(SAMPLE_VALUES) == set(CRITERIA_KEYS)


def test_framework_keys_come_from_the_registry() -> None:
    assert framework.CRITERIA_KEYS is registry.CRITERIA_KEYS
    assert framework.RATING_CRITERIA is registry.RATING_CRITERIA
    assert tuple(kind.key for kind in KINDS if kind.is_rating) == RATING_CRITERIA
    assert RATING_CRITERIA == ("average_at_least", "each_at_least", "next_level_gaps_at_most")


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.key)
def test_each_kind_declares_the_type_the_model_checks(kind: registry.CriterionKind) -> None:
    assert Criteria.model_fields[kind.key].annotation == ANNOTATION_OF_TYPE[kind.value_type]


def test_value_types_say_how_authoring_cells_are_read() -> None:
    assert keys_of_type("number") == ("average_at_least", "each_at_least")
    assert keys_of_type("whole") == ("next_level_gaps_at_most", "sustained_cycles", "months_in_level_at_least")
    assert keys_of_type("yes_no") == ("endorsement", "calibration")
    assert keys_of_type("ids") == ("evidence",)
    assert keys_of_type("thresholds") == ("metrics_at_least",)


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.key)
def test_each_kind_has_a_label_help_words_and_an_evaluator(kind: registry.CriterionKind) -> None:
    fw = engineering()
    value = SAMPLE_VALUES[kind.key]
    assert kind.label.strip() and kind.help.strip()
    phrases = kind.words(value, fw, "IC4")
    assert phrases and all(isinstance(p, str) and p for p in phrases)
    case = _case(Criteria.model_validate({kind.key: value}))
    result, detail = case.outcome(kind.key)
    assert result in ("met", "not_met", "unknown") and detail
    assert isinstance(kind.bounds(value, fw), list)


def test_labels_are_unique() -> None:
    labels = [kind.label for kind in KINDS]
    assert len(set(labels)) == len(labels)


@pytest.mark.parametrize("lookup", [criterion, label_of])
def test_an_unknown_criterion_key_raises(lookup: Any) -> None:
    with pytest.raises(KeyError, match="unknown criterion kind 'averag_at_least'"):
        lookup("averag_at_least")


def test_a_packet_with_an_unknown_criterion_fails_instead_of_printing_the_key() -> None:
    analysis = sample_analysis()
    e = next(e for e in analysis.employees if e.criteria)
    typo = replace(e, criteria=[*e.criteria, CriterionResult("endorsment", "met", "x")])
    with pytest.raises(KeyError, match="endorsment"):
        packet_bytes(analysis, typo, engineering())
    with pytest.raises(KeyError, match="endorsment"):
        employee_report_bytes(analysis.cycle, typo, engineering(), [])


def test_words_on_the_page_and_in_sentences_agree() -> None:
    checked = Criteria(average_at_least=3.5, each_at_least=3, evidence=("a", "b"), sustained_cycles=1, calibration=True)
    assert criteria_phrases(checked, None, "IC4") == [
        "an average of at least 3.5 with no competency below 3",
        "evidence: a",
        "evidence: b",
        "confirmed in a calibration session",
    ]
    assert words.describe_criteria(checked, None, "IC4") == "; ".join(criteria_phrases(checked, None, "IC4"))
    assert criteria_phrases(Criteria(each_at_least=3), None, None) == ["no competency below 3"]
    assert words.describe_criteria(Criteria(), None, None) == "no criteria set"


def test_rating_bars_agree_in_python_and_in_the_ready_formula() -> None:
    fw = engineering()
    sheet = RatingsSheet("Ratings", fw, ratings_columns(fw), ())
    level = next(level_id for level_id in fw.level_by_id if fw.next_level(level_id) is not None)
    criteria = fw.criteria_for(level)
    formula = ready_formula(literal_inputs(fw, sheet, 4, level), "AV5", "LO5", "GA5")
    figures = {"average": "AV5", "lowest": "LO5", "gaps": "GA5"}
    for key, bar in RATING_BARS.items():
        threshold = getattr(criteria, key)
        if threshold is not None:
            assert bar.formula(figures[bar.figure], f"{threshold:g}") in (formula or "")
    lookup = LevelLookup(fw)
    assert [lookup.header()[lookup.column(bar.lookup_column)] for bar in RATING_BARS.values()] == [
        "average_at_least",
        "each_at_least",
        "gaps_at_most",
    ]
    assert scoring.rating_criteria_met(Criteria(average_at_least=3.5), 3.4999999999, 1, 9) == {"average_at_least": True}


def test_sustained_cycles_reads_this_cycles_rating_outcome() -> None:
    case = _case(Criteria(average_at_least=4.0, sustained_cycles=1))
    assert case.outcome("average_at_least")[0] == "not_met"
    assert case.outcome("sustained_cycles") == ("not_met", "only this cycle is required (2026-Q4: not met)")


def test_lint_bounds_come_from_the_registry() -> None:
    fw = engineering()
    findings = registry.criteria_findings(Criteria(average_at_least=9.0, each_at_least=1.0, sustained_cycles=0), fw)
    assert [(f.path, f.code, f.severity) for f in findings] == [
        (("average_at_least",), "unmeetable-criteria", "error"),
        (("each_at_least",), "trivial-criteria", "warning"),
        (("sustained_cycles",), "unmeetable-criteria", "error"),
    ]


@pytest.mark.parametrize("module", [registry, words, scoring, readiness], ids=lambda m: m.__name__)
def test_docstring_examples_run(module: ModuleType) -> None:
    assert doctest.testmod(module, optionflags=doctest.ELLIPSIS).failed == 0


def _case(criteria: Criteria) -> Case:
    fw = engineering()
    level = next(level_id for level_id in fw.level_by_id if fw.next_level(level_id) is not None)
    ratings: dict[str, int | None] = {c.id: 3 for c in fw.competencies_for(fw.track_of_level[level].id)}
    row = RatedRow(
        "E1", "Ann", fw.family.id, level, "M1", ratings, {}, True, {"quota": 120.0}, "", Source("f.xlsx", "Ratings", 2)
    )
    context = Context(date(2026, 12, 31), date(2025, 1, 1), {"E1": True}, "2026-Q4")
    return Case(fw, criteria, fw.next_level(level), ratings, 3.0, row, context)
