"""Calendar pages: one per day with events, per ISO week, per month (a grid), and the calendar index.

Week and month pages form an unbroken run from the first listed event (or
today) to the last one (and at least 12 weeks ahead), so every previous /
next link lands on a page that exists, even in a quiet week.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TypeVar

from events.site.event_view import EventView, long_date, short_date
from events.site.records import CountLink, DayListing, PageLink, PageSpec
from events.site.urls import index_file, month_page, week_id, week_monday, week_page

__all__ = ["CELL_EVENTS", "WEEKS_AHEAD", "MonthCell", "month_grid", "month_range", "plan_calendar_pages", "week_label", "week_name", "week_range"]

WEEKS_AHEAD = 12  # weeks after the current one that always get a page
CELL_EVENTS = 4  # events a month-grid cell shows before "N more"


@dataclass(frozen=True)
class MonthCell:
    """One day of a month grid: its events (a few), and how many more the day page lists."""

    day: date
    in_month: bool
    today: bool
    path: str  # the day page, or "" when the day has no events
    events: tuple[tuple[EventView, bool], ...]
    more: int


def plan_calendar_pages(days: Sequence[DayListing], today: date, page: Callable[..., PageSpec]) -> list[PageSpec]:
    first = days[0].day if days else today
    last = days[-1].day if days else today
    pages = _day_pages(days, today, page)
    weeks = week_range(min(first, today), max(last, today + timedelta(weeks=WEEKS_AHEAD)))
    months = month_range(min(first, today), max(last, today))
    pages += _week_pages(days, weeks, today, page)
    pages += _month_pages(days, months, today, page)
    pages.append(_week_index(days, weeks, months, today, page))
    return pages


def week_range(first: date, last: date) -> list[date]:
    """Mondays of every ISO week from the one holding `first` to the one holding `last`."""
    monday, end = week_monday(first), week_monday(last)
    return [monday + timedelta(weeks=n) for n in range((end - monday).days // 7 + 1)]


def month_range(first: date, last: date) -> list[date]:
    """First days of every month from `first`'s to `last`'s."""
    months = []
    current = first.replace(day=1)
    while current <= last:
        months.append(current)
        current = (current + timedelta(days=32)).replace(day=1)
    return months


def week_name(monday: date, today: date) -> str:
    """"Week of March 2", as people say it; the year is added when it is not this year."""
    name = f"Week of {monday:%B} {monday.day}"
    return name if monday.year == today.year else f"{name}, {monday.year}"


def month_grid(first: date, days: Sequence[DayListing], today: date) -> list[list[MonthCell]]:
    """Monday-first weeks covering the month of `first`, each seven cells; days outside it are marked."""
    by_day = {d.day: d for d in days}
    start = week_monday(first)
    stop = (first + timedelta(days=32)).replace(day=1)
    weeks = []
    while start < stop:
        week = []
        for offset in range(7):
            day = start + timedelta(days=offset)
            listing = by_day.get(day) if day.month == first.month else None
            events = listing.events if listing else ()
            week.append(
                MonthCell(day, day.month == first.month, day == today, listing.path if listing else "", events[:CELL_EVENTS], max(0, len(events) - CELL_EVENTS))
            )
        weeks.append(week)
        start += timedelta(days=7)
    return weeks


def week_label(monday: date) -> str:
    """"March 2 – 8, 2026", "March 30 – April 5, 2026", "December 28, 2026 – January 3, 2027"."""
    sunday = monday + timedelta(days=6)
    if monday.year != sunday.year:
        return f"{monday:%B} {monday.day}, {monday.year} – {sunday:%B} {sunday.day}, {sunday.year}"
    if monday.month != sunday.month:
        return f"{monday:%B} {monday.day} – {sunday:%B} {sunday.day}, {sunday.year}"
    return f"{monday:%B} {monday.day} – {sunday.day}, {sunday.year}"


def _events_in(days: Sequence[DayListing], first: date, stop: date) -> int:
    """Distinct events touching [first, stop)."""
    return len({v.event.event_id for d in days if first <= d.day < stop for v, _ in d.events})


T = TypeVar("T")


def _neighbours(items: Sequence[T], index: int) -> tuple[T | None, T | None]:
    """The items before and after `index`, for previous / next links."""
    return (items[index - 1] if index > 0 else None, items[index + 1] if index + 1 < len(items) else None)


def _day_pages(days: Sequence[DayListing], today: date, page: Callable[..., PageSpec]) -> list[PageSpec]:
    pages = []
    for index, listing in enumerate(days):
        before, after = _neighbours(days, index)
        pages.append(
            page(
                f"{listing.path}index.html",
                "events_day",
                f"Events on {long_date(listing.day)}",
                f"Tech events on {long_date(listing.day)}.",
                section="calendar",
                listing=listing,
                week=PageLink(week_name(week_monday(listing.day), today), week_page(listing.day)),
                month=PageLink(f"{listing.day:%B %Y}", month_page(listing.day.year, listing.day.month)),
                previous=PageLink(short_date(before.day), before.path) if before else None,
                next=PageLink(short_date(after.day), after.path) if after else None,
            )
        )
    return pages


def _week_pages(days: Sequence[DayListing], weeks: Sequence[date], today: date, page: Callable[..., PageSpec]) -> list[PageSpec]:
    pages = []
    for index, monday in enumerate(weeks):
        sunday = monday + timedelta(days=6)
        before, after = _neighbours(weeks, index)
        pages.append(
            page(
                index_file(week_page(monday)),
                "events_period",
                f"Week of {week_label(monday)}",
                f"Tech events in the week of {week_label(monday)}.",
                section="calendar",
                period_id=week_id(monday),
                days=[d for d in days if monday <= d.day <= sunday],
                previous=PageLink(week_name(before, today), week_page(before)) if before else None,
                next=PageLink(week_name(after, today), week_page(after)) if after else None,
                empty="No events are listed this week.",
                is_this_week=monday == week_monday(today),
            )
        )
    return pages


def _month_pages(days: Sequence[DayListing], months: Sequence[date], today: date, page: Callable[..., PageSpec]) -> list[PageSpec]:
    pages = []
    for index, first in enumerate(months):
        before, after = _neighbours(months, index)
        in_month = [d for d in days if (d.day.year, d.day.month) == (first.year, first.month)]
        pages.append(
            page(
                index_file(month_page(first.year, first.month)),
                "events_month",
                f"Events in {first:%B %Y}",
                f"Tech events in {first:%B %Y}.",
                section="calendar",
                period_id=f"{first:%Y-%m}",
                days=in_month,
                grid=month_grid(first, in_month, today),
                weekdays=("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
                is_this_month=(first.year, first.month) == (today.year, today.month),
                previous=PageLink(f"{before:%B %Y}", month_page(before.year, before.month)) if before else None,
                next=PageLink(f"{after:%B %Y}", month_page(after.year, after.month)) if after else None,
                empty="No events are listed this month.",
            )
        )
    return pages


def _week_index(
    days: Sequence[DayListing], weeks: Sequence[date], months: Sequence[date], today: date, page: Callable[..., PageSpec]
) -> PageSpec:
    this_monday = week_monday(today)

    def link(monday: date) -> CountLink:
        return CountLink(week_name(monday, today), week_page(monday), _events_in(days, monday, monday + timedelta(days=7)))

    ahead = [link(m) for m in weeks if this_monday <= m <= this_monday + timedelta(weeks=WEEKS_AHEAD)]
    archive = [c for c in (link(m) for m in reversed(weeks) if m < this_monday) if c.count]
    month_links = [
        CountLink(f"{m:%B %Y}", month_page(m.year, m.month), _events_in(days, m, (m + timedelta(days=32)).replace(day=1)))
        for m in months
    ]
    return page(
        "week/index.html",
        "events_weeks",
        "Calendar",
        "Tech events month by month and week by week: this week, the next 12 weeks and the archive.",
        section="calendar",
        ahead=ahead,
        archive=archive,
        months=month_links,
    )
