"""iCalendar (RFC 5545) feeds: the main source.

Reads bytes in any common encoding, turns Google's X-WR-TIMEZONE form into
standard RFC 5545 (x-wr-timezone), and expands RRULE/RDATE/EXDATE and
RECURRENCE-ID overrides (recurring-ical-events) over the window. Each
series (one UID) is expanded on its own, under a time limit, so one broken
or runaway series is skipped with a reason and the rest of the feed is kept.
"""

from __future__ import annotations

import time
import warnings as warnings_module
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime
from datetime import time as dtime
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events
import x_wr_timezone

from events.collect.deadline import TimeLimitExceeded, time_limit
from events.collect.sources.base import ParseRequest, ParseResult, SourceError
from events.models import Occurrence

__all__ = ["decode_calendar_bytes", "parse"]

class _Skipped(Exception):
    """One event is unusable; the reason is logged and the feed goes on."""


_STATUS = {"CANCELLED": "cancelled", "CANCELED": "cancelled", "TENTATIVE": "tentative"}


def decode_calendar_bytes(content: bytes) -> str:
    """Text of a feed whatever its encoding; a clear SourceError when it is not a calendar."""
    if not content.strip():
        raise SourceError("the URL returned an empty body, not an iCalendar feed")
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    head = text.lstrip()[:200].lower()
    if head.startswith("begin:vevent"):
        return text  # events without their VCALENDAR: `parse` wraps them
    if not head.startswith("begin:vcalendar"):
        if head.startswith(("<!doctype html", "<html", "<head", "<?xml")) or "<html" in head:
            raise SourceError("the URL returned a web page (HTML), not an iCalendar feed")
        if head.startswith(("{", "[")):
            raise SourceError("the URL returned JSON, not an iCalendar feed")
        raise SourceError("the body does not start with BEGIN:VCALENDAR; it is not an iCalendar feed")
    return text


def parse(content: bytes, request: ParseRequest) -> ParseResult:
    """Occurrences of every event of the feed that overlap the request's window."""
    with warnings_module.catch_warnings():
        # icalendar warns (Python warnings) about guessed vendor TZIDs; the
        # guess is right for every feed seen, and the warning would be noise.
        warnings_module.simplefilter("ignore")
        return _parse(content, request)


def _parse(content: bytes, request: ParseRequest) -> ParseResult:
    text = decode_calendar_bytes(content)
    warnings: list[str] = []
    if text.lstrip()[:12].lower().startswith("begin:vevent"):
        warnings.append("the feed has events without a VCALENDAR around them; read anyway")
        text = f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n{text.strip()}\r\nEND:VCALENDAR\r\n"
    try:
        calendars = icalendar.Calendar.from_ical(text, multiple=True)
    except Exception as error:  # icalendar raises ValueError and more on malformed input
        raise SourceError(f"not a parsable iCalendar feed: {_short(error)}") from error
    if not calendars:
        raise SourceError("no VCALENDAR in the body")
    occurrences: list[Occurrence] = []
    started = time.monotonic()
    for parsed in calendars:
        calendar = _standardize(parsed, warnings)
        feed_tz = _feed_timezone(calendar, request.timezone)
        zones = list(calendar.walk("VTIMEZONE"))
        series = _series(calendar, warnings)
        if not series:
            warnings.append("the calendar holds no events (no VEVENT)")
        # Sub-hourly rules can eat the whole time budget; expanding them last
        # keeps every ordinary event of the feed.
        for uid, components in sorted(series.items(), key=lambda item: _runaway_risk(item[1])):
            left = request.expand_seconds - (time.monotonic() - started)
            room = request.max_occurrences - len(occurrences)
            if left <= 0:
                warnings.append(f"stopped expanding after {request.expand_seconds:g} s; later series skipped")
                return ParseResult(tuple(occurrences), tuple(warnings))
            if room <= 0:
                warnings.append(f"stopped at {request.max_occurrences} occurrences; later ones skipped")
                return ParseResult(tuple(occurrences), tuple(warnings))
            try:
                with time_limit(left):
                    found = _expand(uid, components, zones, feed_tz, request, room, started)
            except _Skipped as reason:
                warnings.append(f"event {uid}: skipped: {reason}")
                continue
            except TimeLimitExceeded:
                warnings.append(f"event {uid}: skipped, its recurrence took longer than {request.expand_seconds:g} s to expand")
                continue
            except Exception as error:  # a broken series must not take the feed with it
                warnings.append(f"event {uid}: skipped: {_short(error)}")
                continue
            occurrences.extend(found)
            if len(occurrences) >= request.max_occurrences:
                warnings.append(f"stopped at {request.max_occurrences} occurrences; later ones skipped")
                return ParseResult(tuple(occurrences), tuple(warnings))
    return ParseResult(tuple(occurrences), tuple(warnings))


def _standardize(calendar: icalendar.Calendar, warnings: list[str]) -> icalendar.Calendar:
    try:
        standard: icalendar.Calendar = x_wr_timezone.to_standard(calendar)
        return standard
    except Exception as error:
        warnings.append(f"X-WR-TIMEZONE not applied: {_short(error)}")
        return calendar


def _runaway_risk(components: list[Any]) -> bool:
    try:
        return _sub_hourly(components)
    except Exception:  # a rule too broken to read fails later, with its reason
        return False


def _sub_hourly(components: list[Any]) -> bool:
    for component in components:
        rule = component.get("RRULE")
        for one in rule if isinstance(rule, list) else [rule] if rule is not None else []:
            freq = one.get("FREQ") if hasattr(one, "get") else None
            if freq and str(freq[0] if isinstance(freq, list) else freq).upper() in ("SECONDLY", "MINUTELY", "HOURLY"):
                return True
    return False


def _feed_timezone(calendar: icalendar.Calendar, default: ZoneInfo) -> ZoneInfo:
    """Floating times are read in X-WR-TIMEZONE when the feed names one, else the group's or site's."""
    name = str(calendar.get("X-WR-TIMEZONE", "") or "").strip()
    if name:
        try:
            return ZoneInfo(name)
        except Exception:
            pass
    return default


def _series(calendar: icalendar.Calendar, warnings: list[str]) -> dict[str, list[Any]]:
    """VEVENTs grouped by UID, in feed order."""
    series: dict[str, list[Any]] = defaultdict(list)
    for index, component in enumerate(calendar.walk("VEVENT")):
        uid = str(component.get("UID", "") or "").strip()
        if not uid:
            start = component.get("DTSTART")
            summary = str(component.get("SUMMARY", "") or "")
            uid = f"no-uid-{index}-{summary[:40]}-{start.to_ical().decode() if start else ''}"
            warnings.append(f"event {summary[:60]!r} has no UID; its id will change if it moves in the feed")
        series[uid].append(component)
    return series


def _expand(
    uid: str,
    components: list[Any],
    zones: list[Any],
    feed_tz: ZoneInfo,
    request: ParseRequest,
    room: int,
    started: float,
) -> list[Occurrence]:
    if all(c.get("DTSTART") is None for c in components):
        raise _Skipped("no start (DTSTART)")
    single = icalendar.Calendar()
    for zone in zones:
        single.add_component(zone)
    for component in components:
        single.add_component(component)
    recurring = any(
        c.get("RRULE") is not None or c.get("RDATE") is not None or c.get("RECURRENCE-ID") is not None
        for c in components
    )
    found: list[Occurrence] = []
    window_start = request.window_start.astimezone(UTC)
    window_end = request.window_end.astimezone(UTC)
    for component in recurring_ical_events.of(single).after(window_start):
        occurrence = _occurrence(uid, component, feed_tz, recurring)
        if occurrence.start >= window_end:
            break
        found.append(occurrence)
        if len(found) >= room or time.monotonic() - started > request.expand_seconds:
            break
    return found


def _occurrence(uid: str, component: Any, feed_tz: ZoneInfo, recurring: bool) -> Occurrence:
    summary = " ".join(str(component.get("SUMMARY", "") or "").split())
    if component.get("DTSTART") is None:
        raise _Skipped("no start (DTSTART)")
    raw_start = component["DTSTART"].dt
    raw_end = component["DTEND"].dt if component.get("DTEND") is not None else raw_start
    all_day = isinstance(raw_start, date) and not isinstance(raw_start, datetime)
    start = _aware(raw_start, feed_tz)
    end = _aware(raw_end, feed_tz)
    end = max(end, start)
    key = ""
    if recurring and component.get("RECURRENCE-ID") is not None:
        key = _key(component["RECURRENCE-ID"].dt, feed_tz)
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
        timezone=tzname or feed_tz.key,
        location=" ".join(str(component.get("LOCATION", "") or "").split()),
        description=str(component.get("DESCRIPTION", "") or ""),
        url=str(component.get("URL", "") or "").strip(),
        status=_STATUS.get(str(component.get("STATUS", "") or "").upper(), "confirmed"),
        categories=tuple(_categories(component.get("CATEGORIES"))),
        sequence=_int(component.get("SEQUENCE")),
    )


def _aware(value: date | datetime, tz: ZoneInfo) -> datetime:
    if not isinstance(value, datetime):
        return datetime.combine(value, dtime(0), tz)
    if value.tzinfo is None:
        return value.replace(tzinfo=tz)
    return value


def _key(value: date | datetime, tz: ZoneInfo) -> str:
    if not isinstance(value, datetime):
        return value.strftime("%Y%m%d")
    return _aware(value, tz).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


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
