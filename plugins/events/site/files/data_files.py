"""Non-HTML outputs: JSON files and their schemas, /health.json, iCalendar, Atom and RSS feeds.

Pure: bytes computed from the views, the clock and SiteInfo. Events are
indexed once (`feeds.feed_members`) and each event's JSON record and VEVENT
rendered once, then shared by every file that lists it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime

from events.site.event_view import EventView
from events.site.files.api_json import ApiPlanner, dump_json, health
from events.site.files.feed_catalog import feed_catalog, feed_members
from events.site.files.icalendar_writer import CalendarMeta, IcsWriter
from events.site.files.json_schemas import schemas
from events.site.files.news_feeds import new_event_feeds
from events.site.records import Artifact, SiteInfo
from events.site.urls import absolute_url, api_schema

__all__ = ["api_files", "feed_files", "plan_artifacts", "upcoming_of"]


def upcoming_of(views: Sequence[EventView], now: datetime) -> list[EventView]:
    """Events that have not ended: the ones feeds and 'upcoming' files list."""
    return [v for v in views if v.end >= now]


def plan_artifacts(views: Sequence[EventView], now: datetime, site: SiteInfo) -> Iterator[Artifact]:
    """Every JSON and feed file, each made when the caller asks for the next, so only one is held at a time."""
    yield from api_files(views, now, site)
    yield from feed_files(views, now, site)


def api_files(views: Sequence[EventView], now: datetime, site: SiteInfo) -> Iterator[Artifact]:
    """The JSON API, its schemas and /health.json."""
    views = sorted(views, key=lambda v: (v.start, v.event.event_id))
    upcoming = upcoming_of(views, now)
    yield from ApiPlanner(site, now, views, upcoming, feed_members(upcoming)).artifacts()
    yield from _schema_files(site)
    yield Artifact("health.json", dump_json(health(views, len(upcoming), now, site)))


def feed_files(views: Sequence[EventView], now: datetime, site: SiteInfo) -> Iterator[Artifact]:
    """Every iCalendar feed (the site's, each state's, group's and topic's) and the Atom and RSS feeds of new events."""
    views = sorted(views, key=lambda v: (v.start, v.event.event_id))
    upcoming = upcoming_of(views, now)
    members = feed_members(upcoming)
    writer = IcsWriter(site.uid_domain, site.url, site.categories)
    for feed in feed_catalog(site.name, site.states, site.groups, site.categories):
        meta = CalendarMeta(
            name=feed.title,
            description=f"{feed.title}, from {site.name}" if feed.kind != "all" else f"Upcoming events from {site.name}",
            timezone=site.timezone.key,
            url=absolute_url(site.url, feed.path) if site.url else "",
            site_url=site.url,
        )
        chosen = [v.stored for v in members.get((feed.kind, feed.key), ())]
        yield Artifact(feed.path, writer.calendar(chosen, meta))
    yield from new_event_feeds(upcoming, now, site)


def _schema_files(site: SiteInfo) -> list[Artifact]:
    files = []
    for name, schema in sorted(schemas().items()):
        if site.url.startswith(("http://", "https://")):
            schema = {"$id": absolute_url(site.url, api_schema(name)), **schema}  # noqa: PLW2901 - the published form of the same schema
        files.append(Artifact(api_schema(name), dump_json(schema)))
    return files
