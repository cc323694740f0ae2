"""Links into other people's calendars: add one event, or subscribe to a feed.

Pure string building. Google and Outlook document these URL templates only
informally, so each builder keeps to the parameters both have accepted for
years: Google's `render?action=TEMPLATE` and `render?cid=`, Outlook's
`calendar/0/action/compose` deeplink.

An add-to-calendar link stays under LINK_LIMIT characters whatever the
event carries: URL-encoding makes non-ASCII text 3 to 12 times longer, and
both services (and many proxies) refuse URLs much past 2,000 characters.
The title and the place get fixed budgets of encoded characters; the
details (summary, then the event's link) get what is left. Each part is cut
at a word boundary with an ellipsis, measured after encoding.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from urllib.parse import quote, urlencode, urlsplit

from events.site.event_view import EventView
from events.site.shorten import ELLIPSIS, shorten_text
from events.site.urls import absolute_url

__all__ = ["LINK_LIMIT", "CalendarLinks", "SubscribeLinks", "calendar_links", "subscribe_links"]

LINK_LIMIT = 2000  # characters of a whole add-to-calendar URL
_TITLE_BUDGET = 450  # encoded characters: 150 Chinese characters, or 450 letters
_LOCATION_BUDGET = 300
_SEPARATOR = "%0A%0A"  # the blank line between the summary and the event's link in the details
_GOOGLE = "https://calendar.google.com/calendar/render?action=TEMPLATE&text={title}&dates={dates}&details={details}&location={location}"
_OUTLOOK = (
    "https://outlook.live.com/calendar/0/action/compose?path=%2Fcalendar%2Faction%2Fcompose&rru=addevent"
    "&subject={title}&startdt={start}&enddt={end}&allday={allday}&body={details}&location={location}"
)
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
    if event.all_day:
        google_dates = f"{view.start:%Y%m%d}/{view.end:%Y%m%d}"
        outlook_start, outlook_end = view.start.date().isoformat(), view.end.date().isoformat()
    else:
        utc_start, utc_end = view.start.astimezone(UTC), view.end.astimezone(UTC)
        google_dates = f"{utc_start:%Y%m%dT%H%M%SZ}/{utc_end:%Y%m%dT%H%M%SZ}"
        outlook_start, outlook_end = view.start.isoformat(), view.end.isoformat()
    fields = {
        "dates": _quote(google_dates),
        "start": _quote(outlook_start),
        "end": _quote(outlook_end),
        "allday": "true" if event.all_day else "false",
    }
    # Each value is quoted once for both links: with thousands of events quoting was most of page planning.
    title = _quote_within(event.title, _TITLE_BUDGET)
    location = _quote_within(event.location, _LOCATION_BUDGET)
    # Outlook's fixed part is the longer, so what fits there fits in Google's link too.
    fixed = max(len(template.format(title="", details="", location="", **fields)) for template in (_GOOGLE, _OUTLOOK))
    # The cleaned summary: the source's own copy of the URL is gone, so the URL appears once.
    details = _details(view.summary, event.url, LINK_LIMIT - fixed - len(title) - len(location))
    google = _GOOGLE.format(title=title, details=details, location=location, **fields)
    outlook = _OUTLOOK.format(title=title, details=details, location=location, **fields)
    return CalendarLinks(google, outlook, absolute_url(site_url, ics_path))


def _details(summary: str, url: str, budget: int) -> str:
    """The summary and the event's link, quoted, in `budget` characters; the link is left out when it
    would take more than half of them (the page links to it anyway), the summary is shortened."""
    link = _quote(url) if url and len(url) <= budget else ""
    if link and len(link) + len(_SEPARATOR) > budget // 2:
        link = ""
    room = budget - (len(link) + len(_SEPARATOR) if link else 0)
    text = _quote_within(summary, room)
    return _SEPARATOR.join(part for part in (text, link) if part)


def _quoted_length(character: str) -> int:
    if character.isascii():
        return 1 if character.isalnum() or character in "_.-~" else 3
    return 3 * len(character.encode("utf-8"))


def _quote_within(text: str, budget: int) -> str:
    """`text` quoted, or its longest word-boundary cut (with an ellipsis) whose quoted form has at most `budget` characters."""
    if len(text) <= budget:
        quoted = _quote(text)
        if len(quoted) <= budget:
            return quoted
    room = budget - len(_quote(ELLIPSIS))
    if room < 0:
        return ""
    used = kept = 0
    for character in text:
        used += _quoted_length(character)
        if used > room:
            break
        kept += 1
    # shorten_text keeps at most `kept` characters of the text before its ellipsis.
    return _quote(shorten_text(text, kept + len(ELLIPSIS)))


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
