"""The parse window: always holds the collection window, the same all week, never much wider."""

from __future__ import annotations

from datetime import datetime, timedelta

from conftest import NEW_YORK
from hypothesis import given
from hypothesis import strategies as st

from events.clock import collection_window
from events.collect.parse_window import BLOCK_DAYS, parse_window, within
from events.collect.sources.base import ParseResult
from events.models import Occurrence

nights = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 12, 31)).map(lambda d: d.replace(tzinfo=NEW_YORK))


@given(now=nights, horizon=st.integers(min_value=1, max_value=400))
def test_the_parse_window_holds_the_collection_window_and_is_the_same_all_week(now, horizon):
    start, end = collection_window(now, horizon)
    parse_start, parse_end = parse_window(start, end)
    assert parse_start <= start and end <= parse_end
    assert parse_end - parse_start <= (end - start) + timedelta(days=2 * BLOCK_DAYS + 1)
    assert parse_start.weekday() == 0 and parse_start.time() == parse_start.time().min
    week = [collection_window(parse_start + timedelta(days=d, hours=12), horizon) for d in range(-1, BLOCK_DAYS + 1)]
    windows = [parse_window(*w) for w in week]
    # The window's start is yesterday: the nights from Tuesday to the next Monday share one parse window.
    assert len(set(windows[2 : 2 + BLOCK_DAYS])) == 1
    assert windows[1] != windows[2]


@given(offsets=st.lists(st.integers(min_value=-30 * 24, max_value=150 * 24), max_size=30))
def test_within_keeps_what_meets_the_window_and_counts_the_rest(offsets):
    start = datetime(2026, 3, 1, tzinfo=NEW_YORK)
    end = start + timedelta(days=92)
    occurrences = tuple(Occurrence(f"u{n}", "", "Talk", start + timedelta(hours=h), start + timedelta(hours=h + 2)) for n, h in enumerate(offsets))
    result = within(ParseResult(occurrences, (), (("broken", 1),)), start, end)
    assert all(not (o.end < start or o.start >= end) for o in result.occurrences)
    dropped = len(occurrences) - len(result.occurrences)
    assert result.left_out_count("outside_window") == dropped and result.left_out_count("broken") == 1
    assert [o for o in occurrences if o in result.occurrences] == list(result.occurrences)
