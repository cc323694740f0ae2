"""A feed's text to icalendar components, one component at a time, leniently.

icalendar parses a whole document at once and, outside VEVENT, stops at the
first malformed value (RFC 5545 section 3.3), so one bad DTSTAMP in a VTODO
or an inverted period in a VFREEBUSY would cost every event of the feed.
Here the content lines (icalendar's own unfolding, section 3.1) are cut into
top-level components, and each VTIMEZONE and VEVENT is parsed on its own by
icalendar's parser, with icalendar's error-tolerant mode on for every
component class: a value that does not parse becomes a `vBroken` property
and is listed in the component's `.errors`, the way icalendar already
treats VEVENT. Components other than VEVENT and VTIMEZONE are never parsed.

A single VEVENT that is plainly outside the window (no recurrence, dates
before or after it, a UID it shares with no other copy) is counted without
being parsed: most of a long-lived feed is its past.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import icalendar
from icalendar.cal.component_factory import ComponentFactory
from icalendar.parser import Contentline, Contentlines
from icalendar.parser.ical.component import ComponentIcalParser

__all__ = ["FeedComponents", "read_feed"]


# icalendar's classes with its error-tolerant mode on (VEVENT has it already).
class _Calendar(icalendar.Calendar):
    ignore_exceptions = True


class _Event(icalendar.Event):
    ignore_exceptions = True


class _Timezone(icalendar.Timezone):
    ignore_exceptions = True


class _TimezoneStandard(icalendar.TimezoneStandard):
    ignore_exceptions = True


class _TimezoneDaylight(icalendar.TimezoneDaylight):
    ignore_exceptions = True


class _Alarm(icalendar.Alarm):
    ignore_exceptions = True


_LENIENT: tuple[type[icalendar.Component], ...] = (
    _Calendar,
    _Event,
    _Timezone,
    _TimezoneStandard,
    _TimezoneDaylight,
    _Alarm,
)
_RECURRENCE = frozenset({"RRULE", "RDATE", "RECURRENCE-ID", "EXRULE"})
_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")
# Wider than any UTC offset and any difference between the zone of the
# window and the zone of an event.
_MARGIN = timedelta(days=2)


@dataclass
class CalendarPart:
    """One VCALENDAR: its own properties, its time zones, its parsed VEVENTs."""

    calendar: icalendar.Calendar
    events: list[icalendar.Component] = field(default_factory=list)


@dataclass
class FeedComponents:
    """What `read_feed` found: calendars with their events, and what it could not use.

    `broken` lists (uid or "", reason) of VEVENTs that could not be parsed at
    all; `outside` counts VEVENTs left unparsed because they lie outside the
    window; `notes` are feed-level remarks for the group's warnings.
    """

    calendars: list[CalendarPart] = field(default_factory=list)
    broken: list[tuple[str, str]] = field(default_factory=list)
    outside: int = 0
    notes: list[str] = field(default_factory=list)


@dataclass
class _Block:
    name: str
    lines: list[Contentline]


@dataclass
class _RawCalendar:
    properties: list[Contentline] = field(default_factory=list)
    blocks: list[_Block] = field(default_factory=list)


def read_feed(text: str, window_start: datetime, window_end: datetime) -> FeedComponents:
    """Every VEVENT of `text` that may touch the window, parsed on its own.

    Raises ValueError when the text holds no VCALENDAR and no VEVENT.
    """
    raw_calendars, notes = _split(Contentlines.from_ical(text))  # type: ignore[no-untyped-call]
    if not raw_calendars:
        raise ValueError("no VCALENDAR in the body")
    factory = _factory()
    found = FeedComponents(notes=notes)
    uid_counts: dict[str, int] = {}
    for raw in raw_calendars:
        for block in raw.blocks:
            if block.name == "VEVENT":
                uid = _raw_value(block.lines, "UID")
                uid_counts[uid] = uid_counts.get(uid, 0) + 1
    first, last = (window_start - _MARGIN).date(), (window_end + _MARGIN).date()
    for raw in raw_calendars:
        calendar = _parse_block(raw.properties, "VCALENDAR", factory)
        part = CalendarPart(calendar if isinstance(calendar, icalendar.Calendar) else _Calendar())
        # Time zones first, so that events may name one defined further down.
        for block in raw.blocks:
            if block.name == "VTIMEZONE":
                try:
                    part.calendar.add_component(_parse_block(block.lines, block.name, factory))
                except Exception as error:  # an unusable zone: events naming it fail alone
                    found.notes.append(f"a VTIMEZONE was not readable: {_short(error)}")
        for block in raw.blocks:
            if block.name != "VEVENT":
                continue
            uid = _raw_value(block.lines, "UID")
            if uid_counts.get(uid, 0) == 1 and _plainly_outside(block.lines, first, last):
                found.outside += 1
                continue
            try:
                event = _parse_block(block.lines, block.name, factory)
            except Exception as error:  # a VEVENT too broken to parse is skipped alone
                found.broken.append((uid, _short(error)))
                continue
            part.events.append(event)
        found.calendars.append(part)
    return found


def _factory() -> ComponentFactory:
    factory = ComponentFactory()
    for lenient in _LENIENT:
        factory.add_component_class(lenient)
    return factory


def _split(lines: list[Contentline]) -> tuple[list[_RawCalendar], list[str]]:
    """Top-level components of each VCALENDAR; VEVENTs outside any VCALENDAR get one of their own."""
    calendars: list[_RawCalendar] = []
    notes: list[str] = []
    current: _RawCalendar | None = None
    loose: _RawCalendar | None = None
    block: _Block | None = None
    depth = 0  # nesting inside `block`
    for line in lines:
        if not line:
            continue
        head = line[:6].upper()
        if head == "BEGIN:":
            name = line[6:].strip().upper()
            if block is not None:
                depth += 1
                block.lines.append(line)
            elif name == "VCALENDAR":
                current = _RawCalendar()
                calendars.append(current)
            else:
                if current is None:
                    if loose is None:
                        loose = _RawCalendar()
                        calendars.append(loose)
                        notes.append("the feed has events without a VCALENDAR around them; read anyway")
                    current = loose
                block, depth = _Block(name, [line]), 0
            continue
        if line[:4].upper() == "END:":
            name = line[4:].strip().upper()
            if block is not None:
                block.lines.append(line)
                if depth == 0:
                    if current is not None:
                        current.blocks.append(block)
                    block = None
                else:
                    depth -= 1
            elif name == "VCALENDAR":
                current = None
            continue
        if block is not None:
            block.lines.append(line)
        elif current is not None:
            current.properties.append(line)
    if block is not None and current is not None:
        current.blocks.append(block)  # unterminated: its parse fails, alone, with a reason
    return calendars, notes


def _parse_block(lines: list[Contentline], name: str, factory: ComponentFactory) -> icalendar.Component:
    if name == "VCALENDAR":
        lines = [Contentline("BEGIN:VCALENDAR"), *lines, Contentline("END:VCALENDAR")]  # type: ignore[no-untyped-call]
    parser = ComponentIcalParser(list(lines), factory, icalendar.Calendar.types_factory)
    components = parser.parse()
    if len(components) != 1:
        raise ValueError(f"expected one {name}, found {len(components)} components")
    component: icalendar.Component = components[0]
    return component


def _raw_value(lines: list[Contentline], name: str) -> str:
    """The text after the colon of the first `name` line, as written."""
    size = len(name)
    for line in lines:
        if line[:size].upper() == name and line[size : size + 1] in (":", ";"):
            return line.split(":", 1)[1].strip() if ":" in line else ""
    return ""


def _plainly_outside(lines: list[Contentline], first: date, last: date) -> bool:
    """True when a VEVENT has no recurrence and its dates lie wholly before `first` or after `last`."""
    for line in lines:
        name = re.split(r"[;:]", line, maxsplit=1)[0].upper()
        if name in _RECURRENCE:
            return False
    start = _raw_date(_raw_value(lines, "DTSTART"))
    if start is None:
        return False
    if start > last:
        return True
    end_text = _raw_value(lines, "DTEND") or _raw_value(lines, "DUE")
    if end_text:
        end = _raw_date(end_text)
    elif _raw_value(lines, "DURATION"):
        try:
            length = icalendar.vDuration.from_ical(_raw_value(lines, "DURATION"))  # type: ignore[no-untyped-call]
        except Exception:  # the full parse will say what is wrong
            return False
        end = start + timedelta(days=abs(length.days) + 1)
    else:
        end = start + timedelta(days=1)  # RFC 5545 section 3.6.1: a day, or an instant
    return end is not None and end < first


def _raw_date(text: str) -> date | None:
    match = _DATE.match(text)
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def _short(error: BaseException) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return f"{type(error).__name__}: {text[:200]}"

