"""The authoring workbook's plan: its sheets, their column headers and the words its cells use.

`export` writes these sheets and `importing` reads them back by the same names, so a header renamed here
is renamed in both directions. Each list sheet is a tuple of `Column`s: the header, the YAML key the
column holds, its width and its header comment. The criteria columns follow `CRITERIA_KEYS`; the tables
at the end say how each criterion's cell is read and what its header comment tells the person editing it.

>>> CRITERIA_COLUMNS[:3]
('Criteria for', 'Level or track', 'Meaning (not read back)')
"""

from __future__ import annotations

from typing import NamedTuple

from matrixkit.model.framework import CRITERIA_KEYS

INSTRUCTIONS_SHEET = "Instructions"
FAMILY_SHEET = "Family & scale"
LEVELS_SHEET = "Levels"
COMPETENCIES_SHEET = "Competencies"
DESCRIPTIONS_SHEET = "Descriptions"
PROFILES_SHEET = "Role profiles"
ANCHORS_SHEET = "Anchors"
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
    ANCHORS_SHEET,
    CRITERIA_SHEET,
    EVIDENCE_SHEET,
    METRICS_SHEET,
    LATERAL_SHEET,
)

FIELD_SCHEMA, FIELD_ID, FIELD_NAME, FIELD_VERSION = "Schema version", "Family id", "Family name", "Version"
FIELD_MIN, FIELD_MAX, FIELD_LABEL = "Scale min", "Scale max", "Label"
FIELD_SOURCE, FIELD_LICENSE = "Source", "License"
FIELD_LINT = "Lint allows"  # codes of the lint warnings the author accepts on purpose, comma-separated


class Column(NamedTuple):
    """A column of a list sheet: its header in row 1, the YAML key it holds, its width and header comment."""

    header: str
    key: str
    width: float
    help: str = ""


TRACK_ID = Column("Track id", "id", 14, "The track's id. Rows of a track go lowest level first.")
TRACK_NAME = Column("Track name", "name", 24, "The track's name (same on each of its rows).")
ENTRY_FROM = Column("Entry from", "from", 12, "Crossover: the lowest level of another track that may enter this track.")
ENTRY_TO = Column("Entry to", "to", 12, "Crossover: the level of this track it enters.")
LEVEL_ID = Column(
    "Level id",
    "id",
    14,
    "Unique across the family; heads a column of the Descriptions sheet and a row of Role profiles.",
)
LEVEL_TITLE = Column("Title", "title", 30, "Job title.")
LEVEL_SCOPE = Column("Scope", "scope", 70, "Optional: the level's scope in a sentence.")
LEVEL_EQUIVALENT = Column(
    "Equivalent", "equivalent", 12, "Optional: a level of another track with the same status and pay."
)
LEVEL_TABLE = (TRACK_ID, TRACK_NAME, ENTRY_FROM, ENTRY_TO, LEVEL_ID, LEVEL_TITLE, LEVEL_SCOPE, LEVEL_EQUIVALENT)

COMPETENCY_ID = Column("Id", "id", 24, "Unique id; heads a column of Role profiles and a row of Descriptions.")
COMPETENCY_NAME = Column("Name", "name", 32, "Unique name; heads the rating column in managers' workbooks.")
COMPETENCY_KIND = Column("Kind", "kind", 14, "core, functional or leadership.")
COMPETENCY_TRACKS = Column("Tracks", "tracks", 26, "Track ids, comma-separated. Blank: every track.")
COMPETENCY_WEIGHT = Column("Weight", "weight", 10, "Weight in the average. Blank: 1.")
COMPETENCY_LINT = Column(
    FIELD_LINT, "lint", 22, "Optional: lint warnings accepted on purpose, codes comma-separated (docs/lint.md)."
)
COMPETENCY_TABLE = (
    COMPETENCY_ID,
    COMPETENCY_NAME,
    COMPETENCY_KIND,
    COMPETENCY_TRACKS,
    COMPETENCY_WEIGHT,
    COMPETENCY_LINT,
)

EVIDENCE_ID = Column("Id", "id", 24, "Unique id, used in the criteria's evidence column.")
EVIDENCE_PROMPT = Column("Prompt", "prompt", 80, "The Yes/No question a manager confirms.")
EVIDENCE_TABLE = (EVIDENCE_ID, EVIDENCE_PROMPT)

METRIC_ID = Column("Id", "id", 24, "Unique id, used in metrics_at_least.")
METRIC_NAME = Column("Name", "name", 40, "Column header in the ratings workbook.")
METRIC_MIN = Column("Min", "min", 12)
METRIC_MAX = Column("Max", "max", 12)
METRIC_TABLE = (METRIC_ID, METRIC_NAME, METRIC_MIN, METRIC_MAX)

LATERAL_FROM = Column("From level", "from", 14, "A level of this family.")
LATERAL_TO = Column("To (family:level)", "to", 22, "family_id:level_id in another framework file.")
LATERAL_TRANSFERABLE = Column("Transferable", "transferable", 40, "Competency ids, comma-separated.")
LATERAL_NOTE = Column("Note", "note", 70)
LATERAL_TABLE = (LATERAL_FROM, LATERAL_TO, LATERAL_TRANSFERABLE, LATERAL_NOTE)

LEVEL_COLUMNS = tuple(c.header for c in LEVEL_TABLE)
# The headers a Competencies sheet must have: one exported before "Lint allows" existed still imports.
COMPETENCY_COLUMNS = tuple(c.header for c in COMPETENCY_TABLE if c is not COMPETENCY_LINT)
EVIDENCE_COLUMNS = tuple(c.header for c in EVIDENCE_TABLE)
METRIC_COLUMNS = tuple(c.header for c in METRIC_TABLE)
LATERAL_COLUMNS = tuple(c.header for c in LATERAL_TABLE)

CRITERIA_OWNER, CRITERIA_TARGET, CRITERIA_MEANING = "Criteria for", "Level or track", "Meaning (not read back)"
CRITERIA_WORDS = "Effective criteria at export (not read back)"
CRITERIA_COLUMNS = (CRITERIA_OWNER, CRITERIA_TARGET, CRITERIA_MEANING, *CRITERIA_KEYS, CRITERIA_WORDS)
OWNER_DEFAULT, OWNER_LEVEL, OWNER_ENTRY = "default", "level", "entry"
GRID_ID_DESCRIPTIONS, GRID_NAME_DESCRIPTIONS = "Competency id", "Competency (not read back)"
GRID_ID_PROFILES, GRID_NAME_PROFILES = "Level id", "Title (not read back)"
GRID_ID_ANCHORS, GRID_NAME_ANCHORS = "Competency id", "Competency (not read back)"
TITLES_ROW_MARK = "titles →"
NAMES_ROW_MARK = "names →"
KINDS = ("core", "functional", "leadership")
# A criterion present in a level's override that clears the default, as opposed to a blank (not set).
CLEARED = "none"
# A role profile's cell for a competency the level does not assess (`expected: {id: null}`).
NOT_ASSESSED = "n/a"
SPARE_ROWS = 200

_CLEAR_HELP = " Blank: not set (a level inherits the default). none: explicitly not checked."
