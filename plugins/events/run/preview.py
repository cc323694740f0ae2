"""What a group's feed would put on the site, without writing anything.

For pull requests that add or change a group file: fetch the feed, parse
and normalize it with the collection code, and list the next few events so
the contributor and the reviewer see the result. No store is opened and the
HTTP cache lives in memory, so a preview leaves no trace.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from events.clock import Clock
from events.collect.collector import Collector
from events.collect.fetch import Fetcher
from events.collect.sources.registry import SOURCES
from events.models import Event, Group
from events.run.outcome import Outcome
from events.settings import EventsSettings

__all__ = ["GroupPreview", "format_preview", "next_events", "preview_command", "preview_groups"]


@dataclass(frozen=True)
class GroupPreview:
    group: Group
    ok: bool
    error: str = ""
    events: tuple[Event, ...] = ()
    left_out: tuple[str, ...] = ()


def next_events(events: Sequence[Event], now: datetime, limit: int) -> tuple[Event, ...]:
    """The first `limit` events that have not ended, by start time."""
    upcoming = sorted((e for e in events if e.end > now), key=lambda e: (e.start, e.title, e.event_id))
    return tuple(upcoming[:limit])


def _place(event: Event) -> str:
    if event.location_type == "virtual":
        return "online"
    return event.location or "(no place given)"


def format_preview(preview: GroupPreview, now: datetime, tz: ZoneInfo, limit: int = 5) -> list[str]:
    """Lines for one group: a heading, then title, local time and place of the next events."""
    group = preview.group
    if not preview.ok:
        return [f"{group.slug} ({group.name}): FAILED, {preview.error}"]
    upcoming = [e for e in preview.events if e.end > now]
    shown = next_events(preview.events, now, limit)
    lines = [
        f"{group.slug} ({group.name}): {len(upcoming)} upcoming event(s)"
        + (f", {len(preview.left_out)} left out" if preview.left_out else "")
        + (f"; the next {len(shown)}:" if shown else "; the feed lists none in the window")
    ]
    for event in shown:
        when = "all day " + f"{event.start:%a %Y-%m-%d}" if event.all_day else f"{event.start.astimezone(tz):%a %Y-%m-%d %H:%M %Z}"
        status = " [cancelled]" if event.status == "cancelled" else ""
        lines.append(f"  {when}  {event.title}{status}  @ {_place(event)}")
    # Why events are missing is what a contributor asks next.
    for reason in preview.left_out[:limit]:
        lines.append(f"  left out: {reason}")
    if len(preview.left_out) > limit:
        lines.append(f"  left out: ... and {len(preview.left_out) - limit} more")
    return lines


def preview_groups(
    settings: EventsSettings, groups: Sequence[Group], fetcher: Fetcher, now: datetime
) -> list[GroupPreview]:
    """Read each group's calendar the way collection does (every adapter, further pages, enrichment); nothing is stored."""
    previews = []
    readable = [g for g in groups if g.source_type in SOURCES]
    clock = Clock(settings.timezone, now)
    read = {r.group.slug: r for r in Collector(settings, None, fetcher, clock).read(readable)}
    for group in groups:
        if group.source_type not in SOURCES:
            previews.append(GroupPreview(group, False, f"no preview for source type {group.source_type!r} yet"))
            continue
        if not group.active:
            previews.append(GroupPreview(group, False, "the group is not active (active: false)"))
            continue
        result = read[group.slug]
        if not result.ok:
            previews.append(GroupPreview(group, False, result.error))
            continue
        previews.append(GroupPreview(group, True, "", result.events, result.warnings))
    return previews


def preview_command(settings: EventsSettings, files: Sequence[Path], count: int) -> Outcome:
    """`invoke preview`: the problems of the given group files, then each feed's next `count` events."""
    from events.run.collection import make_fetcher
    from events.run.validate import validate_files

    if not files:
        return Outcome((), "name the group files to preview: invoke preview --files _groups/NAME.yaml")
    loaded = validate_files(settings, files)
    lines = [str(problem) for problem in loaded.problems]
    # The same bounds and address rule as collection; an in-memory HTTP cache, so a preview leaves nothing behind.
    fetcher = make_fetcher(settings, in_memory=True)
    now = settings.clock.now()
    try:
        previews = preview_groups(settings, loaded.groups, fetcher, now)
    finally:
        fetcher.close()
    for group_preview in previews:
        lines += format_preview(group_preview, now, settings.timezone, count)
    failed = [p for p in previews if not p.ok]
    failure = f"{len(loaded.problems)} problem(s) in group files, {len(failed)} feed(s) failed" if loaded.problems or failed else ""
    return Outcome(tuple(lines), failure)
