"""Writing into output/ only what changed: an unchanged file keeps its mtime and inode, a changed one is replaced whole."""

from __future__ import annotations

import os
from pathlib import Path

from events.site.write_changed import copy_changed, write_if_changed

OLD = 10**9  # an mtime no write of this test can give


def test_the_same_bytes_leave_the_file_alone_and_other_bytes_replace_it(tmp_path):
    page = tmp_path / "page.html"
    assert write_if_changed(page, b"first") is True
    os.utime(page, ns=(OLD, OLD))
    inode = page.stat().st_ino
    assert write_if_changed(page, b"first") is False
    assert (page.stat().st_mtime_ns, page.stat().st_ino) == (OLD, inode)
    # Same size, other bytes: compared, not guessed from the size.
    assert write_if_changed(page, b"FIRST") is True
    assert page.read_bytes() == b"FIRST" and page.stat().st_ino != inode, "replaced by a rename, not rewritten in place"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["page.html"]


def test_copy_changed_copies_new_and_changed_files_only(tmp_path):
    theme = tmp_path / "theme"
    (theme / "css").mkdir(parents=True)
    (theme / "css" / "site.css").write_text("body{}")
    (theme / "favicon.svg").write_text("<svg/>")
    sources = {"theme/css/site.css": theme / "css" / "site.css", "theme/favicon.svg": theme / "favicon.svg"}
    output = tmp_path / "output"
    assert copy_changed(sources, output) == ["theme/css/site.css", "theme/favicon.svg"]
    for path in sources:
        os.utime(output / path, ns=(OLD, OLD))
    (theme / "css" / "site.css").write_text("body{color:red}")
    assert copy_changed(sources, output) == ["theme/css/site.css"]
    assert (output / "theme/css/site.css").read_text() == "body{color:red}"
    assert (output / "theme/favicon.svg").stat().st_mtime_ns == OLD


def test_a_copy_replaces_a_file_left_half_written(tmp_path):
    source = tmp_path / "site.css"
    source.write_text("body{margin:0}")
    output = tmp_path / "output"
    (output / "theme").mkdir(parents=True)
    (output / "theme" / "site.css").write_text("body{mar")
    assert copy_changed({"theme/site.css": source}, output) == ["theme/site.css"]
    assert (output / "theme" / "site.css").read_text() == "body{margin:0}"
    assert Path(output / "theme" / "site.css.tmp").exists() is False
