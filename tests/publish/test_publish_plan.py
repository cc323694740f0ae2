"""The pure core of publishing: headers, the sync plan, invalidation paths, the guard."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from events.publish import (
    LocalFile,
    RemoteObject,
    check_guard,
    headers_for,
    invalidation_batches,
    invalidation_paths,
    plan_upload,
    scan_output,
    upcoming_count,
)

SHORT = "public, max-age=300"
YEAR = "public, max-age=31536000, immutable"
HOUR = "public, max-age=3600"


@pytest.mark.parametrize(
    "key, content_type, cache_control",
    [
        ("index.html", "text/html; charset=utf-8", SHORT),
        ("events/3f2a9c1b8e4d0a1b2c3d/index.html", "text/html; charset=utf-8", SHORT),
        ("events.ics", "text/calendar; charset=utf-8", SHORT),
        ("groups/dc-python.ics", "text/calendar; charset=utf-8", SHORT),
        ("api/events.json", "application/json", SHORT),
        ("api/events/week/2026-W10.json", "application/json", SHORT),
        ("sitemap.xml", "application/xml", SHORT),
        ("feeds/all.atom.xml", "application/xml", SHORT),
        ("robots.txt", "text/plain; charset=utf-8", SHORT),
        ("theme/css/site.css", "text/css; charset=utf-8", HOUR),
        ("theme/css/site.3f2a9c1b.css", "text/css; charset=utf-8", YEAR),
        ("theme/js/app-0123456789abcdef.js", "text/javascript; charset=utf-8", YEAR),
        ("theme/img/logo.svg", "image/svg+xml", HOUR),
        ("favicon.ico", "image/x-icon", HOUR),
        ("theme/fonts/inter.5e6f7a8b.woff2", "font/woff2", YEAR),
        ("CNAME", "application/octet-stream", SHORT),
    ],
)
def test_headers_by_kind(key, content_type, cache_control):
    headers = headers_for(key)
    assert (headers.content_type, headers.cache_control) == (content_type, cache_control)


def test_a_hex_named_page_is_never_cached_as_immutable():
    # Event ids are hex; their pages and feeds change under the same name.
    assert headers_for("events/3f2a9c1b8e4d.ics").cache_control == SHORT
    assert headers_for("api/groups/abcdef0123.json").cache_control == SHORT


def _file(key: str, content: bytes) -> LocalFile:
    return LocalFile(key, Path("/nonexistent") / key, len(content), hashlib.md5(content).hexdigest())


def _remote(key: str, content: bytes, etag: str | None = None) -> RemoteObject:
    return RemoteObject(key, etag or f'"{hashlib.md5(content).hexdigest()}"', len(content))


def test_plan_uploads_changed_and_new_deletes_gone_keeps_same():
    local = [_file("index.html", b"new home"), _file("a/index.html", b"same"), _file("new.json", b"{}")]
    remote = [_remote("index.html", b"old home"), _remote("a/index.html", b"same"), _remote("gone.ics", b"x")]
    plan = plan_upload(local, remote)
    assert [f.key for f in plan.uploads] == ["new.json", "index.html"]
    assert plan.deletes == ("gone.ics",)
    assert plan.unchanged == ("a/index.html",)
    assert plan.changed_keys == ("gone.ics", "index.html", "new.json")
    assert plan.upload_bytes == len(b"new home") + 2


def test_multipart_etag_cannot_be_compared_so_it_is_uploaded_again():
    content = b"big file"
    plan = plan_upload([_file("big.pdf", content)], [_remote("big.pdf", content, '"0123456789abcdef0123456789abcdef-3"')])
    assert [f.key for f in plan.uploads] == ["big.pdf"]


def test_uploads_go_assets_first_pages_later_home_last():
    keys = ["index.html", "a/index.html", "events.ics", "theme/css/site.css", "api/events.json"]
    plan = plan_upload([_file(k, b"x") for k in keys], [])
    assert [f.key for f in plan.uploads] == [
        "theme/css/site.css",
        "api/events.json",
        "events.ics",
        "a/index.html",
        "index.html",
    ]


def test_an_unchanged_build_plans_nothing():
    files = [_file("index.html", b"home"), _file("events.ics", b"cal")]
    plan = plan_upload(files, [_remote(f.key, b"home" if f.key == "index.html" else b"cal") for f in files])
    assert plan.uploads == () and plan.deletes == () and plan.changed_keys == ()


@pytest.mark.parametrize(
    "keys, max_paths, expected",
    [
        ([], 10, ()),
        (["index.html"], 10, ("/", "/index.html")),
        (["2026/03/02/index.html", "events.ics"], 10, ("/2026/03/02/", "/2026/03/02/index.html", "/events.ics")),
        (["groups/a b/index.html"], 10, ("/groups/a%20b/", "/groups/a%20b/index.html")),
        (["a.json", "b.json", "c.json"], 3, ("/a.json", "/b.json", "/c.json")),
        (["a.json", "b.json", "c.json", "d.json"], 3, ("/*",)),
        (["x/index.html", "y.json"], 2, ("/*",)),
    ],
)
def test_invalidation_paths(keys, max_paths, expected):
    assert invalidation_paths(keys, max_paths) == expected


def test_invalidation_batches():
    assert invalidation_batches(("/a", "/b", "/c"), 2) == (("/a", "/b"), ("/c",))
    assert invalidation_batches((), 2) == ()


@pytest.mark.parametrize(
    "key, content, expected",
    [
        ("health.json", b'{"upcoming": 42, "generated": "x"}', 42),
        ("api/events.json", b'{"count": 7, "events": []}', 7),
        ("health.json", b'{"count": 7}', None),
        ("health.json", b'{"upcoming": "42"}', None),
        ("health.json", b'{"upcoming": true}', None),
        ("health.json", b"not json", None),
        ("api/events.json", b"[]", None),
        ("other.json", b'{"count": 7}', None),
    ],
)
def test_upcoming_count(key, content, expected):
    assert upcoming_count(key, content) == expected


@pytest.mark.parametrize(
    "built, live, ok",
    [
        (100, 100, True),
        (50, 100, True),
        (49, 100, False),
        (0, 100, False),
        (None, 100, False),
        (0, 0, True),
        (0, None, True),
        (None, None, True),
        (500, 10, True),
    ],
)
def test_guard(built, live, ok):
    result = check_guard(built, live, 0.5)
    assert result.ok is ok
    if not ok:
        assert "refusing to publish" in result.message and "--force" in result.message and str(live) in result.message


@pytest.mark.parametrize(
    "built, live, live_objects, ok",
    [
        (40, None, 9, False),  # objects but no readable count: fail closed, whatever the build has
        (None, None, 1, False),
        (40, None, 0, True),  # an empty bucket: the first deploy
        (0, 0, 9, True),  # a readable zero is a count: nothing to protect
        (40, 40, 9, True),
    ],
)
def test_guard_fails_closed_when_a_live_site_has_no_readable_count(built, live, live_objects, ok):
    result = check_guard(built, live, 0.5, live_objects=live_objects)
    assert result.ok is ok
    if not ok:
        assert result.message.startswith(f"refusing to publish: the live site has {live_objects} object(s) but no readable")
        assert "health.json, api/events/upcoming.json, api/events.json" in result.message and "--force" in result.message


def test_scan_output_skips_hidden_files_and_uses_slash_keys(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "index.html").write_bytes(b"page")
    (tmp_path / ".DS_Store").write_bytes(b"junk")
    (tmp_path / "a" / ".cache").mkdir()
    (tmp_path / "a" / ".cache" / "x").write_bytes(b"junk")
    files = scan_output(tmp_path)
    assert [(f.key, f.size, f.md5) for f in files] == [("a/b/index.html", 4, hashlib.md5(b"page").hexdigest())]


def test_scan_output_names_a_missing_build(tmp_path):
    with pytest.raises(FileNotFoundError, match="build the site first"):
        scan_output(tmp_path / "output")


def test_publish_settings_reach_the_publish_options(tmp_path):
    from events.publish import PublishOptions
    from events.settings import EventsSettings

    settings = EventsSettings.from_mapping(
        {
            "EVENTS_PUBLISH_BUCKET": "site-bucket",
            "EVENTS_PUBLISH_PREFIX": "dc",
            "EVENTS_PUBLISH_DISTRIBUTION": "E123",
            "EVENTS_PUBLISH_INVALIDATE_MAX": "40",
            "EVENTS_PUBLISH_GUARD_RATIO": "0.25",
        },
        tmp_path,
    )
    options = PublishOptions.from_settings(settings, dry_run=True)
    assert (options.bucket, options.prefix, options.distribution_id) == ("site-bucket", "dc", "E123")
    assert (options.max_paths, options.batch_size, options.guard_ratio, options.dry_run) == (40, 250, 0.25, True)


@pytest.mark.parametrize("value", ["1.5", "-0.1", "half"])
def test_a_guard_ratio_outside_zero_to_one_names_the_setting(tmp_path, value):
    from events.settings import EventsSettings, SettingsError

    with pytest.raises(SettingsError, match="EVENTS_PUBLISH_GUARD_RATIO: expected a share between 0 and 1"):
        EventsSettings.from_mapping({"EVENTS_PUBLISH_GUARD_RATIO": value}, tmp_path)


def test_publish_without_a_bucket_names_the_setting(tmp_path):
    from events.publish import PublishError, PublishOptions, publish

    with pytest.raises(PublishError, match="EVENTS_PUBLISH_BUCKET is empty"):
        publish(tmp_path, PublishOptions(bucket=""), s3_client=None)


def test_an_empty_build_is_never_published(tmp_path):
    from events.publish import PublishError, PublishOptions, publish

    (tmp_path / "output").mkdir()
    with pytest.raises(PublishError, match="is empty: nothing to publish"):
        publish(tmp_path / "output", PublishOptions(bucket="site"), s3_client=None)
