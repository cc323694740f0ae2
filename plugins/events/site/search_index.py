"""Pagefind search index of the event pages, written into the output folder.

Pagefind (PyPI `pagefind-bin`, a static binary, no network) reads the
built event pages (`data-pagefind-body`, `data-pagefind-filter` facets) and
writes output/pagefind/: the index, in fragments the browser fetches as it
searches, and its script. `search_index_order` then makes the files
byte-stable, so the same pages give the same index. A build that rewrote no
HTML page leaves the index as it is, so an unchanged night costs nothing.
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

__all__ = ["INDEX_FOLDER", "SearchIndexError", "SearchIndexResult", "index_site", "needs_indexing", "pagefind_binary", "pages_key"]

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
    # Pagefind names fragments by content hash: a fresh folder keeps the old index's files from piling up.
    shutil.rmtree(output / INDEX_FOLDER, ignore_errors=True)
    # Inside output/ (the one folder a build may surely write, as a non-root service); hidden, and gone when done.
    with tempfile.TemporaryDirectory(prefix=".pagefind-site-", dir=output) as site:
        for page in chosen:
            _link_or_copy(output / page, Path(site) / page)
        command = [str(binary), "--site", site, "--glob", EVENT_PAGES, "--output-path", str(output / INDEX_FOLDER), "--quiet"]
        result = _run_pagefind(command)
    if result.returncode != 0:
        raise SearchIndexError(f"search index: pagefind failed ({result.returncode}): {(result.stderr or result.stdout).strip()[-2000:]}")
    stabilize_index(output / INDEX_FOLDER)
    (output / INDEX_FOLDER / STAMP).write_text(key, encoding="utf-8")
    seconds = time.monotonic() - started
    log.info("events: search index of %s written in %.1f s", EVENT_PAGES, seconds)
    return SearchIndexResult(True, seconds, "event pages changed")


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
