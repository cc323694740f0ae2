"""Fetching against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import contextlib
import threading
import time
from datetime import UTC
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from events.collect.fetch import Fetcher

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
        def do_GET(self) -> None:
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
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up, as the timeout tests intend
                self.wfile.write(body)

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
    options.setdefault("allow_private", True)  # the test servers listen on 127.0.0.1
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
    assert not result.ok and result.reason == "timeout" and result.attempts == 2
    assert result.error == "no complete answer within 0.3 s"
    assert time.monotonic() - started < 4


def test_oversized_body_is_refused(tmp_path, server):
    script, url = server
    script.default = (200, {}, b"X" * 5000, 0.0)
    result = fetcher(tmp_path, max_bytes=1000).fetch(url)
    assert not result.ok and "over the 1,000-byte limit" in result.error


def test_dead_port_is_a_clear_failure(tmp_path):
    result = fetcher(tmp_path, retries=1).fetch("http://127.0.0.1:9/feed.ics")
    assert not result.ok and result.error == "could not connect" and result.reason == "connection"


def test_last_modified_alone_also_gives_a_304(tmp_path, server):
    script, url = server
    stamp = "Mon, 02 Mar 2026 08:00:00 GMT"
    script.default = (200, {"Last-Modified": stamp}, CALENDAR, 0.0)
    first = fetcher(tmp_path).fetch(url)
    script.answers = [(304, {"Last-Modified": stamp}, b"", 0.0)]
    second = fetcher(tmp_path).fetch(url)
    assert first.ok and second.ok and second.content == CALENDAR and second.revalidated
    assert script.requests[1].get("if-modified-since") == stamp


def test_changed_feed_replaces_the_cached_body(tmp_path, server):
    script, url = server
    fetcher(tmp_path).fetch(url)
    newer = CALENDAR.replace(b"VERSION:2.0", b"VERSION:2.0\r\nX-WR-CALNAME:New")
    script.default = (200, {"ETag": '"v2"'}, newer, 0.0)
    result = fetcher(tmp_path).fetch(url)
    assert result.ok and result.content == newer and not result.revalidated


def test_expire_after_reuses_a_page_without_asking_again(tmp_path, server):
    from datetime import timedelta

    script, url = server
    made = fetcher(tmp_path)
    made.fetch(url, expire_after=timedelta(hours=12))
    again = made.fetch(url, expire_after=timedelta(hours=12))
    assert again.ok and again.from_cache and len(script.requests) == 1


def test_too_many_requests_honours_retry_after_as_a_date(tmp_path, server):
    from datetime import datetime, timedelta
    from email.utils import format_datetime

    script, url = server
    now = datetime(2026, 3, 2, 14, 0, 0, tzinfo=UTC)
    when = format_datetime(now + timedelta(seconds=5), usegmt=True)
    script.answers = [(429, {"Retry-After": when}, b"slow down", 0.0)]
    made = fetcher(tmp_path, wall_clock=now.timestamp)
    result = made.fetch(url)
    assert result.ok and result.attempts == 2
    assert made.waits == [5.0]


def test_retries_give_up_after_three_tries_with_backoff(tmp_path, server):
    script, url = server
    script.default = (502, {}, b"bad gateway", 0.0)
    made = fetcher(tmp_path)
    result = made.fetch(url)
    assert not result.ok and result.attempts == 3 and result.error == "HTTP 502 Bad Gateway"
    assert made.waits == [0.5, 1.0]


def test_oversized_body_without_content_length_is_refused_while_streaming(tmp_path):
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Chunked(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            try:
                for _ in range(50):
                    chunk = b"X" * 1000
                    self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                self.wfile.write(b"0\r\n\r\n")
            except (BrokenPipeError, ConnectionResetError):
                pass

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Chunked)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        result = fetcher(tmp_path, max_bytes=10_000).fetch(f"http://127.0.0.1:{httpd.server_port}/big.ics")
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert not result.ok and result.error == "response is over the 10,000-byte limit" and result.attempts == 1


def test_html_instead_of_a_calendar_is_fetched_then_refused_by_the_parser(tmp_path, server):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from events.collect.sources import ical
    from events.collect.sources.base import ParseRequest, SourceError

    script, url = server
    script.default = (200, {"Content-Type": "text/html"}, b"<!doctype html><html><body>Log in</body></html>", 0.0)
    result = fetcher(tmp_path).fetch(url)
    assert result.ok and result.content_type == "text/html"
    ny = ZoneInfo("America/New_York")
    request = ParseRequest(datetime(2026, 3, 1, tzinfo=ny), datetime(2026, 4, 1, tzinfo=ny), ny)
    with pytest.raises(SourceError, match=r"web page \(HTML\), not an iCalendar feed"):
        ical.parse(result.content, request)


def test_concurrency_is_bounded_per_host(tmp_path):
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    state = {"now": 0, "peak": 0}
    guard = threading.Lock()

    class Slow(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            with guard:
                state["now"] += 1
                state["peak"] = max(state["peak"], state["now"])
            time.sleep(0.2)
            with guard:
                state["now"] -= 1
            self.send_response(200)
            self.send_header("Content-Length", str(len(CALENDAR)))
            self.end_headers()
            self.wfile.write(CALENDAR)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Slow)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{httpd.server_port}"
        urls = [f"{base}/feed{i}.ics" for i in range(8)]
        results = fetcher(tmp_path, workers=8, per_host=2).fetch_many(urls)
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert all(r.ok for r in results.values()) and len(results) == 8
    assert state["peak"] == 2
