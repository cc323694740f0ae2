"""What templates and JSON show of an event, in the site's timezone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

from events.models import Event, StoredEvent
from events.site.boilerplate import clean_description, clean_summary
from events.site.shorten import DESCRIPTION_LIMIT, TITLE_LIMIT, html_text_length, shorten_html, shorten_text, tidy_html
from events.site.urls import event_page

__all__ = [
    "EventView",
    "days_spanned",
    "event_view",
    "long_date",
    "moment_label",
    "short_date",
    "zone_name",
]

# What people call the zones of US sites; any other zone is shown by its IANA name.
_ZONE_NAMES = {
    "America/New_York": "Eastern Time",
    "America/Chicago": "Central Time",
    "America/Denver": "Mountain Time",
    "America/Phoenix": "Mountain Time (Arizona)",
    "America/Los_Angeles": "Pacific Time",
    "America/Anchorage": "Alaska Time",
    "Pacific/Honolulu": "Hawaii Time",
}


@dataclass(frozen=True)
class EventView:
    stored: StoredEvent
    start: datetime
    end: datetime
    url: str
    status: str

    @property
    def event(self) -> Event:
        return self.stored.event

    @property
    def time_label(self) -> str:
        """"6:30 – 8:30 PM EST", "11:30 AM – 1:00 PM EST", or "All day"; for listings under a day heading."""
        if self.stored.event.all_day:
            return "All day"
        if self.end.date() != self.start.date():
            return f"{_clock(self.start)} {_zone(self.start)} – {short_date(self.end.date())}, {_clock(self.end)} {_zone(self.end)}"
        start = _clock(self.start)
        if self.start.strftime("%p") == self.end.strftime("%p"):
            start = start.rsplit(" ", 1)[0]
        end_zone = _zone(self.end)
        return f"{start} – {_clock(self.end)} {end_zone}"

    @property
    def when_label(self) -> str:
        """The full date and time, as the event page shows it."""
        event = self.stored.event
        if event.all_day:
            last = self.end.date() - timedelta(days=1) if self.end.date() > self.start.date() else self.start.date()
            if last == self.start.date():
                return f"{long_date(self.start.date())}, all day"
            return f"{long_date(self.start.date())} to {long_date(last)}, all day"
        if self.end.date() != self.start.date():
            return (
                f"{long_date(self.start.date())}, {_clock(self.start)} {_zone(self.start)} to "
                f"{long_date(self.end.date())}, {_clock(self.end)} {_zone(self.end)}"
            )
        return f"{long_date(self.start.date())}, {self.time_label}"

    @property
    def is_online(self) -> bool:
        return self.stored.event.location_type == "virtual"

    @property
    def display_title(self) -> str:
        return shorten_text(self.stored.event.title, TITLE_LIMIT)

    @property
    def title_shortened(self) -> bool:
        return len(self.stored.event.title) > TITLE_LIMIT

    @cached_property
    def display_description(self) -> str:
        """The sanitized description, shortened to DESCRIPTION_LIMIT characters of text."""
        description = self.cleaned_description
        return shorten_html(tidy_html(description), DESCRIPTION_LIMIT) if description else ""

    @cached_property
    def cleaned_description(self) -> str:
        """The description without the source's boilerplate (see `boilerplate`)."""
        return clean_description(self.stored.event.description, self.stored.event)

    @cached_property
    def summary(self) -> str:
        """One line of the cleaned description: for meta descriptions and calendar links."""
        return clean_summary(self.stored.event)

    @property
    def description_shortened(self) -> bool:
        description = self.cleaned_description
        return bool(description) and html_text_length(description) > DESCRIPTION_LIMIT

    @property
    def last_day(self) -> date:
        """The last local day the event touches."""
        return days_spanned(self)[-1]

    @property
    def months(self) -> tuple[str, ...]:
        """"March 2026" for each month the event touches: the search page's month facet."""
        return tuple(dict.fromkeys(f"{day:%B %Y}" for day in days_spanned(self)))

    @property
    def is_cancelled(self) -> bool:
        return self.status == "cancelled"


def event_view(stored: StoredEvent, tz: ZoneInfo) -> EventView:
    event = stored.event
    if event.all_day:
        start = event.start.replace(tzinfo=tz)
        end = event.end.replace(tzinfo=tz)
    else:
        start, end = event.start.astimezone(tz), event.end.astimezone(tz)
    return EventView(stored, start, end, event_page(stored.event_id), stored.status)














def days_spanned(view: EventView) -> list[date]:
    """Each local day the event touches; an end at midnight does not touch the next day."""
    first = view.start.date()
    last_moment = view.end - timedelta(microseconds=1) if view.end > view.start else view.start
    last = max(first, last_moment.date())
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def long_date(day: date) -> str:
    """"Monday, March 2, 2026"."""
    return f"{day:%A, %B} {day.day}, {day.year}"


def short_date(day: date) -> str:
    """"Mon, Mar 2"."""
    return f"{day:%a, %b} {day.day}"


def moment_label(moment: datetime | None, tz: ZoneInfo) -> str:
    """"Mon, Mar 2, 2026, 9:00 AM EST" in `tz`; "never" for None."""
    if moment is None:
        return "never"
    local = moment.astimezone(tz)
    return f"{short_date(local.date())}, {local.year}, {_clock(local)} {_zone(local)}"


def zone_name(tz: ZoneInfo) -> str:
    """"Eastern Time" for America/New_York: the words people use, not the database key."""
    return _ZONE_NAMES.get(tz.key, tz.key)


def _clock(moment: datetime) -> str:
    return f"{moment.hour % 12 or 12}:{moment:%M %p}"


def _zone(moment: datetime) -> str:
    return moment.strftime("%Z")
