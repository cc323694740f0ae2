"""A typo in one group file: that group counts as failed and keeps its stored events; the others collect (issue 11).

Regression: `timezone: America` in one file raised out of loading, so
`invoke collect` and `invoke build` stopped with no site.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from conftest import DATA, DEMO_NOW, ROOT
from feedserver import FeedServer, write_demo_groups

from events.run.collection import run_collection
from events.settings import EventsSettings
from events.store.sqlite import SQLiteStore


def stored_by_group(settings: EventsSettings) -> dict[str, list[tuple[str, bool, str]]]:
    """Each group's stored events: id, removed, status (a withdrawn or cancelled event would show here)."""
    store = SQLiteStore(settings.sqlite_path)
    try:
        events = store.window(datetime.fromisoformat("2026-01-01T00:00:00-05:00"), datetime.fromisoformat("2027-01-01T00:00:00-05:00"))
    finally:
        store.close()
    found: dict[str, list[tuple[str, bool, str]]] = {}
    for stored in sorted(events, key=lambda s: s.event_id):
        found.setdefault(stored.event.group_id, []).append((stored.event_id, stored.removed, stored.event.status))
    return found


def settings_at(now: str, groups: Path, empty: Path, cache: Path, singles: Path | None = None) -> EventsSettings:
    return EventsSettings.from_mapping(
        {
            "EVENTS_NOW": now,
            "EVENTS_FETCH_ALLOW_PRIVATE": True,
            "EVENTS_CACHE_DIR": str(cache),
            "EVENTS_GROUPS_DIR": str(groups),
            "EVENTS_SINGLE_EVENTS_DIR": str(singles or empty),
            "EVENTS_OVERLAYS_DIR": str(empty),
            "EVENTS_FETCH_RETRIES": 1,
        },
        ROOT,
    )


def test_a_group_whose_file_breaks_keeps_its_events_and_counts_as_failed(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    with FeedServer(DATA / "demo" / "feeds") as server:
        groups = write_demo_groups(DATA / "demo" / "groups", tmp_path / "_groups", server.base_url)
        (groups / "offline-group.yaml").unlink()
        settings = settings_at(DEMO_NOW, groups, empty, tmp_path / "cache")
        first = run_collection(settings)
        assert first.failed == ()
        before = stored_by_group(settings)
        assert len(before["dc-python"]) > 0

        dc_python = groups / "dc-python.yaml"
        dc_python.write_text(dc_python.read_text(encoding="utf-8") + "timezone: America\n", encoding="utf-8")
        # Days later, past the grace period: a group synced with no events would have them withdrawn by now.
        second = run_collection(settings_at("2026-03-09T09:00:00-05:00", groups, empty, tmp_path / "cache"))

    assert [(g.group_id, g.ok) for g in second.failed] == [("dc-python", False)]
    assert "timezone: 'America' is not a timezone" in second.failed[0].error
    assert sorted(g.group_id for g in second.groups if g.ok) == ["civic-tech", "novalug"]
    assert stored_by_group(settings)["dc-python"] == before["dc-python"]


def test_a_broken_single_event_file_keeps_every_stored_single_event(tmp_path):
    empty, singles = tmp_path / "empty", tmp_path / "_single_events"
    empty.mkdir()
    singles.mkdir()
    (singles / "mixer.yaml").write_text("title: Tech mixer\nstart: 2026-03-20 18:00\nlocation: 1630 7th St NW, Washington, DC 20001\n")
    settings = settings_at(DEMO_NOW, empty, empty, tmp_path / "cache", singles)
    assert run_collection(settings).failed == ()
    before = stored_by_group(settings)
    assert len(before["single-events"]) == 1

    (singles / "mixer.yaml").write_text("title: Tech mixer\nstart: 2026-03-20 18:00\ntimezone: America\n")
    later = run_collection(settings_at("2026-03-09T09:00:00-05:00", empty, empty, tmp_path / "cache", singles))

    assert [g.group_id for g in later.failed] == ["single-events"]
    assert "mixer.yaml: timezone: 'America' is not a timezone" in later.failed[0].error
    assert stored_by_group(settings) == before
