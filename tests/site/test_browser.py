"""The demo site in a real browser: Debian's Chromium driven by Playwright, checked by axe-core.

One browser for the whole session; the demo site is served on a free
127.0.0.1 port. Each page type must load with no console errors, no failed
requests and no axe-core violations (WCAG 2.0/2.1 A and AA, best practice).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import CHROMIUM

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "docs" / "screenshots"

pytestmark = pytest.mark.skipif(not CHROMIUM.exists() or not AXE.exists(), reason="needs /usr/bin/chromium and npm axe-core")


def _event_page(site: Path, title: str) -> str:
    data = json.loads((site / "api" / "events.json").read_text())
    return next(e["page"] for e in data["events"] if e["title"] == title)




def _page_types(site: Path) -> dict[str, str]:
    """One page of each type; PAGE_TYPES names them so pytest ids read well."""
    return {
        "home": "/",
        "day": "/2026/03/07/",
        "week": "/week/2026-W10/",
        "week index": "/week/",
        "month": "/2026/03/",
        "locations": "/locations/",
        "state": "/locations/va/",
        "online": "/virtual/",
        "groups": "/groups/",
        "group": "/groups/dc-python/",
        "categories": "/categories/",
        "category": "/categories/open-source-community/",
        "event": _event_page(site, "Python Project Night"),
        "multi-day event": _event_page(site, "Linux Installfest Weekend"),
        "cancelled event": _event_page(site, "Data Science Happy Hour"),
        "online event": _event_page(site, "Open Data Webinar"),
        "sources": "/sources/",
        "feeds": "/feeds/",
        "about": "/about/",
        "404": "/404.html",
        "search": "/search/",
        "embed group": "/embed/groups/dc-python/",
        "embed state": "/embed/locations/dc/",
        "embed category": "/embed/categories/open-source-community/",
    }


PAGE_TYPES = [
    "home", "day", "week", "week index", "month", "locations", "state", "online", "groups", "group",
    "categories", "category", "event", "multi-day event", "cancelled event", "online event", "sources",
    "feeds", "about", "404", "search", "embed group", "embed state", "embed category",
]
# Page types added or redesigned for issue 14, also checked at desktop width and in dark mode.
REDESIGNED = ["home", "day", "week", "week index", "month", "state", "online", "group", "category", "event", "cancelled event",
              "online event", "search", "embed group", "embed state", "embed category"]
AXE_RULES = '["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]'


def _check_page(browser, url: str, width: int, scheme: str) -> None:
    """Loads `url` with no console error, failed request or axe-core violation."""
    page = browser.new_page(viewport={"width": width, "height": 900}, color_scheme=scheme)
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
    page.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
    try:
        response = page.goto(url)
        assert response is not None and response.ok, url
        # Subscribe controls are <details>: open them so that axe checks what they hold too.
        page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
        page.add_script_tag(path=str(AXE))
        result = page.evaluate(
            f"async () => {{ const r = await axe.run(document, {{runOnly: {AXE_RULES}}});"
            " return r.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' '))})); }"
        )
        assert result == [], f"{url} {width}px {scheme}: {json.dumps(result, indent=1)}"
        assert problems == [], problems
    finally:
        page.close()


@pytest.mark.parametrize("width, scheme", [(1280, "light"), (390, "dark")])
@pytest.mark.parametrize("kind", REDESIGNED)
def test_redesigned_pages_pass_axe_wide_and_dark(kind, width, scheme, demo_site, site_url, browser):
    _check_page(browser, site_url + _page_types(demo_site)[kind], width, scheme)


def test_header_is_the_same_height_on_every_page_type_and_one_row_on_a_phone(demo_site, site_url, browser):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    try:
        heights, rows = set(), set()
        for kind in ("home", "month", "event", "search", "groups", "feeds", "about", "404"):
            page.goto(site_url + _page_types(demo_site)[kind])
            heights.add(page.evaluate("() => Math.round(document.querySelector('header.site').getBoundingClientRect().height)"))
            rows.add(page.evaluate(
                "() => new Set([...document.querySelectorAll('header.site nav li')].map(li => Math.round(li.getBoundingClientRect().top))).size"
            ))
        assert len(heights) == 1 and rows == {1}, (heights, rows)
    finally:
        page.close()


def test_month_grid_has_seven_columns_wide_and_lists_days_on_a_phone(site_url, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(site_url + "/2026/03/")
        columns = page.evaluate(
            "() => new Set([...document.querySelectorAll('ol.month-grid > li')].map(li => Math.round(li.getBoundingClientRect().left))).size"
        )
        assert columns == 7
        assert page.locator("li.cell.today").inner_text().startswith("Monday, March 2") or "Today" in page.locator("li.cell.today").inner_text()
        page.set_viewport_size({"width": 390, "height": 844})
        shown = page.evaluate(
            "() => [...document.querySelectorAll('ol.month-grid > li')].filter(li => li.offsetParent !== null)"
            ".map(li => li.querySelector('time').getAttribute('datetime'))"
        )
        assert "2026-03-02" in shown and "2026-03-03" in shown and "2026-03-13" not in shown  # empty days are hidden on phones
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    finally:
        page.close()


def test_search_finds_an_event_by_a_word_of_its_description_by_a_facet_and_by_dates(site_url, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    results = page.locator("#search-results a")
    try:
        page.goto(site_url + "/search/")
        page.locator("#search-q").fill("laptop")  # only in Python Project Night's description
        page.wait_for_function("() => document.querySelectorAll('#search-results a').length > 0", timeout=15000)
        assert results.all_inner_texts() == ["Python Project Night"]
        page.locator("#search-q").fill("")
        page.select_option("#facet-attendance", "Online")
        found = "names => [...document.querySelectorAll('#search-results a')].map(a => a.textContent).join('|') === names"
        page.wait_for_function(found, arg="Open Data Webinar", timeout=15000)
        assert results.all_inner_texts() == ["Open Data Webinar"] and "attendance=Online" in page.url
        page.select_option("#facet-attendance", "")
        page.fill("#search-from", "2026-03-07")
        page.fill("#search-to", "2026-03-08")
        page.wait_for_function(found, arg="Linux Installfest Weekend", timeout=15000)
        assert results.all_inner_texts() == ["Linux Installfest Weekend"] and "to=2026-03-08" in page.url
        page.goto(site_url + "/search/?q=python&topic=Software+Development")  # a result page can be linked
        page.wait_for_function("() => document.querySelectorAll('#search-results a').length > 0", timeout=15000)
        assert "Python Project Night" in results.all_inner_texts()
        assert page.locator("#facet-topic").input_value() == "Software Development"
    finally:
        page.close()


def test_search_merges_the_month_bundles_for_words_facets_and_the_date_order(demo_site, site_url, browser):
    """The index is a bundle per month (2026-03, -04, -05 in the demo); one search covers them all."""
    assert json.loads((demo_site / "pagefind" / "shards.json").read_text())["shards"] == ["2026-03", "2026-04", "2026-05"]
    events = json.loads((demo_site / "api" / "events.json").read_text())["events"]
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    links = "() => [...document.querySelectorAll('#search-results a')].map(a => new URL(a.href).pathname)"
    try:
        page.goto(site_url + "/search/?q=hack+night")
        hack_nights = {e["page"] for e in events if e["title"].startswith("Civic Tech Hack Night")}
        page.wait_for_function(f"() => document.querySelectorAll('#search-results a').length === {len(hack_nights)}", timeout=15000)
        assert set(page.evaluate(links)) == hack_nights and {p[:7] for p in [e["start"] for e in events if e["page"] in hack_nights]} == {"2026-03", "2026-04"}
        # The facets count every month; a filter no other month has (only March has a cancelled event) finds that event only.
        group = "Northern Virginia Linux Users Group"
        assert page.locator("#facet-group option", has_text=group).inner_text() == f"{group} (5)"
        page.goto(site_url + "/search/?status=Cancelled")
        page.wait_for_function("() => /found/.test(document.getElementById('search-status').textContent)", timeout=15000)
        assert page.locator("#search-results a").all_inner_texts() == ["Data Science Happy Hour"]
        # No words: every month's events by date, oldest first, across the bundles.
        page.goto(site_url + "/search/?group=" + group.replace(" ", "+"))
        page.wait_for_function("() => document.querySelectorAll('#search-results a').length === 5", timeout=15000)
        expected = [e["page"] for e in sorted(events, key=lambda e: e["start"]) if e["group_name"] == group]
        assert page.evaluate(links) == expected and len({p[:7] for p in [e["start"] for e in events if e["group_name"] == group]}) == 3
        page.goto(site_url + "/search/?attendance=In+person")
        page.wait_for_function("() => /found/.test(document.getElementById('search-status').textContent)", timeout=15000)
        in_person = [e["page"] for e in sorted(events, key=lambda e: e["start"]) if e["location_type"] == "in_person"]
        assert page.evaluate(links) == in_person
    finally:
        page.close()


def test_search_page_says_it_needs_javascript_when_it_is_off(site_url, browser):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(site_url + "/search/")
        assert "Search needs JavaScript" in page.locator("main").inner_text()
    finally:
        context.close()


def test_subscribe_links_point_at_the_serving_origin_and_online_times_show_the_visitors_zone(demo_site, site_url, browser):
    context = browser.new_context(timezone_id="America/Los_Angeles")
    try:
        page = context.new_page()
        page.goto(site_url + "/")
        host = site_url.split("://", 1)[1]
        assert page.locator(".subscribe-control a[data-feed=webcal]").first.get_attribute("href") == f"webcal://{host}/events.ics"
        assert page.locator("input.feed-url").input_value() == f"{site_url}/events.ics"
        page.goto(site_url + _event_page(demo_site, "Open Data Webinar"))
        assert "PST your time" in page.locator("dd .local").inner_text()
    finally:
        context.close()



@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_page_loads_cleanly_and_passes_axe(kind, demo_site, site_url, browser):
    path = _page_types(demo_site)[kind]
    page = browser.new_page(viewport={"width": 390, "height": 844})
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
    page.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
    try:
        response = page.goto(site_url + path)
        assert response is not None and response.ok, path
        assert page.locator("h1").count() == 1
        assert page.locator("main").count() == 1
        page.add_script_tag(path=str(AXE))
        result = page.evaluate(
            'async () => { const r = await axe.run(document, {runOnly: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]});'
            " return r.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' '))})); }"
        )
        assert result == [], f"{path}: {json.dumps(result, indent=1)}"
        assert problems == [], problems
    finally:
        page.close()


def test_keyboard_focus_is_visible_and_skip_link_goes_to_main(site_url, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    try:
        page.goto(site_url + "/")
        page.keyboard.press("Tab")
        focused = page.evaluate("() => [document.activeElement.textContent, getComputedStyle(document.activeElement).outlineStyle]")
        assert focused == ["Skip to content", "solid"]
        assert page.locator(".skip").bounding_box()["x"] >= 0  # shown on screen when focused
        page.keyboard.press("Enter")
        assert page.evaluate("() => location.hash") == "#main"
    finally:
        page.close()


def test_pages_read_without_javascript(demo_site, site_url, browser):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.goto(site_url + _event_page(demo_site, "Python Project Night"))
        assert page.locator("h1").inner_text() == "Python Project Night"
        assert "Google Calendar" in page.locator("main").inner_text()
    finally:
        context.close()


def test_phone_width_has_no_horizontal_scroll(demo_site, site_url, browser):
    page = browser.new_page(viewport={"width": 320, "height": 640})
    try:
        for path in ("/", _event_page(demo_site, "Linux Installfest Weekend"), "/feeds/", "/sources/"):
            page.goto(site_url + path)
            assert page.evaluate("() => document.documentElement.scrollWidth") <= 320, path
    finally:
        page.close()


@pytest.mark.parametrize("width,name", [(390, "phone"), (1280, "desktop")])
def test_screenshots_of_home_and_an_event_page(width, name, demo_site, site_url, browser):
    """Written to docs/screenshots/ for people to look at (the README shows them)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": width, "height": 900})
    try:
        for label, path in (("home", "/"), ("event", _event_page(demo_site, "Python Project Night")), ("month", "/2026/03/"), ("search", "/search/")):
            page.goto(site_url + path)
            if label == "search":
                page.locator("#search-q").fill("python")
                page.wait_for_function("() => document.querySelectorAll('#search-results a').length > 0", timeout=15000)
            target = SCREENSHOTS / f"{label}-{name}.png"
            page.screenshot(path=str(target), full_page=True)
            assert target.stat().st_size > 5000
    finally:
        page.close()
