"""One collection run: groups -> fetch -> parse -> enrich -> normalize -> sync.

Only `Collector.run` does I/O (through the fetcher and the store it is
given); every step it calls is a pure function. The run goes in phases so
that the network is used concurrently across all groups:

1. fetch every group's first document at once; adapters that need more
   documents (pages of an API, event pages of a listing) say which through
   their pure `further_urls`, and those are fetched in further rounds, again
   all groups at once;
2. parse each group's documents (pure);
3. for groups that ask for it, fetch the event pages their feed links to
   (cached with an expiry) and enrich the occurrences from their JSON-LD;
4. normalize every occurrence, with the overlays;
5. sync each group into the store and log one line per group.

A group with any failed or unparsable document is failed: nothing of it
changes in the store (DESIGN.md, "last seen" rules). Each failure carries a
reason from `fetch.REASONS` ("timeout", "dns", "not-a-calendar", ...), so a
run ends with its failures counted by cause. Fetching (phases 1 and 3
together) has one deadline, `EVENTS_FETCH_PHASE_SECONDS`; what is not
fetched by then fails with the reason "deadline".
"""

from __future__ import annotations

import logging
import sys
import time as time_module
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from events.clock import Clock, collection_window
from events.collect.fetch import Fetcher, FetchResult
from events.collect.normalize import Skip, normalize
from events.collect.parse_cache import ParseCache
from events.collect.parse_window import parse_window, within
from events.collect.sources import jsonld
from events.collect.sources.base import ParseRequest, SourceError
from events.collect.sources.registry import SOURCES
from events.collect.sync import COUNT_NAMES, SuspectRule, next_group_state
from events.collect.withdrawal import PresentFiles, broken_single_events, keeps_broken_single_event, withdrawals
from events.inputs.overlays import Overlay
from events.inputs.single_events import SINGLE_EVENTS_GROUP, SingleEvent, group_for, parse_single_events
from events.models import Event, Group, GroupState, Occurrence, StoredEvent
from events.settings import EventsSettings
from events.store.apply import sync_group, withdraw_group, withdrawal_done
from events.store.base import Store

__all__ = ["CollectReport", "Collector", "GroupRead", "GroupReport", "collection_window"]

log = logging.getLogger(__name__)

FOLLOW_ROUNDS = 3
DEFAULT_MAX_PAGES = 20
DEFAULT_ENRICH_MAX = 50
# Status codes of a further page that mean "this page is gone", not "the source failed".
_GONE = frozenset({404, 410})


@dataclass(frozen=True)
class GroupReport:
    group_id: str
    ok: bool
    error: str = ""
    events_found: int = 0
    warnings: tuple[str, ...] = ()
    counts: dict[str, int] = field(default_factory=dict)
    revalidated: bool = False
    documents: int = 0
    reason: str = ""
    suspect: bool = False
    left_out: dict[str, int] = field(default_factory=dict)  # what reading the feed left out, by reason


@dataclass(frozen=True)
class CollectReport:
    """What a run did: one report per group, and the seconds each phase took."""

    started: datetime
    groups: tuple[GroupReport, ...]
    durations: dict[str, float] = field(default_factory=dict)
    store_stats: dict[str, float] = field(default_factory=dict)
    parse_stats: dict[str, int] = field(default_factory=dict)  # documents parsed, and reused unchanged from an earlier run
    withdrawn: tuple[GroupReport, ...] = ()

    @property
    def failed(self) -> tuple[GroupReport, ...]:
        """Groups whose fetch failed or was held as suspect: nothing of them changed."""
        return tuple(g for g in self.groups if not g.ok)

    @property
    def suspect(self) -> tuple[GroupReport, ...]:
        return tuple(g for g in self.groups if g.suspect)

    def totals(self) -> dict[str, int]:
        totals = dict.fromkeys(COUNT_NAMES, 0)
        for report in self.groups:
            for name, value in report.counts.items():
                totals[name] = totals.get(name, 0) + value
        for report in self.withdrawn:
            for name, value in report.counts.items():
                totals[name] = totals.get(name, 0) + value
        totals["groups_ok"] = sum(1 for g in self.groups if g.ok)
        totals["groups_failed"] = len(self.failed)
        totals["groups_suspect"] = len(self.suspect)
        totals["groups_withdrawn"] = len(self.withdrawn)
        return totals

    def failures_by_reason(self) -> dict[str, int]:
        """Failed groups counted by reason, the most frequent first (ties by name)."""
        counts: dict[str, int] = {}
        for report in self.failed:
            counts[report.reason or "other"] = counts.get(report.reason or "other", 0) + 1
        return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))

    def left_out_totals(self) -> dict[str, int]:
        """What reading the feeds left out, by reason, over every group."""
        totals: Counter[str] = Counter()
        for report in self.groups:
            totals.update(report.left_out)
        return dict(sorted(totals.items()))

    def summary_line(self) -> str:
        """One line for the end of a run: groups ok and failed (by reason), events found."""
        found = sum(g.events_found for g in self.groups)
        reasons = ", ".join(f"{reason} {count}" for reason, count in self.failures_by_reason().items())
        return (
            f"collected {len(self.groups)} group(s): {len(self.groups) - len(self.failed)} ok, {len(self.failed)} failed"
            + (f" ({reasons})" if reasons else "")
            + f"; {found} event(s) found"
        )


@dataclass(frozen=True)
class GroupRead:
    """One group's events as collection reads them, before the store: for previews."""

    group: Group
    ok: bool
    error: str
    events: tuple[Event, ...]
    warnings: tuple[str, ...]
    reason: str = ""


@dataclass
class _Work:
    """One group's progress through a run (per-run state, never module-level)."""

    group: Group
    documents: list[FetchResult] = field(default_factory=list)
    error: str = ""
    reason: str = ""
    warnings: list[str] = field(default_factory=list)
    occurrences: list[tuple[Group, Occurrence]] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    left_out: Counter[str] = field(default_factory=Counter)

    @property
    def revalidated(self) -> bool:
        return bool(self.documents) and all(d.revalidated for d in self.documents)


class Collector:
    """Collects every active group (and the single events) into the store."""

    def __init__(
        self,
        settings: EventsSettings,
        store: Store | None,
        fetcher: Fetcher,
        clock: Clock | None = None,
        monotonic: Callable[[], float] = time_module.monotonic,
        parse_cache: ParseCache | None = None,
    ) -> None:
        self._settings = settings
        self._parse_cache = parse_cache
        self._store = store
        self._fetcher = fetcher
        self._clock = clock or settings.clock
        self._monotonic = monotonic

    def run(
        self,
        groups: Sequence[Group],
        single_events: Sequence[SingleEvent] | None = None,
        overlays: Mapping[str, Overlay] | None = None,
        present: PresentFiles | None = None,
    ) -> CollectReport:
        """Collect `groups` into the store.

        `single_events` None leaves the single-events group alone; an empty
        list syncs it (so removed files drop out) once it has ever been
        collected.

        `present` (the files in the groups and single-events folders) turns on
        withdrawal: groups the store knows whose file is gone or inactive are
        withdrawn, and single events whose file exists but did not load keep
        their stored events. None (a run over some groups only) withdraws nothing.
        """
        if self._store is None:
            raise ValueError("Collector.run needs a store; use Collector.read to collect without one")
        now = self._clock.now()
        durations: dict[str, float] = {}
        states = self._store.group_states()
        if not single_events and SINGLE_EVENTS_GROUP not in states:
            single_events = None  # no event by hand now or ever: no single-events group in the run
        work = self._read(groups, now, single_events, overlays or {}, durations)
        mark = self._monotonic()
        offline = [item for item in work if item.reason == "no-network"]
        if offline:
            # One line says it all; the groups' own lines drop to debug level.
            log.warning(
                "no network: no host name could be resolved; %d group(s) failed, their stored events kept",
                len(offline),
                extra={"stage": "collect", "reason": "no-network"},
            )
        broken = broken_single_events(present, [e.slug for e in single_events or ()]) if present else frozenset()
        reports = []
        for item in work:
            keep = keeps_broken_single_event(broken) if item.group.slug == SINGLE_EVENTS_GROUP and broken else None
            report = self._sync(item, states.get(item.group.slug), now, keep)
            _log_report(item.group, report, quiet=report.reason == "no-network")
            reports.append(report)
        withdrawn = self._withdraw(states, groups, present, now) if present is not None else []
        durations["sync"] = round(self._monotonic() - mark, 3)
        return CollectReport(now, tuple(reports), durations, withdrawn=tuple(withdrawn))

    def _withdraw(
        self, states: Mapping[str, GroupState], groups: Sequence[Group], present: PresentFiles, now: datetime
    ) -> list[GroupReport]:
        assert self._store is not None
        window_start, _ = collection_window(now, self._settings.horizon_days)
        reports = []
        for withdrawal in withdrawals(states, groups, present, {SINGLE_EVENTS_GROUP}):
            previous = states[withdrawal.group_id]
            if withdrawal_done(previous):
                continue
            plan = withdraw_group(self._store, previous, now, window_start, withdrawal.why)
            counts = ", ".join(f"{n} {plan.counts.get(n, 0)}" for n in COUNT_NAMES)
            log.info(
                "group %s: withdrawn, %s (%s)", withdrawal.group_id, withdrawal.why, counts,
                extra={"group": withdrawal.group_id, "stage": "collect"},
            )
            reports.append(GroupReport(withdrawal.group_id, True, withdrawal.why, counts=plan.counts))
        return reports

    def read(
        self,
        groups: Sequence[Group],
        single_events: Sequence[SingleEvent] | None = None,
        overlays: Mapping[str, Overlay] | None = None,
    ) -> list[GroupRead]:
        """Fetch, parse, enrich and normalize, writing nothing (previews of pull requests)."""
        work = self._read(groups, self._clock.now(), single_events, overlays or {}, {})
        return [GroupRead(w.group, not w.error, w.error, tuple(w.events), tuple(w.warnings), w.reason) for w in work]

    def _read(
        self,
        groups: Sequence[Group],
        now: datetime,
        single_events: Sequence[SingleEvent] | None,
        overlays: Mapping[str, Overlay],
        durations: dict[str, float],
    ) -> list[_Work]:
        mark = self._monotonic()

        def lap(phase: str) -> None:
            nonlocal mark
            current = self._monotonic()
            durations[phase] = round(current - mark, 3)
            mark = current

        active = [g for g in groups if g.active and g.source_type in SOURCES]
        work = [_Work(g) for g in active]
        progress = _Progress()
        deadline = self._fetcher.deadline_in(self._settings.fetch_phase_seconds)
        self._fetch_documents(work, progress, deadline)
        lap("fetch")
        for item in work:
            if not item.error:
                self._parse(item, now)
        if single_events is not None:
            work.append(self._single_events(single_events, now))
        lap("parse")
        self._enrich(work, now, progress, deadline)
        progress.done()
        lap("enrich")
        duplicates = self._normalize(work, overlays)
        _mark_also_listed(work, duplicates)
        lap("normalize")
        return work

    # Phase 1: documents, all groups at once, round by round.
    def _fetch_documents(self, work: list[_Work], progress: _Progress, deadline: float) -> None:
        first = [_first_url(w.group) for w in work]
        pending: dict[int, list[str]] = {i: [url] for i, url in enumerate(first)}
        seen: dict[int, set[str]] = {i: {url} for i, url in enumerate(first)}
        for round_number in range(FOLLOW_ROUNDS + 1):
            if not pending:
                return
            urls = [url for group_urls in pending.values() for url in group_urls]
            progress.expect(len(set(urls)))
            results = self._fetcher.fetch_many(urls, on_done=progress.step, deadline=deadline)
            following: dict[int, list[str]] = {}
            for index, group_urls in pending.items():
                item = work[index]
                fresh = []
                for url in group_urls:
                    result = results[url]
                    if result.ok:
                        fresh.append(result)
                    elif round_number > 0 and result.status in _GONE:
                        item.warnings.append(f"{url}: {result.error}; left out")
                    else:
                        item.error = f"fetch failed: {result.error} ({url})"
                        item.reason = result.reason or "other"
                        break
                if item.error:
                    continue
                item.documents.extend(fresh)
                more = self._further(item, fresh, seen[index])
                if more and round_number == FOLLOW_ROUNDS:
                    item.warnings.append(f"stopped following links after {FOLLOW_ROUNDS} rounds")
                elif more:
                    following[index] = more
            pending = following

    def _further(self, item: _Work, fresh: list[FetchResult], seen: set[str]) -> list[str]:
        follow = SOURCES[item.group.source_type].further_urls
        if follow is None:
            return []
        options = item.group.source_options
        budget = int(options.get("max_pages") or DEFAULT_MAX_PAGES) + 1 - len(seen)
        more: list[str] = []
        for document in fresh:
            try:
                found = follow(document.url, document.content, options)
            except SourceError:
                continue  # parsing the same document reports it
            for url in found:
                if url not in seen and url not in more:
                    more.append(url)
        if len(more) > budget:
            item.warnings.append(f"{len(more) - max(budget, 0)} further pages left out (max_pages {options.get('max_pages') or DEFAULT_MAX_PAGES})")
            more = more[: max(budget, 0)]
        seen.update(more)
        return more

    # Phase 2: parsing, pure.
    def _request(self, group_tz: str, url: str, options: Mapping[str, Any], now: datetime) -> ParseRequest:
        """What to parse a document for: over the week-stable `parse_window`, cut to the collection window by `within`."""
        parse_start, parse_end = parse_window(*collection_window(now, self._settings.horizon_days))
        tz = ZoneInfo(group_tz) if group_tz else self._settings.timezone
        return ParseRequest(
            parse_start,
            parse_end,
            tz,
            self._settings.max_occurrences,
            self._settings.expand_seconds,
            url=url,
            options=tuple(sorted(options.items())),
        )

    def _parse(self, item: _Work, now: datetime) -> None:
        parse = SOURCES[item.group.source_type].parse
        window = collection_window(now, self._settings.horizon_days)
        seen: set[tuple[str, str]] = set()
        for document in item.documents:
            request = self._request(item.group.timezone, document.url, item.group.source_options, now)
            try:
                if self._parse_cache is None:
                    parsed = parse(document.content, request)
                else:
                    parsed = self._parse_cache.parse(item.group.source_type, document.content, request, parse)
            except SourceError as error:
                item.error = f"{error} ({document.url})"
                item.reason = "not-a-calendar"
                return
            parsed = within(parsed, *window)
            item.warnings.extend(parsed.warnings)
            item.left_out.update(dict(parsed.left_out))
            for occurrence in parsed.occurrences:
                key = (occurrence.source_uid, occurrence.occurrence_key)
                if key not in seen:
                    seen.add(key)
                    item.occurrences.append((item.group, occurrence))

    # Phase 3: event pages for groups whose feed lacks data.
    def _enrich(self, work: list[_Work], now: datetime, progress: _Progress, deadline: float) -> None:
        wanted: dict[int, list[str]] = {}
        for index, item in enumerate(work):
            options = item.group.source_options
            if item.error or not options.get("enrich"):
                continue
            limit = int(options.get("enrich_max") or DEFAULT_ENRICH_MAX)
            urls = list(dict.fromkeys(o.url for _, o in sorted(item.occurrences, key=lambda p: p[1].start) if o.url.startswith(("http://", "https://"))))
            if len(urls) > limit:
                item.warnings.append(f"read {limit} of {len(urls)} event pages (enrich_max)")
            wanted[index] = urls[:limit]
        if not wanted:
            return
        all_urls = [u for urls in wanted.values() for u in urls]
        progress.expect(len(set(all_urls)))
        expiry = timedelta(hours=self._settings.page_expire_hours)
        pages = self._fetcher.fetch_many(all_urls, on_done=progress.step, expire_after=expiry, deadline=deadline)
        for index, urls in wanted.items():
            item = work[index]
            facts: dict[str, jsonld.PageEvent] = {}
            for url in urls:
                page = pages[url]
                if not page.ok:
                    item.warnings.append(f"event page {url} not read: {page.error}")
                    continue
                found = jsonld.page_event(page.content, url)
                if found is not None:
                    facts[url] = found
            item.occurrences = [(g, jsonld.enrich(o, facts[o.url]) if o.url in facts else o) for g, o in item.occurrences]

    def _single_events(self, entries: Sequence[SingleEvent], now: datetime) -> _Work:
        item = _Work(Group(slug=SINGLE_EVENTS_GROUP, name="Single events", website=""))
        window_start, window_end = collection_window(now, self._settings.horizon_days)
        found, warnings = parse_single_events(entries, replace(self._request("", "", {}, now), window_start=window_start, window_end=window_end))
        item.occurrences = [(group_for(entry), occurrence) for entry, occurrence in found]
        item.warnings.extend(warnings)
        return item

    # Phase 4: normalizing, pure.
    def _normalize(self, work: list[_Work], overlays: Mapping[str, Overlay]) -> dict[str, set[str]]:
        """Normalize every occurrence; returns the groups an overlay says repeat each event id."""
        duplicates: dict[str, set[str]] = {}
        known = frozenset(self._categories())
        for item in work:
            if item.error:
                continue
            seen: set[str] = set()
            for group, occurrence in item.occurrences:
                outcome = normalize(
                    occurrence,
                    group,
                    self._settings.timezone,
                    self._settings.states,
                    item.group.source_type or "manual",
                    overlays,
                    known if item.group.slug == SINGLE_EVENTS_GROUP else (),
                )
                if isinstance(outcome, Skip):
                    item.left_out[outcome.kind] += 1
                    when = f"{occurrence.start:%Y-%m-%d}" if isinstance(occurrence.start, datetime) else "?"
                    item.warnings.append(f"{occurrence.title[:80]!r} on {when}: {outcome.reason}")
                    if outcome.duplicate_of:
                        duplicates.setdefault(outcome.duplicate_of, set()).add(group.slug)
                    continue
                if outcome.event_id not in seen:
                    seen.add(outcome.event_id)
                    item.events.append(outcome)
        return duplicates

    def _categories(self) -> dict[str, str]:
        from events.inputs.groups import load_categories

        try:
            return load_categories(self._settings.categories_file)
        except (OSError, ValueError):
            return {}

    # Phase 5: the store.
    def _sync(
        self, item: _Work, previous: GroupState | None, now: datetime, keep: Callable[[StoredEvent], bool] | None
    ) -> GroupReport:
        assert self._store is not None
        group = item.group
        if item.error:
            state = next_group_state(previous, group.slug, now, ok=False, error=item.error)
            if state is not None:
                self._store.put_group_state(state)
            return GroupReport(group.slug, False, item.error, documents=len(item.documents), reason=item.reason)
        window_start, _ = collection_window(now, self._settings.horizon_days)
        # Events given by hand cannot glitch: the suspect rule is for feeds.
        rule = None if group.slug == SINGLE_EVENTS_GROUP else SuspectRule(self._settings.empty_feed_nights, self._settings.suspect_drop_share)
        left_out = tuple(sorted(item.left_out.items()))
        plan = sync_group(self._store, group.slug, item.events, previous, now, window_start, list(item.warnings), rule, keep, left_out)
        if plan.suspect:
            return GroupReport(group.slug, False, f"suspect: {plan.suspect}", len(item.events), tuple(item.warnings),
                               plan.counts, item.revalidated, len(item.documents), suspect=True, left_out=dict(left_out))
        return GroupReport(
            group.slug,
            True,
            "",
            len(item.events),
            tuple(item.warnings),
            plan.counts,
            item.revalidated,
            len(item.documents),
            left_out=dict(left_out),
        )


def _first_url(group: Group) -> str:
    start = SOURCES[group.source_type].first_url
    return start(group.source_url, group.source_options) if start else group.source_url


def _mark_also_listed(work: list[_Work], duplicates: Mapping[str, set[str]]) -> None:
    """An event that an overlay says another group repeats is shown as also listed by that group."""
    if not duplicates:
        return
    for item in work:
        for index, event in enumerate(item.events):
            others = duplicates.get(event.event_id, set()) - {event.group_id}
            if others:
                listed = tuple(sorted(set(event.also_listed_by) | others))
                item.events[index] = replace(event, also_listed_by=listed)


def _log_report(group: Group, report: GroupReport, quiet: bool = False) -> None:
    # The extras become fields of `--log-format json`; the text format shows the message.
    extra: dict[str, Any] = {"group": group.slug, "stage": "collect"}
    if report.suspect:
        log.warning("group %s: SUSPECT, %s", group.slug, report.error.removeprefix("suspect: "), extra=extra)
        return
    if not report.ok:
        log.log(
            logging.DEBUG if quiet else logging.WARNING,
            "group %s: FAILED, %s; its stored events are kept",
            group.slug,
            report.error,
            extra={**extra, "reason": report.reason},
        )
        return
    counts = ", ".join(f"{n} {report.counts.get(n, 0)}" for n in COUNT_NAMES)
    log.info(
        "group %s: ok, %d events (%s)%s%s",
        group.slug,
        report.events_found,
        counts,
        ", feed unchanged" if report.revalidated else "",
        f", {len(report.warnings)} warnings" if report.warnings else "",
        extra={**extra, "counts": {"events": report.events_found, **{n: report.counts.get(n, 0) for n in COUNT_NAMES}}},
    )
    for warning in report.warnings:
        log.debug("group %s: %s", group.slug, warning, extra=extra)


class _Progress:
    """A one-line counter on a terminal; silent in logs and CI."""

    def __init__(self, stream: Any = None) -> None:
        self._stream = stream or sys.stderr
        self._total = 0
        self._count = 0
        self._live = bool(getattr(self._stream, "isatty", lambda: False)())

    def expect(self, more: int) -> None:
        self._total += more

    def step(self, result: FetchResult) -> None:
        self._count += 1
        if self._live:
            self._stream.write(f"\rfetching: {self._count}/{self._total}")
            self._stream.flush()

    def done(self) -> None:
        if self._live and self._total:
            self._stream.write("\n")
            self._stream.flush()
