"""Apply one group's sync plan to a store: the only step of a sync that writes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from events.collect.sync import (
    COUNT_NAMES,
    SuspectRule,
    SyncPlan,
    next_group_state,
    plan_sync,
    suspect_night,
    suspect_reason,
    withdrawn_state,
)
from events.models import Event, GroupState, StoredEvent
from events.store.base import Store

__all__ = ["sync_group", "withdraw_group", "withdrawal_done"]


def sync_group(
    store: Store,
    group_id: str,
    events: Sequence[Event],
    previous: GroupState | None,
    now: datetime,
    window_start: datetime,
    warnings: Sequence[str] = (),
    rule: SuspectRule | None = None,
    keep: Callable[[StoredEvent], bool] | None = None,
    left_out: Sequence[tuple[str, int]] = (),
) -> SyncPlan:
    """Read the group's stored events, write what changed, then record the group's state.

    With a `rule`, a fetch that looks like a glitch (`suspect_reason`) changes
    none of the group's events for `rule.nights` nights: only its state
    records the suspect night; the night after, the fetch is accepted.

    The state goes last: a run stopped before it leaves the previous state,
    so running again plans the same writes and ends where one run would.
    """
    existing = store.group_events(group_id)
    reason = suspect_reason(existing, events, now, rule) if rule else ""
    notes = list(warnings)
    if reason and rule:
        night = suspect_night(previous, now)
        if night <= rule.nights:
            message = f"{reason}; its events are kept (suspect night {night} of {rule.nights})"
            state = next_group_state(previous, group_id, now, ok=False, error=message, warnings=warnings, suspect_nights=night)
            if state is not None:
                store.put_group_state(state)
            return SyncPlan((), (), dict.fromkeys(COUNT_NAMES, 0), message)
        notes.append(f"{reason}; accepted after {rule.nights} suspect night(s)")
    plan = plan_sync(existing, events, previous, now, window_start, keep)
    store.write(plan.puts, plan.deletes)
    state = next_group_state(previous, group_id, now, ok=True, events_found=len(events), warnings=notes, left_out=left_out)
    if state is not None:
        store.put_group_state(state)
    return plan


def withdraw_group(store: Store, previous: GroupState, now: datetime, window_start: datetime, why: str) -> SyncPlan:
    """Withdraw a group whose file is gone or says `active: false`, as if its feed listed nothing.

    Its future events follow the "last seen" rules of an event that left its
    feed: kept while seen yesterday or today, then published as cancelled
    until they would have ended, then deleted; past ones stay in the archive.
    The state counts the events still to withdraw; at 0 the group is done
    and later runs skip it without a read.
    """
    existing = store.group_events(previous.group_id)
    plan = plan_sync(existing, (), previous, now, window_start)
    store.write(plan.puts, plan.deletes)
    gone = set(plan.deletes)
    after = {(s.event_id, s.start.isoformat()): s for s in existing if (s.event_id, s.start.isoformat()) not in gone}
    after.update({(s.event_id, s.start.isoformat()): s for s in plan.puts})
    pending = sum(1 for s in after.values() if s.event.end >= now)
    state = withdrawn_state(previous, now, why, pending)
    if state is not None:
        store.put_group_state(state)
    return plan


def withdrawal_done(previous: GroupState) -> bool:
    """A withdrawn group with nothing left to withdraw: no read, no write."""
    return previous.result == "withdrawn" and previous.events_found == 0
