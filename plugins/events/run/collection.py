"""The collection entry shared by `invoke collect`, `build`, `nightly` and the Pelican plugin.

Free of Pelican imports: it takes a plain settings mapping.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, replace

from events.collect.collector import Collector, CollectReport
from events.collect.fetch import Fetcher
from events.run.validate import validate_all
from events.settings import EventsSettings
from events.store import open_store

__all__ = ["make_fetcher", "run_collection"]

log = logging.getLogger(__name__)


def make_fetcher(settings: EventsSettings, in_memory: bool = False) -> Fetcher:
    """The fetcher of one run, with every `EVENTS_FETCH_*` bound; `in_memory` keeps its HTTP cache off disk (previews)."""
    return Fetcher(
        None if in_memory else settings.cache_dir / "http_cache.sqlite",
        timeout=settings.fetch_timeout,
        workers=settings.fetch_workers,
        per_host=settings.fetch_per_host,
        retries=settings.fetch_retries,
        max_bytes=settings.fetch_max_bytes,
        user_agent=settings.user_agent,
        max_redirects=settings.fetch_max_redirects,
        retry_wait=settings.fetch_retry_wait,
        allow_private=settings.fetch_allow_private,
    )


def run_collection(settings: EventsSettings) -> CollectReport:
    """Collect every active group, and the single events, into the configured store."""
    checked = validate_all(settings)
    for problem in checked.problems:
        log.warning("file left out: %s", problem)
    store = open_store(settings)
    fetcher = make_fetcher(settings)
    try:
        collector = Collector(settings, store, fetcher)
        report = collector.run(
            checked.groups.groups,
            single_events=checked.single_events.events,
            overlays=checked.overlays.overlays,
        )
        # The store's own counters go into the run summary (and the cost sheet).
        report = replace(report, store_stats=asdict(store.stats))
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

