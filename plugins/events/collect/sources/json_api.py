"""A paged JSON calendar API of the kind The Villages' calendar uses.

Each page is `{"events": [...], "count": N}`; each event has `title`,
`start.date`, `end.date`, `location.title`, `address.{streetAddress,
locality, region, postalCode}`, `category`, `cancelled` and `url`. The
first page's `count` says how many pages follow; `further_urls` names them
(query parameters `page_param` and `size_param`, by default `page` and
`pageSize`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

from events.collect.sources.base import ParseRequest, ParseResult, SourceError, load_json, parse_when
from events.models import Occurrence

__all__ = ["DEFAULT_PAGE_SIZE", "first_url", "further_urls", "parse"]

DEFAULT_PAGE_SIZE = 50


def _params(options: Mapping[str, Any]) -> tuple[str, str, int]:
    return (
        str(options.get("page_param") or "page"),
        str(options.get("size_param") or "pageSize"),
        int(options.get("page_size") or DEFAULT_PAGE_SIZE),
    )


def first_url(url: str, options: Mapping[str, Any]) -> str:
    """Page 1, with the page size asked for."""
    page, size, per_page = _params(options)
    return _with_query(url, {page: "1", size: str(per_page)})


def further_urls(url: str, content: bytes, options: Mapping[str, Any]) -> tuple[str, ...]:
    """Pages 2..N, read from the first page's count."""
    page, size, per_page = _params(options)
    if dict(parse_qsl(urlsplit(url).query)).get(page, "1") != "1":
        return ()
    data = _load(content)
    events = data.get("events") if isinstance(data, dict) else None
    if not isinstance(events, list) or not events:
        return ()
    count = data.get("count")
    if isinstance(count, bool) or not isinstance(count, int):
        return ()
    pages = math.ceil(count / max(per_page, len(events)))
    return tuple(_with_query(url, {page: str(n), size: str(per_page)}) for n in range(2, pages + 1))


def parse(content: bytes, request: ParseRequest) -> ParseResult:
    """Occurrences of one page's events that overlap the window."""
    data = _load(content)
    if not isinstance(data, dict) or not isinstance(data.get("events"), list):
        raise SourceError("not a calendar API page: expected {\"events\": [...], \"count\": N}")
    warnings: list[str] = []
    found: list[Occurrence] = []
    for index, item in enumerate(data["events"]):
        if not isinstance(item, dict):
            warnings.append(f"item {index + 1} skipped: not an event")
            continue
        title = " ".join(str(item.get("title") or "").split())
        uid = str(item.get("id") or item.get("url") or "").strip()
        label = f"event {uid or title[:40] or index + 1}"
        start, all_day = _when(_nested(item, "start", "date"), request.timezone)
        end, _ = _when(_nested(item, "end", "date"), request.timezone)
        if not title:
            warnings.append(f"{label}: skipped: no title")
            continue
        if start is None:
            warnings.append(f"{label}: skipped: no start (start.date)")
            continue
        if not uid:
            warnings.append(f"{label}: has no id or url; its id will change if it moves")
            uid = f"{title}|{start.isoformat()}"
        if all_day:
            end = end + timedelta(days=1) if end and end >= start else start + timedelta(days=1)
        end = end if end and end > start else start + timedelta(hours=1)
        if end < request.window_start or start >= request.window_end:
            continue
        found.append(
            Occurrence(
                source_uid=uid,
                occurrence_key="",
                title=title,
                start=start,
                end=end,
                all_day=all_day,
                timezone=request.timezone.key,
                location=_location(item),
                description=str(item.get("description") or ""),
                url=str(item.get("url") or "").strip(),
                status="cancelled" if item.get("cancelled") is True or str(item.get("cancelled")).lower() == "true" else "confirmed",
                categories=_categories(item.get("category")),
            )
        )
        if len(found) >= request.max_occurrences:
            warnings.append(f"stopped at {request.max_occurrences} occurrences; later ones skipped")
            break
    return ParseResult(tuple(found), tuple(warnings))


def _load(content: bytes) -> Any:
    return load_json(content, "calendar JSON", "{\"events\": [...], \"count\": N}")


def _nested(item: dict[str, Any], key: str, inner: str) -> Any:
    value = item.get(key)
    return value.get(inner) if isinstance(value, dict) else value


def _when(value: Any, tz: ZoneInfo) -> tuple[datetime | None, bool]:
    return parse_when(str(value or ""), tz)


def _location(item: dict[str, Any]) -> str:
    place = item.get("location")
    name = place.get("title", "") if isinstance(place, dict) else str(place or "")
    found = item.get("address")
    address: dict[str, Any] = found if isinstance(found, dict) else {}
    region = " ".join(str(address.get(k) or "").strip() for k in ("region", "postalCode") if address.get(k))
    parts = [name, address.get("streetAddress"), address.get("locality"), region]
    return ", ".join(dict.fromkeys(str(p).strip() for p in parts if p and str(p).strip()))


def _categories(value: Any) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value] if value else []
    names = [(i.get("title") or i.get("name") or "") if isinstance(i, dict) else str(i) for i in items]
    return tuple(dict.fromkeys(n.strip() for n in names if n and n.strip()))


def _with_query(url: str, changes: Mapping[str, str]) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    query.update(changes)
    return urlunsplit(parts._replace(query=urlencode(query)))
