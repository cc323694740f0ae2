"""The Pagefind search index: a bundle per month, written by the real binary, byte-stable, rebuilt only where pages changed."""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from factories import NY, make_event, make_stored

from events.site import search_index
from events.site.event_view import event_view
from events.site.pages.listing_pages import plan_pages
from events.site.records import SiteInfo
from events.site.search_index import event_shards, index_shards, shard_key
from events.site.search_index_order import IndexFormatError, cbor_decode, cbor_encode, stabilize_index

PAGE = """<!DOCTYPE html><html lang="en"><head><title>{title}</title></head><body><main data-pagefind-body>
<h1>{title}</h1><p>{text}</p><div hidden>{filters}<span data-pagefind-meta="date">{date}</span></div>
<time datetime="{date}" data-pagefind-sort="date[datetime]">{date}</time></main></body></html>"""

MONTHS = ("2026-03", "2026-04", "2026-05")


def write_pages(root: Path, count: int = 24, months: tuple[str, ...] = MONTHS) -> dict[str, str]:
    """`count` event pages spread over `months`; returns {page: shard}, as the generator passes it."""
    shards = {}
    for n in range(count):
        month = months[n % len(months)]
        filters = "".join(
            f'<span data-pagefind-filter="{name}">{name} {n % mod}</span>' for name, mod in (("topic", 7), ("group", 5), ("state", 3), ("month", 4))
        )
        path = f"events/e{n:03d}/index.html"
        page = root / path
        page.parent.mkdir(parents=True)
        page.write_text(PAGE.format(title=f"Event {n}", text=f"word{n} harpsichord", filters=filters, date=f"{month}-{n % 28 + 1:02d}"))
        shards[path] = month
    return shards


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def stamps(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


def listed(site: Path) -> list[str]:
    return list(json.loads((site / "pagefind" / "shards.json").read_text())["shards"])


def edit(site: Path, page: str, old: str = "harpsichord", new: str = "theorbo") -> None:
    path = site / page
    path.write_text(path.read_text().replace(old, new))


@pytest.fixture
def pagefind_runs(tmp_path, monkeypatch) -> Path:
    """The real binary behind a script that logs each run's shard (the month folder it writes) to a file."""
    real = search_index.pagefind_binary()
    log = tmp_path / "runs.log"
    wrapper = tmp_path / "counting-pagefind"
    # The shard is the one month every staged page is of; the staged folder holds links to its pages only.
    wrapper.write_text(f'#!/bin/sh\nls "$2/events" | head -1 >> "{log}"\nexec "{real}" "$@"\n')
    wrapper.chmod(0o755)
    log.write_text("")
    monkeypatch.setattr(search_index, "pagefind_binary", lambda: wrapper)
    return log


def test_the_same_pages_give_a_byte_identical_index_of_one_bundle_per_month(tmp_path):
    """Pagefind writes filter values in hash-map order; stabilize_index makes two runs agree, bundle by bundle."""
    first, second = tmp_path / "a", tmp_path / "b"
    shards = write_pages(first)
    assert write_pages(second) == shards
    assert index_shards(first, shards).indexed == MONTHS == index_shards(second, shards).indexed
    assert files(first / "pagefind") == files(second / "pagefind")
    assert listed(first) == list(MONTHS) and sorted(p.name for p in (first / "pagefind").iterdir()) == [*MONTHS, "shards.json"]
    assert len(list((first / "pagefind" / "2026-04" / "filter").glob("*.pf_filter"))) == 4


def test_one_changed_page_reindexes_only_its_month(tmp_path, pagefind_runs):
    site = tmp_path / "site"
    shards = write_pages(site, 30)
    assert index_shards(site, shards).indexed == MONTHS
    assert pagefind_runs.read_text().count("\n") == 3
    before = stamps(site / "pagefind")
    again = index_shards(site, shards)
    assert again.indexed == () and again.written == 0 and stamps(site / "pagefind") == before, "nothing changed: no Pagefind run, no file touched"
    edit(site, "events/e004/index.html")  # a page of April (4 % 3 == 1)
    result = index_shards(site, shards)
    assert result.indexed == ("2026-04",) and result.failed == ()
    assert pagefind_runs.read_text().count("\n") == 4
    after = stamps(site / "pagefind")
    touched = {name.split("/")[0] for name in after if before.get(name) != after[name]}
    assert touched == {"2026-04"}, "the other months' bundles keep every file as it was"


def test_digests_given_by_the_generator_decide_what_changed(tmp_path, pagefind_runs):
    site = tmp_path / "site"
    shards = write_pages(site, 6)
    digests = {page: hashlib.sha256((site / page).read_bytes()).hexdigest() for page in shards}
    assert index_shards(site, shards, digests).indexed == MONTHS
    assert index_shards(site, shards, {**digests, "index.html": "other", "events/e000/event.ics": "other"}).indexed == ()
    assert index_shards(site, shards, {**digests, "events/e002/index.html": "changed"}).indexed == ("2026-05",)


def test_a_missing_or_incomplete_bundle_is_rebuilt_whatever_its_key_says(tmp_path, pagefind_runs):
    site = tmp_path / "site"
    shards = write_pages(site, 6)
    index_shards(site, shards)
    next((site / "pagefind" / "2026-03").glob("pagefind.*.pf_meta")).unlink()
    (site / "pagefind" / "2026-05" / "pagefind-entry.json").unlink()
    assert index_shards(site, shards).indexed == ("2026-03", "2026-05")
    shutil.rmtree(site / "pagefind" / "2026-04")
    assert index_shards(site, shards).indexed == ("2026-04",)
    assert pagefind_runs.read_text().split() == ["e000", "e001", "e002", "e000", "e002", "e001"]


def test_a_month_without_pages_loses_its_bundle_and_its_place_in_the_list(tmp_path, pagefind_runs):
    site = tmp_path / "site"
    shards = write_pages(site, 9)
    index_shards(site, shards)
    fewer = {page: shard for page, shard in shards.items() if shard != "2026-04"}
    result = index_shards(site, fewer)
    assert result.dropped == ("2026-04",) and result.indexed == () and result.removed > 0
    assert listed(site) == ["2026-03", "2026-05"] and not (site / "pagefind" / "2026-04").exists()
    moved = {**fewer, "events/e001/index.html": "2026-05"}  # an event moved to May: May's pages changed, March's did not
    assert index_shards(site, moved).indexed == ("2026-05",)


def test_the_single_index_of_the_earlier_layout_is_replaced_by_the_month_bundles(tmp_path):
    site = tmp_path / "site"
    shards = write_pages(site, 3)
    old = site / "pagefind"
    (old / "fragment").mkdir(parents=True)
    (old / "pagefind-entry.json").write_text("{}")
    (old / ".pages-key").write_text("old")
    index_shards(site, shards)
    assert sorted(p.name for p in old.iterdir()) == [*MONTHS, "shards.json"]


def test_a_failing_month_keeps_its_previous_bundle_and_the_others_are_indexed(tmp_path, monkeypatch):
    site = tmp_path / "site"
    shards = write_pages(site, 6)
    index_shards(site, shards)
    before = files(site / "pagefind")
    real = search_index.pagefind_binary()
    failing = tmp_path / "pagefind"
    failing.write_text(f'#!/bin/sh\nif [ -e "$2/events/e001" ]; then echo broken index >&2; exit 3; fi\nexec "{real}" "$@"\n')
    failing.chmod(0o755)
    monkeypatch.setattr(search_index, "pagefind_binary", lambda: failing)
    edit(site, "events/e001/index.html")  # April, whose indexing fails
    edit(site, "events/e002/index.html")  # May
    # March's two events moved to June: June's first indexing succeeds, March (now empty) is dropped.
    new_month = {**shards, "events/e000/index.html": "2026-06", "events/e003/index.html": "2026-06"}
    result = index_shards(site, new_month)
    assert [shard for shard, _ in result.failed] == ["2026-04"] and "broken index" in result.failed[0][1]
    assert result.indexed == ("2026-05", "2026-06") and result.dropped == ("2026-03",)
    after = files(site / "pagefind")
    assert {k: v for k, v in after.items() if k.startswith("2026-04/")} == {k: v for k, v in before.items() if k.startswith("2026-04/")}
    assert listed(site) == ["2026-04", "2026-05", "2026-06"], "the failed month still serves its previous bundle"
    assert [p.name for p in site.iterdir() if p.name.startswith(".")] == [], "no temporary folder is left in output/"
    # Fixed: the next build indexes April, whose key never recorded the failed attempt.
    monkeypatch.setattr(search_index, "pagefind_binary", lambda: real)
    assert index_shards(site, new_month).indexed == ("2026-04",)


def test_a_new_month_whose_indexing_fails_is_not_listed(tmp_path, monkeypatch):
    site = tmp_path / "site"
    shards = write_pages(site, 2, ("2026-03", "2026-04"))
    failing = tmp_path / "pagefind"
    failing.write_text(f'#!/bin/sh\nif [ -e "$2/events/e001" ]; then exit 3; fi\nexec "{search_index.pagefind_binary()}" "$@"\n')
    failing.chmod(0o755)
    monkeypatch.setattr(search_index, "pagefind_binary", lambda: failing)
    result = index_shards(site, shards)
    assert result.shards == ("2026-03",) == tuple(listed(site)) and result.indexed == ("2026-03",)


def test_no_event_pages_means_no_index(tmp_path):
    site = tmp_path / "site"
    index_shards(site, write_pages(site, 2))
    assert index_shards(site, {}).shards == () and not (site / "pagefind").exists()


def test_a_shard_that_is_not_a_month_is_refused_before_anything_is_written(tmp_path):
    site = tmp_path / "site"
    shards = write_pages(site, 2)
    with pytest.raises(search_index.SearchIndexError, match=r"'\.\./x' of events/e001/index.html is not a month"):
        index_shards(site, {**shards, "events/e001/index.html": "../x"})
    assert not (site / "pagefind").exists()


def test_the_shard_key_follows_its_pages_paths_and_digests():
    pages = {"events/a/index.html": "1", "events/b/index.html": "2"}
    key = shard_key(pages)
    assert shard_key(dict(reversed(pages.items()))) == key
    assert shard_key({**pages, "events/a/index.html": "changed"}) != key
    assert shard_key({"events/a/index.html": "1"}) != key
    assert shard_key({**pages, "events/c/index.html": "3"}) != key


def test_an_event_page_is_in_the_shard_of_the_month_its_event_starts_in_the_sites_zone():
    late = event_view(make_stored(make_event("late", datetime(2026, 3, 31, 20, 30, tzinfo=ZoneInfo("America/Los_Angeles")))), NY)
    new_year = event_view(make_stored(make_event("new", datetime(2027, 1, 1), all_day=True, end=datetime(2027, 1, 2))), NY)
    # 20:30 in Los Angeles on March 31 is 23:30 on March 31 in New York: the page shows, and the search sorts by, that start.
    assert event_shards([late, new_year]) == {"events/late/index.html": "2026-03", "events/new/index.html": "2027-01"}
    utc = event_view(make_stored(make_event("x", datetime(2026, 4, 1, 3, 30, tzinfo=UTC))), NY)  # 23:30 on March 31 in New York
    assert event_shards([utc]) == {"events/x/index.html": "2026-03"}
    site = SiteInfo("Events", "", NY, 14, "e.example", ("DC",))
    planned = {spec.path for spec in plan_pages([late, new_year, utc], datetime(2026, 3, 1, tzinfo=NY), site) if spec.template == "events_event"}
    assert set(event_shards([late, new_year, utc])) == planned, "every planned event page has a shard, and only those"


@pytest.mark.parametrize("value", [0, 23, 24, 255, 256, 65536, 2**32, -1, -500, "", "é" * 30, b"\x00\x01", [], [1, ["a", [2, 3]]], {"k": [1]}])
def test_cbor_round_trip_in_shortest_form(value):
    assert cbor_decode(cbor_encode(value)) == value


@pytest.mark.parametrize("data", [b"\xf5", b"\x82\x01", b"\x01\x02"])
def test_cbor_it_does_not_know_is_refused(data):
    with pytest.raises(IndexFormatError):
        cbor_decode(data)


def test_an_index_in_an_unknown_format_is_left_as_pagefind_wrote_it(tmp_path):
    site = tmp_path / "site"
    index_shards(site, write_pages(site, 3, ("2026-03",)))
    bundle = site / "pagefind" / "2026-03"
    meta = next(bundle.glob("pagefind.*.pf_meta"))
    meta.write_bytes(gzip.compress(b"pagefind_dcd\xf6"))  # CBOR null: not what Pagefind writes
    before = files(bundle)
    assert stabilize_index(bundle) is False
    assert files(bundle) == before


def test_a_rebuilt_bundle_rewrites_only_the_files_whose_bytes_changed(tmp_path):
    """One event page changed: a few fragments and the metadata change; every other file keeps its mtime, stale ones go."""
    site = tmp_path / "site"
    shards = write_pages(site, 40, ("2026-03",))
    assert index_shards(site, shards).indexed
    bundle = site / "pagefind" / "2026-03"
    before, before_bytes = stamps(bundle), files(bundle)
    edit(site, "events/e007/index.html")
    result = index_shards(site, shards)
    after, after_bytes = stamps(bundle), files(bundle)
    cold = tmp_path / "cold"
    write_pages(cold, 40, ("2026-03",))
    edit(cold, "events/e007/index.html")
    index_shards(cold, shards)
    assert after_bytes == files(cold / "pagefind" / "2026-03")
    changed = {k for k in after if before.get(k) != after[k]}
    assert changed == {k for k in after_bytes if before_bytes.get(k) != after_bytes[k]} | {".pages-key"}, "a file is rewritten exactly when its bytes change"
    assert 0 < result.written == len(changed - {".pages-key"}) < len(after) / 2
    assert result.removed == len(set(before) - set(after)) > 0


def test_the_built_demo_site_has_a_bundle_per_month_and_its_manifest_keeps_every_one(demo_site):
    """The generator passes each event page's month from the plan; every index file is in the manifest, so pruning keeps it."""
    events = json.loads((demo_site / "api" / "events.json").read_text())["events"]
    months = sorted({event["start"][:7] for event in events})
    assert listed(demo_site) == months and len(months) > 1
    manifest = json.loads((demo_site / ".manifest.json").read_text())["files"]
    index = [p.relative_to(demo_site).as_posix() for p in (demo_site / "pagefind").rglob("*") if p.is_file()]
    assert {p.split("/")[1] for p in index} == {*months, "shards.json"} and set(index) <= set(manifest)
    for month in months:
        pages = {e["page"].strip("/") + "/index.html" for e in events if e["start"].startswith(month)}
        entry = json.loads((demo_site / "pagefind" / month / "pagefind-entry.json").read_text())
        assert entry["languages"]["en"]["page_count"] == len(pages)
