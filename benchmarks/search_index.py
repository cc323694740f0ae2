"""Search index benchmark: Pagefind over the event pages of a synthetic site.

    .venv/bin/python benchmarks/search_index.py --events 2500 20000

For each size it fills a SQLite store like benchmarks/generate.py, builds the
site with EVENTS_SEARCH=false, then times `index_site` on it (every event
page is indexed) and the unchanged-night path (no page rewritten: skipped).
Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import os
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

from events.site.search_index import INDEX_FOLDER, index_site  # noqa: E402
from events.store.sqlite import SQLiteStore  # noqa: E402


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
        pages = len(list(output.glob("events/*/index.html")))
        started = time.perf_counter()
        index_site(output, "first")
        indexed = time.perf_counter() - started
        started = time.perf_counter()
        skipped = index_site(output, "first")
        unchanged = time.perf_counter() - started
        files = [p for p in (output / INDEX_FOLDER).rglob("*") if p.is_file()]
        return {
            "events": count, "pages": pages, "index": indexed, "unchanged": unchanged, "skipped": not skipped.indexed,
            "files": len(files), "mb": sum(p.stat().st_size for p in files) / 1e6, "load": os.getloadavg()[0],
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, nargs="+", default=[2500, 20_000])
    parser.add_argument("--dir", default=None, help="folder for the synthetic sites (default: the temp folder)")
    args = parser.parse_args()
    print("| events | event pages | index (s) | unchanged night (s) | index files | index MB | load |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for count in args.events:
        r = bench(count, args.dir)
        skipped = " (skipped)" if r["skipped"] else ""
        print(f"| {r['events']:,} | {r['pages']:,} | {r['index']:.1f} | {r['unchanged']:.3f}{skipped} | ", end="")
        print(f"{r['files']:,} | {r['mb']:.1f} | {r['load']:.1f} |", flush=True)


if __name__ == "__main__":
    main()
