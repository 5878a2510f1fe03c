"""Sending through SMTP, and the send log that makes a second run send only what the first did not.

Certificates are verified (`ssl.create_default_context`, with `cafile` for a company's own CA) unless
`insecure`; STARTTLS is required unless `ssl` (TLS from the first byte) or `insecure` (a plain connection
allowed). The password is only passed to `SMTP.login`: never logged, never in a message.

The log is JSON lines, one per message the server accepted, rewritten atomically after each one: a crash
leaves the log as it was before or after that message, never half a line.
"""

from __future__ import annotations

import json
import smtplib
import ssl
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from matrixkit.errors import MailError, UsageError
from matrixkit.fileio import append_line_durably, read_json_lines
from matrixkit.mail.plan import Outgoing
from matrixkit.model.problems import Problem

LOG_NAME = "matrixkit-sent.jsonl"


class SendLog:
    """The messages already accepted by a server, by key; `record` adds one durably.

    >>> import tempfile
    >>> log = SendLog(Path(tempfile.mkdtemp()) / LOG_NAME)
    >>> log.record({"key": "send|2026-Q4|M1|ab", "to": "ana@example.com"})
    >>> log.sent("send|2026-Q4|M1|ab"), SendLog(log.path).sent("send|2026-Q4|M1|ab")
    (True, True)
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.entries = [entry for entry in read_json_lines(self.path) if isinstance(entry.get("key"), str)]
        self._keys = {entry["key"] for entry in self.entries}

    def sent(self, key: str) -> bool:
        return key in self._keys

    def record(self, entry: dict[str, Any]) -> None:
        self.entries.append(entry)
        self._keys.add(entry["key"])
        append_line_durably(self.path, json.dumps(entry, ensure_ascii=False, sort_keys=True))


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int | None = None
    ssl: bool = False  # TLS from the first byte (port 465) instead of STARTTLS (port 587)
    insecure: bool = False  # certificates not verified, and a plain connection allowed
    cafile: str | None = None
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = 60.0


def parse_server(text: str) -> tuple[str, int | None]:
    """`HOST[:PORT]` as host and port (None: the default).

    >>> parse_server("smtp.example.com:2525"), parse_server("smtp.example.com"), parse_server("[::1]:25")
    (('smtp.example.com', 2525), ('smtp.example.com', None), ('::1', 25))
    """
    host, port = text, None
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else None
    elif text.count(":") == 1:
        host, port = text.split(":")
    if not host or (port is not None and not port.isdigit()):
        raise UsageError(f"not a server: {text!r} (expected HOST or HOST:PORT)")
    return host, int(port) if port is not None else None


def tls_context(cafile: str | None, insecure: bool) -> ssl.SSLContext:
    """Verifying certificates and host names (against `cafile` when given), unless `insecure`."""
    context = ssl.create_default_context(cafile=cafile)
    if insecure:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def connect_smtp(settings: SmtpSettings) -> smtplib.SMTP:
    """An SMTP connection, encrypted unless `settings.insecure`, logged in when `settings.user` is given."""
    where = f"{settings.host}:{settings.port or (465 if settings.ssl else 587)}"
    context = tls_context(settings.cafile, settings.insecure)
    try:
        connection: smtplib.SMTP
        if settings.ssl:
            connection = smtplib.SMTP_SSL(
                settings.host, settings.port or 465, timeout=settings.timeout, context=context
            )
        else:
            connection = smtplib.SMTP(settings.host, settings.port or 587, timeout=settings.timeout)
            connection.ehlo()
            if connection.has_extn("starttls"):
                connection.starttls(context=context)
                connection.ehlo()
            elif not settings.insecure:
                connection.close()
                raise MailError(
                    f"{where} offers no STARTTLS: nothing was sent (use --ssl for a TLS port, or --insecure "
                    "to send unencrypted)"
                )
        if settings.user:
            connection.login(settings.user, settings.password or "")
    except ssl.SSLCertVerificationError as exc:
        raise MailError(
            f"{where}: the server's certificate could not be verified ({exc.verify_message}): nothing was sent "
            "(give your CA with --cafile, or --insecure to skip the check)"
        ) from None
    except smtplib.SMTPAuthenticationError as exc:
        raise MailError(f"{where} refused the login of {settings.user} ({exc.smtp_code}): nothing was sent") from None
    except smtplib.SMTPNotSupportedError:
        raise MailError(f"{where} offers no login (AUTH): nothing was sent (leave out --user?)") from None
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(f"cannot use the mail server {where}: {_reason(exc)}: nothing was sent") from None
    return connection


@dataclass
class Delivery:
    """What a run did: messages sent now, already sent by an earlier run, and the problems of the others."""

    sent: list[Outgoing] = field(default_factory=list)
    already: list[Outgoing] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def deliver(
    messages: Sequence[Outgoing],
    compose: Callable[[Outgoing], EmailMessage],
    settings: SmtpSettings,
    log: SendLog,
    *,
    progress: Callable[[Outgoing], None] | None = None,
) -> Delivery:
    """Send each message not in `log` yet, recording each the server accepts; a refused recipient is a
    problem and the others go on; a lost connection stops the run (a re-run sends the rest)."""
    result = Delivery()
    pending: list[Outgoing] = []
    for outgoing in messages:
        (result.already if log.sent(outgoing.key) else pending).append(outgoing)
    if not pending:
        return result
    connection = connect_smtp(settings)
    try:
        for index, outgoing in enumerate(pending):
            message = compose(outgoing)
            sender = message["From"].addresses[0].addr_spec
            try:
                # The envelope names the one recipient: no header can add another.
                connection.send_message(message, from_addr=sender, to_addrs=[outgoing.address])
            except smtplib.SMTPRecipientsRefused as exc:
                code, reason = next(iter(exc.recipients.values()))
                result.problems.append(
                    _refused(outgoing, f"the server refused {outgoing.address} ({code} {_text(reason)})")
                )
            except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
                result.problems.append(
                    _refused(outgoing, f"the server refused the message ({exc.smtp_code} {_text(exc.smtp_error)})")
                )
            except (smtplib.SMTPServerDisconnected, OSError) as exc:
                left = len(pending) - index
                result.problems.append(
                    Problem(
                        "error",
                        f"the connection was lost ({_reason(exc)}): {left} message(s) not sent",
                        code="mail-disconnected",
                        hint="run the same command again: it sends only what was not sent",
                    )
                )
                return result
            else:
                log.record(_log_entry(outgoing, message))
                result.sent.append(outgoing)
            if progress is not None:
                progress(outgoing)
    finally:
        try:
            connection.quit()
        except (smtplib.SMTPException, OSError):
            connection.close()
    return result


def _log_entry(outgoing: Outgoing, message: EmailMessage) -> dict[str, Any]:
    return {
        "key": outgoing.key,
        "kind": outgoing.kind,
        "manager_id": outgoing.manager_id,
        "to": outgoing.address,
        "file": outgoing.attachment.name if outgoing.attachment else None,
        "message_id": message["Message-ID"],
        "sent_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def _refused(outgoing: Outgoing, reason: str) -> Problem:
    return Problem(
        "error",
        f"not sent to {outgoing.manager_id} ({outgoing.manager_name}): {reason}",
        file=str(outgoing.attachment) if outgoing.attachment else None,
        code="mail-refused",
        hint="run the same command again once it is fixed: only what was not sent is sent",
    )


def _text(reason: bytes | str) -> str:
    return reason.decode("utf-8", "replace") if isinstance(reason, bytes) else str(reason)


def _reason(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__
