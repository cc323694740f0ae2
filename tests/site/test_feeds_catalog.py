"""The feed catalog's one membership rule: the one-pass index agrees with testing each feed."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from factories import make_stored

from events.models import Group
from events.site.event_view import event_view
from events.site.files.feed_catalog import feed_catalog, feed_members

ZONE = ZoneInfo("America/New_York")
GROUPS = (Group("dc-python", "DC Python", "https://a.example/"), Group("pydata", "PyData", "https://b.example/"))
CATEGORIES = {"software-development": "Software Development", "data": "Data"}
VIEWS = [
    event_view(make_stored(event_id="in-dc"), ZONE),
    event_view(make_stored(event_id="online", location_type="virtual", state="", location="", city=""), ZONE),
    event_view(make_stored(event_id="hybrid-md", location_type="hybrid", state="MD", also_listed_by=("pydata",)), ZONE),
    event_view(make_stored(event_id="elsewhere", state="NY", group_id="pydata", categories=("data",)), ZONE),
]


@pytest.mark.parametrize("feed", feed_catalog("Site", ("DC", "MD", "VA"), GROUPS, CATEGORIES), ids=lambda f: f.path)
def test_index_and_rule_agree(feed):
    members = feed_members(VIEWS)
    assert [v.event.event_id for v in members.get((feed.kind, feed.key), [])] == [
        v.event.event_id for v in VIEWS if feed.matches(v)
    ]


@pytest.mark.parametrize(
    "path, ids",
    [
        ("events.ics", ["in-dc", "online", "hybrid-md", "elsewhere"]),
        ("locations/dc/events.ics", ["in-dc"]),
        ("locations/md/events.ics", ["hybrid-md"]),  # hybrid events are in their state and online
        ("virtual/events.ics", ["online", "hybrid-md"]),
        ("groups/pydata/events.ics", ["hybrid-md", "elsewhere"]),  # its own and the ones it also lists
        ("categories/data/events.ics", ["elsewhere"]),
    ],
)
def test_which_events_each_feed_holds(path, ids):
    (feed,) = [f for f in feed_catalog("Site", ("DC", "MD", "VA"), GROUPS, CATEGORIES) if f.path == path]
    assert [v.event.event_id for v in VIEWS if feed.matches(v)] == ids
