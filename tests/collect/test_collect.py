"""Collection end to end against a real HTTP server on 127.0.0.1: every adapter, enrichment,
single events, overlays, failures, and the log and progress lines."""

from __future__ import annotations

import io
import logging
from datetime import datetime
from pathlib import Path

import pytest
from routedserver import RoutedServer

from events.collect.collector import Collector, _Progress
from events.collect.fetch import FetchResult
from events.collect.normalize import event_id
from events.inputs.groups import load_categories
from events.inputs.overlays import Overlay
from events.inputs.single_events import load_single_events
from events.models import Group
from events.run.collection import make_fetcher
from events.settings import EventsSettings
from events.store.sqlite import SQLiteStore

ROOT = Path(__file__).resolve().parents[2]
NOW = "2026-03-02T09:00:00-05:00"
ICS = "text/calendar; charset=utf-8"
HTML = "text/html; charset=utf-8"
JSON = "application/json"


def meetup_feed(base: str) -> bytes:
    lines = [
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Meetup//RemoteApi//EN",
        "BEGIN:VEVENT", "UID:event_300000001@meetup.com", "DTSTAMP:20260201T000000Z",
        "DTSTART;TZID=America/New_York:20260310T183000", "DTEND;TZID=America/New_York:20260310T203000",
        "SUMMARY:Python Project Night", "STATUS:CONFIRMED", f"URL:{base}/dcpython/events/300000001/", "END:VEVENT",
        "BEGIN:VEVENT", "UID:event_300000002@meetup.com", "DTSTAMP:20260201T000000Z",
        "DTSTART;TZID=America/New_York:20260317T190000", "DTEND;TZID=America/New_York:20260317T200000",
        "SUMMARY:Async Python, online", f"URL:{base}/dcpython/events/300000002/", "END:VEVENT",
        "END:VCALENDAR", "",
    ]
    return "\r\n".join(lines).encode()


@pytest.fixture
def server(data_dir):
    def read(*parts):
        return (data_dir.joinpath(*parts)).read_bytes()

    routes = {
        "/civic.ics": (200, ICS, read("ical", "weekly-exdate-and-moved-occurrence.ics")),
        "/html-instead.ics": (200, HTML, b"<!DOCTYPE html><html><body>Please sign in</body></html>"),
        "/events/": (200, HTML, read("jsonld", "listing.html")),
        "/events/open-hack-night": (200, HTML, read("jsonld", "open-hack-night.html")),
        "/events/soldering-101": (200, HTML, read("jsonld", "soldering-101.html")),
        "/api/events?page=1&pageSize=3": (200, JSON, read("json_api", "page1.json")),
        "/api/events?page=2&pageSize=3": (200, JSON, read("json_api", "page2.json")),
        "/api/events?page=3&pageSize=3": (200, JSON, read("json_api", "page3.json")),
        "/ajax/calendar/list?c=777": (200, JSON, read("libcal", "list-page1.json")),
        "/ajax/calendar/list?c=777&page=2": (200, JSON, read("libcal", "list-page2.json")),
        "/dcpython/events/300000001/": (200, HTML, read("jsonld", "meetup-event-cancelled.html")),
        "/dcpython/events/300000002/": (200, HTML, read("jsonld", "meetup-event-online.html")),
    }
    with RoutedServer(routes) as running:
        running.routes["/dcpython.ics"] = (200, ICS, meetup_feed(running.base_url))
        yield running


def groups(base: str) -> list[Group]:
    return [
        Group("civic-tech", "Civic Tech DC", "https://civictech.example.org/", ical=f"{base}/civic.ics"),
        Group("html-instead", "Wrong URL", "https://wrong.example.org/", ical=f"{base}/html-instead.ics"),
        Group("hackerspace", "Hackerspace", "https://hackerspace.example.org/",
              source=(("event_links", "a.event-link"), ("type", "jsonld"), ("url", f"{base}/events/"))),
        Group("villages", "Tech clubs", "https://calendar.example.org/",
              source=(("page_size", 3), ("type", "json_api"), ("url", f"{base}/api/events"))),
        Group("library", "Library", "https://library.example.org/",
              source=(("calendar_id", 777), ("type", "libcal"), ("url", f"{base}/ajax/calendar/list"))),
        Group("dcpython", "DC Python", "https://www.meetup.com/dcpython/",
              source=(("enrich", True), ("type", "ical"), ("url", f"{base}/dcpython.ics"))),
        Group("dead", "Dead host", "https://dead.example.org/", ical="http://127.0.0.1:9/feed.ics"),
    ]


@pytest.fixture
def settings(tmp_path):
    return EventsSettings.from_mapping(
        {"EVENTS_NOW": NOW, "EVENTS_CACHE_DIR": str(tmp_path / "cache"), "EVENTS_FETCH_RETRIES": 1, "EVENTS_FETCH_ALLOW_PRIVATE": True}, ROOT
    )


def collect(settings, base, **kwargs):
    store = SQLiteStore(settings.sqlite_path)
    fetcher = make_fetcher(settings)
    try:
        report = Collector(settings, store, fetcher).run(groups(base), **kwargs)
        events = store.window(datetime.fromisoformat("2026-01-01T00:00:00-05:00"), datetime.fromisoformat("2027-01-01T00:00:00-05:00"))
    finally:
        fetcher.close()
        store.close()
    return report, {e.event_id: e for e in events}


def by_group(events, group_id):
    return sorted((e.event for e in events.values() if e.event.group_id == group_id), key=lambda e: (e.start, e.title))


def test_every_adapter_collects_through_one_run(settings, server):
    report, events = collect(settings, server.base_url)
    status = {r.group_id: (r.ok, r.events_found, r.documents) for r in report.groups}
    assert status == {
        "civic-tech": (True, 6, 1),
        "html-instead": (False, 0, 1),
        "hackerspace": (True, 2, 3),
        "villages": (True, 5, 3),
        "library": (True, 3, 2),
        "dcpython": (True, 2, 1),
        "dead": (False, 0, 0),
    }
    assert [e.title for e in by_group(events, "hackerspace")] == ["Open Hack Night & Pizza", "Soldering 101"]
    assert by_group(events, "hackerspace")[1].location_type == "hybrid"
    # json_api: the Florida club is outside the site's states; the cancelled one is kept, marked.
    villages = by_group(events, "villages")
    assert [e.state for e in villages] == ["VA", "MD", "MD", "VA", "DC"]
    assert [e.status for e in villages].count("cancelled") == 1
    library = by_group(events, "library")
    assert [e.location_type for e in library] == ["in_person", "virtual", "in_person"]


def test_failures_are_clear_and_per_group(settings, server):
    report, _ = collect(settings, server.base_url)
    errors = {r.group_id: r.error for r in report.failed}
    assert errors["html-instead"] == (
        f"the URL returned a web page (HTML), not an iCalendar feed ({server.base_url}/html-instead.ics)"
    )
    assert errors["dead"] == "fetch failed: could not connect (http://127.0.0.1:9/feed.ics)"
    hackerspace = next(r for r in report.groups if r.group_id == "hackerspace")
    assert f"{server.base_url}/events/gone: HTTP 404 Not Found; left out" in hackerspace.warnings


def test_meetup_pages_enrich_the_feed_and_are_cached_with_an_expiry(settings, server):
    _, events = collect(settings, server.base_url)
    night, online = by_group(events, "dcpython")
    assert night.status == "cancelled"  # the feed said CONFIRMED; the page says EventCancelled
    assert (night.city, night.state, night.location_type) == ("Washington", "DC", "in_person")
    assert online.location_type == "virtual"
    assert server.hits["/dcpython/events/300000001/"] == 1
    collect(settings, server.base_url)
    assert server.hits["/dcpython/events/300000001/"] == 1  # reused from the cache, not fetched again
    assert server.hits["/dcpython.ics"] == 2  # feeds are revalidated on every run


def test_single_events_and_overlays_in_a_run(settings, server, data_dir):
    categories = load_categories(ROOT / "data" / "categories.yaml")
    singles = load_single_events(data_dir / "single_events" / "good", categories).events
    civic = event_id("civic-tech", "evt-civic-webinar@lu.ma", "")
    hack = event_id("civic-tech", "evt-civic-hacknight@lu.ma", "20260304T230000Z")
    club = event_id("villages", "101", "")
    overlays = {
        civic: Overlay(civic, hide=True, reason="not a tech event"),
        hack: Overlay(hack, title="Civic Hack Night (corrected)", categories=("civic-tech",)),
        club: Overlay(club, duplicate_of=hack),
    }
    report, events = collect(settings, server.base_url, single_events=singles, overlays=overlays)
    assert civic not in events
    assert events[hack].event.title == "Civic Hack Night (corrected)"
    assert events[hack].event.categories == ("civic-tech",)
    assert events[hack].event.also_listed_by == ("villages",)
    assert club not in events
    singles_report = next(r for r in report.groups if r.group_id == "single-events")
    assert singles_report.ok and singles_report.events_found == 4
    assert {e.group_name for e in by_group(events, "single-events")} == {"Community calendar", "DC Tech Events"}


def test_one_summary_line_per_group_in_the_log(settings, server, caplog):
    caplog.set_level(logging.INFO, logger="events.collect.collector")
    collect(settings, server.base_url)
    lines = [r.getMessage() for r in caplog.records if r.name == "events.collect.collector" and r.levelno >= logging.INFO]
    assert len(lines) == 7
    assert lines[0].startswith("group civic-tech: ok, 6 events (added 6, updated 0, cancelled 0, removed 0, unchanged 0)")
    assert lines[1].startswith("group html-instead: FAILED, the URL returned a web page (HTML)")
    caplog.clear()
    collect(settings, server.base_url)
    second = [r.getMessage() for r in caplog.records if r.name == "events.collect.collector" and r.levelno >= logging.INFO]
    assert "feed unchanged" not in second[0]  # the test server sends no validators: a full 200 each time


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_shown_on_a_terminal_only():
    terminal, log_file = _Terminal(), io.StringIO()
    for stream in (terminal, log_file):
        progress = _Progress(stream)
        progress.expect(2)
        progress.step(FetchResult("a", True))
        progress.step(FetchResult("b", True))
        progress.done()
    assert terminal.getvalue() == "\rfetching: 1/2\rfetching: 2/2\n"
    assert log_file.getvalue() == ""


def test_the_single_events_group_joins_a_run_only_once_it_has_events(settings, server, data_dir):
    categories = load_categories(ROOT / "data" / "categories.yaml")
    report, _ = collect(settings, server.base_url, single_events=())
    assert "single-events" not in {r.group_id for r in report.groups}
    singles = load_single_events(data_dir / "single_events" / "good", categories).events
    report, events = collect(settings, server.base_url, single_events=singles)
    assert len(by_group(events, "single-events")) == 4
    # The files are gone: the group is still synced, so its events follow the "last seen" rules.
    report, _ = collect(settings, server.base_url, single_events=())
    singles_report = next(r for r in report.groups if r.group_id == "single-events")
    assert singles_report.ok and singles_report.events_found == 0
