"""Springshare LibCal events JSON: both shapes, online fields, paging."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from events.collect.sources import libcal
from events.collect.sources.base import ParseRequest, SourceError

NY = ZoneInfo("America/New_York")


def request(**options):
    begin = datetime(2026, 3, 1, tzinfo=NY)
    return ParseRequest(begin, begin + timedelta(days=60), NY, options=tuple(options.items()))


def test_api_events_map_every_field(data_dir):
    result = libcal.parse((data_dir / "libcal" / "api-events.json").read_bytes(), request(calendar_id=12345))
    rows = {o.source_uid: o for o in result.occurrences}
    assert list(rows) == ["libcal-11843001", "libcal-11843002", "libcal-11843003", "libcal-11843004", "libcal-11843005"]
    intro = rows["libcal-11843001"]
    assert intro.title == "Intro to Python for Adults"
    assert intro.start.isoformat() == "2026-03-05T18:00:00-05:00" and intro.end - intro.start == timedelta(minutes=90)
    assert intro.url == "https://arlingtonva.libcal.com/event/11843001"
    assert intro.location == "Central Library - Auditorium, Central Library, 1015 N Quincy St, Arlington, VA 22201"
    assert intro.categories == ("Technology", "Adults")
    assert intro.attendance_mode == "" and "<strong>Python</strong>" in intro.description


@pytest.mark.parametrize(
    "uid, location, mode",
    [
        ("libcal-11843002", "https://us02web.zoom.us/j/5550001111", "online"),
        ("libcal-11843003", "Makerspace, Columbia Pike Branch", "mixed"),
    ],
)
def test_online_fields_make_events_virtual_or_hybrid(data_dir, uid, location, mode):
    result = libcal.parse((data_dir / "libcal" / "api-events.json").read_bytes(), request())
    event = next(o for o in result.occurrences if o.source_uid == uid)
    assert (event.location, event.attendance_mode) == (location, mode)


def test_all_day_and_skipped_events(data_dir):
    result = libcal.parse((data_dir / "libcal" / "api-events.json").read_bytes(), request(calendar_id=12345))
    closed = next(o for o in result.occurrences if o.source_uid == "libcal-11843004")
    assert closed.all_day and closed.start.isoformat() == "2026-03-09T00:00:00-04:00"
    assert (closed.end - closed.start) == timedelta(days=1)
    assert result.warnings == ("event '11843007': skipped: no title", "event '11843008': skipped: no start")


def test_public_list_pages_are_followed_and_parsed(data_dir):
    url = libcal.first_url("https://library.example.libcal.com/ajax/calendar/list?perpage=2", {"calendar_id": 777})
    assert url == "https://library.example.libcal.com/ajax/calendar/list?perpage=2&c=777"
    first = (data_dir / "libcal" / "list-page1.json").read_bytes()
    assert libcal.further_urls(url, first, {}) == (url + "&page=2",)
    assert libcal.further_urls(url + "&page=2", (data_dir / "libcal" / "list-page2.json").read_bytes(), {}) == ()
    result = libcal.parse(first, request())
    email, coding = result.occurrences
    assert email.start.isoformat() == "2026-03-03T14:00:00-05:00"
    assert email.location == "Computer Lab, Main Library" and email.categories == ("Technology", "Seniors")
    assert email.description == "Set up and use an email account."
    assert (coding.location, coding.attendance_mode) == ("", "online")


@pytest.mark.parametrize(
    "body, message",
    [(b"<html><body>Log in</body></html>", "web page"), (b'{"error": "nope"}', "no 'events' or 'results'"), (b"", "empty")],
)
def test_not_libcal_json_is_a_clear_error(body, message):
    with pytest.raises(SourceError, match=message):
        libcal.parse(body, request())
