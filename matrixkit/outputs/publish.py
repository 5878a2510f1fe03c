"""Frameworks as one self-contained web page that every employee can read.

The page is plain HTML that reads without JavaScript, prints cleanly and works offline: inline CSS, a
little vanilla JS for search and the "compare two levels" view, no fonts, images or scripts fetched from
anywhere. Every piece of text from a framework is escaped; the output depends only on the frameworks and
the publication date, so the same inputs give the same bytes.

>>> from datetime import date
>>> from matrixkit.model.framework import load_frameworks
>>> page = publish_html(load_frameworks(["templates/engineering.yaml"]), date(2026, 5, 1))
>>> "Published <time datetime=\\"2026-05-01\\">" in page
True
"""

from __future__ import annotations

import difflib
import html
import json
import re
from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

from matrixkit import __version__
from matrixkit.errors import UsageError
from matrixkit.model.framework import Competency, Criteria, Framework, Level, Track
from matrixkit.model.words import describe_criteria

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
    """One phrase per criterion, in words from `matrixkit.model.words`, so the page says what the workbooks say."""
    checked = criteria.checked()
    pieces: list[Criteria] = []
    ratings = {key: checked[key] for key in ("average_at_least", "each_at_least") if key in checked}
    if ratings:
        pieces.append(Criteria.model_construct(**ratings))
    for key, value in checked.items():
        if key in ("average_at_least", "each_at_least"):
            continue
        if key == "evidence":
            pieces.extend(Criteria.model_construct(evidence=(item,)) for item in value)
        elif key == "metrics_at_least":
            pieces.extend(Criteria.model_construct(metrics_at_least={k: v}) for k, v in value.items())
        else:
            pieces.append(Criteria.model_construct(**{key: value}))
    phrases = []
    for piece in pieces:
        phrase = describe_criteria(piece, fw, next_level)
        if phrase != "no criteria set":
            phrases.append(phrase[:1].upper() + phrase[1:])
    return phrases


def _criteria_html(criteria: Criteria, fw: Framework, next_level: str | None) -> str:
    phrases = _criteria_phrases(criteria, fw, next_level)
    if not phrases:
        return '<p class="muted">No criteria are set.</p>'
    return '<ul class="criteria">' + "".join(f"<li>{_esc(p)}</li>" for p in phrases) + "</ul>"


def _slug(*parts: str) -> str:
    # ':' never occurs in an id (letters, digits, '_', '.', '-'), so anchors from different parts never collide.
    return ":".join(parts)


# -- the page --------------------------------------------------------------------------------------


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

    def level_link(self, fw: Framework, level_id: str, *, family_name: bool = False) -> str:
        level = fw.level_by_id.get(level_id)
        label = f"{level_id} {level.title}" if level else level_id
        if family_name:
            label = f"{fw.family.name}: {label}"
        return f'<a href="#{_esc(self.level_anchor(fw, level_id))}">{_esc(label)}</a>'

    def lateral_target(self, target_family: str, level_id: str) -> str:
        target = self.by_family.get(target_family)
        if target is not None and level_id in target.level_by_id:
            return self.level_link(target, level_id, family_name=True)
        return _esc(f"{target_family}: {level_id}") + ' <span class="muted">(another framework)</span>'

    # whole page

    def render(self) -> str:
        names = [fw.family.name for fw in self.frameworks]
        heading = f"{names[0]} career framework" if len(names) == 1 else "Career frameworks"
        versions = " · ".join(f"{fw.family.name} version {fw.family.version}" for fw in self.frameworks)
        when = self.published.isoformat()
        parts = [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8" />',
            '<meta name="viewport" content="width=device-width, initial-scale=1" />',
            f'<meta name="generator" content="matrixkit {_esc(__version__)}" />',
            f"<title>{_esc(heading if len(names) == 1 else heading + ': ' + ', '.join(names))}</title>",
            f"<style>{_CSS}</style>",
            "</head>",
            "<body>",
            '<a class="skip" href="#main">Skip to the content</a>',
            '<header class="page-header">',
            f"<h1>{_esc(heading)}</h1>",
            f'<p class="meta"><span class="versions">{_esc(versions)}</span> · '
            f'Published <time datetime="{when}">{when}</time></p>',
            "</header>",
            *self.contents(),
            '<main id="main">',
            '<noscript><p class="note">Search and the comparison of two levels need JavaScript; '
            "everything else on this page reads without it.</p></noscript>",
            *self.search_box(),
            *self.ladders(),
            *self.compare_view(),
            *(line for fw in self.frameworks for line in self.family(fw)),
            "</main>",
            '<footer class="page-footer">',
            f'<p>{_esc(versions)} · Published <time datetime="{when}">{when}</time> · '
            f"made with matrixkit {_esc(__version__)}</p>",
            "</footer>",
            f'<script type="application/json" id="mk-data">{self.data_json()}</script>',
            f"<script>{_JS}</script>",
            "</body>",
            "</html>",
        ]
        return "\n".join(parts) + "\n"

    def contents(self) -> Iterator[str]:
        yield '<nav class="contents" aria-label="Contents">'
        yield "<h2>Contents</h2>"
        yield '<ul><li><a href="#ladders">Career ladders</a></li>'
        yield '<li class="js-only" hidden><a href="#compare">Compare two levels</a></li>'
        for fw in self.frameworks:
            family = fw.family.id
            yield f'<li><a href="#{_esc(_slug(family))}">{_esc(fw.family.name)}</a><ul>'
            for track in fw.tracks:
                yield f'<li><a href="#{_esc(_slug(family, "track", track.id))}">{_esc(track.name)} levels</a></li>'
            yield f'<li><a href="#{_esc(_slug(family, "competencies"))}">Competencies</a></li>'
            yield "</ul></li>"
        yield "</ul></nav>"

    def search_box(self) -> Iterator[str]:
        yield '<section class="tools js-only" aria-label="Search" hidden>'
        yield '<form role="search" class="search" id="mk-search-form">'
        yield '<label for="mk-search">Search levels and competencies</label>'
        yield '<input type="search" id="mk-search" name="q" autocomplete="off" aria-describedby="mk-search-status" />'
        yield "</form>"
        yield '<p id="mk-search-status" class="status" role="status" aria-live="polite"></p>'
        yield "</section>"

    # ladders

    def ladders(self) -> Iterator[str]:
        yield '<section id="ladders" aria-labelledby="ladders-heading">'
        yield '<h2 id="ladders-heading">Career ladders</h2>'
        yield (
            '<p class="lead">Each job family\'s tracks side by side, lowest level at the bottom. Levels on the '
            "same row with “equivalent to” have the same pay and status; “may cross over” marks where people "
            "can move to another track, and “↗” a move to another job family.</p>"
        )
        yield '<div class="ladders">'
        for fw in self.frameworks:
            yield from self.ladder(fw)
        yield "</div></section>"

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

    def ladder(self, fw: Framework) -> Iterator[str]:
        rank = self.ranks(fw)
        top = max(rank.values())
        cells: dict[tuple[int, str], Level] = {(rank[lv.id], t.id): lv for t in fw.tracks for lv in t.levels}
        heading_id = _slug(fw.family.id, "ladder")
        yield f'<section class="ladder" aria-labelledby="{_esc(heading_id)}">'
        yield f'<h3 id="{_esc(heading_id)}">{_esc(fw.family.name)}</h3>'
        yield f'<div class="scroll" role="region" tabindex="0" aria-labelledby="{_esc(heading_id)}">'
        yield '<table class="ladder-table">'
        yield "<caption>Levels by track, highest at the top</caption>"
        yield "<thead><tr>" + "".join(f'<th scope="col">{_esc(t.name)}</th>' for t in fw.tracks) + "</tr></thead>"
        yield "<tbody>"
        for row in range(top, -1, -1):
            yield "<tr>"
            for track in fw.tracks:
                level = cells.get((row, track.id))
                yield "<td></td>" if level is None else f"<td>{self.ladder_cell(fw, track, level)}</td>"
            yield "</tr>"
        yield "</tbody></table></div>"
        yield from self.moves(fw)
        yield "</section>"

    def ladder_cell(self, fw: Framework, track: Track, level: Level) -> str:
        notes: list[str] = []
        if level.equivalent:
            notes.append(f"equivalent to {_esc(level.equivalent)}")
        if track.entry is not None and track.entry.to == level.id:
            notes.append(f"entry from {_esc(track.entry.from_)}")
        for other in fw.tracks:
            if other.entry is not None and other.entry.from_ == level.id:
                notes.append(f"may cross over to {_esc(other.name)} ({_esc(other.entry.to)})")
        for path in fw.lateral_paths:
            if path.from_ == level.id:
                target = self.by_family.get(path.to_family)
                family = target.family.name if target else path.to_family
                notes.append(f"↗ {_esc(family)} {_esc(path.to_level)}")
        link = (
            f'<a class="rung" href="#{_esc(self.level_anchor(fw, level.id))}">'
            f'<span class="lid">{_esc(level.id)}</span> {_esc(level.title)}</a>'
        )
        return link + "".join(f' <span class="note">{note}</span>' for note in notes)

    def moves(self, fw: Framework) -> Iterator[str]:
        crossovers = [t for t in fw.tracks if t.entry is not None]
        incoming = [
            (other, path)
            for other in self.frameworks
            if other is not fw
            for path in other.lateral_paths
            if path.to_family == fw.family.id
        ]
        if not (crossovers or fw.lateral_paths or incoming):
            return
        yield '<ul class="moves">'
        for track in crossovers:
            assert track.entry is not None
            yield (
                f"<li>Cross over from {self.level_link(fw, track.entry.from_)} or above "
                f"to {self.level_link(fw, track.entry.to)} ({_esc(track.name)})</li>"
            )
        for path in fw.lateral_paths:
            yield f"<li>{self.level_link(fw, path.from_)} ↗ {self.lateral_target(path.to_family, path.to_level)}</li>"
        for other, path in incoming:
            yield (
                f"<li>From {self.level_link(other, path.from_, family_name=True)} ↗ "
                f"{self.lateral_target(path.to_family, path.to_level)}</li>"
            )
        yield "</ul>"

    # compare

    def compare_view(self) -> Iterator[str]:
        yield '<section id="compare" class="js-only" aria-labelledby="compare-heading" hidden>'
        yield '<h2 id="compare-heading">Compare two levels</h2>'
        yield (
            '<p class="lead">Pick two levels to see what changes, competency by competency. In the '
            "descriptions, <ins>underlined words</ins> are new and <del>struck-through words</del> are "
            "gone at the second level.</p>"
        )
        yield '<form class="compare-form" id="mk-compare-form">'
        for key, label, default in (("a", "From level", 0), ("b", "To level", 1)):
            yield f'<div><label for="mk-compare-{key}">{label}</label>'
            yield f'<select id="mk-compare-{key}" name="{key}">'
            index = 0
            for fi, fw in enumerate(self.frameworks):
                yield f'<optgroup label="{_esc(fw.family.name)}">'
                for li, level in enumerate(lv for t in fw.tracks for lv in t.levels):
                    selected = ' selected="selected"' if index == default else ""
                    yield f'<option value="{fi}:{li}"{selected}>{_esc(level.id)} — {_esc(level.title)}</option>'
                    index += 1
                yield "</optgroup>"
            yield "</select></div>"
        yield "</form>"
        yield '<div id="mk-compare-result" aria-live="polite"></div>'
        yield "</section>"

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

    def family(self, fw: Framework) -> Iterator[str]:
        family = fw.family.id
        yield f'<section class="family" id="{_esc(_slug(family))}" aria-labelledby="{_esc(_slug(family, "h"))}">'
        yield (
            f'<h2 id="{_esc(_slug(family, "h"))}">{_esc(fw.family.name)} '
            f'<span class="version">version {_esc(fw.family.version)}</span></h2>'
        )
        yield from self.scale_legend(fw)
        for track in fw.tracks:
            yield from self.track_levels(fw, track)
        yield from self.competencies(fw)
        yield "</section>"

    def scale_legend(self, fw: Framework) -> Iterator[str]:
        yield '<div class="scale"><h3 class="inline">Proficiency scale</h3><ol class="scale-list">'
        for value in fw.scale.values:
            label = fw.scale.labels.get(value)
            yield f"<li>{self.dots(fw, value)} <strong>{value}</strong>{' ' + _esc(label) if label else ''}</li>"
        yield "</ol></div>"

    def dots(self, fw: Framework, value: int) -> str:
        filled = max(0, min(value, fw.scale.max) - fw.scale.min + 1)
        empty = fw.scale.max - fw.scale.min + 1 - filled
        return f'<span class="dots" aria-hidden="true">{"●" * filled}{"○" * empty}</span>'

    def proficiency(self, fw: Framework, value: int | None) -> str:
        if value is None:
            return '<span class="muted">not set</span>'
        label = fw.scale.labels.get(value)
        return f"{self.dots(fw, value)} {value}{' ' + _esc(label) if label else ''}"

    def track_levels(self, fw: Framework, track: Track) -> Iterator[str]:
        anchor = _slug(fw.family.id, "track", track.id)
        yield f'<section class="track" id="{_esc(anchor)}" aria-labelledby="{_esc(anchor)}:h" data-search-group="">'
        yield f'<h3 id="{_esc(anchor)}:h">{_esc(track.name)} levels</h3>'
        if track.entry is not None:
            entry = track.entry
            yield (
                f'<div class="crossover"><p>People enter this track at {self.level_link(fw, entry.to)} from '
                f"{self.level_link(fw, entry.from_)} or above, with:</p>"
                f"{_criteria_html(entry.criteria, fw, entry.to)}</div>"
            )
        for level in track.levels:
            yield from self.level(fw, track, level)
        yield "</section>"

    def level(self, fw: Framework, track: Track, level: Level) -> Iterator[str]:
        anchor = self.level_anchor(fw, level.id)
        following = fw.next_level(level.id)
        yield f'<article class="level" id="{_esc(anchor)}" aria-labelledby="{_esc(anchor)}:h" data-search-item="">'
        yield f'<h4 id="{_esc(anchor)}:h"><span class="lid">{_esc(level.id)}</span> {_esc(level.title)}</h4>'
        facts = [f"<dt>Track</dt><dd>{_esc(track.name)}</dd>"]
        if level.scope:
            facts.append(f'<dt>Scope</dt><dd class="text">{_esc(_clean(level.scope))}</dd>')
        if level.equivalent:
            facts.append(f"<dt>Equivalent to</dt><dd>{self.level_link(fw, level.equivalent)}</dd>")
        yield '<dl class="facts">' + "".join(facts) + "</dl>"
        yield from self.profile(fw, track, level, following)
        yield '<div class="promotion">'
        if following is None:
            yield "<h5>Next step</h5><p>This is the top of the track.</p>"
        else:
            yield f"<h5>To reach {_esc(following.id)} {_esc(following.title)}</h5>"
            yield _criteria_html(fw.criteria_for(level.id), fw, following.id)
        for other in fw.tracks:
            if other.entry is not None and other.entry.from_ == level.id:
                yield f"<h5>To cross over to {_esc(other.name)} ({_esc(other.entry.to)})</h5>"
                yield _criteria_html(other.entry.criteria, fw, other.entry.to)
        for path in fw.lateral_paths:
            if path.from_ == level.id:
                yield f"<h5>Move to another job family: {self.lateral_target(path.to_family, path.to_level)}</h5>"
                if path.transferable:
                    names = ", ".join(
                        fw.competency_by_id[c].name if c in fw.competency_by_id else c for c in path.transferable
                    )
                    yield f"<p>Skills that carry over: {_esc(names)}.</p>"
                if path.note:
                    yield f'<p class="text">{_esc(_clean(path.note))}</p>'
        yield "</div></article>"

    def profile(self, fw: Framework, track: Track, level: Level, following: Level | None) -> Iterator[str]:
        caption_id = _slug(fw.family.id, "profile", level.id)
        yield f'<div class="scroll" role="region" tabindex="0" aria-labelledby="{_esc(caption_id)}">'
        yield '<table class="profile">'
        yield f'<caption id="{_esc(caption_id)}">Role profile: expected proficiency at {_esc(level.id)}</caption>'
        header = '<th scope="col">Competency</th><th scope="col">Expected</th>'
        if following is not None:
            header += f'<th scope="col">At {_esc(following.id)}</th>'
        yield f"<thead><tr>{header}</tr></thead><tbody>"
        for competency in fw.competencies_for(track.id):
            here = level.expected.get(competency.id)
            row = (
                f'<th scope="row"><a href="#{_esc(self.competency_anchor(fw, competency.id))}">'
                f"{_esc(competency.name)}</a></th><td>{self.proficiency(fw, here)}</td>"
            )
            if following is not None:
                there = following.expected.get(competency.id)
                row += f"<td>{self.proficiency(fw, there)}{_change(here, there)}</td>"
            yield f"<tr>{row}</tr>"
        yield "</tbody></table></div>"

    # competencies

    def competencies(self, fw: Framework) -> Iterator[str]:
        anchor = _slug(fw.family.id, "competencies")
        yield (
            f'<section class="competencies" id="{_esc(anchor)}" aria-labelledby="{_esc(anchor)}:h" '
            'data-search-group="">'
        )
        yield f'<h3 id="{_esc(anchor)}:h">Competencies</h3>'
        yield (
            '<p class="lead">Each competency at every level, side by side. <ins>Underlined words</ins> are new '
            "compared with the level before; “▲ +1” marks a higher expected proficiency.</p>"
        )
        for competency in fw.competencies:
            yield from self.competency(fw, competency)
        yield "</section>"

    def competency(self, fw: Framework, competency: Competency) -> Iterator[str]:
        anchor = self.competency_anchor(fw, competency.id)
        tracks = [t for t in fw.tracks if fw.applies_to(competency, t.id)]
        yield f'<section class="competency" id="{_esc(anchor)}" aria-labelledby="{_esc(anchor)}:h" data-search-item="">'
        yield (
            f'<h4 id="{_esc(anchor)}:h">{_esc(competency.name)} <span class="kind">{_esc(competency.kind)}</span></h4>'
        )
        for track in tracks:
            caption_id = _slug(fw.family.id, "competency", competency.id, track.id)
            yield f'<div class="scroll" role="region" tabindex="0" aria-labelledby="{_esc(caption_id)}">'
            yield '<table class="side-by-side">'
            yield f'<caption id="{_esc(caption_id)}">{_esc(competency.name)}: {_esc(track.name)}</caption>'
            yield (
                '<thead><tr><td class="corner"></td>'
                + "".join(
                    f'<th scope="col"><a href="#{_esc(self.level_anchor(fw, lv.id))}">'
                    f'<span class="lid">{_esc(lv.id)}</span> {_esc(lv.title)}</a></th>'
                    for lv in track.levels
                )
                + "</tr></thead><tbody>"
            )
            expected_cells, text_cells = [], []
            previous: Level | None = None
            for level in track.levels:
                here = level.expected.get(competency.id)
                before = previous.expected.get(competency.id) if previous else None
                expected_cells.append(f"<td>{self.proficiency(fw, here)}{_change(before, here)}</td>")
                text = competency.descriptions.get(level.id)
                if text is None:
                    text_cells.append('<td><span class="muted">No description at this level.</span></td>')
                else:
                    old = competency.descriptions.get(previous.id) if previous else None
                    text_cells.append(f'<td class="text">{word_diff_html(old, text)}</td>')
                previous = level
            yield '<tr><th scope="row">Expected</th>' + "".join(expected_cells) + "</tr>"
            yield '<tr><th scope="row">What it looks like</th>' + "".join(text_cells) + "</tr>"
            yield "</tbody></table></div>"
        yield "</section>"


def _change(before: int | None, after: int | None) -> str:
    if before is None or after is None or before == after:
        return ""
    arrow = "▲" if after > before else "▼"
    return f' <span class="change">{arrow} {after - before:+d}</span>'


_CSS = """
:root{--ink:#1b1b1b;--muted:#4d4d4d;--line:#c8c8c8;--soft:#f3f4f6;--link:#0a4f8f;--ins:#fff1a8;--del:#fde2e2}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0 auto;max-width:84rem;padding:0 1rem 2rem;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,
"Helvetica Neue",Arial,sans-serif;color:var(--ink);background:#fff;overflow-wrap:break-word}
a{color:var(--link)}
a:focus-visible,input:focus-visible,select:focus-visible,.scroll:focus-visible{
outline:3px solid #1a5fb4;outline-offset:2px}
[hidden]{display:none!important}
.skip{position:absolute;left:-999px;top:0;background:#fff;padding:.5rem}
.skip:focus{left:1rem}
h1{font-size:1.9rem;margin:1rem 0 .25rem}
h2{font-size:1.5rem;margin:2.5rem 0 .75rem;border-bottom:2px solid var(--ink);padding-bottom:.2rem}
h3{font-size:1.25rem;margin:1.75rem 0 .5rem}
h4{font-size:1.1rem;margin:0 0 .5rem}
h5{font-size:1rem;margin:.75rem 0 .25rem}
h3.inline{display:inline;font-size:1rem;margin:0 .5rem 0 0}
.meta,.muted,.page-footer{color:var(--muted)}
.lead{max-width:48rem}
.version,.kind{font-size:.8em;font-weight:normal;color:var(--muted)}
.kind{border:1px solid var(--line);border-radius:.3rem;padding:0 .35rem}
.lid{font-weight:700;font-variant-numeric:tabular-nums}
.text{white-space:pre-line}
.note,.noscript{display:block}
.contents ul{padding-left:1.2rem;margin:.25rem 0}
.contents h2{font-size:1rem;border:0;margin:.5rem 0 0}
.tools{margin:1rem 0;padding:.75rem;background:var(--soft);border-radius:.4rem}
.tools label,.compare-form label{display:block;font-weight:600}
input[type=search],select{font:inherit;width:100%;max-width:32rem;padding:.4rem;border:1px solid #6b6b6b;
border-radius:.3rem;background:#fff;color:var(--ink)}
.status{margin:.25rem 0 0;min-height:1.5em}
.compare-form{display:flex;flex-wrap:wrap;gap:1rem}
.compare-form>div{flex:1 1 16rem}
.ladders{display:flex;flex-wrap:wrap;gap:1.5rem;align-items:flex-start}
.ladder{flex:1 1 20rem;min-width:0}
.ladder h3{margin-top:0}
.scroll{overflow-x:auto;max-width:100%;margin:.5rem 0}
table{border-collapse:collapse}
caption{text-align:left;font-weight:600;padding:.25rem 0}
th,td{border:1px solid var(--line);padding:.4rem .5rem;vertical-align:top;text-align:left}
thead th{background:var(--soft)}
.ladder-table{width:100%}
.ladder-table td{min-width:9rem;height:3.2rem}
.ladder-table td:empty{background:repeating-linear-gradient(45deg,#fff,#fff 6px,#f6f6f6 6px,#f6f6f6 12px)}
.ladder-table .note{font-size:.85rem;color:var(--muted)}
.rung{display:block}
.moves{padding-left:1.2rem}
.scale-list{list-style:none;padding:0;margin:.25rem 0}
.level{border:1px solid var(--line);border-radius:.4rem;padding:.75rem 1rem;margin:1rem 0}
.facts{display:grid;grid-template-columns:max-content 1fr;gap:.2rem .75rem;margin:0 0 .5rem}
.facts dt{font-weight:600}
.facts dd{margin:0}
.profile td,.profile th{white-space:nowrap}
.dots{letter-spacing:.08em;color:#1b1b1b}
.change{font-weight:600;white-space:nowrap}
.criteria{margin:.25rem 0;padding-left:1.2rem}
.crossover{background:var(--soft);padding:.5rem 1rem;border-radius:.4rem}
.competency{margin:1.5rem 0}
.side-by-side th,.side-by-side td{min-width:14rem;max-width:24rem}
.side-by-side .corner{min-width:0;border:0}
ins{background:var(--ins);text-decoration:underline;text-decoration-thickness:2px;color:inherit}
del{background:var(--del);text-decoration:line-through;color:inherit}
.compare-result th{min-width:8rem}.compare-result td{white-space:nowrap}
.compare-result td.text{min-width:16rem;white-space:pre-line}
@media (max-width:40rem){body{font-size:15px;padding:0 .6rem 1.5rem}h1{font-size:1.5rem}
.facts{grid-template-columns:1fr}.facts dd{margin-bottom:.3rem}}
@media print{
body{max-width:none;padding:0;font-size:10pt;color:#000}
.skip,.contents,.tools,.js-only,noscript{display:none!important}
a{color:inherit;text-decoration:none}
.scroll{overflow:visible}
table{width:100%}
.side-by-side th,.side-by-side td{min-width:0;max-width:none}
.ladder-table td{min-width:0}
.level,.ladder,tr{break-inside:avoid}
h2,h3,h4,h5{break-after:avoid}
thead{display:table-header-group}
ins{background:none}del{background:none}
}
""".replace("\n", "")

_JS = r"""
(function () {
  "use strict";
  var source = document.getElementById("mk-data");
  if (!source || !window.JSON || !document.querySelectorAll) { return; }
  var data = JSON.parse(source.textContent);
  Array.prototype.forEach.call(document.querySelectorAll(".js-only"), function (el) { el.hidden = false; });

  function norm(text) { return text.toLowerCase().replace(/\s+/g, " ").trim(); }

  var search = document.getElementById("mk-search");
  var status = document.getElementById("mk-search-status");
  var items = Array.prototype.slice.call(document.querySelectorAll("[data-search-item]"));
  var texts = items.map(function (el) { return norm(el.textContent); });
  var groups = Array.prototype.slice.call(document.querySelectorAll("[data-search-group]"));
  function filter() {
    var terms = norm(search.value).split(" ").filter(Boolean), shown = 0;
    items.forEach(function (el, i) {
      var hit = terms.every(function (t) { return texts[i].indexOf(t) >= 0; });
      el.hidden = !hit;
      if (hit) { shown += 1; }
    });
    groups.forEach(function (g) {
      g.hidden = terms.length > 0 && !g.querySelector("[data-search-item]:not([hidden])");
    });
    status.textContent = terms.length ? shown + " of " + items.length + " levels and competencies match." : "";
  }
  document.getElementById("mk-search-form").addEventListener("submit", function (e) { e.preventDefault(); });
  search.addEventListener("input", filter);

  function words(text) {
    var out = [], re = /(\s*)(\S+)/g, m;
    while ((m = re.exec(text)) !== null) {
      out.push({ space: m[1], word: m[2], key: m[2].toLowerCase().replace(/[^\p{L}\p{N}]+/gu, "") || m[2] });
    }
    return out;
  }
  function diff(a, b) {
    var n = a.length, m = b.length, lcs = [], i, j, ops = [];
    for (i = n; i >= 0; i -= 1) {
      lcs[i] = [];
      for (j = m; j >= 0; j -= 1) {
        lcs[i][j] = (i === n || j === m) ? 0 :
          (a[i].key === b[j].key ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]));
      }
    }
    i = 0; j = 0;
    while (i < n && j < m) {
      if (a[i].key === b[j].key) { ops.push(["=", b[j]]); i += 1; j += 1; }
      else if (lcs[i + 1][j] >= lcs[i][j + 1]) { ops.push(["-", a[i]]); i += 1; }
      else { ops.push(["+", b[j]]); j += 1; }
    }
    while (i < n) { ops.push(["-", a[i]]); i += 1; }
    while (j < m) { ops.push(["+", b[j]]); j += 1; }
    return ops;
  }
  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = text; }
    if (cls) { node.className = cls; }
    return node;
  }
  function renderDiff(cell, before, after) {
    if (before === null || before === undefined) { cell.textContent = after; return; }
    var open = null, kind = null;
    diff(words(before), words(after)).forEach(function (op, index) {
      var token = op[1], space = index === 0 ? "" : (token.space || " ");
      if (op[0] === "=") {
        cell.appendChild(document.createTextNode(space + token.word));
        open = null; kind = null;
        return;
      }
      if (kind !== op[0]) {
        if (space) { cell.appendChild(document.createTextNode(space)); }
        open = cell.appendChild(el(op[0] === "+" ? "ins" : "del"));
        kind = op[0];
        open.appendChild(document.createTextNode(token.word));
      } else {
        open.appendChild(document.createTextNode(space + token.word));
      }
    });
  }
  function proficiency(value, scale) {
    if (value === undefined) { return "—"; }
    var filled = Math.max(0, Math.min(value, scale.max) - scale.min + 1);
    return new Array(filled + 1).join("●") + new Array(scale.max - scale.min + 2 - filled).join("○") + " " + value;
  }
  function pick(select) {
    var parts = select.value.split(":"), family = data.families[+parts[0]];
    return { family: family, level: family.levels[+parts[1]] };
  }
  var selA = document.getElementById("mk-compare-a"), selB = document.getElementById("mk-compare-b");
  var result = document.getElementById("mk-compare-result");
  function compare() {
    var a = pick(selA), b = pick(selB), seen = {}, ids = [];
    [a, b].forEach(function (side) {
      side.family.competencies.forEach(function (c) {
        if (!seen[c.id] && (c.id in side.level.expected || c.id in side.level.descriptions)) {
          seen[c.id] = c.name; ids.push(c.id);
        }
      });
    });
    var wrap = el("div", null, "scroll"), table = el("table", null, "compare-result");
    wrap.setAttribute("role", "region"); wrap.setAttribute("tabindex", "0");
    wrap.setAttribute("aria-label", "Comparison of " + a.level.id + " and " + b.level.id);
    table.appendChild(el("caption",
      a.level.id + " " + a.level.title + " compared with " + b.level.id + " " + b.level.title));
    var head = table.appendChild(el("thead")).appendChild(el("tr"));
    ["Competency", a.level.id, b.level.id, "Change", "At " + b.level.id + " (changes marked)"].forEach(function (t) {
      var th = head.appendChild(el("th", t)); th.scope = "col";
    });
    var body = table.appendChild(el("tbody"));
    var scopeRow = body.appendChild(el("tr"));
    var sh = scopeRow.appendChild(el("th", "Track and scope")); sh.scope = "row";
    var tracks = scopeRow.appendChild(el("td", a.level.track + " → " + b.level.track, "text"));
    tracks.colSpan = 3;
    renderDiff(scopeRow.appendChild(el("td", null, "text")), a.level.scope, b.level.scope || "");
    ids.forEach(function (id) {
      var row = body.appendChild(el("tr")), th = row.appendChild(el("th", seen[id]));
      var va = a.level.expected[id], vb = b.level.expected[id], change;
      th.scope = "row";
      row.appendChild(el("td", proficiency(va, a.family.scale)));
      row.appendChild(el("td", proficiency(vb, b.family.scale)));
      if (va === undefined || vb === undefined) {
        change = vb === undefined ? "not at " + b.level.id : "new at " + b.level.id;
      }
      else if (va === vb) { change = "same"; }
      else { change = (vb > va ? "▲ +" : "▼ ") + (vb - va); }
      row.appendChild(el("td", change, "change"));
      var cell = row.appendChild(el("td", null, "text")), db = b.level.descriptions[id];
      if (db === undefined) { cell.textContent = "No description at " + b.level.id + "."; }
      else { renderDiff(cell, a.level.descriptions[id], db); }
    });
    wrap.appendChild(table);
    result.textContent = "";
    result.appendChild(wrap);
  }
  selA.addEventListener("change", compare);
  selB.addEventListener("change", compare);
  document.getElementById("mk-compare-form").addEventListener("submit", function (e) {
    e.preventDefault(); compare();
  });
  compare();
}());
"""
