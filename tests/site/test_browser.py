"""The demo site in a real browser: Debian's Chromium driven by Playwright, checked by axe-core.

One browser for the whole session; the demo site is served on a free
127.0.0.1 port. Each page type must load with no console errors, no failed
requests and no axe-core violations (WCAG 2.0/2.1 A and AA, best practice).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from feedserver import FeedServer

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = ROOT / "docs" / "screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = pytest.mark.skipif(not CHROMIUM.exists() or not AXE.exists(), reason="needs /usr/bin/chromium and npm axe-core")


def _event_page(site: Path, title: str) -> str:
    data = json.loads((site / "api" / "events.json").read_text())
    return next(e["page"] for e in data["events"] if e["title"] == title)


@pytest.fixture(scope="session")
def site_url(demo_site: Path):
    with FeedServer(demo_site) as server:
        yield server.base_url


@pytest.fixture(scope="session")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


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
    }


PAGE_TYPES = [
    "home", "day", "week", "week index", "month", "locations", "state", "online", "groups", "group",
    "categories", "category", "event", "multi-day event", "cancelled event", "online event", "sources",
    "feeds", "about", "404",
]


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
        for label, path in (("home", "/"), ("event", _event_page(demo_site, "Python Project Night"))):
            page.goto(site_url + path)
            target = SCREENSHOTS / f"{label}-{name}.png"
            page.screenshot(path=str(target), full_page=True)
            assert target.stat().st_size > 5000
    finally:
        page.close()
