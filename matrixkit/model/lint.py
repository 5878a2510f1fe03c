"""Quality checks for frameworks: what makes criteria vague, unobservable or inconsistent.

Structural errors come from loading (`matrixkit.model.framework`); this module adds the checks a careful
HR reviewer would make. Every check returns `Problem` values; nothing raises.

>>> from matrixkit.model.lint import count_sentences
>>> count_sentences("Writes tests, e.g. unit tests. Reviews two PRs a week.")
2
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from matrixkit.errors import FrameworkError, YamlSyntaxError
from matrixkit.model.criteria import criteria_findings
from matrixkit.model.framework import (
    Criteria,
    Framework,
    check_families,
    check_references,
    expand_framework_paths,
    framework_from_document,
    salvage_framework,
)
from matrixkit.model.problems import Problem, sort_problems
from matrixkit.sources.yamldoc import Loc, YamlDocument, read_yaml
from matrixkit.workbook.cells import EXCEL_CELL_LIMIT, excel_length
from matrixkit.workbook.layout import HEADERS

LEVELS_PER_TRACK = (4, 7)
COMPETENCIES_PER_TRACK = (6, 12)
PER_KIND = (3, 5)
NEAR_IDENTICAL_RATIO = 0.9
FIXED_HEADERS = tuple(HEADERS.values())  # the ratings sheet's own columns, as the workbook plan names them

OBSERVABLE_PATTERN = "<verb> <artefact or outcome> <scope or frequency>"

# (pattern, what to say instead). Word boundaries on both sides; matched case-insensitively.
VAGUE_PHRASES: tuple[tuple[str, str], ...] = (
    (
        r"(?:demonstrates|demonstrating|shows|showing|displays|exhibits)\s+"
        r"(?:leadership|ownership|initiative|passion|commitment|excellence|potential)",
        f"name the act that shows it: {OBSERVABLE_PATTERN}, e.g. 'Runs the incident review and ships its "
        "follow-ups within two weeks'",
    ),
    (
        r"thinks?\s+strategically|strategic\s+thinking|thinks\s+outside\s+the\s+box",
        f"name the plan it produces: {OBSERVABLE_PATTERN}, e.g. 'Writes the team's 12-month plan and ties each "
        "item to a company goal'",
    ),
    (
        r"team\s+player",
        f"name the collaboration: {OBSERVABLE_PATTERN}, e.g. 'Pairs with another team weekly to unblock their work'",
    ),
    (
        r"strong(?:ly)?|good|great|excellent|exceptional|outstanding|solid|effective(?:ly)?",
        f"a judgement a manager cannot check; describe the result: {OBSERVABLE_PATTERN}, e.g. 'Writes tests "
        "that catch regressions before review' instead of 'writes good tests'",
    ),
)
UNOBSERVABLE_VERBS = (
    r"understands|understanding|knows|is\s+aware\s+of|aware\s+of|appreciates|is\s+familiar\s+with|familiar\s+with"
)
OBSERVABLE_VERBS = re.compile(
    r"\b(?:explain|write|document|present|teach|appl|use|review|build|design|ship|deliver|lead|run|fix|"
    r"propose|measure|track|share|coach|mentor|facilitate|resolve|negotiate|plan|estimate|test|deploy|"
    r"decide|choose|prioriti[sz]e|identif|ask|answer|walk|demo)\w*\b",
    re.IGNORECASE,
)
_VAGUE = [(re.compile(rf"\b(?:{pattern})\b", re.IGNORECASE), hint) for pattern, hint in VAGUE_PHRASES]
_UNOBSERVABLE = re.compile(rf"\b(?:{UNOBSERVABLE_VERBS})\b", re.IGNORECASE)
_ABBREVIATIONS = re.compile(r"\b(?:e\.g|i\.e|etc|vs|cf|approx|incl|min|max|no|dept|[A-Z])\.", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?]+[\"')\]]*(?=\s+\S|\s*$)")


def lint_paths(paths: Iterable[str | Path]) -> list[Problem]:
    """Load every framework file (or folder of them) and return all structural and quality problems.

    Like a compiler after its first error, lint keeps going: a file with structural errors still has
    the parts that parse checked for quality (`salvage_framework`), so one pass reports everything.
    """
    problems: list[Problem] = []
    frameworks: list[Framework] = []
    files = expand_framework_paths(paths)
    for path in files:
        try:
            doc = read_yaml(path)
        except YamlSyntaxError as exc:
            problems.append(exc.problem)
            continue
        try:
            frameworks.append(framework_from_document(doc))
        except FrameworkError as exc:
            problems.extend(exc.problems)
            problems.extend(lint_salvaged(doc, exc.problems))
    problems.extend(lint_frameworks(frameworks))
    return sort_problems(problems)


def lint_salvaged(doc: YamlDocument, structural: Sequence[Problem]) -> list[Problem]:
    """The quality problems (and, when validation stopped before them, the reference errors) of the parts
    of a file that parse, leaving out what the structural errors already say or what a cut part causes.

    >>> from matrixkit.sources.yamldoc import parse_yaml
    >>> text = open("templates/startup.yaml").read().replace("title: Contributor", "title: [Contributor]", 1)
    >>> text = text.replace("S2: Talks to customers", "S2: Shows ownership. Talks to customers", 1)
    >>> [p.message for p in lint_salvaged(parse_yaml(text, "startup.yaml"), []) if p.code == "vague-wording"]
    ["'Customer focus' at S2: 'Shows ownership' is vague or unobservable"]
    """
    salvaged = salvage_framework(doc)
    if salvaged is None:
        return []
    found = [problem for check in CHECKS for problem in check(salvaged.framework)]
    if salvaged.left_out:
        found.extend(check_references(salvaged.framework))
    said = {(p.path, p.message) for p in structural}
    return [p for p in found if salvaged.keeps(p) and (p.path, p.message) not in said]


def lint_frameworks(frameworks: Sequence[Framework]) -> list[Problem]:
    """Quality problems of loaded frameworks, and the references between them."""
    problems = list(check_families(frameworks))
    for fw in frameworks:
        for check in CHECKS:
            problems.extend(check(fw))
    return sort_problems(problems)


# -- descriptions ----------------------------------------------------------------------------------


def check_descriptions(fw: Framework) -> list[Problem]:
    problems: list[Problem] = []
    for ci, comp in enumerate(fw.competencies):
        tracks = [t for t in fw.tracks if fw.applies_to(comp, t.id)]
        applicable_levels = {level.id for t in tracks for level in t.levels}
        for level_id in comp.descriptions:
            if level_id not in applicable_levels:
                problems.append(
                    fw.problem(
                        ("competencies", ci, "descriptions", level_id),
                        f"'{comp.name}' is not rated on the track of {level_id}; this description is never shown",
                        severity="warning",
                        code="description-outside-track",
                    )
                )
        for track in tracks:
            previous: tuple[str, str] | None = None
            for level in track.levels:
                loc: Loc = ("competencies", ci, "descriptions", level.id)
                text = (comp.descriptions.get(level.id) or "").strip()
                if not text and comp.id in level.not_assessed:  # `expected: {id: null}`: nothing to rate
                    previous = None
                    continue
                if not text:
                    problems.append(
                        fw.problem(
                            ("competencies", ci, "descriptions"),
                            f"'{comp.name}' has no description for level {level.id}: a manager cannot rate "
                            "against nothing",
                            code="missing-description",
                        )
                    )
                    previous = None
                    continue
                problems.extend(_check_text(fw, loc, comp.name, level.id, text))
                if previous is not None and _near_identical(previous[1], text):
                    problems.append(
                        fw.problem(
                            loc,
                            f"'{comp.name}' at {level.id} reads the same as at {previous[0]}: a paperwork "
                            "difference, not a level difference",
                            severity="warning",
                            code="paperwork-difference",
                            hint="say what changes: scope, autonomy, influence or complexity",
                        )
                    )
                previous = (level.id, text)
    return problems


def _check_text(fw: Framework, loc: Loc, name: str, level_id: str, text: str) -> list[Problem]:
    problems: list[Problem] = []
    length = excel_length(text)
    if length > EXCEL_CELL_LIMIT:
        problems.append(
            fw.problem(loc, f"{length} characters; a spreadsheet cell holds {EXCEL_CELL_LIMIT}", code="too-long")
        )
    sentences = count_sentences(text)
    if sentences > 2:
        problems.append(
            fw.problem(
                loc,
                f"'{name}' at {level_id} has {sentences} sentences; keep one or two observable ones",
                severity="warning",
                code="too-many-sentences",
            )
        )
    for word, hint in find_vague_wording(text):
        problems.append(
            fw.problem(
                loc,
                f"'{name}' at {level_id}: '{word}' is vague or unobservable",
                severity="warning",
                code="vague-wording",
                value=word,
                hint=hint,
            )
        )
    return problems


def find_vague_wording(text: str) -> list[tuple[str, str]]:
    """Vague phrases in `text`, each with a rewrite hint.

    >>> [w for w, _ in find_vague_wording("Shows ownership of a strong test suite.")]
    ['Shows ownership', 'strong']
    """
    found: list[tuple[int, str, str]] = []
    for pattern, hint in _VAGUE:
        found.extend((m.start(), m.group(0), hint) for m in pattern.finditer(text))
    for sentence in split_sentences(text):
        if OBSERVABLE_VERBS.search(sentence):
            continue
        found.extend(
            (
                text.find(sentence) + m.start(),
                m.group(0),
                "knowing is invisible; name the act that proves it: "
                f"{OBSERVABLE_PATTERN}, e.g. 'Explains the pricing model to new hires' or 'Uses the cost model "
                "to choose between vendors'",
            )
            for m in _UNOBSERVABLE.finditer(sentence)
        )
    return [(word, hint) for _, word, hint in sorted(found)]


def split_sentences(text: str) -> list[str]:
    masked = _ABBREVIATIONS.sub(lambda m: m.group(0).replace(".", "\0"), " ".join(text.split()))
    parts = [part.strip() for part in _SENTENCE_END.split(masked)]
    return [part.replace("\0", ".") for part in parts if part]


def count_sentences(text: str) -> int:
    return len(split_sentences(text))


def _near_identical(a: str, b: str) -> bool:
    def normal(text: str) -> str:
        return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())

    na, nb = normal(a), normal(b)
    if na == nb:
        return True
    matcher = difflib.SequenceMatcher(None, na, nb, autojunk=False)
    # The quick ratios are upper bounds of ratio(): most pairs are ruled out without the full comparison.
    return (
        matcher.real_quick_ratio() >= NEAR_IDENTICAL_RATIO
        and matcher.quick_ratio() >= NEAR_IDENTICAL_RATIO
        and matcher.ratio() >= NEAR_IDENTICAL_RATIO
    )


# -- role profiles ---------------------------------------------------------------------------------


def check_role_profiles(fw: Framework) -> list[Problem]:
    problems: list[Problem] = []
    low, high = fw.scale.min, fw.scale.max
    for ti, track in enumerate(fw.tracks):
        competencies = fw.competencies_for(track.id)
        for li, level in enumerate(track.levels):
            for comp_id, value in level.expected.items():
                if not low <= value <= high:
                    problems.append(
                        fw.problem(
                            ("tracks", ti, "levels", li, "expected", comp_id),
                            f"{level.id} expects {value} in '{comp_id}', outside the scale {low}–{high}",
                            code="expected-out-of-scale",
                            value=str(value),
                            expected=f"{low}–{high}",
                        )
                    )
            missing = [c.name for c in competencies if c.id not in level.expected and c.id not in level.not_assessed]
            if missing:
                problems.append(
                    fw.problem(
                        ("tracks", ti, "levels", li, "expected"),
                        f"{level.id} expects nothing in {', '.join(missing)}: those are never a gap",
                        severity="warning",
                        code="expected-missing",
                    )
                )
            if li == 0:
                continue
            below = track.levels[li - 1]
            for comp_id, value in level.expected.items():
                before = below.expected.get(comp_id)
                if before is not None and value < before:
                    problems.append(
                        fw.problem(
                            ("tracks", ti, "levels", li, "expected", comp_id),
                            f"'{comp_id}' falls from {before} at {below.id} to {value} at {level.id}",
                            severity="warning",
                            code="expected-falls",
                        )
                    )
    return problems


# -- shape of tracks -------------------------------------------------------------------------------


def check_shape(fw: Framework) -> list[Problem]:
    problems: list[Problem] = []
    for ti, track in enumerate(fw.tracks):
        count = len(track.levels)
        if not LEVELS_PER_TRACK[0] <= count <= LEVELS_PER_TRACK[1]:
            problems.append(
                fw.problem(
                    ("tracks", ti, "levels"),
                    f"track '{track.id}' has {count} levels; frameworks work with "
                    f"{LEVELS_PER_TRACK[0]}–{LEVELS_PER_TRACK[1]}",
                    severity="warning",
                    code="level-count",
                )
            )
        competencies = fw.competencies_for(track.id)
        if not COMPETENCIES_PER_TRACK[0] <= len(competencies) <= COMPETENCIES_PER_TRACK[1]:
            problems.append(
                fw.problem(
                    ("tracks", ti),
                    f"track '{track.id}' rates {len(competencies)} competencies; aim for "
                    f"{COMPETENCIES_PER_TRACK[0]}–{COMPETENCIES_PER_TRACK[1]}",
                    severity="warning",
                    code="competency-count",
                )
            )
        for kind in ("core", "functional"):
            of_kind = sum(1 for c in competencies if c.kind == kind)
            if not PER_KIND[0] <= of_kind <= PER_KIND[1]:
                problems.append(
                    fw.problem(
                        ("tracks", ti),
                        f"track '{track.id}' has {of_kind} {kind} competencies; aim for {PER_KIND[0]}–{PER_KIND[1]}",
                        severity="warning",
                        code="kind-count",
                    )
                )
    for ci, comp in enumerate(fw.competencies):
        if comp.tracks is not None and not comp.tracks:
            problems.append(
                fw.problem(
                    ("competencies", ci, "tracks"),
                    f"'{comp.name}' applies to no track",
                    severity="warning",
                    code="unused-competency",
                )
            )
        if comp.weight <= 0:
            problems.append(
                fw.problem(
                    ("competencies", ci, "weight"),
                    f"weight must be above 0, found {comp.weight:g}",
                    code="weight",
                )
            )
    return problems


def check_dual_track(fw: Framework) -> list[Problem]:
    """IC and management tracks: a defined crossover, parity at the top, and a way back."""
    if len(fw.tracks) < 2:
        return []
    problems: list[Problem] = []
    base = fw.tracks[0]
    for ti, track in enumerate(fw.tracks[1:], start=1):
        if track.entry is None:
            problems.append(
                fw.problem(
                    ("tracks", ti),
                    f"track '{track.id}' has no `entry`: nobody can see how to cross over from '{base.id}'",
                    severity="warning",
                    code="no-crossover",
                    hint="add entry: {from: <level>, to: <first level>, criteria: {...}}",
                )
            )
            continue
        source = fw.track_of_level.get(track.entry.from_, base)
        if len(track.levels) > len(source.levels):
            problems.append(
                fw.problem(
                    ("tracks", ti, "levels"),
                    f"track '{track.id}' has {len(track.levels)} levels, more than '{source.id}' "
                    f"({len(source.levels)}): the management ladder outgrows the IC ladder",
                    severity="warning",
                    code="track-longer",
                )
            )
        equivalents = {level.equivalent for level in track.levels if level.equivalent}
        if not equivalents & {level.id for level in source.levels}:
            problems.append(
                fw.problem(
                    ("tracks", ti, "levels"),
                    f"no level of '{track.id}' names an `equivalent` on '{source.id}': no path back without a penalty",
                    severity="warning",
                    code="no-path-back",
                )
            )
    entered = [t for t in fw.tracks[1:] if t.entry is not None]
    top = base.levels[-1]
    if entered and not any(level.equivalent == top.id for t in entered for level in t.levels):
        problems.append(
            fw.problem(
                ("tracks", 0, "levels", len(base.levels) - 1),
                f"the top level {top.id} of '{base.id}' has no equivalent on "
                f"{', '.join(repr(t.id) for t in entered)}: no parity at the top",
                severity="warning",
                code="no-parity",
            )
        )
    return problems


# -- criteria --------------------------------------------------------------------------------------


def check_criteria(fw: Framework) -> list[Problem]:
    problems: list[Problem] = []
    problems.extend(_criteria_bounds(fw, fw.promotion, ("promotion",)))
    for ti, track in enumerate(fw.tracks):
        if track.entry is not None:
            problems.extend(_criteria_bounds(fw, track.entry.criteria, ("tracks", ti, "entry", "criteria")))
        for li, level in enumerate(track.levels):
            loc: Loc = ("tracks", ti, "levels", li, "promotion")
            if level.promotion is not None:
                problems.extend(_criteria_bounds(fw, level.promotion, loc))
            following = fw.next_level(level.id)
            if following is None:
                continue
            criteria = fw.criteria_for(level.id)
            problems.extend(
                _check_profile_meets(
                    fw,
                    level.id,
                    following.id,
                    following.expected,
                    criteria,
                    loc if level.promotion is not None else ("promotion",),
                )
            )
    return problems


def _criteria_bounds(fw: Framework, criteria: Criteria, loc: Loc) -> list[Problem]:
    return [
        fw.problem((*loc, *finding.path), finding.message, severity=finding.severity, code=finding.code)
        for finding in criteria_findings(criteria, fw)
    ]


def _check_profile_meets(
    fw: Framework, level_id: str, next_id: str, profile: dict[str, int], criteria: Criteria, loc: Loc
) -> list[Problem]:
    """Someone rated exactly at the next level's role profile should meet the rating criteria."""
    weights = fw.competency_by_id
    values = {comp_id: value for comp_id, value in profile.items() if comp_id in weights}
    if not values:
        return []
    problems: list[Problem] = []
    total_weight = sum(weights[c].weight for c in values)
    average = sum(weights[c].weight * v for c, v in values.items()) / total_weight if total_weight > 0 else 0.0
    if (
        criteria.average_at_least is not None
        and criteria.average_at_least <= fw.scale.max
        and (average < criteria.average_at_least)
    ):
        problems.append(
            fw.problem(
                (*loc, "average_at_least"),
                f"to leave {level_id}, average_at_least {criteria.average_at_least:g}, but someone exactly at "
                f"{next_id}'s profile averages {average:.2f}",
                severity="warning",
                code="criteria-above-profile",
                hint=f"override it for {level_id} or raise {next_id}'s expected values",
            )
        )
    lowest = min(values.values())
    if (
        criteria.each_at_least is not None
        and criteria.each_at_least <= fw.scale.max
        and (lowest < criteria.each_at_least)
    ):
        problems.append(
            fw.problem(
                (*loc, "each_at_least"),
                f"to leave {level_id}, each_at_least {criteria.each_at_least:g}, but {next_id}'s profile expects "
                f"{lowest} in {', '.join(sorted(c for c, v in values.items() if v == lowest))}",
                severity="warning",
                code="criteria-above-profile",
                hint=f"override it for {level_id} or raise {next_id}'s expected values",
            )
        )
    return problems


# -- scale, metrics and column headers -------------------------------------------------------------


def check_scale_and_columns(fw: Framework) -> list[Problem]:
    problems: list[Problem] = []
    scale = fw.scale
    if scale.min >= scale.max:
        problems.append(fw.problem(("scale",), f"scale min {scale.min} must be below max {scale.max}", code="scale"))
    for value in scale.labels:
        if not scale.min <= value <= scale.max:
            problems.append(
                fw.problem(
                    ("scale", "labels", value),
                    f"label for {value}, outside the scale {scale.min}–{scale.max}",
                    severity="warning",
                    code="scale",
                )
            )
    if scale.labels and scale.min < scale.max:
        unlabelled = [str(v) for v in scale.values if v not in scale.labels]
        if unlabelled:
            problems.append(
                fw.problem(
                    ("scale", "labels"),
                    f"no label for {', '.join(unlabelled)}",
                    severity="warning",
                    code="scale",
                )
            )
    for mi, metric in enumerate(fw.metrics):
        if metric.min is not None and metric.max is not None and metric.min >= metric.max:
            problems.append(
                fw.problem(
                    ("metrics", mi),
                    f"metric '{metric.id}': min {metric.min:g} must be below max {metric.max:g}",
                    code="metric-range",
                )
            )
    headers: dict[str, Loc] = {name.casefold(): ("fixed column",) for name in FIXED_HEADERS}
    columns: list[tuple[str, Loc]] = [
        *((c.name, ("competencies", i, "name")) for i, c in enumerate(fw.competencies)),
        *((e.prompt, ("evidence", i, "prompt")) for i, e in enumerate(fw.evidence)),
        *((m.name, ("metrics", i, "name")) for i, m in enumerate(fw.metrics)),
    ]
    for text, loc in columns:
        key = " ".join(text.split()).casefold()
        if key in headers:
            other = headers[key]
            where = "a fixed column of the ratings sheet" if other == ("fixed column",) else ".".join(map(str, other))
            problems.append(
                fw.problem(
                    loc,
                    f"'{text}' heads a ratings column already used by {where}; columns are read by "
                    "their header, so each must be unique",
                    code="header-collision",
                )
            )
        else:
            headers[key] = loc
    return problems


def check_level_ids(fw: Framework) -> list[Problem]:
    """One warning for the level ids a file writes as numbers: they are read as text (SPEC rev 2)."""
    places = sorted(fw.numeric_level_ids, key=lambda loc: fw.problem(loc, "", code="numeric-level-id").line or 0)
    if not places:
        return []
    numbers = [level.id for level in fw.level_by_id.values() if level.id.isdigit()] or ["…"]
    return [
        fw.problem(
            places[0],
            f"level ids written as numbers ({', '.join(numbers)}) are read as text, in {len(places)} "
            f"place{'s' if len(places) > 1 else ''}",
            severity="warning",
            code="numeric-level-id",
            hint='quote them ("1") so that the file says what matrixkit reads',
        )
    ]


CHECKS: tuple[Callable[[Framework], list[Problem]], ...] = (
    check_level_ids,
    check_scale_and_columns,
    check_descriptions,
    check_role_profiles,
    check_shape,
    check_dual_track,
    check_criteria,
)
