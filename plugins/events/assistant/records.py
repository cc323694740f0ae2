"""The records the site publishes under /api/, parsed just enough to filter them.

The JSON files are the contract (their schemas are published in
/api/schema/); each record keeps the published mapping as it was, so a
tool answers with the site's own fields, and adds the few typed values the
filters need. A document that is not what the schema says raises
`SiteDataError` naming the file and the record.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

__all__ = [
    "LOCATION_TYPES",
    "Category",
    "Event",
    "Group",
    "SiteDataError",
    "parse_categories",
    "parse_events",
    "parse_groups",
]

# The `location_type` values of the published event schema.
LOCATION_TYPES = ("in_person", "virtual", "hybrid")


class SiteDataError(ValueError):
    """A published JSON file does not have the shape its schema promises."""


@dataclass(frozen=True)
class Event:
    """One published event record, with its times parsed.

    `start` and `end` carry the site timezone's UTC offset as published, so
    `start.date()` is the day the site lists the event on.
    """

    id: str
    title: str
    start: datetime
    end: datetime
    state: str
    location_type: str
    group_id: str
    also_listed_by: tuple[str, ...]
    categories: tuple[str, ...]
    status: str
    record: dict[str, Any] = field(compare=False, repr=False)

    @property
    def groups(self) -> tuple[str, ...]:
        """The group that lists it first, then the others that list it too."""
        return (self.group_id, *self.also_listed_by)

    def searchable_text(self) -> str:
        """Title, summary, place, city, group name and categories, case-folded, for text search."""
        record = self.record
        parts = [record.get(key) for key in ("title", "summary", "location", "city", "state", "group_name")]
        parts += [self.group_id, *self.categories]
        return " ".join(str(part) for part in parts if part).casefold()


@dataclass(frozen=True)
class Group:
    """One published group record."""

    id: str
    name: str
    categories: tuple[str, ...]
    active: bool
    upcoming: int
    record: dict[str, Any] = field(compare=False, repr=False)


@dataclass(frozen=True)
class Category:
    """One published category: slug, display name, upcoming count."""

    slug: str
    name: str
    upcoming: int
    record: dict[str, Any] = field(compare=False, repr=False)


def parse_events(document: Any, shown: str = "api/events.json") -> tuple[Event, ...]:
    """The events of a listing document (`{"count": N, "events": [...]}`)."""
    return tuple(_event(record, f"{shown} events[{index}]") for index, record in enumerate(_list(document, "events", shown)))


def parse_groups(document: Any, shown: str = "api/groups.json") -> tuple[Group, ...]:
    """The groups of `/api/groups.json`."""
    groups = []
    for index, record in enumerate(_list(document, "groups", shown)):
        where = f"{shown} groups[{index}]"
        groups.append(
            Group(
                id=_text(record, "id", where),
                name=_text(record, "name", where),
                categories=_texts(record, "categories", where),
                active=bool(record.get("active", True)),
                upcoming=_count(record, "upcoming", where),
                record=record,
            )
        )
    return tuple(groups)


def parse_categories(document: Any, shown: str = "api/categories.json") -> tuple[Category, ...]:
    """The categories of `/api/categories.json`."""
    categories = []
    for index, record in enumerate(_list(document, "categories", shown)):
        where = f"{shown} categories[{index}]"
        categories.append(
            Category(
                slug=_text(record, "slug", where),
                name=_text(record, "name", where),
                upcoming=_count(record, "upcoming", where),
                record=record,
            )
        )
    return tuple(categories)


def _event(record: Any, where: str) -> Event:
    if not isinstance(record, dict):
        raise SiteDataError(f"{where}: not an object")
    return Event(
        id=_text(record, "id", where),
        title=_text(record, "title", where),
        start=_instant(record, "start", where),
        end=_instant(record, "end", where),
        state=str(record.get("state") or ""),
        location_type=str(record.get("location_type") or ""),
        group_id=_text(record, "group_id", where),
        also_listed_by=_texts(record, "also_listed_by", where),
        categories=_texts(record, "categories", where),
        status=str(record.get("status") or ""),
        record=record,
    )


def _list(document: Any, key: str, shown: str) -> list[dict[str, Any]]:
    if not isinstance(document, dict) or not isinstance(document.get(key), list):
        raise SiteDataError(f"{shown}: expected an object with a list {key!r}")
    items: list[Any] = document[key]
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise SiteDataError(f"{shown} {key}[{index}]: not an object")
    return items


def _text(record: dict[str, Any], key: str, where: str) -> str:
    value = record.get(key)
    if not isinstance(value, str) or not value:
        raise SiteDataError(f"{where}: {key!r} is missing or not a text")
    return value


def _texts(record: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = record.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise SiteDataError(f"{where}: {key!r} is not a list of texts")
    return tuple(value)


def _count(record: dict[str, Any], key: str, where: str) -> int:
    value = record.get(key, 0)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise SiteDataError(f"{where}: {key!r} is not a count")
    return value


def _instant(record: dict[str, Any], key: str, where: str) -> datetime:
    text = _text(record, key, where)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise SiteDataError(f"{where}: {key!r} {text!r} is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        raise SiteDataError(f"{where}: {key!r} {text!r} has no UTC offset")
    return moment
