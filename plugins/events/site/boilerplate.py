"""Source boilerplate taken out of descriptions at display time.

Meetup (and tools copying it) opens every description with the group's name
and a date line, and ends it with the event's own URL. The page already
shows all three as fields, and in the meta description and calendar links
they crowd out what the organizer wrote. Only text that repeats one of the
event's own fields goes: a leading line equal to the group name or the
title, a leading line that is a date and time, and a closing paragraph that
is only the event's URL. Anything else stays as written.
"""

from __future__ import annotations

import html
import re

from events.models import Event

__all__ = ["clean_description", "clean_summary"]

SUMMARY_LIMIT = 300

_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.S)
_BREAK = re.compile(r"<br\s*/?>")
_TAG = re.compile(r"<[^>]+>")
_WEEKDAY_OR_MONTH = re.compile(
    r"\b(mon|tue|wed|thu|fri|sat|sun)[a-z]*\b|\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}\b", re.I
)
_TIME = re.compile(r"\b\d{1,2}(:\d{2})?\s*(am|pm|a\.m\.|p\.m\.)|\b\d{1,2}:\d{2}\b", re.I)
_DATE_LINE_LIMIT = 80  # a date line is short; a sentence that mentions a time is content


def clean_description(description: str, event: Event) -> str:
    """The sanitized description HTML without leading name / date lines and a closing bare URL."""
    if not description.startswith("<p>"):
        return description
    paragraphs = [m.group(0) for m in _PARAGRAPH.finditer(description)]
    if "".join(paragraphs) != description:
        return description  # not the plain-text layout sanitize_html makes: leave the organizer's HTML alone
    while paragraphs:
        lines = _BREAK.split(paragraphs[0][3:-4])
        while lines and _repeats_a_field(_text(lines[0]), event):
            lines.pop(0)
        if lines and "".join(lines).strip():
            paragraphs[0] = "<p>" + "<br>".join(lines) + "</p>"
            break
        paragraphs.pop(0)
    if paragraphs and _is_event_url(_text(paragraphs[-1][3:-4]), event.url):
        paragraphs.pop()
    return "".join(paragraphs)


def clean_summary(event: Event, limit: int = SUMMARY_LIMIT) -> str:
    """One line of plain text from the cleaned description, cut at a word boundary."""
    cleaned = clean_description(event.description, event)
    if cleaned == event.description:
        return event.summary
    flat = " ".join(html.unescape(_TAG.sub(" ", cleaned)).split())
    if len(flat) <= limit:
        return flat
    return flat[: limit - 1].rsplit(" ", 1)[0].rstrip(",.;:") + "…"


def _text(fragment: str) -> str:
    return " ".join(html.unescape(_TAG.sub("", fragment)).split())


def _repeats_a_field(line: str, event: Event) -> bool:
    folded = line.casefold()
    if not folded:
        return True
    if folded in (event.group_name.casefold(), event.title.casefold()):
        return True
    return len(line) <= _DATE_LINE_LIMIT and bool(_WEEKDAY_OR_MONTH.search(line)) and bool(_TIME.search(line))


def _is_event_url(text: str, url: str) -> bool:
    return bool(url) and text.rstrip("/") == url.rstrip("/")
