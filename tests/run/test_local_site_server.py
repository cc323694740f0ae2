"""`invoke serve` answers like CloudFront: extension-less API paths and the site's own 404 page."""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path

import pytest

from events.run.local_server import serve_folder, site_path


@pytest.fixture
def site(tmp_path: Path) -> Path:
    (tmp_path / "api" / "events").mkdir(parents=True)
    (tmp_path / "api" / "events" / "upcoming.json").write_text('{"count": 0}')
    (tmp_path / "404.html").write_text("<!DOCTYPE html><title>Page not found</title><h1>Page not found</h1>")
    (tmp_path / "index.html").write_text("<!DOCTYPE html><title>Home</title>")
    return tmp_path


def get(url: str) -> tuple[int, str, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers["Content-Type"], response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read().decode()


def test_api_paths_without_json_and_missing_pages(site):
    with serve_folder(site, 0) as server:
        assert get(server.base_url + "/api/events/upcoming") == (200, "application/json", '{"count": 0}')
        assert get(server.base_url + "/api/events/upcoming?x=1")[0] == 200
        assert get(server.base_url + "/api/events/upcoming.json")[2] == '{"count": 0}'
        status, kind, body = get(server.base_url + "/no/such/page/")
        assert (status, kind) == (404, "text/html; charset=utf-8") and "<h1>Page not found</h1>" in body
        assert get(server.base_url + "/api/events/nothing")[0] == 404
        assert get(server.base_url + "/api/events/")[0] == 404  # no folder listings, as on S3
        assert get(server.base_url + "/")[0] == 200


@pytest.mark.parametrize(
    "path, expected",
    [("/api/events/upcoming", "/api/events/upcoming.json"), ("/api/events/none", "/api/events/none"), ("/api/", "/api/"), ("/groups/x", "/groups/x")],
)
def test_site_path(path, expected):
    assert site_path(path, lambda p: p == "/api/events/upcoming.json") == expected
