"""The records that flow through the pipeline.

Every record is a frozen dataclass: groups come from YAML, occurrences from a
source adapter, events from normalizing, stored events from the store.
All datetimes are timezone-aware.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

__all__ = [
    "LOCATION_TYPES",
    "STATUSES",
    "Event",
    "Group",
    "GroupState",
    "Occurrence",
    "StoredEvent",
]

LOCATION_TYPES = ("in_person", "virtual", "hybrid")
STATUSES = ("confirmed", "tentative", "cancelled")


@dataclass(frozen=True)
class Group:
    """One group, loaded from `_groups/<slug>.yaml`."""

    slug: str
    name: str
    website: str
    active: bool = True
    categories: tuple[str, ...] = ()
    ical: str = ""
    source: tuple[tuple[str, Any], ...] = ()
    skip_phrases: tuple[str, ...] = ()
    suppress_urls: tuple[str, ...] = ()
    fallback_url: str = ""
    default_state: str = ""
    timezone: str = ""
    path: str = ""

    @property
    def source_type(self) -> str:
        """The adapter that reads this group's calendar."""
        if self.ical:
            return "ical"
        return str(dict(self.source).get("type", ""))

    @property
    def source_url(self) -> str:
        return self.ical or str(dict(self.source).get("url", ""))

    @property
    def source_options(self) -> dict[str, Any]:
        return dict(self.source)


@dataclass(frozen=True)
class Occurrence:
    """One occurrence as a source adapter read it, before normalizing."""

    source_uid: str
    occurrence_key: str
    title: str
    start: datetime
    end: datetime
    all_day: bool = False
    timezone: str = ""
    location: str = ""
    description: str = ""
    url: str = ""
    status: str = "confirmed"
    categories: tuple[str, ...] = ()
    attendance_mode: str = ""
    cost: str = ""
    sequence: int = 0


@dataclass(frozen=True)
class Event:
    """A normalized event: what the site shows and the store keeps."""

    event_id: str
    group_id: str
    group_name: str
    group_website: str
    title: str
    start: datetime
    end: datetime
    all_day: bool
    timezone: str
    url: str
    location: str
    city: str
    state: str
    location_type: str
    description: str
    summary: str
    categories: tuple[str, ...]
    status: str
    source_type: str
    source_uid: str
    also_listed_by: tuple[str, ...] = ()
    cost: str = ""

    def with_changes(self, **changes: Any) -> Event:
        return replace(self, **changes)


@dataclass(frozen=True)
class StoredEvent:
    """An event with the bookkeeping the store keeps for it.

    `sequence` rises each time the content changes (it becomes the ICS
    SEQUENCE); `content_hash` tells whether it changed. `last_seen` stays
    None while the event is in its feed (it is then last seen at the group's
    last successful fetch); it is set by the one write that records the
    event dropping out of its feed, so "last seen" never costs a write per
    event per night.
    """

    event: Event
    sequence: int
    content_hash: str
    created_at: datetime
    updated_at: datetime
    last_seen: datetime | None = None
    removed: bool = False

    @property
    def event_id(self) -> str:
        return self.event.event_id

    @property
    def start(self) -> datetime:
        return self.event.start

    @property
    def status(self) -> str:
        """Published status: an event gone from its feed shows as cancelled."""
        return "cancelled" if self.removed else self.event.status


@dataclass(frozen=True)
class GroupState:
    """What the last collection run learned about one group.

    `result` is "ok", "error", "suspect" (the feed answered but lost its
    upcoming events: held like a failure, see `collect/sync.py`) or
    "withdrawn" (its file is gone or says `active: false`). `suspect_nights`
    counts the nights in a row the feed looked suspect; for a withdrawn
    group `events_found` counts the events still being withdrawn.
    """

    group_id: str
    last_attempt: datetime | None = None
    last_success: datetime | None = None
    result: str = "never"
    error: str = ""
    events_found: int = 0
    warnings: tuple[str, ...] = field(default_factory=tuple)
    suspect_nights: int = 0
    # What the feed's reading left out, by reason (LEFT_OUT_REASONS and normalize's Skip kinds), sorted.
    left_out: tuple[tuple[str, int], ...] = ()
