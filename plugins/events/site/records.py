"""Records of site planning: pages, files, and the small records pages hand to templates."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from events.models import Group, GroupState
from events.site.calendar_links import SubscribeLinks
from events.site.event_view import EventView
from events.site.files.feed_catalog import FeedSpec

__all__ = ["Artifact", "CountLink", "DayListing", "FeedRow", "PageLink", "PageSpec", "SiteInfo", "SourceRow"]


@dataclass(frozen=True)
class PageSpec:
    """One HTML page: where it goes, which template, with what.

    `later`, when given, makes the rest of the context when the page is
    rendered: an event page's links, structured data and descriptions are
    a few kilobytes per event that need not be held for the whole build.
    """

    path: str
    template: str
    given: dict[str, Any] = field(default_factory=dict)
    later: Callable[[], dict[str, Any]] | None = field(default=None, compare=False)

    @property
    def context(self) -> dict[str, Any]:
        """What the template renders; made again at each call when part of it is deferred."""
        return {**self.given, **self.later()} if self.later is not None else self.given


@dataclass(frozen=True)
class Artifact:
    """One non-HTML file (JSON, ICS, XML) and its bytes."""

    path: str
    content: bytes


@dataclass(frozen=True)
class SiteInfo:
    """What planning needs to know of the site itself."""

    name: str
    url: str
    timezone: ZoneInfo
    home_days: int
    uid_domain: str
    states: tuple[str, ...]
    groups: tuple[Group, ...] = ()
    group_states: Mapping[str, GroupState] = field(default_factory=dict)
    categories: Mapping[str, str] = field(default_factory=dict)
    extra_pages: tuple[str, ...] = ()  # URL paths of pages Pelican writes itself (content/pages), for the sitemap
    repository: str = "dctech-events/site"  # GitHub OWNER/NAME the forms propose files to
    repository_branch: str = "main"
    local_origin: str = "http://127.0.0.1:8000"  # EVENTS_LOCAL_ORIGIN: stands in for a SITEURL that is not absolute

    @property
    def link_origin(self) -> str:
        """Where links meant to leave the site point: SITEURL when absolute, else the local origin."""
        return self.url.rstrip("/") if self.url.startswith(("http://", "https://")) else self.local_origin.rstrip("/")


@dataclass(frozen=True)
class DayListing:
    day: date
    path: str
    events: tuple[tuple[EventView, bool], ...]  # (event, continuing from an earlier day)



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
