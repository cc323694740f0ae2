"""The collection entry shared by `invoke collect` and the Pelican plugin.

Free of Pelican imports: it takes a plain settings mapping.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Mapping, Sequence

from .collect import Collector, CollectReport
from .fetch import Fetcher
from .groups import GroupLoad, load_categories, load_groups
from .settings import EventsSettings
from .store import open_store

__all__ = ["run_collection", "validate_files", "make_fetcher"]

log = logging.getLogger(__name__)


def make_fetcher(settings: EventsSettings) -> Fetcher:
    return Fetcher(
        settings.cache_dir / "http_cache.sqlite",
        timeout=settings.fetch_timeout,
        workers=settings.fetch_workers,
        per_host=settings.fetch_per_host,
        retries=settings.fetch_retries,
        max_bytes=settings.fetch_max_bytes,
        user_agent=settings.user_agent,
    )


def validate_files(settings: EventsSettings, only: Sequence[Path] = ()) -> GroupLoad:
    categories = load_categories(settings.categories_file)
    return load_groups(settings.groups_dir, categories, only or None)


def run_collection(settings: EventsSettings) -> CollectReport:
    """Collect every active group into the configured store."""
    loaded = validate_files(settings)
    for problem in loaded.problems:
        log.warning("group file left out: %s", problem)
    store = open_store(settings)
    fetcher = make_fetcher(settings)
    try:
        report = Collector(settings, store, fetcher).run(loaded.groups)
    finally:
        fetcher.close()
        store.close()
    totals = report.totals()
    log.info(
        "collected %d groups (%d failed): %s",
        len(report.groups),
        totals["groups_failed"],
        ", ".join(f"{k} {v}" for k, v in totals.items() if not k.startswith("groups")),
    )
    return report


def settings_from(mapping: Mapping[str, Any], base: Path | None = None) -> EventsSettings:
    return EventsSettings.from_mapping(mapping, base)
