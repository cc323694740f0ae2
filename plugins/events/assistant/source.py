"""Where the published JSON comes from: a local output folder or the live site.

One small interface, `SiteSource.read_json(path)`, with a path relative to
the site's root such as `api/events.json`. `FolderSource` reads a build's
`output/`; `HttpSource` reads a published site over HTTP(S) with a timeout
and a size cap on every request. `SiteReader` turns the files into records.

Nothing is cached: each tool call reads the files again, so an assistant
running for days sees each nightly build.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import requests

from .records import (
    Category,
    Event,
    Group,
    parse_categories,
    parse_events,
    parse_groups,
)

__all__ = [
    "CATEGORIES_FILE",
    "DEFAULT_DEADLINE",
    "DEFAULT_MAX_BYTES",
    "DEFAULT_TIMEOUT",
    "EVENTS_FILE",
    "GROUPS_FILE",
    "FolderSource",
    "HttpSource",
    "SiteReader",
    "SiteSource",
    "SourceError",
]

DEFAULT_TIMEOUT = 20.0
# A server that drips bytes just within the read timeout must not hold a tool call forever.
DEFAULT_DEADLINE = 120.0
# /api/events.json holds the archive too: about 1 KB an event, so this is room for 50,000.
DEFAULT_MAX_BYTES = 50_000_000
EVENTS_FILE = "api/events.json"
GROUPS_FILE = "api/groups.json"
CATEGORIES_FILE = "api/categories.json"

# Paths this package asks for: api/ and below, plain names, .json. Keeps tool input out of the file system.
_SAFE_PATH = re.compile(r"^api(/[A-Za-z0-9][A-Za-z0-9._-]*)+\.json$")


class SourceError(RuntimeError):
    """A published file could not be read: missing, too large, not JSON, or the network failed."""


class SiteSource(Protocol):
    """Reads one JSON file of the published site."""

    def read_json(self, path: str) -> Any:
        """The parsed JSON of `path` (relative to the site's root, e.g. `api/events.json`)."""
        ...

    def describe(self) -> str:
        """Where the files come from, for messages."""
        ...


def _checked(path: str) -> str:
    if not _SAFE_PATH.match(path) or ".." in path:
        raise SourceError(f"{path!r} is not a path of the JSON API")
    return path


def _parse(data: bytes, where: str) -> Any:
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise SourceError(f"{where} is not JSON: {error}") from None


@dataclass(frozen=True)
class FolderSource:
    """A build's output folder (`output/` by default)."""

    root: Path
    max_bytes: int = DEFAULT_MAX_BYTES

    def read_json(self, path: str) -> Any:
        target = self.root / _checked(path)
        try:
            size = target.stat().st_size
            if size > self.max_bytes:
                raise SourceError(f"{target} is {size} bytes, more than the {self.max_bytes} bytes accepted")
            data = target.read_bytes()
        except FileNotFoundError:
            raise SourceError(f"{target} does not exist: is {self.root} a built site (invoke build)?") from None
        except OSError as error:
            raise SourceError(f"{target} could not be read: {error}") from None
        return _parse(data, str(target))

    def describe(self) -> str:
        return str(self.root)


@dataclass(frozen=True)
class HttpSource:
    """A published site, read over HTTP(S) from its base URL (`https://dctech.events`).

    `timeout` bounds connecting and each wait for data, `deadline` the whole
    read, `max_bytes` the body.
    """

    base_url: str
    timeout: float = DEFAULT_TIMEOUT
    max_bytes: int = DEFAULT_MAX_BYTES
    deadline: float = DEFAULT_DEADLINE
    user_agent: str = "dctech-events-assistant/0.1"
    # A requests.Session is not documented as thread-safe and tools run on worker threads: one request, one session.
    session_factory: Callable[[], requests.Session] = field(default=requests.Session, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not self.base_url.startswith(("http://", "https://")):
            raise ValueError(f"base URL {self.base_url!r} is not an http(s) URL")

    def url(self, path: str) -> str:
        return f"{self.base_url.rstrip('/')}/{_checked(path)}"

    def read_json(self, path: str) -> Any:
        url = self.url(path)
        stop_at = time.monotonic() + self.deadline
        try:
            with self.session_factory() as session:
                response = session.get(
                    url,
                    timeout=self.timeout,
                    stream=True,
                    headers={"User-Agent": self.user_agent, "Accept": "application/json"},
                )
                with response:
                    if response.status_code != 200:
                        raise SourceError(f"{url} answered HTTP {response.status_code}")
                    data = self._body(response, url, stop_at)
        except requests.RequestException as error:
            raise SourceError(f"{url} could not be read: {error}") from None
        return _parse(data, url)

    def _body(self, response: requests.Response, url: str, stop_at: float) -> bytes:
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise SourceError(f"{url} is {declared} bytes, more than the {self.max_bytes} bytes accepted")
        chunks: list[bytes] = []
        received = 0
        # read1 returns what has arrived (decoded), so the deadline is checked as bytes come, not once at the end.
        while chunk := response.raw.read1(65536, decode_content=True):
            received += len(chunk)
            if received > self.max_bytes:
                raise SourceError(f"{url} is more than the {self.max_bytes} bytes accepted")
            if time.monotonic() > stop_at:
                raise SourceError(f"{url} took more than {self.deadline:g} seconds to read")
            chunks.append(chunk)
        return b"".join(chunks)

    def describe(self) -> str:
        return self.base_url


@dataclass(frozen=True)
class SiteReader:
    """The site's records, read from a source at each call."""

    source: SiteSource

    def events(self) -> tuple[Event, ...]:
        """Every event of `/api/events.json`: the archive and everything upcoming."""
        return parse_events(self.source.read_json(EVENTS_FILE), EVENTS_FILE)

    def groups(self) -> tuple[Group, ...]:
        return parse_groups(self.source.read_json(GROUPS_FILE), GROUPS_FILE)

    def categories(self) -> tuple[Category, ...]:
        return parse_categories(self.source.read_json(CATEGORIES_FILE), CATEGORIES_FILE)
