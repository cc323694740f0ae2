"""Pagefind search index of the event pages, written into the output folder.

Pagefind (PyPI `pagefind-bin`, a static binary, no network) reads the
built event pages (`data-pagefind-body`, `data-pagefind-filter` facets) and
writes output/pagefind/: the index, in fragments the browser fetches as it
searches, and its script. `search_index_order` then makes the files
byte-stable, so the same pages give the same index. A build that rewrote no
HTML page leaves the index as it is, so an unchanged night costs nothing;
a rebuilt index replaces only the files whose bytes changed, and a failed
one leaves the previous index in place.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import logging
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from events.site.search_index_order import stabilize_index

__all__ = ["INDEX_FOLDER", "SearchIndexError", "SearchIndexResult", "index_site", "needs_indexing", "pagefind_binary", "pages_key", "replace_index"]

log = logging.getLogger(__name__)

INDEX_FOLDER = "pagefind"
EVENT_PAGES = "events/*/index.html"
# Hidden (never published): the pages the index was made of.
STAMP = ".pages-key"
TIMEOUT_SECONDS = 3600  # a national-size site indexes in minutes; an hour means the binary hangs


class SearchIndexError(RuntimeError):
    """Pagefind is missing or failed; the message says which and how."""


@dataclass(frozen=True)
class SearchIndexResult:
    indexed: bool
    seconds: float
    reason: str
    written: int = 0  # index files whose bytes changed
    removed: int = 0


def pagefind_binary() -> Path:
    try:
        from pagefind_bin import get_executable  # type: ignore[import-untyped]  # ships no type information
    except ImportError as error:
        raise SearchIndexError("search index: the pagefind-bin package is missing (pip install -r requirements.txt), or set EVENTS_SEARCH = False") from error
    return Path(get_executable())


def pages_key(digests: Mapping[str, str]) -> str:
    """What the index is made of: every event page's path and content digest (a page added, changed or gone changes it)."""
    pages = sorted((path, digest) for path, digest in digests.items() if fnmatch.fnmatchcase(path, EVENT_PAGES))
    return hashlib.sha256(json.dumps(pages).encode()).hexdigest()


def needs_indexing(output: Path, key: str) -> bool:
    """Index when the event pages differ from those the index was made of, or when there is no index yet."""
    index = output / INDEX_FOLDER
    if not (index / "pagefind-entry.json").exists():
        return True
    try:
        return (index / STAMP).read_text(encoding="utf-8") != key
    except OSError:
        return True


def index_site(output: Path, key: str, pages: Sequence[str] | None = None) -> SearchIndexResult:
    """Index the event pages of `output` (only `pages` when given), unless the index there was made of the same pages.

    The pages are read from a folder of links to exactly the planned ones:
    a page of a removed event still in `output/` until the build prunes it
    must not reach the index.
    """
    if not needs_indexing(output, key):
        return SearchIndexResult(False, 0.0, "no event page changed")
    chosen = sorted(pages) if pages is not None else sorted(p.relative_to(output).as_posix() for p in output.glob(EVENT_PAGES))
    if not chosen:
        # Pagefind refuses an empty site; with no event there is nothing to find.
        shutil.rmtree(output / INDEX_FOLDER, ignore_errors=True)
        return SearchIndexResult(False, 0.0, "no event pages")
    binary = pagefind_binary()
    started = time.monotonic()
    # Inside output/ (the one folder a build may surely write, as a non-root service); hidden, and gone when done.
    with tempfile.TemporaryDirectory(prefix=".pagefind-site-", dir=output) as work:
        site, fresh = Path(work) / "site", Path(work) / "index"
        for page in chosen:
            _link_or_copy(output / page, site / page)
        command = [str(binary), "--site", str(site), "--glob", EVENT_PAGES, "--output-path", str(fresh), "--quiet"]
        result = _run_pagefind(command)
        if result.returncode != 0:
            raise SearchIndexError(f"search index: pagefind failed ({result.returncode}): {(result.stderr or result.stdout).strip()[-2000:]}")
        stabilize_index(fresh)
        written, removed = replace_index(fresh, output / INDEX_FOLDER)
    (output / INDEX_FOLDER / STAMP).write_text(key, encoding="utf-8")
    seconds = time.monotonic() - started
    log.info("events: search index of %s written in %.1f s (%d files written, %d removed)", EVENT_PAGES, seconds, written, removed)
    return SearchIndexResult(True, seconds, "event pages changed", written, removed)


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
    for relative in sorted(new, key=lambda name: name == "pagefind-entry.json"):
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
