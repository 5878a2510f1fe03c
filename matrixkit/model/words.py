"""Framework rules in plain words, for instructions sheets and pages people read.

Each criterion kind's own phrases are its entry in `matrixkit.model.criteria`; this module joins them.

>>> from matrixkit.model.framework import Criteria
>>> describe_criteria(Criteria(average_at_least=3.5, each_at_least=3, endorsement=True), None, "IC4")
'an average of at least 3.5 with no competency below 3; manager endorsement'
"""

from __future__ import annotations

import re

from matrixkit.model.criteria import criteria_phrases as criteria_phrases
from matrixkit.model.framework import Criteria, Framework


def describe_criteria(criteria: Criteria, fw: Framework | None, next_level: str | None) -> str:
    """One sentence fragment per checked criterion, joined with semicolons."""
    return "; ".join(criteria_phrases(criteria, fw, next_level)) or "no criteria set"


# Reasons the JSON keeps with ids (SPEC), and what a reader of the report sees instead.
_RUN_REASONS = {
    "no calibration file given (--calibration)": "decided in the calibration session (no calibration file in this run)",
}
_NO_STORE = re.compile(r"needs (\d+) consecutive cycles; no history store given, 1 cycle known")
_GAPS = re.compile(r"^(\d+) gap\(s\) to (\S+) ([≤>]) (\d+)")
_ID = r"(?<![\w.-])({})(?![\w-])"


_WORDED_KEPT = 4096


class ReasonWords:
    """A criterion's reason as the report shows it: competencies, evidence and metrics by their names,
    never their ids, and the run's own limits said plainly. The JSON keeps the reason as it is. One per
    framework (the names are looked up once); None words only the run's limits.

    >>> from matrixkit.model.framework import load_framework
    >>> words = ReasonWords(load_framework("templates/engineering.yaml"))
    >>> words("3 gap(s) to M2 > 1: operational_excellence, hiring")
    '3 competencies below M2 (at most 1 allowed): Operational excellence, Hiring'
    >>> words("design_doc_adopted: Yes; cross_team_scope: No")
    'Has written a design doc that was reviewed and adopted: Yes; Has led a project with 3+ cross-team stakeholders: No'
    """

    def __init__(self, fw: Framework | None) -> None:
        self.names: dict[str, str] = {}
        if fw is not None:
            self.names = {
                **{c.id: c.name for c in fw.competencies},
                **{e.id: e.prompt for e in fw.evidence},
                **{m.id: m.name for m in fw.metrics},
            }
        ids = "|".join(map(re.escape, sorted(self.names, key=len, reverse=True)))
        self.pattern = re.compile(_ID.format(ids)) if ids else None
        self._worded: dict[str, str] = {}  # the same reason comes back for thousands of employees

    def __call__(self, detail: str) -> str:
        found = self._worded.get(detail)
        if found is None:
            if len(self._worded) >= _WORDED_KEPT:
                self._worded.clear()
            found = self._worded[detail] = self._words(detail)
        return found

    def _words(self, detail: str) -> str:
        if detail in _RUN_REASONS:
            return _RUN_REASONS[detail]
        store = _NO_STORE.fullmatch(detail)
        if store:
            return f"needs the bar met {store.group(1)} cycles running; no earlier cycle in this run (--store)"
        gaps = _GAPS.match(detail)
        if gaps:
            count, level, allowed = gaps.group(1), gaps.group(2), gaps.group(4)
            noun = "competency" if count == "1" else "competencies"
            detail = f"{count} {noun} below {level} (at most {allowed} allowed)" + detail[gaps.end() :]
        if self.pattern is None:
            return detail
        return self.pattern.sub(lambda found: self.names[found.group(1)], detail)
