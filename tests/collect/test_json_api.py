"""A paged JSON calendar API ({"events": [...], "count": N}), The Villages style."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from events.collect.sources import json_api
from events.collect.sources.base import ParseRequest, SourceError

NY = ZoneInfo("America/New_York")
URL = "https://calendar.example.org/api/events?region=north"


def request():
    begin = datetime(2026, 3, 1, tzinfo=NY)
    return ParseRequest(begin, begin + timedelta(days=60), NY)


def body(data_dir, n):
    return (data_dir / "json_api" / f"page{n}.json").read_bytes()


def test_paging_from_the_first_pages_count(data_dir):
    options = {"page_size": 3}
    first = json_api.first_url(URL, options)
    assert first == URL + "&page=1&pageSize=3"
    assert json_api.further_urls(first, body(data_dir, 1), options) == (URL + "&page=2&pageSize=3", URL + "&page=3&pageSize=3")
    assert json_api.further_urls(URL + "&page=2&pageSize=3", body(data_dir, 2), options) == ()


def test_custom_page_parameters():
    options = {"page_size": 10, "page_param": "p", "size_param": "limit"}
    assert json_api.first_url(URL, options) == URL + "&p=1&limit=10"


def test_fields_are_mapped(data_dir):
    result = json_api.parse(body(data_dir, 1), request())
    club, talk, photo = result.occurrences
    assert club.title == "Computer Club: Windows 11 Tips"
    assert club.start.isoformat() == "2026-03-03T13:00:00-05:00" and club.end - club.start == timedelta(hours=2)
    assert club.location == "Eisenhower Recreation Center, 3560 Buena Vista Blvd, Leesburg, VA 20175"
    assert club.categories == ("Clubs",) and club.url == "https://calendar.example.org/events/101"
    assert club.source_uid == "101"
    assert talk.categories == ("Lectures", "Technology")
    assert photo.status == "cancelled"


def test_all_day_and_skipped_items(data_dir):
    result = json_api.parse(body(data_dir, 2), request())
    fair = result.occurrences[0]
    assert fair.all_day and fair.start.isoformat() == "2026-03-21T00:00:00-04:00"
    assert (fair.end - fair.start).days == 2  # end.date is the last day
    assert result.warnings == ("event 106: skipped: no title",)
    assert json_api.parse(body(data_dir, 3), request()).warnings == ("event 108: skipped: no start (start.date)",)


@pytest.mark.parametrize(
    "content, message",
    [(b"<!DOCTYPE html><html>", "web page"), (b'{"items": []}', "expected"), (b"", "empty"), (b"nonsense", "not JSON")],
)
def test_not_calendar_json_is_a_clear_error(content, message):
    with pytest.raises(SourceError, match=message):
        json_api.parse(content, request())
