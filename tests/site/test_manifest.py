"""The build's manifest and pruning output/ to it: a built site holds exactly what the build planned."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from conftest import DEMO_NOW, ROOT
from factories import make_stored

from events.site.manifest import (
    MANIFEST_NAME,
    Manifest,
    PreviousBuild,
    build_counts,
    finish_output,
    stray_files,
    theme_static_files,
    theme_static_sources,
    unsafe_to_prune,
)

GROUP = """name: {name}
website: https://{slug}.example/
ical: https://{slug}.example/events.ics
"""


def files_of(output: Path) -> set[str]:
    return {p.relative_to(output).as_posix() for p in output.rglob("*") if p.is_file() or p.is_symlink()}


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# Pure parts


def test_digests_read_only_files_changed_since_the_previous_manifest(tmp_path):
    import os

    output = tmp_path / "output"
    (output / "a").mkdir(parents=True)
    for name in ("a/one.txt", "two.txt", "three.txt"):
        (output / name).write_text(name)
    planned = {name: sha(output / name) for name in ("a/one.txt", "two.txt")}
    assert PreviousBuild.read(output).digests(output, ["a/one.txt", "two.txt"]) == planned, "no manifest: every file is hashed"
    finish_output(output, {**planned, "three.txt": sha(output / "three.txt")})
    # Files older than the manifest are as it says: a lie in the manifest shows that no file was read.
    manifest = json.loads((output / MANIFEST_NAME).read_text())
    manifest["files"]["two.txt"] = "recorded"
    written = (output / MANIFEST_NAME).stat().st_mtime_ns
    (output / MANIFEST_NAME).write_text(json.dumps(manifest))
    os.utime(output / MANIFEST_NAME, ns=(written, written))
    for name in ("a/one.txt", "two.txt", "three.txt"):
        os.utime(output / name, ns=(written - 10**9, written - 10**9))
    assert PreviousBuild.read(output).digests(output, ["two.txt"]) == {"two.txt": "recorded"}
    # A file changed after the manifest (same size, any mtime from then on) is read again.
    (output / "two.txt").write_text("TWO.txt")
    os.utime(output / "two.txt", ns=(written, written))
    assert PreviousBuild.read(output).digests(output, ["two.txt"]) == {"two.txt": sha(output / "two.txt")}
    (output / "new.txt").write_text("new")
    assert PreviousBuild.read(output).digests(output, ["new.txt"]) == {"new.txt": sha(output / "new.txt")}


def test_pruning_removes_folders_left_empty_and_those_a_killed_run_left(tmp_path):
    output = tmp_path / "output"
    for name in ("events/a/index.html", "events/b/index.html", "keep/x.txt"):
        (output / name).parent.mkdir(parents=True, exist_ok=True)
        (output / name).write_text(name)
    (output / "events" / "c" / "deep").mkdir(parents=True)  # files removed, folders not: a run killed while pruning
    (output / ".git").mkdir()
    finish_output(output, {"events/a/index.html": sha(output / "events/a/index.html")}, keep=[".git"])
    folders = sorted(p.relative_to(output).as_posix() for p in output.rglob("*") if p.is_dir())
    assert folders == [".git", "events", "events/a"]


def test_stray_files_keep_the_plan_the_manifest_and_retained_names():
    existing = ["index.html", "old/index.html", ".manifest.json", ".git/HEAD", "stray.txt", "a/b.json"]
    planned = {"index.html": "x", "a/b.json": "y"}
    assert stray_files(existing, planned, keep=[".git"]) == ["old/index.html", "stray.txt"]
    assert stray_files(existing, planned, keep=[]) == [".git/HEAD", "old/index.html", "stray.txt"]


def test_manifest_round_trips_and_refuses_other_json():
    manifest = Manifest({"b.html": "2" * 64, "a.html": "1" * 64}, {"written": 2})
    content = manifest.to_json()
    assert content == Manifest.from_json(content).to_json()
    assert list(json.loads(content)["files"]) == ["a.html", "b.html"]
    with pytest.raises(ValueError, match="not a version 1 build manifest"):
        Manifest.from_json(b'{"files": []}')


def test_theme_static_files_are_where_pelican_copies_them(tmp_path):
    theme = tmp_path / "theme"
    (theme / "static" / "css").mkdir(parents=True)
    (theme / "static" / "css" / "site.css").write_text("body{}")
    (theme / "static" / "favicon.svg").write_text("<svg/>")
    (theme / "static" / ".#lock").write_text("")
    (theme / "static" / ".git").mkdir()
    (theme / "static" / ".git" / "HEAD").write_text("")
    (theme / "robots.txt").write_text("")
    found = theme_static_files(theme, ["static", "robots.txt", "missing"], "theme", [".#*", ".git"])
    assert found == {"theme/css/site.css", "theme/favicon.svg", "theme/robots.txt"}


def test_the_projects_own_theme_is_planned_as_pelican_copies_it():
    found = theme_static_files(ROOT / "theme", ["static"], "theme", [".#*"])
    assert {"theme/css/site.css", "theme/favicon.svg"} <= found


@pytest.mark.parametrize("protected", ["output", "."])
def test_an_output_folder_holding_sources_is_never_pruned(tmp_path, protected):
    output = tmp_path / "output"
    (output / "content").mkdir(parents=True)
    folder = output / "content" if protected == "output" else tmp_path
    assert unsafe_to_prune(output if protected == "output" else tmp_path, [folder]) == folder
    assert unsafe_to_prune(output, [tmp_path / "content"]) is None


def test_finish_output_removes_strays_then_empty_folders_and_counts_against_the_previous_manifest(tmp_path):
    output = tmp_path / "output"
    (output / "old" / "deep").mkdir(parents=True)
    (output / "keep").mkdir()
    (output / "index.html").write_text("home")
    (output / "keep" / "page.html").write_text("page")
    (output / "old" / "deep" / "index.html").write_text("gone")
    (output / "stray.txt").write_text("gone")
    (output / ".git").mkdir()
    (output / ".git" / "HEAD").write_text("retained")
    planned = {"index.html": sha(output / "index.html"), "keep/page.html": sha(output / "keep" / "page.html")}

    first = finish_output(output, planned, keep=[".git"], extra={"pages": 2})
    assert first.as_dict() == {"planned": 2, "written": 2, "unchanged": 0, "removed": 2}
    assert files_of(output) == {"index.html", "keep/page.html", ".git/HEAD", MANIFEST_NAME}
    assert not (output / "old").exists()
    assert build_counts(output) == {"pages": 2, "planned": 2, "written": 2, "unchanged": 0, "removed": 2}

    (output / "index.html").write_text("home, edited")
    second = finish_output(output, {**planned, "index.html": sha(output / "index.html")}, keep=[".git"])
    assert second.as_dict() == {"planned": 2, "written": 1, "unchanged": 1, "removed": 0}


def test_a_garbled_previous_manifest_counts_everything_as_written(tmp_path):
    (tmp_path / MANIFEST_NAME).write_text("{oops")
    (tmp_path / "a.html").write_text("a")
    counts = finish_output(tmp_path, {"a.html": sha(tmp_path / "a.html")})
    assert (counts.written, counts.unchanged) == (1, 0)
    assert json.loads((tmp_path / MANIFEST_NAME).read_text())["files"] == {"a.html": sha(tmp_path / "a.html")}


# A real Pelican build, twice


@pytest.fixture
def project(tmp_path):
    """Groups `stays` and `leaves`, an SQLite store with three events, and a generate function."""
    from events.run.site_build import events_settings, generate_site
    from events.store import open_store

    groups = tmp_path / "_groups"
    groups.mkdir()
    for slug in ("stays", "leaves"):
        (groups / f"{slug}.yaml").write_text(GROUP.format(name=slug.title(), slug=slug))
    overrides = {
        "EVENTS_GROUPS_DIR": str(groups),
        "EVENTS_CACHE_DIR": str(tmp_path / "cache"),
        "EVENTS_NOW": DEMO_NOW,
        "EVENTS_SEARCH": False,  # the search index has its own tests (test_search_index.py, the time-lapse)
    }
    settings = events_settings(ROOT, "pelicanconf.py", overrides)

    class Project:
        output = tmp_path / "output"
        groups_dir = groups

        @staticmethod
        def store():
            return open_store(settings)

        @staticmethod
        def generate() -> Path:
            return generate_site(ROOT, "pelicanconf.py", tmp_path / "output", overrides)

    store = Project.store()
    try:
        store.write(
            [
                make_stored(event_id="kept0000000000000001", group_id="stays", group_name="Stays", title="Kept"),
                make_stored(event_id="gone0000000000000002", group_id="stays", group_name="Stays", title="Gone"),
                make_stored(event_id="left0000000000000003", group_id="leaves", group_name="Leaves", title="Left"),
            ],
            [],
        )
    finally:
        store.close()
    return Project


def test_a_second_build_removes_the_pages_of_a_vanished_event_and_group_and_stray_files_only(project):
    output = project.generate()
    first = files_of(output)
    manifest = json.loads((output / MANIFEST_NAME).read_text())
    assert set(manifest["files"]) == first - {MANIFEST_NAME}
    assert all(manifest["files"][path] == sha(output / path) for path in manifest["files"])
    vanished = {
        "events/gone0000000000000002/index.html",
        "events/gone0000000000000002/event.ics",
        "events/left0000000000000003/index.html",
        "events/left0000000000000003/event.ics",
        "groups/leaves/index.html",
        "groups/leaves/events.ics",
        "api/groups/leaves.json",
        "embed/groups/leaves/index.html",
    }
    assert vanished <= first
    assert {"theme/css/site.css", "theme/favicon.svg", "about/index.html"} <= first

    store = project.store()
    try:
        gone = [s for s in store.window(*_everything()) if s.event_id != "kept0000000000000001"]
        store.write([], [(s.event_id, s.event.start.isoformat()) for s in gone])
    finally:
        store.close()
    (project.groups_dir / "leaves.yaml").unlink()
    (output / "old").mkdir()
    (output / "old" / "index.html").write_text("an old page")
    (output / "stray.txt").write_text("stray")
    (output / "api" / "groups" / "leaves.json.tmp").write_text("a write stopped midway")

    project.generate()
    second = files_of(output)
    assert second == first - vanished
    assert not (output / "old").exists() and not (output / "events" / "gone0000000000000002").exists()
    counts = build_counts(output)
    assert counts["removed"] == len(vanished) + 3
    assert counts["planned"] == len(second) - 1 and counts["written"] + counts["unchanged"] == counts["planned"]
    assert 0 < counts["written"] < counts["planned"]  # listings changed; theme, about page and most files did not


def test_an_unchanged_rebuild_writes_nothing_and_removes_nothing(project):
    project.generate()
    before = {path: sha(project.output / path) for path in files_of(project.output) if path != MANIFEST_NAME}
    project.generate()
    counts = build_counts(project.output)
    assert (counts["written"], counts["removed"], counts["unchanged"]) == (0, 0, len(before))
    assert {path: sha(project.output / path) for path in files_of(project.output) if path != MANIFEST_NAME} == before


def test_a_build_that_fails_midway_prunes_nothing(project, monkeypatch):
    output = project.generate()
    (output / "stray.txt").write_text("stray")
    before = files_of(output)

    def broken(*args, **kwargs):
        raise RuntimeError("the disk filled up")

    from events.site import plan

    monkeypatch.setattr(plan.SitePlan, "artifact_parts", lambda self: (broken,))
    with pytest.raises(RuntimeError, match="the disk filled up"):
        project.generate()
    assert files_of(output) == before


def _everything():
    from datetime import UTC, datetime

    return datetime(1990, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)


def test_an_empty_store_still_builds_the_whole_site(tmp_path):
    from events.run.site_build import generate_site

    (tmp_path / "_groups").mkdir()
    overrides = {"EVENTS_GROUPS_DIR": str(tmp_path / "_groups"), "EVENTS_CACHE_DIR": str(tmp_path / "cache"), "EVENTS_NOW": DEMO_NOW}
    output = generate_site(ROOT, "pelicanconf.py", tmp_path / "output", overrides)
    assert "No upcoming in-person events are listed yet." in (output / "index.html").read_text(encoding="utf-8")
    assert json.loads((output / "health.json").read_text())["upcoming"] == 0
    assert json.loads((output / "api" / "events.json").read_text())["count"] == 0
    assert {"events.ics", "feeds/new.xml", "sitemap.xml", "404.html", "theme/css/site.css"} <= files_of(output)
    counts = build_counts(output)
    assert counts["planned"] == len(files_of(output)) - 1 == counts["written"] and counts["removed"] == 0


def test_feeds_pelican_writes_itself_are_planned_and_go_when_turned_off(tmp_path):
    from events.run.site_build import generate_site

    (tmp_path / "_groups").mkdir()
    overrides = {"EVENTS_GROUPS_DIR": str(tmp_path / "_groups"), "EVENTS_CACHE_DIR": str(tmp_path / "cache"), "EVENTS_NOW": DEMO_NOW}
    output = generate_site(ROOT, "pelicanconf.py", tmp_path / "output", {**overrides, "FEED_ALL_ATOM": "feeds/all.atom.xml"})
    assert "feeds/all.atom.xml" in json.loads((output / MANIFEST_NAME).read_text())["files"]
    assert (output / "feeds" / "all.atom.xml").is_file()
    generate_site(ROOT, "pelicanconf.py", output, overrides)
    assert not (output / "feeds" / "all.atom.xml").exists() and (output / "feeds" / "new.xml").is_file()
    assert build_counts(output)["removed"] == 1


def test_theme_static_sources_name_the_file_each_output_path_is_copied_from(tmp_path):
    theme = tmp_path / "theme"
    (theme / "static" / "css").mkdir(parents=True)
    (theme / "static" / "css" / "site.css").write_text("body{}")
    (theme / "static" / ".#lock").write_text("")
    (theme / "extra").mkdir()
    (theme / "extra" / "robots.txt").write_text("later")
    (theme / "robots.txt").write_text("earlier")
    sources = theme_static_sources(theme, ["robots.txt", "static", "extra"], "theme", [".#*"])
    # Two paths giving one output path: the later one wins, as its copy overwrites the earlier.
    assert sources == {"theme/css/site.css": theme / "static" / "css" / "site.css", "theme/robots.txt": theme / "extra" / "robots.txt"}
    assert theme_static_files(theme, ["robots.txt", "static", "extra"], "theme", [".#*"]) == set(sources)
