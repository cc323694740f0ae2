"""Page planning, pure: events + clock + SiteInfo -> PageSpecs (no Pelican, no files)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import icalendar
import pytest
from factories import make_event, make_stored

from events.models import Group, GroupState, StoredEvent
from events.site.calendar_links import calendar_links, subscribe_links
from events.site.event_view import event_view
from events.site.files.event_calendars import event_calendars, split_components
from events.site.files.icalendar_writer import calendar_bytes
from events.site.files.page_files import plan_page_files, robots_txt
from events.site.pages.calendar_pages import WEEKS_AHEAD, month_range, week_label, week_range
from events.site.pages.listing_pages import plan_pages
from events.site.pages.structured_data import event_jsonld, jsonld_script
from events.site.records import SiteInfo
from events.site.shorten import DESCRIPTION_LIMIT, ELLIPSIS, TITLE_LIMIT, shorten_html, shorten_text, tidy_html
from events.site.urls import week_id

NY = ZoneInfo("America/New_York")
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=NY)
CREATED = datetime(2026, 2, 1, tzinfo=NY)
GROUPS = (
    Group("dc-python", "DC Python", "https://dcpython.example/", categories=("programming-languages",), ical="https://x.example/a.ics"),
    Group("novalug", "NoVALUG", "https://novalug.example/", ical="https://x.example/b.ics"),
)
SITE = SiteInfo(
    name="DC Tech Events",
    url="https://dctech.events",
    timezone=NY,
    home_days=14,
    uid_domain="dctech.events",
    states=("DC", "MD", "VA"),
    groups=GROUPS,
    group_states={"dc-python": GroupState("dc-python", NOW, NOW, "ok", "", 3, ("1 event has no location",))},
    categories={"programming-languages": "Programming Languages", "social": "Social & Networking"},
)


def make(
    event_id: str,
    start: datetime,
    hours: float = 2,
    title: str = "Meetup",
    all_day: bool = False,
    state: str = "DC",
    location_type: str = "in_person",
    group: str = "dc-python",
    status: str = "confirmed",
    description: str = "",
    location: str = "1425 K St NW, Washington, DC 20005",
    also: tuple[str, ...] = (),
) -> StoredEvent:
    """A DC Python event filed under a category the site knows; a virtual one links to a call."""
    virtual = location_type == "virtual"
    event = make_event(
        event_id, start, end=start + timedelta(hours=hours), group_id=group, title=title, all_day=all_day,
        location="https://zoom.example/j/1" if virtual else location, state="" if virtual else state, location_type=location_type,
        description=description, summary=description[:300], categories=("programming-languages",), status=status, also_listed_by=also,
    )
    return make_stored(event, created_at=CREATED)


def at(day: int, hour: int = 18, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=NY)


def plan(*stored: StoredEvent, now: datetime = NOW):
    views = [event_view(s, NY) for s in stored]
    return {p.path: p for p in plan_pages(views, now, SITE)}, views


def titles(listing) -> list[tuple[str, bool]]:
    return [(v.event.title, continuing) for v, continuing in listing.events]


# Ordering and continuing multi-day events


def test_a_day_lists_all_day_and_continuing_events_first_then_by_time():
    pages, _ = plan(
        make("late", at(3, 19), title="Late talk"),
        make("early", at(3, 8), title="Breakfast"),
        make("fest", datetime(2026, 3, 2, tzinfo=NY), hours=48, all_day=True, title="Installfest"),
        make("overnight", at(2, 22), hours=4, title="Hackathon"),
        make("allday", datetime(2026, 3, 3, tzinfo=NY), hours=24, all_day=True, title="Conference"),
    )
    listing = pages["2026/03/03/index.html"].context["listing"]
    assert titles(listing) == [
        ("Installfest", True),
        ("Hackathon", True),
        ("Conference", False),
        ("Breakfast", False),
        ("Late talk", False),
    ]


def test_multi_day_event_shows_on_each_day_and_an_end_at_midnight_does_not_spill_over():
    pages, _ = plan(make("fest", datetime(2026, 3, 7, tzinfo=NY), hours=48, all_day=True, title="Weekend"))
    assert titles(pages["2026/03/07/index.html"].context["listing"]) == [("Weekend", False)]
    assert titles(pages["2026/03/08/index.html"].context["listing"]) == [("Weekend", True)]
    assert "2026/03/09/index.html" not in pages


def test_home_lists_in_person_events_of_the_next_14_days_and_today_a_continuing_one():
    pages, _ = plan(
        make("ongoing", datetime(2026, 3, 1, tzinfo=NY), hours=72, all_day=True, title="Started yesterday"),
        make("online", at(3), location_type="virtual", title="Webinar"),
        make("hybrid", at(4), location_type="hybrid", title="Hybrid talk"),
        make("in13", at(15), title="Day 13"),
        make("in14", at(16), title="Day 14"),
        make("past", at(1), title="Yesterday"),
    )
    days = pages["index.html"].context["days"]
    assert [(d.day.isoformat(), titles(d)) for d in days] == [
        ("2026-03-02", [("Started yesterday", True)]),
        ("2026-03-03", [("Started yesterday", True)]),
        ("2026-03-04", [("Hybrid talk", False)]),
        ("2026-03-15", [("Day 13", False)]),
    ]


# ISO weeks and months


@pytest.mark.parametrize(
    "day,expected",
    [
        (date(2026, 3, 2), "2026-W10"),
        (date(2026, 1, 1), "2026-W01"),  # a Thursday: week 1 is the week with the year's first Thursday
        (date(2025, 12, 29), "2026-W01"),  # Monday of 2026-W01 is still in 2025
        (date(2027, 1, 1), "2026-W53"),  # a Friday: belongs to the last week of 2026, which has 53
        (date(2027, 1, 3), "2026-W53"),
        (date(2027, 1, 4), "2027-W01"),
        (date(2021, 1, 3), "2020-W53"),
        (date(2024, 12, 30), "2025-W01"),
    ],
)
def test_week_id_follows_iso_8601_around_new_year(day, expected):
    assert week_id(day) == expected


def test_week_pages_run_unbroken_with_previous_and_next_links_across_new_year():
    pages, _ = plan(
        make("a", at(28, month=12)), make("b", datetime(2027, 1, 2, 10, tzinfo=NY)), make("c", datetime(2027, 1, 5, 10, tzinfo=NY))
    )
    week = pages["week/2026-W53/index.html"].context
    assert [d.day for d in week["days"]] == [date(2026, 12, 28), date(2027, 1, 2)]
    assert week["previous"].path == "week/2026-W52/" and week["next"].path == "week/2027-W01/"
    assert week["heading"] == "Week of December 28, 2026 – January 3, 2027"
    weeks = sorted(p for p in pages if p.startswith("week/2"))
    assert weeks[0] == "week/2026-W10/index.html" and weeks[-1] == "week/2027-W01/index.html"
    assert len(weeks) == (date(2027, 1, 4) - date(2026, 3, 2)).days // 7 + 1  # no gaps
    assert pages["week/2026-W10/index.html"].context["previous"] is None


def test_the_current_week_and_the_next_12_always_have_pages_even_when_empty():
    pages, _ = plan()
    assert pages["week/2026-W10/index.html"].context["days"] == []
    assert f"week/2026-W{10 + WEEKS_AHEAD}/index.html" in pages
    index = pages["week/index.html"].context
    assert len(index["ahead"]) == WEEKS_AHEAD + 1 and index["archive"] == []


def test_week_index_counts_upcoming_weeks_and_keeps_past_weeks_with_events_as_archive():
    pages, _ = plan(make("old", at(10, month=2)), make("new", at(3)), make("newer", at(4)))
    index = pages["week/index.html"].context
    assert [(c.path, c.count) for c in index["ahead"][:2]] == [("week/2026-W10/", 2), ("week/2026-W11/", 0)]
    assert [(c.path, c.count) for c in index["archive"]] == [("week/2026-W07/", 1)]
    assert [(c.path, c.count) for c in index["months"]] == [("2026/02/", 1), ("2026/03/", 2)]


def test_month_pages_and_labels():
    assert month_range(date(2025, 11, 20), date(2026, 2, 1)) == [date(2025, 11, 1), date(2025, 12, 1), date(2026, 1, 1), date(2026, 2, 1)]
    assert week_range(date(2026, 3, 4), date(2026, 3, 9)) == [date(2026, 3, 2), date(2026, 3, 9)]
    assert week_label(date(2026, 3, 30)) == "March 30 – April 5, 2026"
    pages, _ = plan(make("a", at(31, month=3)), make("b", at(1, month=4)))
    march = pages["2026/03/index.html"].context
    assert [d.day for d in march["days"]] == [date(2026, 3, 31)] and march["next"].path == "2026/04/"


# Places, online, groups, categories


def test_state_pages_hold_in_person_and_hybrid_events_of_their_state_with_counts():
    pages, _ = plan(
        make("dc", at(3), state="DC"),
        make("va", at(4), state="VA"),
        make("va-hybrid", at(5), state="VA", location_type="hybrid"),
        make("online", at(6), location_type="virtual"),
        make("past", at(1), state="VA"),
    )
    va = pages["locations/va/index.html"].context
    assert [v.event.event_id for d in va["days"] for v, _ in d.events] == ["va", "va-hybrid"]
    assert va["feed"].path == "locations/va/events.ics"
    assert pages["locations/md/index.html"].context["days"] == []
    counts = pages["locations/index.html"].context
    assert [(c.label, c.path, c.count) for c in counts["states"]] == [("DC", "locations/dc/", 1), ("MD", "locations/md/", 0), ("VA", "locations/va/", 2)]
    assert counts["online"].count == 2  # virtual and hybrid
    online = pages["virtual/index.html"].context
    assert [v.event.event_id for d in online["days"] for v, _ in d.events] == ["va-hybrid", "online"]


def test_group_page_has_upcoming_events_recent_ones_newest_first_and_events_listed_by_it():
    pages, _ = plan(
        make("up", at(3)),
        make("old", at(1, month=2)),
        make("older", at(1, month=1)),
        make("theirs", at(5), group="novalug", also=("dc-python",)),
    )
    group = pages["groups/dc-python/index.html"].context
    assert [v.event.event_id for d in group["days"] for v, _ in d.events] == ["up", "theirs"]
    assert [v.event.event_id for v in group["recent"]] == ["old", "older"]
    assert group["feed"].path == "groups/dc-python/events.ics"
    assert group["group_state"].result == "ok"
    assert [link.label for _, link in pages["groups/index.html"].context["rows"]] == ["DC Python", "NoVALUG"]


def test_every_category_has_a_page_and_the_index_counts_upcoming_events():
    pages, _ = plan(make("a", at(3)))
    assert "categories/social/index.html" in pages
    index = pages["categories/index.html"].context["categories"]
    assert [(c.path, c.count) for c in index] == [("categories/programming-languages/", 1), ("categories/social/", 0)]


def test_sources_page_shows_each_groups_last_run_and_warnings():
    pages, _ = plan()
    rows = pages["sources/index.html"].context["rows"]
    assert [r.group.slug for r in rows] == ["dc-python", "novalug"]
    assert rows[0].last_attempt == "Mon, Mar 2, 2026, 9:00 AM EST"
    assert rows[0].state.warnings == ("1 event has no location",)
    assert rows[1].state is None and rows[1].last_attempt == "never"


def test_feeds_page_offers_webcal_google_and_https_for_every_feed():
    pages, _ = plan(make("a", at(3)))
    sections = pages["feeds/index.html"].context["sections"]
    assert [heading for heading, _ in sections] == ["Everything", "By state", "Online", "By topic", "By group"]
    rows = [row for _, section_rows in sections for row in section_rows]
    links = rows[0].links
    assert (rows[0].label, rows[0].feed.path, rows[0].count) == ("Every event", "events.ics", 1)
    assert [r.label for r in rows[-2:]] == ["DC Python", "NoVALUG"]
    assert links.webcal == "webcal://dctech.events/events.ics"
    assert links.https == "https://dctech.events/events.ics"
    assert parse_qs(urlsplit(links.google).query) == {"cid": ["webcal://dctech.events/events.ics"]}
    assert len(rows) == 1 + 3 + 1 + 2 + 2  # all, states, online, categories, groups


def test_without_an_absolute_siteurl_subscribe_links_fall_back_to_https_only():
    assert subscribe_links("events.ics", "") == type(subscribe_links("events.ics", ""))("/events.ics", "", "")


# Event pages


def test_event_page_context_has_calendar_links_jsonld_and_canonical_url():
    pages, _views = plan(make("abc", at(3, 18), title="Python & Pizza", also=("novalug", "gone-group")))
    context = pages["events/abc/index.html"].context
    assert context["canonical"] == "https://dctech.events/events/abc/"
    assert context["page_title"] == "Python & Pizza · DC Tech Events"
    assert context["also_listed"] == [("novalug", "NoVALUG", True), ("gone-group", "gone-group", False)]
    assert context["links"].ics == "https://dctech.events/events/abc/event.ics"
    assert '"@type": "Event"' in context["jsonld"]


def test_google_and_outlook_links_carry_title_times_and_place():
    view = event_view(make("abc", at(3, 18, month=3), title="Python & Pizza"), NY)
    links = calendar_links(view, "events/abc/event.ics", "")
    google = parse_qs(urlsplit(links.google).query)
    assert google["action"] == ["TEMPLATE"] and google["text"] == ["Python & Pizza"]
    assert google["dates"] == ["20260303T230000Z/20260304T010000Z"]
    assert google["location"] == ["1425 K St NW, Washington, DC 20005"]
    outlook = urlsplit(links.outlook)
    assert outlook.netloc == "outlook.live.com" and outlook.path == "/calendar/0/action/compose"
    query = parse_qs(outlook.query)
    assert query["subject"] == ["Python & Pizza"] and query["startdt"] == ["2026-03-03T18:00:00-05:00"]
    assert query["allday"] == ["false"] and links.ics == "/events/abc/event.ics"


def test_all_day_calendar_links_use_dates():
    view = event_view(make("fest", datetime(2026, 3, 7, tzinfo=NY), hours=48, all_day=True), NY)
    links = calendar_links(view, "x.ics", "")
    assert parse_qs(urlsplit(links.google).query)["dates"] == ["20260307/20260309"]
    assert parse_qs(urlsplit(links.outlook).query)["allday"] == ["true"]


@pytest.mark.parametrize(
    "kind,mode,location_type",
    [
        ("in_person", "OfflineEventAttendanceMode", "Place"),
        ("virtual", "OnlineEventAttendanceMode", "VirtualLocation"),
        ("hybrid", "MixedEventAttendanceMode", "Place+VirtualLocation"),
    ],
)
def test_jsonld_event_fields(kind, mode, location_type):
    view = event_view(make("abc", at(3, 18), location_type=kind, status="cancelled", description="Bring a laptop"), NY)
    data = event_jsonld(view, "https://dctech.events/events/abc/")
    assert data["startDate"] == "2026-03-03T18:00:00-05:00" and data["endDate"] == "2026-03-03T20:00:00-05:00"
    assert data["eventStatus"] == "https://schema.org/EventCancelled"
    assert data["eventAttendanceMode"] == f"https://schema.org/{mode}"
    location = data["location"] if isinstance(data["location"], list) else [data["location"]]
    assert "+".join(place["@type"] for place in location) == location_type
    assert data["organizer"] == {"@type": "Organization", "name": "DC Python", "url": "https://dcpython.example/"}
    assert data["url"] == "https://dctech.events/events/abc/" and data["description"] == "Bring a laptop"
    if kind != "virtual":
        assert location[0]["address"] == {
            "@type": "PostalAddress", "addressCountry": "US", "addressLocality": "Washington",
            "addressRegion": "DC", "streetAddress": "1425 K St NW",
        }


def test_jsonld_all_day_dates_end_inclusive_and_cannot_close_the_script_element():
    view = event_view(make("fest", datetime(2026, 3, 7, tzinfo=NY), hours=48, all_day=True, title="</script><b>x"), NY)
    data = event_jsonld(view, "/events/fest/")
    assert (data["startDate"], data["endDate"]) == ("2026-03-07", "2026-03-08")
    assert data["url"] == "https://dcpython.example/e/fest"  # no absolute page URL: the organizer's
    assert "</script" not in jsonld_script(data)


def test_time_labels_with_zone_abbreviations_across_the_dst_change():
    before = event_view(make("a", at(7, 18)), NY)
    after = event_view(make("b", at(9, 11), hours=2), NY)
    overnight = event_view(make("c", at(7, 22), hours=30), NY)  # 30 wall-clock hours, one of them skipped
    assert before.time_label == "6:00 – 8:00 PM EST"
    assert after.time_label == "11:00 AM – 1:00 PM EDT"
    assert before.when_label == "Saturday, March 7, 2026, 6:00 – 8:00 PM EST"
    assert overnight.when_label == "Saturday, March 7, 2026, 10:00 PM EST to Monday, March 9, 2026, 4:00 AM EDT"
    fest = event_view(make("d", datetime(2026, 3, 7, tzinfo=NY), hours=48, all_day=True), NY)
    assert fest.when_label == "Saturday, March 7, 2026 to Sunday, March 8, 2026, all day"


# Display shortening (issue 7: titles over 200, descriptions over 2,000 characters)


@pytest.mark.parametrize(
    "text,limit,expected",
    [
        ("short", 200, "short"),
        ("x" * 200, 200, "x" * 200),
        ("hello world again", 12, "hello world…"),
        ("hello world, again", 13, "hello world…"),  # no dangling comma before the ellipsis
        ("hello worldwide", 12, "hello…"),  # never cuts inside a word
        ("a" * 300, 200, "a" * 199 + "…"),  # one endless word: a hard cut is all we can do
    ],
)
def test_shorten_text_cuts_at_a_word_boundary(text, limit, expected):
    result = shorten_text(text, limit)
    assert result == expected and len(result) <= limit


def test_long_titles_and_descriptions_are_shortened_for_display_only():
    title = " ".join(["word"] * 60)  # 299 characters
    body = "<p>" + " ".join(["lorem"] * 500) + "</p><p>tail</p>"
    view = event_view(make("long", at(3), title=title, description=body), NY)
    assert len(view.display_title) <= TITLE_LIMIT and view.display_title.endswith("word" + ELLIPSIS)
    assert view.title_shortened and view.description_shortened
    assert view.display_description.startswith("<p>lorem lorem") and view.display_description.endswith("lorem&hellip;</p>")
    assert "tail" not in view.display_description
    assert view.event.title == title and view.event.description == body  # the full text is kept


def test_shorten_html_keeps_tags_nested_and_counts_only_text():
    html = '<p>Work on <b>open source</b> projects.</p><ul><li>one two three</li><li>four</li></ul>'
    assert shorten_html(html, 13) == "<p>Work on <b>open&hellip;</b></p>"
    assert shorten_html(html, 40) == "<p>Work on <b>open source</b> projects.</p><ul><li>one two&hellip;</li></ul>"
    assert shorten_html(html, DESCRIPTION_LIMIT) == html


def test_links_without_href_are_unwrapped():
    assert tidy_html('<p><a rel="nofollow noopener">bad link</a> ok</p>') == "<p>bad link ok</p>"


# Sitemap, robots.txt, per-event .ics


def test_page_files_sitemap_lists_every_page_but_404_and_each_event_gets_an_ics():
    views = [event_view(make("abc", at(3)), NY)]
    pages = plan_pages(views, NOW, SITE)
    files = {f.path: f.content for f in plan_page_files(views, pages, SITE)}
    sitemap = files["sitemap.xml"].decode()
    assert sitemap.count("<loc>") == len(pages) - 1
    assert "<loc>https://dctech.events/</loc>" in sitemap and "404" not in sitemap
    assert "<loc>https://dctech.events/events/abc/</loc>" in sitemap
    assert b"UID:abc@dctech.events" in files["events/abc/event.ics"]
    assert files["robots.txt"].endswith(b"Sitemap: https://dctech.events/sitemap.xml\n")
    assert b"Sitemap" not in robots_txt("")


def test_planning_is_deterministic():
    stored = [make("b", at(3)), make("a", at(3)), make("c", at(9, month=4))]
    first = [(p.path, p.template, sorted(p.context)) for p in plan_pages([event_view(s, NY) for s in stored], NOW, SITE)]
    again = [(p.path, p.template, sorted(p.context)) for p in plan_pages([event_view(s, NY) for s in stored], NOW, SITE)]
    assert first == again
    assert len({path for path, _, _ in first}) == len(first)  # no page planned twice


def test_per_event_ics_equals_a_calendar_of_that_event_alone():
    stored = [
        make("a", at(3)),
        make("fest", datetime(2026, 3, 7, tzinfo=NY), hours=48, all_day=True, title="Line\nbreak, comma; " * 8),
        make("london", datetime(2026, 3, 4, 18, tzinfo=ZoneInfo("Europe/London"))),
    ]
    files = event_calendars(stored, "dctech.events")
    for event in stored:
        name = " ".join(event.event.title.split())  # a newline in a title must not break the file
        alone = calendar_bytes([event], "dctech.events", name)
        assert split_components(files[event.event_id]) == split_components(alone), event.event_id
        parsed = icalendar.Calendar.from_ical(files[event.event_id])
        assert str(parsed["X-WR-CALNAME"]) == name
        assert [str(e["UID"]) for e in parsed.walk("VEVENT")] == [f"{event.event_id}@dctech.events"]
    assert [kind for kind, _ in split_components(files["london"])] == [b"VTIMEZONE", b"VEVENT"]
    assert [kind for kind, _ in split_components(files["fest"])] == [b"VEVENT"]
