"""Parsed documents are reused only when the bytes, the request and the code are the same."""

from __future__ import annotations

from datetime import datetime, timedelta

from conftest import DATA, DEMO_NOW, NEW_YORK, ROOT
from feedserver import FeedServer, write_demo_groups

from events.collect.parse_cache import KEEP_DAYS, ParseCache
from events.collect.sources import ical
from events.collect.sources.base import ParseRequest, ParseResult
from events.run.collection import run_collection
from events.settings import EventsSettings
from events.store.sqlite import SQLiteStore

NOW = datetime(2026, 3, 2, 9, tzinfo=NEW_YORK)
FEED = (
    b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:a@x\r\nDTSTAMP:20260101T000000Z\r\n"
    b"DTSTART;TZID=America/New_York:20260305T180000\r\nDTEND;TZID=America/New_York:20260305T200000\r\n"
    b"RRULE:FREQ=WEEKLY;COUNT=4\r\nSUMMARY:Meetup\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)


def request(days: int = 90) -> ParseRequest:
    return ParseRequest(NOW - timedelta(days=1), NOW + timedelta(days=days), NEW_YORK)


class Counting:
    def __init__(self, warnings: tuple[str, ...] = ()) -> None:
        self.calls = 0
        self.warnings = warnings

    def __call__(self, content: bytes, req: ParseRequest) -> ParseResult:
        self.calls += 1
        result = ical.parse(content, req)
        return ParseResult(result.occurrences, (*result.warnings, *self.warnings), result.left_out)


def test_the_same_bytes_and_request_are_parsed_once_across_runs(tmp_path):
    parse = Counting()
    first = ParseCache(tmp_path / "parsed.sqlite3", NOW)
    result = first.parse("ical", FEED, request(), parse)
    first.close()
    again = ParseCache(tmp_path / "parsed.sqlite3", NOW + timedelta(hours=2))
    reused = again.parse("ical", FEED, request(), parse)
    again.close()
    assert parse.calls == 1 and (again.hits, again.misses) == (1, 0)
    assert reused == result and len(reused.occurrences) == 4


def test_other_bytes_or_another_request_are_parsed_again(tmp_path):
    parse = Counting()
    cache = ParseCache(tmp_path / "parsed.sqlite3", NOW)
    cache.parse("ical", FEED, request(), parse)
    cache.parse("ical", FEED.replace(b"Meetup", b"Meetup!"), request(), parse)
    cache.parse("ical", FEED, request(days=91), parse)
    cache.parse("jsonld", FEED, request(), parse)
    cache.close()
    assert parse.calls == 4


def test_a_result_cut_by_the_wall_clock_is_not_kept(tmp_path):
    parse = Counting(("event a@x: expanding its recurrence took longer than 1 s (its share); kept the 2 occurrence(s) found",))
    cache = ParseCache(tmp_path / "parsed.sqlite3", NOW)
    cache.parse("ical", FEED, request(), parse)
    cache.parse("ical", FEED, request(), parse)
    cache.close()
    assert parse.calls == 2


def test_a_broken_cache_file_costs_time_not_results(tmp_path):
    path = tmp_path / "parsed.sqlite3"
    path.write_bytes(b"this is not SQLite" * 100)
    parse = Counting()
    cache = ParseCache(path, NOW)
    assert len(cache.parse("ical", FEED, request(), parse).occurrences) == 4
    cache.close()


def test_entries_unused_for_a_while_are_dropped(tmp_path):
    parse = Counting()
    cache = ParseCache(tmp_path / "parsed.sqlite3", NOW)
    cache.parse("ical", FEED, request(), parse)
    cache.close()
    ParseCache(tmp_path / "parsed.sqlite3", NOW + timedelta(days=KEEP_DAYS + 1)).close()
    later = ParseCache(tmp_path / "parsed.sqlite3", NOW + timedelta(days=KEEP_DAYS + 1))
    later.parse("ical", FEED, request(), parse)
    later.close()
    assert parse.calls == 2


def test_without_a_folder_everything_is_parsed():
    parse = Counting()
    cache = ParseCache(None, NOW)
    cache.parse("ical", FEED, request(), parse)
    cache.parse("ical", FEED, request(), parse)
    assert parse.calls == 2



def test_a_rerun_the_same_day_reuses_every_parse_and_stores_the_same_events(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    groups = tmp_path / "_groups"

    def settings_at(now: str) -> EventsSettings:
        return EventsSettings.from_mapping(
            {
                "EVENTS_NOW": now,
                "EVENTS_FETCH_ALLOW_PRIVATE": True,
                "EVENTS_CACHE_DIR": str(tmp_path / "cache"),
                "EVENTS_GROUPS_DIR": str(groups),
                "EVENTS_SINGLE_EVENTS_DIR": str(empty),
                "EVENTS_OVERLAYS_DIR": str(empty),
            },
            ROOT,
        )

    def stored(settings: EventsSettings) -> list[tuple[str, str, str, int]]:
        store = SQLiteStore(settings.sqlite_path)
        try:
            found = store.window(NOW - timedelta(days=60), NOW + timedelta(days=120))
        finally:
            store.close()
        return sorted((s.event_id, s.event.title, s.event.start.isoformat(), s.sequence) for s in found)

    with FeedServer(DATA / "demo" / "feeds") as server:
        write_demo_groups(DATA / "demo" / "groups", groups, server.base_url)
        (groups / "offline-group.yaml").unlink()
        first = run_collection(settings_at(DEMO_NOW))
        before = stored(settings_at(DEMO_NOW))
        second = run_collection(settings_at(DEMO_NOW.replace("09:00", "21:00")))
    assert first.parse_stats == {"parsed": len(first.groups), "reused": 0}
    assert second.parse_stats == {"parsed": 0, "reused": len(second.groups)}
    assert before and stored(settings_at(DEMO_NOW)) == before


def test_a_week_of_nights_parses_each_feed_once_and_stores_what_a_cold_run_stores(tmp_path):
    """Feeds unchanged all week: the next nights reuse Monday's parse (its window is wider); a new week parses again.
    Each night's events equal those of a run with no cache at all."""
    from events.clock import collection_window

    empty = tmp_path / "empty"
    empty.mkdir()
    groups = tmp_path / "_groups"

    def settings_at(now: datetime, cache: str) -> EventsSettings:
        return EventsSettings.from_mapping(
            {
                "EVENTS_NOW": now.isoformat(),
                "EVENTS_FETCH_ALLOW_PRIVATE": True,
                "EVENTS_CACHE_DIR": str(tmp_path / cache),
                "EVENTS_GROUPS_DIR": str(groups),
                "EVENTS_SINGLE_EVENTS_DIR": str(empty),
                "EVENTS_OVERLAYS_DIR": str(empty),
            },
            ROOT,
        )

    def stored(settings: EventsSettings, now: datetime) -> list[tuple[str, str, str, str]]:
        start, end = collection_window(now, settings.horizon_days)
        store = SQLiteStore(settings.sqlite_path)
        try:
            found = store.window(start, end)
        finally:
            store.close()
        return sorted((s.event_id, s.event.title, s.event.start.isoformat(), s.event.status) for s in found if s.last_seen is None)

    monday = datetime.fromisoformat(DEMO_NOW).astimezone(NEW_YORK)
    assert monday.weekday() == 0  # its window starts on Sunday, the week before: Tuesday's run starts a week
    with FeedServer(DATA / "demo" / "feeds") as server:
        write_demo_groups(DATA / "demo" / "groups", groups, server.base_url)
        (groups / "offline-group.yaml").unlink()
        for days, parsed in ((1, "all"), (2, "none"), (7, "none"), (8, "all")):
            night = monday + timedelta(days=days)
            report = run_collection(settings_at(night, "cache"))
            assert report.parse_stats["parsed"] == (len(report.groups) if parsed == "all" else 0), f"day {days}"
            cold = run_collection(settings_at(night, f"cold-{days}"))
            assert cold.parse_stats["reused"] == 0
            assert stored(settings_at(night, "cache"), night) == stored(settings_at(night, f"cold-{days}"), night), f"day {days}"
