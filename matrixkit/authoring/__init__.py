"""Authoring a framework in a spreadsheet: export to xlsx for HR to edit, import it back."""
