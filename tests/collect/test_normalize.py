"""Normalizing: place and state, attendance, clean text, group rules and field rules."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from events.collect.location import place_of
from events.collect.normalize import Skip, normalize, plain_text, sanitize_html
from events.models import Group, Occurrence

NY = ZoneInfo("America/New_York")
STATES = ("DC", "MD", "VA")
GROUP = Group(slug="g", name="G", website="https://g.example.org/", categories=("ai",))


def occurrence(**changes):
    values = {
        "source_uid": "u1",
        "occurrence_key": "",
        "title": "Meetup",
        "start": datetime(2026, 3, 10, 18, tzinfo=NY),
        "end": datetime(2026, 3, 10, 20, tzinfo=NY),
    }
    values.update(changes)
    return Occurrence(**values)


@pytest.mark.parametrize(
    "location, city, state",
    [
        ("1630 7th St NW, Washington, DC 20001", "Washington", "DC"),
        ("Capital One Cafe, 3150 M St NW, Washington, DC 20007", "Washington", "DC"),
        ("George Mason University, 4400 University Dr, Fairfax, VA 22030", "Fairfax", "VA"),
        ("Bethesda, MD", "Bethesda", "MD"),
        ("Arlington, Virginia", "Arlington", "VA"),
        ("Silver Spring, Maryland, United States", "Silver Spring", "MD"),
        ("Reston Town Center, Reston, VA, USA", "Reston", "VA"),
        ("Tysons Corner Center, McLean, VA", "McLean", "VA"),
        ("WeWork, 1775 Tysons Blvd, Tysons 22102", "Tysons", "VA"),  # state from the ZIP code
        ("Washington DC", "Washington", "DC"),
        ("Civic Hall, 124 E 14th St, New York, NY 10003", "New York", "NY"),
        ("Room 101, MLK Library", "", ""),
    ],
)
def test_location_to_city_and_state(location, city, state):
    place = place_of(location)
    assert (place.city, place.state) == (city, state)


@pytest.mark.parametrize(
    "location, mode, kind",
    [
        ("https://us02web.zoom.us/j/123456789", "", "virtual"),
        ("https://meet.google.com/abc-defg-hij", "", "virtual"),
        ("https://teams.microsoft.com/l/meetup-join/19%3a", "", "virtual"),
        ("https://lu.ma/join/g-abc", "", "virtual"),
        ("https://www.meetup.com/dcpython/events/1/", "", "virtual"),  # URL only
        ("Microsoft Teams Meeting", "", "virtual"),
        ("Online via Zoom", "", "virtual"),
        ("Zoom: https://zoom.us/j/1", "", "virtual"),
        ("Online", "", "virtual"),
        ("", "online", "virtual"),  # JSON-LD OnlineEventAttendanceMode
        ("MLK Library, 901 G St NW, Washington, DC 20001", "mixed", "hybrid"),  # MixedEventAttendanceMode
        ("MLK Library, 901 G St NW, Washington, DC 20001 and https://zoom.us/j/1", "", "hybrid"),
        ("MLK Library, 901 G St NW, Washington, DC 20001", "", "in_person"),
        ("MLK Library, 901 G St NW, Washington, DC 20001", "offline", "in_person"),
    ],
)
def test_virtual_in_person_and_hybrid(location, mode, kind):
    assert place_of(location, mode).location_type == kind


def test_hybrid_keeps_the_city_of_its_address():
    place = place_of("MLK Library, 901 G St NW, Washington, DC 20001 and https://zoom.us/j/1")
    assert (place.city, place.state) == ("Washington", "DC")


@pytest.mark.parametrize(
    "location, kept",
    [
        ("Civic Hall, 124 E 14th St, New York, NY 10003", False),
        ("Baltimore, MD 21201", True),
        ("https://zoom.us/j/1", True),  # virtual events are listed wherever they are
        ("Somewhere unknown", True),  # no state found: not left out
    ],
)
def test_events_outside_the_sites_states_are_left_out_with_a_reason(location, kept):
    outcome = normalize(occurrence(location=location), GROUP, NY, STATES, "ical")
    assert isinstance(outcome, Skip) != kept
    if not kept:
        assert outcome.reason == "in NY, outside the site's states"
    assert not isinstance(normalize(occurrence(location=location), GROUP, NY, (), "ical"), Skip)


@pytest.mark.parametrize(
    "raw, clean",
    [
        ("<p>Hi <script>alert(1)</script><b>there</b></p>", "<p>Hi <b>there</b></p>"),
        ('<a href="javascript:alert(1)">x</a>', 'x'),
        ('<a href="mailto:a@b.org">mail</a>', 'mail'),
        ('<p><a href="javascript:x()">one</a> and <a href="https://a.org/">two</a></p>', '<p>one and <a href="https://a.org/" rel="nofollow noopener">two</a></p>'),  # noqa: E501 - one literal, easier to read whole
        ('<a href="https://example.org/" onclick="x()">ok</a>', '<a href="https://example.org/" rel="nofollow noopener">ok</a>'),
        ('<img src="x" onerror="alert(1)"><iframe src="https://evil.example/"></iframe>text', "text"),
        ("Line one\nline two\n\nSee https://example.org/x", '<p>Line one<br>line two</p><p>See <a href="https://example.org/x" rel="nofollow noopener">https://example.org/x</a></p>'),
        ("", ""),
    ],
)
def test_descriptions_are_sanitized_with_only_http_links(raw, clean):
    assert sanitize_html(raw) == clean


@pytest.mark.parametrize(
    "raw, summary",
    [
        ("<p>Hello&nbsp;<b>world</b></p><p>again</p>", "Hello world again"),
        ("word " * 100, ("word " * 59).strip() + "…"),
        ("  spaced\n\nout  ", "spaced out"),
    ],
)
def test_plain_text_summary(raw, summary):
    assert plain_text(raw) == summary


def test_group_rules_skip_phrases_suppress_urls_and_fallback_url():
    group = Group(
        slug="g", name="G", website="https://g.example.org/",
        skip_phrases=("Storytime",), suppress_urls=("https://spam.example.com/",), fallback_url="https://g.example.org/events",
    )
    assert normalize(occurrence(title="Toddler storytime"), group, NY, STATES, "ical") == Skip("matches skip phrase 'Storytime'")
    assert normalize(occurrence(description="... storytime ..."), group, NY, STATES, "ical") == Skip("matches skip phrase 'Storytime'")
    assert normalize(occurrence(url="https://spam.example.com/e/1"), group, NY, STATES, "ical") == Skip(
        "URL https://spam.example.com/e/1 is suppressed"
    )
    assert normalize(occurrence(), group, NY, STATES, "ical").url == "https://g.example.org/events"
    assert normalize(occurrence(url="mailto:x@y.org"), group, NY, STATES, "ical").url == "https://g.example.org/events"
    assert normalize(occurrence(description="Join at https://lu.ma/abc."), group, NY, STATES, "ical").url == "https://lu.ma/abc"
    no_fallback = Group(slug="g", name="G", website="https://g.example.org/")
    assert normalize(occurrence(), no_fallback, NY, STATES, "ical").url == "https://g.example.org/"


@pytest.mark.parametrize(
    "changes, reason",
    [
        ({"title": ""}, "no title"),
        ({"title": "   "}, "no title"),
        ({"start": None}, "no start"),
    ],
)
def test_field_rules_title_and_start_are_required(changes, reason):
    assert normalize(occurrence(**changes), GROUP, NY, STATES, "ical") == Skip(reason)


@pytest.mark.parametrize(
    "title, shown, status",
    [
        ("CANCELLED: Python night", "Python night", "cancelled"),
        ("[Canceled] Python night", "Python night", "cancelled"),
        ("Python   night", "Python night", "confirmed"),
    ],
)
def test_cancelled_titles_and_spacing(title, shown, status):
    event = normalize(occurrence(title=title), GROUP, NY, STATES, "ical")
    assert (event.title, event.status) == (shown, status)


def test_missing_or_backwards_end_gets_a_default_length():
    timed = normalize(occurrence(end=datetime(2026, 3, 10, 17, tzinfo=NY)), GROUP, NY, STATES, "ical")
    assert timed.end - timed.start == timedelta(hours=1)
    day = occurrence(all_day=True, start=datetime(2026, 3, 10, tzinfo=NY), end=datetime(2026, 3, 10, tzinfo=NY))
    assert normalize(day, GROUP, NY, STATES, "ical").end.day == 11


def test_source_categories_count_only_when_they_are_site_categories():
    tagged = occurrence(categories=("ai", "Random tag", "cloud"))
    assert normalize(tagged, GROUP, NY, STATES, "ical").categories == ("ai",)
    assert normalize(tagged, GROUP, NY, STATES, "ical", None, {"ai", "cloud"}).categories == ("ai", "cloud")
