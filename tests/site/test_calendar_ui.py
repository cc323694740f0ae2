"""The visitor-facing additions: month grid, week names, subscribe control, boilerplate, map links, embeds, search page."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from factories import make_event, make_stored

from events.collect.normalize import sanitize_html
from events.site.boilerplate import clean_description, clean_summary
from events.site.calendar_links import calendar_links
from events.site.event_view import event_view, zone_name
from events.site.map_links import map_link
from events.site.pages.calendar_pages import CELL_EVENTS, month_grid, week_name
from events.site.pages.listing_pages import by_day, plan_pages
from events.site.records import SiteInfo
from events.site.subscribe import link_origin, subscribe_control

NY = ZoneInfo("America/New_York")
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=NY)
URL = "https://www.meetup.com/dcpython/events/310000001/"
MEETUP_TEXT = f"DC Python\nTuesday, March 3 at 6:30 PM\n\nBring a laptop and a project. Pizza provided.\n\n{URL}"


def meetup(description: str = MEETUP_TEXT, **changes):
    return make_event(
        "m1", datetime(2026, 3, 3, 18, 30, tzinfo=NY), title="Python Project Night", url=URL,
        description=sanitize_html(description), summary=" ".join(description.split()), **changes,
    )


def site(url: str = "") -> SiteInfo:
    return SiteInfo(name="DC Tech Events", url=url, timezone=NY, home_days=14, uid_domain="dctech.events", states=("DC", "MD", "VA"))


# Boilerplate: only what repeats the page's own fields goes


def test_meetup_boilerplate_goes_from_description_summary_and_calendar_details():
    event = meetup()
    assert clean_description(event.description, event) == "<p>Bring a laptop and a project. Pizza provided.</p>"
    assert clean_summary(event) == "Bring a laptop and a project. Pizza provided."
    view = event_view(make_stored(event), NY)
    details = parse_qs(urlsplit(calendar_links(view, "events/m1/event.ics", "").google).query)["details"][0]
    assert details == f"Bring a laptop and a project. Pizza provided.\n\n{URL}"  # the URL once


@pytest.mark.parametrize(
    "description",
    [
        "Doors open Tuesday, March 3 at 6:30 PM and the talk starts at 7:00 PM sharp, so please arrive early to get a seat and a slice.",
        "DC Python is the best group.\nWe meet monthly.",
        "See https://example.org/other for slides.",
        "<p>DC Python</p><ul><li>Organizer HTML stays as written</li></ul>",
    ],
)
def test_text_that_does_not_only_repeat_a_field_stays(description):
    event = meetup(description)
    assert clean_description(event.description, event) == event.description


def test_a_description_that_is_only_boilerplate_becomes_empty():
    event = meetup(f"DC Python\nTuesday, March 3 at 6:30 PM\n\n{URL}")
    assert clean_description(event.description, event) == ""


# Month grid and week names


def test_month_grid_has_monday_first_weeks_today_and_a_few_events_per_cell():
    events = [make_stored(make_event(f"e{n}", datetime(2026, 3, 4, 8 + n, tzinfo=NY), title=f"T{n}")) for n in range(CELL_EVENTS + 2)]
    days = by_day([event_view(s, NY) for s in events])
    grid = month_grid(date(2026, 3, 1), days, date(2026, 3, 2))
    assert all(len(week) == 7 for week in grid)
    assert grid[0][0].day == date(2026, 2, 23) and not grid[0][0].in_month and grid[0][6].day == date(2026, 3, 1)
    assert grid[-1][-1].day == date(2026, 4, 5)
    cells = {c.day: c for week in grid for c in week}
    assert [d for d, c in cells.items() if c.today] == [date(2026, 3, 2)]
    busy = cells[date(2026, 3, 4)]
    assert len(busy.events) == CELL_EVENTS and busy.more == 2 and busy.path == "2026/03/04/"
    assert cells[date(2026, 3, 5)].path == "" and cells[date(2026, 3, 5)].events == ()


def test_weeks_are_named_as_people_say_them():
    assert week_name(date(2026, 3, 2), date(2026, 3, 2)) == "Week of March 2"
    assert week_name(date(2027, 1, 4), date(2026, 3, 2)) == "Week of January 4, 2027"


def test_calendar_pages_use_week_names_not_iso_ids_in_visible_text():
    stored = make_stored(make_event("a", datetime(2026, 3, 3, 18, tzinfo=NY)))
    pages = {p.path: p.context for p in plan_pages([event_view(stored, NY)], NOW, site())}
    assert pages["2026/03/03/index.html"]["week"].label == "Week of March 2"
    assert pages["week/2026-W10/index.html"]["next"].label == "Week of March 9"
    assert pages["week/index.html"]["ahead"][0].label == "Week of March 2"
    assert "W10" not in pages["week/2026-W10/index.html"]["page_description"]
    assert pages["2026/03/index.html"]["is_this_month"] and pages["2026/03/index.html"]["grid"]


# Subscribe control, canonical URLs, og image, zone name


@pytest.mark.parametrize("site_url, origin", [("", "http://127.0.0.1:8000"), ("https://dctech.events", "https://dctech.events")])
def test_every_listing_page_has_an_absolute_subscribe_control(site_url, origin):
    stored = make_stored(make_event("a", datetime(2026, 3, 3, 18, tzinfo=NY), categories=("programming-languages",)))
    info = SiteInfo(
        name="DC Tech Events", url=site_url, timezone=NY, home_days=14, uid_domain="dctech.events", states=("DC", "MD", "VA"),
        categories={"programming-languages": "Programming Languages"},
    )
    pages = {p.path: p.context for p in plan_pages([event_view(stored, NY)], NOW, info)}
    listings = ["index.html", "2026/03/03/index.html", "week/2026-W10/index.html", "2026/03/index.html", "locations/dc/index.html",
                "virtual/index.html", "categories/programming-languages/index.html", "embed/locations/va/index.html"]
    for path in listings:
        control = pages[path]["subscribe"]
        assert control.https.startswith(origin + "/") and control.webcal.startswith("webcal://")
        assert parse_qs(urlsplit(control.google).query)["cid"] == [control.webcal]
        assert parse_qs(urlsplit(control.outlook).query)["url"] == [control.https]
        assert control.local == (site_url == "")
        assert pages[path]["canonical"].startswith(origin + "/")
    assert pages["locations/dc/index.html"]["subscribe"].https == f"{origin}/locations/dc/events.ics"
    assert pages["index.html"]["og_image"] == f"{origin}/theme/og-card.png"
    assert pages["index.html"]["zone_name"] == "Eastern Time"


def test_link_origin_prefers_an_absolute_siteurl():
    assert link_origin("https://dctech.events/", "http://127.0.0.1:8000") == "https://dctech.events"
    assert link_origin("", "http://127.0.0.1:8000/") == "http://127.0.0.1:8000"
    assert subscribe_control("events.ics", "All", "", "http://localhost:9000").webcal == "webcal://localhost:9000/events.ics"


def test_zone_names():
    assert zone_name(NY) == "Eastern Time"
    assert zone_name(ZoneInfo("Europe/Paris")) == "Europe/Paris"


# Cancelled events, map links, embeds, search page


def test_cancelled_event_page_says_so_in_its_description():
    stored = make_stored(meetup(status="cancelled"))
    view = event_view(stored, NY)
    pages = {p.path: p.context for p in plan_pages([view], NOW, site())}
    assert pages[f"{view.url}index.html"]["page_description"].startswith("Cancelled: Bring a laptop")


@pytest.mark.parametrize(
    "location, expected",
    [
        ("1425 K St NW, Washington, DC 20005", "https://www.openstreetmap.org/search?query=1425%20K%20St%20NW%2C%20Washington%2C%20DC%2020005"),
        ("https://zoom.us/j/1", ""),
        ("To be announced", ""),
        ("", ""),
    ],
)
def test_map_link_is_an_openstreetmap_search_of_street_addresses_only(location, expected):
    assert map_link(location) == expected


def test_embeds_for_groups_states_and_categories_and_a_snippet_on_the_group_page():
    from events.models import Group

    group = Group("dc-python", "DC Python", "https://dcpython.example/", ical="https://x.example/a.ics")
    info = SiteInfo(
        name="DC Tech Events", url="https://dctech.events", timezone=NY, home_days=14, uid_domain="dctech.events",
        states=("DC", "MD", "VA"), groups=(group,), categories={"data": "Data"},
    )
    events = [make_stored(make_event(f"e{n}", datetime(2026, 3, 3, 18, tzinfo=NY) + timedelta(days=n))) for n in range(12)]
    pages = {p.path: p for p in plan_pages([event_view(s, NY) for s in events], NOW, info)}
    embed = pages["embed/groups/dc-python/index.html"]
    assert embed.template == "events_embed" and len(embed.context["views"]) == 10
    assert {"embed/locations/dc/index.html", "embed/categories/data/index.html"} <= set(pages)
    snippet = pages["groups/dc-python/index.html"].context["embed"]
    assert snippet.startswith('<iframe src="https://dctech.events/embed/groups/dc-python/" title="Upcoming events: DC Python"')
    assert pages["search/index.html"].template == "events_search"
