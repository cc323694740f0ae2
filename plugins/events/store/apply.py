"""Apply one group's sync plan to a store: the only step of a sync that writes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from events.collect.sync import SyncPlan, next_group_state, plan_sync
from events.models import Event, GroupState
from events.store.base import Store

__all__ = ["sync_group"]


def sync_group(
    store: Store,
    group_id: str,
    events: Sequence[Event],
    previous: GroupState | None,
    now: datetime,
    window_start: datetime,
    warnings: Sequence[str] = (),
) -> SyncPlan:
    """Read the group's stored events, write what changed, then record the group's state.

    The state goes last: a run stopped before it leaves the previous state,
    so running again plans the same writes and ends where one run would.
    """
    plan = plan_sync(store.group_events(group_id), events, previous, now, window_start)
    store.write(plan.puts, plan.deletes)
    state = next_group_state(previous, group_id, now, ok=True, events_found=len(events), warnings=warnings)
    if state is not None:
        store.put_group_state(state)
    return plan
