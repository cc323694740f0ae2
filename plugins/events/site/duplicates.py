"""The same event listed by several groups becomes one event, "also listed by" the others.

Pure: a function of the stored events only. Two events of different groups
are the same event when their links are the same page (canonical URL) and
they start within an hour of each other, or when their titles are the same
(ignoring case, punctuation and spacing) and they start within
`TITLE_MINUTES` of each other. The primary, whose page and id are kept, is
chosen deterministically: not cancelled first, then the earliest listed
(`created_at`), then group id and event id.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import replace
from datetime import timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit

from events.models import StoredEvent

__all__ = ["TITLE_MINUTES", "URL_MINUTES", "canonical_url", "merge_duplicates", "title_key"]

URL_MINUTES = 60
TITLE_MINUTES = 15
_TRACKING = re.compile(r"^(utm_|fbclid$|gclid$|mc_[ce]id$|ref$|source$|_ga$|recId$)", re.IGNORECASE)


def canonical_url(url: str) -> str:
    """A link reduced to the page it names: no scheme, www., fragment, tracking parameters or trailing slash."""
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return ""
    host = parts.netloc.lower().removeprefix("www.")
    query = urlencode(sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)))
    path = re.sub(r"/+$", "", parts.path) or ""
    return f"{host}{path}" + (f"?{query}" if query else "")


def title_key(title: str) -> str:
    """A title reduced for comparison: case, accents, punctuation and spacing ignored."""
    text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().casefold()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def merge_duplicates(events: Sequence[StoredEvent]) -> list[StoredEvent]:
    """`events` with each event listed by several groups merged into one, in the input's order."""
    parent = list(range(len(events)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(i: int, j: int) -> None:
        a, b = find(i), find(j)
        if a != b:
            parent[max(a, b)] = min(a, b)

    generic = {canonical_url(website) for website in {s.event.group_website for s in events}} - {""}
    _link_near(events, lambda s: _url_key(s, generic), timedelta(minutes=URL_MINUTES), union)
    _link_near(events, lambda s: title_key(s.event.title) or None, timedelta(minutes=TITLE_MINUTES), union)

    clusters: dict[int, list[int]] = defaultdict(list)
    for index in range(len(events)):
        clusters[find(index)].append(index)
    merged_away: set[int] = set()
    replaced: dict[int, StoredEvent] = {}
    for members in clusters.values():
        if len({events[i].event.group_id for i in members}) < 2:
            continue
        primary = min(members, key=lambda i: _rank(events[i]))
        lead = events[primary].event
        others = [i for i in members if events[i].event.group_id != lead.group_id]
        listed = set(lead.also_listed_by)
        for i in others:
            listed.add(events[i].event.group_id)
            listed.update(events[i].event.also_listed_by)
        listed.discard(lead.group_id)
        merged_away.update(others)
        replaced[primary] = replace(events[primary], event=replace(lead, also_listed_by=tuple(sorted(listed))))
    return [replaced.get(i, stored) for i, stored in enumerate(events) if i not in merged_away]


def _url_key(stored: StoredEvent, generic: set[str]) -> str | None:
    """The canonical link, unless it is only a group's home page (a fallback link, shared by all its events)."""
    key = canonical_url(stored.event.url)
    return key if key and key not in generic else None


def _link_near(
    events: Sequence[StoredEvent],
    key_of: Callable[[StoredEvent], Hashable | None],
    within: timedelta,
    union: Callable[[int, int], None],
) -> None:
    """Union events of different groups with the same key that start within `within` of each other."""
    buckets: dict[Hashable, list[int]] = defaultdict(list)
    for index, stored in enumerate(events):
        key = key_of(stored)
        if key is not None:
            buckets[key].append(index)
    for members in buckets.values():
        if len(members) < 2:
            continue
        members.sort(key=lambda i: events[i].event.start)
        for position, i in enumerate(members):
            for j in members[position + 1 :]:
                if events[j].event.start - events[i].event.start > within:
                    break
                if events[i].event.group_id != events[j].event.group_id:
                    union(i, j)


def _rank(stored: StoredEvent) -> tuple[bool, float, str, str]:
    return (stored.status == "cancelled", stored.created_at.timestamp(), stored.event.group_id, stored.event.event_id)
