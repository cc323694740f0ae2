"""Time the iCal source over every file of ../shared/corpus/ics/ and compare it with the plain libraries.

    .venv/bin/python benchmarks/corpus.py                      # the test's window and limits, 3 runs
    .venv/bin/python benchmarks/corpus.py --start 1900-01-01 --end 2100-01-01   # the old test's 200-year window
    .venv/bin/python benchmarks/corpus.py --expand-seconds 10 --max-occurrences 2000   # a real run's limits

Prints Markdown tables (docs/benchmarks.md): outcomes per file, occurrences
against plain icalendar + x-wr-timezone + recurring-ical-events between()
over the same window, occurrences left out by reason, and the wall time of
the whole corpus (median of the runs).
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import sys
import time
import warnings
from collections import Counter
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "plugins"))
sys.path.insert(0, str(ROOT / "tests"))

import test_corpus  # noqa: E402  (the test's corpus path and reference)

from events.collect.sources import ical  # noqa: E402
from events.collect.sources.base import ParseRequest, SourceError  # noqa: E402

CORPUS = test_corpus.CORPUS


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--start", default="2026-01-01")
    parser.add_argument("--end", default="2026-04-01")
    parser.add_argument("--expand-seconds", type=float, default=2.0)
    parser.add_argument("--max-occurrences", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-reference", action="store_true", help="skip the comparison with the plain libraries")
    options = parser.parse_args()
    if not CORPUS.is_dir():
        print(f"no corpus at {CORPUS}")
        return 1
    ny = ZoneInfo("America/New_York")
    start = datetime.fromisoformat(options.start).replace(tzinfo=ny)
    end = datetime.fromisoformat(options.end).replace(tzinfo=ny)
    request = ParseRequest(start, end, ny, options.max_occurrences, options.expand_seconds)
    files = sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.name != "SOURCES.md")
    contents = [(str(p.relative_to(CORPUS)), p.read_bytes()) for p in files]
    walls, cpus, digests = [], [], set()
    for _ in range(options.runs):
        digest = hashlib.sha256()
        outcomes: Counter[str] = Counter()
        reasons: Counter[str] = Counter()
        ours: dict[str, tuple[int, int]] = {}
        times: list[tuple[float, str]] = []
        started, cpu = time.monotonic(), time.process_time()
        for name, content in contents:
            began = time.monotonic()
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    result = ical.parse(content, request)
                outcomes["occurrences" if result.occurrences else "no occurrences, reason given"] += 1
                left_out = dict(getattr(result, "left_out", ()))  # older versions counted nothing
                reasons.update(left_out)
                ours[name] = (len(result.occurrences), sum(left_out.values()))
                digest.update(repr((name, result.occurrences, sorted(left_out.items()))).encode())
            except SourceError:
                outcomes["SourceError"] += 1
                ours[name] = (0, -1)
            except Exception:
                outcomes["other exception"] += 1
                ours[name] = (0, 0)
            times.append((time.monotonic() - began, name))
        digests.add(digest.hexdigest())
        walls.append(time.monotonic() - started)
        cpus.append(time.process_time() - cpu)
    print(f"{len(files)} files, window {options.start} to {options.end}, limits {options.expand_seconds:g} s and "
          f"{options.max_occurrences} occurrences per file, {options.runs} runs\n")
    print("| outcome | files |\n| --- | ---: |")
    for key in ("occurrences", "no occurrences, reason given", "SourceError", "other exception"):
        print(f"| {key} | {outcomes[key]} |")
    print("\n| left out, by reason | count |\n| --- | ---: |")
    for key, value in sorted(reasons.items()):
        print(f"| `{key}` | {value} |")
    print(f"\nwhole corpus: median {statistics.median(walls):.2f} s wall ({', '.join(f'{w:.2f}' for w in walls)}), "
          f"median {statistics.median(cpus):.2f} s CPU; median file {sorted(times)[len(times) // 2][0] * 1000:.1f} ms\n")
    print(f"the {options.runs} runs gave {'the same' if len(digests) == 1 else f'{len(digests)} different'} results\n")
    print("| slowest files (last run) | seconds |\n| --- | ---: |")
    for seconds, name in sorted(times, reverse=True)[:5]:
        print(f"| {name} | {seconds:.2f} |")
    if not options.no_reference:
        test_corpus.WINDOW = (start, end)
        compare: Counter[str] = Counter()
        total_ours = total_reference = 0
        for name, content in contents:
            expected = test_corpus.reference_count(content)
            found, counted = ours[name]
            if expected is None:
                compare["reference took over 5 s (not compared)"] += 1
                continue
            total_ours += found
            total_reference += expected
            if found >= expected:
                compare["as many occurrences as the reference or more"] += 1
            elif counted:
                compare["fewer, with a counted reason or a SourceError"] += 1
            else:
                compare["fewer, no reason counted"] += 1
        print(f"\noccurrences: ours {total_ours}, reference {total_reference} (files compared)\n")
        print("| against the reference | files |\n| --- | ---: |")
        for key, value in sorted(compare.items()):
            print(f"| {key} | {value} |")
    return 1 if outcomes["other exception"] else 0


if __name__ == "__main__":
    sys.exit(main())
