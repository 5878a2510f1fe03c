"""Frameworks as one self-contained web page that every employee can read.

The page is plain HTML that reads without JavaScript, prints cleanly and works offline: inline CSS, a
little vanilla JS for search and the "compare two levels" view, no fonts, images or scripts fetched from
anywhere. This module turns frameworks into plain data (the dataclasses below); the Jinja2 template
page/page.html.j2 lays it out with autoescape on, so every piece of text from a framework is escaped,
and inlines page/page.css and page/page.js. The output depends only on the frameworks and the
publication date, so the same inputs give the same bytes.

>>> from datetime import date
>>> from matrixkit.model.framework import load_frameworks
>>> page = publish_html(load_frameworks(["templates/engineering.yaml"]), date(2026, 5, 1))
>>> "Published <time datetime=\\"2026-05-01\\">" in page
True
"""

from __future__ import annotations

import functools
import html
import itertools
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from importlib import resources
from typing import Any, Literal

import jinja2

from matrixkit import __version__
from matrixkit.errors import UsageError
from matrixkit.model.criteria import criterion
from matrixkit.model.framework import Competency, Criteria, Framework, Level, Track

__all__ = ["change_segments", "publish_html", "word_diff_html"]


def publish_html(frameworks: Sequence[Framework], published: date) -> str:
    """The whole page for `frameworks` (one job family each), stamped with the `published` date.

    >>> from matrixkit.model.framework import load_framework
    >>> page = publish_html([load_framework("templates/sales.yaml")], date(2026, 5, 1))
    >>> page.startswith("<!DOCTYPE html>")
    True
    """
    if not frameworks:
        raise UsageError("nothing to publish: give at least one framework")
    return _Page(frameworks, published).render()


# -- text helpers ----------------------------------------------------------------------------------


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _clean(text: str) -> str:
    """Trailing spaces and newlines left by YAML block scalars carry no meaning on a page."""
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


_WORD = re.compile(r"(\s*)(\S+)")
# A line that starts like a list item: "- ", "* ", "• ", "1. ", "2) ".
_ITEM = re.compile(r"^(\s*(?:[-*•]|\d+[.)])\s+)(.*)$")
# Words are marked only where this share of the two texts is the same (2 × shared words / all words);
# below it the text is rewritten rather than changed, and marking nearly every word helps no one.
SIMILAR = 0.6

Segment = tuple[str, bool]  # a stretch of the new text, and whether a reader would call it new


def _words(text: str) -> list[tuple[str, str]]:
    """(whitespace before, word) pairs: the whitespace is kept so line breaks survive the diff."""
    return [(match.group(1), match.group(2)) for match in _WORD.finditer(text)]


def _key(word: str) -> str:
    # Compare words, not their punctuation or case: "team." and "team" are the same word. page.js's
    # key() is the same rule, so the page marks the same words with or without JavaScript.
    return "".join(ch for ch in word.lower() if ch.isalnum()) or word


def _common(before: Sequence[str], after: Sequence[str]) -> list[bool]:
    """For each word of `after`, whether it belongs to a longest common subsequence with `before`.

    The same dynamic programme, and the same choice between equally long ones, as page.js's common().
    """
    n, m = len(before), len(after)
    lcs = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            lcs[i][j] = lcs[i + 1][j + 1] + 1 if before[i] == after[j] else max(lcs[i + 1][j], lcs[i][j + 1])
    kept, i, j = [False] * m, 0, 0
    while i < n and j < m:
        if before[i] == after[j]:
            kept[j], i, j = True, i + 1, j + 1
        elif lcs[i + 1][j] >= lcs[i][j + 1]:
            i += 1
        else:
            j += 1
    return kept


def _similarity(before: Sequence[str], after: Sequence[str]) -> float:
    if not before and not after:
        return 1.0
    return 2 * sum(_common(before, after)) / (len(before) + len(after))


def _word_segments(old: str, new: str) -> list[Segment]:
    before, after = _words(old), _words(new)
    kept = _common([_key(w) for _, w in before], [_key(w) for _, w in after])
    # A lone "and" or "the" kept between two new stretches is noise: show the stretch as one change.
    for j in range(1, len(after) - 1):
        if kept[j] and not kept[j - 1] and not kept[j + 1] and len(_key(after[j][1])) <= 3:
            kept[j] = False
    pieces: list[Segment] = []
    for j, ((space, word), same) in enumerate(zip(after, kept, strict=True)):
        # The space before a new stretch stays outside the mark; spaces inside one are part of it.
        pieces += [(space, not same and j > 0 and not kept[j - 1]), (word, not same)]
    return _merged(pieces)


def _merged(pieces: Sequence[Segment]) -> list[Segment]:
    merged: list[Segment] = []
    for text, is_new in pieces:
        if merged and merged[-1][1] == is_new:
            merged[-1] = (merged[-1][0] + text, is_new)
        elif text:
            merged.append((text, is_new))
    return merged


def _item_lines(text: str) -> list[tuple[str, str]] | None:
    """(marker, rest) per line when the text is a list (two or more lines start like an item), else None."""
    lines = text.split("\n")
    split = [(m.group(1), m.group(2)) if (m := _ITEM.match(line)) else ("", line) for line in lines]
    return split if sum(1 for marker, _ in split if marker) >= 2 else None


def change_segments(old: str | None, new: str) -> list[Segment]:
    """`new` cut into stretches, those a reader would call new flagged True. Nothing is flagged when
    there is no `old`, or when `new` is rewritten rather than changed (less than `SIMILAR` shared).

    A list is compared item by item: an item found in `old` is unchanged, an item much like one of
    `old`'s has its new words marked, any other item is new as a whole. A list marker is never new.

    >>> change_segments("Ships small changes to the team.", "Ships large changes to the team.")
    [('Ships ', False), ('large', True), (' changes to the team.', False)]
    >>> change_segments("Plans own tasks.", "Sets the department's yearly plans.")
    [("Sets the department's yearly plans.", False)]
    """
    new = _clean(new)
    if old is None:
        return [(new, False)]
    old = _clean(old)
    items = _item_lines(new)
    if items is None:
        if _similarity([_key(w) for _, w in _words(old)], [_key(w) for _, w in _words(new)]) < SIMILAR:
            return [(new, False)]
        return _word_segments(old, new)
    old_lines = _item_lines(old) or [("", line) for line in old.split("\n")]
    old_items = [rest for _, rest in old_lines if rest.strip()]
    old_keys = [[_key(w) for _, w in _words(rest)] for rest in old_items]
    segments: list[Segment] = []
    items_with_words = items_new = 0
    for index, (marker, rest) in enumerate(items):
        segments.append((("\n" if index else "") + marker, False))
        keys = [_key(w) for _, w in _words(rest)]
        if not keys:
            segments.append((rest, False))
            continue
        items_with_words += 1
        scores = [_similarity(before, keys) for before in old_keys]
        best = max(range(len(scores)), key=scores.__getitem__, default=None)
        if best is None or scores[best] < SIMILAR:
            segments.append((rest, True))
            items_new += 1
        elif scores[best] == 1.0:
            segments.append((rest, False))
        else:
            segments += _word_segments(old_items[best], rest)
    if items_new == items_with_words:
        return [(new, False)]  # a list rewritten throughout reads best as it is
    return _merged(segments)


def word_diff_html(old: str | None, new: str) -> str:
    """`new` as escaped HTML with what `change_segments` calls new inside `<ins>`.

    >>> word_diff_html("Ships small changes to the team.", "Ships small changes to the whole team.")
    'Ships small changes to the <ins>whole</ins> team.'
    >>> word_diff_html("- Reviews code\\n- Writes tests", "- Reviews code\\n- Mentors one engineer")
    '- Reviews code\\n- <ins>Mentors one engineer</ins>'
    """
    return "".join(
        f"<ins>{_esc(text)}</ins>" if new_text else _esc(text) for text, new_text in change_segments(old, new)
    )


def _rating(fw: Framework, value: float) -> str:
    label = fw.scale.labels.get(int(value)) if float(value).is_integer() else None
    return f"{value:g} ({label})" if label else f"{value:g}"


def _level_named(level: Level | None) -> str:
    return f"{level.id} ({level.title})" if level is not None else "the next level"


# The page's words for a criterion where the registry's (shared with the workbook's Instructions and the
# packets, which managers read beside the ratings) would be jargon to an employee: "IC3's profile".
PageWords = Callable[[Any, Framework, "Level | None"], list[str]]
_PAGE_WORDS: dict[str, PageWords] = {
    "average_at_least": lambda value, fw, target: [f"an average rating of at least {value:g}"],
    "each_at_least": lambda value, fw, target: [f"no competency rated below {_rating(fw, value)}"],
    "next_level_gaps_at_most": lambda gaps, fw, target: [
        f"every competency rated at least what {_level_named(target)} expects"
        if gaps == 0
        else f"no more than {gaps} {'competency' if gaps == 1 else 'competencies'} rated below what "
        f"{_level_named(target)} expects"
    ],
    "sustained_cycles": lambda cycles, fw, target: (
        [f"the rating criteria above met in {cycles} review cycles in a row"] if cycles > 1 else []
    ),
    "months_in_level_at_least": lambda months, fw, target: [f"at least {months} months at the current level"],
}


def _criteria_phrases(criteria: Criteria, fw: Framework, target: Level | None) -> list[str]:
    """One phrase per criterion, in the registry's order and joins, in words an employee reads.

    Kinds without page words of their own (`_PAGE_WORDS`) say what the workbooks say.
    """
    phrases: list[str] = []
    single: dict[str, int] = {}  # kind key → index of its one phrase, for a kind that joins it
    for key, value in criteria.checked().items():
        kind = criterion(key)
        page_words = _PAGE_WORDS.get(key)
        own = page_words(value, fw, target) if page_words else kind.words(value, fw, target.id if target else None)
        if kind.joins is not None and kind.joins[0] in single and len(own) == 1:
            phrases[single[kind.joins[0]]] += kind.joins[1] + own[0]
            continue
        if len(own) == 1:
            single[key] = len(phrases)
        phrases.extend(own)
    return [phrase[:1].upper() + phrase[1:] for phrase in phrases]


def _slug(*parts: str) -> str:
    # ':' never occurs in an id (letters, digits, '_', '.', '-'), so anchors from different parts never collide.
    return ":".join(parts)


# -- what the page shows, as plain data; page/page.html.j2 lays it out and escapes every text -------


@dataclass(frozen=True, slots=True)
class Link:
    anchor: str
    label: str


@dataclass(frozen=True, slots=True)
class Target:
    """Where a move to another job family leads: a level on this page, or a framework not published with it."""

    link: Link | None
    text: str


@dataclass(frozen=True, slots=True)
class Proficiency:
    value: int
    filled: int  # dots drawn full, then `empty` dots hollow
    empty: int
    label: str | None


@dataclass(frozen=True, slots=True)
class Move:
    kind: Literal["crossover", "lateral", "incoming"]
    start: Link
    end: Link | Target
    track: str = ""


@dataclass(frozen=True, slots=True)
class LevelRef:
    anchor: str
    id: str
    title: str


@dataclass(frozen=True, slots=True)
class Rung:
    level: LevelRef
    notes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Ladder:
    anchor: str
    name: str
    tracks: tuple[str, ...]
    rows: tuple[tuple[Rung | None, ...], ...]  # highest level first, one cell per track
    moves: tuple[Move, ...]


@dataclass(frozen=True, slots=True)
class Option:
    value: str
    id: str
    title: str
    position: int  # across every family, for the default selection


@dataclass(frozen=True, slots=True)
class OptionGroup:
    name: str
    options: tuple[Option, ...]


@dataclass(frozen=True, slots=True)
class ProfileRow:
    anchor: str
    name: str
    here: Proficiency | None
    there: Proficiency | None
    change: str | None
    not_assessed_here: bool = False  # `expected: {id: null}` at this level
    not_assessed_there: bool = False  # … at the next level


@dataclass(frozen=True, slots=True)
class Step:
    """A move out of a level (the next level, a crossover, another family) and the criteria it takes."""

    heading: str
    criteria: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class LateralStep:
    target: Target
    transferable: str
    note: str


@dataclass(frozen=True, slots=True)
class LevelView:
    anchor: str
    id: str
    title: str
    track: str
    scope: str
    equivalent: Link | None
    profile_anchor: str
    following: LevelRef | None  # the next level
    rows: tuple[ProfileRow, ...]
    next_step: Step | None  # None at the top of the track
    crossovers: tuple[Step, ...]
    laterals: tuple[LateralStep, ...]


@dataclass(frozen=True, slots=True)
class Entry:
    to: Link
    start: Link
    criteria: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TrackView:
    anchor: str
    name: str
    entry: Entry | None
    levels: tuple[LevelView, ...]


@dataclass(frozen=True, slots=True)
class CompetencyCell:
    expected: Proficiency | None
    change: str | None
    text: str | None  # escaped HTML from `word_diff_html`, None when the level has no description
    not_assessed: bool = False  # `expected: {id: null}`: the level does not rate this competency


@dataclass(frozen=True, slots=True)
class AnchorView:
    """What one point of the scale means for a competency (`anchors`)."""

    point: Proficiency
    text: str


@dataclass(frozen=True, slots=True)
class CompetencyTrack:
    anchor: str
    track: str
    levels: tuple[LevelRef, ...]
    cells: tuple[CompetencyCell, ...]

    @property
    def rows(self) -> tuple[tuple[LevelRef, CompetencyCell], ...]:
        return tuple(zip(self.levels, self.cells, strict=True))


@dataclass(frozen=True, slots=True)
class CompetencyView:
    anchor: str
    name: str
    kind: str
    tracks: tuple[CompetencyTrack, ...]
    anchors: tuple[AnchorView, ...] = ()


@dataclass(frozen=True, slots=True)
class FamilyView:
    anchor: str
    name: str
    version: str
    scale: tuple[Proficiency, ...]
    tracks: tuple[TrackView, ...]
    competencies_anchor: str
    competencies: tuple[CompetencyView, ...]
    source: str | None = None
    license: str | None = None


def _change(before: int | None, after: int | None) -> str | None:
    if before is None or after is None or before == after:
        return None
    return f"{'▲' if after > before else '▼'} {after - before:+d}"


@functools.cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("matrixkit.outputs", "page"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _asset(name: str) -> str:
    return (resources.files("matrixkit.outputs") / "page" / name).read_text(encoding="utf-8")


class _Page:
    def __init__(self, frameworks: Sequence[Framework], published: date) -> None:
        self.frameworks = list(frameworks)
        self.published = published
        self.by_family = {fw.family.id: fw for fw in self.frameworks}

    # anchors

    def level_anchor(self, fw: Framework, level_id: str) -> str:
        return _slug(fw.family.id, "level", level_id)

    def competency_anchor(self, fw: Framework, competency_id: str) -> str:
        return _slug(fw.family.id, "competency", competency_id)

    def level_link(self, fw: Framework, level_id: str, *, family_name: bool = False) -> Link:
        level = fw.level_by_id.get(level_id)
        label = f"{level_id} {level.title}" if level else level_id
        if family_name:
            label = f"{fw.family.name}: {label}"
        return Link(self.level_anchor(fw, level_id), label)

    def level_ref(self, fw: Framework, level: Level) -> LevelRef:
        return LevelRef(self.level_anchor(fw, level.id), level.id, level.title)

    def lateral_target(self, target_family: str, level_id: str) -> Target:
        """The level a move to another family leads to: a link when that family is on this page; else
        its id is all that is known of it (the framework names the family by id)."""
        target = self.by_family.get(target_family)
        if target is not None and level_id in target.level_by_id:
            link = self.level_link(target, level_id, family_name=True)
            return Target(link, link.label)
        return Target(None, f"level {level_id} of the {target_family!r} job family (a framework not on this page)")

    def proficiency(self, fw: Framework, value: int | None) -> Proficiency | None:
        if value is None:
            return None
        filled = max(0, min(value, fw.scale.max) - fw.scale.min + 1)
        empty = fw.scale.max - fw.scale.min + 1 - filled
        return Proficiency(value, filled, empty, fw.scale.labels.get(value))

    # whole page

    def render(self) -> str:
        names = [fw.family.name for fw in self.frameworks]
        heading = f"{names[0]} career framework" if len(names) == 1 else "Career frameworks"
        return (
            _environment()
            .get_template("page.html.j2")
            .render(
                generator=__version__,
                title=heading if len(names) == 1 else heading + ": " + ", ".join(names),
                heading=heading,
                versions=" · ".join(f"{fw.family.name} version {fw.family.version}" for fw in self.frameworks),
                published=self.published.isoformat(),
                css=_asset("page.css").replace("\n", ""),
                js=_asset("page.js"),
                families=[self.family(fw) for fw in self.frameworks],
                ladders=[self.ladder(fw) for fw in self.frameworks],
                compare=self.compare_options(),
                data_json=self.data_json(),
            )
        )

    # ladders

    def ranks(self, fw: Framework) -> dict[str, int]:
        """A row per level, so that levels declared `equivalent` share a row where the order allows."""
        rank: dict[str, int] = {}
        for track in fw.tracks:
            previous = -1
            for level in track.levels:
                wanted = previous + 1
                if level.equivalent in rank:
                    wanted = rank[level.equivalent]
                elif track.entry is not None and track.entry.to == level.id and track.entry.from_ in rank:
                    wanted = rank[track.entry.from_] + 1
                previous = rank[level.id] = max(wanted, previous + 1)
        return rank

    def ladder(self, fw: Framework) -> Ladder:
        rank = self.ranks(fw)
        cells = {(rank[lv.id], t.id): self.rung(fw, t, lv) for t in fw.tracks for lv in t.levels}
        rows = tuple(
            tuple(cells.get((row, track.id)) for track in fw.tracks) for row in range(max(rank.values()), -1, -1)
        )
        return Ladder(
            _slug(fw.family.id, "ladder"), fw.family.name, tuple(t.name for t in fw.tracks), rows, self.moves(fw)
        )

    def rung(self, fw: Framework, track: Track, level: Level) -> Rung:
        notes: list[str] = []
        if level.equivalent:
            notes.append(f"equivalent to {self.level_link(fw, level.equivalent).label}")
        if track.entry is not None and track.entry.to == level.id:
            notes.append(f"entry from {self.level_link(fw, track.entry.from_).label}")
        for other in fw.tracks:
            if other.entry is not None and other.entry.from_ == level.id:
                notes.append(f"may cross over to {other.name} ({self.level_link(fw, other.entry.to).label})")
        for path in fw.lateral_paths:
            if path.from_ == level.id:
                notes.append(f"↗ {self.lateral_target(path.to_family, path.to_level).text}")
        return Rung(self.level_ref(fw, level), tuple(notes))

    def moves(self, fw: Framework) -> tuple[Move, ...]:
        moves = [
            Move("crossover", self.level_link(fw, t.entry.from_), self.level_link(fw, t.entry.to), t.name)
            for t in fw.tracks
            if t.entry is not None
        ]
        moves += [
            Move("lateral", self.level_link(fw, path.from_), self.lateral_target(path.to_family, path.to_level))
            for path in fw.lateral_paths
        ]
        moves += [
            Move(
                "incoming",
                self.level_link(other, path.from_, family_name=True),
                self.lateral_target(path.to_family, path.to_level),
            )
            for other in self.frameworks
            if other is not fw
            for path in other.lateral_paths
            if path.to_family == fw.family.id
        ]
        return tuple(moves)

    # compare

    def compare_options(self) -> list[OptionGroup]:
        groups = []
        position = itertools.count()
        for fi, fw in enumerate(self.frameworks):
            levels = (lv for t in fw.tracks for lv in t.levels)
            options = tuple(Option(f"{fi}:{li}", lv.id, lv.title, next(position)) for li, lv in enumerate(levels))
            groups.append(OptionGroup(fw.family.name, options))
        return groups

    def data_json(self) -> str:
        families: list[dict[str, Any]] = []
        for fw in self.frameworks:
            levels = []
            for track in fw.tracks:
                for level in track.levels:
                    competencies = fw.competencies_for(track.id)
                    levels.append(
                        {
                            "id": level.id,
                            "title": level.title,
                            "track": track.name,
                            "anchor": self.level_anchor(fw, level.id),
                            "scope": _clean(level.scope) if level.scope else None,
                            "expected": {c.id: level.expected[c.id] for c in competencies if c.id in level.expected},
                            "descriptions": {
                                c.id: _clean(c.descriptions[level.id])
                                for c in competencies
                                if level.id in c.descriptions
                            },
                        }
                    )
            families.append(
                {
                    "name": fw.family.name,
                    "scale": {"min": fw.scale.min, "max": fw.scale.max, "labels": fw.scale.labels},
                    "competencies": [{"id": c.id, "name": c.name} for c in fw.competencies],
                    "levels": levels,
                }
            )
        text = json.dumps({"families": families}, ensure_ascii=False, separators=(",", ":"))
        # Inside <script> only "</" could end the element early; escaping <, > and & rules out any surprise.
        return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")

    # one family

    def family(self, fw: Framework) -> FamilyView:
        return FamilyView(
            anchor=_slug(fw.family.id),
            name=fw.family.name,
            version=fw.family.version,
            scale=tuple(p for p in map(functools.partial(self.proficiency, fw), fw.scale.values) if p is not None),
            tracks=tuple(self.track(fw, track) for track in fw.tracks),
            competencies_anchor=_slug(fw.family.id, "competencies"),
            competencies=tuple(self.competency(fw, c) for c in fw.competencies),
            source=_clean(fw.family.source) if fw.family.source else None,
            license=_clean(fw.family.license) if fw.family.license else None,
        )

    def track(self, fw: Framework, track: Track) -> TrackView:
        entry = None
        if track.entry is not None:
            criteria = _criteria_phrases(track.entry.criteria, fw, fw.level_by_id.get(track.entry.to))
            entry = Entry(self.level_link(fw, track.entry.to), self.level_link(fw, track.entry.from_), tuple(criteria))
        levels = tuple(self.level(fw, track, level) for level in track.levels)
        return TrackView(_slug(fw.family.id, "track", track.id), track.name, entry, levels)

    def level(self, fw: Framework, track: Track, level: Level) -> LevelView:
        following = fw.next_level(level.id)
        rows = []
        for competency in fw.competencies_for(track.id):
            here = level.expected.get(competency.id)
            there = following.expected.get(competency.id) if following is not None else None
            rows.append(
                ProfileRow(
                    self.competency_anchor(fw, competency.id),
                    competency.name,
                    self.proficiency(fw, here),
                    self.proficiency(fw, there),
                    _change(here, there),
                    competency.id in level.not_assessed,
                    following is not None and competency.id in following.not_assessed,
                )
            )
        next_step = None
        if following is not None:
            criteria = _criteria_phrases(fw.criteria_for(level.id), fw, following)
            next_step = Step(f"To reach {following.id} {following.title}", tuple(criteria))
        crossovers = tuple(
            Step(
                f"To cross over to {other.name}: {self.level_link(fw, other.entry.to).label}",
                tuple(_criteria_phrases(other.entry.criteria, fw, fw.level_by_id.get(other.entry.to))),
            )
            for other in fw.tracks
            if other.entry is not None and other.entry.from_ == level.id
        )
        laterals = tuple(
            LateralStep(
                self.lateral_target(path.to_family, path.to_level),
                ", ".join(fw.competency_by_id[c].name if c in fw.competency_by_id else c for c in path.transferable),
                _clean(path.note) if path.note else "",
            )
            for path in fw.lateral_paths
            if path.from_ == level.id
        )
        return LevelView(
            anchor=self.level_anchor(fw, level.id),
            id=level.id,
            title=level.title,
            track=track.name,
            scope=_clean(level.scope) if level.scope else "",
            equivalent=self.level_link(fw, level.equivalent) if level.equivalent else None,
            profile_anchor=_slug(fw.family.id, "profile", level.id),
            following=self.level_ref(fw, following) if following is not None else None,
            rows=tuple(rows),
            next_step=next_step,
            crossovers=crossovers,
            laterals=laterals,
        )

    # competencies

    def competency(self, fw: Framework, competency: Competency) -> CompetencyView:
        tracks = []
        for track in (t for t in fw.tracks if fw.applies_to(competency, t.id)):
            cells = []
            previous: Level | None = None
            for level in track.levels:
                here = level.expected.get(competency.id)
                before = previous.expected.get(competency.id) if previous else None
                text = competency.descriptions.get(level.id)
                old = competency.descriptions.get(previous.id) if previous else None
                not_assessed = competency.id in level.not_assessed
                cells.append(
                    CompetencyCell(
                        self.proficiency(fw, here),
                        _change(before, here),
                        None if text is None or not_assessed else word_diff_html(old, text),
                        not_assessed,
                    )
                )
                previous = level
            tracks.append(
                CompetencyTrack(
                    _slug(fw.family.id, "competency", competency.id, track.id),
                    track.name,
                    tuple(self.level_ref(fw, lv) for lv in track.levels),
                    tuple(cells),
                )
            )
        anchors = tuple(
            AnchorView(point, _clean(competency.anchors[value]))
            for value in fw.scale.values
            if value in competency.anchors and (point := self.proficiency(fw, value)) is not None
        )
        return CompetencyView(
            self.competency_anchor(fw, competency.id), competency.name, competency.kind, tuple(tracks), anchors
        )
