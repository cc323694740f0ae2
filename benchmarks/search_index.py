"""Search index benchmark: Pagefind over the event pages of a synthetic site, a bundle per month.

    .venv/bin/python benchmarks/search_index.py --events 2500 20000

For each size it fills a SQLite store like benchmarks/generate.py, builds the
site with EVENTS_SEARCH=false, then times `index_shards` on it: a cold index
(every month's bundle), the unchanged night (no page changed: no Pagefind
run) and a night that changed one event page (its month only). Each step
runs in a child process, so its peak RSS is that of the largest Pagefind run
and nothing else. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "plugins"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from generate import _env, synthetic_events, write_groups  # noqa: E402

from events.site.search_index import INDEX_FOLDER, index_shards  # noqa: E402
from events.store.sqlite import SQLiteStore  # noqa: E402

# The start the page shows and the search sorts by; its month is the page's shard (as event_shards plans it).
SORT_START = re.compile(r'datetime="([0-9]{4}-[0-9]{2})[^"]*" data-pagefind-sort="date\[datetime\]"')


def page_shards(output: Path) -> dict[str, str]:
    shards = {}
    for page in sorted(output.glob("events/*/index.html")):
        found = SORT_START.search(page.read_text(encoding="utf-8"))
        if found:
            shards[page.relative_to(output).as_posix()] = found.group(1)
    return shards


def _step(output: Path, shards: dict[str, str]) -> tuple[float, int, float]:
    """One `index_shards` run in this (child) process: seconds, bundles indexed, peak RSS (MB) of its Pagefind runs."""
    started = time.perf_counter()
    result = index_shards(output, shards)
    seconds = time.perf_counter() - started
    return seconds, len(result.indexed), resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def step(output: Path, shards: dict[str, str]) -> tuple[float, int, float]:
    with multiprocessing.get_context("fork").Pool(1) as pool:
        return pool.apply(_step, (output, shards))


def bench(count: int, where: str | None) -> dict[str, float]:
    work = Path(tempfile.mkdtemp(prefix="events-search-bench-", dir=where))
    try:
        write_groups(work / "_groups")
        store = SQLiteStore(work / "cache" / "events.sqlite3")
        store.write(synthetic_events(count), [])
        store.close()
        output = work / "output"
        command = [sys.executable, "-m", "pelican", str(ROOT / "content"), "-s", str(ROOT / "pelicanconf.py"), "-o", str(output)]
        subprocess.run(command, cwd=ROOT, env={**_env(work), "EVENTS_SEARCH": "false"}, check=True, capture_output=True)
        shards = page_shards(output)
        cold, bundles, cold_rss = step(output, shards)
        unchanged, unchanged_runs, _ = step(output, shards)
        page = output / sorted(shards)[len(shards) // 2]
        page.write_text(page.read_text(encoding="utf-8").replace("networking", "networking and pizza", 1), encoding="utf-8")
        one, one_runs, one_rss = step(output, shards)
        files = [p for p in (output / INDEX_FOLDER).rglob("*") if p.is_file()]
        return {
            "events": count, "pages": len(shards), "bundles": bundles, "index": cold, "rss": cold_rss,
            "unchanged": unchanged, "unchanged_runs": unchanged_runs, "one": one, "one_runs": one_runs, "one_rss": one_rss,
            "files": len(files), "mb": sum(p.stat().st_size for p in files) / 1e6, "load": os.getloadavg()[0],
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, nargs="+", default=[2500, 20_000])
    parser.add_argument("--dir", default=None, help="folder for the synthetic sites (default: the temp folder)")
    args = parser.parse_args()
    print(
        "| events | event pages | month bundles | cold index (s) | peak RSS (MB) | unchanged night (s) "
        "| one page changed (s) | bundles re-indexed | peak RSS (MB) | index files | index MB | load |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for count in args.events:
        r = bench(count, args.dir)
        print(f"| {r['events']:,} | {r['pages']:,} | {r['bundles']} | {r['index']:.1f} | {r['rss']:.0f} | ", end="")
        print(f"{r['unchanged']:.3f} ({r['unchanged_runs']} runs) | ", end="")
        print(f"{r['one']:.1f} | {r['one_runs']} | {r['one_rss']:.0f} | {r['files']:,} | {r['mb']:.1f} | {r['load']:.1f} |", flush=True)


if __name__ == "__main__":
    main()
