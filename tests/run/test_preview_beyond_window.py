"""`invoke preview` on a feed with nothing in the window says where its events are (issue 15).

Regression: a feed whose next event lay past EVENTS_HORIZON_DAYS printed
"0 upcoming event(s)" and nothing else.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from conftest import DEMO_NOW, NEW_YORK, ROOT
from feedserver import FeedServer

from events.models import Event
from events.run.preview import horizon_hint


def one_event_feed(start: str) -> str:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
        "BEGIN:VEVENT\r\nUID:far@example.org\r\nDTSTAMP:20260101T000000Z\r\n"
        f"DTSTART;TZID=America/New_York:{start}\r\nDTEND;TZID=America/New_York:{start[:9]}210000\r\n"
        "SUMMARY:Annual meetup\r\nLOCATION:1630 7th St NW, Washington, DC 20001\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )


def preview(tmp_path: Path, feed: str, **env: str) -> subprocess.CompletedProcess[str]:
    feeds = tmp_path / "feeds"
    feeds.mkdir()
    (feeds / "far.ics").write_text(feed, encoding="utf-8")
    groups = tmp_path / "_groups"
    groups.mkdir()
    with FeedServer(feeds) as server:
        group = groups / "far-group.yaml"
        group.write_text(f"name: Far Group\nwebsite: https://far.example.org/\nical: {server.base_url}/far.ics\n", encoding="utf-8")
        return subprocess.run(
            [sys.executable, "-m", "invoke", "preview", "--files", str(group)],
            cwd=ROOT,
            env={
                **os.environ,
                "EVENTS_GROUPS_DIR": str(groups),
                "EVENTS_CACHE_DIR": str(tmp_path / "cache"),
                "EVENTS_NOW": DEMO_NOW,
                "EVENTS_FETCH_ALLOW_PRIVATE": "true",
                **env,
            },
            capture_output=True,
            text=True,
            timeout=120,
        )


def test_preview_of_a_feed_whose_only_event_is_beyond_the_window_says_when_and_how_to_see_it(tmp_path):
    result = preview(tmp_path, one_event_feed("20260918T190000"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "far-group (Far Group): 0 upcoming event(s); the feed lists none in the window",
        "  no event in the next 90 days; the feed's next event is on 2026-09-18: set EVENTS_HORIZON_DAYS=210 to see it",
    ]


def test_the_horizon_the_hint_gives_shows_the_event(tmp_path):
    result = preview(tmp_path, one_event_feed("20260918T190000"), EVENTS_HORIZON_DAYS="210")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[:2] == [
        "far-group (Far Group): 1 upcoming event(s); the next 1:",
        "  Fri 2026-09-18 19:00 EDT  Annual meetup  @ 1630 7th St NW, Washington, DC 20001",
    ]


def test_preview_of_a_feed_with_only_past_events_says_when_the_last_one_was(tmp_path):
    result = preview(tmp_path, one_event_feed("20251103T190000"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1] == "  no event in the next 90 days; the feed's last event was on 2025-11-03"


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=NEW_YORK)


def event(start: datetime) -> Event:
    from factories import make_event

    return make_event(start=start, end=start + timedelta(hours=2))


@pytest.mark.parametrize(
    "starts, hint",
    [
        (["2026-06-01T18:00"], "no event in the next 90 days; the feed's next event is on 2026-06-01: set EVENTS_HORIZON_DAYS=100 to see it"),
        (
            ["2027-01-12T18:00", "2026-12-01T18:00"],
            "no event in the next 90 days; the feed's next event is on 2026-12-01: set EVENTS_HORIZON_DAYS=280 to see it",
        ),
        (["2025-01-01T18:00", "2026-02-27T18:00"], "no event in the next 90 days; the feed's last event was on 2026-02-27"),
        ([], "no event in the next 90 days; the feed lists no event from 2023-02-27 to 2031-03-07"),
    ],
)
def test_horizon_hint(starts, hint):
    now = at("2026-03-02T09:00")
    assert horizon_hint([event(at(s)) for s in starts], now, 90, NEW_YORK) == hint
