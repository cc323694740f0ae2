"""The "last seen" rules (DESIGN.md): how one group's fetched events change the store.

`plan_sync` is pure: it compares what the store holds for a group with what
its feed gave today and returns the writes, so every rule is testable
without a store and writes stay proportional to change.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from events.models import Event, GroupState, StoredEvent
from events.store.base import content_hash

__all__ = [
    "COUNT_NAMES",
    "DROP_MIN_EVENTS",
    "SuspectRule",
    "SyncPlan",
    "next_group_state",
    "plan_sync",
    "suspect_night",
    "suspect_reason",
    "withdrawn_state",
]

COUNT_NAMES = ("added", "updated", "cancelled", "removed", "unchanged")
# The share rule needs at least this many events lost at once: a small feed
# whose one event changed its UID is an edit, not a glitch.
DROP_MIN_EVENTS = 5


@dataclass(frozen=True)
class SuspectRule:
    """When a successful fetch looks like a glitch (EVENTS_EMPTY_FEED_NIGHTS, EVENTS_SUSPECT_DROP_SHARE).

    A feed that had upcoming events and now lists none, or that loses more
    than `drop_share` of them (and at least DROP_MIN_EVENTS) at once, is held
    like a failed fetch for `nights` nights in a row, then accepted.
    `nights` 0 turns the rule off.
    """

    nights: int = 3
    drop_share: float = 0.8


@dataclass(frozen=True)
class SyncPlan:
    puts: tuple[StoredEvent, ...]
    deletes: tuple[tuple[str, str], ...]
    counts: dict[str, int] = field(default_factory=dict)
    suspect: str = ""


def suspect_reason(existing: Sequence[StoredEvent], fetched: Sequence[Event], now: datetime, rule: SuspectRule) -> str:
    """Why this fetch looks like a glitch rather than the group's real calendar, or "".

    Counted are the stored events the "last seen" rules could withdraw (not
    removed, starting after today) and how many of them the feed no longer
    lists; events that started or start today are never counted, since
    feeds such as Meetup's drop events once they start.
    """
    if rule.nights <= 0:
        return ""
    stored, _ = _current_copies(existing)
    today = now.date()
    upcoming = {
        s.event_id for s in stored.values()
        if not s.removed and s.start > now and s.start.astimezone(now.tzinfo).date() > today
    }
    if not upcoming:
        return ""
    listed = {e.event_id for e in fetched}
    lost = len(upcoming - listed)
    if lost == len(upcoming) and not any(e.start > now for e in fetched):
        return f"the feed lists no upcoming events (it had {len(upcoming)})"
    if lost >= DROP_MIN_EVENTS and lost / len(upcoming) > rule.drop_share:
        return f"the feed dropped {lost} of its {len(upcoming)} upcoming events at once"
    return ""


def suspect_night(previous: GroupState | None, now: datetime) -> int:
    """Which night in a row this is of a suspect feed (a rerun on the same day is the same night)."""
    if previous is None:
        return 1
    same_day = previous.last_attempt is not None and previous.last_attempt.astimezone(now.tzinfo).date() == now.date()
    if previous.result == "suspect" and same_day:
        return previous.suspect_nights
    return previous.suspect_nights + 1


def plan_sync(
    existing: Sequence[StoredEvent],
    fetched: Sequence[Event],
    previous: GroupState | None,
    now: datetime,
    window_start: datetime,
    keep: Callable[[StoredEvent], bool] | None = None,
) -> SyncPlan:
    """Writes that bring one group's stored events in line with a successful fetch.

    Stored events for which `keep` is true are left as they are when the
    fetch lacks them (single events whose file is broken).

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
        if keep is not None and keep(old):
            counts["unchanged"] += 1
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
    suspect_nights: int = 0,
    left_out: Sequence[tuple[str, int]] = (),
) -> GroupState | None:
    """The group's new state, or None when writing it would change nothing that day.

    A failed fetch keeps the last success and its event count, and the
    count of suspect nights (a failure between two suspect nights does not
    restart it). `suspect_nights` > 0 with `ok` False records a suspect
    feed: result "suspect", held like a failure. Same-day reruns with the
    same result write nothing, so an unchanged rerun costs 0 writes.
    """
    if ok:
        state = GroupState(group_id, now, now, "ok", "", events_found, tuple(warnings), left_out=tuple(left_out))
    else:
        state = GroupState(
            group_id,
            now,
            previous.last_success if previous else None,
            "suspect" if suspect_nights else "error",
            error,
            previous.events_found if previous else 0,
            tuple(warnings),
            suspect_nights or (previous.suspect_nights if previous else 0),
            previous.left_out if previous else (),
        )
    if previous is not None and previous.last_attempt is not None and _same_but_time(previous, state, now):
        return None
    return state


def _same_but_time(old: GroupState, new: GroupState, now: datetime) -> bool:
    same_day = old.last_attempt is not None and old.last_attempt.astimezone(now.tzinfo).date() == now.date()
    return (
        same_day
        and (old.result, old.error, old.events_found, old.warnings, old.suspect_nights, old.left_out)
        == (new.result, new.error, new.events_found, new.warnings, new.suspect_nights, new.left_out)
        and (old.last_success is None) == (new.last_success is None)
    )


def withdrawn_state(previous: GroupState, now: datetime, why: str, pending: int) -> GroupState | None:
    """The state of a withdrawn group: `pending` events still being withdrawn; None when unchanged that day."""
    state = GroupState(previous.group_id, now, previous.last_success, "withdrawn", why, pending)
    if previous.last_attempt is not None and _same_but_time(previous, state, now):
        return None
    return state
