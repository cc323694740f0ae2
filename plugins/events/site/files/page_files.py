"""Files that belong to the pages: per-event .ics downloads, sitemap.xml, robots.txt."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from xml.sax.saxutils import escape

from events.site.event_view import EventView
from events.site.files.event_calendars import event_calendars
from events.site.records import Artifact, PageSpec, SiteInfo
from events.site.urls import absolute_url, event_ics, page_url

__all__ = ["NOT_IN_SITEMAP", "plan_page_files", "robots_txt", "sitemap_xml"]

NOT_IN_SITEMAP = frozenset({"404.html"})


def plan_page_files(views: Sequence[EventView], pages: Sequence[PageSpec], site: SiteInfo) -> Iterator[Artifact]:
    """Each event's .ics download, the sitemap and robots.txt, made as the caller asks for them."""
    calendars = event_calendars([view.stored for view in views], site.uid_domain)
    for view in views:
        yield Artifact(event_ics(view.event.event_id), calendars[view.event.event_id])
    del calendars
    paths = [page_url(p.path) for p in pages if p.path not in NOT_IN_SITEMAP] + list(site.extra_pages)
    yield Artifact("sitemap.xml", sitemap_xml(paths, site.url))
    yield Artifact("robots.txt", robots_txt(site.url))


def sitemap_xml(paths: Sequence[str], site_url: str) -> bytes:
    """sitemaps.org 0.9 of every page, sorted; the URLs are absolute when SITEURL is."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    lines += [f"<url><loc>{escape(absolute_url(site_url, path))}</loc></url>" for path in sorted(set(paths))]
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def robots_txt(site_url: str) -> bytes:
    lines = ["User-agent: *", "Allow: /"]
    if site_url.startswith(("http://", "https://")):
        # The Sitemap line must be an absolute URL; local builds (empty SITEURL) leave it out.
        lines.append(f"Sitemap: {absolute_url(site_url, 'sitemap.xml')}")
    return ("\n".join(lines) + "\n").encode("utf-8")
