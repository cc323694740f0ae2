"""Non-HTML outputs: the JSON files and the iCalendar feeds."""

from __future__ import annotations

from datetime import datetime
from typing import Sequence

from .api import events_json
from .ics import calendar_bytes
from .sitetypes import Artifact, SiteInfo
from .views import EventView

__all__ = ["plan_artifacts"]


def plan_artifacts(views: Sequence[EventView], now: datetime, site: SiteInfo) -> list[Artifact]:
    upcoming = [v for v in views if v.end >= now]
    return [
        Artifact("events.ics", calendar_bytes([v.stored for v in upcoming], site.uid_domain, site.name)),
        Artifact("api/events.json", events_json(upcoming)),
    ]
