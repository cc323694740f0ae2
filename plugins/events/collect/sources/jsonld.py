"""Event pages with schema.org `Event` JSON-LD (parsed with beautifulsoup4).

Two uses:

- a source: a group whose site has no feed but a listing page that links to
  one page per event. The listing is the group's `url`; `further_urls` names
  the event pages (links matching the `event_links` CSS selector), and
  `parse` reads the Events of every page (the listing's own JSON-LD too);
- enrichment: `page_event` reads one event page and `enrich` adds to an
  iCal occurrence what its feed lacks. Meetup's feed says an event is
  confirmed when its page says `EventCancelled`, and never says whether
  it is online.

Everything here is pure; collection fetches the pages.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit
from zoneinfo import ZoneInfo

from bs4 import BeautifulSoup

from events.collect.sources.base import ParseRequest, ParseResult, SourceError, parse_when
from events.models import Occurrence

__all__ = ["DEFAULT_EVENT_LINKS", "PageEvent", "enrich", "further_urls", "page_event", "parse"]

DEFAULT_EVENT_LINKS = "a[href*='/event']"
_EVENT_TYPES = frozenset(
    [
        "Event", "BusinessEvent", "ChildrensEvent", "ComedyEvent", "CourseInstance", "DanceEvent", "DeliveryEvent",
        "EducationEvent", "ExhibitionEvent", "Festival", "FoodEvent", "Hackathon", "LiteraryEvent", "MusicEvent",
        "PublicationEvent", "SaleEvent", "ScreeningEvent", "SocialEvent", "SportsEvent", "TheaterEvent", "VisualArtsEvent",
    ]
)
_STATUS = {"eventcancelled": "cancelled", "eventpostponed": "tentative"}
_MODES = {
    "onlineeventattendancemode": "online",
    "offlineeventattendancemode": "offline",
    "mixedeventattendancemode": "mixed",
}


@dataclass(frozen=True)
class PageEvent:
    """What one schema.org Event says, before it becomes an occurrence."""

    uid: str
    title: str
    start: datetime | None
    end: datetime | None
    all_day: bool
    location: str
    description: str
    url: str
    status: str
    attendance_mode: str
    cost: str


def parse(content: bytes, request: ParseRequest) -> ParseResult:
    """Occurrences of every schema.org Event of one page that overlaps the window."""
    warnings: list[str] = []
    found: list[Occurrence] = []
    events = list(_page_events(content, request.url, request.timezone, warnings))
    if not events and request.url and request.url != request.option("url"):
        warnings.append(f"{request.url}: no schema.org Event on the page")
    for event in events:
        if not event.title:
            warnings.append(f"event {event.uid}: skipped: no title (name)")
            continue
        if event.start is None:
            warnings.append(f"event {event.uid}: skipped: no start (startDate)")
            continue
        end = event.end or event.start
        if end < request.window_start or event.start >= request.window_end:
            continue
        found.append(_occurrence(event))
        if len(found) >= request.max_occurrences:
            warnings.append(f"stopped at {request.max_occurrences} occurrences; later ones skipped")
            break
    return ParseResult(tuple(found), tuple(warnings))


def further_urls(url: str, content: bytes, options: Mapping[str, Any]) -> tuple[str, ...]:
    """The event pages a listing page links to (only the group's own listing is followed)."""
    listing = str(options.get("url") or "")
    if listing and url != listing:
        return ()
    soup = _soup(content)
    selector = str(options.get("event_links") or DEFAULT_EVENT_LINKS)
    host = urlsplit(url).netloc.lower()
    links: list[str] = []
    for anchor in soup.select(selector):
        href = str(anchor.get("href") or "").strip()
        if not href:
            continue
        target = urldefrag(urljoin(url, href)).url
        parts = urlsplit(target)
        if parts.scheme not in ("http", "https") or parts.netloc.lower() != host or target.rstrip("/") == url.rstrip("/"):
            continue
        if target not in links:
            links.append(target)
    return tuple(links)


def page_event(content: bytes, url: str, tz: ZoneInfo | None = None) -> PageEvent | None:
    """The Event an event page is about: the one with the page's URL, else the first."""
    try:
        events = list(_page_events(content, url, tz or ZoneInfo("UTC"), []))
    except SourceError:
        return None
    if not events:
        return None
    wanted = _canonical(url)
    for event in events:
        if _canonical(event.url) == wanted:
            return event
    return events[0]


def enrich(occurrence: Occurrence, page: PageEvent) -> Occurrence:
    """The occurrence with what its event page adds: cancellation, attendance, and missing fields."""
    changes: dict[str, Any] = {}
    if page.status == "cancelled" and occurrence.status != "cancelled":
        changes["status"] = "cancelled"
    if page.attendance_mode and not occurrence.attendance_mode:
        changes["attendance_mode"] = page.attendance_mode
    if page.location and not occurrence.location:
        changes["location"] = page.location
    if page.description and not occurrence.description.strip():
        changes["description"] = page.description
    if page.cost and not occurrence.cost:
        changes["cost"] = page.cost
    return replace(occurrence, **changes) if changes else occurrence


def _occurrence(event: PageEvent) -> Occurrence:
    assert event.start is not None
    end = event.end if event.end and event.end > event.start else event.start + (
        timedelta(days=1) if event.all_day else timedelta(hours=1)
    )
    tz = getattr(event.start.tzinfo, "key", "")
    return Occurrence(
        source_uid=event.uid,
        occurrence_key="",
        title=event.title,
        start=event.start,
        end=end,
        all_day=event.all_day,
        timezone=tz if tz not in ("UTC", "Etc/UTC") else "",
        location=event.location,
        description=event.description,
        url=event.url,
        status=event.status,
        attendance_mode=event.attendance_mode,
        cost=event.cost,
    )


def _soup(content: bytes) -> BeautifulSoup:
    if not content.strip():
        raise SourceError("the URL returned an empty body, not a web page")
    head = content.lstrip()[:20].upper()
    if head.startswith(b"BEGIN:VCALENDAR"):
        raise SourceError("the URL returned an iCalendar feed, not a web page; use 'ical' for it")
    return BeautifulSoup(content, "html.parser")


def _page_events(content: bytes, url: str, tz: ZoneInfo, warnings: list[str]) -> Iterator[PageEvent]:
    soup = _soup(content)
    for index, block in enumerate(soup.find_all("script", attrs={"type": re.compile(r"ld\+json", re.I)})):
        text = block.string or block.get_text() or ""
        try:
            data = json.loads(_clean_json(text), strict=False)
        except ValueError as error:
            warnings.append(f"{url}: JSON-LD block {index + 1} skipped: not JSON ({' '.join(str(error).split())[:80]})")
            continue
        for position, node in enumerate(_event_nodes(data)):
            yield _page_event(node, url, tz, f"{url}#{index}.{position}")


def _clean_json(text: str) -> str:
    text = text.strip()
    text = re.sub(r"^\s*(<!--|//\s*<!\[CDATA\[|<!\[CDATA\[)", "", text)
    text = re.sub(r"(-->|//\s*\]\]>|\]\]>)\s*$", "", text)
    return text.strip().rstrip(";")


def _event_nodes(data: Any) -> Iterator[dict[str, Any]]:
    """Every Event object in a JSON-LD document: top level, lists, @graph, ItemList, subEvent."""
    if isinstance(data, list):
        for item in data:
            yield from _event_nodes(item)
        return
    if not isinstance(data, dict):
        return
    kinds = data.get("@type", "")
    kinds = {str(k).rsplit("/", 1)[-1] for k in (kinds if isinstance(kinds, list) else [kinds])}
    if kinds & _EVENT_TYPES:
        yield data
    for key in ("@graph", "itemListElement", "mainEntity", "subEvent", "item", "event", "events"):
        if key in data:
            yield from _event_nodes(data[key])


def _page_event(node: dict[str, Any], page_url: str, tz: ZoneInfo, fallback_uid: str) -> PageEvent:
    start, all_day = _when(node.get("startDate"), tz)
    end, _ = _when(node.get("endDate"), tz)
    own_url = _text(node.get("url"))
    url = urljoin(page_url, own_url) if own_url else page_url
    location, online = _location(node.get("location"))
    mode = _MODES.get(_last(node.get("eventAttendanceMode")), "")
    if not mode and online:
        mode = "mixed" if location and not location.startswith(("http://", "https://")) else "online"
    return PageEvent(
        uid=_text(node.get("@id")) or (url if own_url else fallback_uid),
        title=" ".join(html.unescape(_text(node.get("name"))).split()),
        start=start,
        end=end,
        all_day=all_day,
        location=location or online,
        description=html.unescape(_text(node.get("description"))),
        url=url,
        status=_STATUS.get(_last(node.get("eventStatus")), "confirmed"),
        attendance_mode=mode,
        cost=_cost(node.get("offers"), node.get("isAccessibleForFree")),
    )


def _when(value: Any, tz: ZoneInfo) -> tuple[datetime | None, bool]:
    return parse_when(_text(value), tz)


def _location(value: Any) -> tuple[str, str]:
    """(physical place label, online URL) of a schema.org location (Place, VirtualLocation, text, or a list)."""
    places: list[str] = []
    online = ""
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, str):
            if item.startswith(("http://", "https://")):
                online = online or item
            elif item.strip():
                places.append(item.strip())
            continue
        if not isinstance(item, dict):
            continue
        kind = _last(item.get("@type"))
        if kind == "virtuallocation":
            online = online or _text(item.get("url")) or "Online"
            continue
        parts = [_text(item.get("name"))]
        address = item.get("address")
        if isinstance(address, dict):
            region = " ".join(p for p in (_text(address.get("addressRegion")), _text(address.get("postalCode"))) if p)
            parts += [_text(address.get("streetAddress")), _text(address.get("addressLocality")), region]
        elif isinstance(address, str):
            parts.append(address)
        label = ", ".join(dict.fromkeys(p.strip() for p in parts if p and p.strip()))
        if label:
            places.append(label)
    return "; ".join(places), online


def _cost(offers: Any, free: Any) -> str:
    if free is True or str(free).lower() == "true":
        return "Free"
    prices: list[tuple[float, str]] = []
    for offer in offers if isinstance(offers, list) else [offers]:
        if not isinstance(offer, dict):
            continue
        raw = _text(offer.get("price") or offer.get("lowPrice"))
        try:
            amount = float(raw.replace("$", "").replace(",", ""))
        except ValueError:
            continue
        prices.append((amount, _text(offer.get("priceCurrency")) or "USD"))
    if not prices:
        return ""
    amount, currency = min(prices)
    if amount == 0:
        return "Free"
    shown = f"{amount:.2f}".rstrip("0").rstrip(".")
    return f"${shown}" if currency == "USD" else f"{shown} {currency}"


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):
        return _text(value.get("@id") or value.get("url") or value.get("name") or value.get("@value"))
    if isinstance(value, list):
        return _text(value[0]) if value else ""
    return str(value).strip()


def _last(value: Any) -> str:
    """The last path part of a schema.org enumeration value, lowercased ('https://schema.org/EventCancelled' -> 'eventcancelled')."""
    return _text(value).rstrip("/").rsplit("/", 1)[-1].lower()


def _canonical(url: str) -> str:
    parts = urlsplit(url.strip())
    return f"{parts.netloc.lower().removeprefix('www.')}{parts.path.rstrip('/')}"
