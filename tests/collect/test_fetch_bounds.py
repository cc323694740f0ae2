"""The bounds of a fetch, against real servers on 127.0.0.1: slow drips, Retry-After, redirects, the address rule.

Every fetch here is bounded by counts (requests made, tries, waits asked
for) and by deadlines far above what the bound under test allows, so a
loaded machine makes them slower but not flaky.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from feedserver import LoopbackServer

from events.collect.address_rule import refusal
from events.collect.fetch import Fetcher
from events.collect.guarded_http import Address

CALENDAR = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"
ICS = "text/calendar"
# What the slowest test below may take: its bound is 1 s a try; the drips would go on for a minute.
GENEROUS = 20.0


def make(tmp_path: Path, **options: object) -> Fetcher:
    waits: list[float] = []
    options.setdefault("allow_private", True)
    made = Fetcher(tmp_path / "http.sqlite", sleep=waits.append, **options)  # type: ignore[arg-type]
    made.waits = waits  # type: ignore[attr-defined]
    return made


class _Drip:
    """A server that sends its answer one byte at a time, `interval` seconds apart, for at most `limit` bytes."""

    def __init__(self, head: bytes, body: bytes, drip_head: bool, interval: float = 0.2, limit: int = 300) -> None:
        self.sent = 0
        self.stop = threading.Event()
        drip = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                slow, fast = (head + body, b"") if drip_head else (body, head)
                with contextlib.suppress(OSError):
                    self.wfile.write(fast)
                    self.wfile.flush()
                    for byte in slow[:limit]:
                        if drip.stop.wait(interval):
                            return
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                        drip.sent += 1

            def log_message(self, *args: object) -> None:
                pass

        self.server = LoopbackServer(Handler)

    @contextlib.contextmanager
    def running(self) -> Iterator[str]:
        with self.server:
            try:
                yield self.server.base_url + "/feed.ics"
            finally:
                self.stop.set()


class Routes(LoopbackServer):
    """Answers each path with (status, headers, body) and counts the requests per path."""

    def __init__(self, routes: dict[str, tuple[int, dict[str, str], bytes]]) -> None:
        self.hits: dict[str, int] = {}
        hits = self.hits

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                hits[path] = hits.get(path, 0) + 1
                status, headers, body = routes.get(path, (404, {}, b"not found"))
                self.send_response(status)
                for name, value in {"Content-Type": ICS, **headers, "Content-Length": str(len(body))}.items():
                    self.send_header(name, value)
                self.end_headers()
                with contextlib.suppress(OSError):
                    self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        super().__init__(Handler)


HEAD = b"HTTP/1.0 200 OK\r\nContent-Type: text/calendar\r\n" + b"X-Padding: " + b"p" * 200 + b"\r\n\r\n"


@pytest.mark.parametrize(
    "what, head, drip_head",
    [
        ("headers", HEAD, True),
        ("body with a length", HEAD.replace(b"\r\n\r\n", b"\r\nContent-Length: 200\r\n\r\n"), False),
        ("body without a length", HEAD, False),
    ],
)
def test_a_server_dripping_one_byte_at_a_time_is_cut_off_at_the_try_deadline(tmp_path, what, head, drip_head):
    # Each byte comes well within the socket timeout, so only the try's wall-clock deadline can end this.
    drip = _Drip(head, b"B" * 200, drip_head)
    with drip.running() as url:
        started = time.monotonic()
        result = make(tmp_path, timeout=1.0, retries=1).fetch(url)
        elapsed = time.monotonic() - started
    assert not result.ok and result.reason == "timeout" and result.attempts == 1, result
    assert result.error == "no complete answer within 1 s"
    assert elapsed < GENEROUS and drip.sent < 100  # not the 300 bytes (a minute) the server would drip


def test_retries_of_a_dripping_server_each_get_their_own_deadline(tmp_path):
    drip = _Drip(HEAD, b"B" * 200, drip_head=True)
    with drip.running() as url:
        made = make(tmp_path, timeout=0.5, retries=2)
        result = made.fetch(url)
    assert not result.ok and result.reason == "timeout" and result.attempts == 2
    assert made.waits == [0.5]


def test_a_retry_after_longer_than_the_allowed_wait_is_not_waited_for(tmp_path):
    with Routes({"/feed.ics": (503, {"Retry-After": "3600"}, b"busy")}) as server:
        made = make(tmp_path, retry_wait=30.0)
        result = made.fetch(server.base_url + "/feed.ics")
    assert not result.ok and result.reason == "http-5xx" and result.attempts == 1
    assert made.waits == [] and server.hits == {"/feed.ics": 1}
    assert result.error == "HTTP 503 Service Unavailable; asked to wait 3600 s before trying again, more than the 30 s allowed"


def test_waits_between_tries_stop_at_the_allowed_total(tmp_path):
    with Routes({"/feed.ics": (503, {"Retry-After": "20"}, b"busy")}) as server:
        made = make(tmp_path, retries=5, retry_wait=30.0)
        result = made.fetch(server.base_url + "/feed.ics")
    # 20 s once; a second 20 s would make 40 s of waiting, over the 30 s allowed.
    assert made.waits == [20.0] and result.attempts == 2 and server.hits == {"/feed.ics": 2}


def _redirect(location: str) -> tuple[int, dict[str, str], bytes]:
    return (302, {"Location": location}, b"")


def test_a_redirect_loop_stops_after_the_allowed_redirects_and_is_not_retried(tmp_path):
    routes = {"/a": _redirect("/b"), "/b": _redirect("/a")}
    with Routes(routes) as server:
        result = make(tmp_path, max_redirects=5).fetch(server.base_url + "/a")
    assert not result.ok and result.reason == "redirects" and result.attempts == 1
    assert sum(server.hits.values()) == 6  # the first request and 5 redirects


def test_a_redirect_to_a_file_url_is_refused_without_retrying(tmp_path):
    with Routes({"/feed.ics": _redirect("file:///etc/passwd")}) as server:
        result = make(tmp_path).fetch(server.base_url + "/feed.ics")
    assert not result.ok and result.reason == "refused-scheme" and result.attempts == 1
    assert result.error == "redirected to file:///etc/passwd, not an http(s) URL; refused"
    assert server.hits == {"/feed.ics": 1}


def _loopback_is_public(ip: str) -> str | None:
    """The address rule, with the test server's own address counting as public."""
    return None if ip == "127.0.0.1" else refusal(ip)


@pytest.mark.parametrize(
    "location, message",
    [
        ("http://169.254.169.254/latest/meta-data/", "the feed's address 169.254.169.254 is link-local; refused"),
        ("http://10.0.0.5:8080/feed.ics", "the feed's address 10.0.0.5 is private; refused"),
        ("http://[::ffff:192.168.1.1]/feed.ics", "the feed's address ::ffff:192.168.1.1 is private; refused"),
        ("http://intranet.test/feed.ics", "the feed's address 10.1.2.3 (intranet.test) is private; refused"),
    ],
)
def test_a_redirect_to_a_private_address_is_refused_before_connecting(tmp_path, location, message):
    def resolve(host: str) -> list[Address]:
        assert host == "intranet.test", host  # nothing else is looked up: no test reaches a real resolver
        return [(socket.AF_INET, "10.1.2.3", 0)]

    with Routes({"/feed.ics": _redirect(location)}) as server:
        result = make(tmp_path, allow_private=False, address_rule=_loopback_is_public, resolve=resolve).fetch(server.base_url + "/feed.ics")
    assert not result.ok and result.reason == "refused-address" and result.attempts == 1
    assert result.error == message


def test_a_feed_on_loopback_is_refused_by_default_and_read_when_allowed(tmp_path):
    with Routes({"/feed.ics": (200, {}, CALENDAR)}) as server:
        url = server.base_url + "/feed.ics"
        refused = Fetcher(None, retries=3).fetch(url)
        allowed = Fetcher(None, allow_private=True).fetch(url)
    assert not refused.ok and refused.reason == "refused-address" and refused.attempts == 1
    assert refused.error == "the feed's address 127.0.0.1 is loopback; refused"
    assert allowed.ok and allowed.content == CALENDAR
    assert server.hits == {"/feed.ics": 1}  # the refused fetch never connected


def test_a_name_is_resolved_once_per_run_and_connected_to_at_that_address(tmp_path):
    """DNS rebinding: a second answer pointing somewhere private is never asked for, let alone used."""
    answers = [[(socket.AF_INET, "127.0.0.1", 0)], [(socket.AF_INET, "169.254.169.254", 0)]]
    asked: list[str] = []

    def resolve(host: str) -> list[Address]:
        asked.append(host)
        return answers[min(len(asked), len(answers)) - 1]

    with Routes({"/one.ics": (200, {}, CALENDAR), "/two.ics": (200, {}, CALENDAR)}) as server:
        port = server.base_url.rsplit(":", 1)[1]
        made = make(tmp_path, allow_private=False, address_rule=_loopback_is_public, resolve=resolve)
        results = made.fetch_many([f"http://feeds.test:{port}/one.ics", f"http://feeds.test:{port}/two.ics"])
    assert asked == ["feeds.test"]
    assert all(r.ok for r in results.values()) and server.hits == {"/one.ics": 1, "/two.ics": 1}


def test_the_preview_applies_the_same_rule(tmp_path):
    from events.models import Group
    from events.run.collection import make_fetcher
    from events.run.preview import preview_groups
    from events.settings import EventsSettings

    settings = EventsSettings.from_mapping({"EVENTS_NOW": "2026-03-02T09:00:00-05:00"}, tmp_path)
    with Routes({"/feed.ics": (200, {}, CALENDAR)}) as server:
        group = Group("local", "Local", "https://example.org/", ical=server.base_url + "/feed.ics")
        fetcher = make_fetcher(settings, in_memory=True)
        try:
            (preview,) = preview_groups(settings, [group], fetcher, settings.clock.now())
        finally:
            fetcher.close()
    assert not preview.ok and preview.error.startswith("fetch failed: the feed's address 127.0.0.1 is loopback; refused (")
    assert server.hits == {}


def test_a_kept_alive_connection_is_bounded_by_the_try_that_reuses_it(tmp_path):
    """The second request goes over the first one's connection; its slow body is still cut off."""
    peers: list[int] = []
    stop = threading.Event()

    class KeepAlive(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            peers.append(self.client_address[1])
            body = CALENDAR if len(peers) == 1 else b"B" * 300  # the second one would take a minute
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            with contextlib.suppress(OSError):
                if len(peers) == 1:
                    self.wfile.write(body)
                    return
                for byte in body:
                    if stop.wait(0.2):
                        return
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()

        def log_message(self, *args: object) -> None:
            pass

    with LoopbackServer(KeepAlive) as server:
        made = make(tmp_path, timeout=1.0, retries=1, per_host=1)
        first = made.fetch(server.base_url + "/first.ics")
        started = time.monotonic()
        second = made.fetch(server.base_url + "/second.ics")
        elapsed = time.monotonic() - started
        stop.set()
    assert first.ok and not second.ok and second.reason == "timeout"
    assert len(peers) == 2 and peers[0] == peers[1]  # one connection, kept alive
    assert elapsed < GENEROUS


def test_the_run_deadline_cuts_a_slow_try_short_and_stops_further_fetches(tmp_path):
    drip = _Drip(HEAD, b"B" * 200, drip_head=True)
    with drip.running() as url:
        made = make(tmp_path, timeout=30.0, retries=3)
        results = made.fetch_many([url], deadline=made.deadline_in(1.0))
        late = made.fetch_many([url + "?again"], deadline=made.deadline_in(0.0))
    (cut,) = results.values()
    assert not cut.ok and cut.reason == "deadline" and cut.attempts == 1 and made.waits == []
    (never,) = late.values()
    assert not never.ok and never.reason == "deadline" and never.attempts == 0
    assert never.error == "the run's time for fetching ran out"
