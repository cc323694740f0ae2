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

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time as dtime, timedelta, timezone, tzinfo
from types import MappingProxyType
from typing import Any

import icalendar
import recurring_ical_events  # type: ignore[import-untyped]

from ..deadline import TimeLimitExceeded, time_limit

__all__ = ["MAX_RULE_STEPS", "Expanded", "SeriesInput", "expand_feed", "fair_shares"]

# Candidate dates one rule may generate from its DTSTART to the query's end:
# about 0.1 s of dateutil and recurring-ical-events on a slow machine.
MAX_RULE_STEPS = 20_000

# The shortest length of one period of each frequency, and whether a later
# DTSTART keeps the rule's occurrences (periods that are whole days or
# shorter, or whole weeks, align the same way from any start a whole number
# of intervals on; months and years do not, their length varies).
_PERIOD: Mapping[str, tuple[timedelta, bool]] = MappingProxyType({
    "SECONDLY": (timedelta(seconds=1), True),
    "MINUTELY": (timedelta(minutes=1), True),
    "HOURLY": (timedelta(hours=1), True),
    "DAILY": (timedelta(days=1), True),
    "WEEKLY": (timedelta(weeks=1), True),
    "MONTHLY": (timedelta(days=28), False),
    "YEARLY": (timedelta(days=365), False),
})
_TIME_PARTS = ("BYHOUR", "BYMINUTE", "BYSECOND")
_FINER_THAN: Mapping[str, int] = MappingProxyType({"HOURLY": 1, "MINUTELY": 2, "SECONDLY": 3})
# Margin between a moved DTSTART and the window, wider than a DST change.
_MARGIN = timedelta(hours=3)

Clock = Callable[[], float]


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
    shares = dict(zip(open_series, fair_shares([len(outcomes[i].kept) for i in open_series], budget)))
    results = []
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
        if outcome.more and dropped == 0:
            dropped = 1  # more exist, how many is unknown
        if outcome.timed_out and dropped == 1 and len(outcome.kept) == keep_count:
            result.cut += 1  # the time-out warning says it
        elif dropped:
            result.cut += dropped
            why = (
                f"more than {max_series} in the window"
                if keep_count >= max_series
                else f"the feed keeps {max_feed}, shared between its {len(runnable)} series"
            )
            least = "at least " if outcome.more else ""
            result.warnings.append(f"event {result.uid}: {least}{dropped} occurrence(s) left out, {why}")
        result.occurrences = [
            o if isinstance(o, icalendar.Component) else o.as_component(False) for o in outcome.kept[:keep_count]
        ]
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

    `more` says the series has more than the cap (some of them perhaps
    unread); `beyond` counts those read past the kept ones.
    """

    kept: list[Any] = field(default_factory=list)
    beyond: int = 0
    more: bool = False
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
        rules = _rules(master) if master is not None else []
        query_end, walk_cut, cost = window_end, False, len(components)
        start = None
        if master is not None and rules:
            moved = _moved_master(master, rules, window_start, one.floating_tz, components)
            if moved is not None:
                components = tuple(moved if c is master else c for c in components)
                master = moved
            start = _aware(_dt(master, "DTSTART"), one.floating_tz)
            for rule in rules:
                end, steps = _walk_bound(rule, start, window_end)
                cost += steps
                if end < query_end:
                    query_end, walk_cut = end, True
    except Exception as error:  # noqa: BLE001 - a series that cannot be read is skipped alone
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
            first_span = min(_span_for(rule, cap) for rule in plan.rules)
            enough = _enough(plan.rules, plan.master, plan.start, window_start, cap)
        except Exception as error:  # noqa: BLE001 - read in _plan already; kept for safety
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
                if len(found) > cap and chunk_end < query_end:
                    outcome.more = True
                    break
    except TimeLimitExceeded:
        found = complete if len(complete) >= len(found) else found
        outcome.more = outcome.timed_out = True
        outcome.warnings.append(
            f"event {uid}: expanding its recurrence took longer than {seconds:.2g} s "
            f"(its share of the feed's time); kept the {len(found)} occurrence(s) found"
        )
    except Exception as error:  # noqa: BLE001 - a series that cannot be expanded is skipped alone
        outcome.error = _short(error)
        return outcome
    if capped:
        outcome.more = True  # the query stopped where the rule had given enough
    verdicts = {keep(component) for component in plan.components}
    kept_by_all = verdicts.pop() if len(verdicts) == 1 else None
    tz = plan.result.floating_tz
    found.sort(key=lambda o: (_utc(o.start, tz), _utc(o.end, tz)))
    for position, occurrence in enumerate(found):
        if len(outcome.kept) > cap:
            outcome.beyond = len(found) - position
            outcome.more = True
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
    if len(outcome.kept) > cap:
        outcome.more = True
    return outcome


def _rules(master: icalendar.Component) -> list[Any]:
    value = master.get("RRULE")
    if value is None:
        return []
    # An empty RRULE line (some exporters write one) is no rule, as recurring-ical-events reads it.
    rules = [rule for rule in (value if isinstance(value, list) else [value]) if not hasattr(rule, "keys") or rule]
    for rule in rules:
        if not hasattr(rule, "get"):
            raise ValueError(f"RRULE is not a recurrence rule: {str(rule)[:60]}")
    return rules


def _first(rule: Any, name: str, default: Any = None) -> Any:
    value = rule.get(name)
    if isinstance(value, list):
        return value[0] if value else default
    return default if value is None else value


def _shape(rule: Any) -> tuple[str, int, int]:
    """FREQ, INTERVAL and the most candidate dates one period can hold (section 3.3.10)."""
    freq = str(_first(rule, "FREQ", "")).upper()
    if freq not in _PERIOD:
        raise ValueError(f"RRULE has no valid FREQ: {freq or 'none'}")
    interval = max(int(_first(rule, "INTERVAL", 1) or 1), 1)
    per_period = 1
    finer = _FINER_THAN.get(freq, 0)
    for part in _TIME_PARTS[finer:]:
        values = rule.get(part)
        per_period *= max(len(values) if isinstance(values, list) else 1, 1)
    has_days = any(rule.get(p) for p in ("BYDAY", "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO", "BYMONTH"))
    if freq == "YEARLY" and has_days:
        per_period *= 366
    elif freq == "MONTHLY" and has_days:
        per_period *= 31
    elif freq == "WEEKLY" and rule.get("BYDAY"):
        per_period *= 7
    return freq, interval, per_period


def _span_for(rule: Any, max_series: int) -> timedelta:
    """A span of the rule's periods that holds about `max_series` candidate dates."""
    freq, interval, per_period = _shape(rule)
    return _PERIOD[freq][0] * interval * (max_series // per_period + 2)


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


def _enough(rules: list[Any], master: icalendar.Component, start: datetime, window_start: datetime, max_series: int) -> datetime:
    """Where a rule without any BYxxx part has given more than `max_series` occurrences in the window."""
    if len(rules) != 1 or any(str(name).upper().startswith("BY") for name in rules[0]):
        return datetime.max.replace(tzinfo=timezone.utc)
    freq, interval, _ = _shape(rules[0])
    exdates = master.get("EXDATE")
    excluded = sum(len(getattr(e, "dts", ())) for e in (exdates if isinstance(exdates, list) else [exdates] if exdates else []))
    period = _PERIOD[freq][0] * interval
    # A period may be an hour longer than its shortest length (DST), and months and years are longer still.
    longest = period * (32 / 28 if freq == "MONTHLY" else 366 / 365 if freq == "YEARLY" else 1)
    slack = timedelta(hours=1) if period >= timedelta(days=1) else timedelta(0)  # a DST change
    return max(start, window_start) + longest * (max_series + excluded + 2) + slack


def _walk_bound(rule: Any, start: datetime, window_end: datetime) -> tuple[datetime, int]:
    """Where the query must end so that the walk from `start` stays within MAX_RULE_STEPS, and the walk's size."""
    freq, interval, per_period = _shape(rule)
    period = _PERIOD[freq][0] * interval
    periods = max((window_end - start) / period, 0)
    count = _first(rule, "COUNT")
    if count is not None:
        periods = min(periods, float(count))
    until = _first(rule, "UNTIL")
    if until is not None:
        until_at = _aware(until, start.tzinfo or timezone.utc)
        if until_at < window_end:
            periods = min(periods, max((until_at - start) / period, 0))
    steps = math.ceil(periods) * per_period
    if steps <= MAX_RULE_STEPS:
        return window_end, steps
    return start + period * (MAX_RULE_STEPS // per_period), MAX_RULE_STEPS


def _moved_master(
    master: icalendar.Component,
    rules: list[Any],
    window_start: datetime,
    floating_tz: tzinfo,
    components: tuple[icalendar.Component, ...],
) -> icalendar.Component | None:
    """A copy of the master starting a whole number of intervals later, just before the window, when that is safe."""
    if len(rules) != 1 or _first(rules[0], "COUNT") is not None or master.get("EXRULE") is not None:
        return None
    if any("RANGE" in getattr(c.get("RECURRENCE-ID"), "params", {}) for c in components):
        return None  # THISANDFUTURE overrides are measured from the original start
    freq, interval, _ = _shape(rules[0])
    unit, movable = _PERIOD[freq]
    start_value = _dt(master, "DTSTART")
    tz = start_value.tzinfo if isinstance(start_value, datetime) else None
    if not movable or hasattr(tz, "localize"):  # pytz zones do not follow wall-clock arithmetic
        return None
    if not isinstance(start_value, datetime) and unit < timedelta(days=1):
        return None
    step = unit * interval
    length = _length(master, start_value)
    wall_start = _wall(start_value)
    wall_window = window_start.astimezone(tz or floating_tz).replace(tzinfo=None)
    periods = math.floor((wall_window - length - _MARGIN - wall_start) / step) - 1
    if periods <= 0:
        return None
    shift = step * periods
    moved = master.copy()
    moved.subcomponents = list(master.subcomponents)
    _shift(moved, "DTSTART", shift)
    if master.get("DTEND") is not None:
        _shift(moved, "DTEND", shift)
    return moved


def _length(master: icalendar.Component, start: date | datetime) -> timedelta:
    if master.get("DTEND") is not None:
        end = _dt(master, "DTEND")
        if isinstance(end, datetime) == isinstance(start, datetime):
            return abs(_wall(end) - _wall(start))
    if master.get("DURATION") is not None:
        length: timedelta = abs(_dt(master, "DURATION"))
        return length
    return timedelta(days=1)


def _shift(component: icalendar.Component, name: str, shift: timedelta) -> None:
    old: Any = component[name]
    value = old.dt
    if isinstance(value, datetime):
        moved: date | datetime = (value.replace(tzinfo=None) + shift).replace(tzinfo=value.tzinfo)
    else:
        moved = value + shift
    prop = icalendar.vDDDTypes(moved)
    prop.params = old.params
    component[name] = prop


def _wall(value: date | datetime) -> datetime:
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    return datetime.combine(value, dtime(0))


def _aware(value: date | datetime, tz: tzinfo) -> datetime:
    if not isinstance(value, datetime):
        return datetime.combine(value, dtime(0), tz)
    return value if value.tzinfo is not None else value.replace(tzinfo=tz)


def _utc(value: date | datetime, tz: tzinfo) -> datetime:
    return _aware(value, tz).astimezone(timezone.utc)


def _dt(component: icalendar.Component, name: str) -> Any:
    """The value of a date, date-time or duration property (RFC 5545 3.3.4-3.3.6); raises for a malformed one."""
    prop: Any = component[name]
    return prop.dt


def _short(error: BaseException) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return f"{type(error).__name__}: {text[:200]}"
