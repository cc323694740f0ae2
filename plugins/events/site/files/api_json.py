"""The static JSON files of the output contract, and /health.json.

Which events each file holds:
- `api/events.json`: every event the site has a page for (the archive of
  the last EVENTS_ARCHIVE_DAYS days and everything upcoming);
- `api/events/upcoming.json`: events that have not ended (end >= now);
- `api/events/virtual.json`: upcoming online and hybrid events;
- `api/events/day/<date>.json`, `api/events/week/<week>.json`: every event
  touching that local day or ISO week (a multi-day event is in each);
- `api/locations/<state>.json`, `api/groups/<group>.json`: upcoming events,
  chosen by the same rule as the matching `.ics` feed (`feeds.feed_keys`).

Each event record is built once per build and shared by every file.
JSON is compact with sorted keys, so the same data always gives the same bytes.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from events.models import Group, GroupState
from events.site.event_view import EventView, days_spanned
from events.site.records import Artifact, SiteInfo
from events.site.urls import (
    absolute_url,
    api_categories,
    api_day,
    api_events,
    api_group,
    api_groups,
    api_locations,
    api_state,
    api_upcoming,
    api_virtual,
    api_week,
    category_page,
    feed_of,
    group_page,
    state_page,
    week_id,
    week_monday,
)
from events.version import __version__

__all__ = ["ApiPlanner", "dump_json", "event_record", "events_json", "health", "splice_listing"]


def event_record(view: EventView, site_url: str = "") -> dict[str, Any]:
    stored = view.stored
    event = view.event
    return {
        "id": event.event_id,
        "title": event.title,
        "start": view.start.isoformat(),
        "end": view.end.isoformat(),
        "timezone": event.timezone,
        "all_day": event.all_day,
        "url": event.url,
        "page": absolute_url(site_url, view.url),
        "location": event.location,
        "city": event.city,
        "state": event.state,
        "location_type": event.location_type,
        "group_id": event.group_id,
        "group_name": event.group_name,
        "also_listed_by": list(event.also_listed_by),
        "categories": list(event.categories),
        "status": view.status,
        "summary": event.summary,
        "created": stored.created_at.isoformat(),
        "updated": stored.updated_at.isoformat(),
        "sequence": stored.sequence,
    }




def _encode(data: Any) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def dump_json(data: Any) -> bytes:
    """Sorted, stable JSON: the same data always gives the same bytes."""
    return (_encode(data) + "\n").encode("utf-8")


# Stands in for the event list while the envelope is encoded; the encoded records replace it.
_SLOT = "\x00events\x00"


def splice_listing(envelope: dict[str, Any], encoded_records: Sequence[str]) -> bytes:
    """`dump_json({**envelope, "events": records})`, from records each encoded once per build.

    An event sits in up to a dozen files (all, upcoming, day, week, state,
    group...); encoding it once and joining the strings keeps JSON output
    linear in the number of events. The bytes equal dump_json's (tested).
    """
    head = _encode({**envelope, "events": _SLOT})
    return (head.replace(_encode(_SLOT), "[" + ",".join(encoded_records) + "]", 1) + "\n").encode("utf-8")


def events_json(views: Sequence[EventView]) -> bytes:
    return dump_json({"count": len(views), "events": [event_record(v) for v in views]})






@dataclass
class ApiPlanner:
    """Plans the JSON files of one build; records are rendered once and shared.

    `views` are every event in the window, sorted by start; `upcoming` those
    not yet ended; `members` the feed index of the upcoming ones.
    """

    site: SiteInfo
    now: datetime
    views: Sequence[EventView]
    upcoming: Sequence[EventView]
    members: Mapping[tuple[str, str], Sequence[EventView]]

    def __post_init__(self) -> None:
        # Keyed by identity: the views live for the whole build, and ids need not be unique across starts.
        self._records = {id(v): _encode(event_record(v, self.site.url)) for v in self.views}
        self._by_day: dict[date, list[EventView]] = defaultdict(list)
        self._by_week: dict[date, list[EventView]] = defaultdict(list)
        for view in self.views:
            spanned = days_spanned(view)
            for day in spanned:
                self._by_day[day].append(view)
            for monday in {week_monday(d) for d in spanned}:
                self._by_week[monday].append(view)

    def _listing(self, views: Iterable[EventView], **extra: Any) -> bytes:
        records = [self._records[id(v)] for v in views]
        return splice_listing({**extra, "count": len(records)}, records)

    def artifacts(self) -> Iterator[Artifact]:
        """Each file as it is made: the caller writes it and lets it go (a national site's JSON is hundreds of megabytes)."""
        yield Artifact(api_events(), self._listing(self.views))
        yield Artifact(api_upcoming(), self._listing(self.upcoming))
        yield Artifact(api_virtual(), self._listing(self.members.get(("virtual", ""), ())))
        yield from self._days()
        yield from self._weeks()
        yield from self._locations()
        yield from self._groups()
        yield self._categories()

    def _days(self) -> Iterator[Artifact]:
        days = self._by_day
        for day in sorted(days):
            yield Artifact(api_day(day), self._listing(days[day], date=day.isoformat()))

    def _weeks(self) -> Iterator[Artifact]:
        weeks = self._by_week
        mondays = sorted(weeks)
        for index, monday in enumerate(mondays):
            previous = week_id(mondays[index - 1]) if index > 0 else None
            following = week_id(mondays[index + 1]) if index + 1 < len(mondays) else None
            yield Artifact(
                api_week(monday),
                self._listing(
                    weeks[monday],
                    week=week_id(monday),
                    start=monday.isoformat(),
                    end=(monday + timedelta(days=6)).isoformat(),
                    previous=previous,
                    next=following,
                ),
            )

    def _states(self) -> list[str]:
        if self.site.states:
            return list(self.site.states)
        return sorted({key for kind, key in self.members if kind == "state"})

    def _locations(self) -> list[Artifact]:
        summary = []
        files = []
        for state in self._states():
            chosen = self.members.get(("state", state), ())
            slug = state.lower()
            files.append(Artifact(api_state(slug), self._listing(chosen, state=state)))
            summary.append(
                {
                    "state": state,
                    "upcoming": len(chosen),
                    "api": absolute_url(self.site.url, api_state(slug)),
                    "page": absolute_url(self.site.url, state_page(slug)),
                    "feed": absolute_url(self.site.url, feed_of(state_page(slug))),
                }
            )
        return [Artifact(api_locations(), dump_json({"locations": summary})), *files]

    def _groups(self) -> list[Artifact]:
        summaries = []
        files = []
        for group in sorted(self.site.groups, key=lambda g: g.slug):
            chosen = self.members.get(("group", group.slug), ())
            record = group_record(group, self.site.group_states.get(group.slug), len(chosen), self.site.url)
            summaries.append(record)
            files.append(Artifact(api_group(group.slug), self._listing(chosen, group=record)))
        return [Artifact(api_groups(), dump_json({"count": len(summaries), "groups": summaries})), *files]

    def _categories(self) -> Artifact:
        rows = [
            {
                "slug": slug,
                "name": name,
                "upcoming": len(self.members.get(("category", slug), ())),
                "page": absolute_url(self.site.url, category_page(slug)),
                "feed": absolute_url(self.site.url, feed_of(category_page(slug))),
            }
            for slug, name in sorted(self.site.categories.items())
        ]
        return Artifact(api_categories(), dump_json({"categories": rows}))


def group_record(group: Group, state: GroupState | None, upcoming: int, site_url: str) -> dict[str, Any]:
    def instant(moment: datetime | None) -> str | None:
        return moment.isoformat() if moment else None

    return {
        "id": group.slug,
        "name": group.name,
        "website": group.website,
        "categories": list(group.categories),
        "active": group.active,
        "upcoming": upcoming,
        "page": absolute_url(site_url, group_page(group.slug)),
        "api": absolute_url(site_url, api_group(group.slug)),
        "feed": absolute_url(site_url, feed_of(group_page(group.slug))),
        "last_fetch": {
            "result": state.result if state else "never",
            "last_attempt": instant(state.last_attempt if state else None),
            "last_success": instant(state.last_success if state else None),
            "events_found": state.events_found if state else 0,
        },
    }


def health(views: Sequence[EventView], upcoming: int, now: datetime, site: SiteInfo) -> dict[str, Any]:
    """What an uptime monitor reads: a stale build_time or newest start means the nightly run stopped."""
    active = [g for g in site.groups if g.active]
    ok = sum(1 for g in active if (state := site.group_states.get(g.slug)) is not None and state.result == "ok")
    newest = max((v.start for v in views), default=None)
    return {
        "build_time": now.isoformat(),
        "version": __version__,
        "events": len(views),
        "upcoming": upcoming,
        "groups_ok": ok,
        "groups_failed": len(active) - ok,
        "newest_event_start": newest.isoformat() if newest else None,
    }
