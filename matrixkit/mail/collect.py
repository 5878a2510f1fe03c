"""Saving the workbooks managers sent back: one file per manager, the newest kept, each reply saved once.

Every workbook attachment passes the safety scan `analyze` uses (`intake.reader.read_metadata`) before
anything else looks at it: a hostile one (a zip bomb, a DTD) is a problem and is never saved. The manager
is the one the workbook's own metadata names; the file is saved under that manager's name
(`<id>_<name>.xlsx`, as `generate` names it). The newest per manager wins — by the message's Date, then
by the workbook's own last-saved time: an older reply never overwrites a newer one, in one run or across
runs. A message read twice (the same Message-ID) or a workbook attached twice (the same bytes) is saved
once. A log beside the saved files (`matrixkit-collected.jsonl`) remembers what was seen.

>>> import tempfile
>>> report = collect_messages([], Path(tempfile.mkdtemp()))
>>> report.messages, report.saved
(0, [])
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.utils import parseaddr, parsedate_to_datetime
from pathlib import Path
from typing import Any

from defusedxml import ElementTree

from matrixkit.fileio import atomic_write_bytes, read_json_lines
from matrixkit.intake.opening import Refusal
from matrixkit.intake.reader import WORKBOOK_SUFFIXES, read_metadata
from matrixkit.intake.safety import Limits
from matrixkit.mail.compose import header_text
from matrixkit.model.problems import Problem
from matrixkit.model.roster import Manager
from matrixkit.outputs.generate import person_file_name, safe_file_stem
from matrixkit.workbook.metadata import WorkbookMetadata

LOG_NAME = "matrixkit-collected.jsonl"
_OLDEST = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Reply:
    """One workbook attached to one message, before it is checked."""

    source: str  # the .eml file or the IMAP message it came from
    message_id: str | None
    date: datetime | None
    sender: str
    subject: str
    file_name: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def suffix(self) -> str:
        return Path(self.file_name).suffix.lower()

    def describe(self) -> str:
        when = self.date.strftime("%Y-%m-%d %H:%M") if self.date else "no date"
        return f"'{self.file_name}' from {self.sender or '(no sender)'} ({when}, subject {self.subject!r})"


@dataclass(frozen=True)
class Saved:
    manager_id: str
    manager_name: str
    file: Path
    sender: str
    date: datetime | None
    replaced: str | None = None  # the earlier file it replaced, if any


@dataclass
class CollectReport:
    """What came from whom: saved files, older or repeated replies left aside, problems, who sent nothing."""

    messages: int = 0
    workbooks: int = 0
    saved: list[Saved] = field(default_factory=list)
    older: list[tuple[str, Reply]] = field(default_factory=list)  # (manager id, reply) not saved: a newer is kept
    repeated: int = 0  # messages or attachments seen before (in this run or an earlier one)
    problems: list[Problem] = field(default_factory=list)
    no_reply: list[Manager] = field(default_factory=list)


def replies_in(raw: bytes, source: str) -> tuple[str | None, list[Reply]]:
    """The message's Message-ID and each spreadsheet attached to it (forwarded messages' attachments too).

    >>> from email.message import EmailMessage
    >>> message = EmailMessage()
    >>> message["Message-ID"], message["From"] = "<1@example.com>", "Ana <ana@example.com>"
    >>> message.add_attachment(b"PK", maintype="application", subtype="octet-stream", filename="M1.xlsx")
    >>> identifier, replies = replies_in(message.as_bytes(), "a.eml")
    >>> identifier, [(r.file_name, r.sender, r.data) for r in replies]
    ('<1@example.com>', [('M1.xlsx', 'ana@example.com', b'PK')])
    """
    message = message_from_bytes(raw, policy=policy.default)
    identifier = _header(message, "Message-ID") or None
    try:
        date = parsedate_to_datetime(_header(message, "Date"))
        date = date if date.tzinfo else date.replace(tzinfo=UTC)
    except (TypeError, ValueError, IndexError):
        date = None
    sender = parseaddr(_header(message, "From"))[1]
    subject = header_text(_header(message, "Subject"))
    replies = []
    for part in message.walk():
        name = part.get_filename()
        if not name or Path(name).suffix.lower() not in WORKBOOK_SUFFIXES or part.is_multipart():
            continue
        data = part.get_payload(decode=True)
        if isinstance(data, bytes):
            replies.append(Reply(source, identifier, date, sender, subject, header_text(name), data))
    return identifier, replies


def _header(message: Any, name: str) -> str:
    try:
        return str(message.get(name) or "")
    except (ValueError, IndexError, TypeError):  # a malformed header is as good as none
        return ""


def collect_messages(
    messages: Iterable[tuple[str, bytes]],
    out_dir: str | Path,
    *,
    managers: Sequence[Manager] | None = None,
    cycle: str | None = None,
    limits: Limits | None = None,
) -> CollectReport:
    """Save into `out_dir` the newest workbook per manager from `messages` ((source, bytes) pairs)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    log = _CollectLog(out / LOG_NAME)
    roster = {m.id: m for m in managers} if managers is not None else None
    report = CollectReport()
    seen_ids: set[str] = set(log.message_ids)
    seen_digests: set[str] = set(log.digests)
    candidates: dict[str, list[tuple[tuple[datetime, datetime, str], Reply, WorkbookMetadata]]] = {}
    with tempfile.TemporaryDirectory(prefix="matrixkit-collect-") as scratch:
        for source, raw in messages:
            report.messages += 1
            identifier, replies = replies_in(raw, source)
            if identifier is not None and identifier in seen_ids:
                report.repeated += 1
                continue
            if identifier is not None:
                seen_ids.add(identifier)
            for reply in replies:
                report.workbooks += 1
                if reply.sha256 in seen_digests:
                    report.repeated += 1
                    continue
                seen_digests.add(reply.sha256)
                checked = _check(reply, Path(scratch), limits)
                if isinstance(checked, Problem):  # not logged: a later run reports it again
                    report.problems.append(checked)
                    continue
                meta, modified = checked
                problem = _belongs(reply, meta, roster, cycle)
                if problem is not None:
                    report.problems.append(problem)
                    if problem.severity == "error":
                        log.note(reply, meta.manager_id, saved=None)
                        continue
                order = (reply.date or _OLDEST, modified or _OLDEST, reply.sha256)
                candidates.setdefault(meta.manager_id or f"unidentified-{reply.sha256[:8]}", []).append(
                    (order, reply, meta)
                )
    for manager_id, found in sorted(candidates.items()):
        found.sort(key=lambda item: item[0], reverse=True)
        order, newest, meta = found[0]
        for _, older, _ in found[1:]:
            report.older.append((manager_id, older))
            log.note(older, manager_id, saved=None)
        kept = log.kept(manager_id)
        if kept is not None and kept[0] >= order:
            report.older.append((manager_id, newest))
            log.note(newest, manager_id, saved=None)
            continue
        name = _manager_name(manager_id, meta, roster)
        target = out / _file_name(manager_id, name, newest, meta)
        atomic_write_bytes(target, newest.data)
        replaced = None
        if kept is not None and kept[1] != target.name:
            earlier = out / kept[1]
            if earlier.is_file():
                earlier.unlink()  # the older return of the same manager: analyze must not read two
                replaced = kept[1]
        log.note(newest, manager_id, saved=(target.name, order))
        report.saved.append(Saved(manager_id, name, target, newest.sender, newest.date, replaced))
    log.write()
    if roster is not None:
        kept_ids = log.kept_managers()
        report.no_reply = [m for m in roster.values() if m.id not in kept_ids]
    return report


def _check(reply: Reply, scratch: Path, limits: Limits | None) -> tuple[WorkbookMetadata, datetime | None] | Problem:
    """The safety scan and the metadata, on a private copy whose name comes from its hash, never the sender's."""
    copy = scratch / f"{reply.sha256}{reply.suffix}"
    copy.write_bytes(reply.data)
    meta = read_metadata(copy, limits)
    if isinstance(meta, Refusal):
        return Problem(
            "error",
            f"not saved: {reply.describe()} cannot be read: {meta.message}",
            file=reply.source,
            sheet=meta.sheet,
            cell=meta.cell,
            code="mail-unsafe-attachment",
            hint="do not open it; ask the manager to save the workbook again and send it as a plain attachment",
        )
    return meta, _last_saved(copy)


def _belongs(
    reply: Reply, meta: WorkbookMetadata, roster: dict[str, Manager] | None, cycle: str | None
) -> Problem | None:
    if meta.kind == "self":
        return Problem(
            "error",
            f"not saved: {reply.describe()} is an employee's self-assessment, not a manager's workbook",
            file=reply.source,
            code="mail-self-assessment",
        )
    if cycle is not None and meta.cycle and meta.cycle != cycle:
        return Problem(
            "error",
            f"not saved: {reply.describe()} is for cycle {meta.cycle}, not {cycle}",
            file=reply.source,
            value=meta.cycle,
            expected=cycle,
            code="mail-other-cycle",
        )
    if not meta.manager_id:
        return Problem(
            "warning",
            f"{reply.describe()} names no manager (its metadata is gone): saved as unidentified",
            file=reply.source,
            code="mail-no-manager",
            hint="analyze still reads its rows by employee id",
        )
    if roster is None:
        return None
    manager = roster.get(meta.manager_id)
    if manager is None:
        return Problem(
            "warning",
            f"{reply.describe()} is the workbook of {meta.manager_id}, who is not in the roster",
            file=reply.source,
            value=meta.manager_id,
            code="mail-unknown-manager",
        )
    if manager.email and reply.sender and reply.sender.casefold() != manager.email.strip().casefold():
        return Problem(
            "warning",
            f"{reply.describe()} is {manager.id} ({manager.name})'s workbook, sent from another address than "
            f"the roster's {manager.email}: saved all the same",
            file=reply.source,
            value=reply.sender,
            expected=manager.email,
            code="mail-other-sender",
        )
    return None


def _manager_name(manager_id: str, meta: WorkbookMetadata, roster: dict[str, Manager] | None) -> str:
    if roster is not None and manager_id in roster:
        return roster[manager_id].name
    return meta.manager_name or manager_id


def _file_name(manager_id: str, name: str, reply: Reply, meta: WorkbookMetadata) -> str:
    if not meta.manager_id:
        return f"unidentified_{reply.sha256[:8]}_{safe_file_stem(Path(reply.file_name).stem)}{reply.suffix}"
    return str(Path(person_file_name(manager_id, name)).with_suffix(reply.suffix))


def _last_saved(path: Path) -> datetime | None:
    """When the spreadsheet says it was last saved (docProps/core.xml, or an .ods's meta.xml), if it says."""
    member, tags = ("meta.xml", ("date",)) if path.suffix.lower() == ".ods" else ("docProps/core.xml", ("modified",))
    try:
        with zipfile.ZipFile(path) as archive:
            if archive.getinfo(member).file_size > 2**20:
                return None
            root = ElementTree.fromstring(archive.read(member))
    except Exception:  # the time is a tie-breaker: a file without it is simply older
        return None
    for element in root.iter():
        if element.tag.rsplit("}", 1)[-1] in tags and element.text:
            try:
                found = datetime.fromisoformat(element.text.strip())
            except ValueError:
                return None
            return found if found.tzinfo else found.replace(tzinfo=UTC)
    return None


class _CollectLog:
    """What earlier runs saw and kept, one JSON line per workbook attachment looked at."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.entries = read_json_lines(path)

    @property
    def message_ids(self) -> set[str]:
        return {e["message_id"] for e in self.entries if isinstance(e.get("message_id"), str)}

    @property
    def digests(self) -> set[str]:
        return {e["sha256"] for e in self.entries if isinstance(e.get("sha256"), str)}

    def kept(self, manager_id: str) -> tuple[tuple[datetime, datetime, str], str] | None:
        """The order key and file name of the workbook kept for this manager by an earlier run."""
        saved = [e for e in self.entries if e.get("manager_id") == manager_id and e.get("saved")]
        if not saved:
            return None
        last = saved[-1]
        order = (_when(last.get("date")), _when(last.get("modified")), str(last.get("sha256") or ""))
        return order, str(last["saved"])

    def kept_managers(self) -> set[str]:
        return {str(e["manager_id"]) for e in self.entries if e.get("saved") and e.get("manager_id")}

    def note(
        self, reply: Reply, manager_id: str | None, *, saved: tuple[str, tuple[datetime, datetime, str]] | None
    ) -> None:
        self.entries.append(
            {
                "message_id": reply.message_id,
                "sha256": reply.sha256,
                "manager_id": manager_id,
                "from": reply.sender,
                "source": reply.source,
                "attachment": reply.file_name,
                "date": saved[1][0].isoformat() if saved else (reply.date.isoformat() if reply.date else None),
                "modified": saved[1][1].isoformat() if saved else None,
                "saved": saved[0] if saved else None,
            }
        )

    def write(self) -> None:
        text = "".join(json.dumps(e, ensure_ascii=False, sort_keys=True) + "\n" for e in self.entries)
        atomic_write_bytes(self.path, text.encode("utf-8"))


def _when(text: object) -> datetime:
    if not isinstance(text, str):
        return _OLDEST
    try:
        found = datetime.fromisoformat(text)
    except ValueError:
        return _OLDEST
    return found if found.tzinfo else found.replace(tzinfo=UTC)


def read_eml_folder(folder: str | Path, max_bytes: int) -> tuple[list[tuple[str, bytes]], list[Problem]]:
    """Every `.eml` file in `folder` (recursively, sorted) as (path, bytes); one too large is a problem."""
    messages: list[tuple[str, bytes]] = []
    problems: list[Problem] = []
    for path in sorted(p for p in Path(folder).rglob("*") if p.is_file() and p.suffix.lower() == ".eml"):
        if path.stat().st_size > max_bytes:
            problems.append(
                Problem(
                    "error",
                    f"a message of {path.stat().st_size // 2**20} MiB: too large, not read",
                    file=str(path),
                    code="mail-too-large",
                )
            )
            continue
        messages.append((str(path), path.read_bytes()))
    return messages, problems
