"""The collection entry shared by `invoke collect` and the Pelican plugin.

Free of Pelican imports: it takes a plain settings mapping.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from events.collect.collector import Collector, CollectReport
from events.collect.fetch import Fetcher
from events.inputs.groups import GroupLoad, Problem, load_categories, load_groups
from events.inputs.overlays import OverlayLoad, load_overlays
from events.inputs.single_events import SingleEventLoad, load_single_events
from events.settings import EventsSettings
from events.store import open_store

__all__ = ["Validation", "make_fetcher", "run_collection", "validate_all", "validate_files"]

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


@dataclass(frozen=True)
class Validation:
    """What `invoke validate` checks: group files, single events and overlays."""

    groups: GroupLoad
    single_events: SingleEventLoad
    overlays: OverlayLoad

    @property
    def problems(self) -> tuple[Problem, ...]:
        return (*self.groups.problems, *self.single_events.problems, *self.overlays.problems)

    def summary(self) -> str:
        return (
            f"{len(self.groups.groups)} group file(s), {len(self.single_events.events)} single event(s), "
            f"{len(self.overlays.overlays)} overlay(s) OK"
        )


def validate_all(settings: EventsSettings, only: Sequence[Path] = ()) -> Validation:
    """Check the given files (each by the folder it is in), or every file of the three folders."""
    categories = load_categories(settings.categories_file)
    if not only:
        return Validation(
            load_groups(settings.groups_dir, categories),
            load_single_events(settings.single_events_dir, categories),
            load_overlays(settings.overlays_dir, categories),
        )
    singles = [p for p in only if _inside(p, settings.single_events_dir)]
    overlays = [p for p in only if _inside(p, settings.overlays_dir)]
    groups = [p for p in only if p not in singles and p not in overlays]
    return Validation(
        load_groups(settings.groups_dir, categories, groups) if groups else GroupLoad((), ()),
        load_single_events(settings.single_events_dir, categories, singles) if singles else SingleEventLoad((), ()),
        load_overlays(settings.overlays_dir, categories, overlays) if overlays else OverlayLoad({}, ()),
    )


def _inside(path: Path, folder: Path) -> bool:
    return Path(path).resolve().parent == folder.resolve()


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


def settings_from(mapping: Mapping[str, Any], base: Path | None = None) -> EventsSettings:
    return EventsSettings.from_mapping(mapping, base)
