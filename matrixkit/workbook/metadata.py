"""What a generated workbook says about itself, written in two places and read back from either.

The hidden `_matrixkit` sheet holds key/value rows; the document's custom properties repeat them
(named `matrixkit_…`, the families in one `id=version@fingerprint;…` property) for when a manager
deletes the sheet. Encoding and decoding live together here and are each other's inverse: a value
the plan does not have is written empty and read back as None, never as a placeholder.

>>> meta = WorkbookMetadata(cycle="2026-Q4", kind="blank_matrix", families=(FamilyStamp("eng", "1;2", "ab12"),))
>>> encode_properties(meta)["matrixkit_families"], encode_properties(meta)["matrixkit_manager_id"]
('eng=1%3B2@ab12', '')
>>> decode_properties(encode_properties(meta)) == meta
True
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

from matrixkit import __version__
from matrixkit.workbook.layout import LAYOUT_VERSION, WorkbookPlan

FAMILY_KEY_PREFIX = "family:"  # a hidden-sheet key: `family:<id>`, its value the family's JSON
PROPERTY_PREFIX = "matrixkit_"
FAMILIES_PROPERTY = "matrixkit_families"
# The separators of the families property, and `%` itself, are percent-escaped inside its fields.
_FAMILY_ESCAPES = {"%": "%25", ";": "%3B", "=": "%3D", "@": "%40"}
_FAMILY_ESCAPED = re.compile("|".join(re.escape(escape) for escape in _FAMILY_ESCAPES.values()))
_FAMILY_UNESCAPES = {escape: char for char, escape in _FAMILY_ESCAPES.items()}


@dataclass(frozen=True)
class FamilyStamp:
    """One framework as a workbook records it; name, sheet and headers only in the hidden sheet."""

    family_id: str
    version: str
    fingerprint: str
    name: str | None = None
    sheet: str | None = None
    # header text → "kind" or "kind:key": lets a later framework version read the file by id
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class WorkbookMetadata:
    """The workbook's identity; None where the plan has nothing (a blank matrix has no manager)."""

    matrixkit_version: str | None = None
    layout: str | None = None
    cycle: str | None = None
    manager_id: str | None = None
    manager_name: str | None = None
    kind: str | None = None
    employee_id: str | None = None
    families: tuple[FamilyStamp, ...] = ()

    def without_sheet_details(self) -> WorkbookMetadata:
        """What the custom properties can carry: families by version and fingerprint only."""
        return WorkbookMetadata(
            **{name: getattr(self, name) for name in _SCALARS},
            families=tuple(FamilyStamp(f.family_id, f.version, f.fingerprint) for f in self.families),
        )


_SCALARS = tuple(f.name for f in fields(WorkbookMetadata) if f.name != "families")  # also the sheet's keys


def _property_name(key: str) -> str:
    return key if key.startswith(PROPERTY_PREFIX) else PROPERTY_PREFIX + key


PROPERTY_NAMES = (*map(_property_name, _SCALARS), FAMILIES_PROPERTY)


def metadata_of(plan: WorkbookPlan) -> WorkbookMetadata:
    """What a workbook written from `plan` records about itself."""
    return WorkbookMetadata(
        matrixkit_version=__version__,
        layout=str(LAYOUT_VERSION),
        cycle=plan.cycle or None,
        manager_id=plan.manager.id if plan.manager else None,
        manager_name=plan.manager.name if plan.manager else None,
        kind=plan.kind,
        employee_id=plan.subject.employee_id if plan.subject else None,
        families=tuple(
            FamilyStamp(
                sheet.framework.family.id,
                sheet.framework.family.version,
                sheet.framework.fingerprint,
                name=sheet.framework.family.name,
                sheet=sheet.name,
                headers={c.header: f"{c.kind}:{c.key}" if c.key else c.kind for c in sheet.columns},
            )
            for sheet in plan.sheets
        ),
    )


def encode_sheet(meta: WorkbookMetadata) -> list[tuple[str, str]]:
    """The hidden sheet's rows: (key, value), an absent value as an empty cell's text."""
    rows = [(key, getattr(meta, key) or "") for key in _SCALARS]
    for family in meta.families:
        described = {
            "name": family.name or "",
            "version": family.version,
            "fingerprint": family.fingerprint,
            "sheet": family.sheet or "",
            "headers": dict(family.headers),
        }
        rows.append((FAMILY_KEY_PREFIX + family.family_id, json.dumps(described, ensure_ascii=False, sort_keys=True)))
    return rows


def decode_sheet(rows: Iterable[Sequence[Any]]) -> WorkbookMetadata:
    """The inverse of `encode_sheet`, over the cells a spreadsheet reader gives back (None for empty).

    A row whose family JSON a manager damaged is left out, so the sheet is then matched by name.
    """
    values: dict[str, Any] = {}
    families: list[FamilyStamp] = []
    for row in rows:
        if len(row) < 2 or row[0] in (None, ""):
            continue
        key, value = str(row[0]), _text(row[1])
        if key.startswith(FAMILY_KEY_PREFIX):
            family = _family_from_json(key.removeprefix(FAMILY_KEY_PREFIX), value or "")
            if family is not None:
                families.append(family)
        elif key in _SCALARS:
            values[key] = value
    return WorkbookMetadata(**values, families=tuple(families))


def encode_properties(meta: WorkbookMetadata) -> dict[str, str]:
    """The custom document properties, named as in `PROPERTY_NAMES`; an absent value is empty."""
    properties = {_property_name(key): getattr(meta, key) or "" for key in _SCALARS}
    properties[FAMILIES_PROPERTY] = ";".join(
        "=".join((_escape(f.family_id), "@".join((_escape(f.version), _escape(f.fingerprint))))) for f in meta.families
    )
    return properties


def decode_properties(properties: Mapping[str, str]) -> WorkbookMetadata:
    """The inverse of `encode_properties`; other properties (a user's own) are ignored."""
    values: dict[str, Any] = {key: properties.get(_property_name(key)) or None for key in _SCALARS}
    families = []
    for entry in (properties.get(FAMILIES_PROPERTY) or "").split(";"):
        family_id, _, rest = entry.partition("=")
        version, _, fingerprint = rest.partition("@")
        if family_id:
            families.append(FamilyStamp(_unescape(family_id), _unescape(version), _unescape(fingerprint)))
    return WorkbookMetadata(**values, families=tuple(families))


def _text(value: object) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, float) and value.is_integer():  # a re-saved sheet may turn "1" into 1.0
        return str(int(value))
    return str(value)


def _family_from_json(family_id: str, text: str) -> FamilyStamp | None:
    try:
        described = json.loads(text)
    except json.JSONDecodeError:
        return None
    if not isinstance(described, dict):
        return None
    headers = described.get("headers")
    return FamilyStamp(
        family_id,
        str(described.get("version") or ""),
        str(described.get("fingerprint") or ""),
        name=_text(described.get("name")),
        sheet=_text(described.get("sheet")),
        headers={str(k): str(v) for k, v in headers.items()} if isinstance(headers, dict) else {},
    )


def _escape(text: str) -> str:
    for char, escape in _FAMILY_ESCAPES.items():  # `%` first, so no escape is escaped again
        text = text.replace(char, escape)
    return text


def _unescape(text: str) -> str:
    return _FAMILY_ESCAPED.sub(lambda match: _FAMILY_UNESCAPES[match.group()], text)
