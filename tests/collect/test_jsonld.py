"""schema.org Event JSON-LD: event pages as a source, and enrichment of iCal events."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from events.collect.sources import jsonld
from events.collect.sources.base import ParseRequest, SourceError
from events.models import Occurrence

NY = ZoneInfo("America/New_York")
LISTING = "https://hackerspace.example.org/events/"


def request(url, **options):
    begin = datetime(2026, 3, 1, tzinfo=NY)
    return ParseRequest(begin, begin + timedelta(days=60), NY, url=url, options=tuple({"url": LISTING, **options}.items()))


def page(data_dir, name):
    return (data_dir / "jsonld" / name).read_bytes()


def test_listing_links_to_event_pages_on_its_own_site(data_dir):
    links = jsonld.further_urls(LISTING, page(data_dir, "listing.html"), {"url": LISTING, "event_links": "a.event-link"})
    assert links == (
        "https://hackerspace.example.org/events/open-hack-night",
        "https://hackerspace.example.org/events/soldering-101",
        "https://hackerspace.example.org/events/gone",
    )


def test_default_selector_and_no_following_from_event_pages(data_dir):
    assert len(jsonld.further_urls(LISTING, page(data_dir, "listing.html"), {"url": LISTING})) == 3
    event_page = "https://hackerspace.example.org/events/open-hack-night"
    assert jsonld.further_urls(event_page, page(data_dir, "listing.html"), {"url": LISTING}) == ()


def test_event_page_with_place_floating_time_and_free_offer(data_dir):
    url = "https://hackerspace.example.org/events/open-hack-night"
    result = jsonld.parse(page(data_dir, "open-hack-night.html"), request(url))
    (event,) = result.occurrences
    assert event.title == "Open Hack Night & Pizza"
    assert event.start.isoformat() == "2026-03-11T19:00:00-04:00"
    assert event.end - event.start == timedelta(hours=3)
    assert event.location == "Baltimore Hackerspace, 1 N Haven St, Baltimore, MD 21224"
    assert (event.url, event.source_uid, event.cost, event.attendance_mode) == (url, url + "#0.0", "Free", "offline")


def test_graph_with_commented_json_place_and_virtual_location(data_dir):
    url = "https://hackerspace.example.org/events/soldering-101"
    result = jsonld.parse(page(data_dir, "soldering-101.html"), request(url))
    (event,) = result.occurrences
    assert event.source_uid == "https://hackerspace.example.org/events/soldering-101#event"
    assert event.attendance_mode == "mixed"
    assert event.location == "Baltimore Hackerspace, 1 N Haven St, Baltimore, MD 21224"
    assert event.cost == "$15"
    assert result.warnings[0].startswith(f"{url}: JSON-LD block 2 skipped: not JSON")


def test_events_without_title_or_start_are_skipped_with_a_reason(data_dir):
    url = "https://hackerspace.example.org/events/tbd"
    result = jsonld.parse(page(data_dir, "event-without-start.html"), request(url))
    assert result.occurrences == ()
    assert result.warnings == (
        f"event {url}: skipped: no start (startDate)",
        f"event {url}#1.0: skipped: no title (name)",
    )


def test_a_page_without_events_is_a_warning_not_an_error(data_dir):
    url = "https://hackerspace.example.org/about"
    result = jsonld.parse(b"<html><body>About us</body></html>", request(url))
    assert result == jsonld.ParseResult((), (f"{url}: no schema.org Event on the page",))
    assert jsonld.parse(page(data_dir, "listing.html"), request(LISTING)).warnings == ()


@pytest.mark.parametrize(
    "body, message",
    [(b"", "empty body"), (b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "iCalendar feed, not a web page")],
)
def test_not_a_web_page_is_a_clear_error(body, message):
    with pytest.raises(SourceError, match=message):
        jsonld.parse(body, request(LISTING))


def meetup_occurrence(url):
    return Occurrence(
        source_uid="event_300000001@meetup.com",
        occurrence_key="",
        title="Python Project Night",
        start=datetime(2026, 3, 10, 18, 30, tzinfo=NY),
        end=datetime(2026, 3, 10, 20, 30, tzinfo=NY),
        url=url,
        status="confirmed",
    )


def test_meetup_page_says_cancelled_where_the_feed_says_confirmed(data_dir):
    url = "https://www.meetup.com/dcpython/events/300000001/"
    facts = jsonld.page_event(page(data_dir, "meetup-event-cancelled.html"), url)
    assert facts is not None and facts.status == "cancelled"
    enriched = jsonld.enrich(meetup_occurrence(url), facts)
    assert enriched.status == "cancelled"
    assert enriched.location == "Capital One Cafe, 3150 M St NW, Washington, DC 20007"
    assert enriched.attendance_mode == "offline" and enriched.cost == "Free"
    assert enriched.description == "Work on your Python project with others."


def test_meetup_page_says_online(data_dir):
    url = "https://www.meetup.com/dcpython/events/300000002/"
    facts = jsonld.page_event(page(data_dir, "meetup-event-online.html"), url)
    enriched = jsonld.enrich(meetup_occurrence(url), facts)
    assert (enriched.status, enriched.attendance_mode) == ("confirmed", "online")


def test_enrich_keeps_what_the_feed_already_says(data_dir):
    url = "https://www.meetup.com/dcpython/events/300000001/"
    facts = jsonld.page_event(page(data_dir, "meetup-event-cancelled.html"), url)
    mine = meetup_occurrence(url).__class__(**{**meetup_occurrence(url).__dict__, "location": "Our own place", "description": "Ours"})
    enriched = jsonld.enrich(mine, facts)
    assert (enriched.location, enriched.description) == ("Our own place", "Ours")


def test_page_event_is_none_for_a_page_without_json_ld():
    assert jsonld.page_event(b"<html></html>", "https://example.org/") is None
    assert jsonld.page_event(b"", "https://example.org/") is None
