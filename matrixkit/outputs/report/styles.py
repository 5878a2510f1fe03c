"""The report's look: cell fills per status, result and flag, chart colours, and the formats made from them.

Formats are made on first use and cached by their properties, so equal inputs create them in the same
order and the workbook's bytes stay the same.

>>> STATUS_FILLS["ready"], STATUS_CHART_COLOURS["ready"]
('#A9D08E', '#548235')
"""

from __future__ import annotations

from typing import Any

from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook

from matrixkit.workbook.styles import HEADER_FILL, RESULT_FILLS, STATUS_FILLS

# Chart colours are stronger than cell fills: a thin bar must still be seen in print.
STATUS_CHART_COLOURS: dict[str, str] = {
    "ready": "#548235",
    "on_track": "#A9D08E",
    "not_ready": "#FFC000",
    "incomplete": "#A6A6A6",
    "top_of_track": "#2E75B6",
    "conflict": "#C00000",
}
GAP_BAR_COLOUR = "#7030A0"
NEXT_GAP_BAR_COLOUR = "#C9A3E0"  # the lighter: below the next level matters after below the current one
# Lines of the Trends charts, one colour per series (dashed after the twelfth); none is a cell fill.
TREND_LINE_COLOURS = (
    "#1F77B4",
    "#FF7F0E",
    "#2CA02C",
    "#D62728",
    "#9467BD",
    "#8C564B",
    "#E377C2",
    "#7F7F7F",
    "#BCBD22",
    "#17BECF",
    "#393B79",
    "#AD494A",
)
SEVERITY_FILLS = {"error": "#FF9999", "warning": "#FFE699"}
FLAG_FILLS = {"lenient": "#FFE699", "severe": "#BDD7EE", "aspirational": "#FFE699", "too easy": "#BDD7EE"}
NOT_APPLICABLE_FILL = "#F2F2F2"


def gap_scale(limit: float) -> dict[str, Any]:
    """Red below expectations, white on them, green above.

    The ends are fixed (not the data's min and max): a team that meets its profile is not painted red at 0.
    """
    return {
        "type": "3_color_scale",
        "min_type": "num",
        "min_value": -limit,
        "min_color": "#F8696B",
        "mid_type": "num",
        "mid_value": 0,
        "mid_color": "#FFFFFF",
        "max_type": "num",
        "max_value": limit,
        "max_color": "#63BE7B",
    }


_BASE_FORMAT: dict[str, Any] = {"font_name": "Calibri", "font_size": 11, "valign": "top"}


class Styles:
    """Formats made on first use and reused, so equal inputs create them in the same order."""

    def __init__(self, workbook: Workbook) -> None:
        self._workbook = workbook
        self._cache: dict[tuple[tuple[str, Any], ...], Format] = {}
        self._by_status: dict[str, Format] = {}
        self._by_result: dict[str, Format] = {}
        self.title = self.get(bold=True, font_size=14, font_color=HEADER_FILL)
        self.heading = self.get(bold=True, font_size=12, font_color=HEADER_FILL)
        self.note = self.get(italic=True, font_color="#595959")
        self.header = self.get(
            bold=True, text_wrap=True, font_color="#FFFFFF", bg_color=HEADER_FILL, border=1, border_color="#BFBFBF"
        )
        self.header_rotated = self.get(
            bold=True,
            font_color="#FFFFFF",
            bg_color=HEADER_FILL,
            border=1,
            border_color="#BFBFBF",
            rotation=90,
            align="center",
            valign="bottom",
        )
        self.text = self.get()
        self.wrap = self.get(text_wrap=True)
        self.bold = self.get(bold=True)
        self.integer = self.get(num_format="0")
        self.decimal = self.get(num_format="0.00")
        self.signed = self.get(num_format="+0;-0;0", align="center")
        self.signed_decimal = self.get(num_format="+0.00;-0.00;0.00", align="center")
        self.percent = self.get(num_format="0%")
        self.not_applicable = self.get(bg_color=NOT_APPLICABLE_FILL)

    def get(self, **props: Any) -> Format:
        key = tuple(sorted(props.items()))
        if key not in self._cache:
            self._cache[key] = self._workbook.add_format({**_BASE_FORMAT, **props})
        return self._cache[key]

    def status(self, status: str) -> Format:
        found = self._by_status.get(status)
        if found is None:
            found = self._by_status[status] = self.get(bg_color=STATUS_FILLS.get(status, "#FFFFFF"), bold=True)
        return found

    def result(self, result: str) -> Format:
        found = self._by_result.get(result)
        if found is None:
            found = self._by_result[result] = self.get(bg_color=RESULT_FILLS.get(result, "#FFFFFF"))
        return found

    def flag(self, flag: str | None) -> Format:
        return self.get(bg_color=FLAG_FILLS[flag], bold=True) if flag in FLAG_FILLS else self.text
