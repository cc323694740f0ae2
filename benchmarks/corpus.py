"""Time the iCal source over every file of ../shared/corpus/ics/ (the corpus test, with a report).

    .venv/bin/python benchmarks/corpus.py                      # the limits of the test: 2 s, 200 occurrences
    .venv/bin/python benchmarks/corpus.py --expand-seconds 10 --max-occurrences 2000   # a real run's limits

Prints a Markdown table of outcomes, total and slowest files (docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "plugins"))

from events.collect.sources import ical  # noqa: E402
from events.collect.sources.base import ParseRequest, SourceError  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "ics"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--expand-seconds", type=float, default=2.0)
    parser.add_argument("--max-occurrences", type=int, default=200)
    options = parser.parse_args()
    if not CORPUS.is_dir():
        print(f"no corpus at {CORPUS}")
        return 1
    ny = ZoneInfo("America/New_York")
    request = ParseRequest(
        datetime(1900, 1, 1, tzinfo=ny), datetime(2100, 1, 1, tzinfo=ny), ny, options.max_occurrences, options.expand_seconds
    )
    files = sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.name != "SOURCES.md")
    counts = {"occurrences": 0, "no occurrences, reason given": 0, "SourceError": 0, "other exception": 0}
    times: list[tuple[float, str]] = []
    started, cpu = time.monotonic(), time.process_time()
    for path in files:
        began = time.monotonic()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                result = ical.parse(path.read_bytes(), request)
            counts["occurrences" if result.occurrences else "no occurrences, reason given"] += 1
        except SourceError:
            counts["SourceError"] += 1
        except Exception:
            counts["other exception"] += 1
        times.append((time.monotonic() - began, str(path.relative_to(CORPUS))))
    wall, cpu = time.monotonic() - started, time.process_time() - cpu
    print(f"{len(files)} files, limits {options.expand_seconds:g} s and {options.max_occurrences} occurrences per file\n")
    print("| outcome | files |\n| --- | ---: |")
    for name, value in counts.items():
        print(f"| {name} | {value} |")
    print(f"\nwhole corpus: {wall:.1f} s wall, {cpu:.1f} s CPU; median file {sorted(times)[len(times) // 2][0] * 1000:.0f} ms\n")
    print("| slowest files | seconds |\n| --- | ---: |")
    for seconds, name in sorted(times, reverse=True)[:5]:
        print(f"| {name} | {seconds:.2f} |")
    return 1 if counts["other exception"] else 0


if __name__ == "__main__":
    sys.exit(main())
