"""The "last seen" rules (DESIGN.md): how one group's fetched events change the store.

`plan_sync` is pure: it compares what the store holds for a group with what
its feed gave today and returns the writes, so every rule is testable
without a store and writes stay proportional to change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from events.models import Event, GroupState, StoredEvent
from events.store.base import content_hash

__all__ = ["COUNT_NAMES", "SyncPlan", "next_group_state", "plan_sync"]

COUNT_NAMES = ("added", "updated", "cancelled", "removed", "unchanged")


@dataclass(frozen=True)
class SyncPlan:
    puts: tuple[StoredEvent, ...]
    deletes: tuple[tuple[str, str], ...]
    counts: dict[str, int] = field(default_factory=dict)


def plan_sync(
    existing: Sequence[StoredEvent],
    fetched: Sequence[Event],
    previous: GroupState | None,
    now: datetime,
    window_start: datetime,
) -> SyncPlan:
    """Writes that bring one group's stored events in line with a successful fetch.

    `now` is timezone-aware in the site's timezone; "today" and "yesterday"
    are its calendar days. `window_start` is where the feed was read from:
    stored events that start before it are the archive and are left alone.

    Puts come first in the plan and every key appears once, in puts or in
    deletes: a store that writes puts before deletes can be stopped at any
    point, and planning again from what it holds ends in the same place.
    """
    counts = dict.fromkeys(COUNT_NAMES, 0)
    puts: list[StoredEvent] = []
    stored, stale = _current_copies(existing)
    deletes: list[tuple[str, str]] = [_key(s) for s in stale]
    seen: set[str] = set()

    for event in fetched:
        if event.event_id in seen:
            continue
        seen.add(event.event_id)
        old = stored.get(event.event_id)
        digest = content_hash(event)
        if old is None:
            puts.append(StoredEvent(event, 0, digest, now, now))
            counts["added"] += 1
            continue
        changed = old.content_hash != digest or old.removed
        if not changed and old.last_seen is None:
            counts["unchanged"] += 1
            continue
        puts.append(
            StoredEvent(
                event,
                old.sequence + 1 if changed else old.sequence,
                digest,
                old.created_at,
                now if changed else old.updated_at,
            )
        )
        if old.start.isoformat() != event.start.isoformat():
            deletes.append(_key(old))
        if event.status == "cancelled" and old.status != "cancelled":
            counts["cancelled"] += 1
        elif changed:
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1

    today = now.date()
    previous_success = previous.last_success if previous else None
    for old in stored.values():
        if old.event_id in seen or old.start < window_start:
            continue
        if old.removed:
            if old.event.end < now:
                deletes.append(_key(old))
            continue
        if old.start <= now or old.start.astimezone(now.tzinfo).date() == today:
            # Feeds such as Meetup's drop events once they start; what has
            # started stays as it was, for the archive, at no write.
            counts["unchanged"] += 1
            continue
        last_seen = old.last_seen or previous_success or now
        if last_seen.astimezone(now.tzinfo).date() >= today - timedelta(days=1):
            if old.last_seen is None:
                puts.append(replace(old, last_seen=last_seen))
            counts["unchanged"] += 1
        else:
            puts.append(replace(old, removed=True, sequence=old.sequence + 1, updated_at=now))
            counts["removed"] += 1
    put_keys = {_key(s) for s in puts}
    return SyncPlan(tuple(puts), tuple(k for k in dict.fromkeys(deletes) if k not in put_keys), counts)


def _key(stored: StoredEvent) -> tuple[str, str]:
    return stored.event_id, stored.start.isoformat()


def _current_copies(existing: Sequence[StoredEvent]) -> tuple[dict[str, StoredEvent], list[StoredEvent]]:
    """One stored copy per id, and the stale ones.

    A run interrupted between writing an event's new start and deleting its
    old one leaves two copies of one id; the one written last (higher
    sequence, then later update) is the event, the other is deleted.
    """
    current: dict[str, StoredEvent] = {}
    stale: list[StoredEvent] = []
    for candidate in existing:
        held = current.get(candidate.event_id)
        if held is None:
            current[candidate.event_id] = candidate
            continue
        newer, older = (
            (candidate, held) if (candidate.sequence, candidate.updated_at) > (held.sequence, held.updated_at)
            else (held, candidate)
        )
        current[candidate.event_id] = newer
        stale.append(older)
    return current, stale


def next_group_state(
    previous: GroupState | None,
    group_id: str,
    now: datetime,
    *,
    ok: bool,
    error: str = "",
    events_found: int = 0,
    warnings: Sequence[str] = (),
) -> GroupState | None:
    """The group's new state, or None when writing it would change nothing that day.

    A failed fetch keeps the last success and its event count. Same-day reruns
    with the same result write nothing, so an unchanged rerun costs 0 writes.
    """
    if ok:
        state = GroupState(group_id, now, now, "ok", "", events_found, tuple(warnings))
    else:
        state = GroupState(
            group_id,
            now,
            previous.last_success if previous else None,
            "error",
            error,
            previous.events_found if previous else 0,
            tuple(warnings),
        )
    if previous is not None and previous.last_attempt is not None and _same_but_time(previous, state, now):
        return None
    return state


def _same_but_time(old: GroupState, new: GroupState, now: datetime) -> bool:
    same_day = old.last_attempt is not None and old.last_attempt.astimezone(now.tzinfo).date() == now.date()
    return (
        same_day
        and (old.result, old.error, old.events_found, old.warnings)
        == (new.result, new.error, new.events_found, new.warnings)
        and (old.last_success is None) == (new.last_success is None)
    )
