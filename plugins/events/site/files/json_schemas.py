"""The JSON Schemas (draft 2020-12) published under /api/schema/ for every JSON file.

Each schema is self-contained (the event record sits in its `$defs`), so a
client validates one file with one schema and no registry. `SCHEMAS` maps
the published file name to its schema; `api.py` names the schema of each
file it writes.
"""

from __future__ import annotations

from typing import Any

from events.models import LOCATION_TYPES, STATUSES

__all__ = ["SCHEMAS", "schemas"]

DIALECT = "https://json-schema.org/draft/2020-12/schema"

_TEXT = {"type": "string"}
_ID = {"type": "string", "minLength": 1}
_COUNT = {"type": "integer", "minimum": 0}
_INSTANT = {"type": "string", "format": "date-time"}
_DAY = {"type": "string", "format": "date"}
_LINK = {"type": "string", "format": "uri-reference"}
# Source links may carry non-ASCII characters (IRIs, RFC 3987), which real feeds do.
_OPTIONAL_URI = {"anyOf": [{"const": ""}, {"type": "string", "format": "iri"}]}
_STATE = {"type": "string", "pattern": "^[A-Z]{2}$"}
_WEEK = {"type": "string", "pattern": "^[0-9]{4}-W(0[1-9]|[1-4][0-9]|5[0-3])$"}
_STRINGS = {"type": "array", "items": _ID}


def _record(properties: dict[str, Any], description: str = "") -> dict[str, Any]:
    """An object with exactly these keys, all required: clients can rely on each one."""
    schema: dict[str, Any] = {
        "type": "object",
        "properties": properties,
        "required": sorted(properties),
        "additionalProperties": False,
    }
    if description:
        schema["description"] = description
    return schema


EVENT = _record(
    {
        "id": {**_ID, "description": "stable across edits; the ICS UID is <id>@<domain>"},
        "title": _ID,
        "start": {**_INSTANT, "description": "ISO 8601 with UTC offset, 24-hour, in the site's timezone"},
        "end": _INSTANT,
        "timezone": {**_TEXT, "description": "the event's own IANA timezone"},
        "all_day": {"type": "boolean"},
        "url": {**_OPTIONAL_URI, "description": "the event at its source (RSVP there)"},
        "page": {**_LINK, "description": "the event's page on this site"},
        "location": _TEXT,
        "city": _TEXT,
        "state": {"anyOf": [{"const": ""}, _STATE]},
        "location_type": {"enum": list(LOCATION_TYPES)},
        "group_id": _ID,
        "group_name": _TEXT,
        "also_listed_by": _STRINGS,
        "categories": _STRINGS,
        "status": {"enum": list(STATUSES)},
        "summary": _TEXT,
        "created": {**_INSTANT, "description": "when this site first saw the event"},
        "updated": {**_INSTANT, "description": "when the event last changed"},
        "sequence": {**_COUNT, "description": "rises on each change, as the ICS SEQUENCE"},
    },
    "One event.",
)

_EVENTS = {"type": "array", "items": {"$ref": "#/$defs/event"}}

_GROUP = _record(
    {
        "id": _ID,
        "name": _ID,
        "website": {"type": "string", "format": "iri"},
        "categories": _STRINGS,
        "active": {"type": "boolean"},
        "upcoming": {**_COUNT, "description": "upcoming events listed by the group"},
        "page": _LINK,
        "api": _LINK,
        "feed": _LINK,
        "last_fetch": _record(
            {
                "result": {"enum": ["ok", "error", "suspect", "withdrawn", "never"]},
                "last_attempt": {"anyOf": [{"type": "null"}, _INSTANT]},
                "last_success": {"anyOf": [{"type": "null"}, _INSTANT]},
                "events_found": _COUNT,
            }
        ),
    },
    "One group and how its last collection went.",
)


def _document(title: str, properties: dict[str, Any], defs: dict[str, Any] | None = None) -> dict[str, Any]:
    schema = {"$schema": DIALECT, "title": title, **_record(properties)}
    if defs:
        schema["$defs"] = defs
    return schema


def schemas() -> dict[str, dict[str, Any]]:
    """File name under /api/schema/ -> schema."""
    with_event = {"event": EVENT}
    listing = {"count": _COUNT, "events": _EVENTS}
    return {
        "event.json": {"$schema": DIALECT, "title": "Event", **EVENT},
        "events.json": _document("A list of events", listing, with_event),
        "day.json": _document("The events of one day", {"date": _DAY, **listing}, with_event),
        "week.json": _document(
            "The events of one ISO week",
            {
                "week": _WEEK,
                "start": {**_DAY, "description": "the Monday"},
                "end": {**_DAY, "description": "the Sunday"},
                "previous": {"anyOf": [{"type": "null"}, _WEEK], "description": "the previous week with events"},
                "next": {"anyOf": [{"type": "null"}, _WEEK], "description": "the next week with events"},
                **listing,
            },
            with_event,
        ),
        "location.json": _document("Upcoming in-person events in one state", {"state": _STATE, **listing}, with_event),
        "locations.json": _document(
            "The states the site lists",
            {
                "locations": {
                    "type": "array",
                    "items": _record({"state": _STATE, "upcoming": _COUNT, "api": _LINK, "page": _LINK, "feed": _LINK}),
                }
            },
        ),
        "group.json": _document("One group and its upcoming events", {"group": _GROUP, **listing}, with_event),
        "groups.json": _document("Every group", {"count": _COUNT, "groups": {"type": "array", "items": _GROUP}}),
        "categories.json": _document(
            "The categories",
            {
                "categories": {
                    "type": "array",
                    "items": _record({"slug": _ID, "name": _ID, "upcoming": _COUNT, "page": _LINK, "feed": _LINK}),
                }
            },
        ),
        "health.json": _document(
            "Build health, for uptime monitors",
            {
                "build_time": {**_INSTANT, "description": "the build clock's now"},
                "version": {"type": "string", "pattern": r"^\d+\.\d+\.\d+"},
                "events": {**_COUNT, "description": "events in /api/events.json"},
                "upcoming": {**_COUNT, "description": "events that have not ended"},
                "groups_ok": {**_COUNT, "description": "active groups whose last fetch succeeded"},
                "groups_failed": {**_COUNT, "description": "active groups whose last fetch failed or never ran"},
                "newest_event_start": {
                    "anyOf": [{"type": "null"}, _INSTANT],
                    "description": "the latest start of any listed event",
                },
            },
        ),
    }


SCHEMAS = tuple(sorted(schemas()))
