"""`publish` against a real S3 server (SeaweedFS) and moto's CloudFront."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from s3servers import TEST_KEY, TEST_SECRET, MotoServer, SeaweedS3

from events.publish import PublishError, PublishOptions, publish
from events.publish.aws import make_clients
from events.publish.publisher import GuardRefused

ROOT = Path(__file__).resolve().parents[2]
BUCKET = "site"
_prefixes = itertools.count()


@pytest.fixture(scope="module")
def s3_server(tmp_path_factory):
    server = SeaweedS3(tmp_path_factory.mktemp("seaweed"), BUCKET)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def cloudfront_server(tmp_path_factory):
    server = MotoServer(tmp_path_factory.mktemp("moto"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def aws_env(s3_server, cloudfront_server, monkeypatch, tmp_path):
    env = {
        "AWS_ENDPOINT_URL_S3": s3_server.endpoint,
        "AWS_ENDPOINT_URL_CLOUDFRONT": cloudfront_server.endpoint,
        "AWS_ACCESS_KEY_ID": TEST_KEY,
        "AWS_SECRET_ACCESS_KEY": TEST_SECRET,
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": str(tmp_path / "no-aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-aws-credentials"),
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    return env


@pytest.fixture
def clients(aws_env):
    return make_clients(connect_timeout=2, read_timeout=10)


@pytest.fixture
def distribution_id(clients):
    _s3, cloudfront = clients
    response = cloudfront.create_distribution(
        DistributionConfig={
            "CallerReference": f"test-{os.getpid()}-{next(_prefixes)}",
            "Comment": "publish tests",
            "Enabled": True,
            "Origins": {
                "Quantity": 1,
                "Items": [{"Id": "s3", "DomainName": f"{BUCKET}.s3.amazonaws.com", "S3OriginConfig": {"OriginAccessIdentity": ""}}],
            },
            "DefaultCacheBehavior": {
                "TargetOriginId": "s3",
                "ViewerProtocolPolicy": "redirect-to-https",
                "MinTTL": 0,
                "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}},
            },
        }
    )
    return response["Distribution"]["Id"]


@pytest.fixture
def options(distribution_id):
    """Options for a fresh site under its own prefix of the shared bucket."""
    return PublishOptions(bucket=BUCKET, prefix=f"t{next(_prefixes)}/site", distribution_id=distribution_id, workers=4)


def recorded_invalidations(server: MotoServer, distribution_id: str) -> list[list[str]]:
    """The path lists moto recorded for one distribution, oldest first."""
    batches = server.recorded().get("cloudfront", {}).get("Invalidation", [])
    return [b["paths"] for b in batches if f"/distribution/{distribution_id}/" in b["location"]]


SITE = {
    "index.html": "<!doctype html><title>home</title>",
    "2026/03/02/index.html": "<!doctype html><title>day</title>",
    "events.ics": "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
    "api/events.json": json.dumps({"count": 40, "events": []}),
    "health.json": json.dumps({"upcoming": 40}),
    "sitemap.xml": "<?xml version='1.0'?><urlset/>",
    "robots.txt": "User-agent: *\n",
    "theme/css/site.css": "body{}",
    "theme/css/site.0a1b2c3d.css": "body{color:red}",
}


def write_site(root: Path, files: dict[str, str]) -> Path:
    for key, text in files.items():
        path = root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def live_keys(s3, options: PublishOptions) -> set[str]:
    prefix = options.prefix.strip("/") + "/"
    listing = s3.list_objects_v2(Bucket=BUCKET, Prefix=prefix)
    return {item["Key"][len(prefix) :] for item in listing.get("Contents", [])}


@pytest.mark.parametrize(
    "key, content_type, cache_control",
    [
        ("index.html", "text/html; charset=utf-8", "public, max-age=300"),
        ("2026/03/02/index.html", "text/html; charset=utf-8", "public, max-age=300"),
        ("events.ics", "text/calendar; charset=utf-8", "public, max-age=300"),
        ("api/events.json", "application/json", "public, max-age=300"),
        ("sitemap.xml", "application/xml", "public, max-age=300"),
        ("robots.txt", "text/plain; charset=utf-8", "public, max-age=300"),
        ("theme/css/site.css", "text/css; charset=utf-8", "public, max-age=3600"),
        ("theme/css/site.0a1b2c3d.css", "text/css; charset=utf-8", "public, max-age=31536000, immutable"),
    ],
)
def test_first_publish_stores_content_types_and_cache_headers(tmp_path, clients, options, key, content_type, cache_control):
    s3, cloudfront = clients
    report = publish(write_site(tmp_path / "output", SITE), options, s3, cloudfront)
    assert set(report.uploaded) == set(SITE) and report.deleted == () and report.unchanged == 0
    head = s3.head_object(Bucket=BUCKET, Key=f"{options.prefix}/{key}")
    assert (head["ContentType"], head["CacheControl"]) == (content_type, cache_control)
    body = s3.get_object(Bucket=BUCKET, Key=f"{options.prefix}/{key}")["Body"].read()
    assert body == SITE[key].encode()


def test_second_publish_of_an_unchanged_build_uploads_nothing_and_invalidates_nothing(
    tmp_path, clients, options, cloudfront_server
):
    s3, cloudfront = clients
    site = write_site(tmp_path / "output", SITE)
    first = publish(site, options, s3, cloudfront)
    assert first.bytes_uploaded == sum(len(v.encode()) for v in SITE.values())
    assert recorded_invalidations(cloudfront_server, options.distribution_id) == [list(first.invalidated)]
    assert "/2026/03/02/" in first.invalidated and "/" in first.invalidated

    second = publish(site, options, s3, cloudfront)
    assert (second.uploaded, second.deleted, second.bytes_uploaded) == ((), (), 0)
    assert second.unchanged == len(SITE)
    assert second.invalidated == () and second.invalidation_ids == ()
    assert len(recorded_invalidations(cloudfront_server, options.distribution_id)) == 1
    assert second.summary() == f"uploaded 0 file(s) (0 bytes), deleted 0, unchanged {len(SITE)}, invalidated 0 path(s)"


def test_changed_and_removed_files_are_uploaded_deleted_and_invalidated_exactly(
    tmp_path, clients, options, cloudfront_server
):
    s3, cloudfront = clients
    site = write_site(tmp_path / "output", {**SITE, "2026/03/01/index.html": "<p>gone tomorrow</p>"})
    publish(site, options, s3, cloudfront)
    (site / "2026" / "03" / "01" / "index.html").unlink()
    (site / "2026" / "03" / "02" / "index.html").write_text("<!doctype html><title>day, edited</title>")
    (site / "events.ics").write_text("BEGIN:VCALENDAR\r\nX-EDITED:1\r\nEND:VCALENDAR\r\n")

    report = publish(site, options, s3, cloudfront)
    assert set(report.uploaded) == {"2026/03/02/index.html", "events.ics"}
    assert report.deleted == ("2026/03/01/index.html",)
    assert report.unchanged == len(SITE) - 2
    assert "2026/03/01/index.html" not in live_keys(s3, options)
    expected = ["/2026/03/01/", "/2026/03/01/index.html", "/2026/03/02/", "/2026/03/02/index.html", "/events.ics"]
    assert list(report.invalidated) == expected
    assert recorded_invalidations(cloudfront_server, options.distribution_id)[-1] == expected


def test_many_changes_invalidate_everything_once(tmp_path, clients, options, cloudfront_server):
    s3, cloudfront = clients
    few = PublishOptions(**{**options.__dict__, "max_paths": 3})
    report = publish(write_site(tmp_path / "output", SITE), few, s3, cloudfront)
    assert report.invalidated == ("/*",)
    assert recorded_invalidations(cloudfront_server, options.distribution_id) == [["/*"]]


def test_paths_are_sent_in_batches(tmp_path, clients, options, cloudfront_server):
    s3, cloudfront = clients
    small = PublishOptions(**{**options.__dict__, "batch_size": 4})
    report = publish(write_site(tmp_path / "output", SITE), small, s3, cloudfront)
    batches = recorded_invalidations(cloudfront_server, options.distribution_id)
    assert [len(b) for b in batches] == [4, 4, 3]  # 9 files, 2 of them index.html pages
    assert sorted(p for b in batches for p in b) == sorted(report.invalidated)
    assert len(report.invalidation_ids) == 3


def test_dry_run_changes_nothing(tmp_path, clients, options, cloudfront_server):
    s3, cloudfront = clients
    dry = PublishOptions(**{**options.__dict__, "dry_run": True})
    report = publish(write_site(tmp_path / "output", SITE), dry, s3, cloudfront)
    assert set(report.uploaded) == set(SITE) and report.dry_run
    assert "upload index.html" in report.details() and "invalidate /" in report.details()
    assert live_keys(s3, options) == set()
    assert recorded_invalidations(cloudfront_server, options.distribution_id) == []


@pytest.mark.parametrize("count_file", ["health.json", "api/events.json"])
def test_guard_refuses_a_build_that_lost_most_events_unless_forced(tmp_path, clients, options, count_file):
    s3, cloudfront = clients
    publish(write_site(tmp_path / "live", SITE), options, s3, cloudfront)
    shrunk = {**SITE, "index.html": "<p>empty</p>"}
    if count_file == "health.json":
        shrunk["health.json"] = json.dumps({"upcoming": 3})
    else:
        del shrunk["health.json"]
        shrunk["api/events.json"] = json.dumps({"count": 3, "events": []})
    site = write_site(tmp_path / "output", shrunk)

    with pytest.raises(GuardRefused, match=r"refusing to publish: the build has 3 upcoming events but the live site lists 40"):
        publish(site, options, s3, cloudfront)
    home = s3.get_object(Bucket=BUCKET, Key=f"{options.prefix}/index.html")["Body"].read()
    assert home == SITE["index.html"].encode()

    forced = publish(site, PublishOptions(**{**options.__dict__, "force": True}), s3, cloudfront)
    assert "index.html" in forced.uploaded
    assert forced.guard.ok is False and forced.guard.live == 40


def test_guard_lets_the_first_publish_through(tmp_path, clients, options):
    s3, cloudfront = clients
    report = publish(write_site(tmp_path / "output", {"index.html": "<p>hello</p>"}), options, s3, cloudfront)
    assert report.guard.ok and report.guard.live is None and report.uploaded == ("index.html",)


def _put(s3, options: PublishOptions, key: str, body: bytes, **extra) -> None:
    s3.put_object(Bucket=BUCKET, Key=f"{options.prefix}/{key}", Body=body, **extra)


COUNTLESS = {key: text for key, text in SITE.items() if key not in ("health.json", "api/events.json")}


@pytest.mark.parametrize(
    "live_count_files",
    [
        pytest.param({}, id="count-files-missing"),
        pytest.param({"health.json": b"{not json", "api/events.json": b"\xff\xfe"}, id="count-files-garbled"),
        pytest.param({"health.json": b'{"upcoming": "many"}', "api/events/upcoming.json": b"[]"}, id="counts-not-numbers"),
        pytest.param({"health.json": "unreadable"}, id="count-file-unreadable"),
    ],
)
def test_guard_fails_closed_when_the_live_count_cannot_be_read(tmp_path, clients, options, live_count_files):
    """Regression: an unreadable live count used to let a build of 0 events through, deleting every event page."""
    s3, cloudfront = clients
    publish(write_site(tmp_path / "live", COUNTLESS), options, s3, cloudfront)
    for key, body in live_count_files.items():
        if body == "unreadable":
            # Encrypted with a key the publisher does not have: listed, but every GET fails.
            _put(s3, options, key, b'{"upcoming": 40}', SSECustomerAlgorithm="AES256", SSECustomerKey=os.urandom(32))
        else:
            _put(s3, options, key, body)
    nothing = {"health.json": json.dumps({"upcoming": 0}), "api/events.json": json.dumps({"count": 0, "events": []})}
    empty = write_site(tmp_path / "output", {**SITE, **nothing, "index.html": "<p>none</p>"})
    before = live_keys(s3, options)

    with pytest.raises(GuardRefused, match=r"refusing to publish: the live site has \d+ object\(s\) but no readable upcoming-event count"):
        publish(empty, options, s3, cloudfront)
    assert live_keys(s3, options) == before
    home = s3.get_object(Bucket=BUCKET, Key=f"{options.prefix}/index.html")["Body"].read()
    assert home == SITE["index.html"].encode()

    forced = publish(empty, PublishOptions(**{**options.__dict__, "force": True}), s3, cloudfront)
    assert forced.guard.ok is False and forced.guard.live is None and "index.html" in forced.uploaded


def test_guard_falls_back_to_the_events_file_when_health_is_garbled(tmp_path, clients, options):
    s3, cloudfront = clients
    publish(write_site(tmp_path / "live", SITE), options, s3, cloudfront)  # api/events.json counts 40
    _put(s3, options, "health.json", b"<html>oops</html>")
    shrunk = write_site(tmp_path / "output", {**SITE, "health.json": json.dumps({"upcoming": 3})})
    with pytest.raises(GuardRefused, match=r"the build has 3 upcoming events but the live site lists 40"):
        publish(shrunk, options, s3, cloudfront)
    whole = write_site(tmp_path / "whole", SITE)
    report = publish(whole, options, s3, cloudfront)
    assert report.guard.ok and report.guard.live == 40 and report.uploaded == ("health.json",)


def test_guard_lets_a_first_deploy_of_any_size_through(tmp_path, clients, options):
    s3, cloudfront = clients
    site = write_site(tmp_path / "output", {**SITE, "health.json": json.dumps({"upcoming": 0})})
    report = publish(site, options, s3, cloudfront)
    assert report.guard.ok and report.guard.live is None and "first deploy" in report.guard.message
    assert live_keys(s3, options) == set(SITE)


def test_failure_midway_deletes_nothing_and_the_next_publish_completes(
    tmp_path, clients, options, s3_server, cloudfront_server
):
    s3, cloudfront = clients
    publish(write_site(tmp_path / "live", {**SITE, "old/index.html": "<p>old</p>"}), options, s3, cloudfront)
    site = tmp_path / "output"
    edited = {key: text + "<!-- v2 -->" for key, text in SITE.items() if key.endswith((".html", ".css", ".txt"))}
    write_site(site, {**SITE, **edited})
    one_at_a_time = PublishOptions(**{**options.__dict__, "workers": 1})
    uploaded: list[str] = []

    def stop_after_two(file):
        uploaded.append(file.key)
        if len(uploaded) == 2:
            s3_server.stop()

    try:
        with pytest.raises(PublishError, match=r"failed: .*2 of 5 file\(s\) were uploaded and nothing was deleted; the live site is whole\. Run publish again"):
            publish(site, one_at_a_time, s3, cloudfront, on_uploaded=stop_after_two)
    finally:
        s3_server.start()
    assert "old/index.html" in live_keys(s3, options)
    # What did reach the bucket is invalidated now: the next run sees it unchanged.
    partial = recorded_invalidations(cloudfront_server, options.distribution_id)[-1]
    assert partial == sorted(f"/{key}" for key in uploaded)

    report = publish(site, options, s3, cloudfront)
    assert set(report.uploaded) == set(edited) - set(uploaded)
    assert report.deleted == ("old/index.html",)
    assert live_keys(s3, options) == set(SITE)


def test_invoke_publish_exits_non_zero_with_the_guard_message(tmp_path, clients, options, aws_env):
    s3, cloudfront = clients
    publish(write_site(tmp_path / "live", SITE), options, s3, cloudfront)
    site = write_site(tmp_path / "output", {**SITE, "health.json": json.dumps({"upcoming": 0})})
    env = {
        **os.environ,
        **aws_env,
        "EVENTS_PUBLISH_BUCKET": BUCKET,
        "EVENTS_PUBLISH_PREFIX": options.prefix,
        "EVENTS_PUBLISH_DISTRIBUTION": options.distribution_id,
    }
    command = [sys.executable, "-m", "invoke", "publish", "--conf", "pelicanconf.py", "--output", str(site)]
    refused = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert refused.returncode != 0
    assert "refusing to publish: the build has 0 upcoming events but the live site lists 40" in refused.stderr

    dry = subprocess.run([*command, "--force", "--dry-run"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.splitlines() == [
        "upload health.json",
        "invalidate /health.json",
        "would upload 1 file(s) (15 bytes), would delete 0, unchanged 8, would invalidate 1 path(s)",
    ]


def test_a_rebuilt_unchanged_demo_site_publishes_nothing(tmp_path, clients, options, cloudfront_server):
    """DESIGN.md: the same store and clock give byte-identical files, so an unchanged night uploads nothing."""
    from conftest import DATA, build_site
    from feedserver import FeedServer, write_demo_groups

    s3, cloudfront = clients
    # One feed server for both builds: its port shows in the sources page's error for the offline group.
    with FeedServer(DATA / "demo" / "feeds") as server:
        groups = write_demo_groups(DATA / "demo" / "groups", tmp_path / "_groups", server.base_url)
        built = build_site(tmp_path / "first", groups)
        rebuilt = build_site(tmp_path / "second", groups)
    first = publish(built, options, s3, cloudfront)
    assert len(first.uploaded) == sum(1 for p in built.rglob("*") if p.is_file() and not p.name.startswith("."))
    assert ".manifest.json" not in live_keys(s3, options)
    head = s3.head_object(Bucket=BUCKET, Key=f"{options.prefix}/events.ics")
    assert head["ContentType"] == "text/calendar; charset=utf-8"
    after_first = recorded_invalidations(cloudfront_server, options.distribution_id)
    assert after_first
    second = publish(rebuilt, options, s3, cloudfront)
    assert (second.uploaded, second.deleted, second.bytes_uploaded, second.invalidated) == ((), (), 0, ())
    assert recorded_invalidations(cloudfront_server, options.distribution_id) == after_first


def test_an_unreachable_bucket_is_a_clear_error(tmp_path, clients, options):
    s3, cloudfront = clients
    missing = PublishOptions(**{**options.__dict__, "bucket": "no-such-bucket"})
    with pytest.raises(PublishError, match=r"cannot read s3://no-such-bucket/.*NoSuchBucket.*nothing was changed"):
        publish(write_site(tmp_path / "output", SITE), missing, s3, cloudfront)


def test_a_failed_invalidation_says_the_bucket_is_already_up_to_date(tmp_path, clients, options):
    s3, cloudfront = clients
    unknown = PublishOptions(**{**options.__dict__, "distribution_id": "ENOSUCHDIST"})
    with pytest.raises(PublishError, match=r"the bucket is up to date but invalidating 2 path\(s\) failed: .*NoSuchDistribution"):
        publish(write_site(tmp_path / "output", {"a.json": "{}", "b.json": "[]"}), unknown, s3, cloudfront)
    assert live_keys(s3, options) == {"a.json", "b.json"}
