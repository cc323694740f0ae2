"""Records shared by page and artifact planning."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from events.models import Group, GroupState
from events.site.event_view import EventView

__all__ = ["Artifact", "DayListing", "PageSpec", "SiteInfo"]


@dataclass(frozen=True)
class PageSpec:
    """One HTML page: where it goes, which template, with what."""

    path: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)


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


@dataclass(frozen=True)
class DayListing:
    day: date
    path: str
    events: tuple[tuple[EventView, bool], ...]  # (event, continuing from an earlier day)
