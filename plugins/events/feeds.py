"""The catalog of iCalendar feeds: which feeds exist and which events each holds.

Shared by artifact planning (which writes each feed) and page planning
(which links to them), so the two can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

from .models import Group
from .views import EventView

__all__ = ["FeedSpec", "feed_catalog"]


@dataclass(frozen=True)
class FeedSpec:
    """One feed: its path in the output, its calendar name, and what it selects."""

    path: str
    title: str
    kind: str  # "all" | "state" | "group" | "category" | "virtual"
    key: str = ""

    def matches(self, view: EventView) -> bool:
        event = view.event
        if self.kind == "all":
            return True
        if self.kind == "state":
            return event.state == self.key and event.location_type != "virtual"
        if self.kind == "group":
            return event.group_id == self.key or self.key in event.also_listed_by
        if self.kind == "category":
            return self.key in event.categories
        if self.kind == "virtual":
            return event.location_type in ("virtual", "hybrid")
        return False


def feed_catalog(
    site_name: str, states: Sequence[str], groups: Sequence[Group], categories: Mapping[str, str]
) -> list[FeedSpec]:
    """Every feed the site publishes, in a stable order."""
    feeds = [FeedSpec("events.ics", site_name, "all")]
    feeds += [FeedSpec(f"locations/{s.lower()}/events.ics", f"{site_name}: {s}", "state", s) for s in states]
    feeds.append(FeedSpec("virtual/events.ics", f"{site_name}: online", "virtual"))
    feeds += [
        FeedSpec(f"categories/{slug}/events.ics", f"{site_name}: {name}", "category", slug)
        for slug, name in sorted(categories.items())
    ]
    feeds += [
        FeedSpec(f"groups/{g.slug}/events.ics", f"{g.name} ({site_name})", "group", g.slug)
        for g in sorted(groups, key=lambda g: g.slug)
    ]
    return feeds
