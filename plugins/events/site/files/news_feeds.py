"""Atom and RSS feeds of newly added events, for feed readers.

Items are the upcoming events this site saw most recently (by the store's
`created_at`), newest first. Every date in the feed comes from the events
themselves (or the build clock when there are none), so an unchanged store
gives unchanged bytes. feedgenerator (a Pelican dependency) writes the XML.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from feedgenerator import Atom1Feed, Rss201rev2Feed

from events.site.event_view import EventView
from events.site.records import Artifact, SiteInfo
from events.site.urls import absolute_url

__all__ = ["NEW_EVENTS_ATOM", "NEW_EVENTS_LIMIT", "NEW_EVENTS_RSS", "new_event_feeds", "newest_added"]

NEW_EVENTS_ATOM = "feeds/new.xml"
NEW_EVENTS_RSS = "feeds/new.rss"
# Readers poll often; 50 items covers several nights of additions without a large file.
NEW_EVENTS_LIMIT = 50
# XML 1.0 forbids these characters outright; escaping cannot save them, so they are dropped.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def _xml_text(value: str) -> str:
    return _NOT_XML.sub("", value)


class _PinnedDates:
    """feedgenerator falls back to the wall clock for a feed with no items; use the build clock instead."""

    fallback_date: datetime

    def latest_post_date(self) -> datetime:
        dates = [d for item in self.items for d in (item.get("updateddate"), item.get("pubdate")) if d]  # type: ignore[attr-defined]
        return max(dates, default=self.fallback_date)


class _Atom(_PinnedDates, Atom1Feed):  # type: ignore[misc]  # feedgenerator is untyped
    pass


class _Rss(_PinnedDates, Rss201rev2Feed):  # type: ignore[misc]  # feedgenerator is untyped
    pass


def newest_added(upcoming: Sequence[EventView], limit: int = NEW_EVENTS_LIMIT) -> list[EventView]:
    """The most recently added upcoming events, newest first (ties by start, then id, for stable output)."""
    ordered = sorted(upcoming, key=lambda v: (v.start, v.event.event_id))
    ordered.sort(key=lambda v: v.stored.created_at, reverse=True)
    return ordered[:limit]


def new_event_feeds(upcoming: Sequence[EventView], now: datetime, site: SiteInfo) -> list[Artifact]:
    items = newest_added(upcoming)
    return [
        Artifact(NEW_EVENTS_ATOM, _render(_Atom, items, now, site, NEW_EVENTS_ATOM)),
        Artifact(NEW_EVENTS_RSS, _render(_Rss, items, now, site, NEW_EVENTS_RSS)),
    ]


def _render(kind: type, items: Sequence[EventView], now: datetime, site: SiteInfo, path: str) -> bytes:
    feed: Any = kind(
        title=f"{site.name}: new events",
        link=absolute_url(site.url, ""),
        description=f"Events newly added to {site.name}",
        language="en",
        feed_url=absolute_url(site.url, path),
        feed_guid=f"tag:{site.uid_domain},2026:{path}",
    )
    feed.fallback_date = now
    for view in items:
        event = view.event
        place = "Online" if event.location_type == "virtual" else event.location or event.city
        lines = [f"{view.start:%A, %B} {view.start.day}, {view.start.year}: {view.time_label}", place, event.group_name]
        if view.status == "cancelled":
            lines.insert(0, "CANCELLED")
        feed.add_item(
            title=_xml_text(f"{event.title} ({view.start:%b} {view.start.day})"),
            link=absolute_url(site.url, view.url),
            # Atom and RSS carry the description as HTML; escape each part and keep its lines apart.
            description="<br>".join(html.escape(_xml_text(p)) for p in (*lines, event.summary) if p),
            # A tag URI stays the same for the event's whole life, whatever the site's URL.
            unique_id=f"tag:{site.uid_domain},{view.stored.created_at:%Y-%m-%d}:{event.event_id}",
            unique_id_is_permalink=False,
            pubdate=view.stored.created_at,
            updateddate=view.stored.updated_at,
            categories=[_xml_text(site.categories.get(c, c)) for c in event.categories],
            author_name=_xml_text(event.group_name),
        )
    out = io.StringIO()
    feed.write(out, "utf-8")
    return out.getvalue().encode("utf-8")
