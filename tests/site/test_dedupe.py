"""Duplicates across groups: one event, "also listed by" the others."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from factories import make_event, make_stored

from events.models import StoredEvent
from events.site.duplicates import canonical_url, merge_duplicates, title_key

NY = ZoneInfo("America/New_York")
T0 = datetime(2026, 3, 10, 18, tzinfo=NY)
CREATED = datetime(2026, 3, 1, tzinfo=NY)


def stored(
    event_id: str,
    group: str,
    title: str = "Python Night",
    url: str = "",
    start: datetime = T0,
    created: datetime = CREATED,
    status: str = "confirmed",
    also: tuple[str, ...] = (),
    removed: bool = False,
) -> StoredEvent:
    """A listing by `group`, linking to the group's home page unless `url` is given; no address."""
    website = f"https://{group}.example.org/"
    event = make_event(
        event_id, start, group_id=group, group_name=group.upper(), group_website=website, title=title,
        url=url or website, location="", city="", status=status, also_listed_by=also,
    )
    return make_stored(event, created_at=created, removed=removed)


def ids(events):
    return [(s.event_id, s.event.also_listed_by) for s in events]


@pytest.mark.parametrize(
    "url, canonical",
    [
        ("https://www.meetup.com/dcpython/events/123/?utm_source=x&utm_medium=y#top", "meetup.com/dcpython/events/123"),
        ("http://meetup.com/dcpython/events/123", "meetup.com/dcpython/events/123"),
        ("https://lu.ma/abc?tk=1&utm_campaign=z", "lu.ma/abc?tk=1"),
        ("mailto:a@b.org", ""),
    ],
)
def test_canonical_url(url, canonical):
    assert canonical_url(url) == canonical


def test_title_key_ignores_case_accents_and_punctuation():
    assert title_key("Café  Tech: Rust Night!") == title_key("cafe tech - rust night") == "cafe tech rust night"


def test_same_page_listed_by_two_groups_is_one_event():
    url = "https://www.meetup.com/dcpython/events/123/"
    events = [
        stored("a", "dcpython", url=url),
        stored("b", "pydata", title="DC Python x PyData: Python Night", url=url + "?utm_source=pydata"),
        stored("c", "other", title="Something else"),
    ]
    assert ids(merge_duplicates(events)) == [("a", ("pydata",)), ("c", ())]


def test_same_title_within_minutes_is_one_event_but_not_hours_apart():
    events = [
        stored("a", "g1"),
        stored("b", "g2", title="python night!", start=T0 + timedelta(minutes=10)),
        stored("c", "g3", start=T0 + timedelta(hours=3)),
    ]
    assert ids(merge_duplicates(events)) == [("a", ("g2",)), ("c", ())]


def test_events_of_one_group_are_never_merged_with_each_other():
    events = [stored("a", "g1"), stored("b", "g1")]
    assert ids(merge_duplicates(events)) == [("a", ()), ("b", ())]


def test_a_group_home_page_link_is_not_a_match():
    events = [stored("a", "g1", title="One", url="https://shared.example.org/"), stored("b", "g2", title="Two", url="https://shared.example.org")]
    events[0] = make_stored(events[0].event.with_changes(group_website="https://shared.example.org/"), created_at=CREATED)
    assert len(merge_duplicates(events)) == 2


def test_primary_is_chosen_deterministically():
    later, earlier = CREATED + timedelta(days=1), CREATED
    forward = [stored("a", "zeta", created=earlier), stored("b", "alpha", created=later), stored("c", "beta", created=later)]
    assert ids(merge_duplicates(forward)) == [("a", ("alpha", "beta"))]
    assert ids(merge_duplicates(list(reversed(forward)))) == [("a", ("alpha", "beta"))]
    tie = [stored("x", "zeta"), stored("y", "alpha")]
    assert ids(merge_duplicates(tie)) == [("y", ("zeta",))]


def test_a_cancelled_listing_is_not_the_primary():
    events = [stored("a", "g1", status="cancelled"), stored("b", "g2", created=CREATED + timedelta(days=2))]
    assert ids(merge_duplicates(events)) == [("b", ("g1",))]


def test_existing_also_listed_by_is_kept_and_chains_merge_into_one():
    events = [
        stored("a", "g1", also=("g9",)),
        stored("b", "g2", start=T0 + timedelta(minutes=12)),
        stored("c", "g3", start=T0 + timedelta(minutes=24)),  # 24 min from a, 12 from b: one chain
    ]
    assert ids(merge_duplicates(events)) == [("a", ("g2", "g3", "g9"))]


def test_nothing_to_merge_returns_the_same_events():
    events = [stored("a", "g1"), stored("b", "g2", title="Other")]
    assert merge_duplicates(events) == events
    assert merge_duplicates([]) == []
