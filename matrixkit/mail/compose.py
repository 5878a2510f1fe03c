"""Building one message: templates filled, roster text made header-safe, the workbook attached. Pure.

Roster text (a name, an address) never reaches a header as it is: control characters, CR and LF included,
become spaces, display names are quoted by `email.headerregistry.Address`, and an address must be one
plain `local@domain` or it is refused. The envelope recipients are always given explicitly when sending,
so no header could add one anyway.

>>> message = build_message(
...     sender=mail_address("HR", "hr@example.com"),
...     recipient=mail_address("Bob\\r\\nBcc: evil@example.com", "bob@example.com"),
...     subject="Your workbook, {manager_name}", body="Hello {manager_name}", values={"manager_name": "Bob"},
... )
>>> message["To"], message["Bcc"]
('"Bob Bcc: evil@example.com" <bob@example.com>', None)
"""

from __future__ import annotations

import hashlib
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from matrixkit.errors import UsageError

PLACEHOLDERS = ("manager_name", "cycle", "due", "missing")
UNSENT_HEADER = "X-Unsent"  # Outlook opens a message carrying `X-Unsent: 1` as a draft to edit and send

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]+")
# One plain address: no spaces, quotes, brackets, commas or a second `@` that could make it two.
_ADDRESS = re.compile(r"[^\s@<>,;:\"()\[\]\\]+@[^\s@<>,;:\"()\[\]\\]+")

_MIME_TYPES = {
    ".xlsx": ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ".xlsm": ("application", "vnd.ms-excel.sheet.macroEnabled.12"),
    ".ods": ("application", "vnd.oasis.opendocument.spreadsheet"),
    ".xls": ("application", "vnd.ms-excel"),
}


@dataclass(frozen=True)
class Attachment:
    file_name: str
    data: bytes


def header_text(text: str) -> str:
    """`text` on one line: every run of control characters (CR, LF, tab…) becomes one space.

    >>> header_text("Bob\\r\\nBcc: evil@example.com ")
    'Bob Bcc: evil@example.com'
    """
    return " ".join(_CONTROL.sub(" ", text).split())


def mail_address(name: str | None, address: str | None) -> Address | None:
    """The address as a header-safe `Address`, or None when it is not one plain `local@domain`.

    >>> mail_address("Zoë", "zoe@example.com"), mail_address("Bob", "bob@example.com\\r\\nBcc: evil@example.com")
    (Address(display_name='Zoë', username='zoe', domain='example.com'), None)
    """
    if address is None or not _ADDRESS.fullmatch(address.strip()):
        return None
    try:
        return Address(display_name=header_text(name or ""), addr_spec=address.strip())
    except (ValueError, IndexError, TypeError):  # email's parser refuses what it cannot quote
        return None


def check_template(template: str, what: str) -> None:
    """A `UsageError` naming the first placeholder outside `PLACEHOLDERS` (or a lone brace) in `template`.

    >>> check_template("Hello {manager_name}, due {due}", "--body")
    >>> check_template("Hello {name}", "--body")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    matrixkit.errors.UsageError: unknown placeholder {name} in --body; use {manager_name}, {cycle}, {due} or ...
    """
    known = ", ".join(f"{{{p}}}" for p in PLACEHOLDERS[:-1]) + f" or {{{PLACEHOLDERS[-1]}}}"
    try:
        fields = [(name, spec, conversion) for _, name, spec, conversion in string.Formatter().parse(template)]
    except ValueError as exc:
        raise UsageError(f"{what}: {exc}; write {{{{ and }}}} for a brace") from None
    for name, spec, conversion in fields:
        if name is None:
            continue
        if name not in PLACEHOLDERS or spec or conversion:
            shown = name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
            raise UsageError(
                f"unknown placeholder {{{shown}}} in {what}; use {known} (write {{{{ and }}}} for a brace)"
            )


def fill_template(template: str, values: Mapping[str, str]) -> str:
    """`template` with its placeholders replaced; any placeholder without a value is empty.

    >>> fill_template("{manager_name}: {{literal}} {due}", {"manager_name": "Ana"})
    'Ana: {literal} '
    """
    check_template(template, "the template")
    # Only {missing} is a list of lines; a name or a date is one line wherever it goes.
    lines = {
        name: values.get(name, "") if name == "missing" else header_text(values.get(name, "")) for name in PLACEHOLDERS
    }
    return template.format_map(lines)


def message_id(key: str, sender: Address) -> str:
    """A Message-ID fixed by what the message is (`key`), so the same message always has the same id.

    >>> message_id("send|2026-Q4|M1|ab", Address(addr_spec="hr@example.com"))
    '<a0f8a264def8319ba64c3ec2802f95b8.matrixkit@example.com>'
    """
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
    domain = re.sub(r"[^A-Za-z0-9.-]", "", sender.domain) or "matrixkit.invalid"
    return f"<{digest}.matrixkit@{domain}>"


def build_message(
    *,
    sender: Address | None,
    recipient: Address | None,
    subject: str,
    body: str,
    values: Mapping[str, str],
    attachment: Attachment | None = None,
    identifier: str | None = None,
    date: datetime | None = None,
    draft: bool = False,
) -> EmailMessage:
    """One message: templates filled with `values`, every header from roster text made safe (`header_text`).

    A draft carries `X-Unsent: 1` and no Date or Message-ID: the mail client adds them when it is sent.
    """
    if sender is None or recipient is None:
        raise UsageError("a message needs a sender and a recipient address")
    message = EmailMessage(policy=policy.SMTP)
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = header_text(fill_template(subject, values))
    if draft:
        message[UNSENT_HEADER] = "1"
    else:
        if date is not None:
            message["Date"] = format_datetime(date)
        if identifier is not None:
            message["Message-ID"] = identifier
    message.set_content(fill_template(body, values))
    if attachment is not None:
        name = header_text(attachment.file_name)
        maintype, subtype = _MIME_TYPES.get(_suffix(name), ("application", "octet-stream"))
        message.add_attachment(attachment.data, maintype=maintype, subtype=subtype, filename=name)
    return message


def _suffix(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:].lower() if dot >= 0 else ""
