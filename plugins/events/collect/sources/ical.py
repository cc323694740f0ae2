"""iCalendar (RFC 5545) feeds: the main source.

Reads bytes in any common encoding (`decoding`), parses each component on
its own so that one malformed value costs only its event (`ical_read`),
turns Google's X-WR-TIMEZONE form into standard RFC 5545 (x-wr-timezone),
keeps the latest copy of each event (section 3.8.7.4, SEQUENCE), and
expands RRULE/RDATE/EXDATE and RECURRENCE-ID overrides over the window
(`expansion`, recurring-ical-events) under budgets that depend on the feed
alone. Whatever is left out is counted by reason in `ParseResult.left_out`.
"""

from __future__ import annotations

import time
import warnings as warnings_module
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime, tzinfo
from datetime import time as dtime
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import x_wr_timezone

from events.collect.sources.base import ParseRequest, ParseResult, SourceError
from events.collect.sources.decoding import decode_feed
from events.collect.sources.expansion import SeriesInput, expand_feed
from events.collect.sources.ical_read import CalendarPart, read_feed
from events.collect.sources.rules import aware, dt
from events.models import Occurrence

__all__ = ["decode_calendar_bytes", "parse"]

_STATUS: Mapping[str, str] = MappingProxyType({"CANCELLED": "cancelled", "CANCELED": "cancelled", "TENTATIVE": "tentative"})
_EARLIEST = datetime.min.replace(tzinfo=UTC)
# Unreadable events named one by one in the warnings; past that, one line counts the rest.
_NAMED = 10


def decode_calendar_bytes(content: bytes) -> str:
    """Text of a feed whatever its encoding; a clear SourceError when it is not a calendar."""
    return _calendar_text(content)[0]


def parse(content: bytes, request: ParseRequest, *, clock: Callable[[], float] = time.monotonic) -> ParseResult:
    """Occurrences of every event of the feed that overlap the request's window.

    `clock` measures the last-resort time limit (`request.expand_seconds`);
    every other budget depends on the feed and the request alone.
    """
    with warnings_module.catch_warnings():
        # icalendar warns (Python warnings) about guessed vendor TZIDs; the
        # guess is right for every feed seen, and the warning would be noise.
        warnings_module.simplefilter("ignore")
        return _parse(content, request, clock)


def _calendar_text(content: bytes) -> tuple[str, str]:
    if not content.strip():
        raise SourceError("the URL returned an empty body, not an iCalendar feed")
    decoded = decode_feed(content)
    text = decoded.text
    head = text.lstrip("\ufeff \t\r\n")[:200].lower()
    if not head.startswith(("begin:vcalendar", "begin:vevent")):
        if head.startswith(("<!doctype html", "<html", "<head", "<?xml")) or "<html" in head:
            raise SourceError("the URL returned a web page (HTML), not an iCalendar feed")
        if head.startswith(("{", "[")):
            raise SourceError("the URL returned JSON, not an iCalendar feed")
        raise SourceError("the body does not start with BEGIN:VCALENDAR; it is not an iCalendar feed")
    return text, decoded.warning()


def _parse(content: bytes, request: ParseRequest, clock: Callable[[], float]) -> ParseResult:
    text, decoding_warning = _calendar_text(content)
    warnings: list[str] = [decoding_warning] if decoding_warning else []
    left_out: Counter[str] = Counter()
    try:
        feed = read_feed(text, request.window_start, request.window_end)
    except ValueError as error:
        raise SourceError(f"not a parsable iCalendar feed: {_short(error)}") from error
    warnings.extend(feed.notes)
    broken = list(feed.broken)
    left_out["outside_window"] += feed.outside

    entries: list[tuple[icalendar.Component, tzinfo]] = []
    for part in feed.calendars:
        floating_tz = _feed_timezone(part.calendar, request.timezone)
        entries.extend((event, floating_tz) for event in _standardize(part, warnings))
    if not entries and not feed.broken and not feed.outside:
        warnings.append("the calendar holds no events (no VEVENT)")
    series, superseded = _series(entries, warnings)
    left_out["superseded"] += superseded

    expanded = expand_feed(
        series,
        request.window_start,
        request.window_end,
        max(request.max_series_occurrences, 0),
        max(request.max_occurrences, 0),
        request.expand_seconds,
        clock,
        keep=_has_title,
    )
    occurrences: list[Occurrence] = []
    untitled: list[str] = []
    for one, result in zip(series, expanded, strict=False):
        warnings.extend(result.warnings)
        left_out["budget"] += result.cut
        if result.untitled:
            left_out["no_title"] += result.untitled
            untitled.append(one.uid)
        if result.error:
            broken.append((one.uid, result.error))
            continue
        if not result.occurrences and not result.cut and not result.untitled:
            left_out["outside_window"] += 1
            continue
        recurring = any(_recurs(c) for c in one.components)
        for component in result.occurrences:
            try:
                occurrences.append(_occurrence(one.uid, component, result.floating_tz, recurring))
            except Exception as error:
                broken.append((one.uid, f"an occurrence: {_short(error)}"))
    left_out["broken"] += len(broken)
    for uid, reason in broken[:_NAMED]:
        warnings.append(f"event {uid or '(no UID)'}: skipped: {reason}")
    if len(broken) > _NAMED:
        warnings.append(f"{len(broken) - _NAMED} more event(s) skipped as unreadable")
    if untitled:
        shown = ", ".join(untitled[:3]) + (f" and {len(untitled) - 3} more" if len(untitled) > 3 else "")
        warnings.append(
            f"{left_out['no_title']} occurrence(s) of {len(untitled)} event(s) have no title (SUMMARY) "
            f"and are left out: {shown}"
        )
    counts = tuple(sorted((reason, n) for reason, n in left_out.items() if n))
    return ParseResult(tuple(occurrences), tuple(warnings), counts)


def _standardize(part: CalendarPart, warnings: list[str]) -> list[icalendar.Component]:
    """The calendar's events in standard RFC 5545 form (X-WR-TIMEZONE applied), one by one if need be."""
    zone = str(part.calendar.get("X-WR-TIMEZONE", "") or "").strip()
    if not zone or not part.events:
        return part.events
    try:
        whole = icalendar.Calendar()
        whole.subcomponents = list(part.events)
        converted: list[icalendar.Component] = x_wr_timezone.to_standard(whole, timezone=zone).subcomponents
        return converted
    except Exception as error:
        first_error = _short(error)
    events: list[icalendar.Component] = []
    failed = 0
    for event in part.events:
        single = icalendar.Calendar()
        single.add_component(event)
        try:
            events.extend(x_wr_timezone.to_standard(single, timezone=zone).subcomponents)
        except Exception:
            failed += 1
            events.append(event)
    warnings.append(f"X-WR-TIMEZONE {zone} not applied to {failed} event(s): {first_error}")
    return events


def _feed_timezone(calendar: icalendar.Calendar, default: ZoneInfo) -> ZoneInfo:
    """Floating times are read in X-WR-TIMEZONE when the feed names one, else the group's or site's."""
    name = str(calendar.get("X-WR-TIMEZONE", "") or "").strip()
    if name:
        try:
            return ZoneInfo(name)
        except Exception:
            pass
    return default


def _series(entries: list[tuple[icalendar.Component, tzinfo]], warnings: list[str]) -> tuple[list[SeriesInput], int]:
    """VEVENTs grouped by UID in feed order, each UID + RECURRENCE-ID once (the latest copy); and how many copies lost."""
    best: dict[tuple[str, str], tuple[tuple[int, datetime, datetime], int, icalendar.Component, tzinfo]] = {}
    superseded = 0
    for index, (component, floating_tz) in enumerate(entries):
        uid = str(component.get("UID", "") or "").strip()
        if not uid:
            uid = _made_up_uid(index, component)
            warnings.append(f"event {str(component.get('SUMMARY', '') or '')[:60]!r} has no UID; its id will change if it moves in the feed")
            component["UID"] = uid
        key = (uid, _recurrence_key(component, floating_tz))
        rank = _rank(component)
        held = best.get(key)
        if held is None:
            best[key] = (rank, index, component, floating_tz)
            continue
        superseded += 1
        if rank > held[0]:  # RFC 5545 3.8.7.4: the higher SEQUENCE, then the later change, wins; ties keep the first
            best[key] = (rank, held[1], component, floating_tz)
    if superseded:
        warnings.append(
            f"{superseded} older cop(ies) of events left out (same UID and RECURRENCE-ID; "
            "the highest SEQUENCE, then the latest LAST-MODIFIED or DTSTAMP, is kept)"
        )
    grouped: dict[str, list[tuple[int, icalendar.Component, tzinfo]]] = {}
    for (uid, _), (_, index, component, floating_tz) in sorted(best.items(), key=lambda item: item[1][1]):
        grouped.setdefault(uid, []).append((index, component, floating_tz))
    series = []
    for uid, members in grouped.items():
        master_tz = next((tz for _, c, tz in members if c.get("RECURRENCE-ID") is None), members[0][2])
        series.append(SeriesInput(uid, tuple(c for _, c, _ in members), master_tz))
    return series, superseded


def _made_up_uid(index: int, component: icalendar.Component) -> str:
    start = component.get("DTSTART")
    summary = str(component.get("SUMMARY", "") or "")
    try:
        when = start.to_ical().decode() if start is not None else ""
    except Exception:
        when = str(start)
    return f"no-uid-{index}-{summary[:40]}-{when}"


def _rank(component: icalendar.Component) -> tuple[int, datetime, datetime]:
    return (_int(component.get("SEQUENCE")), _stamp(component, "LAST-MODIFIED"), _stamp(component, "DTSTAMP"))


def _stamp(component: icalendar.Component, name: str) -> datetime:
    try:
        value = dt(component, name) if name in component else None
    except Exception:
        return _EARLIEST
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime.combine(value, dtime(0), UTC)
    return _EARLIEST


def _recurrence_key(component: icalendar.Component, floating_tz: tzinfo) -> str:
    value: Any = component.get("RECURRENCE-ID")
    if value is None:
        return ""
    try:
        return _key(value.dt, floating_tz)
    except Exception:
        return str(value)


def _recurs(component: icalendar.Component) -> bool:
    return any(component.get(name) is not None for name in ("RRULE", "RDATE", "RECURRENCE-ID"))


def _has_title(component: icalendar.Component) -> bool:
    return bool(str(component.get("SUMMARY", "") or "").strip())


def _occurrence(uid: str, component: Any, feed_tz: tzinfo, recurring: bool) -> Occurrence:
    summary = " ".join(str(component.get("SUMMARY", "") or "").split())
    raw_start = dt(component, "DTSTART")
    raw_end = dt(component, "DTEND") if component.get("DTEND") is not None else raw_start
    all_day = isinstance(raw_start, date) and not isinstance(raw_start, datetime)
    start = aware(raw_start, feed_tz)
    end = aware(raw_end, feed_tz)
    end = max(end, start)
    key = ""
    if recurring and component.get("RECURRENCE-ID") is not None:
        key = _key(dt(component, "RECURRENCE-ID"), feed_tz)
    # A time given in UTC (Luma, many exports) says nothing about where the
    # event is; it is shown in the feed's zone. A named zone is kept.
    tzname = getattr(start.tzinfo, "key", "")
    if tzname in ("UTC", "Etc/UTC", "GMT", "Etc/GMT"):
        tzname = ""
    return Occurrence(
        source_uid=uid,
        occurrence_key=key,
        title=summary,
        start=start,
        end=end,
        all_day=all_day,
        timezone=tzname or getattr(feed_tz, "key", "") or str(feed_tz),
        location=" ".join(str(component.get("LOCATION", "") or "").split()),
        description=str(component.get("DESCRIPTION", "") or ""),
        url=str(component.get("URL", "") or "").strip(),
        status=_STATUS.get(str(component.get("STATUS", "") or "").upper(), "confirmed"),
        categories=tuple(_categories(component.get("CATEGORIES"))),
        sequence=_int(component.get("SEQUENCE")),
    )



def _key(value: date | datetime, tz: tzinfo) -> str:
    if not isinstance(value, datetime):
        return value.strftime("%Y%m%d")
    return aware(value, tz).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _categories(value: Any) -> Iterable[str]:
    values = value if isinstance(value, list) else [value] if value is not None else []
    for item in values:
        cats = getattr(item, "cats", None)
        if cats is None:
            cats = str(item).split(",")
        for cat in cats:
            text = str(cat).strip()
            if text:
                yield text


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0



def _short(error: BaseException) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return f"{type(error).__name__}: {text[:200]}" if not text.startswith(type(error).__name__) else text[:200]
