"""Level fit and promotion equity (SPEC rev 2): every figure against numbers worked out by hand.

The company: one family "co", one track of three levels expecting 2, 3 and 4 in both competencies (Craft,
Care), one promotion criterion (no competency below the next level). So an employee meets the bar for the
next level exactly when both ratings reach its expected value, and is `ready` then (no other criterion).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
import yaml

from matrixkit import load_frameworks
from matrixkit.assess.analyze import analyze
from matrixkit.assess.equity import CMH_TEST, FISHER_TEST, SCORE_TEST, check_columns
from matrixkit.assess.results import Analysis, RatedRow, Source
from matrixkit.errors import UsageError
from matrixkit.model.framework import Framework
from matrixkit.model.roster import Employee, Roster

EXPECTED = {"L1": 2, "L2": 3, "L3": 4}
NEXT = {"L1": 3, "L2": 4}

# (employee id, level, (craft, care) — None for a missing rating, group in the roster's "gender" column)
Person = tuple[str, str, tuple[int | None, int | None], str]


@pytest.fixture(scope="module")
def co(tmp_path_factory: pytest.TempPathFactory) -> Framework:
    data = {
        "matrixkit": 1,
        "family": {"id": "co", "name": "Company", "version": "1"},
        "scale": {"min": 1, "max": 5},
        "competencies": [
            {
                "id": cid,
                "name": cid.title(),
                "kind": "core",
                "descriptions": {level: f"{cid.title()} at {level}: does the work well." for level in EXPECTED},
            }
            for cid in ("craft", "care")
        ],
        "promotion": {"next_level_gaps_at_most": 0},
        "tracks": [
            {
                "id": "ic",
                "name": "Individual contributor",
                "levels": [
                    {"id": level, "title": f"Level {level}", "expected": {"craft": value, "care": value}}
                    for level, value in EXPECTED.items()
                ],
            }
        ],
    }
    path = tmp_path_factory.mktemp("co") / "co.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    (fw,) = load_frameworks([path])
    return fw


def company(
    fw: Framework, people: Sequence[Person], equity: Sequence[str] = ("gender",), twice: Sequence[str] = ()
) -> Analysis:
    """The pure analysis of `people`; the ids in `twice` appear in a second workbook too (a conflict)."""
    rows = []
    for n, (employee_id, level, (craft, care), _) in enumerate(people):
        for file in ("a.xlsx", *(["b.xlsx"] if employee_id in twice else [])):
            ratings = {"craft": craft, "care": care}
            row = RatedRow(
                employee_id, employee_id, "co", level, "M1", ratings, {}, None, {}, "", Source(file, "Ratings", n + 2)
            )
            rows.append((fw, row))
    roster = Roster(
        "roster.csv",
        tuple(
            Employee(employee_id, employee_id, "co", level, "M1", n + 2, extra={"gender": group, "site": "x"})
            for n, (employee_id, level, _, group) in enumerate(people)
        ),
    )
    return analyze(rows, [fw], roster=roster, cycle="2026-Q4", equity=equity)


def pairs(analysis: Analysis) -> dict[tuple[str, str], dict[str, Any]]:
    return {(p["lower"], p["upper"]): p for p in analysis.to_dict("test")["level_fit"]}


def groups(analysis: Analysis, column: int = 0) -> dict[str, dict[str, Any]]:
    assert analysis.equity is not None
    return {g["group"]: g for g in analysis.equity[column].to_dict()["groups"]}


# -- level fit -------------------------------------------------------------------------------------

LEVEL_FIT: list[Person] = [
    ("E1", "L1", (2, 2), ""),
    ("E2", "L1", (2, 3), ""),
    ("E3", "L1", (3, 2), ""),
    ("E4", "L2", (3, 3), ""),
    ("E5", "L2", (2, 3), ""),
    ("E6", "L2", (3, 4), ""),
    ("E7", "L3", (4, 4), ""),
    ("E8", "L3", (5, 4), ""),
    ("E9", "L2", (None, 1), ""),  # incomplete: in no mean, no count
    ("E10", "L1", (5, 5), ""),  # in two workbooks: a conflict, left out
    ("E11", "L1", (1, 2), ""),  # below even L1 in Craft
    ("E12", "L1", (3, 3), ""),  # meets L2's profile: possibly under-levelled
]


def test_level_fit_means_differences_and_flags_by_hand(co: Framework) -> None:
    found = pairs(company(co, LEVEL_FIT, equity=(), twice=["E10"]))
    assert list(found) == [("L1", "L2"), ("L2", "L3")]
    low = found[("L1", "L2")]
    # L1 complete: E1 (2,2) E2 (2,3) E3 (3,2) E11 (1,2) E12 (3,3) → Craft 11/5 = 2.2, Care 12/5 = 2.4.
    # L2 complete: E4 (3,3) E5 (2,3) E6 (3,4) → Craft 8/3 = 2.667, Care 10/3 = 3.333.
    assert (low["family"], low["track"], low["employees_lower"], low["employees_upper"]) == ("co", "ic", 5, 3)
    assert low["competencies"] == [
        {"competency": "craft", "mean_lower": 2.2, "mean_upper": 2.67, "difference": 0.47, "flagged": True},
        {"competency": "care", "mean_lower": 2.4, "mean_upper": 3.33, "difference": 0.93, "flagged": False},
    ]
    high = found[("L2", "L3")]
    # L3: E7 (4,4) E8 (5,4): only 2, so nothing is flagged however flat (Care rises 10/3 → 4, 0.67).
    assert (high["employees_lower"], high["employees_upper"]) == (3, 2)
    assert high["competencies"] == [
        {"competency": "craft", "mean_lower": 2.67, "mean_upper": 4.5, "difference": 1.83, "flagged": False},
        {"competency": "care", "mean_lower": 3.33, "mean_upper": 4.0, "difference": 0.67, "flagged": False},
    ]


def test_a_difference_of_exactly_half_a_point_is_not_flagged(co: Framework) -> None:
    people: list[Person] = [
        *((f"A{n}", "L1", (2, 2), "") for n in range(3)),
        ("B1", "L2", (2, 2), ""),
        ("B2", "L2", (2, 3), ""),
        ("B3", "L2", (2, 2), ""),
        ("B4", "L2", (3, 3), ""),
    ]
    (craft, care) = pairs(company(co, people, equity=()))[("L1", "L2")]["competencies"]
    assert (craft["difference"], craft["flagged"]) == (0.25, True)  # 9/4 − 2
    assert (care["difference"], care["flagged"]) == (0.5, False)  # 10/4 − 2: a tie with the bar is not flat


def test_level_fit_with_one_level_only_has_no_competency_to_compare(co: Framework) -> None:
    found = pairs(company(co, [(f"A{n}", "L1", (2, 2), "") for n in range(4)], equity=()))
    assert found[("L1", "L2")]["employees_lower"] == 4
    assert found[("L1", "L2")]["employees_upper"] == 0
    assert found[("L1", "L2")]["competencies"] == []
    assert found[("L2", "L3")]["competencies"] == []


def test_below_current_level_and_profile_level_per_employee(co: Framework) -> None:
    employees = {
        e["employee_id"]: e for e in company(co, LEVEL_FIT, equity=(), twice=["E10"]).to_dict("t")["employees"]
    }
    expected = {
        "E1": ([], "L1"),
        "E3": ([], "L1"),  # (3,2): L2 wants 3 in Care too
        "E5": (["craft"], "L1"),  # at L2 with Craft 2
        "E6": ([], "L2"),
        "E8": ([], "L3"),
        "E9": (["care"], None),  # incomplete: the Care 1 is below L2; a missing rating meets nothing
        "E11": (["craft"], None),  # Craft 1 is below L1's 2: not even the first level's profile
        "E12": ([], "L2"),
    }
    for employee_id, (below, profile) in expected.items():
        assert (employees[employee_id]["below_current_level"], employees[employee_id]["profile_level"]) == (
            below,
            profile,
        ), employee_id


# -- equity ----------------------------------------------------------------------------------------

# Meets the bar: both ratings at the next level's (L1 → 3, L2 → 4). E99 at L3 is at the top: left out.
EQUITY: list[Person] = [
    ("F1", "L1", (3, 3), "f"),
    ("F2", "L1", (3, 3), "f"),
    ("F3", "L1", (2, 3), "f"),
    ("F4", "L2", (4, 4), "f"),
    ("F5", "L2", (3, 4), "f"),
    ("F6", "L2", (3, 3), "f"),
    ("M1", "L1", (3, 3), "m"),
    ("M2", "L1", (3, 4), "m"),
    ("M3", "L1", (2, 2), "m"),
    ("M4", "L2", (4, 5), "m"),
    ("M5", "L2", (2, 3), "m"),
    ("N1", "L1", (3, 3), ""),
    ("N2", "L1", (3, 3), ""),
    ("N3", "L1", (3, 3), ""),
    ("N4", "L2", (4, 4), ""),
    ("N5", "L2", (3, 3), ""),
    ("X1", "L1", (3, 3), "x"),  # two people: withheld
    ("X2", "L2", (2, 2), "x"),
    ("T1", "L3", (5, 5), "f"),
    ("I1", "L1", (None, 3), "f"),  # incomplete: left out
]


def test_equity_groups_by_hand(co: Framework) -> None:
    found = groups(company(co, EQUITY))
    # Shares: f 3/6, m 3/5, (not given) 4/5; the highest 4/5, so ratios 5/8 and 3/4: both under 0.8.
    # Gaps against the current level (L1 2, L2 3): f (1+1)+(1+1)+(0+1)+(1+1)+(0+1)+(0+0) = 8 over 12 ratings.
    assert list(found) == ["f", "m", "x", "(not given)"]
    assert found["f"] == {
        "group": "f",
        "employees": 6,
        "meeting_share": 0.5,
        "mean_gap": 0.67,
        "impact_ratio": 0.625,
        "flag": "adverse_impact",
        "suppressed": False,
    }
    assert found["m"] == {**found["m"], "employees": 5, "meeting_share": 0.6, "mean_gap": 0.7, "impact_ratio": 0.75}
    assert found["m"]["flag"] == "adverse_impact"
    assert found["(not given)"] == {**found["(not given)"], "employees": 5, "meeting_share": 0.8, "mean_gap": 0.8}
    assert (found["(not given)"]["impact_ratio"], found["(not given)"]["flag"]) == (1.0, None)
    assert found["x"] == {
        "group": "x",
        "employees": None,
        "meeting_share": None,
        "mean_gap": None,
        "impact_ratio": None,
        "flag": None,
        "suppressed": True,
    }


def score_test_p_value(strata: Sequence[dict[str, tuple[int, int]]]) -> float:
    """The score test of "no group effect" in a logistic model with a level effect, from its definition.

    Each stratum maps group → (meeting, employees). At the model without the group the fitted probability in
    stratum k is its share p_k; the score for group g is U_g = Σ_k (meeting_gk − n_gk p_k) and its
    information V_gh = Σ_k p_k (1 − p_k) (n_gk [g = h] − n_gk n_hk / n_k). The statistic U'V⁻¹U, over all
    groups but the first, is chi-square with (groups − 1) degrees of freedom: for 2, p = exp(−x / 2).
    """
    names = sorted({g for s in strata for g in s})[1:]
    assert len(names) == 2
    u = [Fraction(0)] * 2
    v = [[Fraction(0)] * 2 for _ in range(2)]
    for s in strata:
        n = sum(count for _, count in s.values())
        p = Fraction(sum(meeting for meeting, _ in s.values()), n)
        for i, g in enumerate(names):
            meeting, count = s.get(g, (0, 0))
            u[i] += meeting - count * p
            for j, h in enumerate(names):
                other = s.get(h, (0, 0))[1]
                v[i][j] += p * (1 - p) * ((count if g == h else 0) - Fraction(count * other, n))
    det = v[0][0] * v[1][1] - v[0][1] * v[1][0]
    inverse = [[v[1][1] / det, -v[0][1] / det], [-v[1][0] / det, v[0][0] / det]]
    statistic = sum(u[i] * inverse[i][j] * u[j] for i in range(2) for j in range(2))
    return math.exp(-float(statistic) / 2)


def test_equity_p_value_with_three_groups_is_the_score_test(co: Framework) -> None:
    analysis = company(co, EQUITY)
    assert analysis.equity is not None
    column = analysis.equity[0]
    # L1: f 2 of 3, m 2 of 3, (not given) 3 of 3; L2: f 1 of 3, m 1 of 2, (not given) 1 of 2 (x withheld).
    expected = score_test_p_value(
        [{"f": (2, 3), "m": (2, 3), "(not given)": (3, 3)}, {"f": (1, 3), "m": (1, 2), "(not given)": (1, 2)}]
    )
    assert column.test == SCORE_TEST
    assert column.p_value == pytest.approx(expected, rel=1e-9)


def cmh_p_value(strata: Sequence[tuple[int, int, int, int]]) -> float:
    """Cochran–Mantel–Haenszel without continuity correction, from its definition: each stratum is
    (a meeting, a not, b meeting, b not); X = (Σ a_k − E a_k)² / Σ Var a_k with the hypergeometric moments;
    one degree of freedom, so p = erfc(√(X / 2))."""
    deviation = Fraction(0)
    variance = Fraction(0)
    for a, b, c, d in strata:
        n = a + b + c + d
        row1, row2, meet, miss = a + b, c + d, a + c, b + d
        deviation += a - Fraction(row1 * meet, n)
        variance += Fraction(row1 * row2 * meet * miss, n * n * (n - 1))
    return math.erfc(math.sqrt(float(deviation * deviation / variance) / 2))


def fisher_p_value(a: int, b: int, c: int, d: int) -> float:
    """Two-sided Fisher exact test: the probability of every table with these margins no likelier than this."""
    row1, meet, n = a + b, a + c, a + b + c + d

    def probability(x: int) -> Fraction:
        return Fraction(math.comb(meet, x) * math.comb(n - meet, row1 - x), math.comb(n, row1))

    observed = probability(a)
    low, high = max(0, row1 - (n - meet)), min(row1, meet)
    return float(sum(p for x in range(low, high + 1) if (p := probability(x)) <= observed))


def synthetic(lower_by: int, per_level: int = 10) -> list[Person]:
    """Two groups of `per_level` at L1 and at L2 rated alike around the next level's profile, group "b" rated
    `lower_by` points lower everywhere."""
    offsets = [-1, 0, 0, 1, 0, -1, 0, 1, 0, 0]
    people: list[Person] = []
    for level in ("L1", "L2"):
        for group, shift in (("a", 0), ("b", -lower_by)):
            for n in range(per_level):
                rating = max(1, min(5, NEXT[level] + offsets[n % len(offsets)] + shift))
                people.append((f"{group}{level}{n}", level, (rating, rating), group))
    return people


def test_a_group_rated_a_point_lower_at_every_level_shows_adverse_impact(co: Framework) -> None:
    analysis = company(co, synthetic(1))
    assert analysis.equity is not None
    found = groups(analysis)
    # a: offsets ≥ 0 meet, 8 of 10 per level; b: offsets ≥ 1, 2 of 10 per level.
    assert (found["a"]["meeting_share"], found["b"]["meeting_share"]) == (0.8, 0.2)
    assert (found["b"]["impact_ratio"], found["b"]["flag"], found["a"]["flag"]) == (0.25, "adverse_impact", None)
    assert analysis.equity[0].test == CMH_TEST
    assert analysis.equity[0].p_value == pytest.approx(cmh_p_value([(8, 2, 2, 8), (8, 2, 2, 8)]), rel=1e-9)
    assert (analysis.equity[0].p_value or 1) < 0.05


def test_a_company_without_a_difference_shows_no_flag(co: Framework) -> None:
    analysis = company(co, synthetic(0))
    assert analysis.equity is not None
    found = groups(analysis)
    assert [(g["impact_ratio"], g["flag"]) for g in found.values()] == [(1.0, None), (1.0, None)]
    assert analysis.equity[0].p_value == pytest.approx(1.0)


def test_ties_share_the_highest_share(co: Framework) -> None:
    people = [p for p in synthetic(0) if p[1] == "L1"]  # a and b: 8 of 10 each, at one level only
    people += [(f"c{n}", "L1", (3, 3) if n < 4 else (2, 2), "c") for n in range(5)]  # 4 of 5: also 0.8
    found = groups(company(co, people))
    assert [(g["meeting_share"], g["impact_ratio"], g["flag"]) for g in found.values()] == [(0.8, 1.0, None)] * 3


def test_one_level_only_two_groups_is_fishers_exact_test(co: Framework) -> None:
    people = [p for p in synthetic(1) if p[1] == "L1"]
    analysis = company(co, people)
    assert analysis.equity is not None
    assert analysis.equity[0].test == FISHER_TEST
    assert analysis.equity[0].p_value == pytest.approx(fisher_p_value(8, 2, 2, 8), rel=1e-9)


def test_a_group_where_nobody_meets_the_bar(co: Framework) -> None:
    people = [(f"a{n}", "L1", (3, 3) if n % 2 else (2, 2), "a") for n in range(6)]  # 3 of 6
    people += [(f"b{n}", "L1", (2, 2), "b") for n in range(5)]  # none
    analysis = company(co, people)
    assert analysis.equity is not None
    found = groups(analysis)
    assert (found["b"]["meeting_share"], found["b"]["impact_ratio"], found["b"]["flag"]) == (0.0, 0.0, "adverse_impact")
    assert found["b"]["mean_gap"] == 0.0 and found["a"]["mean_gap"] == 0.5
    assert analysis.equity[0].p_value == pytest.approx(fisher_p_value(3, 3, 0, 5), rel=1e-9)


def test_nobody_meets_the_bar_anywhere_has_no_ratio_and_no_test(co: Framework) -> None:
    people = [(f"{g}{n}", "L1", (2, 2), g) for g in "ab" for n in range(5)]
    analysis = company(co, people)
    assert analysis.equity is not None
    assert [(g["meeting_share"], g["impact_ratio"], g["flag"]) for g in groups(analysis).values()] == [
        (0.0, None, None)
    ] * 2
    assert (analysis.equity[0].p_value, analysis.equity[0].test) == (None, None)


def test_every_group_suppressed(co: Framework) -> None:
    people = [(f"{g}{n}", "L1", (3, 3) if n else (2, 2), g) for g in "abc" for n in range(4)]
    analysis = company(co, people)
    assert analysis.equity is not None
    document = analysis.equity[0].to_dict()
    assert document["p_value"] is None
    assert [g["suppressed"] for g in document["groups"]] == [True] * 3
    assert all(g[key] is None for g in document["groups"] for key in g if key not in ("group", "suppressed"))


def test_a_suppressed_group_takes_no_part_in_the_ratio_or_the_test(co: Framework) -> None:
    base = company(co, synthetic(1))
    # Four more people who all meet the bar: shown, they would set the highest share to 1.0.
    people = [*synthetic(1), *((f"z{n}", "L1", (5, 5), "z") for n in range(4))]
    with_small = company(co, people)
    assert base.equity is not None and with_small.equity is not None
    assert with_small.equity[0].p_value == base.equity[0].p_value
    shown = {g: v for g, v in groups(with_small).items() if g != "z"}
    assert shown == groups(base)
    assert groups(with_small)["z"]["suppressed"] is True


# -- the option and the JSON ------------------------------------------------------------------------


def test_without_equity_nothing_about_the_columns_is_computed(co: Framework) -> None:
    document = company(co, EQUITY, equity=()).to_dict("t")
    assert "equity" not in document
    text = json.dumps(document)
    assert "gender" not in text and '"site"' not in text


def test_equity_column_not_in_the_roster_is_a_usage_error_naming_the_columns(co: Framework) -> None:
    with pytest.raises(
        UsageError, match=r"--equity ethnicity: the roster roster.csv has no such column; .*: gender, site"
    ):
        company(co, EQUITY, equity=["ethnicity"])
    with pytest.raises(UsageError, match="--equity needs --roster"):
        check_columns(None, ["gender"])
    assert check_columns(Roster("r.csv", ()), []) == []


def test_equity_repeatable_and_case_insensitive(co: Framework) -> None:
    analysis = company(co, EQUITY, equity=["Gender", "SITE", "gender"])
    assert analysis.equity is not None
    assert [c.column for c in analysis.equity] == ["gender", "site"]
    assert [g.group for g in analysis.equity[1].groups] == ["x"]


def _check_shape(value: Any, shape: Any, where: str) -> None:
    """`shape`: a type (or tuple of types), a dict of key → shape (exactly those keys), or [shape] for a list."""
    if isinstance(shape, dict):
        assert isinstance(value, dict) and set(value) == set(shape), (where, value)
        for key, inner in shape.items():
            _check_shape(value[key], inner, f"{where}.{key}")
    elif isinstance(shape, list):
        assert isinstance(value, list), where
        for n, item in enumerate(value):
            _check_shape(item, shape[0], f"{where}[{n}]")
    else:
        assert isinstance(value, shape) and not (isinstance(value, bool) and bool not in _types(shape)), (where, value)


def _types(shape: Any) -> tuple[type, ...]:
    return shape if isinstance(shape, tuple) else (shape,)


NUMBER = (int, float)
OPTIONAL_NUMBER = (int, float, type(None))
LEVEL_FIT_SHAPE = {
    "family": str,
    "track": str,
    "lower": str,
    "upper": str,
    "employees_lower": int,
    "employees_upper": int,
    "competencies": [
        {"competency": str, "mean_lower": NUMBER, "mean_upper": NUMBER, "difference": NUMBER, "flagged": bool}
    ],
}
EQUITY_SHAPE = {
    "column": str,
    "p_value": OPTIONAL_NUMBER,
    "groups": [
        {
            "group": str,
            "employees": (int, type(None)),
            "meeting_share": OPTIONAL_NUMBER,
            "mean_gap": OPTIONAL_NUMBER,
            "impact_ratio": OPTIONAL_NUMBER,
            "flag": (str, type(None)),
            "suppressed": bool,
        }
    ],
}


def test_json_shape_is_what_spec_names(co: Framework) -> None:
    document = json.loads(json.dumps(company(co, [*EQUITY, *LEVEL_FIT[:8]]).to_dict("t")))
    _check_shape(document["level_fit"], [LEVEL_FIT_SHAPE], "level_fit")
    _check_shape(document["equity"], [EQUITY_SHAPE], "equity")
    for e in document["employees"]:
        _check_shape(e["below_current_level"], [str], "below_current_level")
        _check_shape(e["profile_level"], (str, type(None)), "profile_level")
    assert {g["flag"] for c in document["equity"] for g in c["groups"]} <= {None, "adverse_impact"}
    assert any(c["flagged"] for p in document["level_fit"] for c in p["competencies"])


def test_json_written_by_the_cli_carries_level_fit_always(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from matrixkit.cli.main import main
    from matrixkit.outputs.generate import generate_blank_matrix

    fw = load_frameworks(["templates/startup.yaml"])
    blank = generate_blank_matrix(fw[0], tmp_path / "matrix.xlsx")
    result = CliRunner().invoke(
        main,
        [
            "analyze",
            str(blank),
            "--framework",
            "templates/startup.yaml",
            "--out",
            str(tmp_path / "r.xlsx"),
            "--json",
            str(tmp_path / "r.json"),
        ],
    )
    assert result.exit_code in (0, 1), result.output
    document = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert isinstance(document["level_fit"], list) and document["level_fit"]
    assert "equity" not in document


# -- the report's sheets ----------------------------------------------------------------------------


def report_book(fw: Framework, analysis: Analysis) -> Any:
    import io

    import openpyxl

    from matrixkit.outputs.report import report_bytes

    return openpyxl.load_workbook(io.BytesIO(report_bytes(analysis, [fw])))


def rows_under(ws: Any, heading: str) -> list[list[Any]]:
    """The rows of the table under the heading `heading` (its header first), up to the first empty row."""
    values = [[c.value for c in row] for row in ws.iter_rows()]
    start = next(n for n, row in enumerate(values) if row[0] == heading) + 1
    found = []
    for row in values[start:]:
        if all(v is None for v in row):
            break
        found.append(row)
    return found


def test_level_fit_sheet_shows_the_steps_flagged_rows_lit_and_the_people(co: Framework) -> None:
    from matrixkit.outputs.report import LEVEL_FIT_SHEET, SHEET_NAMES

    book = report_book(co, company(co, LEVEL_FIT, equity=(), twice=["E10"]))
    assert book.sheetnames == list(SHEET_NAMES)
    assert "Equity" not in book.sheetnames
    ws = book[LEVEL_FIT_SHEET]
    header, track, *steps = rows_under(ws, "Each step up a track, competency by competency")
    assert header[:3] == ["Competency", "From level", "To level"] and header[10] == "Finding"
    assert track[0] == "Individual contributor"
    assert [(s[0], s[1], s[2], s[3], s[4], s[7], s[8], s[9], s[10]) for s in steps] == [
        ("Craft", "L1", "L2", 5, 3, 2.2, 2.67, 0.47, "Barely rises"),
        ("Care", "L1", "L2", 5, 3, 2.4, 3.33, 0.93, None),
        ("Craft", "L2", "L3", 3, 2, 2.67, 4.5, 1.83, "Too few people to tell (under 3 at a level)"),
        ("Care", "L2", "L3", 3, 2, 3.33, 4.0, 0.67, "Too few people to tell (under 3 at a level)"),
    ]
    first = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "Craft" and ws.cell(r, 2).value == "L1")
    assert {ws.cell(first, c).fill.fgColor.rgb for c in range(1, 12)} == {"FFFFE699"}  # the whole row lit
    assert ws.cell(first + 1, 1).fill.fgColor.rgb != "FFFFE699"

    under = rows_under(ws, "Rated at or above their next level in every competency — possibly under-levelled")
    assert [(r[0], r[2], r[3]) for r in under[1:]] == [("E12", "L1", "L2")]
    below = rows_under(ws, "Rated below their current level in at least one competency")
    assert [(r[0], r[2], r[3], r[10]) for r in below[1:]] == [
        ("E11", "L1", "none", "Craft"),
        ("E5", "L2", "L1", "Craft"),
    ]
    assert "E9" not in {r[0] for r in below}  # incomplete: left out, as in the means
    summary = {row[0].value: row[1].value for row in book["Summary"].iter_rows(max_col=2)}
    assert summary["Level fit"] == "1 step up a track where a competency barely rises: see the Level fit sheet"
    assert "Equity" not in summary


def test_level_fit_chart_draws_a_line_per_competency_over_the_levels(co: Framework) -> None:
    import io
    import re
    import zipfile

    from matrixkit.outputs.report import report_bytes

    data = report_bytes(company(co, LEVEL_FIT, equity=()), [co])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        charts = [archive.read(n).decode() for n in archive.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n)]
    (chart,) = [c for c in charts if "'Level fit'!" in c]
    assert "<c:lineChart>" in chart and chart.count("<c:ser>") == 2
    refs = re.findall(r"<c:f>([^<]+)</c:f>", chart)
    assert refs and all(ref.startswith("'Level fit'!") for ref in refs)
    assert "<c:v>L3</c:v>" in chart  # the levels are the categories, their values cached for every program


def test_equity_sheet_only_with_the_option_and_withheld_groups_show_no_figure(co: Framework) -> None:
    book = report_book(co, company(co, EQUITY))
    names = book.sheetnames
    assert names[names.index("Level fit") + 1] == "Equity"
    table = rows_under(book["Equity"], "By gender")
    assert table[0][0].startswith("p = ") and SCORE_TEST in table[0][0]
    groups_shown = {row[0]: row[1:6] for row in table[2:]}
    assert groups_shown["f"] == [6, 0.5, 0.67, 0.625, "Adverse impact: under four fifths of the highest share"]
    assert groups_shown["(not given)"] == [5, 0.8, 0.8, 1.0, None]
    assert groups_shown["x"] == [None, None, None, None, "Withheld: fewer than 5 people"]
    summary = {row[0].value: row[1].value for row in book["Summary"].iter_rows(max_col=2)}
    assert summary["Equity"] == "adverse impact flagged by gender: see the Equity sheet"


def engineering_company() -> tuple[list[Framework], Analysis]:
    """A company of 3 to 8 people per level of templates/engineering.yaml, Testing and quality rated 3 at
    every level (a boundary the ratings do not see), and a group rated lower: what the kept pictures show."""
    import random

    frameworks = load_frameworks(["templates/engineering.yaml"])
    (fw,) = frameworks
    rng = random.Random(2026)
    rows: list[tuple[Framework, RatedRow]] = []
    people: list[Employee] = []
    for track in fw.tracks:
        competencies = [c.id for c in fw.competencies_for(track.id)]
        for index, level in enumerate(track.levels):
            for k in range(8 if index < 4 else 3):
                n = len(people) + 1
                group = ("Women", "Men", "Men", "Women", "Men", "", "Non-binary", "Men")[k]
                if k == 7 and index == 0:
                    group = "Self-described"  # two people in all: withheld
                shift = -1 if group == "Women" and rng.random() < 0.6 else 0
                ratings: dict[str, int | None] = {}
                aim = fw.next_level(level.id) or level  # rated around the next level: some meet its bar
                for c in competencies:
                    expected = 3 if c == "testing_quality" else aim.expected.get(c, 3)
                    ratings[c] = max(1, min(5, expected + rng.choice([-1, 0, 0, 0, 0, 0, 1]) + shift))
                employee_id, name = f"ENG-{n:03}", f"Person {n:02}"
                source = Source("grace.xlsx", "Ratings", n + 1)
                rows.append(
                    (fw, RatedRow(employee_id, name, fw.family.id, level.id, "M1", ratings, {}, True, {}, "", source))
                )
                extra = {"gender": group}
                people.append(
                    Employee(employee_id, name, fw.family.id, level.id, "M1", n + 1, "Grace Hopper", extra=extra)
                )
    roster = Roster("roster.csv", tuple(people))
    return frameworks, analyze(rows, frameworks, roster=roster, cycle="2026-Q4", equity=["gender"])


@pytest.mark.libreoffice
def test_libreoffice_renders_the_level_fit_and_equity_sheets(libreoffice: Any, tmp_path: Path) -> None:
    import os
    import shutil
    import subprocess

    from matrixkit.outputs.report import report_bytes
    from matrixkit.outputs.report.styles import TREND_LINE_COLOURS

    frameworks, analysis = engineering_company()
    path = tmp_path / "report.xlsx"
    path.write_bytes(report_bytes(analysis, frameworks))
    opened = libreoffice.read(path, detail_sheet_prefix=None)
    assert {"Level fit", "Equity"} <= set(opened.sheet_names)
    pdf = libreoffice.convert_pdf(path, tmp_path / "report.pdf")
    if shutil.which("pdftoppm") is None or shutil.which("pdftotext") is None:
        if os.environ.get("CI"):
            pytest.fail("pdftoppm and pdftotext (poppler-utils) are needed to look at the Level fit sheet")
        pytest.skip("poppler-utils is not installed")
    keep = os.environ.get("MATRIXKIT_PICTURES")  # a folder: the pictures are kept there too
    for title, picture in (("Level fit", "report-level-fit"), ("Equity", "report-equity")):
        page = _page_starting_with(pdf, title)
        prefix = tmp_path / picture
        subprocess.run(
            ["pdftoppm", "-png", "-r", "70", "-f", str(page), "-l", str(page), "-singlefile", str(pdf), str(prefix)],
            check=True,
            capture_output=True,
            timeout=60,
        )
        image = prefix.with_suffix(".png")
        if keep:
            shutil.copy(image, Path(keep) / image.name)
        text = subprocess.run(
            ["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        if title == "Level fit":
            assert "Barely rises" in text and "Testing and quality" in text
            ppm = tmp_path / "level-fit"
            subprocess.run(
                ["pdftoppm", "-r", "40", "-f", str(page), "-l", str(page), "-singlefile", str(pdf), str(ppm)],
                check=True,
                capture_output=True,
                timeout=60,
            )
            assert _pixels_of(ppm.with_suffix(".ppm").read_bytes(), TREND_LINE_COLOURS[0]) > 30, "no chart lines"
        else:
            assert "By gender" in text and "Women" in text and "p = " in text and "Withheld" in text


def _page_starting_with(pdf: Path, text: str) -> int:
    import re
    import subprocess

    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))  # type: ignore[union-attr]
    for page in range(1, pages + 1):
        found = subprocess.run(
            ["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        if found.lstrip().startswith(text):
            return page
    raise AssertionError(f"no page starts with {text!r}")


def _pixels_of(ppm: bytes, colour: str, tolerance: int = 40) -> int:
    magic, width, height, _, pixels = ppm.split(maxsplit=4)
    assert magic == b"P6"
    target = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    return sum(
        1
        for i in range(0, int(width) * int(height) * 3, 3)
        if all(abs(pixels[i + k] - target[k]) <= tolerance for k in range(3))
    )


def test_cli_equity_column_not_in_the_roster_is_a_usage_error(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from matrixkit.cli.main import main
    from matrixkit.outputs.generate import generate_blank_matrix

    (fw,) = load_frameworks(["templates/startup.yaml"])
    blank = generate_blank_matrix(fw, tmp_path / "matrix.xlsx")
    lines = Path("templates/rosters/startup.csv").read_text(encoding="utf-8").splitlines()
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "\n".join([lines[0] + ",Gender,site", *(f"{line},f,Oslo" for line in lines[1:])]), encoding="utf-8"
    )
    base = ["analyze", str(blank), "--framework", "templates/startup.yaml", "--out", str(tmp_path / "r.xlsx")]
    result = CliRunner().invoke(main, [*base, "--roster", str(roster), "--equity", "ethnicity"])
    assert result.exit_code == 2
    assert "--equity ethnicity: the roster" in result.output and "it can compare by: gender, site" in result.output
    result = CliRunner().invoke(main, [*base, "--equity", "gender"])
    assert result.exit_code == 2 and "--equity needs --roster" in result.output
    assert not (tmp_path / "r.xlsx").exists()
