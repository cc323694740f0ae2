"""Regressions of the pure "last seen" planning, each named after what went wrong."""

from __future__ import annotations

from datetime import datetime, timedelta

from factories import NY, make_event, make_stored

from events.collect.sync import plan_sync
from events.models import GroupState

NOW = datetime(2026, 3, 4, 9, 0, tzinfo=NY)
WINDOW_START = datetime(2026, 3, 3, 0, 0, tzinfo=NY)
STALE = GroupState("g", NOW - timedelta(days=3), NOW - timedelta(days=3), "ok")


def test_started_event_missing_from_feed_was_deleted_from_the_archive():
    """Meetup feeds drop events once they start; the archive must keep them, at no write."""
    last_night = make_stored(make_event("past", NOW - timedelta(hours=14)), created_at=NOW - timedelta(days=3))
    plan = plan_sync([last_night], [], STALE, NOW, WINDOW_START)
    assert plan.puts == () and plan.deletes == ()
    assert plan.counts["removed"] == 0


def test_started_event_missing_from_feed_cost_a_last_seen_write():
    """Seen at yesterday's run, over by today's: nothing about it changed, so nothing is written."""
    yesterday = GroupState("g", NOW - timedelta(days=1), NOW - timedelta(days=1), "ok")
    last_night = make_stored(make_event("past", NOW - timedelta(hours=14)), created_at=NOW - timedelta(days=3))
    plan = plan_sync([last_night], [], yesterday, NOW, WINDOW_START)
    assert plan.puts == () and plan.deletes == ()


def test_two_copies_of_one_id_after_an_interrupted_move_became_two_events():
    """A run stopped after writing a moved event's new key but before deleting its old one."""
    old = make_stored(make_event("x", NOW + timedelta(days=5)), created_at=NOW - timedelta(days=2))
    moved_event = make_event("x", NOW + timedelta(days=5, hours=1), title="Moved")
    new = make_stored(moved_event, created_at=NOW - timedelta(days=2), updated_at=NOW - timedelta(days=1), sequence=1)
    for existing in ([old, new], [new, old]):
        plan = plan_sync(existing, [moved_event], STALE, NOW, WINDOW_START)
        assert plan.puts == ()
        assert plan.deletes == (("x", old.start.isoformat()),)
        assert plan.counts["unchanged"] == 1


def test_stale_copy_at_the_new_start_is_overwritten_not_deleted():
    """An event moved back to where its stale copy sits: that key is written, so it must not be deleted too."""
    first = make_stored(make_event("x", NOW + timedelta(days=5)), created_at=NOW - timedelta(days=3))
    second = make_stored(make_event("x", NOW + timedelta(days=6)), created_at=NOW - timedelta(days=3), sequence=1)
    back = make_event("x", NOW + timedelta(days=5), title="Back again")
    plan = plan_sync([first, second], [back], STALE, NOW, WINDOW_START)
    put_keys = {(p.event_id, p.start.isoformat()) for p in plan.puts}
    assert put_keys == {("x", first.start.isoformat())}
    assert not put_keys & set(plan.deletes)
    assert plan.deletes == (("x", second.start.isoformat()),)
    assert plan.puts[0].sequence == 2
