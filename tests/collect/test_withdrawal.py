"""Withdrawn groups and single events: a removed or inactive file's events are cancelled, then dropped.

Through the real Collector, a real HTTP feed server on 127.0.0.1 and the
SQLite store; a broken file (it exists but does not load) withdraws nothing.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from storedata import DAY1, NY, Feeds, count_writes, spec

from events.clock import Clock
from events.collect.collector import Collector, CollectReport
from events.collect.fetch import Fetcher
from events.collect.withdrawal import PresentFiles, withdrawals
from events.inputs.single_events import SINGLE_EVENTS_GROUP, load_single_events
from events.models import Group, GroupState

SQLITE = pytest.mark.parametrize("store_kind", ["sqlite"])

SOON = DAY1 + timedelta(days=3)


def run(feeds: Feeds, store, days: float, groups: list[Group], present: set[str], singles: Path | None = None) -> CollectReport:
    loaded = load_single_events(singles, {}) if singles else None
    files = frozenset(p.stem for p in singles.glob("*.yaml")) if singles else frozenset()
    fetcher = Fetcher(None, retries=1, timeout=5, allow_private=True)
    try:
        collector = Collector(feeds.settings, store, fetcher, Clock(NY, DAY1 + timedelta(days=days)))
        return collector.run(groups, single_events=loaded.events if loaded else None, present=PresentFiles(frozenset(present), files))
    finally:
        fetcher.close()


def statuses(store, slug: str) -> dict[str, str]:
    return {s.event.source_uid: s.status for s in store.group_events(slug)}


def start_two_groups(feeds: Feeds, store) -> tuple[Group, Group]:
    alpha, beta = feeds.groups
    feeds.publish("alpha", [spec("a", SOON)])
    feeds.publish("beta", [spec("b1", SOON), spec("b2", SOON + timedelta(days=5)), spec("old", DAY1 - timedelta(hours=2))])
    run(feeds, store, 0, [alpha, beta], {"alpha", "beta"})
    return alpha, beta


@SQLITE
def test_a_removed_group_is_kept_a_day_then_cancelled_until_its_events_end_then_dropped(open_test_store, feeds):
    store = open_test_store()
    alpha, _ = start_two_groups(feeds, store)
    first = run(feeds, store, 1, [alpha], {"alpha"})
    assert [(w.group_id, w.error) for w in first.withdrawn] == [("beta", "its group file was removed")]
    assert set(statuses(store, "beta").values()) == {"confirmed"}  # seen yesterday: the grace period
    run(feeds, store, 2, [alpha], {"alpha"})
    assert statuses(store, "beta") == {"b1": "cancelled", "b2": "cancelled", "old": "confirmed"}
    state = store.group_states()["beta"]
    assert (state.result, state.events_found, state.last_success) == ("withdrawn", 2, DAY1)
    run(feeds, store, 4, [alpha], {"alpha"})  # b1 has ended: dropped; b2 still cancelled
    assert statuses(store, "beta") == {"b2": "cancelled", "old": "confirmed"}
    run(feeds, store, 9, [alpha], {"alpha"})
    assert statuses(store, "beta") == {"old": "confirmed"}  # the archive keeps the past
    assert store.group_states()["beta"].events_found == 0
    writes = count_writes(store)
    later = run(feeds, store, 10, [alpha], {"alpha"})
    assert later.withdrawn == () and writes() == 1  # only alpha's state: a finished withdrawal costs nothing
    assert statuses(store, "alpha") == {"a": "confirmed"}


@SQLITE
def test_an_inactive_group_is_withdrawn_and_comes_back_when_active(open_test_store, feeds):
    store = open_test_store()
    alpha, beta = start_two_groups(feeds, store)
    asleep = replace(beta, active=False)
    report = run(feeds, store, 1, [alpha, asleep], {"alpha", "beta"})
    assert [w.error for w in report.withdrawn] == ["its group file says active: false"]
    run(feeds, store, 2, [alpha, asleep], {"alpha", "beta"})
    assert statuses(store, "beta")["b2"] == "cancelled"
    run(feeds, store, 3, [alpha, beta], {"alpha", "beta"})
    assert statuses(store, "beta")["b2"] == "confirmed" and store.group_states()["beta"].result == "ok"


@SQLITE
def test_a_broken_group_file_withdraws_nothing(open_test_store, feeds):
    store = open_test_store()
    alpha, _ = start_two_groups(feeds, store)
    for day in (1, 2, 5):
        report = run(feeds, store, day, [alpha], {"alpha", "beta"})  # beta.yaml exists but did not load
        assert report.withdrawn == ()
    assert statuses(store, "beta") == {"b1": "confirmed", "b2": "confirmed", "old": "confirmed"}


def write_single(folder: Path, slug: str, body: str) -> None:
    (folder / f"{slug}.yaml").write_text(body, encoding="utf-8")


@SQLITE
def test_single_events_follow_the_rule_per_file(open_test_store, feeds, tmp_path):
    store = open_test_store()
    singles = tmp_path / "_single_events"
    singles.mkdir()
    when = f"{SOON + timedelta(days=2):%Y-%m-%d %H:%M}"
    for slug in ("kept", "broken", "removed", "asleep"):
        write_single(singles, slug, f"title: {slug}\nstart: {when}\nlocation: 1630 7th St NW, Washington, DC 20001\n")
    alpha, beta = feeds.groups
    feeds.publish("alpha", [spec("a", SOON)])
    feeds.publish("beta", [spec("b", SOON)])
    run(feeds, store, 0, [alpha, beta], {"alpha", "beta"}, singles)
    assert len(store.group_events(SINGLE_EVENTS_GROUP)) == 4
    write_single(singles, "broken", "title: [unclosed\n")
    (singles / "removed.yaml").unlink()
    write_single(singles, "asleep", f"title: asleep\nstart: {when}\nactive: false\n")
    for day in (1, 2, 3):
        report = run(feeds, store, day, [alpha, beta], {"alpha", "beta"}, singles)
    assert report.withdrawn == ()  # the single-events group itself is never withdrawn
    by_slug = {uid.split("@")[0]: status for uid, status in statuses(store, SINGLE_EVENTS_GROUP).items()}
    assert by_slug == {"kept": "confirmed", "broken": "confirmed", "removed": "cancelled", "asleep": "cancelled"}


def test_withdrawals_name_only_groups_gone_or_inactive():
    states = {slug: GroupState(slug, DAY1, DAY1, "ok") for slug in ("gone", "asleep", "broken", "fine", SINGLE_EVENTS_GROUP)}
    groups = [Group("asleep", "A", "https://a.example/", active=False), Group("fine", "F", "https://f.example/")]
    present = PresentFiles(frozenset({"asleep", "broken", "fine"}), frozenset())
    found = withdrawals(states, groups, present, {SINGLE_EVENTS_GROUP})
    assert [(w.group_id, w.why) for w in found] == [
        ("asleep", "its group file says active: false"),
        ("gone", "its group file was removed"),
    ]
