"""Site planning: events -> everything the generator writes.

Pure. `pages.plan_pages` gives the HTML pages (PageSpec) and
`artifacts.plan_artifacts` the other files (JSON, ICS, XML); the generator
only renders and writes what this returns.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Sequence

from .artifacts import plan_artifacts
from .models import StoredEvent
from .pages import plan_pages
from .page_files import plan_page_files
from .sitetypes import Artifact, PageSpec, SiteInfo
from .views import event_view

__all__ = ["SitePlan", "plan_site"]


@dataclass(frozen=True)
class SitePlan:
    pages: tuple[PageSpec, ...]
    artifacts: tuple[Artifact, ...]


def plan_site(events: Sequence[StoredEvent], now: datetime, site: SiteInfo) -> SitePlan:
    views = [event_view(e, site.timezone) for e in events]
    pages = plan_pages(views, now, site)
    return SitePlan(tuple(pages), tuple(plan_artifacts(views, now, site)) + tuple(plan_page_files(views, pages, site)))
