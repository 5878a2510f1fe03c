"""What a generated workbook says about its own framework, for `status` run without `--framework`.

A manager workbook carries what counting returns needs (SPEC rev 2): the hidden metadata names each family
(id, name, version) and maps every Ratings header to its competency, evidence item or metric; the Role profile
sheet lists each track's levels, lowest first, with `n/a` where a competency is outside the track; the Guide
sheet holds the scale. From those this module rebuilds a `Framework` that rates the same cells. It has no
descriptions and no promotion criteria: enough to tell who is rated, never to assess anyone.

>>> from pathlib import Path
>>> sent = sorted(Path("sample_workbooks/engineering/generated").glob("*.xlsx"))
>>> [fw], problems = frameworks_from_workbooks(sent)
>>> fw.family.id, fw.family.version, [t.levels[0].id for t in fw.tracks], fw.scale.max, problems
('engineering', '2026.1', ['IC1', 'M1'], 5, [])
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from matrixkit.intake.opening import Refusal, open_spreadsheet
from matrixkit.intake.safety import Limits
from matrixkit.model.framework import Framework
from matrixkit.model.problems import Problem
from matrixkit.workbook.layout import METADATA_SHEET, NOT_APPLICABLE, PROFILE_SHEET
from matrixkit.workbook.metadata import FamilyStamp, decode_sheet

GUIDE_SHEET = "Guide"


def frameworks_from_workbooks(
    files: Sequence[Path], limits: Limits | None = None
) -> tuple[list[Framework], list[Problem]]:
    """One framework per family the workbooks' metadata names, rebuilt from the first workbook that holds
    it (in file order), and a warning per family whose workbooks come from different versions of it.

    Files that cannot be opened, or carry no metadata, are skipped here: reading them says why.
    """
    found: dict[str, Framework] = {}
    prints: dict[str, dict[str, list[str]]] = {}  # family → fingerprint → files
    for path in files:
        opened = open_spreadsheet(path, lambda name: name in (METADATA_SHEET, PROFILE_SHEET, GUIDE_SHEET), limits)
        if isinstance(opened, Refusal) or METADATA_SHEET not in opened.grids:
            continue
        metadata = decode_sheet(opened.grids[METADATA_SHEET])
        for stamp in metadata.families:
            prints.setdefault(stamp.family_id, {}).setdefault(stamp.fingerprint, []).append(str(path))
            if stamp.family_id not in found:
                fw = _framework(stamp, opened.grids.get(PROFILE_SHEET) or [], opened.grids.get(GUIDE_SHEET) or [])
                if fw is not None:
                    found[stamp.family_id] = fw
    problems = [
        Problem(
            "warning",
            f"the {fw.family.name} workbooks come from {len(prints[family_id])} different versions of its "
            "framework: counted with the first one's levels; pass --framework to count every file by one",
            file=min(min(files_) for files_ in prints[family_id].values()),
            value=", ".join(sorted(prints[family_id])),
            code="framework-versions-mixed",
        )
        for family_id, fw in found.items()
        if len(prints[family_id]) > 1
    ]
    return list(found.values()), problems


def _framework(
    stamp: FamilyStamp, profile: Sequence[Sequence[Any]], guide: Sequence[Sequence[Any]]
) -> Framework | None:
    columns = {kind: header for header, kind in stamp.headers.items()}
    competencies = {kind.removeprefix("rating:"): name for kind, name in columns.items() if kind.startswith("rating:")}
    if not competencies:
        return None
    tracks = _tracks(profile, list(competencies.values()))
    if not tracks:
        return None
    in_track: dict[str, list[str]] = {comp_id: [] for comp_id in competencies}
    for track in tracks:
        for comp_id, name in competencies.items():
            if name in track["_applies"]:
                in_track[comp_id].append(track["id"])
        for level in track["levels"]:
            # n/a at one level of a track that rates it elsewhere: not assessed at that level (SPEC rev 2)
            skipped = level.pop("_skipped")
            nulls = {comp_id: None for comp_id, name in competencies.items() if name in track["_applies"] & skipped}
            if nulls:
                level["expected"] = nulls
    low, high = _scale(guide, stamp.name or stamp.family_id)
    document = {
        "matrixkit": 1,
        "family": {"id": stamp.family_id, "name": stamp.name or stamp.family_id, "version": stamp.version or "?"},
        "scale": {"min": low, "max": high},
        "competencies": [
            {"id": comp_id, "name": name, "kind": "core", "tracks": in_track[comp_id]}
            for comp_id, name in competencies.items()
        ],
        "evidence": [
            {"id": kind.removeprefix("evidence:"), "prompt": header}
            for kind, header in columns.items()
            if kind.startswith("evidence:")
        ],
        "metrics": [
            {"id": kind.removeprefix("metric:"), "name": header}
            for kind, header in columns.items()
            if kind.startswith("metric:")
        ],
        "tracks": [{key: value for key, value in track.items() if key != "_applies"} for track in tracks],
    }
    try:
        return Framework.model_validate(document)
    except ValueError:  # a damaged sheet: reading the files says what is wrong with them
        return None


def _tracks(profile: Sequence[Sequence[Any]], names: Sequence[str]) -> list[dict[str, Any]]:
    """The Role profile block whose competency headers are this family's: tracks, levels lowest first, and
    which competencies apply in each track (not `n/a`)."""
    tracks: dict[str, dict[str, Any]] = {}
    header: list[str] | None = None
    for row in profile:
        cells = ["" if cell is None else str(cell).strip() for cell in row]
        if cells[:2] == ["Track", "Level"]:
            header = cells if set(names) <= set(cells) else None
            continue
        if header is None or len(cells) < 2 or not cells[0] or not cells[1]:
            continue
        track = tracks.setdefault(cells[0], {"id": _track_id(cells[0], len(tracks)), "name": cells[0], "levels": []})
        track.setdefault("_applies", set())
        title = cells[2] if len(cells) > 2 and cells[2] else cells[1]
        skipped = set()
        for index, text in enumerate(cells[3 : len(header)], start=3):
            if header[index] in names and text.casefold() != NOT_APPLICABLE:
                track["_applies"].add(header[index])
            elif header[index] in names:
                skipped.add(header[index])
        # No expected values: counting returns needs only which competencies each level rates.
        track["levels"].append({"id": cells[1], "title": title, "_skipped": skipped})
    return list(tracks.values())


def _track_id(name: str, position: int) -> str:
    slug = re.sub(r"[^a-z0-9]+", "_", name.casefold()).strip("_")
    return slug if slug and slug[0].isalnum() else f"track_{position + 1}"


def _scale(guide: Sequence[Sequence[Any]], family_name: str) -> tuple[int, int]:
    """The Guide's scale table under this family's block; 1–5 when it cannot be found."""
    inside, values = False, list[int]()
    for row in guide:
        first = "" if not row or row[0] is None else str(row[0]).strip()
        if first == f"{family_name} — competency":
            inside = True
        elif inside and first == "Scale":
            values = []
        elif inside and re.fullmatch(r"\d+(\.0)?", first):
            values.append(int(float(first)))
        elif inside and values:
            break
    return (min(values), max(values)) if values else (1, 5)
