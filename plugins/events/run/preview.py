"""What a group's feed would put on the site, without writing anything.

For pull requests that add or change a group file: fetch the feed, parse
and normalize it with the collection code, and list the next few events so
the contributor and the reviewer see the result. No store is opened and the
HTTP cache lives in memory, so a preview leaves no trace.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from events.clock import Clock, collection_window
from events.collect.collector import Collector
from events.collect.fetch import Fetcher
from events.collect.sources.registry import SOURCES
from events.models import Event, Group
from events.run.outcome import Outcome
from events.settings import EventsSettings

__all__ = ["LOOK_AHEAD_DAYS", "LOOK_BACK_DAYS", "GroupPreview", "format_preview", "horizon_hint", "next_events", "preview_command", "preview_groups"]

# How far a preview looks past the window when the window holds no upcoming event.
LOOK_AHEAD_DAYS = 5 * 366
LOOK_BACK_DAYS = 3 * 366


@dataclass(frozen=True)
class GroupPreview:
    group: Group
    ok: bool
    error: str = ""
    events: tuple[Event, ...] = ()
    left_out: tuple[str, ...] = ()
    hint: str = ""


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
    if preview.hint:
        lines.append(f"  {preview.hint}")
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
    empty = [p.group for p in previews if p.ok and not any(e.end > now for e in p.events)]
    if empty:
        hints = _hints_beyond_window(settings, empty, fetcher, now)
        previews = [replace(p, hint=hints.get(p.group.slug, "")) if p.group in empty else p for p in previews]
    return previews


def horizon_hint(events: Sequence[Event], now: datetime, horizon_days: int, tz: ZoneInfo) -> str:
    """For a feed with nothing upcoming in the window: when its next (or last) event is, and how to see it."""
    _, window_end = collection_window(now, horizon_days)
    later = sorted(e.start for e in events if e.start >= window_end)
    earlier = sorted(e.start for e in events if e.end <= now)
    head = f"no event in the next {horizon_days} days"
    if later:
        first = later[0].astimezone(tz)
        needed = -(-((first.date() - now.date()).days + 1) // 10) * 10  # whole tens of days, past the event's day
        return f"{head}; the feed's next event is on {first:%Y-%m-%d}: set EVENTS_HORIZON_DAYS={needed} to see it"
    if earlier:
        return f"{head}; the feed's last event was on {earlier[-1].astimezone(tz):%Y-%m-%d}"
    start, end = collection_window(now - timedelta(days=LOOK_BACK_DAYS), LOOK_BACK_DAYS + LOOK_AHEAD_DAYS)
    return f"{head}; the feed lists no event from {start:%Y-%m-%d} to {end:%Y-%m-%d}"


def _hints_beyond_window(settings: EventsSettings, groups: Sequence[Group], fetcher: Fetcher, now: datetime) -> dict[str, str]:
    """Read the groups again over years around `now` (the fetcher's in-memory cache answers) to say what lies outside the window."""
    wide = replace(settings, horizon_days=LOOK_BACK_DAYS + LOOK_AHEAD_DAYS)
    # The window runs from the day before the clock's "now" to the horizon: a clock set back reads the past too.
    clock = Clock(settings.timezone, now - timedelta(days=LOOK_BACK_DAYS))
    hints = {}
    for result in Collector(wide, None, fetcher, clock).read(groups):
        if result.ok:
            hints[result.group.slug] = horizon_hint(result.events, now, settings.horizon_days, settings.timezone)
    return hints


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
