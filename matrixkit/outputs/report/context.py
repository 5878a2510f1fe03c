"""The analysis with the framework look-ups every sheet of the report needs.

>>> from matrixkit.assess.analyze import analyze
>>> from matrixkit.model.framework import load_frameworks
>>> frameworks = load_frameworks(["templates/engineering.yaml"])
>>> ctx = ReportContext(analyze([], frameworks), frameworks)
>>> ctx.level_label("engineering", "IC3")
'IC3 — Senior Software Engineer'
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from xlsxwriter.worksheet import Worksheet

from matrixkit.assess.analytics import employee_order
from matrixkit.assess.results import Analysis
from matrixkit.model.framework import Framework, Level
from matrixkit.model.words import ReasonWords
from matrixkit.workbook.bulkcells import BulkSheet


class ReportContext:
    """The analysis with the framework look-ups every sheet needs; unknown ids fall back to themselves."""

    def bulk(self, worksheet: Worksheet) -> Worksheet:
        """A sheet of one row per employee (or problem): its cells written at string speed (`bulkcells`)."""
        sheet = BulkSheet(worksheet)
        self.bulk_sheets.append(sheet)
        return cast(Worksheet, sheet)  # it answers every call the sheet writers make

    def __init__(self, analysis: Analysis, frameworks: Sequence[Framework]) -> None:
        self.analysis = analysis
        self.bulk_sheets: list[BulkSheet] = []
        self._reason_words: dict[str, ReasonWords] = {}
        self.by_family: dict[str, Framework] = {}
        for fw in frameworks:
            self.by_family.setdefault(fw.family.id, fw)
        self.employees = sorted(analysis.employees, key=employee_order)
        self.families = sorted({*self.by_family, *(e.family for e in analysis.employees)})
        # The first row of an employee (in sorted order) names them, as in Readiness.
        self.names: dict[str, str] = {}
        self.family_by_id: dict[str, str] = {}
        for employee in self.employees:
            self.names.setdefault(employee.employee_id, employee.name)
            self.family_by_id.setdefault(employee.employee_id, employee.family)
        self.scale_max = {fw.scale.max for fw in frameworks} or {5}

    def framework(self, family: str) -> Framework | None:
        return self.by_family.get(family)

    def reason_words(self, family: str) -> ReasonWords:
        """Criteria reasons in a family's words (its competencies, evidence and metrics by name)."""
        words = self._reason_words.get(family)
        if words is None:
            words = self._reason_words[family] = ReasonWords(self.by_family.get(family))
        return words

    def family_name(self, family: str) -> str:
        fw = self.by_family.get(family)
        return fw.family.name if fw else family

    def competency_name(self, family: str, competency: str) -> str:
        fw = self.by_family.get(family)
        if fw is not None and competency in fw.competency_by_id:
            return fw.competency_by_id[competency].name
        for other in self._frameworks_sorted():
            if competency in other.competency_by_id:
                return other.competency_by_id[competency].name
        return competency

    def track_name(self, family: str, track: str) -> str:
        fw = self.by_family.get(family)
        if fw is not None and track in fw.track_by_id:
            return fw.track_by_id[track].name
        return track

    def level(self, family: str, level_id: str | None) -> Level | None:
        fw = self.by_family.get(family)
        if fw is None or level_id is None:
            return None
        return fw.level_by_id.get(level_id)

    def level_label(self, family: str, level_id: str) -> str:
        level = self.level(family, level_id)
        return f"{level_id} — {level.title}" if level is not None else level_id

    def level_key(self, family: str, level_id: str) -> tuple[int, int, int, str]:
        """Framework order: family, then track, then level up the track; unknown levels last."""
        family_index = self.families.index(family) if family in self.families else len(self.families)
        fw = self.by_family.get(family)
        if fw is not None:
            for track_index, track in enumerate(fw.tracks):
                for level_index, level in enumerate(track.levels):
                    if level.id == level_id:
                        return (family_index, track_index, level_index, level_id)
        return (family_index, 1_000_000, 0, level_id)

    def competency_index(self, family: str, competency: str) -> int:
        fw = self.by_family.get(family)
        ids = [c.id for c in fw.competencies] if fw else []
        return ids.index(competency) if competency in ids else len(ids)

    def _frameworks_sorted(self) -> list[Framework]:
        return [self.by_family[f] for f in sorted(self.by_family)]
