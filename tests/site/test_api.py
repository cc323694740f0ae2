"""Every JSON file of the demo site validates against its published schema, with format checks on."""

from __future__ import annotations

import itertools
import json
import re
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from conftest import DEMO_NOW
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

# Output path pattern -> the schema under /api/schema/ that the README names for it.
SCHEMA_OF = [
    (r"api/events\.json", "events.json"),
    (r"api/events/(upcoming|virtual)\.json", "events.json"),
    (r"api/events/day/\d{4}-\d\d-\d\d\.json", "day.json"),
    (r"api/events/week/\d{4}-W\d\d\.json", "week.json"),
    (r"api/locations\.json", "locations.json"),
    (r"api/locations/[a-z]{2}\.json", "location.json"),
    (r"api/groups\.json", "groups.json"),
    (r"api/groups/[a-z0-9_-]+\.json", "group.json"),
    (r"api/categories\.json", "categories.json"),
    (r"health\.json", "health.json"),
]
OFFSET_TIME = re.compile(r"^\d{4}-\d\d-\d\dT([01]\d|2[0-3]):[0-5]\d:[0-5]\d[+-]\d\d:\d\d$")


def _load(site: Path, path: str):
    return json.loads((site / path).read_text(encoding="utf-8"))


def _schema_name(path: str) -> str | None:
    return next((name for pattern, name in SCHEMA_OF if re.fullmatch(pattern, path)), None)


def _validator(site: Path, name: str) -> Draft202012Validator:
    schema = _load(site, f"api/schema/{name}")
    Draft202012Validator.check_schema(schema)
    # Without a FormatChecker, "format": "date-time" is only an annotation.
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


@pytest.fixture(scope="module")
def json_files(demo_site: Path) -> list[str]:
    # The build's manifest (.manifest.json) is not published: hidden files stay out of the bucket.
    paths = sorted(str(p.relative_to(demo_site)) for p in demo_site.rglob("*.json") if not p.name.startswith("."))
    # api/schema/ and schemas/ hold schemas themselves (of the API files, and of the contributors' input files);
    # pagefind/ is the search index Pagefind writes, not part of the JSON API.
    return [p for p in paths if not p.startswith(("api/schema/", "schemas/", "pagefind/"))]


def test_every_json_file_has_a_schema_and_validates(demo_site, json_files):
    assert len(json_files) > 30
    for path in json_files:
        name = _schema_name(path)
        assert name, f"{path} has no schema"
        _validator(demo_site, name).validate(_load(demo_site, path))


def test_every_published_schema_is_used(demo_site, json_files):
    published = {p.name for p in (demo_site / "api" / "schema").glob("*.json")}
    assert published == {_schema_name(p) for p in json_files} | {"event.json"}


def test_format_checks_are_really_on(demo_site):
    record = _load(demo_site, "api/events.json")["events"][0]
    _validator(demo_site, "event.json").validate(record)
    for bad in ("2026-02-30T19:00:00-05:00", "2026-03-02 7:00 PM", "2026-03-02T19:00:00"):
        with pytest.raises(ValidationError):
            _validator(demo_site, "event.json").validate({**record, "start": bad})
    with pytest.raises(ValidationError):
        _validator(demo_site, "event.json").validate({**record, "surprise": 1})


def test_times_are_iso_8601_24_hour_with_offset(demo_site):
    for record in _load(demo_site, "api/events.json")["events"]:
        for key in ("start", "end", "created", "updated"):
            assert OFFSET_TIME.match(record[key]), (key, record[key])
    assert any(int(r["start"][11:13]) >= 13 for r in _load(demo_site, "api/events.json")["events"])


def test_upcoming_is_every_event_not_ended(demo_site):
    now = datetime.fromisoformat(DEMO_NOW)
    everything = _load(demo_site, "api/events.json")["events"]
    upcoming = _load(demo_site, "api/events/upcoming.json")
    assert upcoming["count"] == len(upcoming["events"]) == 14
    assert [e["id"] for e in upcoming["events"]] == [
        e["id"] for e in everything if datetime.fromisoformat(e["end"]) >= now
    ]
    starts = [datetime.fromisoformat(e["start"]) for e in everything]
    assert starts == sorted(starts)


def test_virtual_holds_online_and_hybrid_events(demo_site):
    virtual = _load(demo_site, "api/events/virtual.json")["events"]
    assert [e["title"] for e in virtual] == ["Open Data Webinar"]


def test_day_files_hold_every_event_touching_the_day(demo_site):
    events = _load(demo_site, "api/events.json")["events"]
    expected: dict[str, set[str]] = {}
    for event in events:
        start = datetime.fromisoformat(event["start"])
        last = datetime.fromisoformat(event["end"]) - timedelta(microseconds=1)
        day = start.date()
        while day <= max(start.date(), last.date()):
            expected.setdefault(day.isoformat(), set()).add(event["id"])
            day += timedelta(days=1)
    files = sorted((demo_site / "api" / "events" / "day").glob("*.json"))
    assert [p.stem for p in files] == sorted(expected)
    for path in files:
        data = json.loads(path.read_text())
        assert data["date"] == path.stem
        assert {e["id"] for e in data["events"]} == expected[path.stem]
        assert data["count"] == len(data["events"])
    weekend = {e["title"] for e in _load(demo_site, "api/events/day/2026-03-08.json")["events"]}
    assert weekend == {"Linux Installfest Weekend"}  # the second day of a two-day event


def test_week_files_chain_and_cover_the_iso_week(demo_site):
    files = sorted((demo_site / "api" / "events" / "week").glob("*.json"))
    weeks = [json.loads(p.read_text()) for p in files]
    assert [w["week"] for w in weeks] == [p.stem for p in files]
    assert weeks[0]["week"] == "2026-W10" and weeks[0]["start"] == "2026-03-02" and weeks[0]["end"] == "2026-03-08"
    assert weeks[0]["previous"] is None and weeks[-1]["next"] is None
    for earlier, later in itertools.pairwise(weeks):
        assert earlier["next"] == later["week"] and later["previous"] == earlier["week"]
    for week in weeks:
        monday = date.fromisoformat(week["start"])
        assert monday.weekday() == 0 and f"{monday.isocalendar()[0]}-W{monday.isocalendar()[1]:02d}" == week["week"]
    all_ids = {e["id"] for e in _load(demo_site, "api/events.json")["events"]}
    assert set().union(*({e["id"] for e in w["events"]} for w in weeks)) == all_ids


def test_locations_groups_and_categories_agree_with_their_files(demo_site):
    locations = _load(demo_site, "api/locations.json")["locations"]
    assert [(loc["state"], loc["upcoming"]) for loc in locations] == [("DC", 8), ("MD", 1), ("VA", 4)]
    for loc in locations:
        data = _load(demo_site, loc["api"].lstrip("/"))
        assert data["count"] == loc["upcoming"] and {e["state"] for e in data["events"]} == {loc["state"]}
        assert all(e["location_type"] != "virtual" for e in data["events"])
    groups = _load(demo_site, "api/groups.json")
    assert groups["count"] == 4
    by_id = {g["id"]: g for g in groups["groups"]}
    assert by_id["offline-group"]["last_fetch"]["result"] == "error"
    assert by_id["dc-python"]["last_fetch"]["result"] == "ok" and by_id["dc-python"]["upcoming"] == 3
    for group in groups["groups"]:
        data = _load(demo_site, group["api"].lstrip("/"))
        assert data["group"] == group and data["count"] == group["upcoming"]
    categories = {c["slug"]: c["upcoming"] for c in _load(demo_site, "api/categories.json")["categories"]}
    assert categories["govtech"] == 6 and categories["ai"] == 0


def test_health_json_has_exactly_the_monitoring_keys(demo_site):
    health = _load(demo_site, "health.json")
    assert set(health) == {
        "build_time",
        "version",
        "events",
        "upcoming",
        "groups_ok",
        "groups_failed",
        "newest_event_start",
    }
    assert datetime.fromisoformat(health["build_time"]) == datetime.fromisoformat(DEMO_NOW)
    assert (health["events"], health["upcoming"], health["groups_ok"], health["groups_failed"]) == (14, 14, 3, 1)
    assert health["newest_event_start"] == "2026-05-04T19:00:00-04:00"
    assert re.match(r"^\d+\.\d+\.\d+$", health["version"])


def test_health_counts_active_groups_and_treats_never_fetched_as_failed():
    from zoneinfo import ZoneInfo

    from events.models import Group, GroupState
    from events.site.files.api_json import health
    from events.site.records import SiteInfo

    groups = (
        Group("ok", "Ok", "https://a.example/"),
        Group("broken", "Broken", "https://b.example/"),
        Group("new", "New", "https://c.example/"),
        Group("asleep", "Asleep", "https://d.example/", active=False),
    )
    states = {
        "ok": GroupState("ok", result="ok"),
        "broken": GroupState("broken", result="error"),
        "asleep": GroupState("asleep", result="error"),
    }
    site = SiteInfo("T", "", ZoneInfo("America/New_York"), 14, "t.example", (), groups, states)
    now = datetime.fromisoformat(DEMO_NOW)
    result = health([], 0, now, site)
    assert (result["groups_ok"], result["groups_failed"]) == (1, 2)
    assert result["newest_event_start"] is None and result["events"] == 0


def test_a_published_build_has_absolute_links_and_schema_ids():
    from zoneinfo import ZoneInfo

    from factories import make_stored

    from events.models import Group, GroupState
    from events.site.event_view import event_view
    from events.site.files.data_files import plan_artifacts
    from events.site.records import SiteInfo

    zone = ZoneInfo("America/New_York")
    site = SiteInfo(
        "DC Tech Events",
        "https://dctech.events",
        zone,
        14,
        "dctech.events",
        ("DC",),
        (Group("dc-python", "DC Python", "https://example.org/"),),
        {"dc-python": GroupState("dc-python", result="ok")},
        {"software-development": "Software Development"},
    )
    past = make_stored(event_id="past", start=datetime(2026, 2, 1, 18, tzinfo=zone), end=datetime(2026, 2, 1, 20, tzinfo=zone))
    views = [event_view(make_stored(), zone), event_view(past, zone)]
    files = {a.path: a.content for a in plan_artifacts(views, datetime.fromisoformat(DEMO_NOW), site)}
    schemas = {p.removeprefix("api/schema/"): json.loads(c) for p, c in files.items() if p.startswith("api/schema/")}
    assert all(s["$id"] == f"https://dctech.events/api/schema/{n}" for n, s in schemas.items())
    for path, content in files.items():
        name = _schema_name(path)
        if name:
            validator = Draft202012Validator(schemas[name], format_checker=Draft202012Validator.FORMAT_CHECKER)
            validator.validate(json.loads(content))
    events = json.loads(files["api/events.json"])["events"]
    assert [e["id"] for e in events] == ["past", "abc123"]  # the archive, then upcoming
    assert [e["id"] for e in json.loads(files["api/events/upcoming.json"])["events"]] == ["abc123"]
    assert events[1]["page"] == "https://dctech.events/events/abc123/"
    assert json.loads(files["api/groups.json"])["groups"][0]["feed"] == "https://dctech.events/groups/dc-python/events.ics"
    ics = files["events.ics"].decode()
    assert "\r\nURL:https://dctech.events\r\n" in ics and "\r\nSOURCE;VALUE=URI:https://dctech.events/events.ics\r\n" in ics
    assert "past@dctech.events" not in ics


@pytest.mark.parametrize(
    "envelope",
    [{"count": 2}, {"count": 2, "date": "2026-03-02"}, {"count": 2, "group": {"name": "x\u0000events\u0000"}, "week": "W"}],
)
def test_spliced_listing_equals_encoding_the_whole(envelope):
    from events.site.files.api_json import dump_json, splice_listing

    records = [{"id": "a", "title": "Ünïcode \"quoted\"", "n": [1, 2]}, {"id": "b", "title": "x\u0000events\u0000"}]
    encoded = [json.dumps(r, sort_keys=True, ensure_ascii=False, separators=(",", ":")) for r in records]
    assert splice_listing(envelope, encoded) == dump_json({**envelope, "events": records})
