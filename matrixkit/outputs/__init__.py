"""What matrixkit writes: manager workbooks, the report workbook, JSON, packets and reports, the page."""
