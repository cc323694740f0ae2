"""Pagefind search index of the event pages, written into the output folder.

Pagefind (PyPI `pagefind-bin`, a static binary, no network) reads the
built event pages (`data-pagefind-body`, `data-pagefind-filter` facets) and
writes output/pagefind/: the index, in fragments the browser fetches as it
searches, and its script. `search_index_order` then makes the files
byte-stable, so the same pages give the same index. A build that rewrote no
HTML page leaves the index as it is, so an unchanged night costs nothing.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from events.site.search_index_order import stabilize_index

__all__ = ["INDEX_FOLDER", "SearchIndexError", "SearchIndexResult", "index_site", "needs_indexing", "pagefind_binary"]

log = logging.getLogger(__name__)

INDEX_FOLDER = "pagefind"
EVENT_PAGES = "events/*/index.html"
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


def needs_indexing(output: Path, pages_written: int) -> bool:
    """Index when any HTML page changed, or when there is no index yet."""
    return pages_written > 0 or not (output / INDEX_FOLDER / "pagefind-entry.json").exists()


def index_site(output: Path, pages_written: int) -> SearchIndexResult:
    if not needs_indexing(output, pages_written):
        return SearchIndexResult(False, 0.0, "no HTML page changed")
    if next(output.glob(EVENT_PAGES), None) is None:
        # Pagefind refuses an empty site; with no event there is nothing to find.
        shutil.rmtree(output / INDEX_FOLDER, ignore_errors=True)
        return SearchIndexResult(False, 0.0, "no event pages")
    binary = pagefind_binary()
    started = time.monotonic()
    # Pagefind names fragments by content hash: a fresh folder keeps the old index's files from piling up.
    shutil.rmtree(output / INDEX_FOLDER, ignore_errors=True)
    command = [str(binary), "--site", str(output), "--glob", EVENT_PAGES, "--output-subdir", INDEX_FOLDER, "--quiet"]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise SearchIndexError(f"search index: pagefind could not run: {error}") from error
    if result.returncode != 0:
        raise SearchIndexError(f"search index: pagefind failed ({result.returncode}): {(result.stderr or result.stdout).strip()[-2000:]}")
    stabilize_index(output / INDEX_FOLDER)
    seconds = time.monotonic() - started
    log.info("events: search index of %s written in %.1f s", EVENT_PAGES, seconds)
    return SearchIndexResult(True, seconds, f"{pages_written} pages rewritten")
