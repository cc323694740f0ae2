"""Collection wall time with N groups whose feeds each answer after a fixed latency.

Every group's feed is served from its own server on 127.0.0.1 (its own port,
so its own "host" for the per-host bound) and answers after LATENCY seconds.
The real Collector runs (fetch, parse, normalize, SQLite sync). Collection
is concurrent, so its wall time should stay near the slowest single feed
(about LATENCY), far from the sum of all (N x LATENCY), as long as the
worker count is at least N; with fewer workers it is about
ceil(N / workers) x LATENCY.

    .venv/bin/python benchmarks/collect_latency.py                  # 150 groups x 200 ms
    .venv/bin/python benchmarks/collect_latency.py --groups 50 --latency 0.5 --workers 16 64

Prints a Markdown table (the one in docs/benchmarks.md): the fetch phase,
which is what latency affects, and the whole collection, which adds the
local work per group (parse, normalize, one store transaction per group).
Exits non-zero when a group fails, or when a run with workers >= groups
fetches in more than 3 x the slowest feed plus 1 s.
Traffic stays on 127.0.0.1; every request loop is bounded.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "plugins"))
sys.path.insert(0, str(ROOT / "tests"))

from routedserver import RoutedServer  # noqa: E402

from events.collect.collector import Collector  # noqa: E402
from events.models import Group  # noqa: E402
from events.run.collection import make_fetcher  # noqa: E402
from events.settings import EventsSettings  # noqa: E402
from events.store.sqlite import SQLiteStore  # noqa: E402

NOW = "2026-03-02T09:00:00-05:00"


def feed(index: int) -> bytes:
    lines = [
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//bench//EN",
        "BEGIN:VEVENT", f"UID:bench-{index}@example.org", "DTSTAMP:20260201T000000Z",
        "DTSTART;TZID=America/New_York:20260310T180000", "DTEND;TZID=America/New_York:20260310T200000",
        "RRULE:FREQ=WEEKLY;COUNT=8", f"SUMMARY:Group {index} weekly meetup",
        "LOCATION:1630 7th St NW\\, Washington\\, DC 20001", "END:VEVENT", "END:VCALENDAR", "",
    ]
    return "\r\n".join(lines).encode()


def run(groups: int, latency: float, workers: int) -> dict[str, float]:
    servers = [RoutedServer({"/feed.ics": (200, "text/calendar", feed(i))}, latency=latency) for i in range(groups)]
    for server in servers:
        server.__enter__()
    try:
        with tempfile.TemporaryDirectory() as work:
            settings = EventsSettings.from_mapping(
                {
                    "EVENTS_NOW": NOW,
                    "EVENTS_CACHE_DIR": work,
                    "EVENTS_FETCH_WORKERS": workers,
                    "EVENTS_FETCH_TIMEOUT": max(5.0, latency * 10),
                    "EVENTS_FETCH_ALLOW_PRIVATE": True,  # the feeds are served on 127.0.0.1
                },
                ROOT,
            )
            group_list = [
                Group(f"group-{i:03d}", f"Group {i}", "https://example.org/", ical=f"{s.base_url}/feed.ics")
                for i, s in enumerate(servers)
            ]
            store = SQLiteStore(Path(work) / "events.sqlite3")
            fetcher = make_fetcher(settings)
            try:
                started = time.monotonic()
                report = Collector(settings, store, fetcher).run(group_list)
                wall = time.monotonic() - started
            finally:
                fetcher.close()
                store.close()
    finally:
        for server in servers:
            server.__exit__(None, None, None)
    failed = len(report.failed)
    return {
        "wall": wall,
        "fetch": report.durations["fetch"],
        "failed": failed,
        "events": sum(g.events_found for g in report.groups),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--groups", type=int, default=150)
    parser.add_argument("--latency", type=float, default=0.2, help="seconds each feed takes to answer")
    parser.add_argument("--workers", type=int, nargs="+", default=[16, 64, 150], help="EVENTS_FETCH_WORKERS values to try")
    options = parser.parse_args()
    total = options.groups * options.latency
    print(f"{options.groups} groups, each feed answering after {options.latency * 1000:.0f} ms "
          f"(slowest single feed: {options.latency:.2f} s; sum of all: {total:.1f} s)\n")
    print("| fetch workers | fetch phase (s) | fetch / slowest feed | fetch / sum of feeds | whole collection (s) | groups failed | events |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    ok = True
    for workers in options.workers:
        result = run(options.groups, options.latency, workers)
        print(
            f"| {workers} | {result['fetch']:.2f} | {result['fetch'] / options.latency:.1f} x | "
            f"{result['fetch'] / total:.1%} | {result['wall']:.2f} | {result['failed']:.0f} | {result['events']:.0f} |"
        )
        if result["failed"] or (workers >= options.groups and result["fetch"] > 3 * options.latency + 1.0):
            ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
