"""Non-HTML outputs: the JSON files and the iCalendar feeds."""

from __future__ import annotations

from datetime import datetime
from typing import Sequence

from .api import events_json
from .feeds import feed_catalog
from .ics import calendar_bytes
from .sitetypes import Artifact, SiteInfo
from .views import EventView

__all__ = ["plan_artifacts"]


def plan_artifacts(views: Sequence[EventView], now: datetime, site: SiteInfo) -> list[Artifact]:
    upcoming = [v for v in views if v.end >= now]
    artifacts = [Artifact("api/events.json", events_json(upcoming))]
    for feed in feed_catalog(site.name, site.states, site.groups, site.categories):
        chosen = [v.stored for v in upcoming if feed.matches(v)]
        artifacts.append(Artifact(feed.path, calendar_bytes(chosen, site.uid_domain, feed.title)))
    return artifacts
