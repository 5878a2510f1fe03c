"""The analysis core: figures, readiness, calibration and organisation-wide results over plain data."""
