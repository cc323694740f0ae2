"""Springshare LibCal events JSON, for library calendars.

Reads both shapes LibCal serves: the events API (`/1.1/events`, a list under
`events` with ISO 8601 times, `url.public`, `location.name`, `category`)
and the public calendar list that LibCal's own widgets use
(`/ajax/calendar/list`, a list under `results` with `startdt`/`enddt`,
`categories_arr` and `total_results`, paged). Online fields
(`online_event`, `online_join_url`, `online_provider`) make an event
virtual, or hybrid when it also has a room.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime, time, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

from events.collect.sources.base import ParseRequest, ParseResult, SourceError, load_json, parse_when
from events.models import Occurrence

__all__ = ["first_url", "further_urls", "parse"]

_PAGE = "page"


def first_url(url: str, options: Mapping[str, Any]) -> str:
    """The group's URL, with its calendar id for the public list when the URL has none."""
    calendar = options.get("calendar_id")
    if calendar is None or "/ajax/calendar/list" not in url:
        return url
    return _with_query(url, {"c": str(calendar)}, keep=True)


def further_urls(url: str, content: bytes, options: Mapping[str, Any]) -> tuple[str, ...]:
    """The remaining pages of a public calendar list, read from the first page's totals."""
    query = dict(parse_qsl(urlsplit(url).query))
    if query.get(_PAGE, "1") not in ("", "1"):
        return ()
    data = _load(content)
    results = data.get("results") if isinstance(data, dict) else None
    if not isinstance(results, list) or not results:
        return ()
    total = _int(data.get("total_results"))
    per_page = _int(data.get("perpage")) or len(results)
    pages = math.ceil(total / per_page) if per_page else 1
    return tuple(_with_query(url, {_PAGE: str(n)}) for n in range(2, pages + 1))


def parse(content: bytes, request: ParseRequest) -> ParseResult:
    """Occurrences of the LibCal events in the window."""
    data = _load(content)
    if isinstance(data, dict) and isinstance(data.get("events"), list):
        items, shape = data["events"], "api"
    elif isinstance(data, dict) and isinstance(data.get("results"), list):
        items, shape = data["results"], "list"
    elif isinstance(data, list):
        items, shape = data, "api"
    else:
        raise SourceError("not LibCal events JSON: no 'events' or 'results' list")
    calendar = request.option("calendar_id")
    warnings: list[str] = []
    found: list[Occurrence] = []
    for item in items:
        if not isinstance(item, dict):
            warnings.append(f"skipped {type(item).__name__} in the events list: not an event")
            continue
        if calendar is not None and not _in_calendar(item, calendar):
            continue
        uid = str(item.get("id") or "").strip()
        title = " ".join(str(item.get("title") or "").split())
        start, all_day = _when(item.get("start") if shape == "api" else item.get("startdt") or item.get("start"), request.timezone)
        end, _ = _when(item.get("end") if shape == "api" else item.get("enddt") or item.get("end"), request.timezone)
        all_day = all_day or bool(item.get("allday") or item.get("all_day"))
        label = f"event {uid or title[:40]!r}"
        if not uid:
            warnings.append(f"{label}: skipped: no id")
            continue
        if not title:
            warnings.append(f"{label}: skipped: no title")
            continue
        if start is None:
            warnings.append(f"{label}: skipped: no start")
            continue
        if all_day:
            start = datetime.combine(start.date(), time(0), start.tzinfo)
            end = datetime.combine((end or start).date(), time(0), start.tzinfo)
            end = end if end > start else start + timedelta(days=1)
        end = end if end and end > start else start + timedelta(hours=1)
        if end < request.window_start or start >= request.window_end:
            continue
        location, online = _place(item, shape)
        found.append(
            Occurrence(
                source_uid=f"libcal-{uid}",
                occurrence_key="",
                title=title,
                start=start,
                end=end,
                all_day=all_day,
                timezone=request.timezone.key,
                location=location or (online if online.startswith("http") else ""),
                description=str(item.get("description") or item.get("shortdesc") or ""),
                url=_url(item),
                status="cancelled" if str(item.get("status", "")).lower() in ("cancelled", "canceled") else "confirmed",
                categories=_categories(item),
                attendance_mode=("mixed" if location else "online") if online else "",
                cost=str(item.get("cost") or "").strip(),
            )
        )
        if len(found) >= request.max_occurrences:
            warnings.append(f"stopped at {request.max_occurrences} occurrences; later ones skipped")
            break
    return ParseResult(tuple(found), tuple(warnings))


def _load(content: bytes) -> Any:
    return load_json(content, "LibCal JSON", "LibCal events JSON")


def _when(value: Any, tz: ZoneInfo) -> tuple[datetime | None, bool]:
    return parse_when(str(value or ""), tz)


def _place(item: dict[str, Any], shape: str) -> tuple[str, str]:
    """(room / branch label, online URL or 'Online')."""
    location = item.get("location")
    name = location.get("name", "") if isinstance(location, dict) else str(location or "")
    campus = item.get("campus")
    campus_name = campus.get("name", "") if isinstance(campus, dict) else str(campus or "")
    parts = [p.strip() for p in (name, campus_name) if p and str(p).strip()]
    label = ", ".join(dict.fromkeys(parts))
    online = str(item.get("online_join_url") or "").strip()
    if not online and (item.get("online_event") is True or str(item.get("online_event")).lower() in ("1", "true") or item.get("online_provider")):
        online = "Online"
    if label.lower() in ("online", "virtual", "online event", "zoom"):
        online, label = online or "Online", ""
    return label, online


def _url(item: dict[str, Any]) -> str:
    url = item.get("url")
    if isinstance(url, dict):
        url = url.get("public") or ""
    return str(url or "").strip()


def _categories(item: dict[str, Any]) -> tuple[str, ...]:
    raw = item.get("category") or item.get("categories_arr") or item.get("categories") or []
    if isinstance(raw, str):
        raw = list(raw.split(","))
    names = []
    for entry in raw if isinstance(raw, list) else [raw]:
        name = entry.get("name", "") if isinstance(entry, dict) else str(entry)
        if name.strip():
            names.append(name.strip())
    return tuple(dict.fromkeys(names))


def _in_calendar(item: dict[str, Any], calendar: Any) -> bool:
    owner = item.get("calendar")
    found = owner.get("id") if isinstance(owner, dict) else item.get("calendar_id", item.get("cid"))
    return found is None or str(found) == str(calendar)


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _with_query(url: str, changes: Mapping[str, str], keep: bool = False) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    for key, value in changes.items():
        if keep and key in query:
            continue
        query[key] = value
    return urlunsplit(parts._replace(query=urlencode(query)))
