"""Whole nightly runs at several sizes: cold, unchanged, one group changed, next day.

    .venv/bin/python benchmarks/nightly.py                          # 2,500 events, 3 runs of each scenario
    .venv/bin/python benchmarks/nightly.py --events 2500 32000 100000 --runs 1

Each size gets deterministic feeds (about 25 events per group: a weekly
series with one occurrence moved and one cancelled, a monthly series,
all-day, multi-day and online events), served on 127.0.0.1 by one routed
server, and runs `invoke nightly --no-publish-site` (collect, then generate
into output/) as a separate process, four times in a row on the same cache
and output folder:

- cold: empty cache, store and output/;
- unchanged: the same night again, every feed answering the same bytes;
- one group changed: one group's feed gains an event;
- next day: the clock a day later, feeds as before (the window moves).

For each run it reports wall time, CPU time (user + system), peak RSS of
the run's process tree (any one process: Pagefind's is often the largest)
and of the run's own process (from the run summary), and, measured from the output folder itself (not
from what the code says of itself), files written and removed. The run
summary's own counters are shown next to them when it has them. Prints a
Markdown table (the one in docs/benchmarks.md). Traffic stays on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "plugins"))
sys.path.insert(0, str(ROOT / "tests"))

from routedserver import RoutedServer  # noqa: E402

# A Tuesday: documents are parsed over a week-stable window that starts on the Monday before, so
# "next day" (Wednesday) reuses every parse; a run on the following Tuesday parses them again.
NOW = datetime.fromisoformat("2026-03-03T09:00:00-05:00")
EVENTS_PER_GROUP = 25
SCENARIOS = ("cold", "unchanged", "one group changed", "next day")


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%S")


def feed(index: int, extra: int = 0) -> bytes:
    """One group's calendar: 13 weekly, 3 monthly and 9 single events in the 90 days after NOW; `extra` more when changed."""
    day0 = NOW.replace(hour=0, minute=0, second=0) + timedelta(days=index % 7)
    tz = "TZID=America/New_York"
    weekly = day0 + timedelta(hours=18, minutes=30)
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:-//bench//group {index}//EN", "X-WR-CALNAME:Group"]

    def event(uid: str, summary: str, start: datetime, end: datetime, *more: str, all_day: bool = False) -> None:
        when = (
            [f"DTSTART;VALUE=DATE:{start:%Y%m%d}", f"DTEND;VALUE=DATE:{end:%Y%m%d}"]
            if all_day
            else [f"DTSTART;{tz}:{_stamp(start)}", f"DTEND;{tz}:{_stamp(end)}"]
        )
        lines.extend(["BEGIN:VEVENT", f"UID:{uid}-{index}@bench.example", "DTSTAMP:20260201T000000Z", *when, f"SUMMARY:{summary}", *more, "END:VEVENT"])

    place = "LOCATION:1630 7th St NW\\, Washington\\, DC 20001"
    event("weekly", f"Group {index} weekly meetup", weekly, weekly + timedelta(hours=2), "RRULE:FREQ=WEEKLY;COUNT=13", place,
          f"DESCRIPTION:Talks and pizza at group {index}.")
    moved = weekly + timedelta(weeks=2)
    event("weekly", f"Group {index} weekly meetup (moved)", moved + timedelta(days=1), moved + timedelta(days=1, hours=2),
          f"RECURRENCE-ID;{tz}:{_stamp(moved)}", place)
    cancelled = weekly + timedelta(weeks=4)
    event("weekly", f"Group {index} weekly meetup", cancelled, cancelled + timedelta(hours=2),
          f"RECURRENCE-ID;{tz}:{_stamp(cancelled)}", "STATUS:CANCELLED", place)
    monthly = day0 + timedelta(days=3, hours=12)
    event("monthly", f"Group {index} lunch", monthly, monthly + timedelta(hours=1), "RRULE:FREQ=MONTHLY;COUNT=3",
          "LOCATION:Spark Baltimore\\, 8 Market Pl\\, Baltimore\\, MD 21202")
    for n in range(9 + extra):
        start = day0 + timedelta(days=5 + n * 9, hours=10)
        if n == 0:
            event(f"single-{n}", f"Group {index} hack day", start, start + timedelta(days=1), all_day=True)
        elif n == 1:
            event(f"single-{n}", f"Group {index} conference", start, start + timedelta(days=2),
                  "LOCATION:Arlington Central Library\\, 1015 N Quincy St\\, Arlington\\, VA 22201", all_day=True)
        elif n == 2:
            event(f"single-{n}", f"Group {index} online talk", start, start + timedelta(hours=1),
                  "LOCATION:Online event", "URL:https://meet.example.org/talk")
        else:
            event(f"single-{n}", f"Group {index} workshop {n}", start, start + timedelta(hours=3), place)
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    found: dict[str, tuple[int, int]] = {}
    for path in folder.rglob("*"):
        if path.is_file():
            info = path.stat()
            found[str(path.relative_to(folder))] = (info.st_mtime_ns, info.st_size)
    return found


def run_night(env: dict[str, str], output: Path, summary: Path) -> dict[str, Any]:
    before = snapshot(output) if output.exists() else {}
    command = [sys.executable, "-m", "invoke", "nightly", "--conf", "pelicanconf.py", "--no-publish-site", "--output", str(output)]
    started = time.monotonic()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert process.stderr is not None
    errors = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.monotonic() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"nightly failed:\n{errors.decode(errors='replace')[-3000:]}")
    after = snapshot(output)
    data = json.loads(summary.read_text()) if summary.exists() else {}
    generate = data.get("stages", {}).get("generate", {})
    own = [stage.get("peak_rss_mib") for stage in data.get("stages", {}).values() if stage.get("peak_rss_mib") is not None]
    return {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "rss_mib": usage.ru_maxrss / 1024,
        "own_rss_mib": max(own) if own else 0,
        "parsed": (data.get("documents") or {}).get("parsed", 0),
        "written": sum(1 for k, v in after.items() if before.get(k) != v),
        "removed": sum(1 for k in before if k not in after),
        "files": len(after),
        "events": (data.get("totals") or {}).get("upcoming"),
        "rendered": generate.get("pages_rendered"),
    }


def measure(events: int, runs: int, work_root: Path) -> dict[str, list[dict[str, Any]]]:
    groups = max(1, events // EVENTS_PER_GROUP)
    versions = dict.fromkeys(range(groups), 0)

    def answer(index: int) -> Callable[[], tuple[int, str, bytes]]:
        return lambda: (200, "text/calendar; charset=utf-8", feed(index, versions[index]))

    results: dict[str, list[dict[str, Any]]] = {name: [] for name in SCENARIOS}
    with RoutedServer({f"/g/{i}.ics": answer(i) for i in range(groups)}, etags=True) as server:
        for _ in range(runs):
            versions.update(dict.fromkeys(versions, 0))
            work = Path(tempfile.mkdtemp(prefix="bench-nightly-", dir=work_root))
            try:
                folder = work / "_groups"
                folder.mkdir()
                for i in range(groups):
                    (folder / f"group-{i:05d}.yaml").write_text(
                        f"name: Group {i}\nwebsite: https://example.org/{i}/\nical: {server.base_url}/g/{i}.ics\n", encoding="utf-8"
                    )
                (work / "empty").mkdir()
                summary = work / "summary.json"
                env = {
                    **os.environ,
                    "EVENTS_GROUPS_DIR": str(folder),
                    "EVENTS_SINGLE_EVENTS_DIR": str(work / "empty"),
                    "EVENTS_OVERLAYS_DIR": str(work / "empty"),
                    "EVENTS_CACHE_DIR": str(work / "cache"),
                    "EVENTS_RUN_SUMMARY": str(summary),
                    "EVENTS_NOW": NOW.isoformat(),
                    **EXTRA_ENV,
                }
                output = work / "output"
                results["cold"].append(run_night(env, output, summary))
                results["unchanged"].append(run_night(env, output, summary))
                versions[0] = 1
                results["one group changed"].append(run_night(env, output, summary))
                env["EVENTS_NOW"] = (NOW + timedelta(days=1)).isoformat()
                results["next day"].append(run_night(env, output, summary))
            finally:
                shutil.rmtree(work, ignore_errors=True)
    return results


# The feeds are served on 127.0.0.1, which a real run refuses.
EXTRA_ENV: dict[str, str] = {"EVENTS_FETCH_ALLOW_PRIVATE": "true"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, nargs="+", default=[2500])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=None, help="where to build (default: the system's temporary folder)")
    options = parser.parse_args()
    print(f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; medians of {options.runs} run(s)\n")
    print(
        "| events | groups | night | wall (s) | CPU (s) | peak RSS, run process (MiB) | peak RSS, any process (MiB) "
        "| feeds parsed | pages rendered | files written | files removed | files in output |"
    )
    print("| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for events in options.events:
        results = measure(events, options.runs, options.dir or Path(tempfile.gettempdir()))
        for name in SCENARIOS:
            rows = results[name]

            def median(key: str, rows: list[dict[str, Any]] = rows) -> float:
                return statistics.median(r[key] for r in rows)

            rendered = "" if rows[0]["rendered"] is None else f"{median('rendered'):.0f}"
            print(
                f"| {events:,} | {max(1, events // EVENTS_PER_GROUP):,} | {name} | {median('wall'):.2f} | {median('cpu'):.2f} | "
                f"{median('own_rss_mib'):.0f} | {median('rss_mib'):.0f} | {median('parsed'):.0f} | {rendered} | "
                f"{median('written'):.0f} | {median('removed'):.0f} | {median('files'):.0f} |"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
