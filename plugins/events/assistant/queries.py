"""Pure filters over the published records: which events answer a question.

"Upcoming" here means starting at or after `now` (the query's clock), so
the answer depends on the question's time, not on when the site was built.
Dates are the site's local days: the published times carry the site
timezone's offset, so an event's day is `start.date()`.

Online / in person follows the site's own feeds: a hybrid event is both
(it is in the `/virtual/` feed and in its state's feed).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from .records import Category, Event, Group

__all__ = ["MAX_LIMIT", "Attendance", "EventQuery", "category_slugs", "find_event", "select_events", "select_groups", "words"]

Attendance = Literal["in_person", "online"]
MAX_LIMIT = 200

_ATTENDANCE: dict[str, frozenset[str]] = {
    "in_person": frozenset({"in_person", "hybrid"}),
    "online": frozenset({"virtual", "hybrid"}),
}


@dataclass(frozen=True)
class EventQuery:
    """What to look for; a field left as None does not filter.

    `start_date` / `end_date` bound the event's local start day, both
    inclusive. `text` matches when every word of it is found in the title,
    summary, place, city, group or categories (case-insensitive).
    """

    now: datetime
    start_date: date | None = None
    end_date: date | None = None
    state: str | None = None
    category: str | None = None
    group: str | None = None
    attendance: Attendance | None = None
    text: str | None = None
    include_past: bool = False
    include_cancelled: bool = True

    def matches(self, event: Event) -> bool:
        if not self.include_past and event.start < self.now:
            return False
        day = event.start.date()
        if self.start_date is not None and day < self.start_date:
            return False
        if self.end_date is not None and day > self.end_date:
            return False
        if self.state and event.state != self.state.strip().upper():
            return False
        if self.category and self.category.strip().lower() not in event.categories:
            return False
        if self.group and self.group.strip().lower() not in event.groups:
            return False
        if self.attendance and event.location_type not in _ATTENDANCE[self.attendance]:
            return False
        if not self.include_cancelled and event.status == "cancelled":
            return False
        if self.text:
            haystack = event.searchable_text()
            if not all(word in haystack for word in words(self.text)):
                return False
        return True


def words(text: str) -> list[str]:
    """The case-folded words of a search text."""
    return text.casefold().split()


def select_events(events: Iterable[Event], query: EventQuery) -> list[Event]:
    """The events matching `query`, soonest first (ties by id, so answers are stable)."""
    return sorted((event for event in events if query.matches(event)), key=lambda event: (event.start, event.id))


def find_event(events: Iterable[Event], event_id: str) -> Event | None:
    """The event with this id (the last part of its page's address), or None."""
    wanted = event_id.strip().lower()
    return next((event for event in events if event.id == wanted), None)


def select_groups(groups: Sequence[Group], *, category: str | None = None, text: str | None = None, include_inactive: bool = False) -> list[Group]:
    """Groups by id, optionally only one category's or those whose id or name holds every word of `text`."""
    chosen = []
    for group in groups:
        if not include_inactive and not group.active:
            continue
        if category and category.strip().lower() not in group.categories:
            continue
        if text:
            haystack = " ".join((group.id, group.name, *group.categories)).casefold()
            if not all(word in haystack for word in words(text)):
                continue
        chosen.append(group)
    return sorted(chosen, key=lambda group: group.id)


def category_slugs(categories: Iterable[Category]) -> frozenset[str]:
    """The slugs a correction may name."""
    return frozenset(category.slug for category in categories)
