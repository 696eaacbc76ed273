"""Spreadsheet downloads: CSV that a spreadsheet opens as data, never as formulas."""

import csv
import io

# A cell starting with one of these is run as a formula by Excel, LibreOffice and Google Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """A cell a spreadsheet would run as a formula starts with a quote instead."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def csv_text(header, rows):
    """The rows as CSV (RFC 4180 line ends), every cell made spreadsheet-safe."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    for row in [header, *rows]:
        writer.writerow([spreadsheet_safe(str(cell)) for cell in row])
    return out.getvalue()
