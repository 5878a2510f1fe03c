"""The authoring workbook's plan: its sheets, their column headers and the words its cells use.

`export` writes these sheets and `importing` reads them back by the same names, so a header renamed here
is renamed in both directions. The criteria columns follow `CRITERIA_KEYS`; the tables below say how each
criterion's cell is read and what its header comment tells the person editing it.

>>> CRITERIA_COLUMNS[:3]
('Criteria for', 'Level or track', 'Meaning (not read back)')
"""

from __future__ import annotations

from matrixkit.model.framework import CRITERIA_KEYS

INSTRUCTIONS_SHEET = "Instructions"
FAMILY_SHEET = "Family & scale"
LEVELS_SHEET = "Levels"
COMPETENCIES_SHEET = "Competencies"
DESCRIPTIONS_SHEET = "Descriptions"
PROFILES_SHEET = "Role profiles"
CRITERIA_SHEET = "Criteria"
EVIDENCE_SHEET = "Evidence"
METRICS_SHEET = "Metrics"
LATERAL_SHEET = "Lateral paths"
SHEETS = (
    FAMILY_SHEET,
    LEVELS_SHEET,
    COMPETENCIES_SHEET,
    DESCRIPTIONS_SHEET,
    PROFILES_SHEET,
    CRITERIA_SHEET,
    EVIDENCE_SHEET,
    METRICS_SHEET,
    LATERAL_SHEET,
)

FIELD_SCHEMA, FIELD_ID, FIELD_NAME, FIELD_VERSION = "Schema version", "Family id", "Family name", "Version"
FIELD_MIN, FIELD_MAX, FIELD_LABEL = "Scale min", "Scale max", "Label"
LEVEL_COLUMNS = ("Track id", "Track name", "Entry from", "Entry to", "Level id", "Title", "Scope", "Equivalent")
COMPETENCY_COLUMNS = ("Id", "Name", "Kind", "Tracks", "Weight")
EVIDENCE_COLUMNS = ("Id", "Prompt")
METRIC_COLUMNS = ("Id", "Name", "Min", "Max")
LATERAL_COLUMNS = ("From level", "To (family:level)", "Transferable", "Note")
CRITERIA_OWNER, CRITERIA_TARGET, CRITERIA_MEANING = "Criteria for", "Level or track", "Meaning (not read back)"
CRITERIA_WORDS = "Effective criteria at export (not read back)"
CRITERIA_COLUMNS = (CRITERIA_OWNER, CRITERIA_TARGET, CRITERIA_MEANING, *CRITERIA_KEYS, CRITERIA_WORDS)
OWNER_DEFAULT, OWNER_LEVEL, OWNER_ENTRY = "default", "level", "entry"
GRID_ID_DESCRIPTIONS, GRID_NAME_DESCRIPTIONS = "Competency id", "Competency (not read back)"
GRID_ID_PROFILES, GRID_NAME_PROFILES = "Level id", "Title (not read back)"
TITLES_ROW_MARK = "titles →"
NAMES_ROW_MARK = "names →"
KINDS = ("core", "functional", "leadership")
# A criterion present in a level's override that clears the default, as opposed to a blank (not set).
CLEARED = "none"
YES_WORDS, NO_WORDS = ("yes", "y", "true", "1"), ("no", "n", "false", "0")
SPARE_ROWS = 200

_INT_KEYS = ("next_level_gaps_at_most", "sustained_cycles", "months_in_level_at_least")
_NUMBER_KEYS = ("average_at_least", "each_at_least")
_BOOL_KEYS = ("endorsement", "calibration")
_CRITERIA_HELP = {
    "average_at_least": "Mean rating at least this (e.g. 3.5).",
    "each_at_least": "No rating below this (e.g. 3).",
    "next_level_gaps_at_most": "At most this many competencies below the next level's expected value.",
    "sustained_cycles": "Rating criteria met this many consecutive cycles.",
    "months_in_level_at_least": "Whole months in the level.",
    "evidence": "Evidence ids that must be Yes, comma-separated (see the Evidence sheet).",
    "metrics_at_least": "metric_id: value, comma-separated (e.g. quota: 100).",
    "endorsement": "yes: manager endorsement required.",
    "calibration": "yes: confirmed in a calibration session.",
}
_CLEAR_HELP = " Blank: not set (a level inherits the default). none: explicitly not checked."
