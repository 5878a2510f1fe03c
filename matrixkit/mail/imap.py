"""Reading the replies from an IMAP folder: opened read-only, messages fetched without marking them read.

Encrypted as SMTP is (`matrixkit.mail.smtp.tls_context`): STARTTLS unless `ssl`, certificates verified
unless `insecure`, a plain connection only with `insecure`. The password goes only to `IMAP4.login`.
"""

from __future__ import annotations

import contextlib
import imaplib
import re
import ssl
from dataclasses import dataclass, field
from datetime import date

from matrixkit.errors import MailError
from matrixkit.mail.smtp import tls_context
from matrixkit.model.problems import Problem

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class ImapSettings:
    host: str
    user: str
    password: str = field(repr=False)
    port: int | None = None
    folder: str = "INBOX"
    since: date | None = None
    ssl: bool = False
    insecure: bool = False
    cafile: str | None = None
    timeout: float = 60.0


def imap_date(day: date) -> str:
    """The date as an IMAP SEARCH wants it, in English whatever the locale.

    >>> imap_date(date(2026, 12, 1))
    '01-Dec-2026'
    """
    return f"{day.day:02d}-{_MONTHS[day.month - 1]}-{day.year}"


def quoted(folder: str) -> str:
    """A folder name as one IMAP quoted string.

    >>> quoted('Returns "Q4"')
    '"Returns \\\\"Q4\\\\""'
    """
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def fetch_messages(settings: ImapSettings, max_bytes: int) -> tuple[list[tuple[str, bytes]], list[Problem]]:
    """Every message of the folder (since `settings.since`) as (where it came from, its bytes); a message
    larger than `max_bytes` is a problem, never fetched."""
    where = f"{settings.host}:{settings.port or (993 if settings.ssl else 143)}"
    context = tls_context(settings.cafile, settings.insecure)
    try:
        connection = _connect(settings, context, where)
        try:
            status, _ = connection.select(quoted(settings.folder), readonly=True)
            if status != "OK":
                raise MailError(f"{where} has no folder {settings.folder!r}")
            criteria = ("SINCE", imap_date(settings.since)) if settings.since else ("ALL",)
            _, found = connection.uid("SEARCH", *criteria)
            uids = [uid for uid in b" ".join(item for item in found if item).decode().split()]
            messages: list[tuple[str, bytes]] = []
            problems: list[Problem] = []
            for uid in uids:
                source = f"imap://{settings.host}/{settings.folder};UID={uid}"
                _, sized = connection.uid("FETCH", uid, "(RFC822.SIZE)")
                size = re.search(rb"RFC822\.SIZE (\d+)", b" ".join(i for i in sized if isinstance(i, bytes)))
                if size is not None and int(size.group(1)) > max_bytes:
                    problems.append(
                        Problem(
                            "error",
                            f"a message of {int(size.group(1)) // 2**20} MiB: too large, not read",
                            file=source,
                            code="mail-too-large",
                        )
                    )
                    continue
                _, fetched = connection.uid("FETCH", uid, "(BODY.PEEK[])")
                body = next((item[1] for item in fetched if isinstance(item, tuple)), None)
                if body is not None:
                    messages.append((source, body))
            return messages, problems
        finally:
            with contextlib.suppress(imaplib.IMAP4.error, OSError):
                connection.logout()
    except ssl.SSLCertVerificationError as exc:
        raise MailError(
            f"{where}: the server's certificate could not be verified ({exc.verify_message}) "
            "(give your CA with --cafile, or --insecure to skip the check)"
        ) from None
    except (imaplib.IMAP4.error, OSError) as exc:
        raise MailError(f"cannot read {settings.folder!r} on {where}: {exc}") from None


def _connect(settings: ImapSettings, context: ssl.SSLContext, where: str) -> imaplib.IMAP4:
    connection: imaplib.IMAP4
    if settings.ssl:
        connection = imaplib.IMAP4_SSL(
            settings.host, settings.port or 993, ssl_context=context, timeout=settings.timeout
        )
    else:
        connection = imaplib.IMAP4(settings.host, settings.port or 143, timeout=settings.timeout)
        if "STARTTLS" in connection.capabilities:
            connection.starttls(ssl_context=context)
        elif not settings.insecure:
            connection.shutdown()
            raise MailError(
                f"{where} offers no STARTTLS (use --ssl for an IMAPS port, or --insecure to read unencrypted)"
            )
    try:
        connection.login(settings.user, settings.password)
    except imaplib.IMAP4.error:
        connection.shutdown()
        raise MailError(f"{where} refused the login of {settings.user}") from None
    return connection
