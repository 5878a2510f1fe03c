"""Reading returned workbooks: the safety scan before any parser, opening, cell checks, batches of files."""
