"""The store contract shared by the SQLite and DynamoDB stores.

A stored event is kept as one flat item (the DynamoDB attribute names of
DESIGN.md); `to_item` and `from_item` are the only translation, so the two
stores hold exactly the same data.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from events.models import LOCATION_TYPES, Event, GroupState, StoredEvent

__all__ = [
    "Store",
    "StoreError",
    "StoreStats",
    "check_writable",
    "content_hash",
    "from_item",
    "sort_key",
    "state_from_item",
    "state_to_item",
    "to_item",
    "ttl_for",
    "unique_writes",
]


class Store(Protocol):
    """What collection writes and the generator reads."""

    stats: StoreStats

    def group_events(self, group_id: str) -> list[StoredEvent]:
        """Every stored event of one group."""

    def window(self, start: datetime, end: datetime) -> list[StoredEvent]:
        """Events that start in [start, end), sorted by start then id."""

    def write(self, puts: Sequence[StoredEvent], deletes: Sequence[tuple[str, str]]) -> None:
        """Put items and delete (event_id, start_datetime) keys."""

    def group_states(self) -> dict[str, GroupState]:
        """The last run's state of every group."""

    def put_group_state(self, state: GroupState) -> None:
        """Record one group's state."""

    def close(self) -> None:
        """Release connections."""


@dataclass
class StoreStats:
    """Counters a store keeps of what it was asked to do.

    `items_written` and `items_deleted` count distinct keys a `write` call
    changed; `requests` counts round trips to the service and `items_sent`
    every put or delete sent, retries of unprocessed items included (both
    stay 0 for SQLite, which has no service). `read_units` and
    `write_units` add up the capacity DynamoDB reports it consumed (indexes
    included): what on-demand billing charges.
    """

    items_written: int = 0
    items_deleted: int = 0
    items_read: int = 0
    state_writes: int = 0
    requests: int = 0
    items_sent: int = 0
    read_units: float = 0.0
    write_units: float = 0.0


class StoreError(RuntimeError):
    """The store cannot do what was asked (missing table, retries exhausted)."""


def check_writable(stored: StoredEvent) -> None:
    """Refuse events the window query could not find again.

    The DynamoDB window reads one LocationTypeIndex partition per known
    location type, so an event with any other type would be stored but never
    published; both stores refuse it so they keep the same contract.
    """
    if stored.event.location_type not in LOCATION_TYPES:
        raise ValueError(
            f"event {stored.event_id}: location_type {stored.event.location_type!r} is not one of {LOCATION_TYPES}"
        )


def unique_writes(
    puts: Sequence[StoredEvent], deletes: Sequence[tuple[str, str]]
) -> tuple[dict[tuple[str, str], StoredEvent], list[tuple[str, str]]]:
    """Each key once: the last put of a key wins, and a key that is put is not also deleted.

    DynamoDB refuses a batch naming one key twice, and both stores count
    writes the same way from this.
    """
    by_key = {(s.event_id, s.event.start.isoformat()): s for s in puts}
    gone = [key for key in dict.fromkeys(deletes) if key not in by_key]
    return by_key, gone


def sort_key(stored: StoredEvent) -> tuple[datetime, str]:
    """The order `window` returns: by start instant, then id."""
    return stored.start.astimezone(UTC), stored.event_id


_EVENT_FIELDS = tuple(Event.__dataclass_fields__)


def content_hash(event: Event) -> str:
    """A digest of everything a visitor or subscriber sees of the event."""
    payload = json.dumps(_event_payload(event), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:20]


def _event_payload(event: Event) -> dict[str, Any]:
    # Every field is flat (text, a flag, a date, a tuple of text): read them
    # directly; `asdict` would deep-copy each datetime, a tenth of a night's sync.
    data = {name: getattr(event, name) for name in _EVENT_FIELDS}
    data["start"] = event.start.isoformat()
    data["end"] = event.end.isoformat()
    data["categories"] = list(event.categories)
    data["also_listed_by"] = list(event.also_listed_by)
    return data


def ttl_for(event: Event, archive_days: int) -> int:
    """Epoch seconds at which the archive may forget the event."""
    return int((event.end + timedelta(days=archive_days)).timestamp())


def to_item(stored: StoredEvent, archive_days: int = 365) -> dict[str, Any]:
    """The flat item both stores keep. Empty strings are left out (DynamoDB index keys cannot be empty)."""
    event = stored.event
    item: dict[str, Any] = {
        "event_id": event.event_id,
        "start_datetime": event.start.isoformat(),
        "end_datetime": event.end.isoformat(),
        "title": event.title,
        "all_day": event.all_day,
        "timezone": event.timezone,
        "url": event.url,
        "location": event.location,
        "city": event.city,
        "state": event.state,
        "location_type": event.location_type,
        "description": event.description,
        "summary": event.summary,
        "categories": list(event.categories),
        "also_listed_by": list(event.also_listed_by),
        "status": event.status,
        "group_id": event.group_id,
        "group_name": event.group_name,
        "group_website": event.group_website,
        "source_type": event.source_type,
        "source_uid": event.source_uid,
        "cost": event.cost,
        "sequence": stored.sequence,
        "content_hash": stored.content_hash,
        "created_at": stored.created_at.isoformat(),
        "updated_at": stored.updated_at.isoformat(),
        "last_seen": stored.last_seen.isoformat() if stored.last_seen else "",
        "removed": stored.removed,
        "ttl": ttl_for(event, archive_days),
    }
    return {k: v for k, v in item.items() if v not in ("", [])}


def from_item(item: dict[str, Any]) -> StoredEvent:
    def text(key: str) -> str:
        return str(item.get(key, ""))

    event = Event(
        event_id=text("event_id"),
        group_id=text("group_id"),
        group_name=text("group_name"),
        group_website=text("group_website"),
        title=text("title"),
        start=datetime.fromisoformat(text("start_datetime")),
        end=datetime.fromisoformat(text("end_datetime")),
        all_day=bool(item.get("all_day", False)),
        timezone=text("timezone"),
        url=text("url"),
        location=text("location"),
        city=text("city"),
        state=text("state"),
        location_type=text("location_type") or "in_person",
        description=text("description"),
        summary=text("summary"),
        categories=tuple(item.get("categories", ()) or ()),
        status=text("status") or "confirmed",
        source_type=text("source_type"),
        source_uid=text("source_uid"),
        also_listed_by=tuple(item.get("also_listed_by", ()) or ()),
        cost=text("cost"),
    )
    last_seen = text("last_seen")
    return StoredEvent(
        event=event,
        sequence=int(item.get("sequence", 0)),
        content_hash=text("content_hash"),
        created_at=datetime.fromisoformat(text("created_at")),
        updated_at=datetime.fromisoformat(text("updated_at")),
        last_seen=datetime.fromisoformat(last_seen) if last_seen else None,
        removed=bool(item.get("removed", False)),
    )


def state_to_item(state: GroupState) -> dict[str, Any]:
    return {
        "group_id": state.group_id,
        "last_attempt": state.last_attempt.isoformat() if state.last_attempt else "",
        "last_success": state.last_success.isoformat() if state.last_success else "",
        "result": state.result,
        "error": state.error,
        "events_found": state.events_found,
        "warnings": list(state.warnings),
        "suspect_nights": state.suspect_nights,
        "left_out": dict(state.left_out),
    }


def state_from_item(item: dict[str, Any]) -> GroupState:
    def instant(key: str) -> datetime | None:
        raw = str(item.get(key, "") or "")
        return datetime.fromisoformat(raw) if raw else None

    return GroupState(
        group_id=str(item["group_id"]),
        last_attempt=instant("last_attempt"),
        last_success=instant("last_success"),
        result=str(item.get("result", "never")),
        error=str(item.get("error", "")),
        events_found=int(item.get("events_found", 0)),
        warnings=tuple(str(w) for w in item.get("warnings", ()) or ()),
        suspect_nights=int(item.get("suspect_nights", 0) or 0),
        left_out=tuple(sorted((str(k), int(v)) for k, v in (item.get("left_out") or {}).items())),
    )
