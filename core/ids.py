"""Ids from query strings and forms: ASCII digits within the database's integer range, or None;
and free text from query strings (searches, filters).

``str.isdigit`` accepts "²" and other Unicode digits that ``int`` and the database refuse, and a
number past the 64-bit range overflows the database: both would answer with a server error. So does
a NUL character in text compared on PostgreSQL."""

MAX_ID = 2**63 - 1


def parse_id(value):
    value = (value or "").strip()
    if not value or not value.isascii() or not value.isdigit() or len(value) > 19:
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None


def query_text(value, max_length=100):
    """Text to search or filter by: trimmed, at most ``max_length`` characters, without NUL
    characters (which PostgreSQL cannot hold in text)."""
    return (value or "").replace("\x00", "").strip()[:max_length]
