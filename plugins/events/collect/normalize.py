"""Occurrence -> Event: ids, time zones, place, attendance, clean text.

Pure: the same occurrence, group and settings always give the same event.
An occurrence the site should not list comes back as a `Skip` with the
reason, which collection logs.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import cast
from zoneinfo import ZoneInfo

import nh3

from events.collect.location import place_of
from events.inputs.overlays import Overlay
from events.models import Event, Group, Occurrence

__all__ = ["Skip", "apply_overlay", "event_id", "normalize", "plain_text", "sanitize_html"]

_ALLOWED_TAGS = {"a", "p", "br", "ul", "ol", "li", "strong", "em", "b", "i", "code", "pre", "blockquote", "h3", "h4"}
_CANCELLED_TITLE = re.compile(r"^\s*[\[(]?\s*(cancell?ed|canceled)\b[\])]?\s*[:\-–—]?\s*", re.IGNORECASE)
_HREFLESS_LINK = re.compile(r'<a rel="nofollow noopener">(.*?)</a>', re.DOTALL)
_URL = re.compile(r"https?://[^\s<>\"']+")


@dataclass(frozen=True)
class Skip:
    """An occurrence left out, and why. `duplicate_of` names the event an overlay says it repeats."""

    reason: str
    duplicate_of: str = ""
    kind: str = field(default="other", compare=False)  # the reason's key in a group's left-out counts


def event_id(group_slug: str, source_uid: str, occurrence_key: str) -> str:
    """Stable id from group + source UID + occurrence; never from title or time."""
    digest = hashlib.sha256(f"{group_slug}\x1f{source_uid}\x1f{occurrence_key}".encode()).hexdigest()
    return digest[:20]


def sanitize_html(text: str) -> str:
    """Description HTML with only safe tags and http(s) links."""
    if not text.strip():
        return ""
    if "<" not in text:
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
        text = "".join(
            "<p>" + _link(html.escape(p)).replace("\n", "<br>") + "</p>" for p in paragraphs
        )
    cleaned = nh3.clean(
        text,
        tags=_ALLOWED_TAGS,
        attributes={"a": {"href"}},
        url_schemes={"http", "https"},
        link_rel="nofollow noopener",
    ).strip()
    # nh3 drops an unsafe href but keeps its <a>; a link that goes nowhere is just text.
    return _HREFLESS_LINK.sub(r"\1", cleaned)


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
    overlays: Mapping[str, Overlay] | None = None,
    known_categories: Collection[str] = (),
) -> Event | Skip:
    """The event the site shows for one occurrence, or why it is left out.

    Field rules: a title and a start are required. `overlays` (by event id)
    correct the event before the states rule is applied, so a corrected
    address counts. Occurrence categories are kept only when they are among
    `known_categories` (the site's slugs); a group's categories always are.
    """
    title = " ".join((occurrence.title or "").split())
    if not title:
        return Skip("no title", kind="no_title")
    if not isinstance(cast(object, occurrence.start), datetime):  # adapters are not type-checked at run time
        return Skip("no start", kind="no_start")
    lowered = f"{title}\n{occurrence.description}".lower()
    for phrase in group.skip_phrases:
        if phrase.lower() in lowered:
            return Skip(f"matches skip phrase {phrase!r}", kind="skip_phrase")
    url = _http(occurrence.url) or _first_url(occurrence.description) or group.fallback_url or group.website
    for prefix in group.suppress_urls:
        if url.startswith(prefix):
            return Skip(f"URL {url} is suppressed", kind="suppressed_url")
    status = occurrence.status
    if _CANCELLED_TITLE.match(title):
        status = "cancelled"
        title = _CANCELLED_TITLE.sub("", title, count=1) or title
    tz_name = occurrence.timezone or (group.timezone or site_tz.key)
    start = occurrence.start if occurrence.start.tzinfo else occurrence.start.replace(tzinfo=ZoneInfo(tz_name))
    end = occurrence.end if isinstance(occurrence.end, datetime) else start
    end = end if end.tzinfo else end.replace(tzinfo=start.tzinfo)
    if end <= start:
        end = start + (timedelta(days=1) if occurrence.all_day else timedelta(hours=1))
    place = place_of(occurrence.location, occurrence.attendance_mode, occurrence.description, group.default_state)
    extra = tuple(c for c in occurrence.categories if c in known_categories)
    event = Event(
        event_id=event_id(group.slug, occurrence.source_uid, occurrence.occurrence_key),
        group_id=group.slug,
        group_name=group.name,
        group_website=group.website,
        title=title,
        start=start,
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
        categories=tuple(dict.fromkeys((*group.categories, *extra))),
        status=status,
        source_type=source_type,
        source_uid=occurrence.source_uid,
        cost=occurrence.cost,
    )
    overlay = (overlays or {}).get(event.event_id)
    if overlay is not None:
        corrected = apply_overlay(event, overlay, group.default_state)
        if isinstance(corrected, Skip):
            return corrected
        event = corrected
    if states and event.location_type != "virtual" and event.state and event.state not in states:
        return Skip(f"in {event.state}, outside the site's states", kind="outside_states")
    return event


def apply_overlay(event: Event, overlay: Overlay, default_state: str = "") -> Event | Skip:
    """The event as an overlay corrects it, or a Skip when the overlay hides it."""
    note = f" ({overlay.reason})" if overlay.reason else ""
    if overlay.hide:
        return Skip(f"hidden by an overlay{note}", kind="hidden")
    if overlay.duplicate_of:
        return Skip(f"duplicate of {overlay.duplicate_of} by an overlay{note}", duplicate_of=overlay.duplicate_of, kind="duplicate")
    changes: dict[str, object] = {}
    if overlay.title is not None:
        changes["title"] = overlay.title
    if overlay.categories is not None:
        changes["categories"] = overlay.categories
    if overlay.location is not None:
        place = place_of(overlay.location, "", "", default_state)
        changes.update(location=place.label, city=place.city, state=place.state, location_type=place.location_type)
    if overlay.location_type is not None:
        changes["location_type"] = overlay.location_type
        if overlay.location_type == "virtual":
            changes.update(city="", state="")
    return event.with_changes(**changes) if changes else event


def _http(url: str) -> str:
    """The URL when it is an http(s) link; feeds sometimes give mailto:, javascript: or nothing."""
    text = (url or "").strip()
    return text if text.lower().startswith(("http://", "https://")) else ""


def _first_url(text: str) -> str:
    match = _URL.search(text)
    return match.group(0).rstrip(").,;") if match else ""
