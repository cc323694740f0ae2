"""What every source adapter takes and returns.

An adapter is one module with a pure `parse(content, request)`; an adapter
whose calendar spans several documents (pages of an API, event pages linked
from a listing) also has a pure `further_urls(url, content, options)` that
names the documents it needs next. Collection fetches them; adapters never
do I/O.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from events.models import Occurrence

__all__ = ["LEFT_OUT_REASONS", "ParseRequest", "ParseResult", "SourceError", "option"]

# Why a source left occurrences out, as keys of `ParseResult.left_out`.
LEFT_OUT_REASONS: tuple[str, ...] = (
    "no_title",  # occurrences in the window without a title (SUMMARY)
    "outside_window",  # events (VEVENTs, or series) with no occurrence in the window
    "budget",  # occurrences cut by a budget (at least 1 per series cut where the rest is unknown)
    "broken",  # events that could not be read or expanded (1 per VEVENT or series)
    "superseded",  # copies of an event replaced by another with the same UID and RECURRENCE-ID
)


class SourceError(Exception):
    """The whole document is unusable (not a calendar, not parsable)."""


@dataclass(frozen=True)
class ParseRequest:
    """The window to read, the limits to respect, and where the document came from.

    `url` is the document's own address (to resolve relative links and to
    tell documents apart); `options` are the group's source settings.
    """

    window_start: datetime
    window_end: datetime
    timezone: ZoneInfo
    max_occurrences: int = 2000
    expand_seconds: float = 10.0
    url: str = ""
    options: tuple[tuple[str, Any], ...] = ()
    max_series_occurrences: int = 1000

    def option(self, name: str, default: Any = None) -> Any:
        return dict(self.options).get(name, default)


@dataclass(frozen=True)
class ParseResult:
    """What a document gave, and what it left out.

    `left_out` counts what was left out by reason, as sorted (reason, count)
    pairs with a non-zero count; reasons are keys of `LEFT_OUT_REASONS`.
    """

    occurrences: tuple[Occurrence, ...] = ()
    warnings: tuple[str, ...] = field(default_factory=tuple)
    left_out: tuple[tuple[str, int], ...] = ()

    def left_out_count(self, reason: str | None = None) -> int:
        """How many were left out for `reason`, or for any reason."""
        return sum(n for key, n in self.left_out if reason is None or key == reason)


def option(options: Mapping[str, Any], name: str, default: Any) -> Any:
    """A source setting, or its default when absent."""
    value = options.get(name)
    return default if value is None else value


def load_json(content: bytes, what: str, expected: str) -> Any:
    """A JSON body, or a SourceError that says what came back instead of `what`."""
    if not content.strip():
        raise SourceError(f"the URL returned an empty body, not {what}")
    try:
        return json.loads(content.decode("utf-8-sig", errors="replace"))
    except ValueError:
        head = content.lstrip()[:100].lower()
        if head.startswith((b"<!doctype", b"<html")) or b"<html" in head:
            raise SourceError(f"the URL returned a web page (HTML), not {what}") from None
        raise SourceError(f"the body is not JSON; expected {expected}") from None


def parse_when(text: str, tz: ZoneInfo) -> tuple[datetime | None, bool]:
    """An ISO 8601 date or date-time (floating times read in `tz`), and whether it is a whole day."""
    text = text.strip()
    if not text:
        return None, False
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return datetime.combine(date.fromisoformat(text), time(0), tz), True
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None, False
    return (moment if moment.tzinfo else moment.replace(tzinfo=tz)), False
