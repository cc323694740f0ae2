"""Huge fields stay out of links, meta tags and JSON-LD: a 100 KB title made a 358 KB event page."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import DEMO_NOW, ROOT
from factories import NY, make_stored
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events.site.calendar_links import LINK_LIMIT, calendar_links
from events.site.event_view import event_view
from events.site.pages.structured_data import event_jsonld
from events.site.shorten import ELLIPSIS, PLACE_LIMIT, SUMMARY_LIMIT, TITLE_LIMIT

HUGE = {
    "ascii words": "Python and pizza night " * 5000,
    "ascii, no spaces": "x" * 100_000,
    "ascii to escape": "&%#?/= " * 15_000,
    "chinese": "数据科学与人工智能聚会 " * 9000,
    "emoji": "🐍🍕 " * 30_000,
    "mixed": "Café Zürich — 数据 🐍 & more; " * 4000,
    "combining marks": "e\u0301" * 50_000,
}


def links_for(**fields):
    view = event_view(make_stored(**fields), NY)
    return view, calendar_links(view, "events/abc/event.ics", "https://dctech.events")


def query(link: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(link).query).items()}


def kept_prefix(shown: str, full: str) -> None:
    """`shown` is `full`, or a prefix of it ending with the ellipsis."""
    assert shown == full or (shown.endswith(ELLIPSIS) and full.startswith(shown[: -len(ELLIPSIS)])), shown[:80]


@pytest.mark.parametrize("field", ["title", "location", "summary"])
@pytest.mark.parametrize("text", list(HUGE.values()), ids=list(HUGE))
def test_calendar_links_stay_under_the_limit_whatever_one_huge_field_holds(field, text):
    _view, links = links_for(**{field: text})
    for link, name in ((links.google, {"title": "text", "location": "location", "summary": "details"}),
                       (links.outlook, {"title": "subject", "location": "location", "summary": "body"})):
        assert len(link) <= LINK_LIMIT
        shown = query(link)[name[field]]
        assert len(shown) > 20  # shortened, not dropped
        kept_prefix(shown.split("\n\n")[0], text)


def test_every_field_huge_at_once_still_fits_and_the_dates_survive():
    _view, links = links_for(title=HUGE["emoji"], location=HUGE["chinese"], summary=HUGE["mixed"], url="https://x.example/" + "a" * 5000)
    assert len(links.google) <= LINK_LIMIT and len(links.outlook) <= LINK_LIMIT
    assert query(links.google)["dates"] == "20260303T233000Z/20260304T013000Z"
    assert query(links.outlook)["startdt"] == "2026-03-03T18:30:00-05:00"


def test_short_fields_are_whole_and_the_event_link_follows_the_summary():
    _view, links = links_for(title="Python & Pizza", summary="Talks and pizza", url="https://dcpython.example/e/1")
    google = query(links.google)
    assert google["text"] == "Python & Pizza"
    assert google["details"] == "Talks and pizza\n\nhttps://dcpython.example/e/1"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    title=st.text(min_size=1, max_size=3000),
    location=st.text(max_size=3000),
    summary=st.text(max_size=3000),
    path=st.text(alphabet=st.characters(codec="ascii", categories=["L", "N"]), max_size=2500),
)
def test_calendar_links_never_pass_the_limit(title, location, summary, path):
    _view, links = links_for(title=title, location=location, summary=summary, url=f"https://x.example/{path}")
    assert len(links.google) <= LINK_LIMIT and len(links.outlook) <= LINK_LIMIT
    shown = parse_qs(urlsplit(links.google).query, keep_blank_values=True)["text"][0]
    kept_prefix(shown, title)


@pytest.mark.parametrize("text", list(HUGE.values()), ids=list(HUGE))
def test_jsonld_names_descriptions_and_places_are_capped(text):
    view = event_view(make_stored(title=text, summary=text, location=text, city="", state=""), NY)
    data = event_jsonld(view, "https://dctech.events/events/abc/")
    assert len(data["name"]) <= TITLE_LIMIT and len(data["description"]) <= SUMMARY_LIMIT
    assert len(data["location"]["name"]) <= PLACE_LIMIT and len(data["location"]["address"]) <= PLACE_LIMIT
    kept_prefix(data["name"], text)
    assert len(json.dumps(data, ensure_ascii=False)) < 2500


def test_jsonld_leaves_out_a_link_too_long_to_be_one():
    view = event_view(make_stored(url="https://x.example/" + "a" * 5000, location_type="virtual"), NY)
    data = event_jsonld(view, "https://dctech.events/events/abc/")
    assert "sameAs" not in data and data["location"]["url"] == ""


def test_a_100_kb_title_makes_a_small_page_with_capped_meta_tags(tmp_path):
    """Regression: the title went whole into the JSON-LD and both calendar links (a 358 KB page)."""
    from events.run.site_build import events_settings, generate_site
    from events.store import open_store

    title = "Quarterly data science and machine learning meetup " * 2000  # 102 KB
    summary = "A long evening of talks. " * 4000
    overrides = {"EVENTS_GROUPS_DIR": str(tmp_path / "_groups"), "EVENTS_CACHE_DIR": str(tmp_path / "cache"), "EVENTS_NOW": DEMO_NOW}
    (tmp_path / "_groups").mkdir()
    store = open_store(events_settings(ROOT, "pelicanconf.py", overrides))
    try:
        store.write([make_stored(event_id="huge0000000000000001", title=title, summary=summary)], [])
    finally:
        store.close()
    output = generate_site(ROOT, "pelicanconf.py", tmp_path / "output", overrides)

    page = (output / "events" / "huge0000000000000001" / "index.html").read_text(encoding="utf-8")
    assert len(page.encode("utf-8")) < 40_000
    meta = dict(re.findall(r'<meta (?:name|property)="([^"]+)" content="([^"]*)"', page))
    assert len(meta["description"]) <= SUMMARY_LIMIT and len(meta["og:description"]) <= SUMMARY_LIMIT
    assert len(meta["og:title"]) <= TITLE_LIMIT
    assert re.search(r"<title>[^<]{,260}</title>", page)
    links = re.findall(r'<a href="(https://(?:calendar\.google|outlook\.live)\.com[^"]+)"', page)
    assert len(links) == 2 and all(len(link.replace("&amp;", "&")) <= LINK_LIMIT for link in links)
    jsonld = json.loads(re.search(r'<script type="application/ld\+json">\s*(.*?)\s*</script>', page, re.S).group(1))
    assert len(jsonld["name"]) <= TITLE_LIMIT and jsonld["name"].startswith("Quarterly data science")
    # The JSON API keeps the title whole; the page says where to read it.
    events = json.loads((output / "api" / "events.json").read_text(encoding="utf-8"))["events"]
    assert events[0]["title"] == title
    assert "The title is shortened here" in page
    listing = Path(output / "index.html").read_text(encoding="utf-8")
    assert len(listing.encode("utf-8")) < 40_000
