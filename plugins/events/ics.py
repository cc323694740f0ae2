"""The iCalendar feeds we publish (RFC 5545).

icalendar does the escaping and line folding (section 3.1), so a newline
in a title can never start a new property. UIDs are `<event id>@<domain>`;
SEQUENCE, DTSTAMP and LAST-MODIFIED come from the stored event, never the
build time, so an unchanged event gives unchanged bytes.
"""

from __future__ import annotations

from datetime import timedelta, timezone
from typing import Sequence

import icalendar

from .models import StoredEvent

__all__ = ["calendar_bytes"]


def calendar_bytes(events: Sequence[StoredEvent], uid_domain: str, name: str) -> bytes:
    calendar = icalendar.Calendar()
    calendar.add("PRODID", "-//dctech-events//events plugin//EN")
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("METHOD", "PUBLISH")
    calendar.add("X-WR-CALNAME", name)
    calendar.add("REFRESH-INTERVAL", timedelta(hours=12), parameters={"VALUE": "DURATION"})
    calendar.add("X-PUBLISHED-TTL", timedelta(hours=12))
    for stored in sorted(events, key=lambda s: (s.event.start, s.event_id)):
        calendar.add_component(_vevent(stored, uid_domain))
    if events:
        calendar.add_missing_timezones()
    return calendar.to_ical()


def _vevent(stored: StoredEvent, uid_domain: str) -> icalendar.Event:
    event = stored.event
    vevent = icalendar.Event()
    vevent.add("UID", f"{event.event_id}@{uid_domain}")
    vevent.add("DTSTAMP", stored.updated_at.astimezone(timezone.utc))
    vevent.add("LAST-MODIFIED", stored.updated_at.astimezone(timezone.utc))
    vevent.add("CREATED", stored.created_at.astimezone(timezone.utc))
    vevent.add("SEQUENCE", stored.sequence)
    vevent.add("SUMMARY", event.title)
    if event.all_day:
        vevent.add("DTSTART", event.start.date())
        vevent.add("DTEND", event.end.date())
    else:
        vevent.add("DTSTART", event.start)
        vevent.add("DTEND", event.end)
    vevent.add("STATUS", "CANCELLED" if stored.status == "cancelled" else "TENTATIVE" if stored.status == "tentative" else "CONFIRMED")
    if event.location:
        vevent.add("LOCATION", event.location)
    if event.url:
        vevent.add("URL", event.url)
    description = "\n\n".join(p for p in (event.summary, event.url, f"Listed by {event.group_name}") if p)
    vevent.add("DESCRIPTION", description)
    if event.categories:
        vevent.add("CATEGORIES", list(event.categories))
    return vevent
