"""The one plan of a generated workbook, and everything that renders it: layout, formulas, sheets, package."""
