"""The framework model and the rules over it: pure, no file access.

framework (levels, tracks, competencies, criteria), roster (who is rated, by whom), cycles (review
periods as time), problems (what is wrong, as values), lint (quality checks), diff (what changed
between versions), words (rules in plain words)."""
