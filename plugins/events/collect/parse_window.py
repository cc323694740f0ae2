"""The window documents are parsed over: wider than the collection window, and the same for a week of nights.

The collection window moves a day each night, and a parse is kept (see
`parse_cache`) only for the request it answered; parsing over the window
itself would parse and expand every feed again every night, unchanged or
not. So documents are parsed over a window that starts at the beginning of
the week (Monday, in the site's zone) holding the collection window's start
and reaches a week past the collection window's end: every night of that
week asks the same parse of the same bytes, and the cache answers. The
occurrences are then cut to the collection window (`within`), which counts
what it drops as outside the window. A cold run and a cached one parse the
same request, so they give the same events.

Pure.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta

from events.collect.sources.base import ParseResult

__all__ = ["BLOCK_DAYS", "parse_window", "within"]

BLOCK_DAYS = 7
_MONDAY = date(2024, 1, 1)  # any Monday: weeks are counted from it


def parse_window(window_start: datetime, window_end: datetime) -> tuple[datetime, datetime]:
    """A window holding [window_start, window_end), the same for every `window_start` in one week (Monday to Sunday)."""
    day = window_start.date()
    monday = day - timedelta(days=(day - _MONDAY).days % BLOCK_DAYS)
    start = datetime.combine(monday, time(0), window_start.tzinfo)
    # Whole days of the collection window's length, and a week more: the last night of the week still fits.
    length = window_end - window_start
    days = length.days + (1 if length % timedelta(days=1) else 0)
    end = datetime.combine(monday + timedelta(days=days + BLOCK_DAYS), time(0), window_start.tzinfo)
    return start, end


def within(result: ParseResult, window_start: datetime, window_end: datetime) -> ParseResult:
    """The occurrences of `result` that meet [window_start, window_end); those that do not are counted as outside the window."""
    kept = tuple(o for o in result.occurrences if not (o.end < window_start or o.start >= window_end))
    dropped = len(result.occurrences) - len(kept)
    if not dropped:
        return result
    counts = dict(result.left_out)
    counts["outside_window"] = counts.get("outside_window", 0) + dropped
    return replace(result, occurrences=kept, left_out=tuple(sorted(counts.items())))
