"""Every .ics the demo site writes, read by real clients: Mozilla ical.js and icalendar."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

import pytest
from calclients import icalendar_events, icaljs_available, icaljs_parse
from conftest import ROOT

needs_icaljs = pytest.mark.skipif(not icaljs_available(), reason="node and node_modules/ical.js are needed (npm ci)")

# Feed -> how many events it must hold, counted by hand from tests/data/demo/feeds at 2026-03-02 09:00.
EXPECTED_COUNTS = {
    "events.ics": 14,
    "locations/dc/events.ics": 8,
    "locations/md/events.ics": 1,
    "locations/va/events.ics": 4,
    "virtual/events.ics": 1,
    "groups/civic-tech/events.ics": 6,
    "groups/dc-python/events.ics": 3,
    "groups/novalug/events.ics": 5,
    "groups/offline-group/events.ics": 0,
    "categories/govtech/events.ics": 6,
    "categories/open-source-community/events.ics": 11,
    "categories/software-development/events.ics": 3,
    "categories/ai/events.ics": 0,
}


def _json(site: Path, path: str) -> dict:
    return json.loads((site / path).read_text(encoding="utf-8"))


def _expected_ids(site: Path, feed: str) -> set[str]:
    """The ids the feed must hold, read from the JSON file that lists the same selection."""
    upcoming = _json(site, "api/events/upcoming.json")["events"]
    parts = feed.split("/")
    if feed == "events.ics":
        chosen = upcoming
    elif parts[0] == "virtual":
        chosen = _json(site, "api/events/virtual.json")["events"]
    elif parts[0] == "locations":
        chosen = _json(site, f"api/locations/{parts[1]}.json")["events"]
    elif parts[0] == "groups":
        chosen = _json(site, f"api/groups/{parts[1]}.json")["events"]
    elif parts[0] == "events":  # the one event of an event page's download
        return {parts[1]}
    else:
        chosen = [e for e in upcoming if parts[1] in e["categories"]]
    return {e["id"] for e in chosen}


@pytest.fixture(scope="module")
def feeds(demo_site: Path) -> list[str]:
    return sorted(str(p.relative_to(demo_site)) for p in demo_site.rglob("*.ics"))


@pytest.fixture(scope="module")
def icaljs_results(demo_site: Path, feeds: list[str]) -> dict[str, dict]:
    if not icaljs_available():
        pytest.skip("node and node_modules/ical.js are needed (npm ci)")
    parsed = icaljs_parse([demo_site / f for f in feeds])
    return {str(p.relative_to(demo_site)): v for p, v in parsed.items()}


def test_the_demo_writes_every_feed_of_the_catalog(feeds, demo_site):
    assert set(EXPECTED_COUNTS) <= set(feeds)
    categories = re.findall(r"^[a-z][a-z0-9-]*:", (ROOT / "data" / "categories.yaml").read_text(), re.M)
    per_event = [f for f in feeds if re.fullmatch(r"events/[0-9a-f]+/event\.ics", f)]
    # one per state, group and category, plus events.ics and virtual; and one download per event page
    assert len(feeds) - len(per_event) == 1 + 3 + 1 + 4 + len(categories)
    assert len(per_event) == len(list((demo_site / "events").glob("*/index.html"))) > 0


@pytest.mark.parametrize("feed, count", sorted(EXPECTED_COUNTS.items()))
def test_icalendar_reads_the_expected_events(demo_site, feed, count):
    events = icalendar_events(demo_site / feed)
    uids = [str(e["UID"]) for e in events]
    assert len(uids) == count == len(set(uids))
    assert set(uids) == {f"{i}@dctech.events" for i in _expected_ids(demo_site, feed)}


@needs_icaljs
def test_icaljs_reads_every_feed_with_the_uids_icalendar_reads(demo_site, feeds, icaljs_results):
    for feed in feeds:
        result = icaljs_results[feed]
        assert "error" not in result, (feed, result)
        uids = sorted(e["uid"] for e in result["events"])
        assert uids == sorted(str(e["UID"]) for e in icalendar_events(demo_site / feed)), feed
        assert uids == sorted(f"{i}@dctech.events" for i in _expected_ids(demo_site, feed)), feed
        if feed in EXPECTED_COUNTS:
            assert len(uids) == EXPECTED_COUNTS[feed]


@needs_icaljs
def test_icaljs_resolves_each_start_to_the_instant_in_the_json(demo_site, icaljs_results):
    records = {f"{e['id']}@dctech.events": e for e in _json(demo_site, "api/events.json")["events"]}
    events = icaljs_results["events.ics"]["events"]
    assert events
    for event in events:
        record = records[event["uid"]]
        assert event["summary"] == record["title"]
        assert event["all_day"] == record["all_day"]
        if record["all_day"]:
            assert event["start"] == record["start"][:10]
        else:
            # Through the feed's own VTIMEZONE, ical.js lands on the same instant as the JSON.
            assert event["start_unix"] == datetime.fromisoformat(record["start"]).timestamp()
            assert event["end_unix"] == datetime.fromisoformat(record["end"]).timestamp()


def test_every_tzid_used_has_a_vtimezone(demo_site, feeds):
    for feed in feeds:
        text = (demo_site / feed).read_bytes().decode("utf-8")
        used = set(re.findall(r";TZID=([^:;]+)[:;]", text))
        defined = set(re.findall(r"^TZID:(.+)\r$", text, re.M))
        assert used == defined, feed
    assert "America/New_York" in (demo_site / "events.ics").read_text()


def test_calendar_properties_for_google_apple_and_outlook(demo_site):
    text = (demo_site / "groups" / "dc-python" / "events.ics").read_bytes().decode("utf-8")
    for line in (
        "VERSION:2.0",
        "METHOD:PUBLISH",
        "CALSCALE:GREGORIAN",
        "X-WR-CALNAME:DC Python (DC Tech Events)",
        "NAME:DC Python (DC Tech Events)",
        "X-WR-TIMEZONE:America/New_York",
        "REFRESH-INTERVAL;VALUE=DURATION:PT12H",
        "X-PUBLISHED-TTL:PT12H",
    ):
        assert f"\r\n{line}\r\n" in text


def test_lines_end_in_crlf_and_fold_at_75_octets(demo_site, feeds):
    for feed in feeds:
        raw = (demo_site / feed).read_bytes()
        assert raw.endswith(b"END:VCALENDAR\r\n")
        assert b"\n" not in raw.replace(b"\r\n", b"")
        assert max(len(line) for line in raw.split(b"\r\n")) <= 75, feed


def test_cancelled_events_say_so_and_stamps_come_from_the_store(demo_site, icaljs_results):
    records = {f"{e['id']}@dctech.events": e for e in _json(demo_site, "api/events.json")["events"]}
    for vevent in icalendar_events(demo_site / "events.ics"):
        record = records[str(vevent["UID"])]
        assert str(vevent["STATUS"]) == ("CANCELLED" if record["status"] == "cancelled" else "CONFIRMED")
        assert vevent["DTSTAMP"].dt == datetime.fromisoformat(record["updated"])
        assert vevent["LAST-MODIFIED"].dt == datetime.fromisoformat(record["updated"])
        assert vevent["SEQUENCE"] == record["sequence"]
        assert str(vevent["URL"]) == record["url"]
    cancelled = [e for e in icaljs_results["events.ics"]["events"] if e["summary"] == "Data Science Happy Hour"]
    assert [e["status"] for e in cancelled] == ["CANCELLED"]


def test_all_day_events_are_dates(demo_site):
    (weekend,) = [e for e in icalendar_events(demo_site / "events.ics") if str(e["SUMMARY"]) == "Linux Installfest Weekend"]
    assert weekend["DTSTART"].params.get("VALUE") == "DATE"
    assert str(weekend["DTSTART"].dt) == "2026-03-07"
    assert str(weekend["DTEND"].dt) == "2026-03-09"  # exclusive: Saturday and Sunday
