"""Events added by hand in `_single_events/`: validation and expansion."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from events.collect.normalize import normalize
from events.collect.sources.base import ParseRequest
from events.inputs.groups import load_categories
from events.inputs.single_events import SINGLE_EVENTS_GROUP, group_for, load_single_events, parse_single_events

ROOT = Path(__file__).resolve().parents[2]
NY = ZoneInfo("America/New_York")


@pytest.fixture
def categories():
    return load_categories(ROOT / "data" / "categories.yaml")


def request(days=90):
    begin = datetime(2026, 3, 1, tzinfo=NY)
    return ParseRequest(begin, begin + timedelta(days=days), NY)


def test_broken_files_give_the_golden_problem_lines(data_dir, categories):
    loaded = load_single_events(data_dir / "single_events" / "broken", categories)
    golden = (data_dir / "single_events" / "broken.expected.txt").read_text(encoding="utf-8").splitlines()
    assert [str(p) for p in loaded.problems] == golden
    assert loaded.events == ()


def test_one_off_recurring_and_all_day_events_expand(data_dir, categories):
    loaded = load_single_events(data_dir / "single_events" / "good", categories)
    assert loaded.problems == ()
    found, warnings = parse_single_events(loaded.events, request())
    assert warnings == ()
    rows = [(entry.slug, o.start.isoformat(), o.all_day) for entry, o in found]
    assert rows == [
        ("cyber-summit-2026", "2026-04-14T00:00:00-04:00", True),
        ("dc-tech-mixer-2026", "2026-03-26T18:00:00-04:00", False),
        ("first-thursday-coffee", "2026-03-05T08:00:00-05:00", False),
        # April 2 is in exdates.
        ("first-thursday-coffee", "2026-05-07T08:00:00-04:00", False),
    ]
    mixer = next(o for entry, o in found if entry.slug == "dc-tech-mixer-2026")
    assert mixer.cost == "Free" and mixer.end - mixer.start == timedelta(hours=3)
    summit = next(o for entry, o in found if entry.slug == "cyber-summit-2026")
    assert (summit.end - summit.start).days == 1


def test_single_events_normalize_under_their_organizer_with_their_categories(data_dir, categories):
    loaded = load_single_events(data_dir / "single_events" / "good", categories)
    found, _ = parse_single_events(loaded.events, request())
    entry, occurrence = next((e, o) for e, o in found if e.slug == "cyber-summit-2026")
    event = normalize(occurrence, group_for(entry), NY, ("DC", "MD", "VA"), "manual", None, categories)
    assert event.group_id == SINGLE_EVENTS_GROUP
    assert event.group_name == "Community calendar"
    assert event.categories == ("cybersecurity", "conferences")
    assert (event.city, event.state, event.cost) == ("Baltimore", "MD", "$50")
    assert event.url == "https://example.org/cyber-summit"


def test_inactive_events_are_not_collected(tmp_path, categories):
    (tmp_path / "off.yaml").write_text("title: Switched off\nstart: 2026-03-10 18:00\nactive: false\n")
    loaded = load_single_events(tmp_path, categories)
    assert loaded.problems == () and parse_single_events(loaded.events, request()) == ([], ())


def test_start_with_an_offset_is_kept(tmp_path, categories):
    (tmp_path / "west.yaml").write_text('title: West\nstart: "2026-03-10T18:00:00-07:00"\n')
    loaded = load_single_events(tmp_path, categories)
    ((_, occurrence),) = parse_single_events(loaded.events, request())[0]
    assert occurrence.start == datetime(2026, 3, 11, 1, 0, tzinfo=ZoneInfo("UTC"))


def test_a_yaml_boolean_title_gets_a_hint(tmp_path, categories):
    (tmp_path / "off.yaml").write_text("title: Off\nstart: 2026-03-10 18:00\n")
    (problem,) = load_single_events(tmp_path, categories).problems
    assert problem.message == "the boolean False is not a title (YAML reads yes, no, on and off as true or false: put the title in quotes)"
