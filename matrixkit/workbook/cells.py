"""A1 cell references, both directions, zero-based like every grid in matrixkit; and Excel's text measure.

Writing a workbook turns (row, column) into `D5`; reading one turns the scan's `D5` back into (row,
column). Both live here so the two can never disagree. Excel counts text in UTF-16 code units (an emoji
is two): `excel_length` and `excel_prefix` are the one measure every limit (cell text, sheet names,
prompts) is checked with.

>>> col_letter(0), col_letter(25), col_letter(26), col_letter(16383)
('A', 'Z', 'AA', 'XFD')
>>> cell_ref(4, 3), cell_ref(4, 3, absolute=True)
('D5', '$D$5')
>>> column_index("XFD"), parse_ref("D5")
(16383, (4, 3))
>>> all(parse_ref(cell_ref(row, col)) == (row, col) for row in (0, 9, 1048575) for col in range(800))
True
>>> excel_length("a😀"), excel_prefix("a😀b", 2), excel_prefix("a😀b", 3)
(3, 'a', 'a😀')
"""

from __future__ import annotations

import re
from functools import lru_cache

EXCEL_MAX_COLUMNS = 16_384  # XFD
EXCEL_CELL_LIMIT = 32_767  # characters in one cell, as Excel counts them
_REF = re.compile(r"([A-Za-z]+)([0-9]+)")


# Bounded: a hostile file may name columns far past any sheet matrixkit writes.
@lru_cache(maxsize=EXCEL_MAX_COLUMNS)
def col_letter(index: int) -> str:
    """Zero-based column index to its letters: `col_letter(27) == "AB"`."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def cell_ref(row: int, col: int, *, absolute: bool = False) -> str:
    """Zero-based row and column to an A1 reference: `cell_ref(6, 3) == "D7"`."""
    if absolute:
        return f"${col_letter(col)}${row + 1}"
    return f"{col_letter(col)}{row + 1}"


def column_index(letters: str) -> int:
    """Column letters, either case, to the zero-based index: `column_index("ab") == 27`.

    Empty letters give -1, the column before `A`: callers that accept a reference without letters
    (a problem placed at "row 5") then sort it first.
    """
    column = 0
    for letter in letters.upper():
        column = column * 26 + ord(letter) - 64
    return column - 1


def parse_ref(ref: str) -> tuple[int, int]:
    """An A1 reference to zero-based (row, column): `parse_ref("D7") == (6, 3)`; ValueError if it is none."""
    match = _REF.fullmatch(ref)
    if match is None:
        raise ValueError(f"not a cell reference: {ref!r}")
    letters, digits = match.groups()
    return int(digits) - 1, column_index(letters)


def excel_length(text: str) -> int:
    """The length Excel's limits count: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def excel_prefix(text: str, limit: int) -> str:
    """The longest start of `text` within `limit` UTF-16 code units, never half of a character."""
    if len(text) <= limit // 2 or excel_length(text) <= limit:  # no character takes more than two units
        return text
    units = 0
    for index, ch in enumerate(text):
        units += 2 if ord(ch) > 0xFFFF else 1
        if units > limit:
            return text[:index]
    return text
