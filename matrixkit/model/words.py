"""Framework rules in plain words, for instructions sheets and pages people read.

Each criterion kind's own phrases are its entry in `matrixkit.model.criteria`; this module joins them.

>>> from matrixkit.model.framework import Criteria
>>> describe_criteria(Criteria(average_at_least=3.5, each_at_least=3, endorsement=True), None, "IC4")
'an average of at least 3.5 with no competency below 3; manager endorsement'
"""

from __future__ import annotations

from matrixkit.model.criteria import criteria_phrases as criteria_phrases
from matrixkit.model.framework import Criteria, Framework


def describe_criteria(criteria: Criteria, fw: Framework | None, next_level: str | None) -> str:
    """One sentence fragment per checked criterion, joined with semicolons."""
    return "; ".join(criteria_phrases(criteria, fw, next_level)) or "no criteria set"
