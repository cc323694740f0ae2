"""The static JSON files of the output contract."""

from __future__ import annotations

import json
from typing import Any, Sequence

from .views import EventView

__all__ = ["event_record", "events_json", "dump_json"]


def event_record(view: EventView) -> dict[str, Any]:
    event = view.event
    return {
        "id": event.event_id,
        "title": event.title,
        "start": view.start.isoformat(),
        "end": view.end.isoformat(),
        "timezone": event.timezone,
        "all_day": event.all_day,
        "url": event.url,
        "page": "/" + view.url,
        "location": event.location,
        "city": event.city,
        "state": event.state,
        "location_type": event.location_type,
        "group_id": event.group_id,
        "group_name": event.group_name,
        "also_listed_by": list(event.also_listed_by),
        "categories": list(event.categories),
        "status": view.status,
        "summary": event.summary,
    }


def dump_json(data: Any) -> bytes:
    """Sorted, stable JSON: the same data always gives the same bytes."""
    return (json.dumps(data, sort_keys=True, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def events_json(views: Sequence[EventView]) -> bytes:
    return dump_json({"count": len(views), "events": [event_record(v) for v in views]})
