"""Events added by hand: one YAML file per event in `_single_events/`.

For the one-off event of a group without a calendar, a conference, or a
recurring event given by an RRULE. The files are validated like group files
(same one-line problems) and collected as one more source: they become an
iCalendar document that the iCal adapter expands, so RRULE and EXDATE mean
exactly what they mean in a feed.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
from dateutil import rrule as dateutil_rrule

from events.collect.sources import ical
from events.collect.sources.base import ParseRequest, ParseResult
from events.inputs.yaml_errors import shorten
from events.inputs.yaml_files import (
    SLUG_PATTERN,
    Problem,
    ShownPaths,
    check_categories,
    checked_file,
    describe,
    guarded,
    is_http_url,
    quoted,
    timezone_problem,
    yaml_files,
)
from events.models import Group, Occurrence

__all__ = [
    "SINGLE_EVENTS_GROUP",
    "TOO_FREQUENT",
    "SingleEvent",
    "SingleEventLoad",
    "group_for",
    "load_single_events",
    "parse_single_events",
    "validate_single_event",
]

SINGLE_EVENTS_GROUP = "single-events"
_UID_DOMAIN = "single-events"
_FIELDS: dict[str, str] = {
    "title": "the event's title, a non-empty string",
    "start": "a date and time such as 2026-04-02 18:00, or a date such as 2026-04-02 for an all-day event",
    "end": "a date and time (or a date) after the start",
    "timezone": "an IANA timezone such as America/New_York",
    "url": "an http(s) URL",
    "location": "a place or street address, or an online meeting URL",
    "cost": "a short text such as Free or $10",
    "description": "a text (HTML allowed)",
    "organizer": "who runs the event, a non-empty string",
    "organizer_url": "an http(s) URL",
    "categories": "a list of category slugs from data/categories.yaml",
    "rrule": "an RFC 5545 recurrence rule such as FREQ=MONTHLY;BYDAY=1TH",
    "exdates": "a list of dates (or dates and times) of the rule to skip",
    "active": "true or false",
}
_TEXT_FIELDS = ("location", "cost", "description")
# Recurrence frequencies an event listing refuses (read by the JSON Schema too).
TOO_FREQUENT = ("SECONDLY", "MINUTELY", "HOURLY")
_QUOTE = " (YAML reads yes, no, on and off as true or false: put the title in quotes)"


@dataclass(frozen=True)
class SingleEvent:
    """One validated file of `_single_events/`."""

    slug: str
    title: str
    start: date | datetime
    end: date | datetime | None = None
    timezone: str = ""
    url: str = ""
    location: str = ""
    cost: str = ""
    description: str = ""
    organizer: str = ""
    organizer_url: str = ""
    categories: tuple[str, ...] = ()
    rrule: str = ""
    exdates: tuple[date | datetime, ...] = ()
    active: bool = True
    path: str = ""

    @property
    def uid(self) -> str:
        return f"{self.slug}@{_UID_DOMAIN}"


@dataclass(frozen=True)
class SingleEventLoad:
    events: tuple[SingleEvent, ...]
    problems: tuple[Problem, ...]


def load_single_events(
    folder: Path, categories: Mapping[str, str], only: Sequence[Path] | None = None
) -> SingleEventLoad:
    """Every file of `folder` (or just `only`); a broken file, whatever is wrong with it, is reported and left out."""
    files = [Path(p) for p in only] if only else yaml_files(folder)
    events: list[SingleEvent] = []
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    shown_path = ShownPaths(folder)
    for path in files:
        shown = shown_path(path)
        if path.stem.lower() in seen:
            problems.append(Problem(shown, "slug", f"duplicate slug {quoted(path.stem.lower())}, also used by {seen[path.stem.lower()]}", "one file per event"))
            continue
        seen[path.stem.lower()] = shown
        data, found = checked_file(path, shown, "a single event YAML file", functools.partial(validate_single_event, categories=categories))
        event, failed = (None, None) if found else guarded(shown, functools.partial(_to_event, path, data))
        if event is None:
            problems.extend(found or [failed or Problem(shown, "file", "could not be read", "a single event YAML file")])
            continue
        events.append(event)
    return SingleEventLoad(tuple(events), tuple(problems))


def validate_single_event(shown: str, stem: str, data: Any, categories: Mapping[str, str]) -> list[Problem]:
    """Every problem of one single-event file's parsed YAML."""
    problems: list[Problem] = []

    def bad(field: str, message: str) -> None:
        problems.append(Problem(shown, field, message, _FIELDS.get(field, "")))

    if not SLUG_PATTERN.match(stem):
        expected = "lowercase letters, digits, '-' and '_', like dc-tech-mixer-2026.yaml"
        problems.append(Problem(shown, "slug", f"file name {quoted(stem)} is not a slug", expected))
    if not isinstance(data, dict):
        problems.append(Problem(shown, "file", f"the file holds {describe(data)}, not a mapping of fields", "title, start, end, url, location..."))
        return problems
    for key in sorted(map(str, data)):
        if key not in _FIELDS:
            problems.append(Problem(shown, key, "unknown field", f"one of {', '.join(_FIELDS)}"))
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        bad("title", "missing" if title is None else f"{describe(title)} is not a title{_QUOTE if isinstance(title, bool) else ''}")
    zone = _zone_problem(data.get("timezone"))
    if zone:
        bad("timezone", zone)
    start = _when(data.get("start"))
    if data.get("start") is None:
        bad("start", "missing")
    elif start is None:
        bad("start", f"{describe(data.get('start'))} is not a date and time")
    if "end" in data:
        end = _when(data["end"])
        if end is None:
            bad("end", f"{describe(data['end'])} is not a date and time")
        elif start is not None and _ends_before(start, end):
            bad("end", f"{shorten(str(data['end']))} is before the start {shorten(str(data['start']))}")
    for key in ("url", "organizer_url"):
        if key in data and not is_http_url(data[key]):
            shown_value = quoted(data[key]) if isinstance(data[key], str) else describe(data[key])
            bad(key, f"{shown_value} is not an http(s) URL")
    for key in (*_TEXT_FIELDS, "organizer"):
        if key in data and (isinstance(data[key], bool) or not isinstance(data[key], (str, int, float))):
            bad(key, f"{describe(data[key])} is not a text")
    if "active" in data and not isinstance(data["active"], bool):
        bad("active", f"{describe(data['active'])} is not true or false")
    check_categories(data.get("categories", []), categories, bad)
    if "rrule" in data:
        message = _rule_problem(data["rrule"], start)
        if message:
            bad("rrule", message)
    if "exdates" in data:
        exdates = data["exdates"]
        if "rrule" not in data:
            bad("exdates", "exdates without an rrule skip nothing")
        elif not isinstance(exdates, list) or any(_when(x) is None for x in exdates):
            bad("exdates", f"{describe(exdates)} is not a list of dates")
    return problems


def parse_single_events(
    events: Sequence[SingleEvent], request: ParseRequest
) -> tuple[list[tuple[SingleEvent, Occurrence]], tuple[str, ...]]:
    """Occurrences of the active single events in the window, each with its file's event."""
    active = [e for e in events if e.active]
    if not active:
        return [], ()
    result: ParseResult = ical.parse(_calendar(active, request.timezone), request)
    by_uid = {e.uid: e for e in active}
    found: list[tuple[SingleEvent, Occurrence]] = []
    for occurrence in result.occurrences:
        entry = by_uid.get(occurrence.source_uid)
        if entry is None:
            continue
        found.append((entry, replace(occurrence, cost=entry.cost, categories=entry.categories)))
    return found, result.warnings


def group_for(event: SingleEvent) -> Group:
    """The group an event added by hand is listed under: its organizer, in the single-events group."""
    return Group(
        slug=SINGLE_EVENTS_GROUP,
        name=event.organizer or "Community calendar",
        website=event.organizer_url or event.url,
        categories=event.categories,
        fallback_url=event.url,
        timezone=event.timezone,
        path=event.path,
    )


def _calendar(events: Sequence[SingleEvent], site_tz: ZoneInfo) -> bytes:
    calendar = icalendar.Calendar()
    calendar.add("PRODID", "-//events//single events//EN")
    calendar.add("VERSION", "2.0")
    for entry in events:
        tz = ZoneInfo(entry.timezone) if entry.timezone else site_tz
        component = icalendar.Event()
        component.add("UID", entry.uid)
        component.add("DTSTAMP", datetime(2000, 1, 1, tzinfo=UTC))
        component.add("SUMMARY", entry.title)
        start = _in_zone(entry.start, tz)
        component.add("DTSTART", start)
        if entry.end is not None:
            component.add("DTEND", _in_zone(entry.end, tz))
        elif isinstance(start, datetime):
            component.add("DTEND", start + timedelta(hours=1))
        for key, value in (("LOCATION", entry.location), ("DESCRIPTION", entry.description), ("URL", entry.url)):
            if value:
                component.add(key, value)
        if entry.rrule:
            component.add("RRULE", icalendar.vRecur.from_ical(entry.rrule))
        for skipped in entry.exdates:
            component.add("EXDATE", _in_zone(skipped, tz))
        calendar.add_component(component)
    content: bytes = calendar.to_ical()
    return content


def _in_zone(value: date | datetime, tz: ZoneInfo) -> date | datetime:
    if not isinstance(value, datetime):
        return value
    if value.tzinfo is None:
        return value.replace(tzinfo=tz)
    return value.astimezone(tz)


def _to_event(path: Path, data: dict[str, Any]) -> SingleEvent:
    start = _when(data["start"])
    assert start is not None
    return SingleEvent(
        slug=path.stem.lower(),
        title=" ".join(data["title"].split()),
        start=start,
        end=_when(data["end"]) if "end" in data else None,
        timezone=str(data.get("timezone", "") or ""),
        url=str(data.get("url", "") or "").strip(),
        location=str(data.get("location", "") or "").strip(),
        cost=str(data.get("cost", "") or "").strip(),
        description=str(data.get("description", "") or ""),
        organizer=str(data.get("organizer", "") or "").strip(),
        organizer_url=str(data.get("organizer_url", "") or "").strip(),
        categories=tuple(data.get("categories", [])),
        rrule=str(data.get("rrule", "") or "").strip(),
        exdates=tuple(x for x in (_when(v) for v in data.get("exdates", []) or []) if x is not None),
        active=data.get("active", True),
        path=str(path),
    )


def _when(value: Any) -> date | datetime | None:
    """A YAML date, date and time, or ISO 8601 text; None when it is none of these."""
    if isinstance(value, (date, datetime)):
        return value
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return date.fromisoformat(text)
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _ends_before(start: date | datetime, end: date | datetime) -> bool:
    if isinstance(start, datetime) != isinstance(end, datetime):
        return False
    if isinstance(start, datetime) and isinstance(end, datetime) and (start.tzinfo is None) != (end.tzinfo is None):
        return False
    return bool(end < start)


def _zone_problem(value: Any) -> str:
    return "" if value is None else timezone_problem(value)


def _rule_problem(value: Any, start: date | datetime | None) -> str:
    if not isinstance(value, str) or not value.strip():
        return f"{describe(value)} is not a recurrence rule"
    text = value.strip().removeprefix("RRULE:")
    try:
        recur = icalendar.vRecur.from_ical(text)
        dateutil_rrule.rrulestr(text, dtstart=start if isinstance(start, datetime) else None)
    except (ValueError, TypeError) as error:
        return f"{quoted(text)} is not a valid rule ({shorten(str(error))})"
    freq = str((recur.get("FREQ") or [""])[0]).upper()
    if freq in TOO_FREQUENT:
        return f"{freq} repeats more often than daily; an event listing needs DAILY or slower"
    return ""
