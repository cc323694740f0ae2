"""Hostile text must stay inside its property: escaping and folding (RFC 5545 sections 3.1, 3.3.11)."""

from __future__ import annotations

from datetime import datetime

import icalendar
import pytest
from calclients import icalendar_events, icaljs_available, icaljs_parse
from factories import make_stored

from events.site.files.icalendar_writer import calendar_bytes, escape_text, fold_line

HOSTILE_TITLE = "Pwned\r\nBEGIN:VEVENT\r\nUID:evil@example.org\nSTATUS:CANCELLED\rEND:VCALENDAR"
CASES = {
    "newlines": HOSTILE_TITLE,
    "separators": 'Talk; with, commas\\ and "quotes": ok',
    "long-unicode": "Café ☕ " * 30 + "🐍" * 40,
    "controls": "Bell\x07 and\x00 nul\x1b[31m",
}


def _roundtrip_expected(title: str) -> str:
    """What a client must read back: newlines normalized, forbidden control characters gone."""
    text = title.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(c for c in text if c in "\n\t" or (ord(c) >= 0x20 and c != "\x7f"))


@pytest.mark.parametrize("case", sorted(CASES))
def test_icalendar_reads_back_exactly_one_event_with_the_same_title(case, tmp_path):
    title = CASES[case]
    raw = calendar_bytes([make_stored(title=title, location=title, summary=title)], "dctech.events", title)
    events = icalendar_events(raw)
    assert len(events) == 1
    assert str(events[0]["UID"]) == "abc123@dctech.events"
    assert str(events[0]["SUMMARY"]) == _roundtrip_expected(title)
    assert str(events[0]["LOCATION"]) == _roundtrip_expected(title)
    assert str(events[0]["STATUS"]) == "CONFIRMED"
    calendar = icalendar.Calendar.from_ical(raw)
    assert str(calendar["X-WR-CALNAME"]) == str(calendar["NAME"]) == " ".join(_roundtrip_expected(title).split())
    assert max(len(line) for line in raw.split(b"\r\n")) <= 75


@pytest.mark.skipif(not icaljs_available(), reason="node and node_modules/ical.js are needed (npm ci)")
def test_icaljs_reads_back_every_hostile_title(tmp_path):
    paths = []
    for case, title in sorted(CASES.items()):
        path = tmp_path / f"{case}.ics"
        path.write_bytes(calendar_bytes([make_stored(title=title, location=title)], "dctech.events", title))
        paths.append(path)
    for path, result in icaljs_parse(paths).items():
        title = CASES[path.stem]
        assert "error" not in result, result
        (event,) = result["events"]
        assert event["uid"] == "abc123@dctech.events"
        assert event["summary"] == event["location"] == _roundtrip_expected(title)
        # Calendar names are one line, read back as written.
        assert result["name"] == result["x_wr_calname"] == " ".join(_roundtrip_expected(title).split())
        assert event["property_names"].count("uid") == 1
        assert event["status"] == "CONFIRMED"


def test_a_url_with_a_newline_is_left_out_rather_than_injected():
    raw = calendar_bytes(
        [make_stored(url="https://example.org/x\r\nSTATUS:CANCELLED")], "dctech.events", "Feed"
    )
    (event,) = icalendar_events(raw)
    assert "URL" not in event
    assert str(event["STATUS"]) == "CONFIRMED"


@pytest.mark.parametrize(
    "text, escaped",
    [
        ("a,b;c\\d", "a\\,b\\;c\\\\d"),
        ("one\r\ntwo\nthree\rfour", "one\\ntwo\\nthree\\nfour"),
        ("tab\tkept", "tab\tkept"),
    ],
)
def test_escape_text(text, escaped):
    assert escape_text(text) == escaped


def test_fold_line_never_splits_a_utf8_character():
    line = "SUMMARY:" + "é🐍" * 60
    folded = fold_line(line).encode("utf-8")
    parts = folded[:-2].split(b"\r\n ")
    assert all(len(p) <= 75 for p in parts)
    assert b"".join(parts).decode("utf-8") == line  # each part decodes on its own boundary


def test_end_not_after_start_gives_an_instant_not_a_broken_dtend():
    moment = datetime.fromisoformat("2026-03-03T18:30:00-05:00")
    (event,) = icalendar_events(calendar_bytes([make_stored(start=moment, end=moment)], "d.example", "F"))
    assert "DTEND" not in event


@pytest.mark.parametrize("length", [74, 75, 76, 149, 150, 151, 400])
def test_fold_line_ascii_lines_at_the_boundaries(length):
    line = "DESCRIPTION:" + "x" * (length - len("DESCRIPTION:"))
    folded = fold_line(line)
    assert folded.endswith("\r\n")
    physical = folded[:-2].split("\r\n")
    assert all(len(p) <= 75 for p in physical)
    assert all(p.startswith(" ") for p in physical[1:])
    assert physical[0] + "".join(p[1:] for p in physical[1:]) == line


def test_an_event_gone_from_its_feed_is_published_as_cancelled():
    (event,) = icalendar_events(calendar_bytes([make_stored(removed=True, sequence=4)], "d.example", "F"))
    assert str(event["STATUS"]) == "CANCELLED"
    assert event["SEQUENCE"] == 4


def test_all_day_event_ending_on_its_start_day_still_spans_one_date():
    start = datetime.fromisoformat("2026-03-07T00:00:00-05:00")
    raw = calendar_bytes([make_stored(all_day=True, start=start, end=start)], "d.example", "F")
    (event,) = icalendar_events(raw)
    assert (str(event["DTSTART"].dt), str(event["DTEND"].dt)) == ("2026-03-07", "2026-03-08")
    assert b"VTIMEZONE" not in raw  # dates need no zone


def test_a_non_ascii_link_is_percent_encoded():
    (event,) = icalendar_events(calendar_bytes([make_stored(url="https://example.org/café?q=a,b")], "d.example", "F"))
    assert str(event["URL"]) == "https://example.org/caf%C3%A9?q=a,b"
