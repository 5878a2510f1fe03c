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

import difflib
import functools
import html
import itertools
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from importlib import resources
from typing import Any, Literal

import jinja2

from matrixkit import __version__
from matrixkit.errors import UsageError
from matrixkit.model.criteria import criteria_phrases
from matrixkit.model.framework import Competency, Criteria, Framework, Level, Track

__all__ = ["publish_html", "word_diff_html"]


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


def _words(text: str) -> list[tuple[str, str]]:
    """(whitespace before, word) pairs: the whitespace is kept so line breaks survive the diff."""
    return [(match.group(1), match.group(2)) for match in _WORD.finditer(text)]


def _key(word: str) -> str:
    # Compare words, not their punctuation or case: "team." and "team" are the same word.
    return re.sub(r"\W+", "", word.casefold()) or word


def word_diff_html(old: str | None, new: str, *, show_deleted: bool = False) -> str:
    """`new` as escaped HTML with the words that are not in `old` inside `<ins>` (and, when asked, the
    words of `old` that `new` drops inside `<del>`). With no `old`, nothing is marked.

    >>> word_diff_html("Ships small changes.", "Ships large changes safely.")
    'Ships <ins>large</ins> changes <ins>safely.</ins>'
    """
    new = _clean(new)
    if old is None:
        return _esc(new)
    before, after = _words(_clean(old)), _words(new)
    matcher = difflib.SequenceMatcher(None, [_key(w) for _, w in before], [_key(w) for _, w in after], autojunk=False)
    parts: list[str] = []

    def marked(tag: str, words: list[tuple[str, str]]) -> None:
        if words:
            first_space, first_word = words[0]
            rest = "".join(space + word for space, word in words[1:])
            # Words side by side in the old and new text keep a space between them.
            space = first_space or (" " if parts else "")
            parts.append(f"{_esc(space)}<{tag}>{_esc(first_word + rest)}</{tag}>")

    for op, i1, i2, j1, j2 in _absorb_small_words(matcher.get_opcodes(), after):
        if op == "equal":
            parts.append(_esc("".join(space + word for space, word in after[j1:j2])))
            continue
        if show_deleted and op in ("delete", "replace"):
            marked("del", before[i1:i2])
        if op in ("insert", "replace"):
            marked("ins", after[j1:j2])
    return "".join(parts).lstrip()


Opcode = tuple[str, int, int, int, int]


def _absorb_small_words(opcodes: Sequence[Opcode], after: list[tuple[str, str]]) -> list[Opcode]:
    """A lone "and" or "the" kept between two rewritten stretches is noise: show the stretch as one change."""
    result: list[Opcode] = []
    for index, (op, i1, i2, j1, j2) in enumerate(opcodes):
        between_changes = 0 < index < len(opcodes) - 1
        if op == "equal" and between_changes and j2 - j1 == 1 and len(_key(after[j1][1])) <= 3:
            op = "replace"
        if result and op != "equal" and result[-1][0] != "equal":
            _, p1, _, q1, _ = result.pop()
            op, i1, j1 = "replace", p1, q1
        result.append((op, i1, i2, j1, j2))
    return result


def _criteria_phrases(criteria: Criteria, fw: Framework, next_level: str | None) -> list[str]:
    """One phrase per criterion, from the criteria registry, so the page says what the workbooks say."""
    return [phrase[:1].upper() + phrase[1:] for phrase in criteria_phrases(criteria, fw, next_level)]


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
    following: str | None  # the next level's id
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
        target = self.by_family.get(target_family)
        if target is not None and level_id in target.level_by_id:
            return Target(self.level_link(target, level_id, family_name=True), "")
        return Target(None, f"{target_family}: {level_id}")

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
            notes.append(f"equivalent to {level.equivalent}")
        if track.entry is not None and track.entry.to == level.id:
            notes.append(f"entry from {track.entry.from_}")
        for other in fw.tracks:
            if other.entry is not None and other.entry.from_ == level.id:
                notes.append(f"may cross over to {other.name} ({other.entry.to})")
        for path in fw.lateral_paths:
            if path.from_ == level.id:
                target = self.by_family.get(path.to_family)
                family = target.family.name if target else path.to_family
                notes.append(f"↗ {family} {path.to_level}")
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
                    "scale": {"min": fw.scale.min, "max": fw.scale.max},
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
            criteria = _criteria_phrases(track.entry.criteria, fw, track.entry.to)
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
            criteria = _criteria_phrases(fw.criteria_for(level.id), fw, following.id)
            next_step = Step(f"To reach {following.id} {following.title}", tuple(criteria))
        crossovers = tuple(
            Step(
                f"To cross over to {other.name} ({other.entry.to})",
                tuple(_criteria_phrases(other.entry.criteria, fw, other.entry.to)),
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
            following=following.id if following is not None else None,
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
