"""Read a cell of the authoring workbook as the value a YAML file would hold.

Each conversion is lenient in what it accepts (4, 4.0 and " 4 " are all 4) and returns anything it
cannot convert unchanged, so that the framework's own validation names the cell and what it expected.

>>> as_int(" 4 "), as_id_list("ic; management"), as_bool("Yes"), as_text(2.5)
(4, ['ic', 'management'], True, '2.5')
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from matrixkit.authoring.sheets import CLEARED, KINDS
from matrixkit.intake.ingest import parse_yes_no_text


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def normalised(value: Any) -> str:
    return " ".join(str(value).split()).lower()


def as_text(value: Any) -> Any:
    """Text exactly as typed; a number typed into a text cell becomes its text (3 → "3", 2.5 → "2.5")."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return value  # let validation say "expected text"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date().isoformat()
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    return str(value)


def as_id(value: Any) -> Any:
    text = as_text(value)
    return text.strip() if isinstance(text, str) else text


def optional(convert: Callable[[Any], Any], value: Any) -> Any:
    return None if is_blank(value) else convert(value)


def as_id_list(value: Any) -> Any:
    text = as_id(value)
    if not isinstance(text, str):
        return text
    if text.lower() == CLEARED:
        return []
    return [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]


def as_kind(value: Any) -> Any:
    text = as_id(value)
    return text.lower() if isinstance(text, str) and text.lower() in KINDS else text


def as_int(value: Any) -> Any:
    """A whole number from a cell (4, 4.0, " 4 "); anything else unchanged, for validation to name."""
    if isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        try:
            return int(text)
        except ValueError:
            try:
                number = float(text)
            except ValueError:
                return value
            return int(number) if number.is_integer() else number
    return value


def as_number(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip().replace(",", ".")) if value.strip().count(",") <= 1 else value
        except ValueError:
            return value
    return value


def as_bool(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    text = as_text(value)
    if isinstance(text, str):
        answer = parse_yes_no_text(text)  # the words a returned workbook's Yes/No cells accept, too
        if answer is not None:
            return answer
    return text


def as_codes(value: Any) -> Any:
    """Lint codes, comma- or semicolon-separated ("same-text, too-long" → ["same-text", "too-long"])."""
    text = as_text(value)
    if not isinstance(text, str):
        return text
    return [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]
