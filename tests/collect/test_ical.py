"""The iCal source: recurrence expansion over the window, time zones, ids."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from events.collect.sources import ical
from events.collect.sources.base import ParseRequest, SourceError

NY = ZoneInfo("America/New_York")


def request(start="2026-03-01", days=60, **limits) -> ParseRequest:
    begin = datetime.fromisoformat(start).replace(tzinfo=NY)
    return ParseRequest(begin, begin + timedelta(days=days), NY, **limits)


def parse(data_dir, name, **kwargs):
    return ical.parse((data_dir / "ical" / name).read_bytes(), request(**kwargs))


def test_weekly_rule_with_exdate_and_a_moved_occurrence(data_dir):
    result = parse(data_dir, "weekly-exdate-and-moved-occurrence.ics")
    hack = [o for o in result.occurrences if o.source_uid == "evt-civic-hacknight@lu.ma"]
    starts = [o.start.astimezone(NY).strftime("%m-%d %H:%M") for o in hack]
    # Six weekly from March 4, March 18 excluded, March 11 moved to March 12.
    assert starts == ["03-04 18:00", "03-12 19:00", "03-25 19:00", "04-01 19:00", "04-08 19:00"]
    moved = hack[1]
    assert moved.title == "Civic Tech Hack Night (moved to Thursday)"
    assert moved.occurrence_key == "20260311T230000Z"
    assert len({o.occurrence_key for o in hack}) == 5


def test_all_day_multi_day_floating_and_duration(data_dir):
    result = parse(data_dir, "all-day-multiday-floating-duration.ics", days=70)
    by_uid = {}
    for occurrence in result.occurrences:
        by_uid.setdefault(occurrence.source_uid, []).append(occurrence)
    fest = by_uid["novalug-installfest@mobilizon.us"][0]
    assert fest.all_day and (fest.end - fest.start) == timedelta(days=2)
    monthly = by_uid["novalug-monthly@mobilizon.us"]
    assert [o.start.isoformat() for o in monthly] == [
        "2026-03-02T19:00:00-05:00",
        "2026-04-06T19:00:00-04:00",
        "2026-05-04T19:00:00-04:00",
    ]
    assert all(o.end - o.start == timedelta(hours=2) for o in monthly)
    assert by_uid["novalug-baltimore@mobilizon.us"][0].occurrence_key == ""


def test_window_excludes_what_ends_before_it_and_starts_after_it(data_dir):
    result = parse(data_dir, "weekly-exdate-and-moved-occurrence.ics", start="2026-03-20", days=14)
    starts = sorted(o.start.astimezone(NY).date().isoformat() for o in result.occurrences)
    assert starts == ["2026-03-25", "2026-04-01"]


def test_occurrence_cap_cuts_with_a_warning_that_names_the_series(data_dir):
    full = parse(data_dir, "weekly-exdate-and-moved-occurrence.ics")
    result = parse(data_dir, "weekly-exdate-and-moved-occurrence.ics", max_occurrences=2)
    assert len(result.occurrences) == 2
    # The series stops expanding once it has more than it may keep: the count is a lower bound.
    assert 1 <= result.left_out_count("budget") <= len(full.occurrences) - 2
    assert any(w.startswith("event evt-civic-hacknight@lu.ma: at least ") and "left out" in w for w in result.warnings)


@pytest.mark.parametrize(
    "body, message",
    [
        (b"", "empty body"),
        (b"<!DOCTYPE html><html><body>Sign in</body></html>", "web page (HTML)"),
        (b'{"events": []}', "returned JSON"),
        (b"hello", "does not start with BEGIN:VCALENDAR"),
    ],
)
def test_not_a_calendar_is_a_clear_error(body, message):
    with pytest.raises(SourceError, match=message.replace("(", r"\(").replace(")", r"\)")):
        ical.parse(body, request())
