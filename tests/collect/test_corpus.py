"""Every real-world calendar of ../shared/corpus/ics/ through the iCal source.

Each file yields occurrences, or a clear per-file SourceError, or an empty
result whose warnings say why (no events, every event broken); no other
exception escapes, and the whole corpus finishes in bounded time.
"""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from events.collect.sources import ical
from events.collect.sources.base import ParseRequest, SourceError

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus" / "ics"
NY = ZoneInfo("America/New_York")
# A window as wide as the material (1996..2030s), with lower limits than a
# real run so the suite stays fast: 2 s and 200 occurrences per file.
EXPAND_SECONDS = 2.0
REQUEST = ParseRequest(datetime(1900, 1, 1, tzinfo=NY), datetime(2100, 1, 1, tzinfo=NY), NY, 200, EXPAND_SECONDS)
# Parsing itself is not under the expansion limit; no file of the corpus comes close.
PER_FILE_SECONDS = EXPAND_SECONDS + 8
TOTAL_SECONDS = 300

pytestmark = pytest.mark.skipif(
    not CORPUS.is_dir(),
    reason=f"no real-world calendars at {CORPUS} (next to the repository, not in it): "
    "README.md, section 'Real-world calendars (the corpus test)', says where they come from and how to get them",
)


def corpus_files() -> list[Path]:
    return sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.name != "SOURCES.md")


def test_every_corpus_file_yields_events_or_a_clear_error():
    files = corpus_files()
    assert len(files) > 500
    outcomes = {"events": 0, "explained": 0, "error": 0}
    unexplained, escaped, slow = [], [], []
    started = time.monotonic()
    for path in files:
        began = time.monotonic()
        try:
            result = ical.parse(path.read_bytes(), REQUEST)
        except SourceError as error:
            outcomes["error"] += 1
            if not str(error).strip():
                unexplained.append(f"{path}: empty SourceError")
        except Exception as error:
            escaped.append(f"{path.relative_to(CORPUS)}: {type(error).__name__}: {error}")
        else:
            if result.occurrences:
                outcomes["events"] += 1
            elif result.warnings:
                outcomes["explained"] += 1
            else:
                unexplained.append(f"{path.relative_to(CORPUS)}: no occurrences and no reason")
        if time.monotonic() - began > PER_FILE_SECONDS:
            slow.append(f"{path.relative_to(CORPUS)}: {time.monotonic() - began:.1f} s")
    total = time.monotonic() - started
    assert escaped == []
    assert unexplained == []
    assert slow == []
    assert total < TOTAL_SECONDS
    # Most of the material is real calendars: far more give events than errors.
    assert outcomes["events"] > 3 * outcomes["error"], outcomes
