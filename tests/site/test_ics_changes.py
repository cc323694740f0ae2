"""Across two builds: an edited event keeps its UID and its SEQUENCE rises; others stay byte-identical."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from calclients import icalendar_events, icaljs_available, icaljs_parse
from conftest import DATA, build_site
from feedserver import FeedServer, write_demo_groups

FIRST_NOW = "2026-03-02T09:00:00-05:00"
SECOND_NOW = "2026-03-03T09:00:00-05:00"


def _vevents(raw: bytes) -> dict[str, bytes]:
    """Each VEVENT's bytes by UID."""
    blocks = raw.split(b"BEGIN:VEVENT\r\n")[1:]
    result = {}
    for block in blocks:
        block = block.split(b"END:VEVENT\r\n")[0]
        uid = next(line for line in block.split(b"\r\n") if line.startswith(b"UID:"))[4:].decode()
        result[uid] = block
    return result


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, bytes, Path]:
    work = tmp_path_factory.mktemp("changes")
    feeds = work / "feeds"
    shutil.copytree(DATA / "demo" / "feeds", feeds)
    with FeedServer(feeds) as server:
        groups = write_demo_groups(DATA / "demo" / "groups", work / "_groups", server.base_url)
        first = (build_site(work, groups, now=FIRST_NOW) / "groups" / "dc-python" / "events.ics").read_bytes()
        feed = feeds / "dc-python.ics"
        feed.write_bytes(feed.read_bytes().replace(b"SUMMARY:Intro to Type Hints", b"SUMMARY:Intro to Type Hints (room 2)"))
        stat = feed.stat()
        os.utime(feed, (stat.st_atime + 120, stat.st_mtime + 120))  # a new Last-Modified, so the HTTP cache refetches
        output = build_site(work, groups, now=SECOND_NOW)
        second = (output / "groups" / "dc-python" / "events.ics").read_bytes()
    return first, second, output


def test_the_edited_event_keeps_its_uid_and_its_sequence_rises(two_builds):
    first, second = (
        {str(e["UID"]): e for e in icalendar_events(raw)} for raw in two_builds[:2]
    )
    (uid,) = [u for u, e in first.items() if str(e["SUMMARY"]) == "Intro to Type Hints"]
    assert str(second[uid]["SUMMARY"]) == "Intro to Type Hints (room 2)"
    assert second[uid]["SEQUENCE"] > first[uid]["SEQUENCE"]
    assert second[uid]["LAST-MODIFIED"].dt > first[uid]["LAST-MODIFIED"].dt
    assert second[uid]["DTSTAMP"].dt == second[uid]["LAST-MODIFIED"].dt
    assert second[uid]["CREATED"].dt == first[uid]["CREATED"].dt


def test_unchanged_events_keep_identical_bytes_across_builds(two_builds):
    first, second = (_vevents(raw) for raw in two_builds[:2])
    unchanged = [uid for uid in first if b"Intro to Type Hints" not in first[uid]]
    assert unchanged
    for uid in unchanged:
        assert first[uid] == second[uid], uid  # DTSTAMP is the last change, not the build time


@pytest.mark.skipif(not icaljs_available(), reason="node and node_modules/ical.js are needed (npm ci)")
def test_icaljs_sees_the_higher_sequence(two_builds, tmp_path):
    paths = []
    for name, raw in zip(("first", "second"), two_builds[:2], strict=False):
        paths.append(tmp_path / f"{name}.ics")
        paths[-1].write_bytes(raw)
    parsed = icaljs_parse(paths)
    first, second = ({e["uid"]: e for e in parsed[p]["events"]} for p in paths)
    (uid,) = [u for u, e in second.items() if e["summary"] == "Intro to Type Hints (room 2)"]
    assert second[uid]["sequence"] > first[uid]["sequence"]
