"""Ids from query strings and forms: ASCII digits within the database's integer range, or None.

``str.isdigit`` accepts "²" and other Unicode digits that ``int`` and the database refuse, and a
number past the 64-bit range overflows the database: both would answer with a server error."""

MAX_ID = 2**63 - 1


def parse_id(value):
    value = (value or "").strip()
    if not value or not value.isascii() or not value.isdigit() or len(value) > 19:
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None
