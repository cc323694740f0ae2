"""The one way the tests build events: `make_event` and `make_stored`, with keyword overrides on plain defaults.

The defaults describe one ordinary in-person DC Python meetup the evening
after the demo clock (2026-03-02 09:00 EST); a test names only what it
exercises. The description carries markup, a dash and an emoji, so every
store and writer round trip sees non-ASCII text without asking for it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from events.models import Event, StoredEvent
from events.store.base import content_hash as hash_of

__all__ = ["CREATED", "NY", "START", "make_event", "make_stored"]

NY = ZoneInfo("America/New_York")
START = datetime(2026, 3, 3, 18, 30, tzinfo=NY)
CREATED = datetime(2026, 2, 20, 12, 0, tzinfo=NY)
ADDRESS = "1425 K St NW, Washington, DC 20005"


def make_event(
    event_id: str = "abc123",
    start: datetime = START,
    *,
    end: datetime | None = None,
    group_id: str = "dc-python",
    group_name: str = "DC Python",
    group_website: str = "https://dcpython.example/",
    title: str = "Meetup",
    all_day: bool = False,
    timezone: str = "America/New_York",
    url: str | None = None,
    location: str | None = None,
    city: str | None = None,
    state: str | None = None,
    location_type: str = "in_person",
    description: str = "<p>Talks — and pizza 🍕</p>",
    summary: str = "Talks — and pizza 🍕",
    categories: tuple[str, ...] = ("software-development",),
    status: str = "confirmed",
    source_type: str = "ical",
    source_uid: str | None = None,
    also_listed_by: tuple[str, ...] = (),
    cost: str = "",
) -> Event:
    """An event two hours long, at `group_website`/e/`event_id`; a virtual one has no address, city or state."""
    virtual = location_type == "virtual"
    return Event(
        event_id=event_id,
        group_id=group_id,
        group_name=group_name,
        group_website=group_website,
        title=title,
        start=start,
        end=start + timedelta(hours=2) if end is None else end,
        all_day=all_day,
        timezone=timezone,
        url=f"{group_website}e/{event_id}" if url is None else url,
        location=("" if virtual else ADDRESS) if location is None else location,
        city=("" if virtual else "Washington") if city is None else city,
        state=("" if virtual else "DC") if state is None else state,
        location_type=location_type,
        description=description,
        summary=summary,
        categories=categories,
        status=status,
        source_type=source_type,
        source_uid=f"{event_id}@example" if source_uid is None else source_uid,
        also_listed_by=also_listed_by,
        cost=cost,
    )


def make_stored(
    event: Event | None = None,
    /,
    *,
    sequence: int = 0,
    content_hash: str | None = None,
    created_at: datetime = CREATED,
    updated_at: datetime | None = None,
    last_seen: datetime | None = None,
    removed: bool = False,
    **event_fields: Any,
) -> StoredEvent:
    """`event` as the store keeps it, or an event built by `make_event(**event_fields)`.

    The hash is the store's own digest of the event unless given, and
    `updated_at` is `created_at` unless given.
    """
    if event is None:
        event = make_event(**event_fields)
    elif event_fields:
        raise TypeError(f"make_stored takes an event or event fields, not both: {sorted(event_fields)}")
    return StoredEvent(
        event=event,
        sequence=sequence,
        content_hash=hash_of(event) if content_hash is None else content_hash,
        created_at=created_at,
        updated_at=created_at if updated_at is None else updated_at,
        last_seen=last_seen,
        removed=removed,
    )
