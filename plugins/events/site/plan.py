"""Site planning: events -> everything the generator writes.

Pure. `pages.plan_pages` gives the HTML pages (PageSpec) and
`SitePlan.artifact_parts` the other files (JSON, ICS, XML) in independent
parts; the generator only renders and writes what this returns.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from events.models import StoredEvent
from events.site.event_view import EventView, event_view
from events.site.files.data_files import api_files, feed_files
from events.site.files.page_files import plan_page_files
from events.site.pages.digest_pages import digest_files, digest_page_paths, plan_digest_index
from events.site.pages.form_pages import input_schema_files, plan_form_pages
from events.site.pages.listing_pages import _PageMaker, plan_pages
from events.site.records import Artifact, PageSpec, SiteInfo

__all__ = ["SitePlan", "plan_site"]


@dataclass(frozen=True)
class SitePlan:
    """The HTML pages, and what every other file is planned from."""

    pages: tuple[PageSpec, ...]
    views: tuple[EventView, ...]
    now: datetime
    site: SiteInfo

    def artifacts(self) -> Iterator[Artifact]:
        """Every non-HTML file, each made as the caller asks for the next (and can let it go once written)."""
        for part in self.artifact_parts():
            yield from part()

    def artifact_parts(self) -> tuple[Callable[[], Iterator[Artifact]], ...]:
        """The non-HTML files in independent parts, the longest first, so that several processes can make them
        at once; each part makes its files on request, in the process that writes them."""
        return (self._feeds, self._page_files, self._api, self._schemas_and_digests)

    def _feeds(self) -> Iterator[Artifact]:
        return feed_files(self.views, self.now, self.site)

    def _api(self) -> Iterator[Artifact]:
        return api_files(self.views, self.now, self.site)

    def _page_files(self) -> Iterator[Artifact]:
        # The digest pages are written as files, not rendered; the sitemap lists them all the same.
        digest_pages = digest_page_paths(self.views, self.now, self.site)
        return plan_page_files(self.views, self.pages, replace(self.site, extra_pages=self.site.extra_pages + digest_pages))

    def _schemas_and_digests(self) -> Iterator[Artifact]:
        yield from input_schema_files(self.site)
        yield from digest_files(list(self.views), self.now, self.site)


def plan_site(events: Sequence[StoredEvent], now: datetime, site: SiteInfo) -> SitePlan:
    views = [event_view(e, site.timezone) for e in events]
    pages = plan_pages(views, now, site)
    page = _PageMaker(site, now.astimezone(site.timezone).date())
    pages += plan_form_pages(site, page)
    pages.append(plan_digest_index(views, now, site, page))
    return SitePlan(tuple(pages), tuple(views), now, site)
