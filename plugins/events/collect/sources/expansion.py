"""Recurrence expansion over a window, with budgets that depend on the input alone.

Each series (the VEVENTs of one UID: the master and its RECURRENCE-ID
overrides, RFC 5545 section 3.8.4.4) is expanded by one bounded query,
`between(window start, query end)` of recurring-ical-events, never by
walking forward occurrence by occurrence. dateutil still walks each rule
from its DTSTART (section 3.8.5.3), so:

- a rule without COUNT whose periods are days or shorter (or weeks) gets a
  later DTSTART, a whole number of its intervals on, just before the
  window: the same occurrences in the window, without the decade before;
- the walk of every other rule is bounded by `MAX_RULE_STEPS` estimated
  candidate dates; past that the query ends early, and the series is cut
  with a warning that names it;
- a series keeps at most `max_series` occurrences (the earliest), and the
  feed at most `max_feed`, shared out level by level (`fair_shares`) so that
  one busy series cannot crowd out the others; a series asked for its first
  n occurrences queries spans that double from its start and stops once it
  has more than n, so a daily rule over a 200-year window costs what n do.

Counts of what a budget left out are exact when the series was read to the
end of the window, and lower bounds ("at least") when it stopped early.

All of that is a function of the feed and the window. The wall clock is only
a last resort for rules that are pathological in ways the estimate misses:
series are expanded cheapest first, each under an equal share of the time
left but at least a quarter of the whole, and a series cut by it keeps
what it had found.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

import icalendar
import recurring_ical_events

from events.collect.deadline import TimeLimitExceeded, time_limit
from events.collect.sources.rules import MAX_RULE_STEPS, aware, dt, enough_end, moved_master, rules_of, span_for, walk_bound

__all__ = ["MAX_RULE_STEPS", "Expanded", "SeriesInput", "expand_feed", "fair_shares"]

Clock = Callable[[], float]
# Series named one by one in the warnings about the feed's budget; past that, one line for the feed.
_NAMED = 10


@dataclass(frozen=True)
class SeriesInput:
    """One UID's VEVENTs, already in standard time zones, and the zone of its floating times."""

    uid: str
    components: tuple[icalendar.Component, ...]
    floating_tz: tzinfo


@dataclass
class Expanded:
    """What one series gave: occurrences (sorted, as recurring-ical-events components) and why some are missing.

    `cut` counts occurrences a budget left out (at least 1 when a rule's
    walk was cut, since the number beyond is unknown); `untitled` counts
    occurrences the caller's `keep` refused; `error` is set when
    the series could not be expanded at all.
    """

    uid: str
    floating_tz: tzinfo
    occurrences: list[icalendar.Component] = field(default_factory=list)
    cut: int = 0
    untitled: int = 0
    warnings: list[str] = field(default_factory=list)
    error: str = ""
    cost: int = 0


def expand_feed(
    series: Sequence[SeriesInput],
    window_start: datetime,
    window_end: datetime,
    max_series: int,
    max_feed: int,
    seconds: float,
    clock: Clock,
    keep: Callable[[icalendar.Component], bool] = lambda component: True,
) -> list[Expanded]:
    """Occurrences of every series in the window, under the budgets; in the order of `series`.

    The feed's budget is filled level by level: every open series is
    expanded up to an equal share of what is left; those with fewer are
    done, and the share of the others grows with what they left over, until
    nothing is left or no series wants more. Occurrences that `keep` refuses
    are counted (`Expanded.untitled`) and use no budget.
    """
    max_series = max(min(max_series, max_feed), 0)  # no series can keep more than the feed
    # Floating times and dates are compared with the window's wall time in
    # their own zone (recurring-ical-events drops the zone of the window).
    plans = [_plan(one, window_start.astimezone(one.floating_tz), window_end.astimezone(one.floating_tz)) for one in series]
    runnable = sorted(
        (i for i, plan in enumerate(plans) if not plan.result.error and plan.query_end > plan.window_start),
        key=lambda i: (plans[i].result.cost, plans[i].result.uid),
    )
    outcomes: dict[int, _Outcome] = {}
    budget, open_series, level = max(max_feed, 0), runnable, -1
    started, runs = clock(), 0
    while open_series:
        new_level = min(max_series, budget // len(open_series))
        if new_level <= level:
            break
        level = new_level
        for position, index in enumerate(open_series):
            left = seconds - (clock() - started)
            # An equal share of the time left, and never less than a quarter
            # of the whole: the deterministic budgets already bound each series
            # (a busy machine may still take a while for one), so the clock
            # only ever cuts a series that is pathological by itself, such as a
            # rule that never matches, which dateutil walks to the year 9999.
            share = max(left / (len(open_series) - position), seconds / 4)
            outcomes[index] = _run(plans[index], level, share, keep)
            runs += 1
        done = [i for i in open_series if not outcomes[i].more]
        budget -= sum(len(outcomes[i].kept) for i in done)
        open_series = [i for i in open_series if outcomes[i].more]
        if level == max_series:
            break
    # What is left is shared between the series that still want more.
    # The one left over each, where the rest does not divide evenly, goes to
    # the series whose next occurrence comes soonest.
    level = max(level, 0)
    open_series = sorted(open_series, key=lambda i: (_next_start(outcomes[i], level, plans[i].result.floating_tz), i))
    shares = dict(zip(open_series, fair_shares([len(outcomes[i].kept) for i in open_series], budget), strict=False))
    results: list[Expanded] = []
    shared: list[tuple[Expanded, str]] = []  # series cut by the feed's budget, and how many they lost
    for index, plan in enumerate(plans):
        result = plan.result
        results.append(result)
        outcome = outcomes.get(index)
        if outcome is None:
            continue
        result.error, result.untitled = outcome.error, outcome.untitled
        result.warnings.extend(outcome.warnings)
        if outcome.error:
            continue
        keep_count = shares.get(index, len(outcome.kept))
        dropped = len(outcome.kept) - keep_count + outcome.beyond
        unknown = 1 if outcome.unread and outcome.beyond == 0 else 0  # what was not read may hold more
        dropped = len(outcome.kept) - keep_count + outcome.beyond + unknown
        if outcome.timed_out and dropped == unknown:
            result.cut += dropped  # the time-out warning says it
        elif dropped:
            result.cut += dropped
            least = "at least " if outcome.unread else ""
            if keep_count >= max_series:
                result.warnings.append(
                    f"event {result.uid}: {least}{dropped} occurrence(s) left out, more than {max_series} in the window"
                )
            else:
                shared.append((result, f"{least}{dropped}"))
        result.occurrences = [
            o if isinstance(o, icalendar.Component) else o.as_component(False) for o in outcome.kept[:keep_count]
        ]
    why = f"the feed keeps {max_feed}, shared between its {len(runnable)} series"
    if len(shared) <= _NAMED:
        for result, dropped_text in shared:
            result.warnings.append(f"event {result.uid}: {dropped_text} occurrence(s) left out, {why}")
    else:  # one line for the feed, naming the first series cut
        names = ", ".join(result.uid for result, _ in shared[:_NAMED])
        total = sum(result.cut for result, _ in shared)
        shared[0][0].warnings.append(
            f"events {names} and {len(shared) - _NAMED} more series: at least {total} occurrence(s) left out, {why}"
        )
    return results


def fair_shares(counts: Sequence[int], budget: int) -> list[int]:
    """How many of each count to keep so that the total is at most `budget`, shared max-min fairly.

    Every count at or below the common level is kept whole; the others get
    the level, and what is left over goes one each to the earliest of them.
    """
    if sum(counts) <= budget:
        return list(counts)
    remaining, level, spare = max(budget, 0), 0, 0
    for position, count in enumerate(sorted(counts)):
        open_series = len(counts) - position
        if count <= remaining // open_series:
            remaining -= count
            continue
        level, spare = divmod(remaining, open_series)
        break
    shares: list[int] = []
    for count in counts:
        if count <= level:
            shares.append(count)
        elif spare > 0:
            shares.append(level + 1)
            spare -= 1
        else:
            shares.append(level)
    return shares


@dataclass
class _Plan:
    result: Expanded
    components: tuple[icalendar.Component, ...]
    query_end: datetime
    window_start: datetime
    rules: list[Any] = field(default_factory=list)
    master: icalendar.Component | None = None
    start: datetime | None = None  # the master's start, aware


@dataclass
class _Outcome:
    """One run of a series: the first occurrences (up to the cap and one more), and what lies beyond.

    `more` says the series has more than the cap; `unread` that the window
    was not read to its end (so more may exist than `beyond` counts);
    unread); `beyond` counts those read past the kept ones.
    """

    kept: list[Any] = field(default_factory=list)
    beyond: int = 0
    more: bool = False
    unread: bool = False
    timed_out: bool = False
    untitled: int = 0
    warnings: list[str] = field(default_factory=list)
    error: str = ""


def _plan(one: SeriesInput, window_start: datetime, window_end: datetime) -> _Plan:
    result = Expanded(one.uid, one.floating_tz)
    components = one.components
    if all(c.get("DTSTART") is None for c in components):
        result.error = "no start (DTSTART)"
        return _Plan(result, components, window_end, window_start)
    try:
        master = next((c for c in components if c.get("RECURRENCE-ID") is None), None)
        rules = rules_of(master) if master is not None else []
        query_end, walk_cut, cost = window_end, False, len(components)
        start = None
        if master is not None and rules:
            moved = moved_master(master, rules, window_start, one.floating_tz, components)
            if moved is not None:
                components = tuple(moved if c is master else c for c in components)
                master = moved
            start = aware(dt(master, "DTSTART"), one.floating_tz)
            for rule in rules:
                end, steps = walk_bound(rule, start, window_end)
                cost += steps
                if end < query_end:
                    query_end, walk_cut = end, True
    except Exception as error:
        result.error = _short(error)
        return _Plan(result, components, window_end, window_start)
    result.cost = cost
    if walk_cut:
        result.cut += 1
        reach = "no occurrence in the window" if query_end <= window_start else f"occurrences up to {query_end:%Y-%m-%d}"
        result.warnings.append(
            f"event {one.uid}: its rule would walk more than {MAX_RULE_STEPS} dates from its start; "
            f"{reach} read, later ones left out"
        )
    return _Plan(result, components, query_end, window_start, rules, master, start)


def _run(
    plan: _Plan,
    cap: int,
    seconds: float,
    keep: Callable[[icalendar.Component], bool],
) -> _Outcome:
    """The series' first `cap` occurrences in the window (and one more, to know there are more)."""
    outcome = _Outcome()
    uid, window_start = plan.result.uid, plan.window_start
    query_end, first_span, capped = plan.query_end, None, False
    if plan.rules and plan.master is not None and plan.start is not None:
        try:
            first_span = min(span_for(rule, cap) for rule in plan.rules)
            enough = enough_end(plan.rules, plan.master, plan.start, window_start, cap)
        except Exception as error:
            outcome.error = _short(error)
            return outcome
        if enough < query_end:
            # Every period of the rule is an occurrence: up to this point
            # there are already more than the series may keep.
            query_end, capped = enough, True
    calendar = icalendar.Calendar()
    for component in plan.components:
        calendar.add_component(component)
    found: list[Any] = []
    complete: list[Any] = []  # the last chunk read to its end
    try:
        with time_limit(seconds):
            query = recurring_ical_events.of(calendar)
            base = max(window_start, plan.start) if plan.start is not None else window_start
            for chunk_end in _chunk_ends(base, query_end, first_span):
                found = []
                for series in query.series:
                    for occurrence in series.between(window_start, chunk_end):
                        found.append(occurrence)
                complete = found
                # Two past the cap: one to know there are more, one that is surely left out.
                if len(found) > cap + 1 and chunk_end < query_end:
                    outcome.unread = True
                    break
    except TimeLimitExceeded:
        found = complete if len(complete) >= len(found) else found
        outcome.unread = outcome.timed_out = True
        outcome.warnings.append(
            f"event {uid}: expanding its recurrence took longer than {seconds:.2g} s "
            f"(its share of the feed's time); kept the {len(found)} occurrence(s) found"
        )
    except Exception as error:
        outcome.error = _short(error)
        return outcome
    if capped:
        outcome.unread = True  # the query stopped where the rule had given enough
    verdicts = {keep(component) for component in plan.components}
    kept_by_all = verdicts.pop() if len(verdicts) == 1 else None
    tz = plan.result.floating_tz
    found.sort(key=lambda o: (_utc(o.start, tz), _utc(o.end, tz)))
    for position, occurrence in enumerate(found):
        if len(outcome.kept) > cap:
            outcome.beyond = len(found) - position
            break
        if kept_by_all is None:  # some components pass `keep` and some do not: ask each occurrence
            component = occurrence.as_component(False)
            if keep(component):
                outcome.kept.append(component)
            else:
                outcome.untitled += 1
        elif kept_by_all:
            outcome.kept.append(occurrence)  # made a component once it survives the feed's budget
        else:
            outcome.untitled += 1
    outcome.more = len(outcome.kept) > cap
    if kept_by_all is False:
        outcome.unread = False  # nothing of this series could be kept anyway
    return outcome


def _next_start(outcome: _Outcome, position: int, tz: tzinfo) -> datetime:
    if position >= len(outcome.kept):
        return datetime.max.replace(tzinfo=UTC)
    item = outcome.kept[position]
    start = dt(item, "DTSTART") if isinstance(item, icalendar.Component) else item.start
    return _utc(start, tz)


def _chunk_ends(base: datetime, query_end: datetime, first_span: timedelta | None) -> Iterator[datetime]:
    """Ends of queries from the window's start, `base` plus doubling spans until `query_end`.

    `base` is the later of the window's start and the series' start; one
    query when the first end already reaches `query_end`.

    Each query walks the rule once; doubling keeps the total within about
    twice the last one while a series with far more occurrences than it may
    keep stops as soon as it has enough.
    """
    if first_span is None:
        yield query_end
        return
    span = first_span
    while base + span < query_end:
        yield base + span
        span *= 2
    yield query_end


def _utc(value: date | datetime, tz: tzinfo) -> datetime:
    return aware(value, tz).astimezone(UTC)


def _short(error: BaseException) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return f"{type(error).__name__}: {text[:200]}"
