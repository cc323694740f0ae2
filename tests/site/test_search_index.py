"""The Pagefind search index: written by the real binary, byte-stable, skipped when nothing changed."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from events.site.search_index import index_site, pages_key
from events.site.search_index_order import IndexFormatError, cbor_decode, cbor_encode, stabilize_index

PAGE = """<!DOCTYPE html><html lang="en"><head><title>{title}</title></head><body><main data-pagefind-body>
<h1>{title}</h1><p>{text}</p><div hidden>{filters}<span data-pagefind-meta="date">{date}</span></div>
<time datetime="{date}" data-pagefind-sort="date[datetime]">{date}</time></main></body></html>"""


def write_pages(root: Path, count: int = 24) -> Path:
    for n in range(count):
        filters = "".join(
            f'<span data-pagefind-filter="{name}">{name} {n % mod}</span>' for name, mod in (("topic", 7), ("group", 5), ("state", 3), ("month", 4))
        )
        page = root / "events" / f"e{n:03d}" / "index.html"
        page.parent.mkdir(parents=True)
        page.write_text(PAGE.format(title=f"Event {n}", text=f"word{n} harpsichord", filters=filters, date=f"2026-03-{n % 28 + 1:02d}"))
    return root


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_same_pages_give_a_byte_identical_index(tmp_path):
    """Pagefind writes filter values in hash-map order; stabilize_index makes two runs agree."""
    first, second = write_pages(tmp_path / "a"), write_pages(tmp_path / "b")
    assert index_site(first, "k").indexed and index_site(second, "k").indexed
    assert files(first / "pagefind") == files(second / "pagefind")
    assert len(list((first / "pagefind" / "filter").glob("*.pf_filter"))) == 4


def test_search_index_is_skipped_only_while_the_event_pages_are_the_same_and_for_a_site_without_events(tmp_path):
    site = write_pages(tmp_path / "site", 2)
    assert index_site(site, "pages-1").indexed  # no index yet
    before = files(site / "pagefind")
    assert index_site(site, "pages-1").reason == "no event page changed" and files(site / "pagefind") == before
    assert index_site(site, "pages-2").indexed, "an event page added, changed or gone rebuilds the index"
    (site / "pagefind" / "pagefind-entry.json").unlink()
    assert index_site(site, "pages-2").indexed, "a missing index is rebuilt whatever the key says"
    empty = tmp_path / "empty"
    empty.mkdir()
    assert index_site(empty, "pages-1").reason == "no event pages" and not (empty / "pagefind").exists()


def test_the_pages_key_follows_event_pages_only():
    pages = {"events/a/index.html": "1", "events/b/index.html": "2", "index.html": "3", "events/a/event.ics": "4"}
    key = pages_key(pages)
    assert pages_key({**pages, "index.html": "changed", "events/a/event.ics": "changed"}) == key
    assert pages_key({**pages, "events/a/index.html": "changed"}) != key
    assert pages_key({k: v for k, v in pages.items() if k != "events/b/index.html"}) != key
    assert pages_key({**pages, "events/c/index.html": "5"}) != key


@pytest.mark.parametrize("value", [0, 23, 24, 255, 256, 65536, 2**32, -1, -500, "", "é" * 30, b"\x00\x01", [], [1, ["a", [2, 3]]], {"k": [1]}])
def test_cbor_round_trip_in_shortest_form(value):
    assert cbor_decode(cbor_encode(value)) == value


@pytest.mark.parametrize("data", [b"\xf5", b"\x82\x01", b"\x01\x02"])
def test_cbor_it_does_not_know_is_refused(data):
    with pytest.raises(IndexFormatError):
        cbor_decode(data)


def test_an_index_in_an_unknown_format_is_left_as_pagefind_wrote_it(tmp_path):
    site = write_pages(tmp_path / "site", 3)
    index_site(site, "k")
    index = site / "pagefind"
    meta = next(index.glob("pagefind.*.pf_meta"))
    meta.write_bytes(gzip.compress(b"pagefind_dcd\xf6"))  # CBOR null: not what Pagefind writes
    before = files(index)
    assert stabilize_index(index) is False
    assert files(index) == before


def stamps(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


def test_a_rebuilt_index_rewrites_only_the_files_whose_bytes_changed(tmp_path):
    """One event page changed: a few fragments and the metadata change; every other file keeps its mtime, stale ones go."""
    site = write_pages(tmp_path / "site", 40)
    assert index_site(site, "pages-1").indexed
    before, before_bytes = stamps(site / "pagefind"), files(site / "pagefind")
    page = site / "events" / "e007" / "index.html"
    page.write_text(page.read_text().replace("harpsichord", "theorbo"))
    result = index_site(site, "pages-2")
    after, after_bytes = stamps(site / "pagefind"), files(site / "pagefind")
    cold = write_pages(tmp_path / "cold", 40)
    (cold / "events" / "e007" / "index.html").write_text(page.read_text())
    index_site(cold, "pages-2")
    assert {k: v for k, v in after_bytes.items() if k != ".pages-key"} == {k: v for k, v in files(cold / "pagefind").items() if k != ".pages-key"}
    changed = {k for k in after if before.get(k) != after[k]}
    assert changed == {k for k in after_bytes if before_bytes.get(k) != after_bytes[k]}, "a file is rewritten exactly when its bytes change"
    assert 0 < result.written == len(changed - {".pages-key"}) < len(after) / 2
    assert result.removed == len(set(before) - set(after)) > 0


def test_a_failed_indexing_keeps_the_previous_index(tmp_path, monkeypatch):
    from events.site import search_index

    site = write_pages(tmp_path / "site", 4)
    assert index_site(site, "pages-1").indexed
    before = files(site / "pagefind")
    failing = tmp_path / "pagefind"
    failing.write_text("#!/bin/sh\necho broken index >&2\nexit 3\n")
    failing.chmod(0o755)
    monkeypatch.setattr(search_index, "pagefind_binary", lambda: failing)
    with pytest.raises(search_index.SearchIndexError, match="broken index"):
        index_site(site, "pages-2")
    assert files(site / "pagefind") == before
    assert [p.name for p in site.iterdir() if p.name.startswith(".")] == [], "no temporary folder is left in output/"
