"""Atom and RSS of newly added events, read as XML; and the whole output is byte-identical when rebuilt."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from conftest import DATA, DEMO_NOW, build_site
from factories import make_stored
from feedserver import FeedServer, write_demo_groups

from events.models import Group, GroupState
from events.site.event_view import event_view
from events.site.files.news_feeds import NEW_EVENTS_LIMIT, new_event_feeds
from events.site.records import SiteInfo

ATOM = "{http://www.w3.org/2005/Atom}"
NEW_YORK = ZoneInfo("America/New_York")
SITE = SiteInfo("Test Events", "https://events.example", NEW_YORK, 14, "events.example", ("DC",))


def test_atom_lists_the_upcoming_events_newest_first(demo_site):
    root = ET.parse(demo_site / "feeds" / "new.xml").getroot()
    assert root.tag == f"{ATOM}feed"
    entries = root.findall(f"{ATOM}entry")
    upcoming = json.loads((demo_site / "api" / "events" / "upcoming.json").read_text())
    assert len(entries) == min(NEW_EVENTS_LIMIT, upcoming["count"]) == 14
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert len(set(ids)) == len(ids) and all(i.startswith("tag:dctech.events,") for i in ids)
    published = [datetime.fromisoformat(e.findtext(f"{ATOM}published")) for e in entries]
    assert published == sorted(published, reverse=True)
    links = {e.find(f"{ATOM}link").get("href") for e in entries}
    assert links == {e["page"] for e in upcoming["events"]}


def test_rss_has_the_same_items(demo_site):
    root = ET.parse(demo_site / "feeds" / "new.rss").getroot()
    assert root.tag == "rss" and root.get("version") == "2.0"
    items = root.findall("channel/item")
    assert len(items) == 14
    atom = ET.parse(demo_site / "feeds" / "new.xml").getroot()
    assert [i.findtext("guid") for i in items] == [e.findtext(f"{ATOM}id") for e in atom.findall(f"{ATOM}entry")]


def _views(count: int):
    base = datetime(2026, 3, 10, 18, 0, tzinfo=NEW_YORK)
    added = datetime(2026, 2, 1, 12, 0, tzinfo=NEW_YORK)
    return [
        event_view(
            make_stored(
                event_id=f"e{n:03d}",
                title=f"Event <{n}> & co\x07\x00",
                group_name="DC \x1bPython",
                start=base + timedelta(hours=n),
                end=base + timedelta(hours=n + 1),
                created_at=added + timedelta(minutes=n),
                updated_at=added + timedelta(minutes=n),
            ),
            NEW_YORK,
        )
        for n in range(count)
    ]


def test_the_feeds_keep_the_newest_items_and_escape_markup():
    now = datetime(2026, 3, 2, 9, 0, tzinfo=NEW_YORK)
    atom, rss = new_event_feeds(_views(NEW_EVENTS_LIMIT + 7), now, SITE)
    entries = ET.fromstring(atom.content).findall(f"{ATOM}entry")
    assert len(entries) == NEW_EVENTS_LIMIT
    assert entries[0].findtext(f"{ATOM}title").startswith(f"Event <{NEW_EVENTS_LIMIT + 6}> & co (")
    assert entries[0].findtext(f"{ATOM}author/{ATOM}name") == "DC Python"  # characters XML forbids are dropped
    assert entries[0].find(f"{ATOM}link").get("href") == f"https://events.example/events/e{NEW_EVENTS_LIMIT + 6:03d}/"
    assert len(ET.fromstring(rss.content).findall("channel/item")) == NEW_EVENTS_LIMIT


def test_an_empty_feed_is_dated_by_the_build_clock_not_the_wall_clock():
    now = datetime(2026, 3, 2, 9, 0, tzinfo=NEW_YORK)
    atom, rss = new_event_feeds([], now, SITE)
    assert ET.fromstring(atom.content).findtext(f"{ATOM}updated") == now.isoformat()
    assert new_event_feeds([], now, SITE) == [atom, rss]


def test_plan_is_the_same_bytes_for_the_same_input():
    from events.site.files.data_files import plan_artifacts

    now = datetime(2026, 3, 2, 9, 0, tzinfo=NEW_YORK)
    group = Group("dc-python", "DC Python", "https://example.org/")
    site = SiteInfo(
        "T", "", NEW_YORK, 14, "t.example", ("DC",), (group,), {"dc-python": GroupState("dc-python", result="ok")}, {}
    )
    views = _views(30)
    assert list(plan_artifacts(views, now, site)) == list(plan_artifacts(list(reversed(views)), now, site))


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_second_build_from_the_same_feeds_and_clock_is_byte_identical(tmp_path):
    # One feed server for both builds: its port shows in the sources page's error for the offline group.
    with FeedServer(DATA / "demo" / "feeds") as server:
        groups = write_demo_groups(DATA / "demo" / "groups", tmp_path / "_groups", server.base_url)
        once = build_site(tmp_path / "first", groups, now=DEMO_NOW)
        again = build_site(tmp_path / "second", groups, now=DEMO_NOW)
    first, second = _files(once), _files(again)
    assert sorted(first) == sorted(second)
    different = [path for path in first if first[path] != second[path]]
    assert different == []
