"""The subscribe control of listing pages: one feed, every way to subscribe to it.

Pure string building on top of `calendar_links.subscribe_links`. The links
are absolute even in a local build: `link_origin` is SITEURL when that is
absolute, otherwise EVENTS_LOCAL_ORIGIN (where `invoke serve` answers).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlencode

from events.site.calendar_links import subscribe_links

__all__ = ["SubscribeControl", "link_origin", "subscribe_control"]


@dataclass(frozen=True)
class SubscribeControl:
    name: str  # the calendar's name, as the calendar app shows it
    https: str
    webcal: str  # Apple Calendar, and Outlook / Thunderbird on the desktop
    google: str
    outlook: str
    local: bool  # the origin is the local default: a script may swap in the origin actually serving the page


def link_origin(site_url: str, local_origin: str) -> str:
    """SITEURL when absolute, else the local origin: links that leave the site must be absolute."""
    return site_url.rstrip("/") if site_url.startswith(("http://", "https://")) else local_origin.rstrip("/")


def subscribe_control(feed_path: str, name: str, site_url: str, local_origin: str) -> SubscribeControl:
    links = subscribe_links(feed_path, link_origin(site_url, local_origin))
    # Outlook.com's "subscribe from web" deeplink takes the https address and a display name.
    outlook = "https://outlook.live.com/calendar/0/addfromweb?" + urlencode({"url": links.https, "name": name}, quote_via=quote)
    return SubscribeControl(name, links.https, links.webcal, links.google, outlook, not site_url.startswith(("http://", "https://")))
