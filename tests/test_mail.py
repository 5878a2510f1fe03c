"""`send`, `remind`, `collect`: the email loop, against real servers on 127.0.0.1 (aiosmtpd, dovecot)."""

from __future__ import annotations

import importlib.util
import json
import shutil
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import badfiles
import pytest
import yaml
from click.testing import CliRunner, Result
from conftest import base_framework
from filling import fill
from mailservers import (
    DOVECOT,
    PASSWORD,
    USER,
    Certificate,
    Recorder,
    append_messages,
    dovecot,
    make_certificate,
    require,
    smtp_server,
)

from matrixkit import load_frameworks
from matrixkit.cli.main import main
from matrixkit.intake.reader import read_metadata
from matrixkit.mail.compose import mail_address
from matrixkit.mail.loop import MessageForm
from matrixkit.mail.plan import Outgoing
from matrixkit.mail.smtp import LOG_NAME, SendLog, SmtpSettings, deliver
from matrixkit.outputs.generate import generate_workbooks
from matrixkit.sources.roster import read_roster
from matrixkit.workbook.metadata import WorkbookMetadata

CYCLE = "2026-Q4"
HR = "HR Team <hr@example.com>"
PEOPLE = [("E01", "Ada Byron", "L2", "MA"), ("E02", "Bo Chen", "L1", "MB"), ("E03", "Cy Dorsey", "L3", "MB")]
PEOPLE += [("E04", "Di Evans", "L2", "MC")]
MANAGERS = {"MA": ("Mia Alder", "ma@example.com"), "MB": ("Bob Birch", "mb@example.com")}
MANAGERS["MC"] = ("Cleo Cole", "mc@example.com")


@pytest.fixture(autouse=True)
def _aiosmtpd() -> None:
    require(importlib.util.find_spec("aiosmtpd") is not None, "aiosmtpd (pip install aiosmtpd)")


def _roster(path: Path, names: dict[str, tuple[str, str]]) -> Path:
    lines = ["employee_id,name,family,level,manager_id,manager_name,manager_email"]
    for employee_id, name, level, manager in PEOPLE:
        manager_name, email = names[manager]
        quoted = '"' + manager_name.replace('"', '""') + '"'
        lines.append(f"{employee_id},{name},eng,{level},{manager},{quoted},{email}")
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8", newline="")
    return path


@pytest.fixture(scope="module")
def scene(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("mail")
    framework = folder / "eng.yaml"
    framework.write_text(yaml.safe_dump(base_framework(), sort_keys=False), encoding="utf-8")
    frameworks = load_frameworks([framework])
    roster = _roster(folder / "roster.csv", MANAGERS)
    generated = generate_workbooks(frameworks, read_roster(roster, frameworks), CYCLE, folder / "generated")
    by_manager = {path.name.split("_")[0]: path for path in generated}
    return {"folder": folder, "framework": framework, "frameworks": frameworks, "roster": roster, "wb": by_manager}


def _workbooks(scene: dict[str, Any], tmp_path: Path) -> Path:
    """A fresh copy of the generated folder: each test keeps its own send log."""
    return Path(shutil.copytree(scene["wb"]["MA"].parent, tmp_path / "workbooks"))


def _send(folder: str | Path, roster: str | Path, port: int) -> tuple[str | Path, ...]:
    """`matrixkit send` of `folder` through the SMTP server on `port`, from HR."""
    return ("send", folder, "--roster", roster, "--smtp", f"127.0.0.1:{port}", "--from", HR)


def _run(*args: str | Path, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], env=env, catch_exceptions=False)


def _text(message: EmailMessage) -> str:
    body = message.get_body()
    assert body is not None
    return str(body.get_content())


def _parsed(received: Any) -> EmailMessage:
    message = message_from_bytes(received.content, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def _attached_manager(message: EmailMessage, folder: Path) -> str | None:
    """The manager the attached workbook's own metadata names."""
    (part,) = list(message.iter_attachments())
    path = folder / str(part.get_filename())
    data = part.get_payload(decode=True)
    assert isinstance(data, bytes)
    path.write_bytes(data)
    meta = read_metadata(path)
    assert isinstance(meta, WorkbookMetadata)
    return meta.manager_id


# ---------------------------------------------------------------- send


def test_send_gives_each_manager_exactly_their_own_workbook(scene: dict[str, Any], tmp_path: Path) -> None:
    workbooks = _workbooks(scene, tmp_path)
    recorder = Recorder()
    with smtp_server(recorder) as port:
        result = _run(
            *_send(workbooks, scene["roster"], port),
            "--insecure",
            "--due",
            "2026-12-15",
        )
    assert result.exit_code == 0, result.output
    assert sorted(r.rcpt_tos[0] for r in recorder.received) == ["ma@example.com", "mb@example.com", "mc@example.com"]
    for received in recorder.received:
        assert len(received.rcpt_tos) == 1 and received.mail_from == "hr@example.com"
        message = _parsed(received)
        manager = received.rcpt_tos[0][:2].upper()
        assert _attached_manager(message, tmp_path) == manager
        assert MANAGERS[manager][0] in _text(message)
        assert "2026-12-15" in _text(message) and CYCLE in message["Subject"]
    log = [json.loads(line) for line in (workbooks / LOG_NAME).read_text().splitlines()]
    assert sorted(e["manager_id"] for e in log) == ["MA", "MB", "MC"]
    assert "Sent 3 message(s)" in result.output


def test_a_workbook_naming_another_manager_is_not_sent(scene: dict[str, Any], tmp_path: Path) -> None:
    workbooks = _workbooks(scene, tmp_path)
    mb = workbooks / scene["wb"]["MB"].name
    shutil.copy(workbooks / scene["wb"]["MA"].name, mb)  # MB's file is MA's workbook under MB's name
    recorder = Recorder()
    with smtp_server(recorder) as port:
        result = _run(*_send(workbooks, scene["roster"], port), "--insecure")
    assert result.exit_code == 1, result.output
    assert recorder.to("mb@example.com") == []
    assert len(recorder.to("ma@example.com")) == 1 and len(recorder.to("mc@example.com")) == 1
    assert "no workbook names manager MB" in result.output


def test_a_refused_recipient_is_sent_on_the_rerun_and_nobody_twice(scene: dict[str, Any], tmp_path: Path) -> None:
    workbooks = _workbooks(scene, tmp_path)
    recorder = Recorder(refuse_once={"mb@example.com"})
    with smtp_server(recorder) as port:
        args = (*_send(workbooks, scene["roster"], port), "--insecure")
        first = _run(*args)
        assert first.exit_code == 1, first.output
        assert "refused mb@example.com" in first.output and "run the same command again" in first.output
        assert recorder.to("mb@example.com") == []
        second = _run(*args)
        assert second.exit_code == 0, second.output
        third = _run(*args)
    assert "Sent 1 message(s); 2 already sent" in second.output
    assert "Nothing to send: all 3 message(s) went out in an earlier run" in third.output
    assert sorted(r.rcpt_tos[0] for r in recorder.received) == ["ma@example.com", "mb@example.com", "mc@example.com"]


def test_a_dropped_connection_stops_and_the_rerun_sends_the_rest(scene: dict[str, Any], tmp_path: Path) -> None:
    workbooks = _workbooks(scene, tmp_path)
    recorder = Recorder(drop_once={"mb@example.com"})
    with smtp_server(recorder) as port:
        args = (*_send(workbooks, scene["roster"], port), "--insecure")
        first = _run(*args)
        assert first.exit_code == 1 and "connection was lost" in first.output, first.output
        assert [r.rcpt_tos for r in recorder.received] == [["ma@example.com"]]
        second = _run(*args)
    assert second.exit_code == 0, second.output
    assert sorted(r.rcpt_tos[0] for r in recorder.received) == ["ma@example.com", "mb@example.com", "mc@example.com"]


def test_a_name_carrying_a_header_injects_nothing(scene: dict[str, Any], tmp_path: Path) -> None:
    """Through the roster (CR/LF in a quoted CSV field) and straight through the library (no roster cleaning)."""
    evil = "Bob\r\nBcc: evil@example.com\r\nSubject: pay now"
    folder = tmp_path / "evil"
    roster = _roster(tmp_path / "evil.csv", {**MANAGERS, "MB": (evil, "mb@example.com")})
    generate_workbooks(scene["frameworks"], read_roster(roster, scene["frameworks"]), CYCLE, folder)
    recorder = Recorder()
    with smtp_server(recorder) as port:
        result = _run(
            *_send(folder, roster, port),
            "--insecure",
            "--subject",
            "{manager_name}: your workbook",
        )
        assert result.exit_code == 0, result.output
        outgoing = Outgoing("k1", "send", "MB", evil, "mb@example.com", {"manager_name": evil, "cycle": CYCLE})
        form = MessageForm.of(HR, kind="send", subject="{manager_name}")
        delivery = deliver(
            [outgoing], form.compose, SmtpSettings("127.0.0.1", port, insecure=True), SendLog(tmp_path / "log.jsonl")
        )
    assert len(delivery.sent) == 1
    assert len(recorder.received) == 4
    for received in recorder.received:
        assert len(received.rcpt_tos) == 1 and "evil" not in received.rcpt_tos[0]
        message = _parsed(received)
        assert message["Bcc"] is None and len(message.get_all("Subject") or []) == 1
        assert len(message["To"].addresses) == 1
        headers = received.content.split(b"\r\n\r\n")[0]
        assert b"\nBcc:" not in headers and b"\nSubject: pay now" not in headers
        assert b"\nBcc:" not in received.content
    assert mail_address("Bob", "mb@example.com\r\nBcc: evil@example.com") is None


def test_starttls_verifies_the_certificate(scene: dict[str, Any], tmp_path: Path) -> None:
    workbooks = _workbooks(scene, tmp_path)
    certificate = make_certificate(tmp_path / "tls")
    recorder = Recorder()
    with smtp_server(recorder, certificate=certificate) as port:
        base = _send(workbooks, scene["roster"], port)
        unverified = _run(*base)
        assert unverified.exit_code == 2 and "certificate could not be verified" in unverified.output
        assert recorder.received == []
        verified = _run(*base, "--cafile", certificate.cert)
    assert verified.exit_code == 0, verified.output
    assert len(recorder.received) == 3


def test_ssl_sends_over_tls_from_the_first_byte(scene: dict[str, Any], tmp_path: Path) -> None:
    workbooks = _workbooks(scene, tmp_path)
    certificate = make_certificate(tmp_path / "tls")
    recorder = Recorder()
    with smtp_server(recorder, certificate=certificate, implicit_tls=True) as port:
        result = _run(
            *_send(workbooks, scene["roster"], port),
            "--ssl",
            "--cafile",
            certificate.cert,
        )
    assert result.exit_code == 0, result.output
    assert len(recorder.received) == 3


def test_without_a_password_and_a_terminal_nothing_is_asked_or_sent(scene: dict[str, Any], tmp_path: Path) -> None:
    result = _run(
        "send",
        scene["wb"]["MA"].parent,
        "--roster",
        scene["roster"],
        "--smtp",
        "127.0.0.1:9",
        "--user",
        USER,
        "--from",
        HR,
        env={"MATRIXKIT_SMTP_PASSWORD": ""},
    )
    assert result.exit_code == 2 and "set MATRIXKIT_SMTP_PASSWORD" in result.output


def test_a_plain_server_needs_insecure(scene: dict[str, Any], tmp_path: Path) -> None:
    workbooks = _workbooks(scene, tmp_path)
    recorder = Recorder()
    with smtp_server(recorder) as port:
        result = _run(*_send(workbooks, scene["roster"], port))
    assert result.exit_code == 2 and "offers no STARTTLS" in result.output
    assert recorder.received == []


def test_the_password_comes_from_the_environment_and_never_shows(scene: dict[str, Any], tmp_path: Path) -> None:
    workbooks = _workbooks(scene, tmp_path)
    certificate = make_certificate(tmp_path / "tls")
    recorder = Recorder()
    with smtp_server(recorder, certificate=certificate, login=True) as port:
        args = (
            *_send(workbooks, scene["roster"], port),
            "--cafile",
            certificate.cert,
            "--user",
            USER,
        )
        wrong = _run(*args, env={"MATRIXKIT_SMTP_PASSWORD": "not-" + PASSWORD})
        assert wrong.exit_code == 2 and "refused the login of hr" in wrong.output
        assert PASSWORD not in wrong.output
        right = _run(*args, env={"MATRIXKIT_SMTP_PASSWORD": PASSWORD})
    assert right.exit_code == 0, right.output
    assert len(recorder.received) == 3
    assert PASSWORD not in right.output
    assert PASSWORD.encode() not in (workbooks / LOG_NAME).read_bytes()
    assert all(PASSWORD.encode() not in r.content for r in recorder.received)
    assert "--password" not in _run("send", "--help").output


def test_drafts_are_marked_unsent_and_nothing_is_sent(scene: dict[str, Any], tmp_path: Path) -> None:
    workbooks = _workbooks(scene, tmp_path)
    result = _run("send", workbooks, "--roster", scene["roster"], "--eml", tmp_path / "drafts", "--from", HR)
    assert result.exit_code == 0, result.output
    drafts = sorted((tmp_path / "drafts").glob("*.eml"))
    assert [p.name.split("_")[1] for p in drafts] == ["MA", "MB", "MC"]
    for path in drafts:
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        assert isinstance(message, EmailMessage)
        assert message["X-Unsent"] == "1" and message["Date"] is None
        assert _attached_manager(message, tmp_path) == path.name.split("_")[1]
    assert not (workbooks / LOG_NAME).exists()


def test_an_unknown_placeholder_is_a_usage_error_naming_it(scene: dict[str, Any], tmp_path: Path) -> None:
    body = tmp_path / "body.txt"
    body.write_text("Dear {manager_name}, rate {team_size} people by {due}.", encoding="utf-8")
    result = _run(
        "send",
        scene["wb"]["MA"].parent,
        "--roster",
        scene["roster"],
        "--eml",
        tmp_path / "d",
        "--from",
        HR,
        "--body",
        body,
        "--due",
        "2026-12-15",
    )
    assert result.exit_code == 2 and "{team_size}" in result.output
    assert not (tmp_path / "d").exists()


# ---------------------------------------------------------------- remind


def _filled(
    scene: dict[str, Any], manager: str, target: Path, *, leave_out: str | None = None, rating: int = 3
) -> Path:
    fw = scene["frameworks"][0]
    values = {}
    for employee_id, _name, level, boss in PEOPLE:
        if boss == manager:
            names = [c.name for c in fw.competencies_for(fw.track_of_level[level].id)]
            values[employee_id] = {
                name: rating for name in names if not (employee_id == leave_out and name == names[0])
            }
    fill(scene["wb"][manager], target, values)
    return target


def test_remind_reaches_only_the_managers_still_missing_something(scene: dict[str, Any], tmp_path: Path) -> None:
    returned = tmp_path / "returned"
    _filled(scene, "MA", returned / "MA.xlsx")  # complete
    _filled(scene, "MB", returned / "MB.xlsx", leave_out="E03")  # one rating short; MC sent nothing
    recorder = Recorder()
    with smtp_server(recorder) as port:
        args = (
            "remind",
            returned,
            "--framework",
            scene["framework"],
            "--roster",
            scene["roster"],
            "--smtp",
            f"127.0.0.1:{port}",
            "--insecure",
            "--from",
            HR,
        )
        result = _run(*args)
        again = _run(*args)
    assert result.exit_code == 0, result.output
    assert sorted(r.rcpt_tos[0] for r in recorder.received) == ["mb@example.com", "mc@example.com"]
    mb = _text(_parsed(recorder.to("mb@example.com")[0]))
    mc = _text(_parsed(recorder.to("mc@example.com")[0]))
    assert "Ratings missing or invalid: E03 Cy Dorsey." in mb and "E02" not in mb
    assert "has not come back yet" in mc and "E04 Di Evans" in mc
    assert again.exit_code == 0 and "all 2 reminder(s) went out" in again.output and len(recorder.received) == 2


# ---------------------------------------------------------------- collect


def _reply(manager: str, attachment: Path | None, when: datetime, identifier: str, *, name: str | None = None) -> bytes:
    message = EmailMessage()
    message["From"] = f"{MANAGERS[manager][0]} <{MANAGERS[manager][1]}>"
    message["To"] = HR
    message["Subject"] = f"Re: Your {CYCLE} ratings workbook"
    message["Date"] = format_datetime(when)
    message["Message-ID"] = identifier
    message.set_content("Here it is.")
    if attachment is not None:
        message.add_attachment(
            attachment.read_bytes(), maintype="application", subtype="octet-stream", filename=name or attachment.name
        )
    return message.as_bytes()


@pytest.fixture(scope="module")
def replies(scene: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """MA replied twice (the later one newer), one message arrived twice; MB attached the same file twice;
    MC's attachment is a zip bomb."""
    folder = tmp_path_factory.mktemp("replies")
    old = _filled(scene, "MA", folder / "ma-old.xlsx", leave_out="E01")
    new = _filled(scene, "MA", folder / "ma-new.xlsx")
    mb = _filled(scene, "MB", folder / "mb.xlsx")
    source = scene["wb"]["MC"]
    bomb = badfiles.zip_bomb(source, folder / "mc.xlsx", badfiles.sheet_part(source, "Ratings"), mib=8)

    def day(d: int, h: int) -> datetime:
        return datetime(2026, 12, d, h, 0, tzinfo=UTC)

    messages = {
        "1-ma-new.eml": _reply("MA", new, day(3, 9), "<ma-2@example.com>", name="ratings.xlsx"),
        "2-ma-old.eml": _reply("MA", old, day(2, 9), "<ma-1@example.com>", name="ratings.xlsx"),
        "3-ma-new-again.eml": _reply("MA", new, day(3, 9), "<ma-2@example.com>", name="ratings.xlsx"),
        "4-mb.eml": _reply("MB", mb, day(2, 10), "<mb-1@example.com>"),
        "5-mb-resent.eml": _reply("MB", mb, day(2, 11), "<mb-2@example.com>"),
        "6-mc.eml": _reply("MC", bomb, day(2, 12), "<mc-1@example.com>"),
        "7-thanks.eml": _reply("MC", None, day(2, 13), "<mc-2@example.com>"),
    }
    return {
        "messages": messages,
        "new": new,
        "old": old,
        "mb": mb,
        "newer": _filled(scene, "MA", folder / "n.xlsx", rating=4),
        "oldest": _filled(scene, "MA", folder / "o.xlsx", rating=2),
    }


def _check_collected(result: Result, out: Path, replies: dict[str, Any], scene: dict[str, Any]) -> None:
    assert result.exit_code == 1, result.output
    saved = sorted(p.name for p in out.glob("*.xlsx"))
    assert saved == [scene["wb"]["MA"].name, scene["wb"]["MB"].name]
    assert (out / scene["wb"]["MA"].name).read_bytes() == replies["new"].read_bytes()
    assert (out / scene["wb"]["MB"].name).read_bytes() == replies["mb"].read_bytes()
    assert "mc.xlsx" in result.output and "zip bomb" in result.output
    assert "No workbook yet from 1 manager(s): MC (Cleo Cole)" in result.output
    assert "7 message(s), 5 workbook attachment(s): 2 saved" in result.output
    assert "2 seen before" in result.output


def test_collect_from_eml_keeps_the_newest_once_and_refuses_a_hostile_file(
    scene: dict[str, Any], replies: dict[str, Any], tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name, raw in replies["messages"].items():
        (inbox / name).write_bytes(raw)
    out = tmp_path / "returned"
    result = _run("collect", "--from-dir", inbox, "--out", out, "--roster", scene["roster"])
    _check_collected(result, out, replies, scene)
    assert "older  MA" in result.output
    # A later run: an even older reply never overwrites the kept one; a newer one replaces it.
    later = tmp_path / "later"
    later.mkdir()
    (later / "old.eml").write_bytes(_reply("MA", replies["oldest"], datetime(2026, 12, 1, tzinfo=UTC), "<ma-0@x>"))
    stale = _run("collect", "--from-dir", later, "--out", out, "--roster", scene["roster"])
    assert "older  MA" in stale.output and not list(out.glob("*.tmp"))
    assert (out / scene["wb"]["MA"].name).read_bytes() == replies["new"].read_bytes()
    (later / "new.eml").write_bytes(_reply("MA", replies["newer"], datetime(2026, 12, 9, tzinfo=UTC), "<ma-9@x>"))
    fresh = _run("collect", "--from-dir", later, "--out", out, "--roster", scene["roster"])
    assert "saved  MA  Mia Alder" in fresh.output
    assert (out / scene["wb"]["MA"].name).read_bytes() == replies["newer"].read_bytes()
    # and then analyze reads what collect saved
    status = _run("status", out, "--framework", scene["framework"], "--roster", scene["roster"])
    assert "MA" in status.output


def test_collect_with_nothing_to_read_exits_2(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = _run("collect", "--from-dir", tmp_path / "empty", "--out", tmp_path / "out")
    assert result.exit_code == 2 and "No messages" in result.output


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    return make_certificate(tmp_path_factory.mktemp("tls"))


def test_collect_from_imap(
    scene: dict[str, Any], replies: dict[str, Any], certificate: Certificate, tmp_path: Path
) -> None:
    require(DOVECOT is not None, "dovecot (apt-get install dovecot-imapd)")
    out = tmp_path / "returned"
    with dovecot(certificate) as port:
        append_messages(port, certificate, list(replies["messages"].values()), folder="Returns Q4")
        base = (
            "collect",
            "--imap",
            f"127.0.0.1:{port}",
            "--user",
            USER,
            "--folder",
            "Returns Q4",
            "--out",
            out,
            "--roster",
            scene["roster"],
            "--since",
            "2026-01-01",
        )
        unverified = _run(*base, env={"MATRIXKIT_IMAP_PASSWORD": PASSWORD})
        assert unverified.exit_code == 2 and "certificate could not be verified" in unverified.output
        result = _run(*base, "--cafile", certificate.cert, env={"MATRIXKIT_IMAP_PASSWORD": PASSWORD})
        again = _run(*base, "--cafile", certificate.cert, env={"MATRIXKIT_IMAP_PASSWORD": PASSWORD})
    _check_collected(result, out, replies, scene)
    assert PASSWORD not in result.output + unverified.output
    assert "5 seen before" in again.output and "0 saved" in again.output and again.exit_code == 1


def test_collect_from_plain_imap_only_with_insecure(
    scene: dict[str, Any], replies: dict[str, Any], certificate: Certificate, tmp_path: Path
) -> None:
    """A server without STARTTLS is refused (the password would cross the network in the clear), unless
    `--insecure` says so; then the returns are collected as over TLS."""
    require(DOVECOT is not None, "dovecot (apt-get install dovecot-imapd)")
    out = tmp_path / "returned"
    with dovecot(certificate, plain=True) as port:
        append_messages(port, certificate, list(replies["messages"].values()))
        base: tuple[str | Path, ...] = ("collect", "--imap", f"127.0.0.1:{port}", "--user", USER, "--out", out)
        base += ("--roster", scene["roster"], "--since", "2026-01-01")
        refused = _run(*base, env={"MATRIXKIT_IMAP_PASSWORD": PASSWORD})
        assert refused.exit_code == 2 and "offers no STARTTLS" in refused.output and not out.exists()
        result = _run(*base, "--insecure", env={"MATRIXKIT_IMAP_PASSWORD": PASSWORD})
    _check_collected(result, out, replies, scene)
    assert PASSWORD not in result.output + refused.output


def test_collect_refuses_an_attachment_with_a_dtd(scene: dict[str, Any], tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    hostile = badfiles.billion_laughs(scene["wb"]["MB"], tmp_path / "mb.xlsx")
    (inbox / "mb.eml").write_bytes(_reply("MB", hostile, datetime(2026, 12, 2, tzinfo=UTC), "<mb-x@example.com>"))
    result = _run("collect", "--from-dir", inbox, "--out", tmp_path / "out")
    assert result.exit_code == 1, result.output
    assert "not saved: 'mb.xlsx' from mb@example.com" in result.output and "0 saved" in result.output
    assert not list((tmp_path / "out").glob("*.xlsx"))


def test_the_send_log_appends_each_message_and_survives_a_cut_last_line(tmp_path: Path) -> None:
    """A message accepted is one line appended (the log is never rewritten: sending to thousands of managers
    stays linear); a line a crash cut is skipped, and the next record still stands on its own line."""
    path = tmp_path / LOG_NAME
    log = SendLog(path)
    log.record({"key": "send|2026-Q4|M1|a", "to": "ana@example.com"})
    first, inode = path.read_bytes(), path.stat().st_ino
    log.record({"key": "send|2026-Q4|M2|b", "to": "bo@example.com"})
    assert path.read_bytes().startswith(first) and path.read_bytes().count(b"\n") == 2
    assert path.stat().st_ino == inode  # appended to, not replaced by a rewritten copy
    path.write_bytes(path.read_bytes() + b'{"key": "send|2026-Q4|M3|c", "to": "c')  # the crash
    again = SendLog(path)
    assert again.sent("send|2026-Q4|M2|b") and not again.sent("send|2026-Q4|M3|c")
    again.record({"key": "send|2026-Q4|M3|c", "to": "cy@example.com"})
    assert SendLog(path).sent("send|2026-Q4|M3|c") and SendLog(path).sent("send|2026-Q4|M1|a")
