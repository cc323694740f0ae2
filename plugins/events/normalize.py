"""Occurrence -> Event: ids, time zones, place, attendance, clean text.

Pure: the same occurrence, group and settings always give the same event.
An occurrence the site should not list comes back as a `Skip` with the
reason, which collection logs.
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

import nh3

from .location import place_of
from .models import Event, Group, Occurrence

__all__ = ["Skip", "event_id", "normalize", "plain_text", "sanitize_html"]

_ALLOWED_TAGS = {"a", "p", "br", "ul", "ol", "li", "strong", "em", "b", "i", "code", "pre", "blockquote", "h3", "h4"}
_CANCELLED_TITLE = re.compile(r"^\s*[\[(]?\s*(cancell?ed|canceled)\b[\])]?\s*[:\-–—]?\s*", re.IGNORECASE)
_URL = re.compile(r"https?://[^\s<>\"']+")


@dataclass(frozen=True)
class Skip:
    """An occurrence left out, and why."""

    reason: str


def event_id(group_slug: str, source_uid: str, occurrence_key: str) -> str:
    """Stable id from group + source UID + occurrence; never from title or time."""
    digest = hashlib.sha256(f"{group_slug}\x1f{source_uid}\x1f{occurrence_key}".encode("utf-8")).hexdigest()
    return digest[:20]


def sanitize_html(text: str) -> str:
    """Description HTML with only safe tags and http(s)/mailto links."""
    if not text.strip():
        return ""
    if "<" not in text:
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
        text = "".join(
            "<p>" + _link(html.escape(p)).replace("\n", "<br>") + "</p>" for p in paragraphs
        )
    return nh3.clean(
        text,
        tags=_ALLOWED_TAGS,
        attributes={"a": {"href"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener",
    ).strip()


def plain_text(text: str, limit: int = 300) -> str:
    """One line of plain text for listings, cut at a word boundary."""
    flat = html.unescape(nh3.clean(text.replace("<", " <"), tags=set()))
    flat = " ".join(flat.split())
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1].rsplit(" ", 1)[0].rstrip(",.;:")
    return cut + "…"


def _link(escaped: str) -> str:
    return _URL.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', escaped)


def normalize(
    occurrence: Occurrence,
    group: Group,
    site_tz: ZoneInfo,
    states: tuple[str, ...],
    source_type: str,
) -> Event | Skip:
    title = occurrence.title.strip()
    if not title:
        return Skip("no title")
    lowered = f"{title}\n{occurrence.description}".lower()
    for phrase in group.skip_phrases:
        if phrase.lower() in lowered:
            return Skip(f"matches skip phrase {phrase!r}")
    url = occurrence.url or _first_url(occurrence.description) or group.fallback_url or group.website
    for prefix in group.suppress_urls:
        if url.startswith(prefix):
            return Skip(f"URL {url} is suppressed")
    status = occurrence.status
    if _CANCELLED_TITLE.match(title):
        status = "cancelled"
        title = _CANCELLED_TITLE.sub("", title, count=1) or title
    place = place_of(occurrence.location, occurrence.attendance_mode, occurrence.description, group.default_state)
    if states and place.location_type != "virtual" and place.state and place.state not in states:
        return Skip(f"in {place.state}, outside the site's states")
    tz_name = occurrence.timezone or (group.timezone or site_tz.key)
    end = occurrence.end if occurrence.end > occurrence.start else occurrence.start + (
        timedelta(days=1) if occurrence.all_day else timedelta(hours=1)
    )
    return Event(
        event_id=event_id(group.slug, occurrence.source_uid, occurrence.occurrence_key),
        group_id=group.slug,
        group_name=group.name,
        group_website=group.website,
        title=title,
        start=occurrence.start,
        end=end,
        all_day=occurrence.all_day,
        timezone=tz_name,
        url=url,
        location=place.label,
        city=place.city,
        state=place.state,
        location_type=place.location_type,
        description=sanitize_html(occurrence.description),
        summary=plain_text(occurrence.description),
        categories=tuple(dict.fromkeys(group.categories)),
        status=status,
        source_type=source_type,
        source_uid=occurrence.source_uid,
        cost=occurrence.cost,
    )


def _first_url(text: str) -> str:
    match = _URL.search(text)
    return match.group(0).rstrip(").,;") if match else ""
