r"""How tall a row must be for its wrapped text: LibreOffice opens an .xlsx with the heights it stores and
never grows a row to fit wrapped text by itself, so every row of wrapped text gets its height written.

Text is measured with the advance widths of DejaVu Sans, the widest font a spreadsheet here may show
it in (LibreOffice's stand-in for Calibri where Calibri and Carlito are missing): a row tall enough
there is tall enough in Excel's Calibri too, only with a little room to spare. Words wrap as both
clients wrap them: at spaces, a word longer than the line broken by character, line breaks kept.

>>> row_points(["Writes code."], 46), row_points(["word " * 40], 46) > 60
(15.0, True)
>>> wrapped_lines("one two three", 30), wrapped_lines("one two three", 300), wrapped_lines("one two\nthree", 300)
(3, 1, 2)
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

# DejaVu Sans advance widths in 1/2048 em (its units per em): the characters the text most often holds.
_WIDTHS = {
    " ": 651, "!": 821, '"': 942, "#": 1716, "$": 1303, "%": 1946, "&": 1597, "'": 563, "(": 799, ")": 799,
    "*": 1024, "+": 1716, ",": 651, "-": 739, ".": 651, "/": 690, ":": 690, ";": 690, "<": 1716, "=": 1716,
    ">": 1716, "?": 1087, "@": 2048, "[": 799, "]": 799, "_": 1024, "|": 690, "·": 651, "—": 2048, "–": 1024,
    "…": 2048, "→": 1716, "≥": 1716, "≤": 1716, "’": 651, "“": 1067, "”": 1067,
    "a": 1255, "b": 1300, "c": 1126, "d": 1300, "e": 1260, "f": 721, "g": 1300, "h": 1298, "i": 569,
    "j": 569, "k": 1186, "l": 569, "m": 1995, "n": 1298, "o": 1253, "p": 1300, "q": 1300, "r": 842,
    "s": 1067, "t": 803, "u": 1298, "v": 1212, "w": 1675, "x": 1212, "y": 1212, "z": 1075,
    "A": 1401, "B": 1405, "C": 1430, "D": 1577, "E": 1294, "F": 1178, "G": 1587, "H": 1540, "I": 604,
    "J": 604, "K": 1343, "L": 1141, "M": 1767, "N": 1532, "O": 1612, "P": 1235, "Q": 1612, "R": 1423,
    "S": 1300, "T": 1251, "U": 1499, "V": 1401, "W": 2025, "X": 1403, "Y": 1251, "Z": 1403,
}  # fmt: skip
_DIGIT = 1303
_WIDE = 2048  # anything else: a full em (CJK is about this wide)
_EM = 2048
LINE_POINTS = 15.0  # one line of 11-point text, as Excel's default row; DejaVu's line is a little less
PADDING_POINTS = 3.0  # above and below the text
MAX_ROW_POINTS = 409.0  # the tallest row Excel stores


def _advance(ch: str) -> int:
    if ch.isdigit():
        return _DIGIT
    return _WIDTHS.get(ch, _WIDE if ord(ch) > 0x2E7F else 1300)


def _text_points(text: str, size: float) -> float:
    return sum(_advance(ch) for ch in text) * size / _EM


def usable_points(characters: float) -> float:
    """The room for text in a column `characters` wide (Excel's unit: a Calibri 11 digit, 7 pixels),
    less the cell's inner margins, in points."""
    pixels = int(characters * 7 + 0.5) + 5
    return (pixels - 14) * 0.75


@lru_cache(maxsize=65_536)
def wrapped_lines(text: str, width_points: float, size: float = 11.0) -> int:
    """How many lines `text` takes in a wrapping cell `width_points` wide, line breaks kept."""
    space = _text_points(" ", size)
    lines = 0
    for paragraph in text.split("\n"):
        lines += 1
        used = 0.0
        for word in paragraph.split():
            width = _text_points(word, size)
            if used and used + space + width <= width_points:
                used += space + width
                continue
            if used:
                lines += 1
            while width > width_points:  # a word longer than the line: broken by character
                lines += 1
                width -= width_points
            used = width
    return lines


def row_points(texts: Iterable[str | None], characters: float, size: float = 11.0, *, bold: bool = False) -> float:
    """The height in points for the tallest of `texts` in wrapping cells `characters` wide (`size`-point
    text; bold is measured 15% wider)."""
    room = usable_points(characters)
    measured = size * 1.15 if bold else size
    lines = max((wrapped_lines(text.strip(), room, measured) for text in texts if text), default=1)
    line = LINE_POINTS * size / 11.0
    if lines <= 1:
        return line if size <= 11 else line + PADDING_POINTS
    return min(MAX_ROW_POINTS, lines * line + PADDING_POINTS)
