"""Real-world iCalendar quirks, one fixture per scenario in tests/data/ical/."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from events.collect.sources import ical
from events.collect.sources.base import ParseRequest

NY = ZoneInfo("America/New_York")
CHICAGO = ZoneInfo("America/Chicago")


def parse(data_dir, name, start="2026-03-01", days=60, tz=NY, **limits):
    begin = datetime.fromisoformat(start).replace(tzinfo=NY)
    request = ParseRequest(begin, begin + timedelta(days=days), tz, **limits)
    return ical.parse((data_dir / "ical" / name).read_bytes(), request)


def local(occurrence, fmt="%m-%d %H:%M"):
    return occurrence.start.astimezone(NY).strftime(fmt)


def test_rrule_weekly_by_day_until(data_dir):
    result = parse(data_dir, "rrule-weekly-byday-until.ics")
    assert [local(o) for o in result.occurrences] == [
        "03-03 08:00", "03-05 08:00", "03-10 08:00", "03-12 08:00", "03-17 08:00",
    ]
    # After the DST change the local time stays 08:00 (the offset moves).
    assert [o.start.utcoffset() for o in result.occurrences][-1] == timedelta(hours=-4)
    assert len({o.occurrence_key for o in result.occurrences}) == 5
    assert result.warnings == ()


def test_rdate_adds_dates_to_the_series(data_dir):
    result = parse(data_dir, "rdate-extra-dates.ics", days=60)
    assert [local(o) for o in result.occurrences] == ["03-05 19:00", "03-19 19:00", "04-09 19:00"]


def test_exdate_removes_dates(data_dir):
    result = parse(data_dir, "exdate-skipped-dates.ics")
    assert [local(o) for o in result.occurrences] == ["03-02 18:30", "03-16 18:30", "03-30 18:30"]


def test_recurrence_id_overrides_move_rename_and_cancel(data_dir):
    result = parse(data_dir, "recurrence-id-overrides.ics", days=90)
    rows = [(local(o), o.title, o.status, o.occurrence_key) for o in result.occurrences]
    assert rows == [
        ("03-04 18:00", "Monthly talks", "confirmed", "20260304T230000Z"),
        ("04-02 18:30", "Monthly talks: special edition", "confirmed", "20260401T220000Z"),
        ("05-06 18:00", "Monthly talks", "cancelled", "20260506T220000Z"),
    ]
    assert result.occurrences[1].sequence == 2


def test_all_day_events_are_one_day_long_with_or_without_dtend(data_dir):
    result = parse(data_dir, "all-day-single-day.ics")
    assert [(o.all_day, o.start.date().isoformat(), (o.end - o.start).days) for o in result.occurrences] == [
        (True, "2026-03-14", 1),
        (True, "2026-03-20", 1),  # no DTEND: one day (RFC 5545 3.6.1)
    ]


def test_multi_day_timed_event_keeps_its_span(data_dir):
    (conference,) = parse(data_dir, "multi-day-timed-conference.ics").occurrences
    assert not conference.all_day
    assert conference.end - conference.start == timedelta(days=2, hours=8)


def test_duration_gives_the_end(data_dir):
    talks, retreat = parse(data_dir, "duration-instead-of-dtend.ics", days=60).occurrences
    assert talks.end - talks.start == timedelta(hours=1, minutes=45)
    assert retreat.all_day and (retreat.end.date() - retreat.start.date()).days == 3


@pytest.mark.parametrize(
    "zone, first, second",
    [
        (NY, "2026-03-05T19:00:00-05:00", "2026-03-12T19:00:00-04:00"),
        (CHICAGO, "2026-03-05T19:00:00-06:00", "2026-03-12T19:00:00-05:00"),
    ],
)
def test_floating_times_are_read_in_the_groups_or_sites_zone(data_dir, zone, first, second):
    result = parse(data_dir, "floating-local-times.ics", tz=zone)
    assert [o.start.isoformat() for o in result.occurrences] == [first, second]
    assert {o.timezone for o in result.occurrences} == {zone.key}


def test_windows_timezone_names_map_to_iana(data_dir):
    result = parse(data_dir, "windows-timezone-names.ics")
    lunch = [o for o in result.occurrences if o.title == "Lunch and learn"]
    assert [o.start.isoformat() for o in lunch] == [
        "2026-03-03T12:00:00-05:00",
        "2026-03-10T12:00:00-04:00",
        "2026-03-17T12:00:00-04:00",
    ]
    (west,) = [o for o in result.occurrences if o.title.startswith("West coast")]
    assert west.start.isoformat() == "2026-03-05T09:00:00-08:00"


def test_x_wr_timezone_feed_keeps_local_time_across_dst(data_dir):
    result = parse(data_dir, "x-wr-timezone-google-utc.ics")
    assert [local(o) for o in result.occurrences] == ["03-02 18:00", "03-09 18:00", "03-16 18:00"]
    assert {o.timezone for o in result.occurrences} == {"America/New_York"}


def test_non_utf8_bytes_are_decoded(data_dir):
    raw = (data_dir / "ical" / "non-utf8-cp1252-bytes.ics").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    (event,) = parse(data_dir, "non-utf8-cp1252-bytes.ics").occurrences
    assert event.title == "Café Tech – Rust “night”"
    assert event.location.startswith("Café Saint-Ex, 1847 14th St NW")


def test_status_cancelled_is_kept_and_marked(data_dir):
    result = parse(data_dir, "status-cancelled-kept.ics")
    assert [(o.title, o.status) for o in result.occurrences] == [
        ("St. Patrick's Day social", "cancelled"),
        ("Maybe meetup", "tentative"),
        ("Regular meetup", "confirmed"),
    ]


def test_one_broken_event_is_skipped_with_a_reason_and_the_rest_kept(data_dir):
    result = parse(data_dir, "one-broken-event-among-good.ics")
    assert [o.title for o in result.occurrences] == ["Good event before", "Good event after"]
    reasons = "\n".join(result.warnings)
    assert "event bad-date@example.org: skipped: " in reasons
    assert "event bad-rule@example.org: skipped: " in reasons
    assert "event no-start@example.org: skipped: no start (DTSTART)" in reasons
    assert len(result.warnings) == 3


def test_runaway_minutely_and_secondly_rules_are_bounded_in_time(data_dir):
    started = time.monotonic()
    result = parse(data_dir, "runaway-minutely-secondly.ics", expand_seconds=1.0)
    assert time.monotonic() - started < 3
    titles = [o.title for o in result.occurrences]
    assert "A normal meetup listed after the runaway rules" in titles
    # Each runaway series keeps its first occurrences, or (on a very busy machine, cut by the clock) says why not.
    for uid in ("every-second@example.org", "every-minute@example.org"):
        assert any(w.startswith(f"event {uid}: ") for w in result.warnings)
    assert {o.source_uid for o in result.occurrences} - {"normal-after-runaways@example.org"}
    assert result.left_out_count("budget") > 0


def test_runaway_rule_starting_inside_the_window_is_bounded_too(data_dir):
    text = (data_dir / "ical" / "runaway-minutely-secondly.ics").read_text()
    text = text.replace("DTSTART:20000101T000000Z", "DTSTART:20260302T000000Z")
    begin = datetime(2026, 3, 1, tzinfo=NY)
    request = ParseRequest(begin, begin + timedelta(days=60), NY, max_occurrences=500, expand_seconds=1.0)
    started = time.monotonic()
    result = ical.parse(text.encode(), request)
    assert time.monotonic() - started < 3
    assert len(result.occurrences) <= 500
    assert "A normal meetup listed after the runaway rules" in [o.title for o in result.occurrences]


def test_a_daily_rule_is_bounded_in_occurrences(data_dir):
    text = (data_dir / "ical" / "exdate-skipped-dates.ics").read_text().replace("FREQ=WEEKLY;COUNT=5", "FREQ=DAILY")
    begin = datetime(2026, 3, 1, tzinfo=NY)
    request = ParseRequest(begin, begin + timedelta(days=3650), NY, max_occurrences=40)
    result = ical.parse(text.encode(), request)
    assert len(result.occurrences) == 40
    (warning,) = result.warnings
    assert warning.startswith("event study-group@example.org: at least ") and "more than 40 in the window" in warning
    assert result.left_out_count("budget") >= 1 and result.left_out_count() == result.left_out_count("budget")


def test_utc_times_are_shown_in_the_feeds_zone(data_dir):
    result = parse(data_dir, "weekly-exdate-and-moved-occurrence.ics")
    assert {o.timezone for o in result.occurrences} == {"America/New_York"}


def test_a_calendar_without_events_says_so():
    request = ParseRequest(datetime(2026, 3, 1, tzinfo=NY), datetime(2026, 4, 1, tzinfo=NY), NY)
    result = ical.parse(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n", request)
    assert result.occurrences == () and result.warnings == ("the calendar holds no events (no VEVENT)",)
