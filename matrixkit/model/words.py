"""Framework rules in plain words, for instructions sheets and pages people read.

>>> from matrixkit.model.framework import Criteria
>>> describe_criteria(Criteria(average_at_least=3.5, each_at_least=3, endorsement=True), None, "IC4")
'an average of at least 3.5 with no competency below 3; manager endorsement'
"""

from __future__ import annotations

from matrixkit.model.framework import Criteria, Framework


def _number(value: float) -> str:
    return f"{value:g}"


def describe_criteria(criteria: Criteria, fw: Framework | None, next_level: str | None) -> str:
    """One sentence fragment per checked criterion, joined with semicolons."""
    parts: list[str] = []
    avg, each = criteria.average_at_least, criteria.each_at_least
    if avg is not None and each is not None:
        parts.append(f"an average of at least {_number(avg)} with no competency below {_number(each)}")
    elif avg is not None:
        parts.append(f"an average of at least {_number(avg)}")
    elif each is not None:
        parts.append(f"no competency below {_number(each)}")
    gaps = criteria.next_level_gaps_at_most
    if gaps is not None:
        target = f"{next_level}'s profile" if next_level else "the next level's profile"
        noun = "competency" if gaps == 1 else "competencies"
        parts.append(f"no competency below {target}" if gaps == 0 else f"at most {gaps} {noun} below {target}")
    if criteria.sustained_cycles is not None and criteria.sustained_cycles > 1:
        parts.append(f"the rating criteria met for {criteria.sustained_cycles} consecutive cycles")
    if criteria.months_in_level_at_least is not None:
        parts.append(f"at least {criteria.months_in_level_at_least} months in level")
    prompts = {e.id: e.prompt for e in fw.evidence} if fw else {}
    for evidence_id in criteria.evidence or ():
        parts.append(f"evidence: {prompts.get(evidence_id, evidence_id)}")
    names = {m.id: m.name for m in fw.metrics} if fw else {}
    for metric_id, threshold in (criteria.metrics_at_least or {}).items():
        parts.append(f"{names.get(metric_id, metric_id)} of at least {_number(threshold)}")
    if criteria.endorsement:
        parts.append("manager endorsement")
    if criteria.calibration:
        parts.append("confirmed in a calibration session")
    return "; ".join(parts) if parts else "no criteria set"
