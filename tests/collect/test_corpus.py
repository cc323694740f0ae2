"""Every real-world calendar of ../shared/corpus/ics/ through the iCal source, against plain libraries.

Each file yields occurrences, or a clear per-file SourceError, or an empty
result whose warnings or counted reasons say why; no other exception
escapes. And no file yields fewer occurrences than plain icalendar +
x-wr-timezone + recurring-ical-events `between()` over the same window
unless the result counts a reason (`ParseResult.left_out`).
"""

from __future__ import annotations

import signal
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events
import x_wr_timezone

from events.collect.sources import ical
from events.collect.sources.base import ParseRequest, SourceError

ROOT = Path(__file__).resolve().parents[2]


def _corpus() -> Path:
    """ROOT.parent/shared/corpus/ics, or the same path next to a parent (a git worktree sits one level deeper)."""
    for base in (ROOT.parent, *ROOT.parent.parents):
        if (base / "shared" / "corpus" / "ics").is_dir():
            return base / "shared" / "corpus" / "ics"
    return ROOT.parent / "shared" / "corpus" / "ics"


CORPUS = _corpus()
NY = ZoneInfo("America/New_York")
# A collection window (a 90-day horizon) with lower limits than a real run
# so the suite stays fast: 200 occurrences and 2 s per file.
EXPAND_SECONDS = 2.0
WINDOW = (datetime(2026, 1, 1, tzinfo=NY), datetime(2026, 4, 1, tzinfo=NY))
REQUEST = ParseRequest(WINDOW[0], WINDOW[1], NY, 200, EXPAND_SECONDS)
PER_FILE_SECONDS = EXPAND_SECONDS + 8
TOTAL_SECONDS = 60
# Not calendars (a custom top-level component around a VEVENT); the plain
# libraries find an event in it, the source says why it reads none.
NOT_CALENDARS = {"icalendar/src/icalendar/tests/calendars/issue_178_custom_component_contains_other.ics"}

pytestmark = pytest.mark.skipif(
    not CORPUS.is_dir(),
    reason=f"no real-world calendars at {CORPUS} (next to the repository, not in it): "
    "README.md, section 'Real-world calendars (the corpus test)', says where they come from and how to get them",
)


def corpus_files() -> list[Path]:
    return sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.name != "SOURCES.md")


class _ReferenceTooSlow(Exception):
    pass


def reference_count(content: bytes, seconds: float = 5.0) -> int | None:
    """Occurrences plain icalendar + x-wr-timezone + recurring-ical-events find in WINDOW; None if they take too long."""

    def stop(signum, frame):
        raise _ReferenceTooSlow

    try:
        calendars = icalendar.Calendar.from_ical(content.decode("utf-8-sig"), multiple=True)
    except Exception:
        return 0
    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    count = 0
    try:
        for calendar in calendars:
            try:
                standard = x_wr_timezone.to_standard(calendar)
                count += len(recurring_ical_events.of(standard, skip_bad_series=True).between(*WINDOW))
            except _ReferenceTooSlow:
                raise
            except Exception:
                continue
    except _ReferenceTooSlow:
        return None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    return count


def test_every_corpus_file_yields_events_or_a_clear_error_and_loses_nothing_uncounted():
    files = corpus_files()
    assert len(files) > 500
    outcomes = {"events": 0, "explained": 0, "error": 0}
    unexplained, escaped, slow, short, compared = [], [], [], [], 0
    started = time.monotonic()
    for path in files:
        name = str(path.relative_to(CORPUS))
        content = path.read_bytes()
        began = time.monotonic()
        ours, counted = 0, 0
        try:
            result = ical.parse(content, REQUEST)
        except SourceError as error:
            outcomes["error"] += 1
            counted = -1
            if not str(error).strip():
                unexplained.append(f"{name}: empty SourceError")
        except Exception as error:
            escaped.append(f"{name}: {type(error).__name__}: {error}")
            continue
        else:
            ours, counted = len(result.occurrences), result.left_out_count()
            if result.occurrences:
                outcomes["events"] += 1
            elif result.warnings or result.left_out:
                outcomes["explained"] += 1
            else:
                unexplained.append(f"{name}: no occurrences and no reason")
        if time.monotonic() - began > PER_FILE_SECONDS:
            slow.append(f"{name}: {time.monotonic() - began:.1f} s")
        expected = reference_count(content)
        if expected is None:
            continue
        compared += 1
        if ours < expected and counted == 0:
            short.append(f"{name}: {ours} occurrences, the libraries find {expected}, no reason counted")
        if counted == -1 and expected and name not in NOT_CALENDARS:
            short.append(f"{name}: SourceError, the libraries find {expected}")
    total = time.monotonic() - started
    assert escaped == []
    assert unexplained == []
    assert short == []
    assert slow == []
    assert compared > 500
    assert total < TOTAL_SECONDS
    # Most of the material is real calendars: far more give events than errors.
    assert outcomes["events"] > 3 * outcomes["error"], outcomes
