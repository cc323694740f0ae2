"""schema.org `Event` markup for event pages (what search engines read).

Google requires name, startDate and location; it recommends endDate,
eventStatus, eventAttendanceMode, description, organizer and url, which we
emit whenever the event has them. Names, descriptions and places are
capped (`site/shorten.py`): search engines show a few hundred characters,
and a feed's 100 KB title must not become a 100 KB script.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from events.site.event_view import EventView
from events.site.shorten import PLACE_LIMIT, SUMMARY_LIMIT, URL_LIMIT, shorten_text

__all__ = ["event_jsonld", "jsonld_script"]

_STATUS = {
    "cancelled": "https://schema.org/EventCancelled",
    "confirmed": "https://schema.org/EventScheduled",
    "tentative": "https://schema.org/EventScheduled",
}
_MODE = {
    "in_person": "https://schema.org/OfflineEventAttendanceMode",
    "virtual": "https://schema.org/OnlineEventAttendanceMode",
    "hybrid": "https://schema.org/MixedEventAttendanceMode",
}


def event_jsonld(view: EventView, page_url: str) -> dict[str, Any]:
    """The Event object; `page_url` is the event page's URL (absolute when SITEURL is)."""
    event = view.event
    if event.all_day:
        # An all-day event has dates, not instants; DTEND is exclusive, schema.org's endDate inclusive.
        start = view.start.date().isoformat()
        last = view.end.date() - timedelta(days=1) if view.end.date() > view.start.date() else view.start.date()
        end = last.isoformat()
    else:
        start, end = view.start.isoformat(), view.end.isoformat()
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": view.display_title,
        "startDate": start,
        "endDate": end,
        "eventStatus": _STATUS.get(view.status, _STATUS["confirmed"]),
        "eventAttendanceMode": _MODE.get(event.location_type, _MODE["in_person"]),
        "location": _location(view),
        "organizer": {"@type": "Organization", "name": event.group_name, "url": event.group_website},
        "url": page_url if page_url.startswith(("http://", "https://")) else _link(event.url),
    }
    # Google recommends a description; an event without one is described by who holds it and when.
    description = view.summary or f"{view.display_title}, held by {event.group_name}: {view.when_label}."
    data["description"] = shorten_text(description, SUMMARY_LIMIT)
    if _link(event.url) and data["url"] != event.url:
        data["sameAs"] = event.url
    return data


def _link(url: str) -> str:
    """`url`, or nothing when it is too long to be worth a search engine's while."""
    return url if len(url) <= URL_LIMIT else ""


def jsonld_script(data: dict[str, Any]) -> str:
    """JSON safe inside <script>: no markup character appears raw, so nothing can end the element early."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _location(view: EventView) -> dict[str, Any] | list[dict[str, Any]]:
    event = view.event
    online_url = event.location if event.location.startswith(("http://", "https://")) else event.url
    virtual = {"@type": "VirtualLocation", "url": _link(online_url) or _link(event.url)}
    if event.location_type == "virtual":
        return virtual
    address: dict[str, Any] | str
    if event.city or event.state:
        address = {"@type": "PostalAddress", "addressCountry": "US"}
        if event.city:
            address["addressLocality"] = event.city
        if event.state:
            address["addressRegion"] = event.state
        street = _street(event.location, event.city)
        if street:
            address["streetAddress"] = shorten_text(street, PLACE_LIMIT)
    else:
        address = shorten_text(event.location, PLACE_LIMIT) or "To be announced"
    name = shorten_text(event.location.split(",")[0].strip(), PLACE_LIMIT) or "To be announced"
    place = {"@type": "Place", "name": name, "address": address}
    return [place, virtual] if event.location_type == "hybrid" else place


def _street(label: str, city: str) -> str:
    """The part of "Name, 123 Main St, City, ST 12345" before the city, without the venue name."""
    parts = [p.strip() for p in label.split(",")]
    if city and city in parts:
        before = parts[: parts.index(city)]
        streets = [p for p in before if p[:1].isdigit()]
        return ", ".join(streets)
    return ""
