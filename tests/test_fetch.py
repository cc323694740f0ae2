"""Fetching against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from events.fetch import Fetcher

CALENDAR = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"


class Script:
    """What the test server answers, request by request."""

    def __init__(self) -> None:
        self.requests: list[dict[str, str]] = []
        self.answers: list[tuple[int, dict[str, str], bytes, float]] = []
        self.default = (200, {"ETag": '"v1"'}, CALENDAR, 0.0)


@pytest.fixture
def server():
    script = Script()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            script.requests.append({k.lower(): v for k, v in self.headers.items()})
            status, headers, body, delay = script.answers.pop(0) if script.answers else script.default
            if headers.get("ETag") and self.headers.get("If-None-Match") == headers["ETag"]:
                status, body = 304, b""
            time.sleep(delay)
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up, as the timeout tests intend

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield script, f"http://127.0.0.1:{httpd.server_port}/feed.ics"
    httpd.shutdown()
    httpd.server_close()


def fetcher(tmp_path, **options) -> Fetcher:
    waits: list[float] = []
    made = Fetcher(tmp_path / "http.sqlite", sleep=waits.append, user_agent="events-test/1", **options)
    made.waits = waits  # type: ignore[attr-defined]
    return made


def test_unchanged_feed_is_revalidated_with_etag_and_answered_304(tmp_path, server):
    script, url = server
    first = fetcher(tmp_path).fetch(url)
    second = fetcher(tmp_path).fetch(url)
    assert first.ok and first.content == CALENDAR and not first.revalidated
    assert second.ok and second.content == CALENDAR and second.revalidated
    assert script.requests[1]["if-none-match"] == '"v1"'
    assert script.requests[0]["user-agent"] == "events-test/1"


def test_server_error_is_retried_then_succeeds(tmp_path, server):
    script, url = server
    script.answers = [(503, {"Retry-After": "2"}, b"busy", 0.0), (500, {}, b"oops", 0.0)]
    made = fetcher(tmp_path)
    result = made.fetch(url)
    assert result.ok and result.attempts == 3
    assert made.waits == [2.0, 1.0]


def test_not_found_fails_at_once_with_the_status(tmp_path, server):
    script, url = server
    script.answers = [(404, {}, b"no", 0.0)]
    result = fetcher(tmp_path).fetch(url)
    assert not result.ok and result.attempts == 1 and result.error == "HTTP 404 Not Found"


def test_slow_server_times_out_within_the_bound(tmp_path, server):
    script, url = server
    script.default = (200, {}, CALENDAR, 2.0)
    started = time.monotonic()
    result = fetcher(tmp_path, timeout=0.3, retries=2).fetch(url)
    assert not result.ok and result.error == "timed out" and result.attempts == 2
    assert time.monotonic() - started < 4


def test_oversized_body_is_refused(tmp_path, server):
    script, url = server
    script.default = (200, {}, b"X" * 5000, 0.0)
    result = fetcher(tmp_path, max_bytes=1000).fetch(url)
    assert not result.ok and "over the 1,000-byte limit" in result.error


def test_dead_port_is_a_clear_failure(tmp_path):
    result = fetcher(tmp_path, retries=1).fetch("http://127.0.0.1:9/feed.ics")
    assert not result.ok and result.error == "could not connect"
