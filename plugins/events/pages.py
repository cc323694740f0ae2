"""HTML page planning: which pages exist and what each lists."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Sequence

from .sitetypes import DayListing, PageSpec, SiteInfo
from .views import EventView, day_path, days_spanned

__all__ = ["plan_pages", "by_day"]


def plan_pages(views: Sequence[EventView], now: datetime, site: SiteInfo) -> list[PageSpec]:
    today = now.astimezone(site.timezone).date()
    days = by_day(views)
    home = [
        DayListing(d.day, d.path, tuple((v, c) for v, c in d.events if v.event.location_type != "virtual"))
        for d in days
        if today <= d.day < today + timedelta(days=site.home_days)
    ]
    pages = [PageSpec("index.html", "events_home", {"days": [d for d in home if d.events], "today": today})]
    for listing in days:
        pages.append(PageSpec(f"{listing.path}index.html", "events_day", {"listing": listing, "today": today}))
    for view in views:
        pages.append(PageSpec(f"{view.url}index.html", "events_event", {"view": view, "today": today}))
    return pages


def by_day(views: Sequence[EventView]) -> list[DayListing]:
    """Events by local day; all-day and continuing events first, then by time."""
    days: dict[date, list[tuple[EventView, bool]]] = defaultdict(list)
    for view in views:
        for index, day in enumerate(days_spanned(view)):
            days[day].append((view, index > 0))
    listings = []
    for day in sorted(days):
        ordered = sorted(
            days[day],
            key=lambda pair: (
                not (pair[0].event.all_day or pair[1]),
                pair[0].start,
                pair[0].event.title,
                pair[0].event.event_id,
            ),
        )
        listings.append(DayListing(day, day_path(day), tuple(ordered)))
    return listings
