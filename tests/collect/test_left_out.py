"""What a feed's reading leaves out is counted by reason, kept in the group's state and shown on /sources/ (issue 12)."""

from __future__ import annotations

from datetime import datetime

from conftest import NEW_YORK, ROOT
from routedserver import RoutedServer

from events.clock import Clock
from events.collect.collector import Collector
from events.collect.fetch import Fetcher
from events.models import Group
from events.settings import EventsSettings
from events.store.sqlite import SQLiteStore

NOW = datetime(2026, 3, 2, 9, tzinfo=NEW_YORK)


def vevent(uid: str, start: str, *lines: str) -> str:
    return "\r\n".join(["BEGIN:VEVENT", f"UID:{uid}", "DTSTAMP:20260101T000000Z", f"DTSTART;TZID=America/New_York:{start}",
                        f"DTEND;TZID=America/New_York:{start[:9]}230000", *lines, "END:VEVENT"])


FEED = "\r\n".join([
    "BEGIN:VCALENDAR", "VERSION:2.0",
    vevent("kept", "20260305T180000", "SUMMARY:Kept", "LOCATION:1630 7th St NW\\, Washington\\, DC 20001"),
    vevent("untitled", "20260306T180000", "LOCATION:1630 7th St NW\\, Washington\\, DC 20001"),
    vevent("far", "20270306T180000", "SUMMARY:Next year"),
    vevent("elsewhere", "20260307T180000", "SUMMARY:Elsewhere", "LOCATION:1 Main St\\, Austin\\, TX 78701"),
    "END:VCALENDAR", "",
]).encode()


def test_left_out_events_are_counted_by_reason_and_kept_in_the_group_state(tmp_path):
    settings = EventsSettings.from_mapping({"EVENTS_NOW": NOW.isoformat(), "EVENTS_CACHE_DIR": str(tmp_path)}, ROOT)
    store = SQLiteStore(tmp_path / "events.sqlite3")
    with RoutedServer({"/feed.ics": (200, "text/calendar", FEED)}) as server:
        fetcher = Fetcher(None, retries=1, timeout=5, allow_private=True)
        try:
            group = Group("counted", "Counted", "https://counted.example/", ical=f"{server.base_url}/feed.ics")
            report = Collector(settings, store, fetcher, Clock(NEW_YORK, NOW)).run([group])
        finally:
            fetcher.close()
    (group_report,) = report.groups
    assert group_report.events_found == 1
    assert group_report.left_out == {"no_title": 1, "outside_window": 1, "outside_states": 1}
    assert report.left_out_totals() == {"no_title": 1, "outside_states": 1, "outside_window": 1}
    assert dict(store.group_states()["counted"].left_out) == group_report.left_out
    store.close()
