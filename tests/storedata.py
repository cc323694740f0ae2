"""Helpers shared by the store tests: iCal feeds to serve, store snapshots, write counting (events come from factories.py)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from feedserver import FeedServer

from events.clock import Clock
from events.collect.collector import Collector, CollectReport
from events.collect.fetch import Fetcher
from events.models import Group
from events.settings import EventsSettings
from events.store.base import to_item

__all__ = ["DAY1", "NY", "Feeds", "count_writes", "ical_feed", "snapshot", "spec"]

NY = ZoneInfo("America/New_York")
DAY1 = datetime(2026, 3, 2, 9, 0, tzinfo=NY)


def ical_feed(events: list[dict[str, Any]]) -> str:
    """A small iCalendar feed; each event is a dict with uid, start (aware), title and optional status/location."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//store tests//EN"]
    for spec in events:
        start = spec["start"].astimezone(UTC)
        lines += [
            "BEGIN:VEVENT",
            f"UID:{spec['uid']}",
            "DTSTAMP:20260101T000000Z",
            f"DTSTART:{start:%Y%m%dT%H%M%SZ}",
            f"DTEND:{start + timedelta(hours=2):%Y%m%dT%H%M%SZ}",
            f"SUMMARY:{spec.get('title', 'Meetup ' + spec['uid'])}",
            f"LOCATION:{spec.get('location', '1630 7th St NW, Washington, DC 20001')}",
            f"STATUS:{spec.get('status', 'CONFIRMED')}",
            f"URL:https://example.org/{spec['uid']}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines) + "\r\n"


def snapshot(store: Any) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Everything a store holds, as plain items, for exact comparison of two stores."""
    everything = store.window(datetime(1990, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))
    return [to_item(s) for s in everything], store.group_states()


def count_writes(store: Any) -> Callable[[], int]:
    """Items the store has written since now: for DynamoDB, counted from the requests boto3 sends.

    The DynamoDB count comes from botocore's own `before-send` event, so it
    sees every BatchWriteItem and PutItem that leaves the process, botocore's
    and the store's retries included; SQLite has no requests, so its own counters stand in.
    """
    client = getattr(store, "client", None)
    if client is None:
        start = store.stats.items_written + store.stats.items_deleted + store.stats.state_writes
        return lambda: store.stats.items_written + store.stats.items_deleted + store.stats.state_writes - start
    sent = [0]

    def on_send(request: Any, **kwargs: Any) -> None:
        target = request.headers.get("X-Amz-Target", "")
        target = target.decode("ascii") if isinstance(target, bytes) else target
        operation = target.rpartition(".")[2]
        if operation == "BatchWriteItem":
            body = json.loads(request.body)
            sent[0] += sum(len(requests) for requests in body["RequestItems"].values())
        elif operation in ("PutItem", "DeleteItem", "UpdateItem"):
            sent[0] += 1

    client.meta.events.register("before-send.dynamodb", on_send)
    return lambda: sent[0]


class Feeds:
    """Group feeds served over HTTP from a folder; a group with no feed file answers 404 (a failed fetch)."""

    def __init__(self, folder: Path, server: FeedServer, slugs: tuple[str, ...]) -> None:
        self.folder = folder
        self.groups = [Group(slug, f"Group {slug}", f"https://{slug}.example/", ical=f"{server.base_url}/{slug}.ics") for slug in slugs]
        self.settings = EventsSettings.from_mapping({"EVENTS_HORIZON_DAYS": 90}, folder)

    def publish(self, slug: str, events: list[dict[str, Any]] | None) -> None:
        path = self.folder / f"{slug}.ics"
        if events is None:
            path.unlink(missing_ok=True)
        else:
            path.write_text(ical_feed(events), encoding="utf-8")

    def collect(self, store: Any, now: datetime) -> CollectReport:
        # A fresh fetcher per run: the in-memory HTTP cache must not answer for a rewritten file.
        fetcher = Fetcher(None, retries=1, timeout=5, allow_private=True)  # the feeds are served on 127.0.0.1
        try:
            return Collector(self.settings, store, fetcher, Clock(NY, now)).run(self.groups)
        finally:
            fetcher.close()


def spec(uid: str, start: datetime, **extra: Any) -> dict[str, Any]:
    return {"uid": uid, "start": start, **extra}
