"""Spreadsheet downloads: CSV that a spreadsheet opens as data, never as formulas."""

import csv
import io
import unicodedata

# A cell starting with one of these is run as a formula by Excel, LibreOffice and Google Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_start(value):
    """The formula character a spreadsheet would find at the start of ``value``, or ''. Read as a
    spreadsheet may read it: compatibility forms count as the character they stand for (NFKC maps
    the full-width ＝＋－＠ to =+-@), and invisible format characters before it (zero-width space
    and joiners, word joiner, byte-order mark: Unicode category Cf) are passed over."""
    seen = unicodedata.normalize("NFKC", value)
    start = next((c for c in seen if unicodedata.category(c) != "Cf"), "")
    return start if start in FORMULA_STARTS else ""


def spreadsheet_safe(value):
    """A cell a spreadsheet would run as a formula starts with a quote instead."""
    return "'" + value if formula_start(value) else value


def csv_text(header, rows):
    """The rows as CSV (RFC 4180 line ends), every cell made spreadsheet-safe."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    for row in [header, *rows]:
        writer.writerow([spreadsheet_safe(str(cell)) for cell in row])
    return out.getvalue()
