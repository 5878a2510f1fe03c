"""The file edges of `send` and `remind`: the workbooks and roster read, each message composed, drafts written.

>>> import tempfile
>>> from matrixkit import load_frameworks, read_roster
>>> from matrixkit.outputs.generate import generate_workbooks
>>> from matrixkit.mail.plan import plan_sends
>>> frameworks = load_frameworks(["templates/startup.yaml"])
>>> folder = Path(tempfile.mkdtemp())
>>> _ = generate_workbooks(frameworks, read_roster("templates/rosters/startup.csv", frameworks), "2026-Q4", folder)
>>> plan = plan_sends(read_managers("templates/rosters/startup.csv"), find_workbooks(folder))
>>> form = MessageForm.of("HR <hr@example.com>", kind="send")
>>> drafts = write_drafts(plan.messages, form, folder / "drafts")
>>> len(drafts), drafts[0].name, "X-Unsent: 1" in drafts[0].read_text()
(5, 'send_ST-001_Ingrid-Lvaas.eml', True)
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import parseaddr
from pathlib import Path

from matrixkit.errors import RosterError, UsageError
from matrixkit.fileio import atomic_write_files
from matrixkit.intake.reader import expand_inputs, read_metadata
from matrixkit.intake.safety import Limits
from matrixkit.mail.compose import Attachment, build_message, check_template, mail_address, message_id
from matrixkit.mail.plan import Outgoing, Workbook
from matrixkit.model.problems import Problem
from matrixkit.model.roster import Employee, Manager, Roster
from matrixkit.sources.roster import clean_text
from matrixkit.sources.tables import read_table

SUBJECTS = {
    "send": "Your {cycle} ratings workbook",
    "remind": "Reminder: your {cycle} ratings workbook",
}
BODIES = {
    "send": (
        "Hello {manager_name},\n\n"
        "Attached is your ratings workbook for {cycle}: one row per person who reports to you.\n"
        "Pick a rating for each competency, fill in the evidence columns, save, and reply to this message "
        "with the workbook attached{due_clause}.\n\nThank you.\n"
    ),
    "remind": (
        "Hello {manager_name},\n\n"
        "Your ratings workbook for {cycle} is not complete yet:\n\n{missing}\n\n"
        "Please reply with the completed workbook attached{due_clause}.\n\nThank you.\n"
    ),
}


@dataclass(frozen=True)
class MessageForm:
    """What shapes every message of a run: the sender, the subject and body templates."""

    sender: Address
    subject: str
    body: str

    @classmethod
    def of(
        cls, sender: str, *, kind: str, subject: str | None = None, body: str | None = None, due: str | None = None
    ) -> MessageForm:
        """The form from the command's options; a `UsageError` for a bad sender or an unknown placeholder.

        >>> MessageForm.of("hr@example.com", kind="remind", due="2026-12-15").body.splitlines()[-3]
        'Please reply with the completed workbook attached by {due}.'
        """
        name, address = parseaddr(sender)
        parsed = mail_address(name, address) if address else None
        if parsed is None:
            raise UsageError(f"--from is not one plain address: {sender!r} (e.g. 'HR <hr@example.com>')")
        chosen_subject = subject if subject is not None else SUBJECTS[kind]
        chosen_body = body if body is not None else BODIES[kind].replace("{due_clause}", " by {due}" if due else "")
        check_template(chosen_subject, "--subject")
        check_template(chosen_body, "--body")
        if not due and "{due}" in chosen_subject + chosen_body:
            raise UsageError("the message uses {due}: give the deadline with --due (e.g. --due 2026-12-15)")
        return cls(parsed, chosen_subject, chosen_body)

    def compose(self, outgoing: Outgoing, *, draft: bool = False) -> EmailMessage:
        """The message for `outgoing`, with its workbook attached; its Message-ID fixed by its key."""
        attachment = None
        if outgoing.attachment is not None:
            attachment = Attachment(outgoing.attachment.name, outgoing.attachment.read_bytes())
        return build_message(
            sender=self.sender,
            recipient=mail_address(outgoing.manager_name, outgoing.address),
            subject=self.subject,
            body=self.body,
            values=outgoing.values,
            attachment=attachment,
            identifier=message_id(outgoing.key, self.sender),
            date=datetime.now(UTC),
            draft=draft,
        )


def find_workbooks(folder: str | Path, limits: Limits | None = None) -> list[Workbook]:
    """Every workbook in `folder` (recursively), with what its metadata says after the safety scan."""
    found = []
    for path in expand_inputs([folder]):
        try:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            digest = ""
        found.append(Workbook(path, read_metadata(path, limits), digest))
    return found


def read_managers(path: str | Path) -> list[Manager]:
    """The roster's managers (id, name, email) as `Roster.managers` finds them, without checking families and
    levels against a framework: `send` needs only who manages whom and their addresses."""
    table = read_table(path)
    if table.problems:
        raise RosterError(table.problems)
    header = [clean_text(h).lower() for h in table.header]
    missing = [c for c in ("employee_id", "name", "manager_id") if c not in header]
    if missing:
        raise RosterError(
            [
                Problem(
                    "error",
                    f"missing required column(s): {', '.join(missing)}",
                    **table.where(table.header_row),
                    code="roster-columns",
                )
            ]
        )
    employees = []
    for number, raw in table.rows:
        values = {header[i]: clean_text(v) for i, v in enumerate(raw) if i < len(header)}
        if values.get("employee_id") and values.get("manager_id"):
            employees.append(
                Employee(
                    employee_id=values["employee_id"],
                    name=values.get("name", ""),
                    family=values.get("family", ""),
                    level=values.get("level", ""),
                    manager_id=values["manager_id"],
                    row=number,
                    manager_name=values.get("manager_name") or None,
                    manager_email=values.get("manager_email") or None,
                    email=values.get("email") or None,
                )
            )
    return Roster(str(path), tuple(employees)).managers


def write_drafts(messages: Sequence[Outgoing], form: MessageForm, folder: str | Path) -> list[Path]:
    """One `.eml` per message in `folder`, marked unsent (`X-Unsent: 1`): Outlook opens each as a draft to send."""
    files = [
        (Path(folder) / outgoing.draft_name, form.compose(outgoing, draft=True).as_bytes()) for outgoing in messages
    ]
    return atomic_write_files(files)
