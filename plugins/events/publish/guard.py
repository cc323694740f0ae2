"""Refuse to replace a full live site with a build that lost most of its events.

An empty store or a night when most feeds failed gives a build with few
upcoming events; publishing it would empty the site and every subscriber's
calendar. The count comes from `/health.json` ("upcoming") when the build
writes one, else from `/api/events/upcoming.json`, else `/api/events.json`.

The guard fails closed: a live site that has objects but no readable count
(every count file missing, garbled or unreadable) is refused like a lost
one, because "no count" is what a broken bucket and a wiped site look like
too. Only an empty bucket, a first deploy, has nothing to protect.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["COUNT_FILES", "GuardResult", "check_guard", "site_upcoming_count", "upcoming_count"]

# (key, field) in order of preference.
COUNT_FILES: tuple[tuple[str, str], ...] = (
    ("health.json", "upcoming"),
    ("api/events/upcoming.json", "count"),
    ("api/events.json", "count"),
)


def upcoming_count(key: str, content: bytes) -> int | None:
    """The upcoming-event count in one of COUNT_FILES, or None when it holds none."""
    field = dict(COUNT_FILES).get(key)
    if field is None:
        return None
    try:
        value = json.loads(content).get(field)
    except (ValueError, AttributeError, UnicodeDecodeError):
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return None
    return value


def site_upcoming_count(read: Callable[[str], bytes | None]) -> int | None:
    """The upcoming count of a site (built or live) whose files `read` returns by key (None: no such file)."""
    for key, _field in COUNT_FILES:
        content = read(key)
        if content is not None:
            count = upcoming_count(key, content)
            if count is not None:
                return count
    return None


@dataclass(frozen=True)
class GuardResult:
    ok: bool
    built: int | None
    live: int | None
    message: str


def check_guard(built: int | None, live: int | None, min_ratio: float, live_objects: int = 0) -> GuardResult:
    """OK unless the live site lists events and the build keeps fewer than `min_ratio` of them,
    or the live site has objects (`live_objects`) but no readable count (`live` is None)."""
    if live is None and live_objects > 0:
        files = ", ".join(key for key, _field in COUNT_FILES)
        return GuardResult(
            False,
            built,
            live,
            f"refusing to publish: the live site has {live_objects} object(s) but no readable upcoming-event count "
            f"({files}: each missing, garbled or unreadable), so the guard cannot tell what this build would remove; "
            "check the bucket, or publish anyway with --force",
        )
    if not live:
        reason = "the live site is empty (a first deploy)" if live is None else "the live site lists no upcoming events"
        return GuardResult(True, built, live, f"{reason}; nothing to protect")
    kept = built or 0
    if kept < live * min_ratio:
        shown = "no event count" if built is None else f"{built} upcoming events"
        return GuardResult(
            False,
            built,
            live,
            f"refusing to publish: the build has {shown} but the live site lists {live} "
            f"(below {min_ratio:.0%} of them); check the collection log, or publish anyway with --force",
        )
    return GuardResult(True, built, live, f"the build has {kept} upcoming events, the live site {live}")
