"""The collection entry shared by `invoke collect`, `build`, `nightly` and the Pelican plugin.

Free of Pelican imports: it takes a plain settings mapping.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, replace
from pathlib import Path

from events.collect.collector import Collector, CollectReport
from events.collect.fetch import Fetcher
from events.collect.withdrawal import PresentFiles
from events.inputs.yaml_files import yaml_files
from events.run.validate import validate_all
from events.settings import EventsSettings
from events.store import open_store

__all__ = ["make_fetcher", "present_files", "run_collection"]

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


def present_files(settings: EventsSettings) -> PresentFiles:
    """The slugs with a file in the groups and single-events folders, whether or not it loads.

    A file that exists but is broken keeps its group's events (a failed
    group); only a slug with no file, or `active: false`, is withdrawn.
    """

    def slugs(folder: Path) -> frozenset[str]:
        return frozenset(p.stem.lower() for p in yaml_files(folder)) if folder.is_dir() else frozenset()

    return PresentFiles(slugs(settings.groups_dir), slugs(settings.single_events_dir))


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
            present=present_files(settings),
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

