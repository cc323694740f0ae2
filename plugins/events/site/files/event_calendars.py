"""One small iCalendar file per event (the event page's "Download .ics").

`ics.calendar_bytes([event], ...)` per event costs ~16 ms, most of it
building and serializing the same VTIMEZONE again each time: 40 s for 2,500
events. So we serialize all events once with `calendar_bytes` (same escaping,
folding and properties as every feed) and cut that text into per-event files.

Cutting is safe on RFC 5545 text (section 3.1): folded continuation lines
start with a space and newlines inside values are escaped, so a line reading
exactly `BEGIN:VEVENT` can only start a component.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence

from events.models import StoredEvent
from events.site.files.icalendar_writer import CalendarMeta, IcsWriter, calendar_bytes

__all__ = ["event_calendars", "split_components"]

_CRLF = b"\r\n"
_END = b"END:VCALENDAR\r\n"
_TZID_PARAM = re.compile(rb";TZID=(\"[^\"]*\"|[^:;]*)[:;]")


def event_calendars(events: Sequence[StoredEvent], uid_domain: str) -> Mapping[str, bytes]:
    """event id -> a VCALENDAR with that one VEVENT, the VTIMEZONEs it uses, and its title as name.

    Each file is made when it is looked up, so a build writing them one by
    one never holds them all.
    """
    return _EventCalendars(events, uid_domain)


class _EventCalendars(Mapping[str, bytes]):
    def __init__(self, events: Sequence[StoredEvent], uid_domain: str) -> None:
        self._uid_domain = uid_domain
        # What calendar_bytes does, keeping the writer: each VEVENT is then taken
        # from its cache instead of being found again by UID in the whole text.
        ordered = sorted(events, key=lambda s: (s.event.start, s.event_id))
        self._writer = IcsWriter(uid_domain)
        whole = self._writer.calendar(ordered, CalendarMeta("all")) if events else b""
        # The VTIMEZONEs come before the first VEVENT; only that part needs cutting.
        first_event = whole.find(_CRLF + b"BEGIN:VEVENT" + _CRLF)
        head = whole[: first_event + len(_CRLF)] + _END if first_event >= 0 else whole
        self._zones = {_property(block, b"TZID"): block for kind, block in split_components(head) if kind == b"VTIMEZONE"}
        # By event id, the last in calendar order winning, as a lookup by UID in the whole text did.
        self._by_id = {stored.event_id: stored for stored in ordered}

    def __getitem__(self, event_id: str) -> bytes:
        stored = self._by_id[event_id]
        vevent = self._writer.vevent(stored).encode("utf-8")
        used = sorted({m.group(1).strip(b'"') for m in _TZID_PARAM.finditer(_unfold(vevent))})
        # One line of name: calendar_bytes passes X-WR-CALNAME through unescaped, and a newline there raises.
        header = calendar_bytes([], self._uid_domain, " ".join(stored.event.title.split()))
        assert header.endswith(_END)
        return header[: -len(_END)] + b"".join(self._zones[z] for z in used if z in self._zones) + vevent + _END

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_id)

    def __len__(self) -> int:
        return len(self._by_id)


def split_components(calendar: bytes) -> list[tuple[bytes, bytes]]:
    """The VCALENDAR's direct subcomponents as (name, bytes with CRLFs), in order."""
    components = []
    depth = 0
    start = 0
    kind = b""
    position = 0
    for line in calendar.split(_CRLF)[:-1]:
        length = len(line) + len(_CRLF)
        if line.startswith(b"BEGIN:"):
            depth += 1
            if depth == 2:
                start, kind = position, line[len(b"BEGIN:") :]
        elif line.startswith(b"END:"):
            if depth == 2:
                components.append((kind, calendar[start : position + length]))
            depth -= 1
        position += length
    return components


def _unfold(block: bytes) -> bytes:
    return block.replace(b"\r\n ", b"").replace(b"\r\n\t", b"")


def _property(block: bytes, name: bytes) -> bytes:
    """The first value of property `name` in the component's own lines (unfolded)."""
    for line in _unfold(block).split(_CRLF):
        if line.startswith(name + b":"):
            return line[len(name) + 1 :]
    return b""
