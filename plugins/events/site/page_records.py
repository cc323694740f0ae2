"""Small records that page planning hands to templates."""

from __future__ import annotations

from dataclasses import dataclass

from events.models import Group, GroupState
from events.site.calendar_links import SubscribeLinks
from events.site.files.feed_catalog import FeedSpec

__all__ = ["CountLink", "FeedRow", "PageLink", "SourceRow"]


@dataclass(frozen=True)
class CountLink:
    """A link to a listing page with how many upcoming events it holds."""

    label: str
    path: str
    count: int


@dataclass(frozen=True)
class PageLink:
    """A link to a neighbouring page (previous / next week, month or day)."""

    label: str
    path: str


@dataclass(frozen=True)
class SourceRow:
    """One group on the sources page, with its last run's times already in words."""

    group: Group
    state: GroupState | None
    path: str
    last_attempt: str
    last_success: str


@dataclass(frozen=True)
class FeedRow:
    """One feed on the feeds page: a short label, where it lives, how to subscribe."""

    label: str
    feed: FeedSpec
    links: SubscribeLinks
    count: int
