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
  feed at most `max_feed`, shared out fairly (`fair_shares`) between the
  series so that one busy series cannot crowd out the others.

All of that is a function of the feed and the window. The wall clock is only
a last resort for rules that are pathological in ways the estimate misses:
series are expanded cheapest first, each under an equal share of the time
left but at least a twentieth of the whole, and a series cut by it keeps
what it had found.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time as dtime, timedelta, timezone, tzinfo
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
_PERIOD: dict[str, tuple[timedelta, bool]] = {
    "SECONDLY": (timedelta(seconds=1), True),
    "MINUTELY": (timedelta(minutes=1), True),
    "HOURLY": (timedelta(hours=1), True),
    "DAILY": (timedelta(days=1), True),
    "WEEKLY": (timedelta(weeks=1), True),
    "MONTHLY": (timedelta(days=28), False),
    "YEARLY": (timedelta(days=365), False),
}
_TIME_PARTS = ("BYHOUR", "BYMINUTE", "BYSECOND")
_FINER_THAN = {"HOURLY": 1, "MINUTELY": 2, "SECONDLY": 3}
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

    Occurrences that `keep` refuses are counted (`Expanded.untitled`) and
    use no budget.
    """
    max_series = min(max_series, max_feed)  # no series can keep more than the feed
    plans = [_plan(one, window_start, window_end, max_series) for one in series]
    order = sorted(range(len(plans)), key=lambda i: (plans[i].result.cost, plans[i].result.uid))
    started = clock()
    for position, index in enumerate(order):
        plan = plans[index]
        if plan.result.error:
            continue
        left = seconds - (clock() - started)
        # An equal share of the time left, and never less than a twentieth
        # of the whole: the deterministic budgets already bound each series,
        # so the clock only ever cuts one that is pathological by itself.
        share = max(left / (len(order) - position), seconds / 20)
        _run(plan, window_start, max_series, share, keep)
    results = [plan.result for plan in plans]
    shares = fair_shares([len(r.occurrences) for r in results], max_feed)
    for result, share in zip(results, shares):
        if share < len(result.occurrences):
            dropped = len(result.occurrences) - share
            del result.occurrences[share:]
            result.cut += dropped
            result.warnings.append(
                f"event {result.uid}: {dropped} occurrence(s) left out, the feed's budget of {max_feed} "
                f"occurrences is shared between its {len(results)} series"
            )
        result.occurrences = [
            o if isinstance(o, icalendar.Component) else o.as_component(False) for o in result.occurrences
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
    walk_cut: bool
    capped: bool  # the query ends where the series already has more than it may keep
    first_span: timedelta | None = None  # a span likely to hold all the series may keep


def _plan(one: SeriesInput, window_start: datetime, window_end: datetime, max_series: int) -> _Plan:
    result = Expanded(one.uid, one.floating_tz)
    components = one.components
    if all(c.get("DTSTART") is None for c in components):
        result.error = "no start (DTSTART)"
        return _Plan(result, components, window_end, False, False)
    try:
        master = next((c for c in components if c.get("RECURRENCE-ID") is None), None)
        rules = _rules(master) if master is not None else []
        query_end, walk_cut, capped, cost = window_end, False, False, len(components)
        first_span: timedelta | None = None
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
            first_span = min(_span_for(rule, max_series) for rule in rules)
            enough = _enough(rules, master, start, window_start, max_series)
            if enough < query_end:
                # Every period of the rule is an occurrence: up to this point
                # there are already more than the series may keep.
                query_end, walk_cut, capped = enough, False, True
    except Exception as error:  # noqa: BLE001 - a series that cannot be read is skipped alone
        result.error = _short(error)
        return _Plan(result, components, window_end, False, False)
    result.cost = cost
    if walk_cut:
        result.cut += 1
        reach = "no occurrence in the window" if query_end <= window_start else f"occurrences up to {query_end:%Y-%m-%d}"
        result.warnings.append(
            f"event {one.uid}: its rule would walk more than {MAX_RULE_STEPS} dates from its start; "
            f"{reach} read, later ones left out"
        )
    return _Plan(result, components, query_end, walk_cut, capped, first_span)


def _run(
    plan: _Plan,
    window_start: datetime,
    max_series: int,
    seconds: float,
    keep: Callable[[icalendar.Component], bool],
) -> None:
    result = plan.result
    if plan.query_end <= window_start:
        return
    calendar = icalendar.Calendar()
    for component in plan.components:
        calendar.add_component(component)
    found: list[Any] = []
    complete: list[Any] = []  # the last chunk read to its end
    early = False
    try:
        with time_limit(seconds):
            query = recurring_ical_events.of(calendar)
            for chunk_end in _chunk_ends(window_start, plan.query_end, plan.first_span):
                found = []
                for series in query.series:
                    for occurrence in series.between(window_start, chunk_end):
                        found.append(occurrence)
                complete = found
                if len(found) > max_series and chunk_end < plan.query_end:
                    early = True
                    break
    except TimeLimitExceeded:
        found = complete if len(complete) >= len(found) else found
        result.cut += 1
        result.warnings.append(
            f"event {result.uid}: expanding its recurrence took longer than {seconds:.2g} s "
            f"(its share of the feed's time); kept the {len(found)} occurrence(s) found"
        )
    except Exception as error:  # noqa: BLE001 - a series that cannot be expanded is skipped alone
        result.error = _short(error)
        return
    if plan.capped and len(found) <= max_series:
        result.cut += 1  # fewer than the rule promised (moved occurrences): the rest is unknown
        result.warnings.append(f"event {result.uid}: occurrences after {plan.query_end:%Y-%m-%d} left out (more than {max_series})")
    verdicts = {keep(component) for component in plan.components}
    kept_by_all = verdicts.pop() if len(verdicts) == 1 else None
    tz = result.floating_tz
    found.sort(key=lambda o: (_utc(o.start, tz), _utc(o.end, tz)))
    for position, occurrence in enumerate(found):
        if len(result.occurrences) >= max_series:
            result.cut += len(found) - position
            result.warnings.append(
                f"event {result.uid}: {'at least ' if plan.capped or early else ''}{len(found) - position} "
                f"occurrence(s) left out, more than {max_series} in the window"
            )
            break
        if kept_by_all is None:  # some components pass `keep` and some do not: ask each occurrence
            component = occurrence.as_component(False)
            if keep(component):
                result.occurrences.append(component)
            else:
                result.untitled += 1
        elif kept_by_all:
            result.occurrences.append(occurrence)  # made a component once it survives the feed's budget
        else:
            result.untitled += 1


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


def _chunk_ends(window_start: datetime, query_end: datetime, first_span: timedelta | None) -> Iterator[datetime]:
    """Ends of queries that double in length until `query_end`: one query when the first already reaches it.

    Each query walks the rule once; doubling keeps the total within about
    twice the last one while a series with far more occurrences than it may
    keep stops as soon as it has enough.
    """
    if first_span is None:
        yield query_end
        return
    span = first_span
    while window_start + span < query_end:
        yield window_start + span
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
    # recurring-ical-events compares floating times and dates with the window's UTC wall time.
    wall_window = window_start.astimezone(tz or timezone.utc).replace(tzinfo=None)
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
