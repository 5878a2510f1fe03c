"""What changed between two versions of one family's framework, for the annual review.

Pure: two loaded frameworks in, a list of `Change` values out, in a stable order that reads top to
bottom (family, scale, tracks and levels, competencies, descriptions, anchors, role profiles, promotion
criteria, entry, lateral paths, evidence, metrics). Items are matched by id, never by position.

>>> from matrixkit.model.framework import load_framework
>>> old = load_framework("templates/engineering.yaml")
>>> new = old.model_copy(update={"family": old.family.model_copy(update={"version": "2027.1"})})
>>> changes = diff_frameworks(old, new)
>>> changes[0].path, changes[0].old, changes[0].new
('family.version', '2026.1', '2027.1')
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal, TypeVar

from matrixkit.model.framework import CRITERIA_KEYS, Criteria, Framework, Level, Track

ChangeKind = Literal["added", "removed", "changed", "renamed", "retitled", "moved", "reordered"]

# The value of an override key that is present but clears the default (`evidence: []`, `null`, `false`).
CLEARED = "none"

SECTIONS = (
    "Family",
    "Scale",
    "Tracks and levels",
    "Competencies",
    "Descriptions",
    "Anchors",
    "Role profiles",
    "Promotion criteria",
    "Entry (crossover)",
    "Lateral paths",
    "Evidence",
    "Metrics",
)


@dataclass(frozen=True)
class Change:
    """One difference. `path` names items by id: ``competencies.communication.descriptions.IC3``.

    `old` / `new` are plain JSON values; None means absent (or, for criteria, not checked). For a level's
    promotion override, a key that is present but clears the default is the string ``"none"``.
    """

    kind: ChangeKind
    path: str
    old: Any
    new: Any
    message: str
    section: str = "Family"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


T = TypeVar("T")


def diff_frameworks(old: Framework, new: Framework) -> list[Change]:
    """Every change from `old` to `new`, grouped by section, in a stable, readable order.

    >>> from matrixkit.model.framework import load_framework
    >>> fw = load_framework("templates/sales.yaml")
    >>> diff_frameworks(fw, fw)
    []
    """
    changes: list[Change] = []
    changes += _family(old, new)
    changes += _scale(old, new)
    changes += _tracks_and_levels(old, new)
    changes += _competencies(old, new)
    changes += _descriptions(old, new)
    changes += _anchors(old, new)
    changes += _role_profiles(old, new)
    changes += _promotion(old, new)
    changes += _entries(old, new)
    changes += _lateral_paths(old, new)
    changes += _evidence(old, new)
    changes += _metrics(old, new)
    return changes


# -- helpers ---------------------------------------------------------------------------------------


def _union(old: Sequence[T], new: Sequence[T], key: Callable[[T], str]) -> list[str]:
    """Keys in the new order, each removed key placed right after the key that preceded it in the old."""
    new_keys = [key(item) for item in new]
    old_keys = [key(item) for item in old]
    result = list(new_keys)
    present = set(new_keys)
    for index, k in enumerate(old_keys):
        if k in present:
            continue
        before = next((old_keys[i] for i in range(index - 1, -1, -1) if old_keys[i] in result), None)
        result.insert(result.index(before) + 1 if before is not None else 0, k)
        present.add(k)
    return result


def _plain(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def show(value: Any) -> str:
    """A value as a person reads it in a change list."""
    value = _plain(value)
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return "[" + ", ".join(show(v) for v in value) + "]" if value else "[]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {show(v)}" for k, v in value.items()) + "}"
    if isinstance(value, str):
        return repr(value) if len(value) <= 80 else repr(value[:77] + "…")
    return str(value)


def _field(section: str, path: str, old: Any, new: Any, what: str, kind: ChangeKind = "changed") -> list[Change]:
    old, new = _plain(old), _plain(new)
    if old == new:
        return []
    if old is None:
        return [Change("added", path, old, new, f"{what} set to {show(new)}", section)]
    if new is None:
        return [Change("removed", path, old, new, f"{what} removed (was {show(old)})", section)]
    return [Change(kind, path, old, new, f"{what}: {show(old)} → {show(new)}", section)]


def word_summary(old: str, new: str, limit: int = 4) -> str:
    """The word-level edits from `old` to `new`: ``-"team" +"department"; +"every quarter"``."""
    a, b = old.split(), new.split()
    parts: list[str] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        removed, added = " ".join(a[i1:i2]), " ".join(b[j1:j2])
        piece = " ".join(
            p for p in (f'-"{_clip(removed)}"' if removed else "", f'+"{_clip(added)}"' if added else "") if p
        )
        parts.append(piece)
    if not parts:
        return "whitespace or line breaks only"
    shown = "; ".join(parts[:limit])
    return shown + (f"; … {len(parts) - limit} more edit(s)" if len(parts) > limit else "")


def _clip(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -- sections --------------------------------------------------------------------------------------


def _family(old: Framework, new: Framework) -> list[Change]:
    s = "Family"
    return [
        *_field(s, "family.id", old.family.id, new.family.id, "family id"),
        *_field(s, "family.name", old.family.name, new.family.name, "family name", "renamed"),
        *_field(s, "family.version", old.family.version, new.family.version, "version"),
        *_field(s, "family.source", old.family.source, new.family.source, "source"),
        *_field(s, "family.license", old.family.license, new.family.license, "license"),
    ]


def _scale(old: Framework, new: Framework) -> list[Change]:
    s = "Scale"
    changes = [
        *_field(s, "scale.min", old.scale.min, new.scale.min, "scale minimum"),
        *_field(s, "scale.max", old.scale.max, new.scale.max, "scale maximum"),
    ]
    for value in sorted(set(old.scale.labels) | set(new.scale.labels)):
        changes += _field(
            s, f"scale.labels.{value}", old.scale.labels.get(value), new.scale.labels.get(value), f"label of {value}"
        )
    return changes


def _level_index(fw: Framework) -> dict[str, tuple[Track, int, Level]]:
    return {level.id: (track, i, level) for track in fw.tracks for i, level in enumerate(track.levels)}


def _tracks_and_levels(old: Framework, new: Framework) -> list[Change]:
    s = "Tracks and levels"
    changes: list[Change] = []
    old_tracks, new_tracks = old.track_by_id, new.track_by_id
    for tid in _union(old.tracks, new.tracks, lambda t: t.id):
        o, n = old_tracks.get(tid), new_tracks.get(tid)
        path = f"tracks.{tid}"
        if o is None and n is not None:
            levels = [lv.id for lv in n.levels]
            changes.append(Change("added", path, None, levels, f"track '{n.name}' added with {show(levels)}", s))
        elif n is None and o is not None:
            levels = [lv.id for lv in o.levels]
            changes.append(Change("removed", path, levels, None, f"track '{o.name}' removed (had {show(levels)})", s))
        elif o is not None and n is not None:
            changes += _field(s, f"{path}.name", o.name, n.name, f"track {tid} name", "renamed")
            old_order = [lv.id for lv in o.levels if lv.id in {x.id for x in n.levels}]
            new_order = [lv.id for lv in n.levels if lv.id in {x.id for x in o.levels}]
            if old_order != new_order:
                changes.append(
                    Change(
                        "reordered",
                        f"{path}.levels",
                        [lv.id for lv in o.levels],
                        [lv.id for lv in n.levels],
                        f"order of track {tid}: {' < '.join(lv.id for lv in o.levels)} → "
                        f"{' < '.join(lv.id for lv in n.levels)}",
                        s,
                    )
                )
    old_levels, new_levels = _level_index(old), _level_index(new)
    all_old = [lv for t in old.tracks for lv in t.levels]
    all_new = [lv for t in new.tracks for lv in t.levels]
    for lid in _union(all_old, all_new, lambda lv: lv.id):
        path = f"levels.{lid}"
        if lid not in old_levels:
            track, _i, level = new_levels[lid]
            changes.append(
                Change("added", path, None, level.title, f"level {lid} '{level.title}' added to track {track.id}", s)
            )
            continue
        if lid not in new_levels:
            track, _i, level = old_levels[lid]
            changes.append(
                Change("removed", path, level.title, None, f"level {lid} '{level.title}' removed from {track.id}", s)
            )
            continue
        (ot, _oi, ol), (nt, _ni, nl) = old_levels[lid], new_levels[lid]
        if ot.id != nt.id:
            changes.append(Change("moved", f"{path}.track", ot.id, nt.id, f"{lid} moved: track {ot.id} → {nt.id}", s))
        below_old = _below(ot, lid)
        below_new = _below(nt, lid)
        if ot.id == nt.id and below_old != below_new:
            changes.append(
                Change(
                    "moved",
                    f"{path}.position",
                    below_old,
                    below_new,
                    f"{lid} moved: now above {below_new or '(bottom of track)'}, was above "
                    f"{below_old or '(bottom of track)'}",
                    s,
                )
            )
        changes += _field(s, f"{path}.title", ol.title, nl.title, f"{lid} title", "retitled")
        changes += _field(s, f"{path}.scope", ol.scope, nl.scope, f"{lid} scope")
        changes += _field(s, f"{path}.equivalent", ol.equivalent, nl.equivalent, f"{lid} equivalent")
    return changes


def _below(track: Track, level_id: str) -> str | None:
    ids = [lv.id for lv in track.levels]
    index = ids.index(level_id)
    return ids[index - 1] if index > 0 else None


def _competencies(old: Framework, new: Framework) -> list[Change]:
    s = "Competencies"
    changes: list[Change] = []
    for cid in _union(old.competencies, new.competencies, lambda c: c.id):
        o, n = old.competency_by_id.get(cid), new.competency_by_id.get(cid)
        path = f"competencies.{cid}"
        if o is None and n is not None:
            changes.append(Change("added", path, None, n.name, f"competency '{n.name}' ({n.kind}) added", s))
        elif n is None and o is not None:
            changes.append(Change("removed", path, o.name, None, f"competency '{o.name}' removed", s))
        elif o is not None and n is not None:
            changes += _field(s, f"{path}.name", o.name, n.name, f"{cid} renamed", "renamed")
            changes += _field(s, f"{path}.kind", o.kind, n.kind, f"{cid} kind")
            old_tracks = list(o.tracks) if o.tracks is not None else ["(every track)"]
            new_tracks = list(n.tracks) if n.tracks is not None else ["(every track)"]
            if old_tracks != new_tracks:
                changes.append(
                    Change(
                        "changed",
                        f"{path}.tracks",
                        _plain(o.tracks),
                        _plain(n.tracks),
                        f"{cid} tracks: {', '.join(old_tracks)} → {', '.join(new_tracks)}",
                        s,
                    )
                )
            changes += _field(s, f"{path}.weight", o.weight, n.weight, f"{cid} weight")
    return changes


def _all_levels(old: Framework, new: Framework) -> list[str]:
    return _union(
        [lv for t in old.tracks for lv in t.levels], [lv for t in new.tracks for lv in t.levels], lambda lv: lv.id
    )


def _descriptions(old: Framework, new: Framework) -> list[Change]:
    s = "Descriptions"
    changes: list[Change] = []
    levels = _all_levels(old, new)
    for cid in _union(old.competencies, new.competencies, lambda c: c.id):
        o, n = old.competency_by_id.get(cid), new.competency_by_id.get(cid)
        if o is None or n is None:
            continue  # an added or removed competency is one change, not one per level
        extra = [k for k in [*o.descriptions, *n.descriptions] if k not in levels]
        for lid in [*levels, *dict.fromkeys(extra)]:
            path = f"competencies.{cid}.descriptions.{lid}"
            what = f"{n.name} at {lid}"
            changes += _text(s, path, o.descriptions.get(lid), n.descriptions.get(lid), what, "description")
    return changes


def _text(section: str, path: str, old: str | None, new: str | None, what: str, noun: str) -> list[Change]:
    """A text of the framework (None: there is none) added, removed or reworded, the rewording summarised."""
    if old == new:
        return []
    if old is None:
        return [Change("added", path, None, new, f"{what}: {noun} added", section)]
    if new is None:
        return [Change("removed", path, old, None, f"{what}: {noun} removed", section)]
    return [Change("changed", path, old, new, f"{what}: {word_summary(old, new)}", section)]


def _anchors(old: Framework, new: Framework) -> list[Change]:
    """What each scale point means per competency: added, removed or reworded, point by point."""
    s = "Anchors"
    changes: list[Change] = []
    for cid in _union(old.competencies, new.competencies, lambda c: c.id):
        o, n = old.competency_by_id.get(cid), new.competency_by_id.get(cid)
        if o is None or n is None:
            continue
        for point in sorted(set(o.anchors) | set(n.anchors)):
            path = f"competencies.{cid}.anchors.{point}"
            what = f"{n.name}, rating {point}"
            changes += _text(s, path, o.anchors.get(point), n.anchors.get(point), what, "anchor")
    return changes


_NOT_ASSESSED = "not assessed"  # a role profile's value for `expected: {id: null}`, as the change list shows it


def _expectation(level: Level, competency_id: str) -> int | str | None:
    return _NOT_ASSESSED if competency_id in level.not_assessed else level.expected.get(competency_id)


def _role_profiles(old: Framework, new: Framework) -> list[Change]:
    s = "Role profiles"
    changes: list[Change] = []
    competencies = _union(old.competencies, new.competencies, lambda c: c.id)
    for lid in _all_levels(old, new):
        o, n = old.level_by_id.get(lid), new.level_by_id.get(lid)
        if o is None or n is None:
            continue
        named = [*o.expected, *n.expected, *o.not_assessed, *n.not_assessed]
        keys = [*competencies, *dict.fromkeys(k for k in named if k not in competencies)]
        for cid in keys:
            a, b = _expectation(o, cid), _expectation(n, cid)
            if a != b:
                changes += _field(s, f"levels.{lid}.expected.{cid}", a, b, f"{lid} expects {cid}")
    return changes


def _override_values(criteria: Criteria | None) -> dict[str, Any]:
    """The keys a level's override names: its value, or CLEARED when it clears the default."""
    if criteria is None:
        return {}
    return {
        key: (CLEARED if getattr(criteria, key) is None else _plain(getattr(criteria, key)))
        for key in CRITERIA_KEYS
        if key in criteria.model_fields_set
    }


def _criteria_changes(section: str, path: str, what: str, old: Criteria, new: Criteria) -> list[Change]:
    changes: list[Change] = []
    for key in CRITERIA_KEYS:
        a, b = _plain(getattr(old, key)), _plain(getattr(new, key))
        if a == b:
            continue
        if a is None:
            changes.append(Change("added", f"{path}.{key}", a, b, f"{what} {key}: now checked, {show(b)}", section))
        elif b is None:
            message = f"{what} {key}: no longer checked (was {show(a)})"
            changes.append(Change("removed", f"{path}.{key}", a, b, message, section))
        else:
            changes.append(Change("changed", f"{path}.{key}", a, b, f"{what} {key}: {show(a)} → {show(b)}", section))
    return changes


def _promotion(old: Framework, new: Framework) -> list[Change]:
    s = "Promotion criteria"
    changes = _criteria_changes(s, "promotion", "default", old.promotion, new.promotion)
    levels = _all_levels(old, new)
    for lid in levels:
        o, n = old.level_by_id.get(lid), new.level_by_id.get(lid)
        if o is None or n is None:
            continue
        a, b = _override_values(o.promotion), _override_values(n.promotion)
        for key in CRITERIA_KEYS:
            if a.get(key) == b.get(key):
                continue
            path = f"levels.{lid}.promotion.{key}"
            if key not in a:
                message = f"{lid} override {key} set to {_show_override(b[key])}"
                changes.append(Change("added", path, None, b[key], message, s))
            elif key not in b:
                message = f"{lid} override {key} removed (was {_show_override(a[key])}; the default applies)"
                changes.append(Change("removed", path, a[key], None, message, s))
            else:
                message = f"{lid} override {key}: {_show_override(a[key])} → {_show_override(b[key])}"
                changes.append(Change("changed", path, a[key], b[key], message, s))
    for lid in levels:
        if lid not in old.level_by_id or lid not in new.level_by_id:
            continue
        changes += _criteria_changes(
            s, f"levels.{lid}.criteria", f"{lid} effective", old.criteria_for(lid), new.criteria_for(lid)
        )
    return changes


def _show_override(value: Any) -> str:
    return "none (cleared)" if value == CLEARED else show(value)


def _entries(old: Framework, new: Framework) -> list[Change]:
    s = "Entry (crossover)"
    changes: list[Change] = []
    for tid in _union(old.tracks, new.tracks, lambda t: t.id):
        ot, nt = old.track_by_id.get(tid), new.track_by_id.get(tid)
        o = ot.entry if ot else None
        n = nt.entry if nt else None
        path = f"tracks.{tid}.entry"
        if o is None and n is None:
            continue
        if o is None and n is not None:
            changes.append(
                Change("added", path, None, f"{n.from_} → {n.to}", f"entry into {tid} added: {n.from_} → {n.to}", s)
            )
            changes += _criteria_changes(s, f"{path}.criteria", f"entry into {tid}", Criteria(), n.criteria)
        elif n is None and o is not None:
            changes.append(Change("removed", path, f"{o.from_} → {o.to}", None, f"entry into {tid} removed", s))
        elif o is not None and n is not None:
            changes += _field(s, f"{path}.from", o.from_, n.from_, f"entry into {tid} from")
            changes += _field(s, f"{path}.to", o.to, n.to, f"entry into {tid} to")
            changes += _criteria_changes(s, f"{path}.criteria", f"entry into {tid}", o.criteria, n.criteria)
    return changes


def _lateral_paths(old: Framework, new: Framework) -> list[Change]:
    s = "Lateral paths"
    changes: list[Change] = []

    def key(path: Any) -> str:
        return f"{path.from_}->{path.to}"

    old_paths = {key(p): p for p in old.lateral_paths}
    new_paths = {key(p): p for p in new.lateral_paths}
    for k in _union(old.lateral_paths, new.lateral_paths, key):
        o, n = old_paths.get(k), new_paths.get(k)
        path = f"lateral_paths.{k}"
        if o is None and n is not None:
            changes.append(Change("added", path, None, k, f"lateral path {n.from_} → {n.to} added", s))
        elif n is None and o is not None:
            changes.append(Change("removed", path, k, None, f"lateral path {o.from_} → {o.to} removed", s))
        elif o is not None and n is not None:
            changes += _field(
                s, f"{path}.transferable", o.transferable or None, n.transferable or None, f"{k} transferable"
            )
            changes += _field(s, f"{path}.note", o.note, n.note, f"{k} note")
    return changes


def _evidence(old: Framework, new: Framework) -> list[Change]:
    s = "Evidence"
    changes: list[Change] = []
    old_items, new_items = {e.id: e for e in old.evidence}, {e.id: e for e in new.evidence}
    for eid in _union(old.evidence, new.evidence, lambda e: e.id):
        o, n = old_items.get(eid), new_items.get(eid)
        if o is None and n is not None:
            changes.append(Change("added", f"evidence.{eid}", None, n.prompt, f"evidence {eid} added: {n.prompt}", s))
        elif n is None and o is not None:
            changes.append(Change("removed", f"evidence.{eid}", o.prompt, None, f"evidence {eid} removed", s))
        elif o is not None and n is not None:
            changes += _field(s, f"evidence.{eid}.prompt", o.prompt, n.prompt, f"evidence {eid} prompt")
    return changes


def _metrics(old: Framework, new: Framework) -> list[Change]:
    s = "Metrics"
    changes: list[Change] = []
    old_items, new_items = {m.id: m for m in old.metrics}, {m.id: m for m in new.metrics}
    for mid in _union(old.metrics, new.metrics, lambda m: m.id):
        o, n = old_items.get(mid), new_items.get(mid)
        path = f"metrics.{mid}"
        if o is None and n is not None:
            changes.append(Change("added", path, None, n.name, f"metric {mid} '{n.name}' added", s))
        elif n is None and o is not None:
            changes.append(Change("removed", path, o.name, None, f"metric {mid} '{o.name}' removed", s))
        elif o is not None and n is not None:
            changes += _field(s, f"{path}.name", o.name, n.name, f"metric {mid} name", "renamed")
            changes += _field(s, f"{path}.min", o.min, n.min, f"metric {mid} minimum")
            changes += _field(s, f"{path}.max", o.max, n.max, f"metric {mid} maximum")
    return changes


# -- text ------------------------------------------------------------------------------------------


_MARK = {"added": "+", "removed": "-"}


def format_changes(changes: Iterable[Change], old: Framework, new: Framework) -> str:
    """The change list grouped by section, as the CLI prints it."""
    changes = list(changes)
    lines = [
        f"{new.family.name} ({new.family.id}): version {old.family.version} → {new.family.version}, "
        f"{len(changes)} change(s)"
    ]
    if not changes:
        lines.append("No changes.")
    for section in SECTIONS:
        group = [c for c in changes if c.section == section]
        if not group:
            continue
        lines.append("")
        lines.append(f"{section} ({len(group)})")
        for change in group:
            lines.append(f"  {_MARK.get(change.kind, '~')} {change.path}: {change.message}")
            if section in ("Descriptions", "Anchors") and change.kind == "changed":
                lines.append(f"      old: {_one_line(change.old)}")
                lines.append(f"      new: {_one_line(change.new)}")
            elif section in ("Descriptions", "Anchors"):
                lines.append(
                    f"      {'new' if change.kind == 'added' else 'old'}: "
                    f"{_one_line(change.new if change.kind == 'added' else change.old)}"
                )
    return "\n".join(lines)


def _one_line(text: Any) -> str:
    return str(text).replace("\n", "⏎ ").strip()
