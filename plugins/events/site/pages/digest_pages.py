"""The weekly digest: one email-ready page per ISO week, its plain text, and an Atom feed of them.

For a newsletter with no server of ours: an RSS-to-email service reads
`/digest/feed.xml` and mails each new entry (the week's digest, in full) to
its subscribers. The digest of a week is written from the Monday's build
on, so the nightly run of that Monday publishes it; the feed keeps the
current week and the `DIGEST_WEEKS - 1` weeks before it (weeks with no
events are left out, the current one never). A digest lists every event
that is not cancelled and touches the week (Monday to Sunday in the site's
timezone), once, under its first day in the week.

The HTML is a whole document with inline styles only: no stylesheet, no
script, no image, nothing fetched, so mail clients show it as it is; the
`.txt` beside it is the same digest for plain-text clients. Pure: views,
the clock and SiteInfo give bytes.
"""

from __future__ import annotations

import html
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from feedgenerator import Atom1Feed

from events.site.event_view import EventView, days_spanned
from events.site.pages.calendar_pages import week_label
from events.site.records import Artifact, PageSpec, SiteInfo
from events.site.urls import absolute_url, digest_feed, digest_index, digest_page, digest_text, week_id, week_monday

__all__ = ["DIGEST_WEEKS", "Digest", "digest_files", "digest_html", "digest_page_paths", "digest_text_body", "digests", "plan_digest_index"]

DIGEST_WEEKS = 8  # the current week and seven before it: two months of newsletters in the feed

_FONT = "font-family:Arial,Helvetica,sans-serif"
_MUTED = "color:#4a4a4a"
_LINK = "color:#0b57d0"


@dataclass(frozen=True)
class Digest:
    """One week's digest: its Monday and its events by day."""

    monday: date
    days: tuple[tuple[date, tuple[EventView, ...]], ...]

    @property
    def week(self) -> str:
        return week_id(self.monday)

    @property
    def label(self) -> str:
        return week_label(self.monday)

    @property
    def events(self) -> tuple[EventView, ...]:
        return tuple(v for _, views in self.days for v in views)

    @property
    def count_label(self) -> str:
        count = len(self.events)
        return f"{count} event{'s' if count != 1 else ''}"


def digests(views: Sequence[EventView], today: date, weeks: int = DIGEST_WEEKS) -> list[Digest]:
    """The digests to publish, newest first: the current week always, earlier weeks when they list events."""
    this_monday = week_monday(today)
    mondays = [this_monday - timedelta(weeks=n) for n in range(weeks)]
    first, stop = mondays[-1], this_monday + timedelta(days=7)
    by_monday: dict[date, dict[date, list[EventView]]] = {m: {} for m in mondays}
    for view in views:
        if view.status == "cancelled":
            continue
        seen: set[date] = set()
        for day in days_spanned(view):
            if not first <= day < stop:
                continue
            monday = week_monday(day)
            if monday in seen:
                continue
            seen.add(monday)
            by_monday[monday].setdefault(day, []).append(view)
    found = []
    for monday in mondays:
        days = by_monday[monday]
        if not days and monday != this_monday:
            continue
        ordered = tuple(
            (day, tuple(sorted(days[day], key=lambda v: (not v.event.all_day, v.start, v.event.title, v.event.event_id)))) for day in sorted(days)
        )
        found.append(Digest(monday, ordered))
    return found


def _place(view: EventView) -> str:
    event = view.event
    if event.location_type == "virtual":
        return "Online"
    place = event.location or ", ".join(p for p in (event.city, event.state) if p)
    return f"{place} (and online)" if event.location_type == "hybrid" and place else place or "Place to be announced"


def _when(view: EventView, day: date) -> str:
    """The time under a day heading; an event that began before the week says when it runs."""
    if view.start.date() < day or view.end.date() > day + timedelta(days=1) or (view.event.all_day and len(days_spanned(view)) > 1):
        return view.when_label
    return view.time_label


def _day_heading(day: date) -> str:
    return f"{day:%A, %B} {day.day}"


def digest_html(digest: Digest, site: SiteInfo) -> str:
    """The body of the digest: what the page shows and what the feed entry carries, with inline styles only."""
    e = html.escape
    page = absolute_url(site.url, digest_page(digest.monday))
    text = absolute_url(site.url, digest_text(digest.monday))
    parts = [
        f'<div style="max-width:640px;margin:0 auto;{_FONT};font-size:16px;line-height:1.5;color:#1a1a1a">',
        f'<h1 style="font-size:24px;line-height:1.3;margin:0 0 4px">{e(site.name)}: the week of {e(digest.label)}</h1>',
        f'<p style="margin:0 0 16px;{_MUTED}">{digest.count_label} in ISO week {e(digest.week)}. '
        f'<a href="{e(page)}" style="{_LINK}">Read it on the web</a> · <a href="{e(text)}" style="{_LINK}">plain text</a></p>',
    ]
    if not digest.days:
        home = e(absolute_url(site.url, ""))
        parts.append(f'<p style="margin:16px 0">No events are listed this week yet. <a href="{home}" style="{_LINK}">See what is coming up</a>.</p>')
    for day, views in digest.days:
        parts.append(f'<h2 style="font-size:18px;margin:24px 0 8px;padding-bottom:4px;border-bottom:1px solid #cccccc">{e(_day_heading(day))}</h2>')
        parts.append('<ul style="list-style:none;margin:0;padding:0">')
        for view in views:
            event = view.event
            link = absolute_url(site.url, view.url)
            parts.append(
                f'<li style="margin:0 0 14px"><a href="{e(link)}" style="{_LINK};font-weight:bold">{e(view.display_title)}</a><br>'
                f'<span style="{_MUTED}">{e(_when(view, day))} · {e(_place(view))} · {e(event.group_name)}</span></li>'
            )
        parts.append("</ul>")
    parts.append(
        f'<p style="margin:32px 0 0;font-size:14px;{_MUTED}">From <a href="{e(absolute_url(site.url, ""))}" style="{_LINK}">{e(site.name)}</a>. '
        f'Times are in the {e(site.timezone.key)} time zone. Every digest: <a href="{e(absolute_url(site.url, digest_index()))}" style="{_LINK}">'
        f"{e(absolute_url(site.url, digest_index()))}</a>.</p>"
    )
    parts.append("</div>")
    return "\n".join(parts)


def _html_document(digest: Digest, site: SiteInfo) -> str:
    title = f"{site.name}: the week of {digest.label}"
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n</head>\n"
        '<body style="margin:0;padding:16px;background-color:#ffffff">\n'
        f"{digest_html(digest, site)}\n</body>\n</html>\n"
    )


def digest_text_body(digest: Digest, site: SiteInfo) -> str:
    """The digest for plain-text mail clients."""
    title = f"{site.name}: the week of {digest.label}"
    lines = [title, "=" * len(title), "", f"{digest.count_label} in ISO week {digest.week}."]
    lines.append(f"On the web: {absolute_url(site.url, digest_page(digest.monday))}")
    if not digest.days:
        lines += ["", "No events are listed this week yet."]
    for day, views in digest.days:
        heading = _day_heading(day).upper()
        lines += ["", heading, "-" * len(heading)]
        for view in views:
            lines += [f"* {view.event.title}", f"  {_when(view, day)} · {_place(view)} · {view.event.group_name}", f"  {absolute_url(site.url, view.url)}"]
    lines += ["", f"Times are in the {site.timezone.key} time zone. Every digest: {absolute_url(site.url, digest_index())}", ""]
    return "\n".join(lines)


class _DigestAtom(Atom1Feed):  # type: ignore[misc]  # feedgenerator is untyped
    """The feed's date is its newest entry's: never the wall clock, so an unchanged week gives unchanged bytes."""

    fallback_date: datetime

    def latest_post_date(self) -> datetime:
        dates = [item["updateddate"] for item in self.items if item.get("updateddate")]
        return max(dates, default=self.fallback_date)


def _feed(found: Sequence[Digest], site: SiteInfo, now: datetime) -> bytes:
    feed: Any = _DigestAtom(
        title=f"{site.name}: weekly digest",
        link=absolute_url(site.url, digest_index()),
        description=f"Every week's tech events from {site.name}, one entry per week",
        language="en",
        feed_url=absolute_url(site.url, digest_feed()),
        feed_guid=f"tag:{site.uid_domain},2026:{digest_feed()}",
    )
    feed.fallback_date = now
    for digest in found:
        # Dated at the start of its Monday: the entry is new from that day's build on.
        published = datetime.combine(digest.monday, time(0, 0), tzinfo=site.timezone)
        feed.add_item(
            title=f"The week of {digest.label}: {digest.count_label}",
            link=absolute_url(site.url, digest_page(digest.monday)),
            description=f"{digest.count_label} in ISO week {digest.week}, from {site.name}.",
            content=digest_html(digest, site),
            unique_id=f"tag:{site.uid_domain},{digest.monday:%Y-%m-%d}:digest-{digest.week}",
            unique_id_is_permalink=False,
            pubdate=published,
            updateddate=published,
        )
    out = io.StringIO()
    feed.write(out, "utf-8")
    return out.getvalue().encode("utf-8")


def digest_files(views: Sequence[EventView], now: datetime, site: SiteInfo) -> list[Artifact]:
    """Each digest's HTML page and text, and the feed of them all."""
    found = digests(views, now.astimezone(site.timezone).date())
    files = []
    for digest in found:
        files.append(Artifact(f"{digest_page(digest.monday)}index.html", _html_document(digest, site).encode("utf-8")))
        files.append(Artifact(digest_text(digest.monday), digest_text_body(digest, site).encode("utf-8")))
    files.append(Artifact(digest_feed(), _feed(found, site, now)))
    return files


def digest_page_paths(views: Sequence[EventView], now: datetime, site: SiteInfo) -> tuple[str, ...]:
    """The page of each digest `digest_files` writes (for the sitemap), without rendering them."""
    return tuple(digest_page(d.monday) for d in digests(views, now.astimezone(site.timezone).date()))


def plan_digest_index(views: Sequence[EventView], now: datetime, site: SiteInfo, page: Callable[..., PageSpec]) -> PageSpec:
    """The site's page about the digest: every published week, the feed, and how to get it by email."""
    found = digests(views, now.astimezone(site.timezone).date())
    rows = [(d, digest_page(d.monday), digest_text(d.monday)) for d in found]
    return page(
        f"{digest_index()}index.html",
        "digest_index",
        "Weekly digest",
        f"The week's tech events from {site.name}, as an email-ready page, plain text and a feed.",
        section="digest",
        rows=rows,
        feed_path=digest_feed(),
        weeks=DIGEST_WEEKS,
    )
