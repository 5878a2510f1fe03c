"""Quality checks for frameworks: what makes criteria vague, unobservable or inconsistent.

Structural errors come from loading (`matrixkit.model.framework`); this module adds the checks a careful
HR reviewer would make. Every check returns `Problem` values; nothing raises.

>>> from matrixkit.model.lint import count_sentences
>>> count_sentences("Writes tests, e.g. unit tests. Reviews two PRs a week.")
2
"""

from __future__ import annotations

import difflib
import itertools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from matrixkit.errors import FrameworkError, YamlSyntaxError
from matrixkit.model.criteria import criteria_findings
from matrixkit.model.framework import (
    Competency,
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

LEVELS_PER_TRACK = (4, 7)  # a ladder; a branch entered from another track (`entry`) may be shorter
COMPETENCIES_PER_TRACK = (3, 12)  # what a manager rates per person: a short form, and an average of several
MAX_BEHAVIOURS = 5  # in one cell: beyond it one rating cannot say which of them were met
NEAR_IDENTICAL_RATIO = 0.9
# Words whose change is a change of level (scope, autonomy, reach), not of wording: "the team" → "several teams".
_SCOPE_WORD = re.compile(
    r"\d+(?:st|nd|rd|th)?|one|two|three|four|five|six|ten|several|multiple|many|all|every|each|whole|own|"
    r"teams?|groups?|departments?|divisions?|areas?|products?|company|companies|org|organi[sz]ations?|"
    r"functions?|business|industry|across|cross|wide|alone|independently|help|guidance|supervision|support|"
    r"leads?|owns?|sets?|defines?|guides?|mentors?|coaches?|junior|senior|peers?|others|new|complex|large|small",
    re.IGNORECASE,
)
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
_LIST_MARKER = re.compile(r"^(?:[-•*‣◦▪–]|\(?\d{1,2}[.)])\s+")
# A clause of the employee's own starts the text or follows a comma or a conjunction, adverbs aside.
_CLAUSE_START = re.compile(r"(?:^|[,;:(]|\b(?:and|or|but|then|also|while)\b)\s*(?:\w+ly\s+)*$", re.IGNORECASE)
_OWN_UNDERSTANDING = re.compile(
    r"\b(?:has|have|having|shows?|showing|demonstrates?|demonstrating|with|an?|deep|good|strong|solid|broad|"
    r"thorough|clear|working|basic|full|sound|detailed|general)\s+(?:\w+ly\s+)?$",
    re.IGNORECASE,
)
# Set phrases in which a judging word judges nothing.
_NOT_A_JUDGEMENT = re.compile(
    r"\b(?:good\s+(?:practices?|faith|standing)|great\s+deal|strong(?:ly)?[\s-]+typ\w*|cost[\s-]effective\w*)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class LintReport:
    """What lint found: the problems to report, and the warnings the frameworks accept on purpose
    (`lint: {allow: [code, ...]}`), kept apart so that they can be counted rather than hidden entirely."""

    problems: list[Problem]
    allowed: list[Problem]


def lint_paths(paths: Iterable[str | Path]) -> list[Problem]:
    """Load every framework file (or folder of them) and return all structural and quality problems.

    Like a compiler after its first error, lint keeps going: a file with structural errors still has
    the parts that parse checked for quality (`salvage_framework`), so one pass reports everything.
    """
    return lint_report(paths).problems


def lint_report(paths: Iterable[str | Path]) -> LintReport:
    """`lint_paths`, with the findings the frameworks allow beside the problems.

    >>> report = lint_report(["templates/startup.yaml"])
    >>> report.problems, report.allowed
    ([], [])
    """
    problems: list[Problem] = []
    allowed: list[Problem] = []
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
            salvaged = _lint_salvaged(doc, exc.problems)
            problems.extend(salvaged.problems)
            allowed.extend(salvaged.allowed)
    loaded = _lint_loaded(frameworks)
    return LintReport(_distinct(problems + loaded.problems), _distinct(allowed + loaded.allowed))


def lint_salvaged(doc: YamlDocument, structural: Sequence[Problem]) -> list[Problem]:
    """The quality problems (and, when validation stopped before them, the reference errors) of the parts
    of a file that parse, leaving out what the structural errors already say or what a cut part causes.

    >>> from matrixkit.sources.yamldoc import parse_yaml
    >>> text = open("templates/startup.yaml").read().replace("title: Contributor", "title: [Contributor]", 1)
    >>> text = text.replace("S2: Talks to customers", "S2: Shows ownership. Talks to customers", 1)
    >>> [p.message for p in lint_salvaged(parse_yaml(text, "startup.yaml"), []) if p.code == "vague-wording"]
    ["'Customer focus' at S2: 'Shows ownership' is vague or unobservable"]
    """
    return _lint_salvaged(doc, structural).problems


def _lint_salvaged(doc: YamlDocument, structural: Sequence[Problem]) -> LintReport:
    salvaged = salvage_framework(doc)
    if salvaged is None:
        return LintReport([], [])
    fw = salvaged.framework
    found = [problem for check in CHECKS for problem in check(fw)]
    if salvaged.left_out:
        found.extend(check_references(fw))
    said = {(p.path, p.message) for p in structural}
    found = [p for p in found if salvaged.keeps(p) and (p.path, p.message) not in said]
    return LintReport([p for p in found if not allows(fw, p)], [p for p in found if allows(fw, p)])


def lint_frameworks(frameworks: Sequence[Framework]) -> list[Problem]:
    """Quality problems of loaded frameworks, and the references between them, less what they allow."""
    return _lint_loaded(frameworks).problems


def _lint_loaded(frameworks: Sequence[Framework]) -> LintReport:
    problems = list(check_families(frameworks))
    allowed: list[Problem] = []
    for fw in frameworks:
        for check in CHECKS:
            for problem in check(fw):
                (allowed if allows(fw, problem) else problems).append(problem)
    return LintReport(_distinct(problems), _distinct(allowed))


def _distinct(problems: Iterable[Problem]) -> list[Problem]:
    """Sorted, each finding once: two checks (or one text twice) may find the very same thing."""
    return sort_problems(dict.fromkeys(problems))


# -- what an author allows -------------------------------------------------------------------------

ALLOWABLE: dict[str, str] = {
    "same-text": "a competency reads the same at neighbouring levels",
    "near-same-text": "a competency reads almost the same at neighbouring levels",
    "repeated-item": "a behaviour repeated word for word at the next level",
    "repeated-in-cell": "a behaviour said twice in one cell",
    "too-many-behaviours": f"more than {MAX_BEHAVIOURS} behaviours in one cell",
    "vague-wording": "a word a manager cannot check",
    "description-outside-track": "a description for a level the competency is not rated at",
    "expected-missing": "a level with no expected value for a competency",
    "expected-falls": "an expected value lower than at the level below",
    "level-count": f"a ladder shorter than {LEVELS_PER_TRACK[0]} or longer than {LEVELS_PER_TRACK[1]} levels",
    "competency-count": f"a track rating fewer than {COMPETENCIES_PER_TRACK[0]} or more than "
    f"{COMPETENCIES_PER_TRACK[1]} competencies",
    "unused-competency": "a competency on no track",
    "no-crossover": "a second track without `entry`",
    "track-longer": "a branch with more levels than the track it is entered from",
    "no-path-back": "a branch with no `equivalent` level on the track it is entered from",
    "no-parity": "the top of the first track without an equivalent on a branch",
    "criteria-above-profile": "promotion criteria that the next level's own profile does not meet",
    "trivial-criteria": "a criterion everyone meets",
    "scale": "a scale label missing or outside the scale",
    "numeric-level-id": "a level id written as a number",
}
"""Every warning lint gives, by code, in the words of `docs/lint.md`: what a framework may allow."""

_ABOUT_COMPETENCY = re.compile(r"^competencies\[(\d+)\]")
_ABOUT_EXPECTED = re.compile(r"^tracks\[\d+\]\.levels\[\d+\]\.expected\.(.+)$")


def allows(fw: Framework, problem: Problem) -> bool:
    """True when the framework accepts `problem` on purpose: a warning whose code it allows at the top of the
    file, or on the competency the warning is about.

    >>> from matrixkit.model.framework import load_framework
    >>> from matrixkit.model.framework import LintSettings
    >>> fw = load_framework("templates/startup.yaml").model_copy(update={"lint": LintSettings(allow=("level-count",))})
    >>> allows(fw, Problem("warning", "short", path="tracks[0].levels", code="level-count"))
    True
    """
    if problem.severity != "warning" or problem.code not in ALLOWABLE:
        return False
    if problem.code in fw.lint.allow:
        return True
    competency = _competency_of(fw, problem.path or "")
    return competency is not None and problem.code in competency.lint.allow


def _competency_of(fw: Framework, path: str) -> Competency | None:
    if match := _ABOUT_COMPETENCY.match(path):
        index = int(match.group(1))
        return fw.competencies[index] if index < len(fw.competencies) else None
    if match := _ABOUT_EXPECTED.match(path):
        return fw.competency_by_id.get(match.group(1))
    return None


def check_allowed_codes(fw: Framework) -> list[Problem]:
    """A code in `lint: {allow: [...]}` that names no warning: a typo would otherwise allow nothing, silently."""
    places: list[tuple[Loc, str]] = [(("lint", "allow", i), code) for i, code in enumerate(fw.lint.allow)]
    places += [
        (("competencies", ci, "lint", "allow", i), code)
        for ci, comp in enumerate(fw.competencies)
        for i, code in enumerate(comp.lint.allow)
    ]
    return [
        fw.problem(
            loc,
            f"'{code}' is not a warning lint can allow" + (": errors must be fixed" if code in _ERROR_CODES else ""),
            severity="warning",
            code="unknown-allow",
            value=code,
            hint=f"use one of: {', '.join(sorted(ALLOWABLE))}",
        )
        for loc, code in places
        if code not in ALLOWABLE
    ]


_ERROR_CODES = frozenset(
    {"missing-description", "too-long", "expected-out-of-scale", "weight", "unmeetable-criteria", "metric-range"}
    | {"header-collision", "schema", "reference", "duplicate", "yaml-syntax"}
)


# -- descriptions ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Cell:
    """One description of a competency at one level, and the behaviours it names."""

    level_id: str
    loc: Loc
    text: str
    behaviours: tuple[str, ...]

    @property
    def items(self) -> tuple[str, ...]:
        """The behaviours as compared word for word: case, spacing and closing punctuation aside."""
        return tuple(_normal_item(b) for b in self.behaviours)


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
                        hint="delete it, or add that track to the competency's `tracks`",
                    )
                )
        ladders: list[list[_Cell]] = []  # runs of described levels, lowest first: neighbours are compared
        for track in tracks:
            run: list[_Cell] = []
            for level in track.levels:
                loc: Loc = ("competencies", ci, "descriptions", level.id)
                text = (comp.descriptions.get(level.id) or "").strip()
                if not text and comp.id in level.not_assessed:  # `expected: {id: null}`: nothing to rate
                    ladders.append(run)
                    run = []
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
                    ladders.append(run)
                    run = []
                    continue
                run.append(_Cell(level.id, loc, text, tuple(behaviours(text))))
            ladders.append(run)
        problems.extend(_check_cells(fw, comp.name, [cell for run in ladders for cell in run]))
        neighbours = _check_neighbours(fw, comp.name, [run for run in ladders if len(run) > 1])
        if comp.anchors:  # a behaviourally anchored scale says what each number means: flat text is by design
            neighbours = [p for p in neighbours if p.code not in ("same-text", "near-same-text")]
        problems.extend(neighbours)
    return problems


def _check_cells(fw: Framework, name: str, cells: Sequence[_Cell]) -> list[Problem]:
    """What each cell says on its own; a finding repeated over levels is one warning listing them."""
    problems: list[Problem] = []
    crowded: list[_Cell] = []
    vague: dict[tuple[str, str], tuple[str, list[_Cell]]] = {}  # (word, hint) → (as written first, where)
    for cell in cells:
        length = excel_length(cell.text)
        if length > EXCEL_CELL_LIMIT:
            problems.append(
                fw.problem(
                    cell.loc,
                    f"{length} characters; a spreadsheet cell holds {EXCEL_CELL_LIMIT}",
                    code="too-long",
                    hint="shorten it: the workbook cannot hold the rest",
                )
            )
        if len(cell.behaviours) > MAX_BEHAVIOURS:
            crowded.append(cell)
        seen: set[str] = set()
        for behaviour, item in zip(cell.behaviours, cell.items, strict=True):
            if item in seen:
                problems.append(
                    fw.problem(
                        cell.loc,
                        f"'{name}' at {cell.level_id} says {_quote(behaviour)} twice",
                        severity="warning",
                        code="repeated-in-cell",
                        hint="delete the copy",
                    )
                )
            seen.add(item)
        for word, hint in find_vague_wording(cell.text):
            _, places = vague.setdefault((word.casefold(), hint), (word, []))
            if cell not in places:
                places.append(cell)
    if crowded:
        counts = _places([f"{c.level_id} ({len(c.behaviours)})" for c in crowded])
        problems.append(
            fw.problem(
                crowded[0].loc,
                f"'{name}' asks for more than {MAX_BEHAVIOURS} behaviours in one cell at {counts}: a manager "
                "rates one number against all of them",
                severity="warning",
                code="too-many-behaviours",
                hint=f"keep the {MAX_BEHAVIOURS} or fewer that set the level apart; move the rest to another "
                "competency, or say what each rating point means in `anchors`",
            )
        )
    by_hint: dict[str, list[tuple[str, list[_Cell]]]] = {}  # one warning per kind of vagueness
    for (_, hint), found in vague.items():
        by_hint.setdefault(hint, []).append(found)
    for hint, words in by_hint.items():
        first_word = words[0][0]
        levels = [_places([c.level_id for c in where]) for _, where in words]
        if len(set(levels)) == 1:
            quoted = _places([f"'{w}'" for w, _ in words])
            said = f"at {levels[0]}: {quoted} {'is' if len(words) == 1 else 'are'}"
        else:
            said = ": " + _places([f"'{w}' at {at}" for (w, _), at in zip(words, levels, strict=True)]) + " are"
        problems.append(
            fw.problem(
                min((where[0] for _, where in words), key=cells.index).loc,
                f"'{name}'{'' if said.startswith(':') else ' '}{said} vague or unobservable",
                severity="warning",
                code="vague-wording",
                value=first_word,
                hint=hint,
            )
        )
    return problems


def _check_neighbours(fw: Framework, name: str, ladders: Sequence[Sequence[_Cell]]) -> list[Problem]:
    """What one level repeats of the level below it: all of it, nearly all of it, or some of its items.

    Texts read the same only when every behaviour does (spacing aside): a list that adds, drops or changes
    one item says something new, so it is neither the same nor almost the same.
    """
    same: list[list[_Cell]] = []  # runs of levels that read the same, each run lowest first
    near: list[tuple[_Cell, _Cell]] = []
    repeats: list[tuple[_Cell, _Cell, list[str]]] = []
    for run in ladders:
        for below, cell in itertools.pairwise(run):
            if _spaced(below.behaviours) == _spaced(cell.behaviours):
                if same and same[-1][-1] is below:
                    same[-1].append(cell)
                else:
                    same.append([below, cell])
            elif _near_identical(below.behaviours, cell.behaviours):
                near.append((below, cell))
            else:
                lower = set(below.items)
                repeated = [b for b, item in zip(cell.behaviours, cell.items, strict=True) if item in lower]
                if repeated:
                    repeats.append((below, cell, repeated))
    problems: list[Problem] = []
    if same:
        problems.append(
            fw.problem(
                same[0][1].loc,
                f"'{name}' reads the same at {', and at '.join(_places([c.level_id for c in r]) for r in same)}: "
                "a manager sees nothing in the text that tells these levels apart",
                severity="warning",
                code="same-text",
                hint="say what grows from one level to the next (scope, autonomy, influence, complexity); if it "
                "stays the same on purpose, add `lint: {allow: [same-text]}` to the competency",
            )
        )
    if near:
        problems.append(
            fw.problem(
                near[0][1].loc,
                f"'{name}' reads almost the same at "
                f"{', and at '.join(f'{_places([a.level_id, b.level_id])} ({_wording_change(a, b)})' for a, b in near)}"
                ": a change of wording, not of level",
                severity="warning",
                code="near-same-text",
                hint="say what grows from one level to the next (scope, autonomy, influence, complexity)",
            )
        )
    if repeats:
        said = "; ".join(
            f"{cell.level_id} repeats {_places([_quote(item, 40) for item in items[:3]])}"
            f"{f' and {len(items) - 3} more' if len(items) > 3 else ''} from {below.level_id}"
            for below, cell, items in repeats
        )
        problems.append(
            fw.problem(
                repeats[0][1].loc,
                f"'{name}' repeats behaviours word for word at the next level: {said}",
                severity="warning",
                code="repeated-item",
                hint="name each behaviour once, at the lowest level it belongs to, and say at the next level what "
                "grows; if the list adds up on purpose, add `lint: {allow: [repeated-item]}` to the competency",
            )
        )
    return problems


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _wording_change(below: _Cell, cell: _Cell) -> str:
    """What the upper text changes, word for word: `'teammate' → 'colleague'`."""
    changes = []
    for one, other in zip(below.behaviours, cell.behaviours, strict=True):
        a, b = one.split(), other.split()
        for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
            if tag != "equal":
                changes.append(f"'{' '.join(a[i1:i2])}' → '{' '.join(b[j1:j2])}'")
    return ", ".join(changes[:3]) + (" …" if len(changes) > 3 else "")


def _places(names: Sequence[str]) -> str:
    """`IC3`, `IC3 and IC4`, `IC3, IC4 and IC5`."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _quote(text: str, limit: int = 60) -> str:
    return f"'{text if len(text) <= limit else text[: limit - 1].rstrip() + '…'}'"


def _spaced(texts: Sequence[str]) -> tuple[str, ...]:
    return tuple(" ".join(text.split()) for text in texts)


def _normal_item(text: str) -> str:
    return " ".join(text.split()).casefold().rstrip(".;,!")


def behaviours(text: str) -> list[str]:
    """What a description asks for, one behaviour each: its items when it is a list, else its sentences.

    >>> behaviours("Writes tests. Reviews code.")
    ['Writes tests', 'Reviews code']
    >>> behaviours("At this level:\\n- Writes tests\\n- Reviews code. Weekly.")
    ['Writes tests', 'Reviews code. Weekly.']
    """
    return list_items(text) or split_sentences(text)


def list_items(text: str) -> list[str]:
    """The items of a description written as a list, one per line, their markers ("- ", "• ", "* ", "1.")
    taken off; [] for a description that is not a list (one line, or prose wrapped over lines).

    A line without a marker in a marked list continues the item above, and so does a line that starts in
    lower case after one that does not end a sentence: a wrapped line is not a new behaviour. A first line
    ending in a colon leads in to the list and is none of its items.

    >>> list_items("- Writes tests that catch\\n  regressions.\\n- Reviews code")
    ['Writes tests that catch regressions.', 'Reviews code']
    >>> list_items("Writes tests that catch\\nregressions before review.")
    []
    """
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    marked = [bool(_LIST_MARKER.match(line)) for line in lines]
    items: list[str] = []
    for line, has_marker in zip(lines, marked, strict=True):
        if has_marker:
            items.append(_LIST_MARKER.sub("", line, count=1))
        elif items and (any(marked) or (line[0].islower() and not items[-1].endswith((".", "!", "?", ";", ":")))):
            items[-1] += " " + line
        else:
            items.append(line)
    if len(items) > 1 and items[0].endswith(":"):
        items = items[1:]
    return items if len(items) > 1 or any(marked) else []


def find_vague_wording(text: str) -> list[tuple[str, str]]:
    """Vague phrases in `text`, each with a rewrite hint.

    A verb of knowing is vague when it says what the employee knows ("Understands the billing system"),
    not when it names someone else's ("making sure everybody understands the benefits"): only a verb that
    opens a clause of its own (nothing but an adverb after the start, a comma or an "and") counts.

    >>> [w for w, _ in find_vague_wording("Shows ownership of a strong test suite.")]
    ['Shows ownership', 'strong']
    >>> find_vague_wording("Presents the plan, making sure everybody understands the benefits.")
    []
    """
    found: list[tuple[int, str, str]] = []
    exempt = [m.span() for m in _NOT_A_JUDGEMENT.finditer(text)]
    for pattern, hint in _VAGUE:
        found.extend(
            (m.start(), m.group(0), hint)
            for m in pattern.finditer(text)
            if not any(start <= m.start() and m.end() <= end for start, end in exempt)
        )
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
            if _about_the_employee(sentence[: m.start()], m.group(0))
        )
    return [(word, hint) for _, word, hint in sorted(found)]


def _about_the_employee(before: str, verb: str) -> bool:
    if _CLAUSE_START.search(before):
        return True
    # "has a deep understanding of": the employee's own knowledge, named as a thing they have
    return verb.casefold() == "understanding" and bool(_OWN_UNDERSTANDING.search(before))


def split_sentences(text: str) -> list[str]:
    """The sentences of `text`, list markers aside.

    >>> split_sentences("Writes tests, e.g. unit tests. Reviews code")
    ['Writes tests, e.g. unit tests', 'Reviews code']
    """
    joined = " ".join(_LIST_MARKER.sub("", line.strip(), count=1) for line in text.splitlines())
    masked = _ABBREVIATIONS.sub(lambda m: m.group(0).replace(".", "\0"), " ".join(joined.split()))
    parts = [part.strip() for part in _SENTENCE_END.split(masked)]
    return [part.replace("\0", ".") for part in parts if part]


def count_sentences(text: str) -> int:
    return len(split_sentences(text))


def _near_identical(a: Sequence[str], b: Sequence[str]) -> bool:
    """Two lists of behaviours, each nearly the same as its counterpart: an item more or less, an item
    changed beyond a word or two, or a change of scope ("the team" → "several teams") or of a number is a
    difference."""
    if len(a) != len(b):
        return False
    for one, other in zip(a, b, strict=True):
        na, nb = _words(one), _words(other)
        if na == nb:
            continue
        joined_a, joined_b = " ".join(na), " ".join(nb)
        matcher = difflib.SequenceMatcher(None, joined_a, joined_b, autojunk=False)
        # The quick ratios are upper bounds of ratio(): most pairs are ruled out without the full comparison.
        if not (
            matcher.real_quick_ratio() >= NEAR_IDENTICAL_RATIO
            and matcher.quick_ratio() >= NEAR_IDENTICAL_RATIO
            and matcher.ratio() >= NEAR_IDENTICAL_RATIO
        ):
            return False
        if any(_SCOPE_WORD.fullmatch(word) for word in _changed_words(na, nb)):
            return False
    return True


def _words(text: str) -> list[str]:
    return re.sub(r"[^\w\s]", " ", text.lower()).split()


def _changed_words(a: Sequence[str], b: Sequence[str]) -> list[str]:
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return [word for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal" for word in (*a[i1:i2], *b[j1:j2])]


# -- role profiles ---------------------------------------------------------------------------------


def check_role_profiles(fw: Framework) -> list[Problem]:
    problems: list[Problem] = []
    missing: dict[str, list[tuple[Loc, str]]] = {}  # competency id → where no value is expected, in ladder order
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
            for comp in competencies:
                if comp.id not in level.expected and comp.id not in level.not_assessed:
                    missing.setdefault(comp.id, []).append(
                        (("tracks", ti, "levels", li, "expected", comp.id), level.id)
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
                            f"'{fw.competency_by_id[comp_id].name if comp_id in fw.competency_by_id else comp_id}' "
                            f"falls from {before} at {below.id} to {value} at {level.id}",
                            severity="warning",
                            code="expected-falls",
                            hint=f"expect at least {before} at {level.id}, or less at {below.id}: a higher level "
                            "asks for no less",
                        )
                    )
    for comp_id, places in missing.items():
        problems.append(
            fw.problem(
                places[0][0],
                f"'{fw.competency_by_id[comp_id].name}' has no expected value at {_places([p[1] for p in places])}: "
                "it is never a gap there",
                severity="warning",
                code="expected-missing",
                hint="give it a value in `expected` at each of them, or `null` where it is not assessed",
            )
        )
    return problems


# -- shape of tracks -------------------------------------------------------------------------------


def check_shape(fw: Framework) -> list[Problem]:
    """Ladders of a workable length, and a workable number of competencies to rate per person.

    A branch (a track entered from another, `entry`) may be short: a 3-level management branch is a
    ladder's upper part, not a ladder. `kind` is not counted: the format asks every competency for one,
    and nothing but its label depends on it, so a count of kinds judges a classification, not the framework.
    """
    problems: list[Problem] = []
    low, high = LEVELS_PER_TRACK
    for ti, track in enumerate(fw.tracks):
        count = len(track.levels)
        if count > high or (count < low and track.entry is None):
            problems.append(
                fw.problem(
                    ("tracks", ti, "levels"),
                    f"track '{track.id}' has {count} levels; a ladder works with {low}–{high}",
                    severity="warning",
                    code="level-count",
                    hint="with this many, neighbouring levels are hard to tell apart: merge some"
                    if count > high
                    else "each step is a big jump: split a level, or enter this track from another (`entry`)",
                )
            )
        competencies = fw.competencies_for(track.id)
        few, many = COMPETENCIES_PER_TRACK
        if not few <= len(competencies) <= many:
            problems.append(
                fw.problem(
                    ("tracks", ti),
                    f"track '{track.id}' rates {_count(len(competencies), 'competency', 'competencies')}; "
                    f"aim for {few}–{many}",
                    severity="warning",
                    code="competency-count",
                    hint="a manager rates each one for every person: merge the ones that overlap"
                    if len(competencies) > many
                    else "an average of one or two ratings says little: split a broad competency",
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
                    hint="name its tracks in `tracks`, or delete it",
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
                    hint=f"merge levels of '{track.id}', or give '{source.id}' the levels it lacks",
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
                    hint=f"set `equivalent: <level of {source.id}>` on each level of '{track.id}'",
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
                hint=f"set `equivalent: {top.id}` on the top level of a track entered from '{base.id}'",
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
        fw.problem(
            (*loc, *finding.path),
            finding.message,
            severity=finding.severity,
            code=finding.code,
            hint=_CRITERIA_HINTS.get(finding.code),
        )
        for finding in criteria_findings(criteria, fw)
    ]


_CRITERIA_HINTS = {
    "unmeetable-criteria": "lower it to a value someone can reach, or remove the key",
    "trivial-criteria": "raise it, or remove the key: a criterion everyone meets checks nothing",
}


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
                    hint="delete the label, or widen the scale",
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
                    hint="label every point of the scale: a rating cell shows the labels",
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
    check_allowed_codes,
    check_scale_and_columns,
    check_descriptions,
    check_role_profiles,
    check_shape,
    check_dual_track,
    check_criteria,
)
