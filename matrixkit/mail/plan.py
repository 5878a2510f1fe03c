"""Who gets which message: one workbook per manager for `send`, one reminder per manager still missing
something for `remind`. Pure: the files are read, and the status tallied, before these functions run.

A workbook is sent to a manager only when its own metadata names that manager: a file renamed, copied
into the wrong folder or generated for someone else is never sent, it is a problem.

>>> from matrixkit.model.roster import Manager
>>> from matrixkit.workbook.metadata import WorkbookMetadata
>>> found = [Workbook(Path("M1_Ana.xlsx"), WorkbookMetadata(manager_id="M1", cycle="2026-Q4"), "ab12")]
>>> plan = plan_sends([Manager("M1", "Ana", "ana@example.com")], found)
>>> [(o.manager_id, o.address, o.attachment.name) for o in plan.messages], plan.problems
([('M1', 'ana@example.com', 'M1_Ana.xlsx')], [])
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from matrixkit.assess.returns import ManagerReturn, PersonRef, ReturnStatus
from matrixkit.intake.opening import Refusal
from matrixkit.mail.compose import mail_address
from matrixkit.model.problems import Problem
from matrixkit.model.roster import Manager
from matrixkit.outputs.generate import safe_file_stem
from matrixkit.workbook.metadata import WorkbookMetadata


@dataclass(frozen=True)
class Workbook:
    """One file found for `send`: what its metadata says (or why it cannot be read) and its content's hash."""

    path: Path
    metadata: WorkbookMetadata | Refusal
    sha256: str


@dataclass(frozen=True)
class Outgoing:
    """One message to send. `key` is what the send log records: a message with a logged key is never sent again."""

    key: str
    kind: str  # "send" or "remind"
    manager_id: str
    manager_name: str
    address: str
    values: dict[str, str]  # the placeholders' values: manager_name, cycle, due, missing
    attachment: Path | None = None

    @property
    def draft_name(self) -> str:
        """The `.eml` draft's file name: `<kind>_<manager id>_<name>.eml`, safe on every OS."""
        return f"{self.kind}_{safe_file_stem(self.manager_id, 30)}_{safe_file_stem(self.manager_name)}.eml"


@dataclass(frozen=True)
class MailPlan:
    messages: list[Outgoing]
    problems: list[Problem] = field(default_factory=list)
    nobody: list[str] = field(default_factory=list)  # `remind`: managers with nothing missing


def plan_sends(managers: Sequence[Manager], workbooks: Sequence[Workbook], *, due: str | None = None) -> MailPlan:
    """One message per roster manager with exactly one workbook whose metadata names them.

    Problems (each such workbook not sent): unreadable or hostile files, a workbook naming no manager or one
    not in the roster, two different workbooks for one manager, a manager with no usable address; a warning
    for a manager with no workbook. Employees' self-assessments are not managers' workbooks and are skipped.
    """
    by_id = {m.id: m for m in managers}
    problems: list[Problem] = []
    for_manager: dict[str, list[Workbook]] = defaultdict(list)
    for workbook in workbooks:
        file = str(workbook.path)
        meta = workbook.metadata
        if isinstance(meta, Refusal):
            problems.append(_not_sent(file, f"cannot be read safely: {meta.message}", "mail-unreadable"))
        elif meta.kind == "self":
            continue
        elif not meta.manager_id:
            problems.append(
                _not_sent(file, "its metadata names no manager (not a generated manager workbook?)", "mail-no-manager")
            )
        elif meta.manager_id not in by_id:
            problems.append(
                _not_sent(
                    file,
                    f"its metadata names manager {meta.manager_id}, who is not in the roster",
                    "mail-unknown-manager",
                )
            )
        else:
            for_manager[meta.manager_id].append(workbook)
    messages: list[Outgoing] = []
    for manager in managers:
        found = {w.sha256: w for w in for_manager.get(manager.id, [])}  # byte-identical copies are one workbook
        if not found:
            problems.append(
                Problem(
                    "warning",
                    f"no workbook names manager {manager.id} ({manager.name}): nothing sent to them",
                    code="mail-no-workbook",
                )
            )
            continue
        if len(found) > 1:
            names = ", ".join(sorted(w.path.name for w in found.values()))
            for w in found.values():
                problems.append(
                    _not_sent(
                        str(w.path),
                        f"{len(found)} different workbooks name manager {manager.id}: {names}",
                        "mail-ambiguous",
                        hint="keep one per manager (generate again into an empty folder)",
                    )
                )
            continue
        workbook = next(iter(found.values()))
        meta = workbook.metadata
        assert isinstance(meta, WorkbookMetadata)
        address = _address_problem(manager, str(workbook.path))
        if isinstance(address, Problem):
            problems.append(address)
            continue
        cycle = meta.cycle or ""
        messages.append(
            Outgoing(
                key=f"send|{cycle}|{manager.id}|{workbook.sha256}",
                kind="send",
                manager_id=manager.id,
                manager_name=manager.name,
                address=address,
                values={"manager_name": manager.name, "cycle": cycle, "due": due or "", "missing": ""},
                attachment=workbook.path,
            )
        )
    return MailPlan(messages, problems)


def plan_reminders(
    status: ReturnStatus, managers: Sequence[Manager], *, due: str | None = None, day: str = ""
) -> MailPlan:
    """One reminder per manager whose workbook has not come back, or came back incomplete, saying what is missing.

    `day` goes into each message's key: a re-run the same day sends only the reminders not yet sent; the
    next day's run reminds again.

    >>> from matrixkit.assess.returns import ManagerReturn, ReturnStatus
    >>> back = ManagerReturn("M1", "Ana", 1, ["a.xlsx"], 6, 6, [], [])
    >>> late = ManagerReturn("M2", "Bo", 1, [], 0, 6, [PersonRef("E2", "Cy")], [])
    >>> plan = plan_reminders(ReturnStatus("2026-Q4", [back, late], [], []),
    ...                       [Manager("M1", "Ana", "a@example.com"), Manager("M2", "Bo", "b@example.com")])
    >>> [(o.manager_id, o.values["missing"]) for o in plan.messages], plan.nobody
    ([('M2', 'Your workbook has not come back yet (1 report: E2 Cy).')], ['M1'])
    """
    by_id = {m.id: m for m in managers}
    messages: list[Outgoing] = []
    problems: list[Problem] = []
    nobody: list[str] = []
    cycle = status.cycle or ""
    for result in status.managers:
        if result.complete:
            nobody.append(result.manager_id)
            continue
        manager = by_id.get(result.manager_id, Manager(result.manager_id, result.manager_name, None))
        address = _address_problem(manager, None)
        if isinstance(address, Problem):
            problems.append(address)
            continue
        missing = missing_text(result)
        messages.append(
            Outgoing(
                key=f"remind|{cycle}|{manager.id}|{day}|{missing}",
                kind="remind",
                manager_id=manager.id,
                manager_name=manager.name,
                address=address,
                values={"manager_name": manager.name, "cycle": cycle, "due": due or "", "missing": missing},
            )
        )
    return MailPlan(messages, problems, nobody)


def missing_text(result: ManagerReturn) -> str:
    """What a manager still owes, in their words: the workbook, or the reports not in it or not fully rated.

    >>> missing_text(ManagerReturn("M1", "Ana", 2, ["a.xlsx"], 5, 12, [PersonRef("E1", "Bo")], [PersonRef("E2", "Cy")]))
    'Not in your workbook: E1 Bo.\\nRatings missing or invalid: E2 Cy.'
    """
    if not result.returned:
        people = result.missing + result.incomplete
        reports = f"{len(people)} report{'s' if len(people) != 1 else ''}"
        return f"Your workbook has not come back yet ({reports}: {_people(people)})."
    lines = []
    if result.missing:
        lines.append(f"Not in your workbook: {_people(result.missing)}.")
    if result.incomplete:
        lines.append(f"Ratings missing or invalid: {_people(result.incomplete)}.")
    return "\n".join(lines) or f"{result.to_rate - result.rated} rating(s) still to give."


def _people(people: Sequence[PersonRef]) -> str:
    return ", ".join(f"{p.employee_id} {p.name}" for p in people)


def _address_problem(manager: Manager, file: str | None) -> str | Problem:
    if not manager.email:
        return _not_sent(
            file,
            f"manager {manager.id} ({manager.name}) has no email in the roster",
            "mail-no-address",
            hint="add manager_email (or their own email row) to the roster",
        )
    if mail_address(manager.name, manager.email) is None:
        return _not_sent(
            file,
            f"manager {manager.id}'s email is not one plain address: {manager.email!r}",
            "mail-bad-address",
            value=manager.email,
        )
    return manager.email.strip()


def _not_sent(
    file: str | None, message: str, code: str, *, hint: str | None = None, value: str | None = None
) -> Problem:
    return Problem("error", f"not sent: {message}", file=file, code=code, hint=hint, value=value)
