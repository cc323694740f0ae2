"""The "last seen" rules, as a pure function over simulated days."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from factories import make_event

from events.collect.sync import next_group_state, plan_sync
from events.models import Event, GroupState, StoredEvent

NY = ZoneInfo("America/New_York")
DAY1 = datetime(2026, 3, 2, 3, 0, tzinfo=NY)


class Store:
    """A dict of stored events, applying plans as a store would."""

    def __init__(self) -> None:
        self.items: dict[str, StoredEvent] = {}
        self.state: GroupState | None = None

    def run(self, fetched: list[Event], now: datetime):
        window_start = datetime.combine(now.date() - timedelta(days=1), datetime.min.time(), NY)
        plan = plan_sync(list(self.items.values()), fetched, self.state, now, window_start)
        for key in plan.deletes:
            self.items.pop(key[0], None)
        for put in plan.puts:
            self.items[put.event_id] = put
        self.state = next_group_state(self.state, "g", now, ok=True, events_found=len(fetched)) or self.state
        return plan


def test_new_then_unchanged_rerun_writes_nothing():
    store = Store()
    feed = [make_event("a", DAY1 + timedelta(days=3)), make_event("b", DAY1 + timedelta(days=5))]
    first = store.run(feed, DAY1)
    again = store.run(feed, DAY1 + timedelta(hours=2))
    assert first.counts["added"] == 2 and len(first.puts) == 2
    assert again.puts == () and again.deletes == () and again.counts["unchanged"] == 2


def test_edited_event_keeps_id_and_sequence_rises():
    store = Store()
    store.run([make_event("a", DAY1 + timedelta(days=3))], DAY1)
    plan = store.run([make_event("a", DAY1 + timedelta(days=3, hours=1), title="New title")], DAY1 + timedelta(days=1))
    assert plan.counts["updated"] == 1
    assert store.items["a"].sequence == 1 and store.items["a"].event.title == "New title"
    assert len(plan.deletes) == 1  # the old start was the old sort key


def test_dropped_event_is_kept_for_a_day_then_published_cancelled():
    store = Store()
    future = make_event("a", DAY1 + timedelta(days=10))
    store.run([future], DAY1)
    day2 = store.run([], DAY1 + timedelta(days=1))
    assert day2.counts["unchanged"] == 1 and not store.items["a"].removed
    assert store.items["a"].last_seen == DAY1
    day3 = store.run([], DAY1 + timedelta(days=2))
    assert day3.counts["removed"] == 1
    assert store.items["a"].removed and store.items["a"].status == "cancelled"
    assert store.items["a"].sequence == 1


def test_event_starting_today_is_kept_even_when_dropped():
    store = Store()
    store.run([make_event("a", DAY1 + timedelta(days=2, hours=15))], DAY1)
    later = DAY1 + timedelta(days=2)
    store.state = GroupState("g", DAY1 - timedelta(days=5), DAY1 - timedelta(days=5), "ok")
    plan = store.run([], later)
    assert plan.counts["removed"] == 0 and "a" in store.items and not store.items["a"].removed


def test_cancelled_in_feed_is_counted_as_cancelled():
    store = Store()
    store.run([make_event("a", DAY1 + timedelta(days=3))], DAY1)
    plan = store.run([make_event("a", DAY1 + timedelta(days=3), status="cancelled")], DAY1 + timedelta(days=1))
    assert plan.counts["cancelled"] == 1 and store.items["a"].sequence == 1


def test_next_day_unchanged_writes_only_the_group_state():
    store = Store()
    feed = [make_event("a", DAY1 + timedelta(days=3))]
    store.run(feed, DAY1)
    plan = store.run(feed, DAY1 + timedelta(days=1))
    assert plan.puts == ()
    assert next_group_state(store.state, "g", DAY1 + timedelta(days=1, hours=1), ok=True, events_found=1) is None
    assert next_group_state(store.state, "g", DAY1 + timedelta(days=2), ok=True, events_found=1) is not None
