"""The collection entry shared by `invoke collect`, `build`, `nightly` and the Pelican plugin.

Free of Pelican imports: it takes a plain settings mapping.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, replace
from pathlib import Path

from events.collect.collector import Collector, CollectReport, GroupReport
from events.collect.fetch import Fetcher
from events.collect.parse_cache import ParseCache
from events.collect.withdrawal import PresentFiles
from events.inputs.groups import GroupLoad
from events.inputs.single_events import SINGLE_EVENTS_GROUP, SingleEventLoad
from events.inputs.yaml_files import yaml_files
from events.run.validate import validate_all
from events.settings import EventsSettings
from events.store import open_store

__all__ = ["make_fetcher", "present_files", "run_collection", "with_broken_groups"]

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


def present_files(settings: EventsSettings) -> PresentFiles:
    """The slugs with a file in the groups and single-events folders, whether or not it loads.

    A file that exists but is broken keeps its group's events (a failed
    group); only a slug with no file, or `active: false`, is withdrawn.
    """

    def slugs(folder: Path) -> frozenset[str]:
        return frozenset(p.stem.lower() for p in yaml_files(folder)) if folder.is_dir() else frozenset()

    return PresentFiles(slugs(settings.groups_dir), slugs(settings.single_events_dir))


def run_collection(settings: EventsSettings) -> CollectReport:
    """Collect every active group, and the single events, into the configured store.

    A group whose file is broken is left out of the run, so nothing of it
    changes in the store (its events stay, as for a feed that failed), and
    it counts as failed in the report. So is the single-events group while
    any of its files is broken: synced without that file, the file's event
    would read as gone from its "feed" and be withdrawn.
    """
    checked = validate_all(settings)
    for problem in checked.problems:
        log.warning("file left out: %s", problem)
    store = open_store(settings)
    fetcher = make_fetcher(settings)
    parsed = ParseCache(settings.cache_dir / "parsed.sqlite3", settings.clock.now())
    try:
        collector = Collector(settings, store, fetcher, parse_cache=parsed)
        report = collector.run(
            checked.groups.groups,
            single_events=None if checked.single_events.problems else checked.single_events.events,
            overlays=checked.overlays.overlays,
            present=present_files(settings),
        )
        # The store's own counters go into the run summary (and the cost sheet).
        report = with_broken_groups(report, checked.groups, checked.single_events)
        report = replace(report, store_stats=asdict(store.stats), parse_stats={"parsed": parsed.misses, "reused": parsed.hits})
    finally:
        parsed.close()
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


def with_broken_groups(report: CollectReport, loaded: GroupLoad, singles: SingleEventLoad | None = None) -> CollectReport:
    """`report` with one failed group for each group the collector was not given because of a broken file."""
    seen = {g.group_id for g in report.groups}
    failed: list[tuple[str, str]] = []
    for slug in sorted(loaded.broken_slugs - seen):
        first = next((p for p in loaded.problems if Path(p.file).stem.lower() == slug), None)
        failed.append((slug, f"the group file has a problem, its stored events are kept: {first}" if first else "the group file has a problem"))
    if singles is not None and singles.problems and SINGLE_EVENTS_GROUP not in seen:
        failed.append((SINGLE_EVENTS_GROUP, f"a single-event file has a problem, the stored single events are kept: {singles.problems[0]}"))
    for slug, error in failed:
        log.warning("%s failed: %s", slug, error, extra={"group": slug, "stage": "validate"})
    reports = tuple(GroupReport(slug, False, error) for slug, error in failed)
    return replace(report, groups=report.groups + reports) if reports else report
