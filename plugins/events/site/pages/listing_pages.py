"""HTML page planning: which pages exist and what each lists.

Pure: event views + the clock + SiteInfo -> PageSpecs. Listing pages that
have a feed (state, online, group, category) select their events with the
feed's own `FeedSpec.matches`, so a page and its feed always agree.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

from events.site.calendar_links import calendar_links, subscribe_links
from events.site.event_view import EventView, days_spanned, moment_label, zone_name
from events.site.files.feed_catalog import FeedSpec, feed_catalog
from events.site.map_links import map_link
from events.site.pages.calendar_pages import plan_calendar_pages
from events.site.pages.embed_pages import embed_snippet, plan_embed_pages
from events.site.pages.structured_data import event_jsonld, jsonld_script
from events.site.records import CountLink, DayListing, FeedRow, PageSpec, SiteInfo, SourceRow
from events.site.shorten import SUMMARY_LIMIT, shorten_text
from events.site.subscribe import subscribe_control
from events.site.urls import (
    OG_IMAGE,
    SEARCH_PAGE,
    absolute_url,
    category_page,
    day_page,
    embed_page,
    event_ics,
    group_page,
    month_page,
    page_url,
    state_page,
    week_page,
)

__all__ = ["RECENT_LIMIT", "by_day", "plan_pages", "select_by_feed", "upcoming_days"]

RECENT_LIMIT = 10  # past events a group page shows


def plan_pages(views: Sequence[EventView], now: datetime, site: SiteInfo) -> list[PageSpec]:
    today = now.astimezone(site.timezone).date()
    upcoming = [v for v in views if v.end >= now]
    feeds = feed_catalog(site.name, site.states, site.groups, site.categories)
    feed_by_key = {(f.kind, f.key): f for f in feeds}
    selected = select_by_feed(feeds, upcoming)
    page = _PageMaker(site, today)
    days = by_day(views)

    home = [
        DayListing(d.day, d.path, tuple((v, c) for v, c in d.events if v.event.location_type != "virtual"))
        for d in days
        if today <= d.day < today + timedelta(days=site.home_days)
    ]
    pages = [
        page(
            "index.html",
            "events_home",
            site.name,
            f"Upcoming in-person tech events in the next {site.home_days} days.",
            section="home",
            days=[d for d in home if d.events],
            feed=feed_by_key[("all", "")],
        )
    ]
    all_feed = feed_by_key[("all", "")]
    pages += plan_calendar_pages(days, today, lambda *args, **context: page(*args, feed=all_feed, **context))
    pages += _event_pages(views, now, site, page)
    pages += _location_pages(selected, today, site, feed_by_key, page)
    past = select_by_feed([f for f in feeds if f.kind == "group"], [v for v in views if v.end < now])
    pages += _group_pages(selected, past, today, site, feed_by_key, page)
    pages += _category_pages(selected, today, site, feed_by_key, page)
    pages.append(_sources_page(site, page))
    pages.append(_feeds_page(feeds, selected, site, page))
    pages += plan_embed_pages(selected, site, feed_by_key, page)
    pages.append(
        page(
            f"{SEARCH_PAGE}index.html",
            "events_search",
            "Search events",
            "Search every listed event by words of its title or description, and narrow by topic, group, state, online or in person, and month.",
            section="search",
        )
    )
    pages.append(page("404.html", "events_404", "Page not found", "This page does not exist.", section=""))
    return pages


def by_day(views: Sequence[EventView]) -> list[DayListing]:
    """Events by local day; all-day and continuing events first, then by time."""
    days: dict[date, list[tuple[EventView, bool]]] = defaultdict(list)
    for view in views:
        for index, day in enumerate(days_spanned(view)):
            days[day].append((view, index > 0))
    listings = []
    for day in sorted(days):
        ordered = sorted(
            days[day],
            key=lambda pair: (
                not (pair[0].event.all_day or pair[1]),
                pair[0].start,
                pair[0].event.title,
                pair[0].event.event_id,
            ),
        )
        listings.append(DayListing(day, day_page(day), tuple(ordered)))
    return listings


def upcoming_days(views: Sequence[EventView], today: date) -> list[DayListing]:
    """`by_day`, from today on: a multi-day event that began earlier shows as continuing today."""
    return [d for d in by_day(views) if d.day >= today]






Selection = dict[tuple[str, str], list[EventView]]


def select_by_feed(feeds: Sequence[FeedSpec], views: Sequence[EventView]) -> Selection:
    """Each feed's events among `views`, in their order, chosen by `FeedSpec.matches`.

    A group or category feed only tests the events of its group or category,
    so with hundreds of groups this stays linear in the number of events.
    """
    candidates: Selection = defaultdict(list)
    for view in views:
        event = view.event
        for key in dict.fromkeys((event.group_id, *event.also_listed_by)):
            candidates[("group", key)].append(view)
        for key in dict.fromkeys(event.categories):
            candidates[("category", key)].append(view)
    selected: Selection = {}
    for feed in feeds:
        pool = candidates.get((feed.kind, feed.key), []) if feed.kind in ("group", "category") else views
        selected[(feed.kind, feed.key)] = [v for v in pool if feed.matches(v)]
    return selected


class _PageMaker:
    """Builds PageSpecs with the context every template uses (title, canonical URL, site)."""

    def __init__(self, site: SiteInfo, today: date) -> None:
        self.site = site
        self.today = today

    def __call__(self, path: str, template: str, title: str, description: str, section: str, **context: Any) -> PageSpec:
        full_title = title if title == self.site.name else f"{title} · {self.site.name}"
        feed = context.get("feed")
        if isinstance(feed, FeedSpec) and "subscribe" not in context:
            context["subscribe"] = subscribe_control(feed.path, feed.title, self.site.url, self.site.local_origin)
        return PageSpec(
            path,
            template,
            {
                "site": self.site,
                "today": self.today,
                "heading": title,
                "page_title": full_title,
                # Meta and Open Graph descriptions: search engines and link previews show a few hundred characters.
                "page_description": shorten_text(description, SUMMARY_LIMIT),
                "canonical": absolute_url(self.site.link_origin, page_url(path)),
                "og_image": absolute_url(self.site.link_origin, OG_IMAGE),
                "section": section,
                "zone_name": zone_name(self.site.timezone),
                "this_week": week_page(self.today),
                "this_month": month_page(self.today.year, self.today.month),
                **context,
            },
        )


def _event_pages(views: Sequence[EventView], now: datetime, site: SiteInfo, page: _PageMaker) -> list[PageSpec]:
    """One page per event; its context is made when the page is rendered (a national site has 100,000 of them)."""
    group_names = {g.slug: g.name for g in site.groups}

    def context(view: EventView) -> dict[str, Any]:
        event = view.event
        canonical = absolute_url(site.url, view.url)
        summary = view.summary or f"{event.group_name}: {view.when_label}"
        description = f"Cancelled: {summary}" if view.is_cancelled else summary
        return page(
            f"{view.url}index.html",
            "events_event",
            view.display_title,
            description,
            section="",
            view=view,
            links=calendar_links(view, event_ics(view.event.event_id), site.url),
            jsonld=jsonld_script({**event_jsonld(view, canonical), "image": [absolute_url(site.link_origin, OG_IMAGE)]}),
            group_page=group_page(event.group_id) if event.group_id in group_names else "",
            also_listed=[(slug, group_names.get(slug, slug), slug in group_names) for slug in event.also_listed_by],
            categories=[(slug, site.categories[slug]) for slug in event.categories if slug in site.categories],
            map_url=map_link(event.location) if event.location_type != "virtual" else "",
            past=view.end < now,
        ).given

    return [PageSpec(f"{view.url}index.html", "events_event", later=partial(context, view)) for view in views]


def _location_pages(
    selected: Selection, today: date, site: SiteInfo, feeds: dict[tuple[str, str], FeedSpec], page: _PageMaker
) -> list[PageSpec]:
    pages = []
    counts = []
    for state in site.states:
        feed = feeds[("state", state)]
        chosen = selected[(feed.kind, feed.key)]
        path = state_page(state)
        counts.append(CountLink(state, path, len(chosen)))
        pages.append(
            page(
                f"{path}index.html",
                "events_listing",
                f"Tech events in {state}",
                f"Upcoming in-person and hybrid tech events in {state}.",
                section="locations",
                days=upcoming_days(chosen, today),
                feed=feed,
                empty=f"No upcoming events in {state} are listed yet.",
                embed_path=embed_page(path),
            )
        )
    virtual_feed = feeds[("virtual", "")]
    online = selected[("virtual", "")]
    pages.append(
        page(
            "virtual/index.html",
            "events_listing",
            "Online tech events",
            "Upcoming online and hybrid tech events you can join from anywhere.",
            section="virtual",
            days=upcoming_days(online, today),
            feed=virtual_feed,
            empty="No upcoming online events are listed yet.",
        )
    )
    pages.insert(
        0,
        page(
            "locations/index.html",
            "events_locations",
            "Events by location",
            "Upcoming tech events by state, and online.",
            section="locations",
            states=counts,
            online=CountLink("Online", "virtual/", len(online)),
        ),
    )
    return pages


def _group_pages(
    selected: Selection,
    past: Selection,
    today: date,
    site: SiteInfo,
    feeds: dict[tuple[str, str], FeedSpec],
    page: _PageMaker,
) -> list[PageSpec]:
    pages = []
    rows = []
    for group in sorted(site.groups, key=lambda g: g.name.lower()):
        feed = feeds[("group", group.slug)]
        chosen = selected[(feed.kind, feed.key)]
        recent = sorted(past[(feed.kind, feed.key)], key=lambda v: (v.start, v.event.event_id), reverse=True)
        path = group_page(group.slug)
        rows.append((group, CountLink(group.name, path, len(chosen))))
        pages.append(
            page(
                f"{path}index.html",
                "events_group",
                group.name,
                f"Upcoming and recent events of {group.name}.",
                section="groups",
                group=group,
                group_state=site.group_states.get(group.slug),
                days=upcoming_days(chosen, today),
                recent=recent[:RECENT_LIMIT],
                feed=feed,
                categories=[(slug, site.categories[slug]) for slug in group.categories if slug in site.categories],
                empty="No upcoming events of this group are listed.",
                embed=embed_snippet(path, group.name, site),
            )
        )
    pages.insert(
        0, page("groups/index.html", "events_groups", "Groups", "Every group whose calendar this site collects.", section="groups", rows=rows)
    )
    return pages


def _category_pages(
    selected: Selection, today: date, site: SiteInfo, feeds: dict[tuple[str, str], FeedSpec], page: _PageMaker
) -> list[PageSpec]:
    pages = []
    counts = []
    for slug, name in sorted(site.categories.items(), key=lambda item: item[1].lower()):
        feed = feeds[("category", slug)]
        chosen = selected[(feed.kind, feed.key)]
        path = category_page(slug)
        counts.append(CountLink(name, path, len(chosen)))
        pages.append(
            page(
                f"{path}index.html",
                "events_listing",
                name,
                f"Upcoming events in {name}.",
                section="categories",
                days=upcoming_days(chosen, today),
                feed=feed,
                empty=f"No upcoming events in {name} are listed yet.",
                embed_path=embed_page(path),
            )
        )
    pages.insert(
        0, page("categories/index.html", "events_categories", "Categories", "Upcoming tech events by topic.", section="categories", categories=counts)
    )
    return pages


# Why a feed's events were left out (ParseResult.left_out and normalize's Skip kinds), as /sources/ says it.
LEFT_OUT_LABELS: dict[str, str] = {
    "outside_window": "with no date between yesterday and the horizon (past, or too far ahead)",
    "no_title": "without a title",
    "no_start": "without a start",
    "budget": "cut by the occurrence budget (at least this many)",
    "broken": "unreadable (broken dates or rules)",
    "superseded": "older copies of an event the feed lists again",
    "outside_states": "outside the site's states",
    "skip_phrase": "matching the group's skip phrases",
    "suppressed_url": "with a suppressed URL",
    "hidden": "hidden by an overlay",
    "duplicate": "marked as duplicates by an overlay",
    "other": "for another reason",
}


def _sources_page(site: SiteInfo, page: _PageMaker) -> PageSpec:
    rows = []
    for group in sorted(site.groups, key=lambda g: g.slug):
        state = site.group_states.get(group.slug)
        rows.append(
            SourceRow(
                group,
                state,
                group_page(group.slug),
                moment_label(state.last_attempt if state else None, site.timezone),
                moment_label(state.last_success if state else None, site.timezone),
            )
        )
    return page(
        "sources/index.html",
        "events_sources",
        "Sources",
        "When each group's calendar was last read, what came of it, and any warnings.",
        section="sources",
        rows=rows,
        # Feeds held as suspect (collect/sync.py): their events are kept, and a person should look.
        suspect=[row for row in rows if row.state is not None and row.state.result == "suspect"],
        left_out_labels=LEFT_OUT_LABELS,
    )


def _feeds_page(feeds: Sequence[FeedSpec], selected: Selection, site: SiteInfo, page: _PageMaker) -> PageSpec:
    group_names = {g.slug: g.name for g in site.groups}
    labels: dict[str, Callable[[str], str]] = {"all": lambda key: "Every event", "state": lambda key: key, "virtual": lambda key: "Online events"}
    labels["category"] = lambda key: site.categories.get(key, key)
    labels["group"] = lambda key: group_names.get(key, key)
    headings = {"all": "Everything", "state": "By state", "virtual": "Online", "category": "By topic", "group": "By group"}
    sections: dict[str, list[FeedRow]] = {}
    for feed in feeds:
        row = FeedRow(
            labels[feed.kind](feed.key), feed, subscribe_links(feed.path, site.url), len(selected[(feed.kind, feed.key)])
        )
        sections.setdefault(headings[feed.kind], []).append(row)
    return page(
        "feeds/index.html",
        "events_feeds",
        "Subscribe to a calendar feed",
        "iCalendar feeds of every event, by state, online, by topic and by group.",
        section="feeds",
        sections=list(sections.items()),
    )
