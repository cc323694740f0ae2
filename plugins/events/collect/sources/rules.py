"""RRULE arithmetic for bounded expansion (RFC 5545 section 3.3.10, recurrence rules).

How far a rule's walk from its DTSTART goes (dateutil always starts there),
where a query may end so that the walk stays within `MAX_RULE_STEPS`, and a
later DTSTART that gives the same occurrences in a window.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta, tzinfo
from datetime import time as dtime
from types import MappingProxyType
from typing import Any

import icalendar

__all__ = ["MAX_RULE_STEPS", "aware", "dt", "enough_end", "moved_master", "rules_of", "span_for", "walk_bound"]

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


def rules_of(master: icalendar.Component) -> list[Any]:
    """The RRULE values of a master (section 3.8.5.3 allows several); ValueError when one is not a rule."""
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


def span_for(rule: Any, max_series: int) -> timedelta:
    """A span of the rule's periods that holds about `max_series` candidate dates."""
    freq, interval, per_period = _shape(rule)
    return _PERIOD[freq][0] * interval * (max_series // per_period + 2)


def enough_end(rules: list[Any], master: icalendar.Component, start: datetime, window_start: datetime, max_series: int) -> datetime:
    """Where a rule without any BYxxx part has given more than `max_series` occurrences in the window."""
    if len(rules) != 1 or any(str(name).upper().startswith("BY") for name in rules[0]):
        return datetime.max.replace(tzinfo=UTC)
    freq, interval, _ = _shape(rules[0])
    exdates = master.get("EXDATE")
    excluded = sum(len(getattr(e, "dts", ())) for e in (exdates if isinstance(exdates, list) else [exdates] if exdates else []))
    period = _PERIOD[freq][0] * interval
    # A period may be an hour longer than its shortest length (DST), and months and years are longer still.
    longest = period * (32 / 28 if freq == "MONTHLY" else 366 / 365 if freq == "YEARLY" else 1)
    slack = timedelta(hours=1) if period >= timedelta(days=1) else timedelta(0)  # a DST change
    return max(start, window_start) + longest * (max_series + excluded + 2) + slack


def walk_bound(rule: Any, start: datetime, window_end: datetime) -> tuple[datetime, int]:
    """Where the query must end so that the walk from `start` stays within MAX_RULE_STEPS, and the walk's size."""
    freq, interval, per_period = _shape(rule)
    period = _PERIOD[freq][0] * interval
    periods = max((window_end - start) / period, 0)
    count = _first(rule, "COUNT")
    if count is not None:
        periods = min(periods, float(count))
    until = _first(rule, "UNTIL")
    if until is not None:
        until_at = aware(until, start.tzinfo or UTC)
        if until_at < window_end:
            periods = min(periods, max((until_at - start) / period, 0))
    steps = math.ceil(periods) * per_period
    if steps <= MAX_RULE_STEPS:
        return window_end, steps
    return start + period * (MAX_RULE_STEPS // per_period), MAX_RULE_STEPS


def moved_master(
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
    start_value = dt(master, "DTSTART")
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
        end = dt(master, "DTEND")
        if isinstance(end, datetime) == isinstance(start, datetime):
            return abs(_wall(end) - _wall(start))
    if master.get("DURATION") is not None:
        length: timedelta = abs(dt(master, "DURATION"))
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


def aware(value: date | datetime, tz: tzinfo) -> datetime:
    """A date at midnight, or a floating date-time, in `tz`; a date-time with a zone as it is."""
    if not isinstance(value, datetime):
        return datetime.combine(value, dtime(0), tz)
    return value if value.tzinfo is not None else value.replace(tzinfo=tz)


def dt(component: icalendar.Component, name: str) -> Any:
    """The value of a date, date-time or duration property (RFC 5545 3.3.4-3.3.6); raises for a malformed one."""
    prop: Any = component[name]
    return prop.dt
