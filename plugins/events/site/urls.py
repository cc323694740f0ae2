"""Every output path and every link of the site, in one place.

Paths are relative to the output folder, with no leading slash: a page's
path names its folder ("events/abc/"), its file adds "index.html". These
paths are the public interface DESIGN.md fixes; links join them to SITEURL.
"""

from __future__ import annotations

from datetime import date, timedelta

__all__ = [
    "FEED_NAME",
    "OG_IMAGE",
    "SEARCH_PAGE",
    "VIRTUAL_PAGE",
    "absolute_url",
    "api_categories",
    "api_day",
    "api_events",
    "api_group",
    "api_groups",
    "api_locations",
    "api_schema",
    "api_state",
    "api_upcoming",
    "api_virtual",
    "api_week",
    "asset_url",
    "category_page",
    "correction_form",
    "day_page",
    "digest_feed",
    "digest_index",
    "digest_page",
    "digest_text",
    "embed_page",
    "event_form",
    "event_ics",
    "event_page",
    "feed_of",
    "group_form",
    "group_page",
    "index_file",
    "input_schema",
    "month_page",
    "page_url",
    "state_page",
    "submit_index",
    "week_id",
    "week_monday",
    "week_page",
]

FEED_NAME = "events.ics"
VIRTUAL_PAGE = "virtual/"
SEARCH_PAGE = "search/"
OG_IMAGE = "theme/og-card.png"  # the site card social previews show (theme/static/og-card.png)


def absolute_url(site_url: str, path: str) -> str:
    """`path` under SITEURL: absolute in published builds, root-relative ("/a/b/") when SITEURL is empty."""
    return f"{site_url.rstrip('/')}/{path.lstrip('/')}"


def asset_url(site_url: str, path: str, version: str) -> str:
    """A stylesheet's or script's link: `?v=` and a digest of its bytes, so a changed file gets a new URL."""
    return absolute_url(site_url, path) + (f"?v={version}" if version else "")


def page_url(path: str) -> str:
    """The public URL path of an output file: "a/b/index.html" -> "a/b/"."""
    return path.removesuffix("index.html")


def index_file(page: str) -> str:
    """The file that serves a page folder: "a/b/" -> "a/b/index.html"."""
    return f"{page}index.html"


def feed_of(page: str) -> str:
    """The iCalendar feed beside a listing page ("" is the home page: the site's whole feed)."""
    return f"{page}{FEED_NAME}"


def event_page(event_id: str) -> str:
    return f"events/{event_id}/"


def event_ics(event_id: str) -> str:
    """The one-event calendar file beside an event's page."""
    return f"{event_page(event_id)}event.ics"


def day_page(day: date) -> str:
    return f"{day:%Y/%m/%d}/"


def month_page(year: int, month: int) -> str:
    return f"{year:04d}/{month:02d}/"


def week_id(day: date) -> str:
    """ISO 8601 week of `day`, such as 2026-W10; days around New Year can belong to the other year."""
    iso = day.isocalendar()
    return f"{iso.year:04d}-W{iso.week:02d}"


def week_monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_page(day: date) -> str:
    return f"week/{week_id(day)}/"


def state_page(state: str) -> str:
    return f"locations/{state.lower()}/"


def group_page(slug: str) -> str:
    return f"groups/{slug}/"


def category_page(slug: str) -> str:
    return f"categories/{slug}/"


def embed_page(listing_page: str) -> str:
    """The framable compact list of a group, state or category page: "groups/x/" -> "embed/groups/x/"."""
    return f"embed/{listing_page}"


def api_events() -> str:
    return "api/events.json"


def api_upcoming() -> str:
    return "api/events/upcoming.json"


def api_virtual() -> str:
    return "api/events/virtual.json"


def api_day(day: date) -> str:
    return f"api/events/day/{day:%Y-%m-%d}.json"


def api_week(day: date) -> str:
    return f"api/events/week/{week_id(day)}.json"


def api_locations() -> str:
    return "api/locations.json"


def api_state(state: str) -> str:
    return f"api/locations/{state.lower()}.json"


def api_groups() -> str:
    return "api/groups.json"


def api_group(slug: str) -> str:
    return f"api/groups/{slug}.json"


def api_categories() -> str:
    return "api/categories.json"


def api_schema(name: str) -> str:
    return f"api/schema/{name}"


def input_schema(name: str) -> str:
    """The JSON Schema of one kind of input file (group.json, single-event.json, overlay.json)."""
    return f"schemas/{name}"


def submit_index() -> str:
    return "submit/"


def group_form() -> str:
    return "submit/group/"


def event_form() -> str:
    return "submit/event/"


def correction_form() -> str:
    return "submit/correction/"


def digest_index() -> str:
    return "digest/"


def digest_page(day: date) -> str:
    """The email-ready digest of the ISO week holding `day`."""
    return f"digest/{week_id(day)}/"


def digest_text(day: date) -> str:
    """The plain-text digest beside its HTML page."""
    return f"{digest_page(day)}digest.txt"


def digest_feed() -> str:
    return "digest/feed.xml"
