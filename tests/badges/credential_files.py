"""Reading what the product writes, as a verifier would: the bits of a status list and the credential
baked into a badge image (the product only writes these; the tests read them back)."""

import base64
import gzip

from badges.issuing.images import KEYWORD, MAX_BAKED_BYTES, itxt_text, png_chunks


def decode_list(encoded):
    """A status list's ``encodedList`` (multibase base64url of GZIP) as bytes."""
    data = encoded[1:] + "=" * (-len(encoded[1:]) % 4)
    return gzip.decompress(base64.urlsafe_b64decode(data))


def is_set(bits, index):
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def unbake_png(png, limit=MAX_BAKED_BYTES):
    """The credential JSON baked into a PNG, or None."""
    for kind, data in png_chunks(png):
        if kind == b"iTXt" and data.startswith(KEYWORD + b"\0"):
            return itxt_text(data[len(KEYWORD) + 1 :], limit)
    return None
