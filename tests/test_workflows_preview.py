"""`invoke preview`, which the pull-request workflow runs on changed group files."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import DATA, DEMO_NOW, ROOT
from feedserver import FeedServer, write_demo_groups


def run_preview(tmp_path: Path, names: list[str]) -> subprocess.CompletedProcess[str]:
    with FeedServer(DATA / "demo" / "feeds") as server:
        groups = write_demo_groups(DATA / "demo" / "groups", tmp_path / "_groups", server.base_url)
        env = {
            **os.environ,
            "EVENTS_GROUPS_DIR": str(groups),
            "EVENTS_CACHE_DIR": str(tmp_path / "cache"),
            "EVENTS_NOW": DEMO_NOW,
            "EVENTS_FETCH_ALLOW_PRIVATE": "true",  # the feeds are served on 127.0.0.1
        }
        files = [arg for name in names for arg in ("--files", str(groups / f"{name}.yaml"))]
        return subprocess.run(
            [sys.executable, "-m", "invoke", "preview", *files],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )


def test_preview_lists_the_next_five_events_with_local_time_and_place(tmp_path):
    result = run_preview(tmp_path, ["civic-tech", "dc-python"])
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "civic-tech (Civic Tech DC): 6 upcoming event(s); the next 5:"
    assert lines[1] == "  Wed 2026-03-04 18:00 EST  Civic Tech Hack Night  @ 1425 K St NW, Washington, DC 20005"
    assert lines[2] == "  Fri 2026-03-06 12:00 EST  Open Data Webinar  @ online"
    # After the switch to daylight time the local time stays 19:00 and shows EDT.
    assert lines[3] == "  Thu 2026-03-12 19:00 EDT  Civic Tech Hack Night (moved to Thursday)  @ 1425 K St NW, Washington, DC 20005"
    assert lines[6] == "dc-python (DC Python): 3 upcoming event(s); the next 3:"
    assert "  Thu 2026-03-05 19:00 EST  Data Science Happy Hour [cancelled]" in lines[8]
    assert len(lines) == 10


def test_preview_writes_no_store_and_no_http_cache(tmp_path):
    result = run_preview(tmp_path, ["dc-python"])
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "cache").exists()


def test_preview_fails_a_pull_request_whose_feed_is_broken(tmp_path):
    result = run_preview(tmp_path, ["offline-group", "novalug"])
    assert result.returncode != 0
    assert "offline-group (Offline Group): FAILED, fetch failed: HTTP 404" in result.stdout
    assert "novalug (Northern Virginia Linux Users Group): 5 upcoming event(s), 1 left out; the next 5:" in result.stdout
    assert "1 feed(s) failed" in result.stderr
    assert "  left out: 'Road trip to NYC Linux meetup' on 2026-03-12: in NY, outside the site's states" in result.stdout
