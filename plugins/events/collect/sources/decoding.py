"""Bytes of a feed to text: Unicode with or without a byte-order mark, and stray bytes line by line.

RFC 5545 section 3.1.4 says a calendar is UTF-8. Real feeds also come as
UTF-16 or UTF-32 with a byte-order mark (Windows exports), and as UTF-8
with a few lines pasted from a Windows-1252 source. Reading the whole feed
as Windows-1252 because of one such line would garble every other
non-ASCII character ("CafÃ©"), and every garbled event would look edited;
so only the lines that are not UTF-8 are read as Windows-1252 (or Latin-1,
which decodes any byte), and the result says which lines they were.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

__all__ = ["DecodedFeed", "decode_feed"]

# Longest marks first: the UTF-32-LE mark begins with the UTF-16-LE one.
_BYTE_ORDER_MARKS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# "BEGIN" in UTF-16 without a mark, as some exporters write it.
_UNMARKED_UTF16: tuple[tuple[bytes, str], ...] = (
    (b"B\x00E\x00G\x00", "utf-16-le"),
    (b"\x00B\x00E\x00G", "utf-16-be"),
)


@dataclass(frozen=True)
class DecodedFeed:
    """The text of a feed, the encoding it was read in, and the lines that were not.

    `fallback_lines` are 1-based numbers of (unfolded) content lines that were not
    valid in `encoding` and were read as Windows-1252 (Latin-1 for the
    five bytes Windows-1252 leaves undefined).
    """

    text: str
    encoding: str
    fallback_lines: tuple[int, ...] = ()

    def warning(self) -> str:
        """One sentence for the group's warnings, or "" when every line was read as declared."""
        if not self.fallback_lines:
            return ""
        shown = ", ".join(str(n) for n in self.fallback_lines[:5])
        more = f" and {len(self.fallback_lines) - 5} more" if len(self.fallback_lines) > 5 else ""
        return (
            f"{len(self.fallback_lines)} line(s) are not valid UTF-8 (line {shown}{more}); "
            "read as Windows-1252, the rest of the feed as UTF-8"
        )


def decode_feed(content: bytes) -> DecodedFeed:
    """Text of `content`: by its byte-order mark, else UTF-8 with a per-line fallback."""
    for mark, encoding in _BYTE_ORDER_MARKS:
        if content.startswith(mark):
            body = content[len(mark) :]
            if encoding == "utf-8":
                return _utf8_by_line(body)
            return DecodedFeed(body.decode(encoding, errors="replace"), encoding)
    for start, encoding in _UNMARKED_UTF16:
        if content.lstrip(b"\x00\r\n \t").startswith(start) or content.startswith(start):
            return DecodedFeed(content.decode(encoding, errors="replace"), encoding)
    return _utf8_by_line(content)


def _utf8_by_line(content: bytes) -> DecodedFeed:
    try:
        return DecodedFeed(content.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    # Unfold first (RFC 5545 section 3.1): a fold may split a UTF-8 sequence in two.
    for fold in (b"\r\n ", b"\r\n\t", b"\n ", b"\n\t"):
        content = content.replace(fold, b"")
    lines = content.split(b"\n")
    fallback: list[int] = []
    texts: list[str] = []
    for number, line in enumerate(lines, start=1):
        try:
            texts.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            fallback.append(number)
            texts.append(_single_byte(line))
    return DecodedFeed("\n".join(texts), "utf-8", tuple(fallback))


def _single_byte(line: bytes) -> str:
    try:
        return line.decode("cp1252")
    except UnicodeDecodeError:  # 0x81, 0x8D, 0x8F, 0x90, 0x9D: undefined in Windows-1252
        return "".join(
            bytes([b]).decode("cp1252", errors="strict") if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D) else chr(b)
            for b in line
        )
