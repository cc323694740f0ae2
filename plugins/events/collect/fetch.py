"""HTTP fetching: one cached session, concurrent, bounded per host, retried, and guarded.

Every unchanged feed costs a conditional request answered 304 (requests-cache
keeps the body and its ETag / Last-Modified). Every fetch is bounded:

- each try has one wall-clock deadline for connecting, headers and body
  together (`timeout`; a watchdog shuts the connection down when it passes);
- at most `retries` tries, and at most `retry_wait` seconds of waiting
  between them (Retry-After included: a server that asks for longer is not
  tried again);
- at most `max_redirects` redirects, to http(s) URLs only;
- a size cap on the body;
- an optional deadline for a whole batch (`fetch_many(deadline=...)`): what
  is not fetched by then fails with the reason "deadline".

Connections go only to public addresses unless `allow_private` (see
`address_rule` and `guarded_http`). Every failure carries a reason from
`REASONS`, so a run can count its failures by cause.
"""

from __future__ import annotations

import http.client
import logging
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, replace
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
import requests_cache
import urllib3

from events.collect.address_rule import refusal
from events.collect.guarded_http import FetchFailure, Guard, GuardedAdapter, Names, Resolver, system_resolver

__all__ = ["NO_NETWORK_MIN_HOSTS", "REASONS", "FetchFailure", "FetchResult", "Fetcher", "reason_for_status"]

log = logging.getLogger(__name__)

# Why a fetch (or a group) failed: a short, stable vocabulary for logs, reports and the run summary.
REASONS: dict[str, str] = {
    "timeout": "the try's deadline (EVENTS_FETCH_TIMEOUT) passed: connecting, headers or body too slow",
    "dns": "the host name did not resolve",
    "no-network": "no host name of the run resolved: the machine has no network",
    "connection": "the connection failed (refused, reset, TLS)",
    "refused-address": "the feed or a redirect points at a loopback, private, link-local or other non-public address",
    "refused-scheme": "a redirect to something other than an http(s) URL",
    "redirects": "more redirects than EVENTS_FETCH_MAX_REDIRECTS",
    "http-4xx": "the server answered 4xx (not found, forbidden, too many requests)",
    "http-5xx": "the server answered 5xx",
    "http-other": "the server answered with a status other than 200, 4xx or 5xx",
    "too-large": "the body is over EVENTS_FETCH_MAX_BYTES",
    "not-a-calendar": "the document is not something the group's source adapter can read",
    "deadline": "the run's time for fetching (EVENTS_FETCH_PHASE_SECONDS) ran out first",
}
# "No network" needs this many distinct host names failing to resolve, and none resolving:
# one or two unresolvable names are more likely typos in group files than a dead network.
NO_NETWORK_MIN_HOSTS = 3

_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_RETRIED_REASONS = frozenset({"timeout", "connection"})
_CHUNK = 65536
# What the transport may raise besides our own FetchFailure; all mean "this try failed".
_TRANSPORT_ERRORS = (requests.RequestException, urllib3.exceptions.HTTPError, http.client.HTTPException, OSError)


@dataclass(frozen=True)
class FetchResult:
    url: str
    ok: bool
    content: bytes = b""
    status: int = 0
    error: str = ""
    content_type: str = ""
    from_cache: bool = False
    revalidated: bool = False
    attempts: int = 0
    seconds: float = 0.0
    reason: str = ""


class Fetcher:
    """Fetches URLs through one persistent HTTP cache; one instance per run.

    `sleep`, `monotonic`, `wall_clock`, `resolve` and `address_rule` are
    injected so tests of backoff, deadlines, name resolution and the address
    rule need neither wait nor a network beyond 127.0.0.1.
    """

    def __init__(
        self,
        cache_path: Path | None,
        *,
        timeout: float = 20.0,
        workers: int = 64,
        per_host: int = 4,
        retries: int = 3,
        max_bytes: int = 10_000_000,
        user_agent: str = "dctech-events",
        max_redirects: int = 5,
        retry_wait: float = 30.0,
        allow_private: bool = False,
        resolve: Resolver = system_resolver,
        address_rule: Callable[[str], str | None] = refusal,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        if cache_path is None:
            self._session: requests.Session = requests_cache.CachedSession(
                backend="memory", expire_after=requests_cache.EXPIRE_IMMEDIATELY
            )
        else:
            cache_path.parent.mkdir(parents=True, exist_ok=True)
            self._session = requests_cache.CachedSession(
                str(cache_path),
                backend="sqlite",
                expire_after=requests_cache.EXPIRE_IMMEDIATELY,
                allowable_codes=(200,),
                stale_if_error=False,
            )
        self._guard = Guard(Names(resolve, retries), allow_private, address_rule)
        adapter = GuardedAdapter(self._guard, pool_maxsize=max(per_host, 1))
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)
        self._session.max_redirects = max_redirects
        self._session.headers["User-Agent"] = user_agent
        self._session.hooks["response"].append(self._cap_body)
        self._timeout = timeout
        self._workers = workers
        self._per_host = per_host
        self._retries = retries
        self._max_bytes = max_bytes
        self._max_redirects = max_redirects
        self._retry_wait = retry_wait
        self._sleep = sleep
        self._monotonic = monotonic
        self._wall_clock = wall_clock
        self._host_locks: dict[str, threading.BoundedSemaphore] = {}
        self._locks_guard = threading.Lock()

    def close(self) -> None:
        self._session.close()

    def deadline_in(self, seconds: float) -> float:
        """The instant `seconds` from now on this fetcher's clock, for `fetch_many(deadline=...)`."""
        return self._monotonic() + seconds

    def no_network(self) -> bool:
        """Whether this run looks offline: several host names failed to resolve and none resolved."""
        resolved, failed = self._guard.names.counts()
        return resolved == 0 and failed >= NO_NETWORK_MIN_HOSTS

    def fetch_many(
        self,
        urls: Iterable[str],
        on_done: Callable[[FetchResult], None] | None = None,
        expire_after: Any = None,
        deadline: float | None = None,
    ) -> dict[str, FetchResult]:
        """Fetch each URL once, concurrently; results by URL, in no particular order.

        With no network (see `no_network`), every name-resolution failure is
        reported as "no-network", and later batches fail at once.
        """
        unique = list(dict.fromkeys(urls))
        results: dict[str, FetchResult] = {}
        if not unique:
            return results
        if self.no_network():
            for url in unique:
                results[url] = self._offline(FetchResult(url, False, reason="dns"))
                if on_done is not None:
                    on_done(results[url])
            return results
        with ThreadPoolExecutor(max_workers=min(self._workers, len(unique))) as pool:
            futures = [pool.submit(self.fetch, url, expire_after, deadline) for url in unique]
            for future in as_completed(futures):  # progress as fetches finish, not in submission order
                result = future.result()
                results[result.url] = result
                if on_done is not None:
                    on_done(result)
        if self.no_network():
            results = {url: self._offline(result) for url, result in results.items()}
        return results

    def _offline(self, result: FetchResult) -> FetchResult:
        if result.reason != "dns":
            return result
        _, failed = self._guard.names.counts()
        return replace(result, reason="no-network", error=f"no network: none of the {failed} host names of this run could be resolved")

    def fetch(self, url: str, expire_after: Any = None, deadline: float | None = None) -> FetchResult:
        """Fetch one URL with retries; never raises for network or HTTP trouble."""
        started = self._monotonic()
        error, reason, status, attempt, waited = "", "", 0, 0, 0.0

        def failed() -> FetchResult:
            return FetchResult(url, False, status=status, error=error, attempts=attempt, seconds=self._monotonic() - started, reason=reason)

        while attempt < self._retries:
            seconds = self._timeout
            if deadline is not None:
                left = deadline - self._monotonic()
                if left <= 0:
                    error = "the run's time for fetching ran out" + (f"; last try: {error}" if error else "")
                    reason = "deadline"
                    return failed()
                seconds = min(seconds, left)
            attempt += 1
            wait, status = 0.0, 0
            try:
                with self._host_lock(url), self._guard.attempt(seconds) as watch:
                    try:
                        response = self._get(url, expire_after, seconds)
                    except _TRANSPORT_ERRORS:
                        if watch.expired:
                            raise FetchFailure(_too_slow(seconds), "timeout") from None
                        raise
                    if watch.expired:
                        raise FetchFailure(_too_slow(seconds), "timeout")
                status = response.status_code
                if status == 200:
                    return FetchResult(
                        url=url,
                        ok=True,
                        content=response.content,
                        status=status,
                        content_type=response.headers.get("Content-Type", ""),
                        from_cache=bool(getattr(response, "from_cache", False)),
                        revalidated=bool(getattr(response, "revalidated", False)),
                        attempts=attempt,
                        seconds=self._monotonic() - started,
                    )
                error, reason = f"HTTP {status} {response.reason or ''}".strip(), reason_for_status(status)
                if status not in _RETRY_STATUSES:
                    break
                wait = _retry_after(response.headers.get("Retry-After"), self._wall_clock())
            except FetchFailure as failure:
                error, reason = str(failure), failure.reason
            except _TRANSPORT_ERRORS as problem:
                error, reason = _describe(problem)
                if reason == "timeout":
                    error = _too_slow(seconds)
            if reason == "timeout" and seconds < self._timeout:
                reason = "deadline"  # the run's deadline, not the try's own, cut this try short
            if reason and reason not in _RETRIED_REASONS and status not in _RETRY_STATUSES:
                break
            if attempt >= self._retries:
                break
            pause = max(wait, 0.5 * 2 ** (attempt - 1))
            if waited + pause > self._retry_wait:
                if wait > 0:
                    error += f"; asked to wait {wait:.0f} s before trying again, more than the {self._retry_wait:.0f} s allowed"
                break
            if deadline is not None and self._monotonic() + pause >= deadline:
                break
            self._sleep(pause)
            waited += pause
        return failed()

    def _get(self, url: str, expire_after: Any, seconds: float) -> requests.Response:
        kwargs: dict[str, Any] = {"timeout": (seconds, seconds), "stream": True}
        if expire_after is not None:
            kwargs["expire_after"] = expire_after
        return self._session.get(url, **kwargs)

    def _host_lock(self, url: str) -> threading.BoundedSemaphore:
        host = urlsplit(url).netloc.lower()
        with self._locks_guard:
            if host not in self._host_locks:
                self._host_locks[host] = threading.BoundedSemaphore(self._per_host)
            return self._host_locks[host]

    def _cap_body(self, response: requests.Response, *args: Any, **kwargs: Any) -> requests.Response:
        """Refuse a redirect off http(s); read a streamed body within the size cap, before the cache keeps it."""
        if response.is_redirect:
            target = urljoin(response.url, response.headers.get("Location", ""))
            if urlsplit(target).scheme.lower() not in ("http", "https"):
                response.close()
                raise FetchFailure(f"redirected to {target[:200]}, not an http(s) URL; refused", "refused-scheme")
        if getattr(response, "_content_consumed", True) or getattr(response, "from_cache", False):
            return response
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self._max_bytes:
            response.close()
            raise FetchFailure(f"response is {int(declared):,} bytes, over the {self._max_bytes:,}-byte limit", "too-large")
        body = bytearray()
        for chunk in response.iter_content(_CHUNK):
            body.extend(chunk)
            if len(body) > self._max_bytes:
                response.close()
                raise FetchFailure(f"response is over the {self._max_bytes:,}-byte limit", "too-large")
        watch = self._guard.current()
        if watch is not None and watch.expired:
            # The watchdog ended the body early; a body without a length would otherwise look complete.
            response.close()
            raise FetchFailure(_too_slow(watch.seconds), "timeout")
        response._content = bytes(body)
        response._content_consumed = True  # type: ignore[attr-defined]  # requests' own flag for a read body
        return response


def reason_for_status(status: int) -> str:
    """The failure reason of an HTTP status other than 200."""
    if 400 <= status < 500:
        return "http-4xx"
    if 500 <= status < 600:
        return "http-5xx"
    return "http-other"


def _retry_after(value: str | None, now: float) -> float:
    """Seconds asked for by a Retry-After header (delta-seconds, or an HTTP date compared with `now`, epoch seconds)."""
    if not value:
        return 0.0
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return 0.0
    return max(0.0, when.timestamp() - now)


def _too_slow(seconds: float) -> str:
    return f"no complete answer within {seconds:.3g} s"


def _describe(error: Exception) -> tuple[str, str]:
    """A short message and a reason for an exception of requests, urllib3 or the socket layer."""
    if isinstance(error, requests.TooManyRedirects):
        return "too many redirects", "redirects"
    if isinstance(error, (requests.exceptions.InvalidSchema, requests.exceptions.MissingSchema, requests.exceptions.InvalidURL)):
        return " ".join(str(error).split())[:200], "refused-scheme"
    if isinstance(error, (requests.Timeout, TimeoutError)):
        return "timed out", "timeout"
    if isinstance(error, requests.exceptions.SSLError):
        return "the TLS handshake failed (an untrusted certificate or an unsupported protocol)", "connection"
    if isinstance(error, requests.ConnectionError):
        return "could not connect", "connection"
    return " ".join(str(error).split())[:200] or type(error).__name__, "connection"
