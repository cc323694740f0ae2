"""A golden build of the demo site from recorded feeds served on 127.0.0.1."""

from __future__ import annotations

import json
import re
from pathlib import Path

import icalendar

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "golden" / "demo-events.json"


def summary_of(events_json: dict) -> list[dict]:
    keys = ("title", "start", "end", "all_day", "location_type", "state", "city", "status", "group_id")
    return [{k: e[k] for k in keys} for e in events_json["events"]]


def test_demo_events_match_golden(demo_site):
    data = json.loads((demo_site / "api" / "events.json").read_text())
    assert summary_of(data) == json.loads(GOLDEN.read_text())


def test_events_ics_parses_and_lists_the_same_events(demo_site):
    calendar = icalendar.Calendar.from_ical((demo_site / "events.ics").read_bytes())
    uids = sorted(str(e["UID"]) for e in calendar.walk("VEVENT"))
    data = json.loads((demo_site / "api" / "events.json").read_text())
    assert uids == sorted(f"{e['id']}@dctech.events" for e in data["events"])
    assert data["count"] == len(uids) > 0


def test_home_page_lists_upcoming_in_person_events_by_day(demo_site):
    home = (demo_site / "index.html").read_text()
    assert "Python Project Night" in home
    assert "Linux Installfest Weekend" in home
    assert "Open Data Webinar" not in home  # virtual events are not on the home page
    assert "Road trip to NYC" not in home  # outside DC, MD and VA
    days = re.findall(r'<h2 id="d(\d{4}-\d\d-\d\d)"', home)
    assert days == sorted(days) and days[0] == "2026-03-02"


def test_each_event_has_a_page_and_each_day_a_listing(demo_site):
    data = json.loads((demo_site / "api" / "events.json").read_text())
    for record in data["events"]:
        page = demo_site / record["page"].strip("/") / "index.html"
        assert record["title"].replace("&", "&amp;") in page.read_text()
    assert "Linux Installfest Weekend" in (demo_site / "2026" / "03" / "08" / "index.html").read_text()


def test_a_dead_feed_warns_and_the_site_still_builds(demo_site):
    log = (demo_site.parent / "build.log").read_text()
    assert "group offline-group: FAILED" in log
    assert (demo_site / "index.html").exists()
