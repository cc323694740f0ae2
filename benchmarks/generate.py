"""Generation benchmark: the whole Pelican generate step on a synthetic SQLite store.

    /work/main/.venv/bin/python benchmarks/generate.py               # 0 (start-up), 2,500 and 100,000 events
    /work/main/.venv/bin/python benchmarks/generate.py --events 2500 --runs 5

For each size it fills a SQLite store with synthetic events (spread from 30
days back to 90 days ahead, over 150 groups), then times `pelican` with
EVENTS_COLLECT=false (what `invoke generate` runs) into an empty output
folder ("cold"), and again into the same folder ("rerun": nothing changed,
so no file is rewritten). It also times, in-process, the pure planning
steps (store read, page planning, artifact planning) to show where time
goes, and reports the output's size. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "plugins"))

from events.models import Event, StoredEvent  # noqa: E402
from events.store.base import content_hash  # noqa: E402
from events.store.sqlite import SQLiteStore  # noqa: E402

NOW = "2026-03-02T09:00:00-05:00"
ZONE = ZoneInfo("America/New_York")
GROUPS = 150
CATEGORIES = ("ai", "cloud", "data", "cybersecurity", "software-development", "programming-languages", "social")
PLACES = (
    ("DC", "Washington", "Martin Luther King Jr. Memorial Library, 901 G St NW, Washington, DC 20001"),
    ("MD", "Baltimore", "Spark Baltimore, 8 Market Pl, Baltimore, MD 21202"),
    ("VA", "Arlington", "Arlington Central Library, 1015 N Quincy St, Arlington, VA 22201"),
)


def write_groups(folder: Path) -> None:
    folder.mkdir(parents=True)
    for n in range(GROUPS):
        categories = ", ".join(CATEGORIES[(n + k) % len(CATEGORIES)] for k in range(2))
        (folder / f"group-{n:03d}.yaml").write_text(
            f"name: Synthetic Group {n}\nwebsite: https://example.org/g{n}/\n"
            f"ical: https://example.org/g{n}/events.ics\ncategories: [{categories}]\n",
            encoding="utf-8",
        )


def synthetic_events(count: int) -> list[StoredEvent]:
    now = datetime.fromisoformat(NOW)
    first = now - timedelta(days=30)
    span = timedelta(days=120).total_seconds()
    added = datetime(2026, 1, 1, tzinfo=UTC)
    events = []
    for n in range(count):
        group = n % GROUPS
        start = (first + timedelta(seconds=int(span * n / count))).astimezone(ZONE).replace(second=0)
        start = start.replace(minute=(start.minute // 15) * 15)
        kind = n % 10
        all_day = kind == 9
        if all_day:
            start = start.replace(hour=0, minute=0)
        end = start + (timedelta(days=1) if all_day else timedelta(hours=2))
        state, city, place = PLACES[n % 3]
        location_type = "virtual" if kind == 7 else "hybrid" if kind == 8 else "in_person"
        event = Event(
            event_id=f"{n:020x}",
            group_id=f"group-{group:03d}",
            group_name=f"Synthetic Group {group}",
            group_website=f"https://example.org/g{group}/",
            title=f"Synthetic event {n}: talks, demos & networking",
            start=start,
            end=end,
            all_day=all_day,
            timezone="America/New_York",
            url=f"https://example.org/g{group}/events/{n}/",
            location="" if location_type == "virtual" else place,
            city="" if location_type == "virtual" else city,
            state="" if location_type == "virtual" else state,
            location_type=location_type,
            description="<p>An evening of short talks and demos.</p>" * 4,
            summary="An evening of short talks and demos, then time to meet people working on similar things.",
            categories=(CATEGORIES[group % len(CATEGORIES)], CATEGORIES[(group + 1) % len(CATEGORIES)]),
            status="cancelled" if n % 50 == 0 else "confirmed",
            source_type="ical",
            source_uid=f"uid-{n}@example.org",
        )
        created = added + timedelta(minutes=n)
        events.append(StoredEvent(event, n % 3, content_hash(event), created, created))
    return events


def _env(work: Path) -> dict[str, str]:
    return {
        **os.environ,
        "EVENTS_GROUPS_DIR": str(work / "_groups"),
        "EVENTS_CACHE_DIR": str(work / "cache"),
        "EVENTS_NOW": NOW,
        "EVENTS_COLLECT": "false",
    }


def pelican_run(work: Path, output: Path) -> tuple[float, float]:
    """Wall time of the whole process, and the run time Pelican reports (no interpreter start-up or imports)."""
    command = [sys.executable, "-m", "pelican", str(ROOT / "content"), "-s", str(ROOT / "pelicanconf.py"), "-o", str(output)]
    started = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, env=_env(work), check=True, capture_output=True, text=True)
    wall = time.perf_counter() - started
    reported = re.search(r"in ([0-9.]+) seconds", " ".join((result.stdout + result.stderr).split()))
    return wall, float(reported.group(1)) if reported else float("nan")


def planning_times(work: Path) -> dict[str, float]:
    """In-process: store read, page planning, artifact planning (no rendering, no writing)."""
    from events.collect.collector import collection_window
    from events.inputs.groups import load_categories, load_groups
    from events.site.event_view import event_view
    from events.site.files.data_files import plan_artifacts
    from events.site.pages.listing_pages import plan_pages
    from events.site.records import SiteInfo

    now = datetime.fromisoformat(NOW).astimezone(ZONE)
    categories = load_categories(ROOT / "data" / "categories.yaml")
    groups = load_groups(work / "_groups", categories, None).groups
    started = time.perf_counter()
    store = SQLiteStore(work / "cache" / "events.sqlite3")
    window_start, window_end = collection_window(now, 90)
    stored = store.window(window_start - timedelta(days=365), window_end)
    states = store.group_states()
    store.close()
    read = time.perf_counter()
    site = SiteInfo("Bench", "", ZONE, 14, "bench.example", ("DC", "MD", "VA"), groups, states, categories)
    views = [event_view(s, ZONE) for s in stored]
    plan_pages(views, now, site)
    pages = time.perf_counter()
    for _ in plan_artifacts(views, now, site):  # made one by one, as the build writes them
        pass
    artifacts = time.perf_counter()
    return {"read": read - started, "pages": pages - read, "artifacts": artifacts - pages}


def folder_size(folder: Path) -> tuple[int, int]:
    files = [p for p in folder.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def bench(count: int, runs: int, where: str | None = None) -> dict[str, object]:
    work = Path(tempfile.mkdtemp(prefix="events-bench-", dir=where))
    try:
        write_groups(work / "_groups")
        store = SQLiteStore(work / "cache" / "events.sqlite3")
        store.write(synthetic_events(count), [])
        store.close()
        cold: list[tuple[float, float]] = []
        rerun: list[tuple[float, float]] = []
        load_before = os.getloadavg()[0]
        for run in range(runs):
            output = work / f"output-{run}"
            cold.append(pelican_run(work, output))
            rerun.append(pelican_run(work, output))
        files, size = folder_size(work / "output-0")
        plan = [planning_times(work) for _ in range(runs)]
        return {
            "events": count,
            "cold": statistics.median(c[0] for c in cold),
            "cold_pelican": statistics.median(c[1] for c in cold),
            "rerun": statistics.median(r[0] for r in rerun),
            "rerun_pelican": statistics.median(r[1] for r in rerun),
            "read": statistics.median(p["read"] for p in plan),
            "pages": statistics.median(p["pages"] for p in plan),
            "artifacts": statistics.median(p["artifacts"] for p in plan),
            "files": files,
            "size": size,
            # Other work on the machine slows every step; the load average says how busy it was.
            "load": max(load_before, os.getloadavg()[0]),
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, nargs="+", default=[0, 2500, 100_000])
    parser.add_argument("--runs", type=int, default=0, help="runs per size (default: 5 below 10,000 events, else 1)")
    parser.add_argument(
        "--dir",
        default=None,
        help="folder for the store and the output (default: the system's temp folder); "
        "/dev/shm takes the disk out of the figures",
    )
    args = parser.parse_args()
    cpu = platform.processor() or platform.machine()
    print(f"Machine: {os.cpu_count()} cores, {cpu}, Python {platform.python_version()}, {platform.system()}, "
          f"output in {args.dir or tempfile.gettempdir()}\n")
    print(
        "| events | runs | `pelican` process, cold (s) | Pelican's run, cold (s) | process, rerun (s) "
        "| Pelican's run, rerun (s) | store read (s) | page planning (s) | artifact planning (s) | files "
        "| output size (MB) | load average |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for count in args.events:
        runs = args.runs or (5 if count < 10_000 else 1)
        r = bench(count, runs, args.dir)
        print(
            f"| {count:,} | {runs} | {r['cold']:.2f} | {r['cold_pelican']:.2f} | {r['rerun']:.2f} | "
            f"{r['rerun_pelican']:.2f} | {r['read']:.2f} | {r['pages']:.2f} | "
            f"{r['artifacts']:.2f} | {r['files']:,} | {r['size'] / 1e6:.1f} | {r['load']:.1f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
