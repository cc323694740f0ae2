"""What templates and JSON show of an event, in the site's timezone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from .models import StoredEvent

__all__ = ["EventView", "event_view", "event_path", "day_path", "days_spanned"]


@dataclass(frozen=True)
class EventView:
    stored: StoredEvent
    start: datetime
    end: datetime
    url: str
    status: str

    @property
    def event(self):  # noqa: ANN201 - the Event, for templates
        return self.stored.event

    @property
    def time_label(self) -> str:
        """"6:30 PM – 8:30 PM EST", or "All day"."""
        if self.stored.event.all_day:
            return "All day"
        start = _clock(self.start)
        end = _clock(self.end) if self.end.date() == self.start.date() else self.end.strftime("%a %b %-d, ") + _clock(self.end)
        return f"{start} – {end} {self.start.strftime('%Z')}"


def event_view(stored: StoredEvent, tz: ZoneInfo) -> EventView:
    event = stored.event
    if event.all_day:
        start = event.start.replace(tzinfo=tz)
        end = event.end.replace(tzinfo=tz)
    else:
        start, end = event.start.astimezone(tz), event.end.astimezone(tz)
    return EventView(stored, start, end, event_path(stored.event_id), stored.status)


def event_path(event_id: str) -> str:
    return f"events/{event_id}/"


def day_path(day: date) -> str:
    return f"{day:%Y/%m/%d}/"


def days_spanned(view: EventView) -> list[date]:
    """Each local day the event touches; an end at midnight does not touch the next day."""
    first = view.start.date()
    last_moment = view.end - timedelta(microseconds=1) if view.end > view.start else view.start
    last = max(first, last_moment.date())
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _clock(moment: datetime) -> str:
    return moment.strftime("%-I:%M %p")
