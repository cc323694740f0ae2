"""Shortening long text for display; the full text stays at the source link.

Feeds sometimes carry a whole newsletter in DESCRIPTION or a paragraph in
SUMMARY. Pages show at most `TITLE_LIMIT` / `DESCRIPTION_LIMIT` characters,
cut at a word boundary with an ellipsis; JSON and ICS keep the full text.
What pages hand to machines is capped too, so one huge field cannot bloat a
page: meta and Open Graph descriptions and the JSON-LD description get
SUMMARY_LIMIT characters, JSON-LD names TITLE_LIMIT, places PLACE_LIMIT, and
a link longer than URL_LIMIT is left out of the JSON-LD.
"""

from __future__ import annotations

import html
import re

__all__ = [
    "DESCRIPTION_LIMIT",
    "ELLIPSIS",
    "PLACE_LIMIT",
    "SUMMARY_LIMIT",
    "TITLE_LIMIT",
    "URL_LIMIT",
    "html_text_length",
    "shorten_html",
    "shorten_text",
    "tidy_html",
]

TITLE_LIMIT = 200
DESCRIPTION_LIMIT = 2000
SUMMARY_LIMIT = 300  # meta description, og:description, JSON-LD description
PLACE_LIMIT = 200  # a place's name or address in JSON-LD
URL_LIMIT = 2000  # longer links are left out of JSON-LD
ELLIPSIS = "…"
# Descriptions are sanitized HTML (nh3 escapes every "<" in text), so a tag
# is exactly "<...>" and the text is what lies between tags, unescaped:
# the cheap checks below parse nothing unless a cut or an unwrap is needed.
_TAG = re.compile(r"<[^>]*>")
_LINK_WITHOUT_HREF = re.compile(r"<a(?![^>]*\bhref=)[\s>]")


def shorten_text(text: str, limit: int = TITLE_LIMIT) -> str:
    """`text` if it has at most `limit` characters, else its longest word-boundary
    prefix that fits with the ellipsis (so the result never exceeds `limit`)."""
    if len(text) <= limit:
        return text
    room = max(limit - len(ELLIPSIS), 0)
    head = text[: room + 1]
    # The character after the cut tells whether the cut already falls between words.
    cut = head[:-1] if head[-1:].isspace() else head[:-1].rsplit(None, 1)[0] if any(c.isspace() for c in head[:-1]) else head[:-1]
    return cut.rstrip(" \t\n,;:-–—") + ELLIPSIS


def tidy_html(fragment: str) -> str:
    """Unwrap links the sanitizer left without an href (it drops `javascript:` URLs but keeps the <a>)."""
    if not _LINK_WITHOUT_HREF.search(fragment):
        return fragment
    from bs4 import BeautifulSoup  # few descriptions need parsing, and bs4 costs 0.1 s of start-up

    soup = BeautifulSoup(fragment, "html.parser")
    bare = [a for a in soup.find_all("a") if not a.get("href")]
    if not bare:
        return fragment
    for anchor in bare:
        anchor.unwrap()
    return soup.decode(formatter="html5").strip()


def html_text_length(fragment: str) -> int:
    return len(html.unescape(_TAG.sub("", fragment)))


def shorten_html(fragment: str, limit: int = DESCRIPTION_LIMIT) -> str:
    """Sanitized HTML cut after `limit` characters of text, keeping its tags well nested.

    Everything after the text node where the limit falls is dropped; that
    node is cut at a word boundary and ends with the ellipsis.
    """
    if html_text_length(fragment) <= limit:
        return fragment
    from bs4 import BeautifulSoup
    from bs4.element import NavigableString  # as in tidy_html: only the rare long description

    soup = BeautifulSoup(fragment, "html.parser")
    used = 0
    for node in list(soup.find_all(string=True)):
        if used + len(node) <= limit:
            used += len(node)
            continue
        room = limit - used
        text = str(node)
        shortened = shorten_text(text, room) if _word_fits(text, room) else ELLIPSIS
        replacement = NavigableString(shortened)
        node.replace_with(replacement)
        for later in list(replacement.find_all_next(string=True)):
            later.extract()
        for element in list(replacement.find_all_next()):
            element.extract()
        break
    return soup.decode(formatter="html5").strip()


def _word_fits(text: str, room: int) -> bool:
    """Whether a word-boundary cut of `text` leaves any words in `room` characters.

    With no space before the limit the cut would split a word, so the node's
    text is dropped instead (unlike a title, which falls back to a hard cut).
    """
    keep = room - len(ELLIPSIS)
    if keep <= 0:
        return False
    return text[keep].isspace() or any(c.isspace() for c in text[:keep])
