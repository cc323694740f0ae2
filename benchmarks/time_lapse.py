"""Many nights of the real nightly against an independent model: the time-lapse of tests/run/test_time_lapse.py, longer.

A seeded world of groups served on 127.0.0.1 changes every night (events
added, edited, moved, cancelled, removed; groups added, deactivated,
deleted, broken; feeds answering 404, 500, garbage, an empty calendar or
too slowly). Each night runs `invoke nightly` in this process (collect into
SQLite, generate, publish to SeaweedFS, invalidate on moto's CloudFront)
with EVENTS_NOW a day later, then checks the site against a model of the
README's rules. Prints one table: nights, faults injected by kind, changes
by kind, divergences (must be 0) and wall time per night.

    .venv/bin/python benchmarks/time_lapse.py --nights 365 --seed 1

The same seed gives the same nights. Needs the test requirements (SeaweedFS, moto).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import logging
import statistics
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "plugins"), str(ROOT / "tests"), str(ROOT)]

from timelapse import NightCheck, TimeLapse, aws_site  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nights", type=int, default=365)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--groups", type=int, default=6)
    parser.add_argument("--events", type=int, default=6, help="events per group at the start")
    parser.add_argument("--fresh-build-every", type=int, default=7, help="compare with a second full build every N nights")
    parser.add_argument("--verbose", action="store_true", help="print each divergence")
    arguments = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    checks: list[NightCheck] = []
    with tempfile.TemporaryDirectory(prefix="time-lapse-") as folder:
        work = Path(folder)
        with aws_site(work / "servers") as (publish_settings, list_bucket):
            lapse = TimeLapse(arguments.seed, work, ROOT, publish_settings, list_bucket, arguments.groups, arguments.events)
            # Pelican prints a line per build to stdout; only the table goes there.
            with contextlib.redirect_stdout(io.StringIO()):
                for check in lapse.nights(arguments.nights, arguments.fresh_build_every):
                    checks.append(check)
                    if arguments.verbose:
                        for divergence in check.divergences:
                            print(f"night {check.night}: {divergence}", file=sys.stderr)
                    print(f"\rnight {check.night + 1}/{arguments.nights}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    seconds = [c.seconds for c in checks]
    divergences = sum(len(c.divergences) for c in checks)
    outside = Counter(key for c in checks for key in c.outside_plan)
    stages: dict[str, list[float]] = {}
    for check in checks:
        for name, value in check.stages.items():
            stages.setdefault(name, []).append(value)
    rows = [
        ("seed", str(arguments.seed)),
        ("nights", str(len(checks))),
        ("groups at the end", str(len(lapse.world.groups))),
        ("events listed at the end", str(checks[-1].listed)),
        *((f"fault: {kind}", str(count)) for kind, count in sorted(lapse.world.faults.items())),
        *((f"change: {kind}", str(count)) for kind, count in sorted(lapse.world.changes.items())),
        ("nights with a feed held as suspect", str(sum(1 for c in checks if c.held))),
        ("nights the run failed (too many groups failed)", str(sum(1 for c in checks if not c.ok))),
        ("divergences (must be 0)", str(divergences)),
        ("files outside the plan (until output pruning)", str(len(outside))),
        ("seconds per night, median", f"{statistics.median(seconds):.2f}"),
        ("seconds per night, max", f"{max(seconds):.2f}"),
        *((f"seconds in {name}, median", f"{statistics.median(values):.2f}") for name, values in stages.items()),
    ]
    width = max(len(name) for name, _ in rows)
    print(f"| {'what'.ljust(width)} | value |")
    print(f"| {'-' * width} | ----- |")
    for name, value in rows:
        print(f"| {name.ljust(width)} | {value} |")
    return 1 if divergences else 0


if __name__ == "__main__":
    sys.exit(main())
