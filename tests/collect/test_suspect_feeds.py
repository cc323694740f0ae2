"""Suspect feeds: a feed that suddenly lists none (or few) of its upcoming events is held, then believed.

Through the real Collector, a real HTTP feed server on 127.0.0.1 and the
SQLite store; the rule itself (`suspect_reason`) as a table.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from factories import make_event, make_stored
from storedata import DAY1, Feeds, count_writes, spec

from events.collect.sync import SuspectRule, suspect_night, suspect_reason
from events.models import GroupState

FAR = DAY1 + timedelta(days=20)
RULE = SuspectRule(nights=3, drop_share=0.8)


def stored(n: int, *, removed: bool = False, today: bool = False):
    start = DAY1 + timedelta(hours=8) if today else FAR + timedelta(days=n)
    return make_stored(make_event(f"e{n}", start, group_id="alpha"), created_at=DAY1 - timedelta(days=9), removed=removed)


def events(*numbers: int):
    return [make_event(f"e{n}", FAR + timedelta(days=n), group_id="alpha") for n in numbers]


CASES = {
    # name: (stored events, fetched event numbers, rule, suspect?)
    "empty-after-some": ([stored(n) for n in range(3)], (), RULE, "lists no upcoming events (it had 3)"),
    "empty-and-never-had-any": ([], (), RULE, ""),
    "empty-after-only-cancelled-ones": ([stored(n, removed=True) for n in range(3)], (), RULE, ""),
    "empty-after-one-event-today": ([stored(0, today=True)], (), RULE, ""),
    "lost-9-of-10": ([stored(n) for n in range(10)], (0,), RULE, "dropped 9 of its 10 upcoming events"),
    "lost-8-of-10": ([stored(n) for n in range(10)], (0, 1), RULE, ""),
    "lost-4-of-4-but-new-ones": ([stored(n) for n in range(4)], (7, 8), RULE, ""),
    "lost-all-with-the-rule-off": ([stored(n) for n in range(3)], (), SuspectRule(nights=0), ""),
    "lost-9-of-10-share-off": ([stored(n) for n in range(10)], (0,), SuspectRule(3, 1.0), ""),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_suspect_reason(name):
    existing, fetched, rule, expected = CASES[name]
    reason = suspect_reason(existing, events(*fetched), DAY1, rule)
    assert (expected in reason) if expected else reason == ""


def test_a_rerun_on_the_same_day_is_the_same_suspect_night():
    held = GroupState("alpha", DAY1, DAY1 - timedelta(days=1), "suspect", "x", 3, (), 2)
    assert suspect_night(held, DAY1 + timedelta(hours=2)) == 2
    assert suspect_night(held, DAY1 + timedelta(days=1)) == 3
    assert suspect_night(None, DAY1) == 1


@pytest.mark.parametrize("store_kind", ["sqlite"])
def test_an_empty_calendar_is_held_three_nights_then_believed(open_test_store, feeds: Feeds):
    store = open_test_store()
    feeds.publish("alpha", [spec(f"a{n}", FAR + timedelta(days=n)) for n in range(4)])
    feeds.publish("beta", [spec("b", FAR)])
    feeds.collect(store, DAY1)
    feeds.publish("alpha", [])  # 200, a VCALENDAR with no VEVENT
    for night in (1, 2, 3):
        writes = count_writes(store)
        report = feeds.collect(store, DAY1 + timedelta(days=night))
        alpha = next(g for g in report.groups if g.group_id == "alpha")
        assert alpha.suspect and not alpha.ok and f"suspect night {night} of 3" in alpha.error
        assert writes() == 2  # the two group states, no event
        state = store.group_states()["alpha"]
        assert (state.result, state.suspect_nights, state.last_success) == ("suspect", night, DAY1)
        assert all(s.status == "confirmed" for s in store.group_events("alpha"))
    rerun = feeds.collect(store, DAY1 + timedelta(days=3, hours=2))
    assert store.group_states()["alpha"].suspect_nights == 3 and rerun.suspect
    believed = feeds.collect(store, DAY1 + timedelta(days=4))
    alpha = next(g for g in believed.groups if g.group_id == "alpha")
    assert alpha.ok and alpha.counts["removed"] == 4 and not believed.suspect
    state = store.group_states()["alpha"]
    assert (state.result, state.suspect_nights) == ("ok", 0) and any("accepted after 3" in w for w in state.warnings)
    # Last seen four nights ago: past the grace period, so published as cancelled at once.
    assert {s.status for s in store.group_events("alpha")} == {"cancelled"}


@pytest.mark.parametrize("store_kind", ["sqlite"])
def test_a_feed_that_comes_back_while_suspect_loses_nothing(open_test_store, feeds: Feeds):
    store = open_test_store()
    full = [spec(f"a{n}", FAR + timedelta(days=n)) for n in range(10)]
    feeds.publish("alpha", full)
    feeds.publish("beta", [spec("b", FAR)])
    feeds.collect(store, DAY1)
    feeds.publish("alpha", full[:1])  # 9 of 10 gone at once
    assert feeds.collect(store, DAY1 + timedelta(days=1)).suspect
    feeds.publish("alpha", None)  # then a failed fetch: the count of suspect nights is kept
    feeds.collect(store, DAY1 + timedelta(days=2))
    assert store.group_states()["alpha"].suspect_nights == 1
    feeds.publish("alpha", full)
    report = feeds.collect(store, DAY1 + timedelta(days=3))
    assert not report.suspect and report.totals()["removed"] == 0
    assert store.group_states()["alpha"].suspect_nights == 0
    assert {s.status for s in store.group_events("alpha")} == {"confirmed"}
