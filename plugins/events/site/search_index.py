"""Pagefind search index of the event pages, one bundle per month, written into the output folder.

Pagefind (PyPI `pagefind-bin`, a static binary, no network) reads the
built event pages (`data-pagefind-body`, `data-pagefind-filter` facets) and
writes an index: fragments the browser fetches as it searches, and its
script. The index is sharded by the month each event starts: every shard is
its own bundle, output/pagefind/<YYYY-MM>/, made of that month's pages and
stamped with a key of their paths and digests, so a night that changed a
few pages runs Pagefind over their months only. `pagefind/shards.json`
lists the bundles; the search page loads the first and merges the others
(Pagefind's `mergeIndex`), so one search covers every month.

`search_index_order` makes each bundle byte-stable, so the same pages give
the same files. A rebuilt bundle replaces only the files whose bytes
changed; a shard whose indexing failed keeps its previous bundle (and the
other shards theirs); a month with no event page left loses its bundle.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from events.site.event_view import EventView
from events.site.search_index_order import stabilize_index
from events.site.urls import index_file
from events.site.write_changed import write_if_changed

__all__ = [
    "INDEX_FOLDER",
    "SHARD_LIST",
    "SearchIndexError",
    "SearchIndexResult",
    "bundle_complete",
    "event_shards",
    "index_shards",
    "pagefind_binary",
    "replace_index",
    "shard_key",
    "shard_of",
]

log = logging.getLogger(__name__)

INDEX_FOLDER = "pagefind"
SHARD_LIST = "shards.json"  # in INDEX_FOLDER: the bundles the search page merges, oldest month first
EVENT_PAGES = "events/*/index.html"
ENTRY = "pagefind-entry.json"
# Hidden (never published): the pages a bundle was made of.
STAMP = ".pages-key"
SHARD_NAME = re.compile(r"[0-9]{4}-[0-9]{2}")
TIMEOUT_SECONDS = 3600  # a national-size month indexes in seconds; an hour means the binary hangs


class SearchIndexError(RuntimeError):
    """Pagefind is missing or failed; the message says which and how."""


@dataclass(frozen=True)
class SearchIndexResult:
    shards: tuple[str, ...]  # listed in shards.json: every shard with a complete bundle
    indexed: tuple[str, ...]  # shards Pagefind ran over
    failed: tuple[tuple[str, str], ...]  # (shard, why): each keeps its previous bundle, if any
    dropped: tuple[str, ...]  # bundles removed: their month has no event page any more
    seconds: float
    written: int = 0  # index files whose bytes changed
    removed: int = 0  # index files removed


def shard_of(start: date) -> str:
    """The shard of an event starting at `start` (a date or a datetime, as its page shows it): its month."""
    return f"{start:%Y-%m}"


def event_shards(views: Iterable[EventView]) -> dict[str, str]:
    """Each event page's shard, from the start of the event its page shows (read from the plan's views:
    an event page's context is made only when it is rendered).

    The page's `date[datetime]` sort value is that same start, so the
    shards in month order, each sorted by date, are the pages by date.
    """
    return {index_file(view.url): shard_of(view.start) for view in views}


def shard_key(pages: Mapping[str, str]) -> str:
    """What a bundle is made of: its pages' paths and content digests (a page added, changed or gone changes it)."""
    return hashlib.sha256(json.dumps(sorted(pages.items())).encode()).hexdigest()


def pagefind_binary() -> Path:
    try:
        from pagefind_bin import get_executable  # type: ignore[import-untyped]  # ships no type information
    except ImportError as error:
        raise SearchIndexError("search index: the pagefind-bin package is missing (pip install -r requirements.txt), or set EVENTS_SEARCH = False") from error
    return Path(get_executable())


def bundle_complete(bundle: Path) -> bool:
    """The bundle has its entry file and the script, metadata and WebAssembly the entry names."""
    try:
        entry = json.loads((bundle / ENTRY).read_text(encoding="utf-8"))
        languages = entry["languages"].values()
        needed = [bundle / "pagefind.js"] + [bundle / f"pagefind.{lang['hash']}.pf_meta" for lang in languages]
        needed += [bundle / f"wasm.{lang['wasm']}.pagefind" for lang in languages if lang.get("wasm")]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return False
    return bool(needed) and all(path.is_file() for path in needed)


def needs_indexing(bundle: Path, key: str) -> bool:
    """Index when the pages differ from those the bundle was made of, or when the bundle is missing or incomplete."""
    try:
        return (bundle / STAMP).read_text(encoding="utf-8") != key or not bundle_complete(bundle)
    except OSError:
        return True


def index_shards(output: Path, shards: Mapping[str, str], digests: Mapping[str, str] | None = None) -> SearchIndexResult:
    """Bring output/pagefind/ to one complete bundle per shard of `shards` ({event page: shard}).

    `digests` ({page: SHA-256}, as the generator records them) says which
    pages changed; a page without one is read and hashed. Only shards whose
    pages changed, or whose bundle is missing or incomplete, are indexed.
    """
    started = time.monotonic()
    index = output / INDEX_FOLDER
    by_shard: dict[str, dict[str, str]] = {}
    for page, shard in sorted(shards.items(), key=lambda item: (item[1], item[0])):  # months in order: the list is by date
        if not SHARD_NAME.fullmatch(shard):
            raise SearchIndexError(f"search index: the shard {shard!r} of {page} is not a month (YYYY-MM)")
        digest = digests.get(page) if digests is not None else None
        by_shard.setdefault(shard, {})[page] = digest or hashlib.sha256((output / page).read_bytes()).hexdigest()
    if not by_shard:
        # Pagefind refuses an empty site; with no event there is nothing to find.
        shutil.rmtree(index, ignore_errors=True)
        return SearchIndexResult((), (), (), (), 0.0)
    indexed: list[str] = []
    failed: list[tuple[str, str]] = []
    written = removed = 0
    binary: Path | None = None
    for shard, pages in by_shard.items():
        key = shard_key(pages)
        bundle = index / shard
        if not needs_indexing(bundle, key):
            continue
        binary = binary or pagefind_binary()  # missing: no shard can be indexed, say so once
        try:
            changed, gone = _index_bundle(binary, output, bundle, sorted(pages), key)
        except (SearchIndexError, OSError) as error:
            failed.append((shard, str(error)))
            continue
        indexed.append(shard)
        written, removed = written + changed, removed + gone
    listed = tuple(shard for shard in by_shard if bundle_complete(index / shard))
    index.mkdir(parents=True, exist_ok=True)
    write_if_changed(index / SHARD_LIST, (json.dumps({"shards": listed}, indent=1) + "\n").encode())
    # After the list, so a visitor who loaded the new list never asks for a bundle already gone.
    dropped = []
    for child in sorted(index.iterdir()):
        if child.name in by_shard or child.name == SHARD_LIST:
            continue
        if child.is_dir():
            removed += sum(1 for p in child.rglob("*") if p.is_file())
            shutil.rmtree(child)
            dropped.append(child.name)
        else:  # the single index of an earlier layout
            child.unlink()
            removed += 1
    seconds = time.monotonic() - started
    if indexed or dropped:
        log.info(
            "events: search index: %d of %d month bundles indexed in %.1f s (%s), %d dropped; %d files written, %d removed",
            len(indexed), len(by_shard), seconds, " ".join(indexed) or "none", len(dropped), written, removed,
        )
    return SearchIndexResult(listed, tuple(indexed), tuple(failed), tuple(dropped), seconds, written, removed)


def _index_bundle(binary: Path, output: Path, bundle: Path, pages: Sequence[str], key: str) -> tuple[int, int]:
    """Index exactly `pages` of `output` into `bundle`; returns (files written, files removed).

    The pages are read from a folder of links to them: a page of a removed
    event still in `output/` until the build prunes it, or a page of another
    month, must not reach the bundle.
    """
    # Inside output/ (the one folder a build may surely write, as a non-root service); hidden, and gone when done.
    with tempfile.TemporaryDirectory(prefix=".pagefind-site-", dir=output) as work:
        site, fresh = Path(work) / "site", Path(work) / "index"
        for page in pages:
            _link_or_copy(output / page, site / page)
        command = [str(binary), "--site", str(site), "--glob", EVENT_PAGES, "--output-path", str(fresh), "--quiet"]
        result = _run_pagefind(command)
        if result.returncode != 0:
            raise SearchIndexError(f"search index: pagefind failed ({result.returncode}): {(result.stderr or result.stdout).strip()[-2000:]}")
        stabilize_index(fresh)
        written, removed = replace_index(fresh, bundle)
    (bundle / STAMP).write_text(key, encoding="utf-8")
    return written, removed


def replace_index(fresh: Path, index: Path) -> tuple[int, int]:
    """Make `index` hold exactly the files of `fresh`, writing only those whose bytes differ.

    Pagefind names its fragments by their content, so one changed event
    changes a few fragments and the metadata; every other file keeps its
    bytes and modification time (nothing to upload). Files are replaced
    one by one, the entry file last, and stale fragments removed after it:
    a reader in between still finds every file the entry it loaded names.
    """
    new = {p.relative_to(fresh).as_posix(): p for p in sorted(fresh.rglob("*")) if p.is_file()}
    old = {p.relative_to(index).as_posix() for p in index.rglob("*") if p.is_file() and p.name != STAMP} if index.is_dir() else set()
    written = 0
    for relative in sorted(new, key=lambda name: name == ENTRY):
        target = index / relative
        content = new[relative].read_bytes()
        try:
            if target.read_bytes() == content:
                continue
        except OSError:
            target.parent.mkdir(parents=True, exist_ok=True)
        new[relative].replace(target)
        written += 1
    for relative in sorted(old - set(new)):
        (index / relative).unlink()
    return written, len(old - set(new))


def _run_pagefind(command: list[str]) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise SearchIndexError(f"search index: pagefind could not run: {error}") from error


def _link_or_copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:  # another file system, or no hard links here
        shutil.copyfile(source, target)
