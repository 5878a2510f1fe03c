"""The framework model: one job family's levels, tracks, competencies, role profiles and criteria.

Loading checks shape (pydantic) and every reference (ids named elsewhere in the file); quality
checks live in `matrixkit.model.lint`. The model is frozen: derived views are computed once and cached.

>>> fw = load_framework("templates/engineering.yaml")
>>> fw.next_level("IC3").id, fw.criteria_for("IC3").average_at_least
('IC4', 3.5)
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, Strict, ValidationError, model_validator

from matrixkit.errors import FrameworkError, YamlSyntaxError
from matrixkit.model.criteria import CRITERIA_KEYS as CRITERIA_KEYS
from matrixkit.model.criteria import RATING_CRITERIA as RATING_CRITERIA
from matrixkit.model.problems import Problem
from matrixkit.sources.yamldoc import Loc, YamlDocument, format_path, read_yaml

SCHEMA_VERSION = 1

Text = Annotated[str, Strict(), Field(min_length=1)]
Id = Annotated[str, Strict(), Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")]
Int = Annotated[int, Strict()]
Number = Annotated[float, Strict()]
Kind = Literal["core", "functional", "leadership"]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class Family(_Model):
    id: Id
    name: Text
    version: Text
    source: Text | None = None  # where a public framework comes from (a URL or a citation)
    license: Text | None = None  # the terms it is used under, e.g. "CC BY-SA 4.0"


class Scale(_Model):
    min: Int = 1
    max: Int = 5
    labels: dict[Int, Text] = Field(default_factory=dict)

    @property
    def values(self) -> range:
        return range(self.min, self.max + 1)


class LintSettings(_Model):
    """Findings an author accepts on purpose, by code: `lint: {allow: [same-text]}` on a competency or at the
    top of the file (for all of it). Left out of `model_dump`, so of the fingerprint: it changes no meaning."""

    allow: tuple[Text, ...] = ()


class Competency(_Model):
    id: Id
    name: Text
    kind: Kind
    lint: LintSettings = Field(default_factory=LintSettings, exclude=True)
    tracks: tuple[Id, ...] | None = None
    weight: Number = 1.0
    descriptions: dict[Text, Text] = Field(default_factory=dict)
    anchors: dict[Int, Text] = Field(default_factory=dict)  # scale point -> what it means here (any subset)


class EvidenceItem(_Model):
    id: Id
    prompt: Text


class Metric(_Model):
    id: Id
    name: Text
    min: Number | None = None
    max: Number | None = None


class Criteria(_Model):
    """Criteria to move on from a level. `None` means "not checked" (absent, false, null, {} or []).

    One field per kind in `matrixkit.model.criteria.KINDS`, in its order (tests/test_criteria_registry.py).
    """

    average_at_least: Number | None = None
    each_at_least: Number | None = None
    next_level_gaps_at_most: Int | None = None
    sustained_cycles: Int | None = None
    months_in_level_at_least: Int | None = None
    evidence: tuple[Id, ...] | None = None
    metrics_at_least: dict[Id, Number] | None = None
    endorsement: bool | None = None
    calibration: bool | None = None

    @model_validator(mode="before")
    @classmethod
    def _unchecked_to_none(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {key: (None if _means_unchecked(value) else value) for key, value in data.items()}
        return data

    def merged_with(self, override: Criteria | None) -> Criteria:
        """A level's override replaces the default key by key; keys it does not name still apply."""
        if override is None:
            return self
        update = {key: getattr(override, key) for key in override.model_fields_set}
        return self.model_copy(update=update)

    def checked(self) -> dict[str, Any]:
        """The keys that are checked, in the canonical order."""
        return {key: getattr(self, key) for key in CRITERIA_KEYS if getattr(self, key) is not None}

    @property
    def rating_criteria(self) -> dict[str, Any]:
        return {key: value for key, value in self.checked().items() if key in RATING_CRITERIA}


def _means_unchecked(value: Any) -> bool:
    return value is None or value is False or (isinstance(value, dict | list | tuple) and len(value) == 0)


class Entry(_Model):
    from_: Id = Field(alias="from")
    to: Id
    criteria: Criteria = Field(default_factory=Criteria)


class Level(_Model):
    """One level of a track. `expected: {id: null}` in the file means "not assessed at this level": the
    competency is left out of `expected` (so every reader of it sees only numbers) and listed in
    `not_assessed`, in file order.

    >>> level = Level.model_validate({"id": "L1", "title": "One", "expected": {"a": 2, "b": None}})
    >>> level.expected, level.not_assessed
    ({'a': 2}, ('b',))
    """

    id: Id
    title: Text
    scope: Text | None = None
    expected: dict[Id, Int] = Field(default_factory=dict)
    not_assessed: tuple[Id, ...] = ()
    promotion: Criteria | None = None
    equivalent: Id | None = None

    @model_validator(mode="before")
    @classmethod
    def _nulls_to_not_assessed(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        if "not_assessed" in data:  # one way to say it in a file: a null in `expected`
            raise ValueError("write `expected: {competency_id: null}` for a competency not assessed at a level")
        if not isinstance(data.get("expected"), dict):
            return data
        expected = data["expected"]
        nulls = [key for key, value in expected.items() if value is None]
        if not nulls:
            return data
        return {
            **data,
            "expected": {key: value for key, value in expected.items() if value is not None},
            "not_assessed": (*data.get("not_assessed", ()), *nulls),
        }


class Track(_Model):
    id: Id
    name: Text
    entry: Entry | None = None
    levels: tuple[Level, ...] = Field(min_length=1)


class LateralPath(_Model):
    from_: Id = Field(alias="from")
    to: Annotated[str, Strict(), Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*:[A-Za-z0-9][A-Za-z0-9_.\-]*$")]
    transferable: tuple[Id, ...] = ()
    note: Text | None = None

    @property
    def to_family(self) -> str:
        return self.to.split(":", 1)[0]

    @property
    def to_level(self) -> str:
        return self.to.split(":", 1)[1]


class Framework(_Model):
    """One job family, as written in its YAML file."""

    matrixkit: Literal[1]
    family: Family
    lint: LintSettings = Field(default_factory=LintSettings, exclude=True)
    scale: Scale = Field(default_factory=Scale)
    competencies: tuple[Competency, ...] = Field(min_length=1)
    evidence: tuple[EvidenceItem, ...] = ()
    metrics: tuple[Metric, ...] = ()
    promotion: Criteria = Field(default_factory=Criteria)
    tracks: tuple[Track, ...] = Field(min_length=1)
    lateral_paths: tuple[LateralPath, ...] = ()

    _source: YamlDocument | None = PrivateAttr(default=None)
    _numeric_level_ids: tuple[Loc, ...] = PrivateAttr(default=())  # where the file wrote a level id unquoted

    # -- where it came from -------------------------------------------------------------------------

    @property
    def source_file(self) -> str | None:
        return self._source.file if self._source else None

    @property
    def numeric_level_ids(self) -> tuple[Loc, ...]:
        """Where the file wrote a level id as a number (read as its text; lint warns)."""
        return self._numeric_level_ids

    def problem(self, loc: Loc, message: str, *, severity: str = "error", **extra: Any) -> Problem:
        """A problem located at `loc` in this framework's file (line included when known)."""
        if self._source is not None:
            return self._source.problem(loc, message, severity=severity, **extra)
        return Problem(severity, message, path=format_path(loc) or None, **extra)  # type: ignore[arg-type]

    # -- derived views, computed once ---------------------------------------------------------------

    @cached_property
    def competency_by_id(self) -> dict[str, Competency]:
        return {c.id: c for c in self.competencies}

    @cached_property
    def track_by_id(self) -> dict[str, Track]:
        return {t.id: t for t in self.tracks}

    @cached_property
    def level_by_id(self) -> dict[str, Level]:
        return {level.id: level for track in self.tracks for level in track.levels}

    @cached_property
    def track_of_level(self) -> dict[str, Track]:
        return {level.id: track for track in self.tracks for level in track.levels}

    @cached_property
    def _next_level(self) -> dict[str, Level | None]:
        result: dict[str, Level | None] = {}
        for track in self.tracks:
            for index, level in enumerate(track.levels):
                result[level.id] = track.levels[index + 1] if index + 1 < len(track.levels) else None
        return result

    def next_level(self, level_id: str) -> Level | None:
        """The next level up the same track, or None at the top of the track."""
        return self._next_level[level_id]

    def applies_to(self, competency: Competency, track_id: str) -> bool:
        return competency.tracks is None or track_id in competency.tracks

    @cached_property
    def _competencies_by_track(self) -> dict[str, tuple[Competency, ...]]:
        return {track.id: tuple(c for c in self.competencies if self.applies_to(c, track.id)) for track in self.tracks}

    def competencies_for(self, track_id: str) -> tuple[Competency, ...]:
        """The competencies of this track, in file order (at a level, see `competencies_at`)."""
        return self._competencies_by_track[track_id]

    @cached_property
    def _competencies_by_level(self) -> dict[str, tuple[Competency, ...]]:
        return {
            level.id: tuple(c for c in self._competencies_by_track[track.id] if c.id not in level.not_assessed)
            for track in self.tracks
            for level in track.levels
        }

    def competencies_at(self, level_id: str) -> tuple[Competency, ...]:
        """The competencies an employee at this level is rated on: those of its track, less the ones the
        level does not assess (`expected: {id: null}`), in file order.

        >>> fw = load_framework("templates/engineering.yaml")
        >>> len(fw.competencies_at("IC1")) == len(fw.competencies_for("ic"))
        True
        """
        return self._competencies_by_level[level_id]

    def assessed(self, competency_id: str, level_id: str) -> bool:
        """True when an employee at `level_id` is rated on `competency_id` (its track, and not `null`)."""
        return any(c.id == competency_id for c in self._competencies_by_level[level_id])

    @cached_property
    def _criteria_by_level(self) -> dict[str, Criteria]:
        return {
            level.id: self.promotion.merged_with(level.promotion) for track in self.tracks for level in track.levels
        }

    def criteria_for(self, level_id: str) -> Criteria:
        """Criteria to leave `level_id` for the next level: the level's override merged over the default."""
        return self._criteria_by_level[level_id]

    def description(self, competency_id: str, level_id: str) -> str | None:
        return self.competency_by_id[competency_id].descriptions.get(level_id)

    @cached_property
    def fingerprint(self) -> str:
        """A short hash of the canonical form: equal for frameworks that mean the same thing."""
        canonical = json.dumps(
            _without_unset_additions(self.model_dump(mode="json", by_alias=True)), sort_keys=True, ensure_ascii=False
        )
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def _without_unset_additions(data: dict[str, Any]) -> dict[str, Any]:
    """The dump without the keys added in SPEC rev 2 where a file does not use them, so that a framework
    keeps the fingerprint its workbooks were generated with (returned workbooks are checked against it)."""
    family = data["family"]
    for key in ("source", "license"):
        if family.get(key) is None:
            family.pop(key, None)
    for competency in data["competencies"]:
        if not competency.get("anchors"):
            competency.pop("anchors", None)
    for track in data["tracks"]:
        for level in track["levels"]:
            if not level.get("not_assessed"):
                level.pop("not_assessed", None)
    return data


# -- loading ---------------------------------------------------------------------------------------


def load_framework(path: str | Path) -> Framework:
    """Load and check one framework file; raise `FrameworkError` listing every problem found."""
    try:
        doc = read_yaml(path)
    except YamlSyntaxError as exc:
        raise FrameworkError([exc.problem]) from None
    return framework_from_document(doc)


def framework_from_document(doc: YamlDocument) -> Framework:
    if not isinstance(doc.data, dict):
        raise FrameworkError(
            [doc.problem((), "expected a mapping with matrixkit, family, competencies and tracks", code="schema")]
        )
    version = doc.data.get("matrixkit")
    if version != SCHEMA_VERSION:
        raise FrameworkError(
            [
                doc.problem(
                    ("matrixkit",),
                    f"expected schema version `matrixkit: {SCHEMA_VERSION}`, found {version!r}",
                    code="schema",
                )
            ]
        )
    data, numeric = level_ids_as_text(doc.data)
    try:
        framework = Framework.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        raise FrameworkError([_schema_problem(doc, error) for error in errors if not _echo(error, errors)]) from None
    framework._source = doc
    framework._numeric_level_ids = tuple(numeric)
    problems = check_references(framework)
    if problems:
        raise FrameworkError(problems)
    return framework


def level_ids_as_text(data: Any) -> tuple[Any, list[Loc]]:
    """The data with every level id written as a whole number (`id: 1`, `descriptions: {1: ...}`,
    `from: 1`, `to: 2`, `equivalent: 3`) turned into its text, and where each was. Level ids are text
    (SPEC rev 2); YAML reads an unquoted `1` as a number. The data is copied only when something changes.

    >>> level_ids_as_text({"tracks": [{"levels": [{"id": 1, "equivalent": "M1"}]}]})
    ({'tracks': [{'levels': [{'id': '1', 'equivalent': 'M1'}]}]}, [('tracks', 0, 'levels', 0, 'id')])
    """
    found: list[Loc] = []

    def number(value: Any) -> bool:
        return isinstance(value, int) and not isinstance(value, bool)

    def fields(item: Any, loc: Loc, keys: Sequence[str]) -> Any:
        if not isinstance(item, dict) or not any(number(item.get(key)) for key in keys):
            return item
        changed = dict(item)
        for key in keys:
            if number(item.get(key)):
                changed[key] = str(item[key])
                found.append((*loc, key))
        return changed

    def items(container: Any, key: str) -> list[tuple[int, Any]]:
        value = container.get(key) if isinstance(container, dict) else None
        return list(enumerate(value)) if isinstance(value, list) else []

    if not isinstance(data, dict):
        return data, found
    result = dict(data)
    tracks = []
    for ti, track in items(data, "tracks"):
        if isinstance(track, dict):
            track = dict(track)
            if isinstance(track.get("entry"), dict):
                track["entry"] = fields(track["entry"], ("tracks", ti, "entry"), ("from", "to"))
            if isinstance(track.get("levels"), list):
                track["levels"] = [
                    fields(level, ("tracks", ti, "levels", li), ("id", "equivalent"))
                    for li, level in items(track, "levels")
                ]
        tracks.append(track)
    competencies = []
    for ci, comp in items(data, "competencies"):
        descriptions = comp.get("descriptions") if isinstance(comp, dict) else None
        if isinstance(descriptions, dict) and any(number(key) for key in descriptions):
            found.extend(("competencies", ci, "descriptions", str(key)) for key in descriptions if number(key))
            comp = {**comp, "descriptions": {str(k) if number(k) else k: v for k, v in descriptions.items()}}
        competencies.append(comp)
    paths = [fields(path, ("lateral_paths", pi), ("from",)) for pi, path in items(data, "lateral_paths")]
    if not found:
        return data, found
    for key, value in (("tracks", tracks), ("competencies", competencies), ("lateral_paths", paths)):
        if isinstance(data.get(key), list):
            result[key] = value
    return result, found


# -- what lint can still check of a file that does not load ----------------------------------------

_SALVAGE_ROUNDS = 25  # each round cuts at least one part; real files need two or three
_DEFINERS = frozenset({"competencies", "tracks", "levels", "evidence", "metrics"})  # lists of items with ids


@dataclass(frozen=True)
class SalvagedFramework:
    """The parts of a framework file that parse, as a model lint can check, and what was left out.

    A compiler keeps going after its first error: so does lint. `framework` is the file without the parts
    that failed validation (a value, a key, or the item holding a missing key); its problems point at the
    file's own lines. `keeps` drops what would be a consequence of the cut rather than a fault of the file.
    """

    framework: Framework
    left_out: tuple[str, ...]  # paths of the cut parts, as problems name them
    left_out_ids: frozenset[str]  # ids of the competencies, tracks, levels, … that were cut

    def keeps(self, problem: Problem) -> bool:
        """False for a problem in a cut part or about what holds one (its counts and lists are off), and
        for one that names the id of a cut item (it exists in the file, and lint has not seen it).

        >>> from matrixkit.model.problems import Problem
        >>> cut = SalvagedFramework(None, ("tracks[0].levels[1]",), frozenset({"L2"}))  # type: ignore[arg-type]
        >>> paths = ("tracks[0].levels", "tracks[0].levels[2]")
        >>> [cut.keeps(Problem("warning", "m", path=p, code="level-count")) for p in paths]
        [False, True]
        >>> cut.keeps(Problem("error", "unknown level 'L2'", path="competencies[0].descriptions.L2", code="reference"))
        False
        """
        path = problem.path or ""
        for cut in self.left_out:
            if _within(path, cut) or _within(cut, path):
                return False
        named = re.compile(r"(?<![\w.-])(?:" + "|".join(map(re.escape, sorted(self.left_out_ids))) + r")(?![\w-])")
        return not (self.left_out_ids and (named.search(problem.message) or named.search(path)))


def _within(path: str, container: str) -> bool:
    return path == container or path.startswith((container + ".", container + "[")) or not container


@dataclass(frozen=True)
class _PrunedDocument(YamlDocument):
    """A document with list items cut: locations in the pruned data are mapped back to the file's."""

    deletions: tuple[tuple[Loc, int], ...] = ()  # (list's location, index removed), in the order applied

    def problem(self, loc: Loc, message: str, *, severity: str = "error", **extra: Any) -> Problem:
        return super().problem(_original(self.deletions, loc), message, severity=severity, **extra)


def _original(deletions: Sequence[tuple[Loc, int]], loc: Loc) -> Loc:
    parts = list(loc)
    for where, index in reversed(deletions):
        depth = len(where)
        if len(parts) > depth and tuple(parts[:depth]) == where:
            position = parts[depth]
            if isinstance(position, int) and position >= index:
                parts[depth] = position + 1
    return tuple(parts)


def salvage_framework(doc: YamlDocument) -> SalvagedFramework | None:
    """The framework without the parts that fail validation; None when too little is left to check.

    >>> from matrixkit.sources.yamldoc import parse_yaml
    >>> text = open("templates/startup.yaml").read().replace("title: Contributor", "title: [Contributor]", 1)
    >>> salvaged = salvage_framework(parse_yaml(text, "startup.yaml"))
    >>> salvaged.left_out, sorted(salvaged.left_out_ids)
    (('tracks[0].levels[0]',), ['S1'])
    """
    if not isinstance(doc.data, dict) or doc.data.get("matrixkit") != SCHEMA_VERSION:
        return None
    data, numeric = level_ids_as_text(copy.deepcopy(doc.data))
    deletions: list[tuple[Loc, int]] = []
    left_out: list[str] = []
    cut_ids: set[str] = set()
    for _ in range(_SALVAGE_ROUNDS):
        try:
            framework = Framework.model_validate(data)
        except ValidationError as exc:
            cuts = _cuts(data, [(tuple(error["loc"]), error["type"]) for error in exc.errors()])
            if not cuts or () in cuts:
                return None
            # Highest index first, so that each cut's location still holds when it is made.
            for loc in sorted(cuts, key=lambda loc: [(isinstance(p, str), p) for p in loc], reverse=True):
                left_out.append(format_path(_original(deletions, loc)))
                parent, key = _node(data, loc[:-1]), loc[-1]
                if isinstance(parent, list) and isinstance(key, int):
                    item = parent[key]
                    if len(loc) >= 2 and loc[-2] in _DEFINERS and isinstance(item, dict) and "id" in item:
                        cut_ids.add(str(item["id"]))
                    deletions.append((loc[:-1], key))
                del parent[key]
            continue
        framework._source = _PrunedDocument(data, doc.file, doc.lines, tuple(deletions))
        framework._numeric_level_ids = tuple(numeric)
        outermost = sorted(p for p in set(left_out) if not any(o != p and _within(p, o) for o in left_out))
        return SalvagedFramework(framework, tuple(outermost), frozenset(cut_ids))
    return None


def _node(data: Any, loc: Loc) -> Any:
    for part in loc:
        data = data[part]
    return data


def _present(data: Any, loc: Loc) -> Loc:
    """The longest start of `loc` that is in the data (a union's member names are not)."""
    node, found = data, 0
    for part in loc:
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if in_list or (isinstance(node, dict) and part in node):
            node = node[part]
        else:
            break
        found += 1
    return loc[:found]


def _cuts(data: Any, errors: Sequence[tuple[Loc, str]]) -> set[Loc]:
    """Where to cut for each error: the bad value (or the entry of a bad key), or the item that lacks a
    required key. A list called too short is cut only when nothing inside it is: pydantic also calls a
    list with a bad item too short."""
    found: dict[Loc, str] = {}
    for loc, kind in errors:
        if "[key]" in loc:
            loc = loc[: loc.index("[key]")]
        found[_present(data, loc)] = kind

    def holds(outer: Loc, inner: Loc) -> bool:
        return len(inner) > len(outer) and inner[: len(outer)] == outer

    cuts = {loc for loc, kind in found.items() if kind != "too_short" or not any(holds(loc, o) for o in found)}
    return {loc for loc in cuts if not any(holds(other, loc) for other in cuts)}


def load_frameworks(paths: Iterable[str | Path]) -> list[Framework]:
    """Load files and folders of frameworks; check references between families.

    Raises `FrameworkError` with the problems of every file, not just the first bad one.
    """
    frameworks: list[Framework] = []
    problems: list[Problem] = []
    for path in expand_framework_paths(paths):
        try:
            frameworks.append(load_framework(path))
        except FrameworkError as exc:
            problems.extend(exc.problems)
    problems.extend(check_families(frameworks))
    if problems:
        raise FrameworkError(problems)
    return frameworks


def expand_framework_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files as given; folders expanded to their *.yaml / *.yml files, sorted."""
    result: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            result.extend(sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file()))
        else:
            result.append(path)
    return result


def _echo(error: Any, errors: Sequence[Any]) -> bool:
    """Pydantic also calls a list with a bad item too short ("at least 1 item after validation"): not news."""
    loc = tuple(error["loc"])
    return error["type"] == "too_short" and any(
        len(e["loc"]) > len(loc) and tuple(e["loc"][: len(loc)]) == loc for e in errors
    )


_TYPE_WORDS = {
    "string_type": "text",
    "int_type": "a whole number",
    "float_type": "a number",
    "bool_type": "true or false",
    "dict_type": "a mapping (key: value)",
    "tuple_type": "a list",
    "list_type": "a list",
    "literal_error": "one of the allowed values",
}


def _schema_problem(doc: YamlDocument, error: Any) -> Problem:
    loc: Loc = tuple(error["loc"])
    kind = error["type"]
    found = error.get("input")
    if kind == "extra_forbidden":
        parent = loc[:-1]
        message = f"unknown key '{loc[-1]}'"
        allowed = _allowed_keys(doc.data, parent)
        hint = f"expected one of: {', '.join(allowed)}" if allowed else None
        return doc.problem(loc, message, code="schema", hint=hint)
    if kind == "missing":
        return doc.problem(loc, f"missing required key '{loc[-1]}'", code="schema")
    if kind == "string_pattern_mismatch":
        return doc.problem(
            loc,
            f"{found!r} is not a valid id: use letters, digits, '_', '-' or '.', starting with a letter or "
            "digit" + (" (lateral `to` is family_id:level_id)" if loc and "to" in loc else ""),
            code="schema",
        )
    if kind == "too_short":
        return doc.problem(loc, "must not be empty", code="schema")
    if kind in _TYPE_WORDS:
        expected = _TYPE_WORDS[kind]
        if kind == "literal_error":
            expected = error.get("ctx", {}).get("expected", expected)
        hint = None
        if kind == "string_type" and isinstance(found, int | float) and not isinstance(found, bool):
            hint = f'quote it: "{found}"'
        return doc.problem(loc, f"expected {expected}, found {_describe(found)}", code="schema", hint=hint)
    return doc.problem(loc, error["msg"], code="schema")


def _describe(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"{str(value).lower()} (true/false)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, int | float):
        return f"the number {value}"
    return repr(value)


def _allowed_keys(data: Any, loc: Loc) -> list[str]:
    model: type[BaseModel] | None = Framework
    node = data
    for part in loc:
        if model is None:
            return []
        if isinstance(part, int):
            continue
        field = next(
            (f for name, f in model.model_fields.items() if (f.alias or name) == part),
            None,
        )
        if field is None:
            return []
        model = _model_in(field.annotation)
        node = node.get(part) if isinstance(node, dict) else None
    if model is None:
        return []
    return [f.alias or name for name, f in model.model_fields.items()]


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _model_in(arg)
        if found is not None:
            return found
    return None


# -- reference checks ------------------------------------------------------------------------------


def check_references(fw: Framework) -> list[Problem]:
    """Every id named in the file must exist where it is named. Returns errors, never raises."""
    problems: list[Problem] = []

    def error(loc: Loc, message: str) -> None:
        problems.append(fw.problem(loc, message, code="reference"))

    _check_unique(fw, problems)
    level_ids = set(fw.level_by_id)
    track_ids = set(fw.track_by_id)
    competency_ids = set(fw.competency_by_id)
    evidence_ids = {e.id for e in fw.evidence}
    metric_ids = {m.id for m in fw.metrics}

    for ci, comp in enumerate(fw.competencies):
        for ti, track_id in enumerate(comp.tracks or ()):
            if track_id not in track_ids:
                error(("competencies", ci, "tracks", ti), f"unknown track '{track_id}'{_known(track_ids)}")
        for level_id in comp.descriptions:
            if level_id not in level_ids:
                error(
                    ("competencies", ci, "descriptions", level_id),
                    f"unknown level '{level_id}'{_known(level_ids)}",
                )
        for point in comp.anchors:
            if point not in fw.scale.values:
                error(
                    ("competencies", ci, "anchors", str(point)),
                    f"anchor {point} is outside the scale ({fw.scale.min}-{fw.scale.max})",
                )

    def check_criteria(criteria: Criteria | None, loc: Loc) -> None:
        if criteria is None:
            return
        for ei, evidence_id in enumerate(criteria.evidence or ()):
            if evidence_id not in evidence_ids:
                error((*loc, "evidence", ei), f"unknown evidence item '{evidence_id}'{_known(evidence_ids)}")
        for metric_id in criteria.metrics_at_least or {}:
            if metric_id not in metric_ids:
                error((*loc, "metrics_at_least", metric_id), f"unknown metric '{metric_id}'{_known(metric_ids)}")

    check_criteria(fw.promotion, ("promotion",))
    for ti, track in enumerate(fw.tracks):
        applicable = {c.id for c in fw.competencies_for(track.id)}
        if track.entry is not None:
            entry_loc: Loc = ("tracks", ti, "entry")
            source_track = fw.track_of_level.get(track.entry.from_)
            if source_track is None:
                error((*entry_loc, "from"), f"unknown level '{track.entry.from_}'{_known(level_ids)}")
            elif source_track.id == track.id:
                error(
                    (*entry_loc, "from"),
                    f"'{track.entry.from_}' is on this track; entry comes from another track",
                )
            if track.entry.to not in {level.id for level in track.levels}:
                error((*entry_loc, "to"), f"'{track.entry.to}' is not a level of track '{track.id}'")
            check_criteria(track.entry.criteria, (*entry_loc, "criteria"))
        for li, level in enumerate(track.levels):
            level_loc: Loc = ("tracks", ti, "levels", li)
            for comp_id in (*level.expected, *level.not_assessed):
                if comp_id not in competency_ids:
                    error(
                        (*level_loc, "expected", comp_id),
                        f"unknown competency '{comp_id}'{_known(competency_ids)}",
                    )
                elif comp_id not in applicable:
                    error(
                        (*level_loc, "expected", comp_id),
                        f"competency '{comp_id}' does not apply to track '{track.id}' (see its `tracks`)",
                    )
            check_criteria(level.promotion, (*level_loc, "promotion"))
            if level.equivalent is not None:
                other = fw.track_of_level.get(level.equivalent)
                if other is None:
                    error((*level_loc, "equivalent"), f"unknown level '{level.equivalent}'{_known(level_ids)}")
                elif other.id == track.id:
                    error((*level_loc, "equivalent"), "an equivalent level must be on another track")

    for pi, path in enumerate(fw.lateral_paths):
        if path.from_ not in level_ids:
            error(("lateral_paths", pi, "from"), f"unknown level '{path.from_}'{_known(level_ids)}")
        for ti, comp_id in enumerate(path.transferable):
            if comp_id not in competency_ids:
                error(("lateral_paths", pi, "transferable", ti), f"unknown competency '{comp_id}'")
    return problems


def _check_unique(fw: Framework, problems: list[Problem]) -> None:
    def first_seen(items: Sequence[tuple[str, Loc]], what: str) -> None:
        seen: dict[str, Loc] = {}
        for value, loc in items:
            if value in seen:
                problems.append(
                    fw.problem(
                        loc,
                        f"duplicate {what} '{value}' (also at {format_path(seen[value])})",
                        code="duplicate",
                    )
                )
            else:
                seen[value] = loc

    first_seen([(c.id, ("competencies", i, "id")) for i, c in enumerate(fw.competencies)], "competency id")
    first_seen([(c.name, ("competencies", i, "name")) for i, c in enumerate(fw.competencies)], "competency name")
    first_seen([(t.id, ("tracks", i, "id")) for i, t in enumerate(fw.tracks)], "track id")
    first_seen(
        [
            (level.id, ("tracks", ti, "levels", li, "id"))
            for ti, track in enumerate(fw.tracks)
            for li, level in enumerate(track.levels)
        ],
        "level id",
    )
    first_seen([(e.id, ("evidence", i, "id")) for i, e in enumerate(fw.evidence)], "evidence id")
    first_seen([(m.id, ("metrics", i, "id")) for i, m in enumerate(fw.metrics)], "metric id")


def _known(ids: Iterable[str]) -> str:
    names = sorted(ids)
    if not names:
        return " (none defined)"
    shown = ", ".join(names[:12]) + (", …" if len(names) > 12 else "")
    return f" (known: {shown})"


def check_families(frameworks: Sequence[Framework]) -> list[Problem]:
    """References between families: a lateral path's target level, and its transferable competencies."""
    problems: list[Problem] = []
    by_family: dict[str, Framework] = {}
    for fw in frameworks:
        if fw.family.id in by_family:
            problems.append(
                fw.problem(
                    ("family", "id"),
                    f"family '{fw.family.id}' is also defined in {by_family[fw.family.id].source_file}",
                    code="duplicate",
                )
            )
        else:
            by_family[fw.family.id] = fw
    for fw in frameworks:
        for pi, path in enumerate(fw.lateral_paths):
            target = by_family.get(path.to_family)
            if target is None:
                continue
            if path.to_level not in target.level_by_id:
                problems.append(
                    fw.problem(
                        ("lateral_paths", pi, "to"),
                        f"family '{target.family.id}' has no level '{path.to_level}'{_known(target.level_by_id)}",
                        code="reference",
                    )
                )
            for ti, comp_id in enumerate(path.transferable):
                if comp_id not in target.competency_by_id:
                    problems.append(
                        fw.problem(
                            ("lateral_paths", pi, "transferable", ti),
                            f"competency '{comp_id}' does not exist in family '{target.family.id}'",
                            code="reference",
                        )
                    )
    return problems
