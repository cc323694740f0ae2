"""One collection run: groups -> fetch -> parse -> normalize -> sync.

Only `Collector.run` does I/O (through the fetcher and the store it is
given); every step it calls is a pure function.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Callable, Sequence
from zoneinfo import ZoneInfo

from .clock import Clock
from .fetch import Fetcher, FetchResult
from .models import Event, Group, GroupState
from .normalize import Skip, normalize
from .settings import EventsSettings
from .sources import ical
from .sources.base import ParseRequest, ParseResult, SourceError
from .store.apply import sync_group
from .store.base import Store
from .sync import COUNT_NAMES, next_group_state

__all__ = ["Collector", "CollectReport", "GroupReport", "collection_window"]

log = logging.getLogger(__name__)

Parser = Callable[[bytes, ParseRequest], ParseResult]
PARSERS: dict[str, Parser] = {"ical": ical.parse}


@dataclass(frozen=True)
class GroupReport:
    group_id: str
    ok: bool
    error: str = ""
    events_found: int = 0
    warnings: tuple[str, ...] = ()
    counts: dict[str, int] = field(default_factory=dict)
    revalidated: bool = False


@dataclass(frozen=True)
class CollectReport:
    started: datetime
    groups: tuple[GroupReport, ...]

    @property
    def failed(self) -> tuple[GroupReport, ...]:
        return tuple(g for g in self.groups if not g.ok)

    def totals(self) -> dict[str, int]:
        totals = dict.fromkeys(COUNT_NAMES, 0)
        for report in self.groups:
            for name, value in report.counts.items():
                totals[name] = totals.get(name, 0) + value
        totals["groups_ok"] = sum(1 for g in self.groups if g.ok)
        totals["groups_failed"] = len(self.failed)
        return totals


def collection_window(now: datetime, horizon_days: int) -> tuple[datetime, datetime]:
    """From the start of yesterday to the horizon, in the site's timezone."""
    yesterday = datetime.combine(now.date() - timedelta(days=1), time(0), now.tzinfo)
    return yesterday, now + timedelta(days=horizon_days)


class Collector:
    """Collects every active group into the store, one group at a time after a concurrent fetch."""

    def __init__(self, settings: EventsSettings, store: Store, fetcher: Fetcher, clock: Clock | None = None) -> None:
        self._settings = settings
        self._store = store
        self._fetcher = fetcher
        self._clock = clock or settings.clock

    def run(self, groups: Sequence[Group]) -> CollectReport:
        now = self._clock.now()
        active = [g for g in groups if g.active and g.source_type in PARSERS]
        progress = _Progress(len({g.source_url for g in active}))
        fetched = self._fetcher.fetch_many((g.source_url for g in active), on_done=progress.step)
        progress.done()
        states = self._store.group_states()
        reports = []
        for group in active:
            report = self._collect_group(group, fetched[group.source_url], states.get(group.slug), now)
            _log_report(group, report)
            reports.append(report)
        return CollectReport(now, tuple(reports))

    def _collect_group(
        self, group: Group, result: FetchResult, previous: GroupState | None, now: datetime
    ) -> GroupReport:
        if not result.ok:
            return self._failed(group, previous, now, f"fetch failed: {result.error} ({result.url})")
        window_start, window_end = collection_window(now, self._settings.horizon_days)
        tz = ZoneInfo(group.timezone) if group.timezone else self._settings.timezone
        request = ParseRequest(
            window_start, window_end, tz, self._settings.max_occurrences, self._settings.expand_seconds
        )
        try:
            parsed = PARSERS[group.source_type](result.content, request)
        except SourceError as error:
            return self._failed(group, previous, now, f"{error} ({result.url})")
        warnings = list(parsed.warnings)
        events: list[Event] = []
        for occurrence in parsed.occurrences:
            outcome = normalize(occurrence, group, self._settings.timezone, self._settings.states, group.source_type)
            if isinstance(outcome, Skip):
                warnings.append(f"{occurrence.title[:80]!r} on {occurrence.start:%Y-%m-%d}: left out, {outcome.reason}")
                continue
            events.append(outcome)
        plan = sync_group(self._store, group.slug, events, previous, now, window_start, warnings)
        return GroupReport(group.slug, True, "", len(events), tuple(warnings), plan.counts, result.revalidated)

    def _failed(self, group: Group, previous: GroupState | None, now: datetime, error: str) -> GroupReport:
        state = next_group_state(previous, group.slug, now, ok=False, error=error)
        if state is not None:
            self._store.put_group_state(state)
        return GroupReport(group.slug, False, error)


def _log_report(group: Group, report: GroupReport) -> None:
    if not report.ok:
        log.warning("group %s: FAILED, %s; its stored events are kept", group.slug, report.error)
        return
    counts = ", ".join(f"{n} {report.counts.get(n, 0)}" for n in COUNT_NAMES)
    log.info(
        "group %s: ok, %d events (%s)%s%s",
        group.slug,
        report.events_found,
        counts,
        ", feed unchanged" if report.revalidated else "",
        f", {len(report.warnings)} warnings" if report.warnings else "",
    )
    for warning in report.warnings:
        log.debug("group %s: %s", group.slug, warning)


class _Progress:
    """A one-line counter on a terminal; silent in logs and CI."""

    def __init__(self, total: int) -> None:
        self._total = total
        self._count = 0
        self._live = sys.stderr.isatty()

    def step(self, result: FetchResult) -> None:
        self._count += 1
        if self._live:
            sys.stderr.write(f"\rfetching feeds: {self._count}/{self._total}")
            sys.stderr.flush()

    def done(self) -> None:
        if self._live and self._total:
            sys.stderr.write("\n")
