"""The iCal source keeps every event it can: encodings, malformed values, duplicate UIDs, counted reasons."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from events.collect.sources import ical
from events.collect.sources.base import LEFT_OUT_REASONS, ParseRequest
from events.collect.sources.decoding import decode_feed

NY = ZoneInfo("America/New_York")
REQUEST = ParseRequest(datetime(2026, 3, 1, tzinfo=NY), datetime(2026, 4, 30, tzinfo=NY), NY)


def read(data_dir, name):
    return ical.parse((data_dir / "ical" / name).read_bytes(), REQUEST)


def event(uid: str, summary: str = "Meetup", extra: str = "", start: str = "20260310T230000Z") -> str:
    return f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:{start}\r\n{extra}SUMMARY:{summary}\r\nEND:VEVENT\r\n"


def calendar(*events: str) -> bytes:
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n" + "".join(events) + "END:VCALENDAR\r\n").encode()


def test_utf16_windows_export_with_a_byte_order_mark_is_read(data_dir):
    (only,) = read(data_dir, "utf16-bom-windows-export.ics").occurrences
    assert only.title == "Café numérique – Windows export"


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_unicode_with_a_byte_order_mark(encoding):
    body = calendar(event("a@x", "Café ☕")).decode()
    raw = body.encode(encoding) if encoding == "utf-8-sig" else "\ufeff".encode(encoding) + body.encode(encoding)
    (only,) = ical.parse(raw, REQUEST).occurrences
    assert only.title == "Café ☕"


def test_one_windows_1252_line_does_not_garble_the_utf8_lines():
    good = event("good@x", "Café de l’Est")
    stray = event("stray@x", "Caf\x00STRAY")
    raw = calendar(good, stray).replace(b"Caf\x00STRAY", "Café “quoted”".encode("cp1252"))
    result = ical.parse(raw, REQUEST)
    titles = {o.source_uid: o.title for o in result.occurrences}
    assert titles == {"good@x": "Café de l’Est", "stray@x": "Café “quoted”"}
    (warning,) = result.warnings
    assert warning.startswith("1 line(s) are not valid UTF-8 (line ") and "Windows-1252" in warning


def test_a_utf8_character_split_by_a_fold_is_not_a_fallback_line():
    raw = calendar(event("a@x", "Caf\xc3\r\n \xa9 ok".encode("latin-1").decode("latin-1")))
    raw = raw.replace("Caf\xc3\r\n \xa9".encode(), b"Caf\xc3\r\n \xa9")
    assert decode_feed(raw).fallback_lines == ()
    (only,) = ical.parse(raw, REQUEST).occurrences
    assert only.title == "Café ok"


def test_malformed_values_cost_only_their_own_event(data_dir):
    result = read(data_dir, "malformed-values-beside-good-events.ics")
    assert sorted(o.title for o in result.occurrences) == ["Event whose DTSTAMP has no seconds", "Good event"]
    counts = dict(result.left_out)
    assert counts == {"broken": 1, "no_title": 3, "outside_window": 1}
    assert any(w.startswith("event broken-start@example.org: skipped: ") for w in result.warnings)
    assert any("3 occurrence(s) of 1 event(s) have no title (SUMMARY)" in w and "no-title@example.org" in w for w in result.warnings)
    assert set(counts) <= set(LEFT_OUT_REASONS)


def test_a_thousand_events_with_a_stamp_without_seconds_are_all_listed():
    events = [event(f"e{i}@x", f"Event {i}", start=f"202603{1 + i % 28:02d}T230000Z").replace(
        "DTSTAMP:20260101T000000Z", "DTSTAMP:19970901T1300Z") for i in range(1000)]
    result = ical.parse(calendar(*events), ParseRequest(REQUEST.window_start, REQUEST.window_end, NY, max_occurrences=5000))
    assert len(result.occurrences) == 1000 and result.left_out == ()


def test_duplicate_uid_highest_sequence_then_latest_change_wins(data_dir):
    result = read(data_dir, "duplicate-uid-two-calendars.ics")
    assert sorted(o.title for o in result.occurrences) == ["Talk (moved)", "Workshop (edited later)"]
    assert dict(result.left_out) == {"superseded": 2}


def test_an_override_is_not_a_duplicate_of_its_master_but_a_repeated_override_is():
    master = event("s@x", "Series", "RRULE:FREQ=WEEKLY;COUNT=3\r\n", start="20260303T230000Z")
    moved = event("s@x", "Moved", "RECURRENCE-ID:20260310T230000Z\r\nSEQUENCE:1\r\n", start="20260311T230000Z")
    older = event("s@x", "Older move", "RECURRENCE-ID:20260310T230000Z\r\n", start="20260312T230000Z")
    result = ical.parse(calendar(master, older, moved), REQUEST)
    assert [(o.title, o.start.day) for o in result.occurrences] == [("Series", 3), ("Moved", 11), ("Series", 17)]
    assert dict(result.left_out) == {"superseded": 1}


def test_every_left_out_reason_is_a_known_key(data_dir):
    for path in sorted((data_dir / "ical").glob("*.ics")):
        result = ical.parse(path.read_bytes(), REQUEST)
        assert {reason for reason, _ in result.left_out} <= set(LEFT_OUT_REASONS), path.name
        assert all(n > 0 for _, n in result.left_out) and list(result.left_out) == sorted(result.left_out)


def test_events_outside_the_window_are_counted_not_parsed():
    past = [event(f"p{i}@x", "Past", start="20100310T230000Z") for i in range(5)]
    result = ical.parse(calendar(*past, event("now@x")), REQUEST)
    assert [o.source_uid for o in result.occurrences] == ["now@x"]
    assert result.left_out == (("outside_window", 5),)


def test_a_past_event_with_a_later_copy_of_its_uid_is_not_skipped_unread():
    old = event("twice@x", "Old copy", "SEQUENCE:0\r\n", start="20100310T230000Z")
    new = event("twice@x", "New copy", "SEQUENCE:1\r\n", start="20260310T230000Z")
    result = ical.parse(calendar(new, old), REQUEST)
    assert [o.title for o in result.occurrences] == ["New copy"]
    assert result.left_out == (("superseded", 1),)


def test_window_edges_use_the_whole_event(data_dir):
    spanning = event("span@x", "Spans the window start", "DTEND:20260302T230000Z\r\n", start="20260227T230000Z")
    result = ical.parse(calendar(spanning), REQUEST)
    assert [o.source_uid for o in result.occurrences] == ["span@x"]
    assert result.occurrences[0].end - result.occurrences[0].start == timedelta(days=3)


def test_many_unreadable_events_name_ten_and_count_the_rest():
    bad = [event(f"bad{i}@x", "Bad", start="2026-03-06 18:00") for i in range(15)]
    result = ical.parse(calendar(*bad, event("good@x")), REQUEST)
    assert [o.source_uid for o in result.occurrences] == ["good@x"]
    assert result.left_out == (("broken", 15),)
    assert len(result.warnings) == 11 and result.warnings[-1] == "5 more event(s) skipped as unreadable"
