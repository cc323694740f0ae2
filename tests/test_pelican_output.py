"""An unchanged night rewrites no file: Pelican's pages and the theme's static files keep their mtimes too."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
from pathlib import Path

import pytest
from conftest import DEMO_NOW, ROOT
from factories import make_stored

from events.pelican_output import ChangedFilesWriter, ThemeStaticGenerator, copied_theme_paths, theme_static_paths
from events.run.site_build import events_settings, pelican_settings
from events.settings import SettingsError
from events.site.manifest import MANIFEST_NAME
from events.store import open_store

GROUP = "name: Stays\nwebsite: https://stays.example/\nical: https://stays.example/events.ics\n"
THEME_FILES = {"theme/css/site.css", "theme/css/forms.css", "theme/js/site.js", "theme/js/forms.js", "theme/favicon.svg", "theme/og-card.png"}


def stamps(output: Path) -> dict[str, tuple[int, int]]:
    """Each file's (mtime, inode): an atomic replace changes the inode, a rewrite in place the mtime."""
    return {p.relative_to(output).as_posix(): (p.stat().st_mtime_ns, p.stat().st_ino) for p in output.rglob("*") if p.is_file()}


def changed(before: dict[str, tuple[int, int]], output: Path) -> set[str]:
    after = stamps(output)
    return {path for path in after if before.get(path) != after[path]}


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class Site:
    """The project's settings with a copy of its content and theme, so a test can edit them; one event in the store."""

    def __init__(self, tmp_path: Path) -> None:
        from pelican import Pelican

        self._pelican = Pelican
        self.content = tmp_path / "content"
        self.theme = tmp_path / "theme"
        self.output = tmp_path / "output"
        shutil.copytree(ROOT / "content", self.content)
        shutil.copytree(ROOT / "theme", self.theme)
        (tmp_path / "_groups").mkdir()
        (tmp_path / "_groups" / "stays.yaml").write_text(GROUP)
        self.overrides = {
            "EVENTS_BASE_PATH": str(ROOT),
            "EVENTS_GROUPS_DIR": str(tmp_path / "_groups"),
            "EVENTS_CACHE_DIR": str(tmp_path / "cache"),
            "EVENTS_NOW": DEMO_NOW,
            "EVENTS_COLLECT": False,
            "EVENTS_SEARCH": False,
            "PATH": str(self.content),
            "THEME": str(self.theme),
            "OUTPUT_PATH": str(self.output),
        }
        store = open_store(events_settings(ROOT, "pelicanconf.py", {k: v for k, v in self.overrides.items() if k != "EVENTS_BASE_PATH"}))
        try:
            store.write([make_stored(event_id="kept0000000000000001", group_id="stays", group_name="Stays", title="Kept")], [])
        finally:
            store.close()

    def build(self, **overrides: object) -> Path:
        self._pelican(pelican_settings(ROOT, "pelicanconf.py", {**self.overrides, **overrides})).run()
        return self.output

    def manifest(self) -> dict[str, str]:
        return dict(json.loads((self.output / MANIFEST_NAME).read_text())["files"])


@pytest.fixture
def site(tmp_path: Path) -> Site:
    return Site(tmp_path)


def test_a_second_identical_build_rewrites_no_file_but_the_manifest(site):
    output = site.build()
    assert THEME_FILES | {"about/index.html", "health.json"} <= set(stamps(output))
    before = stamps(output)
    site.build()
    assert changed(before, output) == {MANIFEST_NAME}
    # The clock moved: health.json says when the site was built, and nothing else shows the minute.
    before = stamps(output)
    site.build(EVENTS_NOW="2026-03-02T09:05:00-05:00")
    assert changed(before, output) == {MANIFEST_NAME, "health.json"}


def test_changed_theme_files_and_pages_are_rewritten_removed_ones_pruned_the_theme_never(site):
    (site.content / "pages" / "team.md").write_text("Title: Team\n\nThe people.\n")
    output = site.build()
    manifest = site.manifest()
    assert THEME_FILES | {"team/index.html"} <= set(manifest)
    assert all(manifest[path] == sha(output / path) for path in THEME_FILES)
    assert (output / "theme/css/site.css").read_bytes() == (ROOT / "theme/static/css/site.css").read_bytes()
    before = stamps(output)

    (site.theme / "static" / "css" / "site.css").write_text("body { color: teal }\n")
    (site.theme / "static" / "js" / "forms.js").unlink()
    (site.theme / "static" / "fonts").mkdir()
    (site.theme / "static" / "fonts" / "inter.woff2").write_bytes(b"wOF2 font")
    (output / "theme" / "css" / "stray.css").write_text("not in the theme")
    about = site.content / "pages" / "about.md"
    about.write_text(about.read_text() + "\nOne more sentence about the site.\n")
    (site.content / "pages" / "team.md").unlink()
    site.build()

    rewritten = changed(before, output)
    assert rewritten & (THEME_FILES | {"theme/fonts/inter.woff2"}) == {"theme/css/site.css", "theme/fonts/inter.woff2"}
    assert (output / "theme/css/site.css").read_text() == "body { color: teal }\n"
    assert not (output / "theme/js/forms.js").exists() and not (output / "theme/css/stray.css").exists()
    assert THEME_FILES - {"theme/js/forms.js"} <= set(stamps(output)), "pruning keeps the theme's files"
    assert "One more sentence about the site." in (output / "about" / "index.html").read_text()
    assert "about/index.html" in rewritten and not (output / "team").exists()
    manifest = site.manifest()
    assert "theme/js/forms.js" not in manifest and "team/index.html" not in manifest
    for path in ("theme/css/site.css", "theme/fonts/inter.woff2", "about/index.html"):
        assert manifest[path] == sha(output / path), path


def asset_links(output: Path) -> dict[str, set[str]]:
    """Each theme file linked with a version by some page, with the versions the pages name."""
    found: dict[str, set[str]] = {}
    for page in output.rglob("*.html"):
        for path, version in re.findall(r'"/(theme/[^"?]+)\?v=([0-9a-f]+)"', page.read_text(encoding="utf-8")):
            found.setdefault(path, set()).add(version)
    return found


def test_pages_link_stylesheets_and_scripts_by_a_digest_of_their_bytes(site):
    """A browser may keep a script for an hour: a changed script must get a new link on every page, Pelican's own included."""
    output = site.build()
    links = asset_links(output)
    assert {"theme/css/site.css", "theme/js/site.js"} <= set(links)
    assert all(versions == {sha(output / path)[:12]} for path, versions in links.items()), links
    assert "?v=" in (output / "about" / "index.html").read_text(), "Pelican's pages get the same links"
    (site.theme / "static" / "js" / "site.js").write_text("// tonight's script\n")
    site.build()
    after = asset_links(output)
    assert after["theme/js/site.js"] == {sha(output / "theme/js/site.js")[:12]} != links["theme/js/site.js"]
    assert after["theme/css/site.css"] == links["theme/css/site.css"]


# The writer alone


def test_the_writer_records_every_file_as_pelicans_and_replaces_only_changed_ones(tmp_path):
    writer = ChangedFilesWriter(str(tmp_path), settings={})
    page = tmp_path / "page.html"
    with writer._open_w(str(page), "utf-8") as handle:
        handle.write("caf\u00e9\n")
    assert page.read_bytes() == "caf\u00e9\n".encode()
    assert writer._written_files == {str(page)}
    inode = page.stat().st_ino
    os.utime(page, ns=(10**9, 10**9))
    again = ChangedFilesWriter(str(tmp_path), settings={})
    with again._open_w(str(page), "utf-8") as handle:
        handle.write("caf\u00e9\n")
    assert (page.stat().st_mtime_ns, page.stat().st_ino) == (10**9, inode)
    with again._open_w(str(page), "utf-8", override=True) as handle:
        handle.write("new\n")
    assert page.read_text() == "new\n" and page.stat().st_ino != inode
    assert not list(tmp_path.glob("*.tmp"))


def test_the_writer_keeps_pelicans_rules_against_writing_a_file_twice(tmp_path):
    from pelican.writers import FileOverwriteFailedError

    writer = ChangedFilesWriter(str(tmp_path), settings={})
    page = str(tmp_path / "page.html")
    with writer._open_w(page, "utf-8") as handle:
        handle.write("first")
    with pytest.raises(FileOverwriteFailedError, match="already written"):
        writer._open_w(page, "utf-8")
    with writer._open_w(page, "utf-8", override=True) as handle:
        handle.write("kept")
    with writer._open_w(page, "utf-8") as handle:  # after an override, later writes are skipped
        handle.write("skipped")
    assert Path(page).read_text() == "kept"
    with pytest.raises(FileOverwriteFailedError, match="a second time"):
        writer._open_w(page, "utf-8", override=True)
    assert writer._written_files == {page, os.devnull}  # as Pelican's Writer records them


def test_a_write_stopped_by_an_error_leaves_the_previous_file(tmp_path):
    page = tmp_path / "page.html"
    page.write_text("previous")
    writer = ChangedFilesWriter(str(tmp_path), settings={})
    with pytest.raises(RuntimeError, match="template failed"), writer._open_w(str(page), "utf-8") as handle:
        handle.write("half a pa")
        raise RuntimeError("template failed")
    assert page.read_text() == "previous"


# Settings


def test_pelicanconf_leaves_the_theme_to_the_plugin():
    settings = pelican_settings(ROOT, "pelicanconf.py")
    assert settings["THEME_STATIC_PATHS"] == []
    assert copied_theme_paths(settings) == ("static",)
    assert theme_static_paths(settings) == ("static",)


def test_paths_pelican_copies_too_are_left_to_it_with_a_warning(caplog):
    caplog.set_level(logging.WARNING)
    settings = {"THEME_STATIC_PATHS": ["static", "robots.txt"], "EVENTS_THEME_STATIC_PATHS": ["static", "extra"]}
    assert copied_theme_paths(settings) == ("extra",)
    assert "static in both THEME_STATIC_PATHS and EVENTS_THEME_STATIC_PATHS" in caplog.text
    assert theme_static_paths(settings) == ("static", "robots.txt", "extra")


def test_the_environment_names_theme_paths_separated_by_commas():
    assert copied_theme_paths({"THEME_STATIC_PATHS": [], "EVENTS_THEME_STATIC_PATHS": "static, robots.txt"}) == ("static", "robots.txt")
    assert copied_theme_paths({"THEME_STATIC_PATHS": [], "EVENTS_THEME_STATIC_PATHS": ""}) == ()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (["static", ""], "expected a list of paths"),
        ("static,,css", "expected a list of paths"),
        (["/srv/static"], "'/srv/static' is absolute"),
        (3, "expected a list"),
    ],
)
def test_bad_theme_paths_are_refused_before_anything_is_written(tmp_path, value, message):
    with pytest.raises(SettingsError, match=f"EVENTS_THEME_STATIC_PATHS: {message}"):
        ThemeStaticGenerator(settings={"THEME_STATIC_PATHS": [], "EVENTS_THEME_STATIC_PATHS": value}, theme=str(tmp_path), output_path=str(tmp_path))


def test_the_theme_generator_copies_as_pelican_would_and_names_a_missing_path(tmp_path, caplog):
    theme = tmp_path / "theme"
    (theme / "assets" / "css").mkdir(parents=True)
    (theme / "assets" / "css" / "site.css").write_text("body{}")
    (theme / "assets" / ".#site.css").write_text("an editor's lock file")
    (theme / "robots.txt").write_text("User-agent: *\n")
    settings = {
        "THEME_STATIC_PATHS": [],
        "EVENTS_THEME_STATIC_PATHS": ["assets", "robots.txt", "missing"],
        "THEME_STATIC_DIR": "static",
        "IGNORE_FILES": [".#*"],
    }
    caplog.set_level(logging.INFO)
    ThemeStaticGenerator(settings=settings, theme=str(theme), output_path=str(tmp_path / "output"), context={}, path=".").generate_output(None)
    copied = {p.relative_to(tmp_path / "output").as_posix() for p in (tmp_path / "output").rglob("*") if p.is_file()}
    assert copied == {"static/css/site.css", "static/robots.txt"}
    assert "EVENTS_THEME_STATIC_PATHS: missing is not in the theme" in caplog.text
    assert "2 theme static files, 2 rewritten" in caplog.text
