"""The history store: every cycle's ratings and results in SQLite, and what it holds as a document."""
