"""Page planning: events -> the pages, feeds and JSON files to write.

Pure: a list of PageSpec (HTML to render) and Artifact (bytes to write)
from the events and the clock; the generator only renders and writes.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Sequence
from zoneinfo import ZoneInfo

from .api import events_json
from .ics import calendar_bytes
from .models import StoredEvent
from .views import EventView, day_path, days_spanned, event_view

__all__ = ["PageSpec", "Artifact", "SitePlan", "plan_site", "DayListing"]


@dataclass(frozen=True)
class PageSpec:
    """One HTML page: where it goes, which template, with what."""

    path: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Artifact:
    """One non-HTML file (JSON, ICS) and its bytes."""

    path: str
    content: bytes


@dataclass(frozen=True)
class DayListing:
    day: date
    path: str
    events: tuple[tuple[EventView, bool], ...]  # (event, continuing from an earlier day)


@dataclass(frozen=True)
class SitePlan:
    pages: tuple[PageSpec, ...]
    artifacts: tuple[Artifact, ...]


def plan_site(
    events: Sequence[StoredEvent],
    now: datetime,
    tz: ZoneInfo,
    *,
    home_days: int,
    uid_domain: str,
    site_name: str,
) -> SitePlan:
    views = [event_view(e, tz) for e in events]
    today = now.astimezone(tz).date()
    by_day = _by_day(views)
    home = [d for d in by_day if today <= d.day < today + timedelta(days=home_days)]
    home_in_person = [
        DayListing(d.day, d.path, tuple((v, c) for v, c in d.events if v.event.location_type != "virtual"))
        for d in home
    ]
    pages = [PageSpec("index.html", "events_home", {"days": [d for d in home_in_person if d.events], "today": today})]
    for listing in by_day:
        pages.append(PageSpec(f"{listing.path}index.html", "events_day", {"listing": listing, "today": today}))
    for view in views:
        pages.append(PageSpec(f"{view.url}index.html", "events_event", {"view": view, "today": today}))
    upcoming = [v for v in views if v.end >= now]
    artifacts = [
        Artifact("events.ics", calendar_bytes([v.stored for v in upcoming], uid_domain, site_name)),
        Artifact("api/events.json", events_json(upcoming)),
    ]
    return SitePlan(tuple(pages), tuple(artifacts))


def _by_day(views: Sequence[EventView]) -> list[DayListing]:
    days: dict[date, list[tuple[EventView, bool]]] = defaultdict(list)
    for view in views:
        for index, day in enumerate(days_spanned(view)):
            days[day].append((view, index > 0))
    listings = []
    for day in sorted(days):
        ordered = sorted(
            days[day],
            key=lambda pair: (not (pair[0].event.all_day or pair[1]), pair[0].start, pair[0].event.title, pair[0].event.event_id),
        )
        listings.append(DayListing(day, day_path(day), tuple(ordered)))
    return listings
