"""The catalog of iCalendar feeds: which feeds exist and which events each holds.

Shared by artifact planning (which writes each feed and the matching JSON)
and page planning (which links to them), so the two can never disagree.
Membership is one rule, `has_feed_key`; `feed_keys` lists the feeds of one
event by that rule, which lets a build index events once instead of
testing every event against every feed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from events.models import Group
from events.site.event_view import EventView
from events.site.urls import VIRTUAL_PAGE, category_page, feed_of, group_page, state_page

__all__ = ["FeedSpec", "feed_catalog", "feed_keys", "feed_members", "has_feed_key"]


@dataclass(frozen=True)
class FeedSpec:
    """One feed: its path in the output, its calendar name, and what it selects."""

    path: str
    title: str
    kind: str  # "all" | "state" | "group" | "category" | "virtual"
    key: str = ""

    def matches(self, view: EventView) -> bool:
        return has_feed_key(view, self.kind, self.key)


def has_feed_key(view: EventView, kind: str, key: str) -> bool:
    """The one membership rule: does the feed of (kind, key) list this event?"""
    event = view.event
    if kind == "all":
        return True
    if kind == "state":
        return event.state == key and event.location_type != "virtual"
    if kind == "group":
        return event.group_id == key or key in event.also_listed_by
    if kind == "category":
        return key in event.categories
    if kind == "virtual":
        return event.location_type in ("virtual", "hybrid")
    return False


def feed_keys(view: EventView) -> set[tuple[str, str]]:
    """Every (kind, key) of a feed that lists the event: the candidates the event names, kept by the rule."""
    event = view.event
    candidates = [("all", ""), ("virtual", ""), ("state", event.state), ("group", event.group_id)]
    candidates += [("group", g) for g in event.also_listed_by]
    candidates += [("category", c) for c in event.categories]
    return {(kind, key) for kind, key in candidates if has_feed_key(view, kind, key)}


def feed_members(views: Sequence[EventView]) -> dict[tuple[str, str], list[EventView]]:
    """The events of each (kind, key), in the order given; one pass over the events."""
    members: dict[tuple[str, str], list[EventView]] = defaultdict(list)
    for view in views:
        for key in feed_keys(view):
            members[key].append(view)
    return members


def feed_catalog(
    site_name: str, states: Sequence[str], groups: Sequence[Group], categories: Mapping[str, str]
) -> list[FeedSpec]:
    """Every feed the site publishes, in a stable order."""
    feeds = [FeedSpec(feed_of(""), site_name, "all")]
    feeds += [FeedSpec(feed_of(state_page(s)), f"{site_name}: {s}", "state", s) for s in states]
    feeds.append(FeedSpec(feed_of(VIRTUAL_PAGE), f"{site_name}: online", "virtual"))
    feeds += [
        FeedSpec(feed_of(category_page(slug)), f"{site_name}: {name}", "category", slug)
        for slug, name in sorted(categories.items())
    ]
    feeds += [
        FeedSpec(feed_of(group_page(g.slug)), f"{g.name} ({site_name})", "group", g.slug)
        for g in sorted(groups, key=lambda g: g.slug)
    ]
    return feeds
