"""Links into other people's calendars: add one event, or subscribe to a feed.

Pure string building. Google and Outlook document these URL templates only
informally, so each builder keeps to the parameters both have accepted for
years: Google's `render?action=TEMPLATE` and `render?cid=`, Outlook's
`calendar/0/action/compose` deeplink.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from urllib.parse import quote, urlencode, urlsplit

from events.site.event_view import EventView
from events.site.urls import absolute_url

__all__ = ["CalendarLinks", "SubscribeLinks", "calendar_links", "subscribe_links"]

_DETAILS_LIMIT = 1500  # calendar URLs longer than about 2,000 characters get refused
# quote(c, safe="") of each ASCII character quote does not keep (it keeps letters, digits and "_.-~"):
# str.translate with it is quote for ASCII text, without quote's byte-by-byte loop.
_ASCII_QUOTED = {
    code: f"%{code:02X}"
    for code in range(128)
    if not (chr(code).isalnum() or chr(code) in "_.-~")
}


@dataclass(frozen=True)
class CalendarLinks:
    google: str
    outlook: str
    ics: str


@dataclass(frozen=True)
class SubscribeLinks:
    https: str
    webcal: str  # empty when the site has no absolute URL
    google: str  # empty when the site has no absolute URL




def calendar_links(view: EventView, ics_path: str, site_url: str) -> CalendarLinks:
    event = view.event
    # The cleaned summary: the source's own copy of the URL is gone, so the URL appears once.
    details = "\n\n".join(p for p in (view.summary[:_DETAILS_LIMIT], event.url) if p)
    if event.all_day:
        google_dates = f"{view.start:%Y%m%d}/{view.end:%Y%m%d}"
        outlook_start, outlook_end = view.start.date().isoformat(), view.end.date().isoformat()
    else:
        utc_start, utc_end = view.start.astimezone(UTC), view.end.astimezone(UTC)
        google_dates = f"{utc_start:%Y%m%dT%H%M%SZ}/{utc_end:%Y%m%dT%H%M%SZ}"
        outlook_start, outlook_end = view.start.isoformat(), view.end.isoformat()
    # The same query strings urlencode(..., quote_via=quote) gives, but each value is
    # quoted once for both links: with thousands of events this was most of page planning.
    title, body, location = _quote(event.title), _quote(details), _quote(event.location)
    google = (
        "https://calendar.google.com/calendar/render?action=TEMPLATE"
        f"&text={title}&dates={_quote(google_dates)}&details={body}&location={location}"
    )
    outlook = (
        "https://outlook.live.com/calendar/0/action/compose?path=%2Fcalendar%2Faction%2Fcompose&rru=addevent"
        f"&subject={title}&startdt={_quote(outlook_start)}&enddt={_quote(outlook_end)}"
        f"&allday={'true' if event.all_day else 'false'}&body={body}&location={location}"
    )
    return CalendarLinks(google, outlook, absolute_url(site_url, ics_path))


def _quote(value: str) -> str:
    """A query value as urlencode quotes it with quote_via=quote (nothing kept safe, not even "/")."""
    return value.translate(_ASCII_QUOTED) if value.isascii() else quote(value, safe="")


def subscribe_links(feed_path: str, site_url: str) -> SubscribeLinks:
    https = absolute_url(site_url, feed_path)
    parts = urlsplit(https)
    if not parts.scheme or not parts.netloc:
        return SubscribeLinks(https, "", "")
    webcal = "webcal://" + https.split("://", 1)[1]
    # Google's "add by URL" wants the webcal:// form in `cid`, which it then polls over https.
    google = "https://calendar.google.com/calendar/render?" + urlencode({"cid": webcal}, quote_via=quote)
    return SubscribeLinks(https, webcal, google)
