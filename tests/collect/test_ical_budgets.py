"""Expansion budgets: results depend on the feed and the window, never on the machine's speed."""

from __future__ import annotations

import itertools
import time
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events
from hypothesis import given, settings
from hypothesis import strategies as st

from events.collect.sources import ical
from events.collect.sources.base import ParseRequest
from events.collect.sources.expansion import fair_shares

NY = ZoneInfo("America/New_York")
WINDOW_START = datetime(2026, 3, 1, tzinfo=NY)
WINDOW_END = WINDOW_START + timedelta(days=90)


def daily_series(count: int, since: str = "20120105") -> bytes:
    events = "".join(
        f"BEGIN:VEVENT\r\nUID:daily-{i}@example.org\r\nDTSTAMP:20120101T000000Z\r\n"
        f"DTSTART;TZID=America/New_York:{since}T{8 + i % 12:02d}{i % 60:02d}00\r\n"
        f"DURATION:PT1H\r\nRRULE:FREQ=DAILY\r\nSUMMARY:Daily {i}\r\nEND:VEVENT\r\n"
        for i in range(count)
    )
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n{events}END:VCALENDAR\r\n".encode()


def reference(content: bytes, start: datetime, end: datetime) -> int:
    """Plain icalendar + recurring-ical-events between(), as a user of the libraries would write it."""
    calendar = icalendar.Calendar.from_ical(content.decode())
    return len(recurring_ical_events.of(calendar).between(start, end))


def request(**limits) -> ParseRequest:
    return ParseRequest(WINDOW_START, WINDOW_END, NY, **limits)


def test_fifty_daily_series_since_2012_give_every_occurrence_of_the_window():
    feed = daily_series(50)
    result = ical.parse(feed, request(max_occurrences=5000))
    expected = reference(feed, WINDOW_START, WINDOW_END)
    assert expected == 50 * 90
    assert len(result.occurrences) == expected
    assert result.warnings == () and result.left_out == ()
    per_series = {uid: len(list(group)) for uid, group in itertools.groupby(result.occurrences, lambda o: o.source_uid)}
    assert set(per_series.values()) == {90}


def test_six_daily_series_fit_a_real_runs_limits_in_well_under_its_time():
    feed = daily_series(6)
    started = time.monotonic()
    result = ical.parse(feed, request())  # EVENTS_MAX_OCCURRENCES 2000, EVENTS_EXPAND_SECONDS 10
    assert time.monotonic() - started < 2
    assert len(result.occurrences) == 540 == reference(feed, WINDOW_START, WINDOW_END)


class SlowClock:
    """A clock on which every reading says `step` seconds more have passed: a machine `step` s slower per series."""

    def __init__(self, step: float) -> None:
        self.now = 0.0
        self.step = step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


def test_a_slow_machine_gets_the_same_events(data_dir):
    feeds = [daily_series(50), *(p.read_bytes() for p in sorted((data_dir / "ical").glob("*.ics")))]
    for feed in feeds:
        fast = ical.parse(feed, request(max_occurrences=3000, expand_seconds=10.0))
        # 0.4 s per clock reading: more than a second of "work" per series, on a 10 s feed limit.
        slow = ical.parse(feed, request(max_occurrences=3000, expand_seconds=10.0), clock=SlowClock(0.4))
        assert slow.occurrences == fast.occurrences
        assert slow.left_out == fast.left_out


def test_the_feed_budget_is_shared_fairly_and_every_cut_names_its_series():
    result = ical.parse(daily_series(6), request(max_occurrences=100))
    per_series = {uid: len(list(group)) for uid, group in itertools.groupby(result.occurrences, lambda o: o.source_uid)}
    assert sorted(per_series.values()) == [16, 16, 17, 17, 17, 17]
    # Each series stops reading once it has more than its share: the count is a lower bound, one or more each.
    assert len(result.left_out) == 1 and 6 <= result.left_out_count("budget") <= 540 - 100
    assert all(": at least " in w and "the feed keeps 100, shared between its 6 series" in w for w in result.warnings)
    named = {w.split(":")[0] for w in result.warnings}
    assert named == {f"event daily-{i}@example.org" for i in range(6)}
    # The kept occurrences are each series' earliest.
    assert all(o.start.date() <= date(2026, 3, 17) for o in result.occurrences)


@settings(max_examples=30, deadline=None, database=None)
@given(
    freq=st.sampled_from(["MINUTELY", "HOURLY", "DAILY", "WEEKLY"]),
    interval=st.integers(1, 9),
    start=st.datetimes(datetime(2005, 1, 1), datetime(2026, 6, 1)).map(lambda d: d.replace(second=0, microsecond=0)),
    by_day=st.booleans(),
    zone=st.sampled_from(["America/New_York", "Europe/Berlin", "UTC"]),
)
def test_a_moved_start_gives_the_same_occurrences_as_the_library(freq, interval, start, by_day, zone):
    """A rule walked from a later DTSTART, a whole number of intervals on, matches between() from the real one."""
    # The reference walks from DTSTART: keep its walk short for the fine frequencies.
    start = max(start, {"MINUTELY": datetime(2026, 2, 1), "HOURLY": datetime(2024, 1, 1)}.get(freq, start))
    days = ";BYDAY=MO,WE,SA" if by_day and freq in ("DAILY", "WEEKLY") else ""
    hours = ";BYHOUR=9,10" if freq == "MINUTELY" else ""
    feed = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\nUID:r@x\r\nDTSTAMP:20200101T000000Z\r\n"
        f"DTSTART;TZID={zone}:{start:%Y%m%dT%H%M%S}\r\nDURATION:PT30M\r\n"
        f"RRULE:FREQ={freq};INTERVAL={interval}{days}{hours}\r\nSUMMARY:r\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()
    begin, end = WINDOW_START, WINDOW_START + timedelta(days=7)
    result = ical.parse(feed, ParseRequest(begin, end, NY, max_occurrences=5000, max_series_occurrences=5000))
    if result.left_out:
        return  # cut by a budget (counted): compared elsewhere
    ours = sorted(o.start.astimezone(UTC) for o in result.occurrences)
    calendar = icalendar.Calendar.from_ical(feed.decode())
    theirs = sorted(c["DTSTART"].dt.astimezone(UTC) for c in recurring_ical_events.of(calendar).between(begin, end))
    assert ours == theirs


@settings(database=None)  # no example database written into the repository
@given(counts=st.lists(st.integers(0, 300), max_size=30), budget=st.integers(0, 2000))
def test_fair_shares_are_max_min_fair(counts, budget):
    shares = fair_shares(counts, budget)
    assert len(shares) == len(counts)
    assert all(0 <= s <= c for s, c in zip(shares, counts, strict=False))
    assert sum(shares) == min(sum(counts), budget)
    cut = [s for s, c in zip(shares, counts, strict=False) if s < c]
    # A series that was cut got at least as much as any other, but one.
    assert all(s >= max(shares) - 1 for s in cut)


def test_a_rule_that_never_matches_is_cut_by_the_clock_alone_and_the_rest_is_kept():
    """dateutil walks FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30 to the year 9999: only the wall clock can stop it."""
    feed = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n"
        b"BEGIN:VEVENT\r\nUID:never@x\r\nDTSTAMP:20200101T000000Z\r\nDTSTART:20200101T100000Z\r\n"
        b"RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30\r\nSUMMARY:Never\r\nEND:VEVENT\r\n"
        b"BEGIN:VEVENT\r\nUID:fine@x\r\nDTSTAMP:20200101T000000Z\r\nDTSTART:20260310T100000Z\r\n"
        b"SUMMARY:Fine\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    started = time.monotonic()
    result = ical.parse(feed, request(expand_seconds=0.4))
    assert time.monotonic() - started < 2
    assert [o.source_uid for o in result.occurrences] == ["fine@x"]
    (warning,) = result.warnings
    assert warning.startswith("event never@x: expanding its recurrence took longer than ")
    assert result.left_out == (("budget", 1),)


def test_many_series_cut_by_the_feed_budget_share_one_warning_that_names_the_first():
    result = ical.parse(daily_series(50), request(max_occurrences=100))
    assert len(result.occurrences) == 100
    (warning,) = result.warnings
    assert warning.startswith("events daily-0@example.org, daily-1@example.org, ") and ", daily-9@example.org and 40 more series: at least " in warning
    assert result.left_out_count("budget") >= 50


def test_when_the_feed_budget_is_smaller_than_its_series_the_soonest_events_are_kept():
    days = [20, 3, 15, 7, 28]
    events = "".join(
        f"BEGIN:VEVENT\r\nUID:e{day}@x\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:202603{day:02d}T230000Z\r\nSUMMARY:Day {day}\r\nEND:VEVENT\r\n"
        for day in days
    )
    feed = f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n{events}END:VCALENDAR\r\n".encode()
    result = ical.parse(feed, request(max_occurrences=3))
    assert [o.title for o in result.occurrences] == ["Day 3", "Day 15", "Day 7"]  # feed order, the three soonest
    assert result.left_out == (("budget", 2),)
