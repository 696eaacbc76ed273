"""Badge images: drawn once per achievement (PNG with Pillow, SVG by hand), then each award's copy
carries its credential baked in as Open Badges 3.0 asks: a PNG ``iTXt`` chunk with the keyword
``openbadgecredential``, uncompressed; an SVG ``openbadges:credential`` element holding the JSON as
one CDATA section."""

import io
import re
import struct
import textwrap
import zlib
from xml.sax.saxutils import escape

from PIL import Image, ImageDraw, ImageFont

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
KEYWORD = b"openbadgecredential"
OB_NAMESPACE = "https://purl.imsglobal.org/ob/v3p0"
SIZE = 400
COLOURS = {"Badge": ("#1f4e79", "#dce9f5"), "Certificate": ("#6b2d5c", "#f3e3ef")}


# What XML 1.0 cannot hold, not even as a character reference: controls other than tab, line feed
# and carriage return, surrogates, U+FFFE and U+FFFF. A title pasted with one must still give a
# well-formed SVG, or no browser shows the badge.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


QUOTE = {'"': "&quot;"}  # an attribute's own quote, which ``escape`` leaves


def _drawable(text):
    """The text as drawn on the badge: without the characters XML refuses, which draw as nothing
    anyway (the credential carries the text as typed)."""
    return _NOT_XML.sub("", text)


def _lines(name, width=16):
    name = _drawable(name)
    return textwrap.wrap(name, width=width)[:4] or [name[:16]]


def render_png(*, name, institution, achievement_type):
    dark, light = COLOURS.get(achievement_type, COLOURS["Badge"])
    image = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((8, 8, SIZE - 8, SIZE - 8), fill=dark)
    draw.ellipse((28, 28, SIZE - 28, SIZE - 28), fill=light)
    title = ImageFont.load_default(size=30)
    small = ImageFont.load_default(size=15)
    lines = _lines(name)
    top = SIZE // 2 - len(lines) * 19
    for number, line in enumerate(lines):
        draw.text((SIZE // 2, top + number * 38), line, fill=dark, font=title, anchor="mm")
    for number, line in enumerate(_lines(institution, width=24)[:2]):
        draw.text((SIZE // 2, SIZE - 92 + number * 20), line, fill=dark, font=small, anchor="mm")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def render_svg(*, name, institution, achievement_type):
    dark, light = COLOURS.get(achievement_type, COLOURS["Badge"])
    lines = _lines(name)
    top = SIZE // 2 - len(lines) * 19 + 10
    text = "".join(
        f'<text x="200" y="{top + n * 38}" font-size="30" text-anchor="middle" fill="{dark}">{escape(line)}</text>'
        for n, line in enumerate(lines)
    )
    footer = "".join(
        f'<text x="200" y="{313 + n * 20}" font-size="15" text-anchor="middle" fill="{dark}">{escape(line)}</text>'
        for n, line in enumerate(_lines(institution, width=24)[:2])
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{SIZE}" height="{SIZE}" viewBox="0 0 {SIZE} {SIZE}" '
        f'role="img" aria-label="{escape(_drawable(name), QUOTE)}">'
        f'<circle cx="200" cy="200" r="192" fill="{dark}"/><circle cx="200" cy="200" r="172" fill="{light}"/>'
        f'<g font-family="DejaVu Sans, Arial, sans-serif">{text}{footer}</g></svg>'
    )


def _chunk(kind, data):
    return (
        struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def bake_png(png, credential_json):
    """The PNG with the credential in an uncompressed ``iTXt`` chunk just before ``IEND``."""
    if not png.startswith(PNG_SIGNATURE):
        raise ValueError("not a PNG image")
    # keyword, NUL, compression flag 0, compression method 0, empty language tag and translated keyword
    body = KEYWORD + b"\0" + b"\0\0" + b"\0" + b"\0" + credential_json.encode("utf-8")
    end = png.rindex(b"IEND") - 4
    return png[:end] + _chunk(b"iTXt", body) + png[end:]


MAX_BAKED_BYTES = 16 * 1024 * 1024  # a credential text larger than this is refused, not inflated


def png_chunks(png):
    """(type, data) of each chunk of a PNG, in order, up to ``IEND``; a truncated file ends the walk."""
    position = len(PNG_SIGNATURE)
    while position + 8 <= len(png):
        (length,) = struct.unpack(">I", png[position : position + 4])
        kind = png[position + 4 : position + 8]
        if kind == b"IEND":
            return
        yield kind, png[position + 8 : position + 8 + length]
        position += 4 + 4 + length + 4  # length, type, data, CRC


def itxt_text(body, limit=MAX_BAKED_BYTES):
    """The text of an ``iTXt`` chunk's body after its keyword, inflated at most to ``limit`` bytes
    (a small compressed chunk can otherwise inflate to gigabytes). Raises ValueError when the chunk
    is cut short, damaged, too large or not UTF-8."""
    if len(body) < 2:
        raise ValueError("cut short")
    compressed, rest = body[0], body[2:]
    _language, _, rest = rest.partition(b"\0")
    _translated, _, text = rest.partition(b"\0")
    if compressed:
        inflater = zlib.decompressobj()
        try:
            text = inflater.decompress(text, limit + 1)
        except zlib.error:
            raise ValueError("damaged") from None
        if len(text) > limit or inflater.unconsumed_tail:
            raise ValueError("too large")
    try:
        return text.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("not UTF-8") from None


def bake_svg(svg, credential_json):
    """The SVG with an ``openbadges:credential`` element holding the JSON as one CDATA section."""
    # "]]>" cannot appear inside CDATA, nor what XML refuses anywhere; their JSON escapes (found in
    # strings only: JSON's own syntax is ASCII) keep the same JSON value.
    text = credential_json.replace("]]>", "]]\\u003e")
    text = _NOT_XML.sub(lambda found: f"\\u{ord(found.group()):04x}", text)
    opening_end = svg.index(">") + 1
    opening = svg[:opening_end].replace("<svg ", f'<svg xmlns:openbadges="{OB_NAMESPACE}" ', 1)
    return f"{opening}<openbadges:credential><![CDATA[{text}]]></openbadges:credential>{svg[opening_end:]}"


def unbake_svg(svg):
    start = svg.find("<openbadges:credential><![CDATA[")
    if start < 0:
        return None
    start += len("<openbadges:credential><![CDATA[")
    return svg[start : svg.index("]]></openbadges:credential>", start)]
