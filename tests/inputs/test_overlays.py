"""Overlays: corrections to collected events by id, loaded from YAML and applied while normalizing."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from events.collect.normalize import Skip, event_id, normalize
from events.inputs.groups import load_categories
from events.inputs.overlays import Overlay, load_overlays
from events.models import Group, Occurrence

ROOT = Path(__file__).resolve().parents[2]
NY = ZoneInfo("America/New_York")
GROUP = Group(slug="dc-python", name="DC Python", website="https://example.org/", categories=("software-development",))
STATES = ("DC", "MD", "VA")


@pytest.fixture
def categories():
    return load_categories(ROOT / "data" / "categories.yaml")


def occurrence(**changes):
    values = {
        "source_uid": "uid-1",
        "occurrence_key": "",
        "title": "Python Meetup",
        "start": datetime(2026, 3, 10, 18, tzinfo=NY),
        "end": datetime(2026, 3, 10, 20, tzinfo=NY),
        "location": "1630 7th St NW, Washington, DC 20001",
    }
    values.update(changes)
    return Occurrence(**values)


ID = event_id("dc-python", "uid-1", "")


def test_broken_overlays_give_the_golden_problem_lines(data_dir, categories):
    loaded = load_overlays(data_dir / "overlays" / "broken", categories)
    golden = (data_dir / "overlays" / "broken.expected.txt").read_text(encoding="utf-8").splitlines()
    assert [str(p) for p in loaded.problems] == golden


def test_good_overlays_load_from_lists_and_single_mappings(data_dir, categories):
    loaded = load_overlays(data_dir / "overlays" / "good", categories)
    assert loaded.problems == ()
    assert sorted(loaded.overlays) == ["0123456789abcdef0123", "1111111111aaaaaaaaaa", "2222222222bbbbbbbbbb", "3333333333cccccccccc"]
    assert loaded.overlays["3333333333cccccccccc"].duplicate_of == "4444444444dddddddddd"


@pytest.mark.parametrize(
    "overlay, expected",
    [
        (Overlay(ID, hide=True, reason="spam"), Skip("hidden by an overlay (spam)")),
        (Overlay(ID, duplicate_of="4444444444dddddddddd"), Skip("duplicate of 4444444444dddddddddd by an overlay", "4444444444dddddddddd")),
    ],
)
def test_hide_and_duplicate_leave_the_event_out_with_a_reason(overlay, expected):
    assert normalize(occurrence(), GROUP, NY, STATES, "ical", {ID: overlay}) == expected


@pytest.mark.parametrize(
    "overlay, fields",
    [
        (Overlay(ID, title="Python Meetup: Spring"), {"title": "Python Meetup: Spring"}),
        (Overlay(ID, categories=("ai",)), {"categories": ("ai",)}),
        (Overlay(ID, location="Online"), {"location": "Online", "location_type": "virtual", "state": ""}),
        (Overlay(ID, location="4301 Wilson Blvd, Arlington, VA 22203"), {"city": "Arlington", "state": "VA", "location_type": "in_person"}),
        (Overlay(ID, location_type="hybrid"), {"location_type": "hybrid", "state": "DC"}),
    ],
)
def test_changes_are_applied(overlay, fields):
    event = normalize(occurrence(), GROUP, NY, STATES, "ical", {ID: overlay})
    assert {k: getattr(event, k) for k in fields} == fields


def test_an_overlay_for_another_id_changes_nothing():
    plain = normalize(occurrence(), GROUP, NY, STATES, "ical")
    assert normalize(occurrence(), GROUP, NY, STATES, "ical", {"0" * 20: Overlay("0" * 20, hide=True)}) == plain


def test_a_corrected_location_counts_for_the_states_rule():
    far = occurrence(location="Civic Hall, 124 E 14th St, New York, NY 10003")
    assert isinstance(normalize(far, GROUP, NY, STATES, "ical"), Skip)
    fixed = normalize(far, GROUP, NY, STATES, "ical", {ID: Overlay(ID, location="1425 K St NW, Washington, DC 20005")})
    assert fixed.state == "DC"
