"""The iCalendar feeds we publish (RFC 5545, with the RFC 7986 calendar properties).

Content lines are written here rather than through icalendar's object model:
each VEVENT is rendered once per build and the same bytes are spliced into
every feed that lists the event (the whole calendar, its state, group,
categories...), which keeps generation linear in the number of events.
icalendar still writes the VTIMEZONE components, and both icalendar and
Mozilla's ical.js parse every feed in the tests.

UIDs are `<event id>@<domain>`. SEQUENCE, DTSTAMP and LAST-MODIFIED come
from the stored event, never the build time, so an unchanged event gives
unchanged bytes and a changed one replaces the subscriber's copy.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from urllib.parse import quote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import icalendar

from events.models import StoredEvent

__all__ = ["CalendarMeta", "IcsWriter", "calendar_bytes", "escape_text", "fold_line"]

PRODID = "-//dctech-events//events plugin//EN"
# Subscribed calendars poll on their own schedule; ask for twice a day, as the site is rebuilt nightly.
REFRESH = "PT12H"
CRLF = "\r\n"

# RFC 5545 section 3.1: any control character but HTAB is forbidden in a value.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_NEWLINE = re.compile(r"\r\n|\r|\n")
_URI_SAFE = ":/?#[]@!$&'()*+,;=%~-._"
_NEEDS_ESCAPE = re.compile(r"[\x00-\x1f\x7f\\;,]")
_SAFE_URI = re.compile(r"^https?://[^\s\x00-\x1f\x7f\"<>\\^`{|}]+$")


def escape_text(value: str) -> str:
    """A TEXT value (RFC 5545 section 3.3.11): backslash, `;`, `,` and newlines escaped."""
    if not _NEEDS_ESCAPE.search(value):
        return value
    value = _CONTROL.sub("", value)
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return _NEWLINE.sub("\\\\n", value)


def fold_line(line: str) -> str:
    """Fold a content line at 75 octets (section 3.1) without splitting a UTF-8 character."""
    if len(line) <= 75 and line.isascii():  # most lines: no encoding needed to know they fit
        return line + CRLF
    size = len(line.encode("utf-8"))
    if size <= 75:
        return line + CRLF
    if size == len(line):  # ASCII: octets are characters, so slice directly
        parts = [line[:75], *(line[i : i + 74] for i in range(75, size, 74))]
        return (CRLF + " ").join(parts) + CRLF
    parts = []
    current: list[str] = []
    used = 0
    limit = 75
    for char in line:
        width = len(char.encode("utf-8"))
        if used + width > limit:
            parts.append("".join(current))
            current, used, limit = [], 0, 74  # continuation lines start with one space
        current.append(char)
        used += width
    parts.append("".join(current))
    return (CRLF + " ").join(parts) + CRLF


def _utc_stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _zone(name: str) -> ZoneInfo | None:
    """The event's IANA zone, or None when its times are best written in UTC."""
    if not name or name.upper() in ("UTC", "ETC/UTC", "Z", "GMT"):
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _one_line(value: str) -> str:
    """A calendar name: one line, no control characters, written as is.

    ical.js and icalendar both read NAME and X-WR-* values raw (no TEXT
    unescaping), so escaping a comma would show a backslash; with every
    line break gone the value cannot start another property anyway.
    """
    return " ".join(_CONTROL.sub("", value).split())


def _uri(value: str) -> str:
    """A URI fit for a property value, or '' (a stray newline must not start a property)."""
    value = value.strip()
    if not _SAFE_URI.match(value):
        return ""
    # A URI value is ASCII (RFC 3986); percent-encode what an IRI adds, keep everything else as given.
    return value if value.isascii() else quote(value, safe=_URI_SAFE)


@dataclass(frozen=True)
class CalendarMeta:
    """The calendar-level properties of one feed."""

    name: str
    description: str = ""
    timezone: str = ""  # the site's zone, for clients that read X-WR-TIMEZONE
    url: str = ""  # the feed's own absolute URL, when the site has one
    site_url: str = ""


@dataclass
class IcsWriter:
    """Writes the feeds of one build; remembers each rendered VEVENT so feeds share the bytes.

    One instance per build: the cache is per-run state, never module state.
    """

    uid_domain: str
    site_url: str = ""
    categories: Mapping[str, str] = field(default_factory=dict)
    _vevents: dict[tuple[str, datetime], _Rendered] = field(default_factory=dict, repr=False)
    _vtimezones: dict[tuple[str, int, int], str] = field(default_factory=dict, repr=False)

    def calendar(self, events: Sequence[StoredEvent], meta: CalendarMeta) -> bytes:
        """A whole feed; events are written in the order given (the build passes them sorted by start)."""
        lines = [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            f"PRODID:{PRODID}",
            "CALSCALE:GREGORIAN",
            "METHOD:PUBLISH",
            f"NAME:{_one_line(meta.name)}",
            f"X-WR-CALNAME:{_one_line(meta.name)}",
        ]
        if meta.description:
            lines += [f"DESCRIPTION:{escape_text(meta.description)}", f"X-WR-CALDESC:{_one_line(meta.description)}"]
        if meta.timezone:
            lines.append(f"X-WR-TIMEZONE:{meta.timezone}")
        if _uri(meta.site_url):
            lines.append(f"URL:{_uri(meta.site_url)}")
        if _uri(meta.url):
            lines.append(f"SOURCE;VALUE=URI:{_uri(meta.url)}")
        lines += [f"REFRESH-INTERVAL;VALUE=DURATION:{REFRESH}", f"X-PUBLISHED-TTL:{REFRESH}"]
        head = "".join(fold_line(line) for line in lines)
        rendered = [self._render(stored) for stored in events]
        zones = "".join(self._vtimezone(name, years) for name, years in sorted(_zones_used(rendered).items()))
        body = "".join(r.text for r in rendered)
        return (head + zones + body + "END:VCALENDAR" + CRLF).encode("utf-8")

    def vevent(self, stored: StoredEvent) -> str:
        return self._render(stored).text

    def _render(self, stored: StoredEvent) -> _Rendered:
        key = (stored.event_id, stored.event.start)  # the store's own key: unique in a build
        cached = self._vevents.get(key)
        if cached is None:
            event = stored.event
            tzid = "" if event.all_day or _zone(event.timezone) is None else event.timezone
            text = _render_vevent(stored, self.uid_domain, self.site_url, self.categories)
            cached = self._vevents[key] = _Rendered(text, tzid, event.start.year, event.end.year)
        return cached

    def _vtimezone(self, name: str, years: tuple[int, int]) -> str:
        key = (name, years[0], years[1])
        if key not in self._vtimezones:
            component = icalendar.Timezone.from_tzid(
                name, first_date=date(years[0], 1, 1), last_date=date(years[1] + 1, 1, 1)
            )
            self._vtimezones[key] = component.to_ical().decode("utf-8")
        return self._vtimezones[key]


@dataclass(frozen=True)
class _Rendered:
    """One VEVENT's text and the TZID ('' for none) and years its VTIMEZONE must cover."""

    text: str
    tzid: str
    first_year: int
    last_year: int


def _zones_used(events: Iterable[_Rendered]) -> dict[str, tuple[int, int]]:
    """Each TZID the events use, with the span of years a VTIMEZONE must cover."""
    spans: dict[str, tuple[int, int]] = {}
    for rendered in events:
        if not rendered.tzid:
            continue
        first, last = spans.get(rendered.tzid, (rendered.first_year, rendered.last_year))
        spans[rendered.tzid] = (min(first, rendered.first_year), max(last, rendered.last_year))
    return spans


def _render_vevent(stored: StoredEvent, uid_domain: str, site_url: str, category_names: Mapping[str, str]) -> str:
    event = stored.event
    changed = _utc_stamp(stored.updated_at)
    status = {"cancelled": "CANCELLED", "tentative": "TENTATIVE"}.get(stored.status, "CONFIRMED")
    # Fixed-width lines are always shorter than 75 octets and skip folding (it is per line, and lines add up).
    fixed = (
        # DTSTAMP and LAST-MODIFIED follow the stored change, so rebuilding never rewrites an unchanged event.
        f"DTSTAMP:{changed}{CRLF}CREATED:{_utc_stamp(stored.created_at)}{CRLF}LAST-MODIFIED:{changed}{CRLF}"
        f"SEQUENCE:{stored.sequence}{CRLF}STATUS:{status}{CRLF}"
        # Subscribing to a region's events must not mark the subscriber busy for each of them.
        f"TRANSP:TRANSPARENT{CRLF}"
    )
    uid = fold_line(f"UID:{escape_text(event.event_id)}@{uid_domain}")
    lines = [f"SUMMARY:{escape_text(event.title)}"]
    lines += _times(stored)
    if event.location:
        lines.append(f"LOCATION:{escape_text(event.location)}")
    elif event.location_type == "virtual":
        lines.append("LOCATION:Online")
    if _uri(event.url):
        lines.append(f"URL:{_uri(event.url)}")
    page = f"{site_url.rstrip('/')}/events/{event.event_id}/" if _uri(site_url) else ""
    description = "\n\n".join(p for p in (event.summary, _uri(event.url), f"Listed by {event.group_name}", page) if p)
    lines.append(f"DESCRIPTION:{escape_text(description)}")
    if event.categories:
        names = ",".join(escape_text(category_names.get(c, c)) for c in event.categories)
        lines.append(f"CATEGORIES:{names}")
    return "BEGIN:VEVENT" + CRLF + uid + fixed + "".join(map(fold_line, lines)) + "END:VEVENT" + CRLF


def _times(stored: StoredEvent) -> list[str]:
    event = stored.event
    if event.all_day:
        # All-day events are dates (VALUE=DATE) so every client shows them on the same day, whatever its zone.
        first = event.start.date()
        after = max(event.end.date(), first + timedelta(days=1))
        return [f"DTSTART;VALUE=DATE:{first:%Y%m%d}", f"DTEND;VALUE=DATE:{after:%Y%m%d}"]
    zone = _zone(event.timezone)
    if zone is None:
        start, end = _utc_stamp(event.start), _utc_stamp(event.end)
        lines = [f"DTSTART:{start}"]
        if event.end > event.start:
            lines.append(f"DTEND:{end}")
        return lines
    local = "%Y%m%dT%H%M%S"
    lines = [f"DTSTART;TZID={event.timezone}:{event.start.astimezone(zone).strftime(local)}"]
    if event.end > event.start:  # DTEND must be later than DTSTART (section 3.6.1); else the event is an instant
        lines.append(f"DTEND;TZID={event.timezone}:{event.end.astimezone(zone).strftime(local)}")
    return lines


def calendar_bytes(events: Sequence[StoredEvent], uid_domain: str, name: str) -> bytes:
    """One feed on its own (tests and one-off uses); builds share an IcsWriter instead."""
    ordered = sorted(events, key=lambda s: (s.event.start, s.event_id))
    return IcsWriter(uid_domain).calendar(ordered, CalendarMeta(name))
