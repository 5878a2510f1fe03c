"""Write a framework as a readable YAML file that loads back to an equal framework.

Lists of ids and role profiles are written in flow style (``tracks: [ic, management]``), long text as
block scalars, a blank line between top-level sections; whatever equals the default is left out. The
text is loaded back before it is returned, so a file that would not read the same is never written.

>>> from matrixkit.model.framework import load_framework
>>> print(framework_yaml(load_framework("templates/engineering.yaml")).splitlines()[0])
matrixkit: 1
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from matrixkit.errors import FrameworkError, MatrixkitError, YamlSyntaxError
from matrixkit.fileio import atomic_write_bytes
from matrixkit.model.criteria import criterion
from matrixkit.model.framework import CRITERIA_KEYS, SCHEMA_VERSION, Criteria, Framework, framework_from_document
from matrixkit.sources.yamldoc import parse_yaml


class _Flow(list[Any]):
    """A list written in flow style: ``[ic, management]``."""


class _FlowMap(dict[str, Any]):
    """A mapping written in flow style: ``{communication: 3, delivery: 2}``."""


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = None
    if "\n" in value.rstrip("\n"):
        style = "|"
    elif len(value) > 90:
        style = ">"
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _represent_flow(dumper: yaml.SafeDumper, value: _Flow) -> yaml.Node:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=True)


def _represent_flow_map(dumper: yaml.SafeDumper, value: _FlowMap) -> yaml.Node:
    return dumper.represent_mapping("tag:yaml.org,2002:map", value, flow_style=True)


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(_Flow, _represent_flow)
_Dumper.add_representer(_FlowMap, _represent_flow_map)


def plain_number(value: float) -> float:
    """A whole float as an int, so that 3.0 is written 3 (in YAML and in cells); anything else unchanged.

    >>> plain_number(3.0), plain_number(2.5)
    (3, 2.5)
    """
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _criteria_data(criteria: Criteria, *, override: bool) -> dict[str, Any]:
    """The keys to write: checked values; for an override also the keys it clears (empty / null / false)."""
    result: dict[str, Any] = {}
    for key in CRITERIA_KEYS:
        kind = criterion(key)
        value = getattr(criteria, key)
        if value is None:
            if override and key in criteria.model_fields_set:
                result[key] = (
                    _Flow()
                    if kind.value_type == "ids"
                    else _FlowMap()
                    if kind.value_type == "thresholds"
                    else (False if kind.value_type == "yes_no" else None)
                )
            continue
        if kind.value_type == "ids":
            result[key] = _Flow(value)
        elif kind.value_type == "thresholds":
            result[key] = _FlowMap({k: plain_number(v) for k, v in value.items()})
        elif isinstance(value, float):
            result[key] = plain_number(value)
        else:
            result[key] = value
    return result


def framework_data(fw: Framework) -> dict[str, Any]:
    """The framework as plain data in the SPEC's key order, leaving out what equals the default."""
    data: dict[str, Any] = {
        "matrixkit": SCHEMA_VERSION,
        "family": {"id": fw.family.id, "name": fw.family.name, "version": fw.family.version},
        "scale": {"min": fw.scale.min, "max": fw.scale.max},
    }
    for key in ("source", "license"):
        if getattr(fw.family, key) is not None:
            data["family"][key] = getattr(fw.family, key)
    if fw.lint.allow:
        data["lint"] = {"allow": _Flow(fw.lint.allow)}
    if fw.scale.labels:
        data["scale"]["labels"] = dict(fw.scale.labels)
    competencies = []
    for c in fw.competencies:
        item: dict[str, Any] = {"id": c.id, "name": c.name, "kind": c.kind}
        if c.tracks is not None:
            item["tracks"] = _Flow(c.tracks)
        if c.weight != 1:
            item["weight"] = plain_number(c.weight)
        if c.lint.allow:
            item["lint"] = {"allow": _Flow(c.lint.allow)}
        item["descriptions"] = dict(c.descriptions)
        if c.anchors:
            item["anchors"] = dict(c.anchors)
        competencies.append(item)
    data["competencies"] = competencies
    if fw.evidence:
        data["evidence"] = [{"id": e.id, "prompt": e.prompt} for e in fw.evidence]
    if fw.metrics:
        data["metrics"] = [
            {
                "id": m.id,
                "name": m.name,
                **({"min": plain_number(m.min)} if m.min is not None else {}),
                **({"max": plain_number(m.max)} if m.max is not None else {}),
            }
            for m in fw.metrics
        ]
    promotion = _criteria_data(fw.promotion, override=False)
    if promotion:
        data["promotion"] = promotion
    tracks = []
    for t in fw.tracks:
        track: dict[str, Any] = {"id": t.id, "name": t.name}
        if t.entry is not None:
            entry: dict[str, Any] = {"from": t.entry.from_, "to": t.entry.to}
            criteria = _criteria_data(t.entry.criteria, override=False)
            if criteria:
                entry["criteria"] = criteria
            track["entry"] = entry
        levels = []
        for lv in t.levels:
            level: dict[str, Any] = {"id": lv.id, "title": lv.title}
            if lv.scope is not None:
                level["scope"] = lv.scope
            if lv.equivalent is not None:
                level["equivalent"] = lv.equivalent
            if lv.expected or lv.not_assessed:
                # Not assessed (null) last, in their order: the file loads back to the same `not_assessed`.
                level["expected"] = _FlowMap({**lv.expected, **dict.fromkeys(lv.not_assessed)})
            if lv.promotion is not None:
                level["promotion"] = _criteria_data(lv.promotion, override=True)
            levels.append(level)
        track["levels"] = levels
        tracks.append(track)
    data["tracks"] = tracks
    if fw.lateral_paths:
        paths = []
        for p in fw.lateral_paths:
            path: dict[str, Any] = {"from": p.from_, "to": p.to}
            if p.transferable:
                path["transferable"] = _Flow(p.transferable)
            if p.note is not None:
                path["note"] = p.note
            paths.append(path)
        data["lateral_paths"] = paths
    return data


def framework_yaml(fw: Framework, *, header: str | None = None) -> str:
    """The framework as a readable YAML file that loads back to an equal framework.

    >>> from matrixkit.model.framework import load_framework
    >>> print(framework_yaml(load_framework("templates/sales.yaml")).splitlines()[0])
    matrixkit: 1
    """
    data = framework_data(fw)
    text = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False)
    text = _space_sections(text)
    if header:
        text = "".join(f"# {line}".rstrip() + "\n" for line in header.splitlines()) + text
    if not same_framework(_reload(text), fw):
        # A text PyYAML cannot write in block style faithfully: fall back to its default (quoted) styles.
        text = yaml.safe_dump(framework_plain(fw), sort_keys=False, allow_unicode=True, width=100)
        if not same_framework(_reload(text), fw):
            raise MatrixkitError("the framework cannot be written as YAML that loads back the same")
    return text


def framework_plain(fw: Framework) -> dict[str, Any]:
    def plain(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, list):
            return [plain(v) for v in value]
        return value

    return dict(plain(framework_data(fw)))


def _space_sections(text: str) -> str:
    """A blank line before each top-level key, so that sections stand apart."""
    lines = text.splitlines(keepends=True)
    out: list[str] = []
    for index, line in enumerate(lines):
        if index > 1 and line[:1].isalpha():
            out.append("\n")
        out.append(line)
    return "".join(out)


def _reload(text: str) -> Framework | None:
    try:
        return framework_from_document(parse_yaml(text, "<written>"))
    except (FrameworkError, YamlSyntaxError):
        return None


def same_framework(a: Framework | None, b: Framework | None) -> bool:
    """Equal in every value, and in what each level's promotion override names (`none` included)."""
    if a is None or b is None:
        return a is b
    return a.model_dump(by_alias=True) == b.model_dump(by_alias=True) and _overrides(a) == _overrides(b)


def _overrides(fw: Framework) -> dict[str, frozenset[str] | None]:
    return {
        level.id: None if level.promotion is None else frozenset(level.promotion.model_fields_set)
        for track in fw.tracks
        for level in track.levels
    }


def write_framework_yaml(fw: Framework, path: str | Path, *, header: str | None = None) -> Path:
    """Write `fw` as YAML, atomically."""
    atomic_write_bytes(path, framework_yaml(fw, header=header).encode("utf-8"))
    return Path(path)
