"""HTTP fetching: one cached session, concurrent, bounded per host, retried.

Every unchanged feed costs a conditional request answered 304 (requests-cache
keeps the body and its ETag / Last-Modified). Every call is bounded: connect
and read timeouts, a total deadline per body, a size cap and a fixed number
of tries.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
import requests_cache

__all__ = ["FetchError", "FetchResult", "Fetcher"]

log = logging.getLogger(__name__)

_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_MAX_RETRY_WAIT = 30.0
_CHUNK = 65536


class FetchError(Exception):
    """A fetch failed in a way worth retrying or reporting."""


class _TooLarge(FetchError):
    pass


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


class Fetcher:
    """Fetches URLs through one persistent HTTP cache.

    `sleep` and `monotonic` are injected so tests of backoff need not wait.
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
        self._session.headers["User-Agent"] = user_agent
        self._session.hooks["response"].append(self._cap_body)
        self._timeout = timeout
        self._workers = workers
        self._per_host = per_host
        self._retries = retries
        self._max_bytes = max_bytes
        self._sleep = sleep
        self._monotonic = monotonic
        self._wall_clock = wall_clock
        self._host_locks: dict[str, threading.BoundedSemaphore] = {}
        self._locks_guard = threading.Lock()

    def close(self) -> None:
        self._session.close()

    def fetch_many(
        self,
        urls: Iterable[str],
        on_done: Callable[[FetchResult], None] | None = None,
        expire_after: Any = None,
    ) -> dict[str, FetchResult]:
        """Fetch each URL once, concurrently; results by URL, in no particular order."""
        unique = list(dict.fromkeys(urls))
        results: dict[str, FetchResult] = {}
        if not unique:
            return results
        with ThreadPoolExecutor(max_workers=min(self._workers, len(unique))) as pool:
            futures = [pool.submit(self.fetch, url, expire_after) for url in unique]
            for future in as_completed(futures):  # progress as fetches finish, not in submission order
                result = future.result()
                results[result.url] = result
                if on_done is not None:
                    on_done(result)
        return results

    def fetch(self, url: str, expire_after: Any = None) -> FetchResult:
        """Fetch one URL with retries; never raises for network or HTTP trouble."""
        started = self._monotonic()
        last_error = ""
        status = 0
        attempt = 0
        for attempt in range(1, self._retries + 1):
            wait = 0.0
            try:
                with self._host_lock(url):
                    response = self._get(url, expire_after)
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
                last_error = f"HTTP {status} {response.reason or ''}".strip()
                if status not in _RETRY_STATUSES:
                    break
                wait = _retry_after(response.headers.get("Retry-After"), self._wall_clock())
            except _TooLarge as error:
                last_error = str(error)
                break
            except (requests.RequestException, FetchError) as error:
                last_error = _describe(error)
            if attempt < self._retries:
                self._sleep(min(_MAX_RETRY_WAIT, max(wait, 0.5 * 2 ** (attempt - 1))))
        return FetchResult(
            url=url, ok=False, status=status, error=last_error, attempts=attempt, seconds=self._monotonic() - started
        )

    def _get(self, url: str, expire_after: Any) -> requests.Response:
        kwargs: dict[str, Any] = {"timeout": (self._timeout, self._timeout), "stream": True}
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
        """Read a streamed body within the size cap and the deadline, before the cache keeps it."""
        if getattr(response, "_content_consumed", True) or getattr(response, "from_cache", False):
            return response
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self._max_bytes:
            response.close()
            raise _TooLarge(f"response is {int(declared):,} bytes, over the {self._max_bytes:,}-byte limit")
        deadline = self._monotonic() + self._timeout * 3
        body = bytearray()
        for chunk in response.iter_content(_CHUNK):
            body.extend(chunk)
            if len(body) > self._max_bytes:
                response.close()
                raise _TooLarge(f"response is over the {self._max_bytes:,}-byte limit")
            if self._monotonic() > deadline:
                response.close()
                raise FetchError(f"body not received within {self._timeout * 3:.0f} s")
        response._content = bytes(body)
        response._content_consumed = True  # type: ignore[attr-defined]  # requests' own flag for a read body
        return response


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


def _describe(error: Exception) -> str:
    if isinstance(error, requests.Timeout):
        return "timed out"
    if isinstance(error, requests.ConnectionError):
        return "could not connect"
    return " ".join(str(error).split())[:200] or type(error).__name__
