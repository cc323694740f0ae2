"""The store contract: every test runs unchanged against SQLite and against DynamoDB Local."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from factories import make_event, make_stored
from hypothesis import given, settings
from hypothesis import strategies as st
from storedata import NY, count_writes, snapshot

from events.models import GroupState
from events.store.base import sort_key, to_item

DAY = datetime(2026, 3, 2, 9, 0, tzinfo=NY)


def test_empty_store_reads_nothing(open_test_store):
    store = open_test_store()
    assert store.window(DAY - timedelta(days=400), DAY + timedelta(days=400)) == []
    assert store.group_events("g") == []
    assert store.group_states() == {}


def test_written_events_read_back_equal(open_test_store):
    store = open_test_store()
    events = [
        make_stored(make_event("in-person", DAY + timedelta(days=1)), created_at=DAY),
        make_stored(
            make_event("virtual", DAY + timedelta(days=2), location_type="virtual", state="", categories=("python", "data")),
            created_at=DAY,
            sequence=3,
        ),
        make_stored(make_event("hybrid", DAY + timedelta(days=3), location_type="hybrid"), created_at=DAY, sequence=1, last_seen=DAY, removed=True),
        make_stored(make_event("no-state", DAY + timedelta(days=4), state=""), created_at=DAY),
    ]
    store.write(events, [])
    read = store.window(DAY, DAY + timedelta(days=10))
    assert read == events
    assert [to_item(s) for s in read] == [to_item(s) for s in events]
    assert read[2].status == "cancelled" and read[2].last_seen == DAY
    assert read[1].sequence == 3 and read[1].event.categories == ("python", "data")


def test_window_is_half_open_on_instants_whatever_the_offset(open_test_store):
    """Keys keep their own UTC offset; the window compares instants, not strings."""
    store = open_test_store()
    start = datetime(2026, 3, 10, 0, 0, tzinfo=UTC)
    end = start + timedelta(days=1)
    zones = [NY, ZoneInfo("Pacific/Kiritimati"), ZoneInfo("Etc/GMT+12"), UTC]
    moments = {
        "before": start - timedelta(seconds=1),
        "at-start": start,
        "inside": start + timedelta(hours=12),
        "last-second": end - timedelta(seconds=1),
        "at-end": end,
    }
    events = []
    for zone_number, zone in enumerate(zones):
        for label, moment in moments.items():
            events.append(make_stored(make_event(f"{label}-{zone_number}", moment.astimezone(zone)), created_at=DAY))
    store.write(events, [])
    found = store.window(start, end)
    expected = sorted((e for e in events if start <= e.start < end), key=sort_key)
    assert [s.event_id for s in found] == [s.event_id for s in expected]
    assert len(found) == 3 * len(zones)
    assert {s.start.utcoffset() for s in found} == {e.start.utcoffset() for e in expected}


def test_window_finds_every_location_type_once_sorted_by_start_then_id(open_test_store):
    store = open_test_store()
    kinds = [("in_person", "VA"), ("in_person", ""), ("virtual", ""), ("virtual", "DC"), ("hybrid", "MD")]
    events = [
        make_stored(make_event(f"e{n:02d}", DAY + timedelta(hours=n // 2), location_type=kind, state=state), created_at=DAY)
        for n, (kind, state) in enumerate(kinds * 4)
    ]
    store.write(events, [])
    found = store.window(DAY, DAY + timedelta(days=1))
    assert [s.event_id for s in found] == [s.event_id for s in sorted(events, key=sort_key)]


def test_group_events_are_only_that_groups(open_test_store):
    store = open_test_store()
    mine = [make_stored(make_event(f"a{n}", DAY + timedelta(days=n), group_id="alpha"), created_at=DAY) for n in range(-30, 30, 7)]
    theirs = [make_stored(make_event(f"b{n}", DAY + timedelta(days=n), group_id="beta"), created_at=DAY) for n in range(5)]
    store.write(mine + theirs, [])
    assert store.group_events("alpha") == mine
    assert {s.event_id for s in store.group_events("beta")} == {s.event_id for s in theirs}
    assert store.group_events("gamma") == []


def test_put_replaces_same_key_and_delete_removes(open_test_store):
    store = open_test_store()
    first = make_stored(make_event("x", DAY + timedelta(days=1)), created_at=DAY)
    other = make_stored(make_event("y", DAY + timedelta(days=2)), created_at=DAY)
    store.write([first, other], [])
    edited = make_stored(make_event("x", DAY + timedelta(days=1), title="Renamed"), created_at=DAY, sequence=1)
    store.write([edited], [("y", other.start.isoformat())])
    assert store.window(DAY, DAY + timedelta(days=5)) == [edited]


def test_a_key_both_put_and_deleted_in_one_write_is_kept(open_test_store):
    store = open_test_store()
    event = make_stored(make_event("x", DAY + timedelta(days=1)), created_at=DAY)
    store.write([event, event], [(event.event_id, event.start.isoformat())] * 2)
    assert store.window(DAY, DAY + timedelta(days=5)) == [event]
    assert (store.stats.items_written, store.stats.items_deleted) == (1, 0)


def test_many_events_are_written_in_batches_and_counted(open_test_store):
    store = open_test_store()
    events = [make_stored(make_event(f"e{n:03d}", DAY + timedelta(minutes=17 * n)), created_at=DAY) for n in range(103)]
    writes = count_writes(store)
    store.write(events, [])
    assert writes() == 103 == store.stats.items_written
    assert len(store.window(DAY, DAY + timedelta(days=30))) == 103
    store.write([], [(e.event_id, e.start.isoformat()) for e in events[:40]])
    assert writes() == 143 and store.stats.items_deleted == 40
    assert len(store.window(DAY, DAY + timedelta(days=30))) == 63


def test_group_states_round_trip_and_stay_out_of_event_reads(open_test_store):
    store = open_test_store()
    ok = GroupState("alpha", DAY, DAY, "ok", "", 12, ("one warning", "two"))
    failed = GroupState("beta", DAY, None, "error", "fetch failed: HTTP 404", 0, ())
    store.put_group_state(ok)
    store.put_group_state(failed)
    assert store.group_states() == {"alpha": ok, "beta": failed}
    later = GroupState("alpha", DAY + timedelta(days=1), DAY + timedelta(days=1), "ok", "", 13, ())
    store.put_group_state(later)
    assert store.group_states()["alpha"] == later and store.stats.state_writes == 3
    assert store.window(datetime(1990, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)) == []
    assert store.group_events("alpha") == []


def test_unknown_location_type_is_refused(open_test_store):
    store = open_test_store()
    with pytest.raises(ValueError, match="location_type"):
        store.write([make_stored(make_event("x", DAY, location_type="somewhere"), created_at=DAY)], [])
    assert store.window(DAY - timedelta(days=1), DAY + timedelta(days=1)) == []


def test_a_reopened_store_holds_the_same(open_test_store):
    store = open_test_store()
    store.write([make_stored(make_event(f"e{n}", DAY + timedelta(days=n)), created_at=DAY) for n in range(5)], [])
    store.put_group_state(GroupState("g", DAY, DAY, "ok", "", 5))
    before = snapshot(store)
    store.close()
    assert snapshot(open_test_store()) == before



@pytest.mark.parametrize(
    "state",
    [
        GroupState("held", DAY, DAY - timedelta(days=2), "suspect", "the feed lists no upcoming events (it had 4)", 4, (), 2),
        GroupState("gone", DAY, DAY - timedelta(days=1), "withdrawn", "its group file is gone", 3, (), 0),
        GroupState("counted", DAY, DAY, "ok", "", 12, ("a warning",), 0, (("budget", 3), ("no_title", 1), ("outside_window", 40))),
    ],
)
def test_suspect_and_withdrawn_states_round_trip(open_test_store, state):
    store = open_test_store()
    store.put_group_state(state)
    assert store.group_states() == {state.group_id: state}
    store.put_group_state(replace(state, suspect_nights=state.suspect_nights + 1))
    assert store.group_states()[state.group_id].suspect_nights == state.suspect_nights + 1


@settings(max_examples=60, deadline=None)
@given(
    title=st.text(max_size=30),
    categories=st.lists(st.sampled_from(["ai", "cloud", "data", "python"]), unique=True, max_size=3),
    shift=st.integers(min_value=-500, max_value=500),
)
def test_the_content_hash_is_the_digest_of_every_field_as_json(title, categories, shift):
    """Stored hashes must stay comparable across releases: the payload is every field, dates in ISO form, tuples as lists."""
    import hashlib
    import json
    from dataclasses import fields

    from events.store.base import content_hash

    base = make_event()
    event = replace(base, title=title or "t", categories=tuple(categories), start=base.start + timedelta(hours=shift), end=base.end + timedelta(hours=shift))
    payload = {f.name: getattr(event, f.name) for f in fields(event)}
    payload.update(start=event.start.isoformat(), end=event.end.isoformat(), categories=list(event.categories), also_listed_by=list(event.also_listed_by))
    expected = hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:20]
    assert content_hash(event) == expected
    assert content_hash(replace(event, title=event.title + "!")) != expected
