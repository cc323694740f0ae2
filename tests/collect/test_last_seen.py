"""The "last seen" rules over simulated days, through the real Collector, a real HTTP feed server and both stores."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from storedata import DAY1, count_writes, snapshot, spec

from events.collect.collector import CollectReport
from events.models import StoredEvent

FAR = DAY1 + timedelta(days=20)


def by_uid(store: Any) -> dict[str, StoredEvent]:
    found = store.window(DAY1 - timedelta(days=30), DAY1 + timedelta(days=120))
    return {s.event.source_uid: s for s in found}


def group_report(report: CollectReport, slug: str):
    return next(g for g in report.groups if g.group_id == slug)


def test_unchanged_rerun_writes_nothing_and_next_day_only_the_group_states(open_test_store, feeds):
    store = open_test_store()
    feeds.publish("alpha", [spec(f"a{n}", DAY1 + timedelta(days=n + 1)) for n in range(30)])
    feeds.publish("beta", [spec(f"b{n}", DAY1 + timedelta(days=n, hours=10)) for n in range(5)])
    writes = count_writes(store)
    first = feeds.collect(store, DAY1)
    assert first.totals()["added"] == 35 and writes() == 35 + 2

    writes = count_writes(store)
    rerun = feeds.collect(store, DAY1 + timedelta(hours=3))
    assert writes() == 0
    assert rerun.totals()["unchanged"] == 35 and rerun.totals()["added"] == 0

    writes = count_writes(store)
    next_day = feeds.collect(store, DAY1 + timedelta(days=1))
    assert writes() == len(feeds.groups)
    assert next_day.totals()["unchanged"] == 35
    assert {s.last_success for s in store.group_states().values()} == {DAY1 + timedelta(days=1)}


# Each run: (hours after DAY1, uids in alpha's feed or None when the fetch fails).
DROPS = {
    "dropped-today": ([(0, "ab"), (3, "a")], "kept"),
    "dropped-yesterday": ([(0, "ab"), (24, "a")], "kept"),
    "dropped-two-days-ago": ([(0, "ab"), (24, "a"), (48, "a")], "cancelled"),
    "dropped-last-week": ([(0, "ab"), *[(24 * d, None) for d in range(1, 7)], (24 * 7, "a")], "cancelled"),
    "feed-failing-for-days": ([(0, "ab"), (24, None), (48, None), (72, None)], "kept"),
    "back-after-being-cancelled": ([(0, "ab"), (24, "a"), (48, "a"), (72, "ab")], "kept"),
}


@pytest.mark.parametrize("name", sorted(DROPS))
def test_event_missing_from_its_feed(open_test_store, feeds, name):
    runs, outcome = DROPS[name]
    store = open_test_store()
    events = {"a": spec("a", FAR), "b": spec("b", FAR + timedelta(days=1))}
    for hours, uids in runs:
        feeds.publish("alpha", None if uids is None else [events[u] for u in uids])
        feeds.collect(store, DAY1 + timedelta(hours=hours))
    b = by_uid(store)["b"]
    assert b.status == ("cancelled" if outcome == "cancelled" else "confirmed")
    assert b.removed == (outcome == "cancelled")
    assert by_uid(store)["a"].status == "confirmed"


def test_dropped_future_event_costs_one_write_to_note_then_one_to_cancel(open_test_store, feeds):
    store = open_test_store()
    feeds.publish("alpha", [spec("a", FAR), spec("b", FAR + timedelta(days=1))])
    feeds.collect(store, DAY1)
    feeds.publish("alpha", [spec("a", FAR)])

    writes = count_writes(store)
    day2 = group_report(feeds.collect(store, DAY1 + timedelta(days=1)), "alpha")
    assert writes() == 1 + 2  # b's last_seen, then both groups' states
    assert day2.counts["removed"] == 0 and by_uid(store)["b"].last_seen == DAY1

    writes = count_writes(store)
    day3 = group_report(feeds.collect(store, DAY1 + timedelta(days=2)), "alpha")
    assert writes() == 1 + 2
    assert day3.counts["removed"] == 1
    assert by_uid(store)["b"].sequence == 1 and by_uid(store)["b"].status == "cancelled"

    writes = count_writes(store)
    feeds.collect(store, DAY1 + timedelta(days=3))
    assert writes() == 2


def test_failed_fetch_changes_none_of_the_groups_events(open_test_store, feeds):
    store = open_test_store()
    feeds.publish("alpha", [spec("a", FAR), spec("b", FAR + timedelta(days=1))])
    feeds.publish("beta", [spec("c", FAR)])
    feeds.collect(store, DAY1)
    events_before, states_before = snapshot(store)

    feeds.publish("alpha", None)
    writes = count_writes(store)
    report = feeds.collect(store, DAY1 + timedelta(days=1))
    assert not group_report(report, "alpha").ok and group_report(report, "beta").ok
    assert snapshot(store)[0] == events_before
    assert writes() == 2  # the two group states: alpha's error, beta's success
    alpha = store.group_states()["alpha"]
    assert alpha.result == "error" and "404" in alpha.error
    assert alpha.last_success == states_before["alpha"].last_success == DAY1

    writes = count_writes(store)
    feeds.collect(store, DAY1 + timedelta(days=1, hours=2))
    assert writes() == 0


def test_event_starting_today_is_kept_when_dropped(open_test_store, feeds):
    store = open_test_store()
    today_evening = DAY1 + timedelta(days=2, hours=10)
    tomorrow = DAY1 + timedelta(days=3, hours=10)
    feeds.publish("alpha", [spec("today", today_evening), spec("tomorrow", tomorrow), spec("stays", FAR)])
    feeds.collect(store, DAY1)
    feeds.publish("alpha", None)
    feeds.collect(store, DAY1 + timedelta(days=1))  # a failed day: last success stays DAY1
    feeds.publish("alpha", [spec("stays", FAR)])
    report = group_report(feeds.collect(store, DAY1 + timedelta(days=2)), "alpha")
    events = by_uid(store)
    assert events["today"].status == "confirmed" and not events["today"].removed
    assert events["tomorrow"].status == "cancelled"
    assert report.counts["removed"] == 1


def test_started_event_leaving_the_feed_stays_in_the_archive_at_no_cost(open_test_store, feeds):
    store = open_test_store()
    tonight = DAY1 + timedelta(hours=9)
    feeds.publish("alpha", [spec("tonight", tonight), spec("later", FAR)])
    feeds.collect(store, DAY1)
    feeds.publish("alpha", [spec("later", FAR)])
    writes = count_writes(store)
    feeds.collect(store, DAY1 + timedelta(days=1))
    assert writes() == 2
    kept = by_uid(store)["tonight"]
    assert kept.status == "confirmed" and kept.start == tonight


def test_edited_event_keeps_its_id_and_its_sequence_rises(open_test_store, feeds):
    store = open_test_store()
    feeds.publish("alpha", [spec("a", FAR, title="Old title")])
    feeds.collect(store, DAY1)
    before = by_uid(store)["a"]
    feeds.publish("alpha", [spec("a", FAR + timedelta(hours=1), title="New title", location="Online")])
    writes = count_writes(store)
    report = group_report(feeds.collect(store, DAY1 + timedelta(days=1)), "alpha")
    after = by_uid(store)["a"]
    assert report.counts["updated"] == 1
    assert after.event_id == before.event_id and after.sequence == before.sequence + 1
    assert after.event.title == "New title" and after.start == FAR + timedelta(hours=1)
    assert after.created_at == DAY1 and after.updated_at == DAY1 + timedelta(days=1)
    assert len(store.group_events("alpha")) == 1  # the old start was a key: it is deleted, not left beside
    assert writes() == 2 + 2  # put the new key, delete the old, two group states


def test_event_cancelled_in_its_feed(open_test_store, feeds):
    store = open_test_store()
    feeds.publish("alpha", [spec("a", FAR)])
    feeds.collect(store, DAY1)
    feeds.publish("alpha", [spec("a", FAR, status="CANCELLED")])
    report = group_report(feeds.collect(store, DAY1 + timedelta(days=1)), "alpha")
    cancelled = by_uid(store)["a"]
    assert report.counts["cancelled"] == 1
    assert cancelled.status == "cancelled" and cancelled.sequence == 1 and not cancelled.removed
