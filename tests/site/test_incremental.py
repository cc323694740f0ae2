"""Incremental generation gives the site a cold build gives, night after night; an unchanged night renders nothing."""

from __future__ import annotations

import json
import random
import shutil
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from conftest import DEMO_NOW, NEW_YORK, ROOT
from factories import make_stored

from events.run.site_build import events_settings, generate_site
from events.site.manifest import MANIFEST_NAME
from events.store import open_store

GROUPS = ("alpha", "beta", "gamma")
GROUP = "name: {slug}\nwebsite: https://{slug}.example/\nical: https://{slug}.example/events.ics\n"


def tree(output: Path) -> dict[str, bytes]:
    """Every file of a built site; the manifest without its counts (they say what this build did, not what it holds)."""
    files = {p.relative_to(output).as_posix(): p.read_bytes() for p in output.rglob("*") if p.is_file()}
    manifest = json.loads(files.pop(MANIFEST_NAME))
    files[MANIFEST_NAME] = json.dumps(manifest["files"], sort_keys=True).encode()
    return files


def rendered(output: Path) -> int:
    return int(json.loads((output / MANIFEST_NAME).read_text())["build"]["pages_rendered"])


class Site:
    def __init__(self, tmp_path: Path) -> None:
        self.tmp = tmp_path
        groups = tmp_path / "_groups"
        groups.mkdir()
        for slug in GROUPS:
            (groups / f"{slug}.yaml").write_text(GROUP.format(slug=slug))
        self.base = {"EVENTS_GROUPS_DIR": str(groups), "EVENTS_SQLITE_PATH": str(tmp_path / "events.sqlite3")}

    def build(self, name: str, now: datetime, cache: str, fresh_output: bool = False) -> Path:
        output = self.tmp / name
        if fresh_output:
            shutil.rmtree(output, ignore_errors=True)
        overrides = {**self.base, "EVENTS_CACHE_DIR": str(self.tmp / cache), "EVENTS_NOW": now.isoformat()}
        return generate_site(ROOT, "pelicanconf.py", output, overrides)

    def store(self, now: datetime):
        return open_store(events_settings(ROOT, "pelicanconf.py", {**self.base, "EVENTS_CACHE_DIR": str(self.tmp / "cache"), "EVENTS_NOW": now.isoformat()}))


def night_changes(rng: random.Random, events: dict[str, dict], now: datetime, night: int) -> None:
    """The seeded changes of one night: events added, retitled, moved, cancelled and removed."""
    for n in range(rng.randint(1, 3)):
        events[f"n{night:02d}e{n}{'0' * 14}"[:20]] = {
            "group_id": rng.choice(GROUPS),
            "title": f"Night {night} talk {n}",
            "start": now + timedelta(days=rng.randint(0, 20), hours=rng.randint(9, 20)),
        }
    for event_id in rng.sample(sorted(events), k=min(len(events), 2)):
        kind = rng.choice(["retitle", "move", "cancel", "remove"])
        if kind == "retitle":
            events[event_id]["title"] += " (updated)"
        elif kind == "move":
            events[event_id]["start"] += timedelta(days=1)
        elif kind == "cancel":
            events[event_id]["status"] = "cancelled"
        else:
            del events[event_id]


def write_store(site: Site, events: dict[str, dict], now: datetime) -> None:
    store = site.store(now)
    try:
        old = {(e.event_id, e.event.start.isoformat()) for e in store.window(now - timedelta(days=400), now + timedelta(days=400))}
        stored = [
            make_stored(event_id=event_id, group_id=e["group_id"], group_name=e["group_id"], title=e["title"], start=e["start"],
                        end=e["start"] + timedelta(hours=2), status=e.get("status", "confirmed"))
            for event_id, e in sorted(events.items())
        ]
        store.write(stored, sorted(old - {(e.event_id, e.event.start.isoformat()) for e in stored}))
    finally:
        store.close()


def test_incremental_builds_equal_cold_builds_over_nights_of_changes(tmp_path):
    rng = random.Random(20261130)
    site = Site(tmp_path)
    now = datetime.fromisoformat(DEMO_NOW).astimezone(NEW_YORK)
    events: dict[str, dict] = {}
    moved = True
    for night in range(5):
        night_changes(rng, events, now, night)
        write_store(site, events, now)
        incremental = site.build("output", now, "cache")
        cold = site.build(f"cold-{night}", now, f"cold-cache-{night}")
        assert tree(incremental) == tree(cold), f"night {night}: the incremental site differs from a cold build"
        if not moved:
            # Same day: only the pages showing a changed event render again (a new day can touch every page's "this week").
            assert 0 < rendered(incremental) < rendered(cold), f"night {night}: only the changed pages are rendered"
        shutil.rmtree(cold)
        built_at = now
        step = rng.choice([0, 1])
        moved, now = bool(step), now + timedelta(days=step)
    # An unchanged night renders nothing and writes nothing but the manifest's counts.
    again = site.build("output", built_at, "cache")
    assert rendered(again) == 0


def test_an_empty_output_with_a_restored_cache_is_built_whole(tmp_path):
    """GitHub Actions restores the cache but starts with no output/: every page must be written all the same."""
    site = Site(tmp_path)
    now = datetime.fromisoformat(DEMO_NOW).astimezone(NEW_YORK)
    write_store(site, {"e" * 20: {"group_id": "alpha", "title": "Talk", "start": now + timedelta(days=2)}}, now)
    first = tree(site.build("output", now, "cache"))
    rebuilt = site.build("output", now, "cache", fresh_output=True)
    assert tree(rebuilt) == first


def test_an_output_from_another_machine_is_not_trusted(tmp_path):
    """Files with the planned names but other bytes (a stale or foreign output/) are rendered again."""
    site = Site(tmp_path)
    now = datetime.fromisoformat(DEMO_NOW).astimezone(NEW_YORK)
    write_store(site, {"e" * 20: {"group_id": "alpha", "title": "Talk", "start": now + timedelta(days=2)}}, now)
    first = tree(site.build("output", now, "cache"))
    home = tmp_path / "output" / "index.html"
    home.write_text("stale home page from another machine")
    assert tree(site.build("output", now, "cache")) == first


def test_a_template_change_renders_every_page_again(tmp_path):
    site = Site(tmp_path)
    now = datetime.fromisoformat(DEMO_NOW).astimezone(NEW_YORK)
    write_store(site, {"e" * 20: {"group_id": "alpha", "title": "Talk", "start": now + timedelta(days=2)}}, now)
    first = site.build("output", now, "cache")
    pages = rendered(first)
    assert rendered(site.build("output", now, "cache", fresh_output=False)) == 0
    site.base["EVENTS_RENDER_ALL"] = "true"
    assert rendered(site.build("output", now, "cache")) == pages


def test_the_next_day_renders_only_pages_that_show_the_day(tmp_path):
    """Every page's context holds "today" and "this week", but an event page shows neither: it is not rendered again."""
    site = Site(tmp_path)
    now = datetime.fromisoformat(DEMO_NOW).astimezone(NEW_YORK)
    rng = random.Random(7)
    events = {
        f"ev{n:02d}{'0' * 16}": {"group_id": rng.choice(GROUPS), "title": f"Talk {n}", "start": now + timedelta(days=rng.randint(2, 12), hours=18)}
        for n in range(12)
    }
    write_store(site, events, now)
    output = site.build("output", now, "cache")
    event_pages = {p: p.stat().st_mtime_ns for p in (output / "events").glob("*/index.html")}
    assert len(event_pages) == 12
    tomorrow = now + timedelta(days=1)
    assert tomorrow.month == now.month, "the calendar link of every page names this month"
    site.build("output", tomorrow, "cache")
    cold = site.build("cold", tomorrow, "cold-cache")
    assert tree(output) == tree(cold)
    assert {p: p.stat().st_mtime_ns for p in event_pages} == event_pages, "no event page is rewritten"
    assert 0 < rendered(output) < rendered(cold) - 12, "the home page and the pages with a day heading render again, event pages do not"


def test_any_number_of_render_processes_writes_the_same_site(tmp_path):
    site = Site(tmp_path)
    now = datetime.fromisoformat(DEMO_NOW).astimezone(NEW_YORK)
    rng = random.Random(3)
    events = {
        f"p{n:03d}{'0' * 16}": {"group_id": rng.choice(GROUPS), "title": f"Talk {n}", "start": now + timedelta(days=rng.randint(0, 30))}
        for n in range(60)
    }
    write_store(site, events, now)
    trees = []
    for processes in (1, 3):
        site.base["EVENTS_RENDER_PROCESSES"] = str(processes)
        trees.append(tree(site.build(f"output-{processes}", now, f"cache-{processes}")))
    assert trees[0] == trees[1] and len(trees[0]) > 200


def test_a_build_killed_midway_is_followed_by_a_night_that_equals_a_cold_build(tmp_path, monkeypatch):
    """Some pages of the new night written, the rest not, the render cache not saved: the next build must not trust either."""
    from events.site import render_cache

    site = Site(tmp_path)
    site.base["EVENTS_RENDER_PROCESSES"] = "1"
    now = datetime.fromisoformat(DEMO_NOW).astimezone(NEW_YORK)
    rng = random.Random(11)
    events: dict[str, dict] = {}
    night_changes(rng, events, now, 0)
    write_store(site, events, now)
    site.build("output", now, "cache")
    for night in (1, 2):
        night_changes(rng, events, now, night)
    write_store(site, events, now)
    real_page = render_cache.InputDigests.page
    calls = {"n": 0}

    def dies_midway(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 25:
            raise RuntimeError("killed")
        return real_page(self, *args, **kwargs)

    monkeypatch.setattr(render_cache.InputDigests, "page", dies_midway)
    with pytest.raises(RuntimeError, match="killed"):
        site.build("output", now, "cache")
    monkeypatch.setattr(render_cache.InputDigests, "page", real_page)
    assert tree(site.build("output", now, "cache")) == tree(site.build("cold", now, "cold-cache"))
