"""Every source adapter the collector knows, one line each.

A new source is one module under `collect/sources/` (a pure `parse`, and
`further_urls` / `first_url` when its calendar spans several documents) plus
one line in `SOURCES` naming its settings. Group validation, collection and
preview all read this table, and the README's source list is checked
against it. Adapters are imported on first use, so a generate-only run never
pays for parsing libraries it does not need.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, cast

from events.collect.sources.base import ParseRequest, ParseResult

__all__ = ["COUNT_RANGE", "PARAMETER_NAME", "SETTING_CHECKS", "SOURCES", "Follower", "Parser", "SourceKind", "Starter"]

Parser = Callable[[bytes, ParseRequest], ParseResult]
Follower = Callable[[str, bytes, Mapping[str, Any]], tuple[str, ...]]
Starter = Callable[[str, Mapping[str, Any]], str]


@dataclass(frozen=True)
class SourceKind:
    """One adapter: its module and the settings (beside `type` and `url`) a group file may give it."""

    module: str
    settings: tuple[str, ...] = ()

    @property
    def keys(self) -> tuple[str, ...]:
        """Every key a `source:` mapping of this kind may hold."""
        return ("type", "url", *self.settings)

    def _adapter(self) -> Any:
        return importlib.import_module(self.module)

    @property
    def parse(self) -> Parser:
        return cast(Parser, self._adapter().parse)

    @property
    def further_urls(self) -> Follower | None:
        """The documents a document leads to (pages, event pages); None for single-document sources."""
        return cast("Follower | None", getattr(self._adapter(), "further_urls", None))

    @property
    def first_url(self) -> Starter | None:
        """The first document's URL with settings applied (page size, calendar id); None to read the group's URL."""
        return cast("Starter | None", getattr(self._adapter(), "first_url", None))


SOURCES: Mapping[str, SourceKind] = {
    "ical": SourceKind("events.collect.sources.ical", ("enrich", "enrich_max")),
    "jsonld": SourceKind("events.collect.sources.jsonld", ("event_links", "max_pages")),
    "libcal": SourceKind("events.collect.sources.libcal", ("calendar_id", "max_pages")),
    "json_api": SourceKind("events.collect.sources.json_api", ("page_size", "max_pages", "page_param", "size_param")),
}

# The bounds of a "count" setting, and what a "name" setting may hold: read by
# group validation and by the JSON Schema of group files (inputs/file_schemas.py).
COUNT_RANGE = (1, 500)
PARAMETER_NAME = r"^[A-Za-z0-9_.\-\[\]]+$"

# Every source setting but type and url: how to check it, and what it expects.
SETTING_CHECKS: Mapping[str, tuple[str, str]] = {
    "enrich": ("bool", "true or false: read each event's page for what the feed lacks (cancelled, online)"),
    "enrich_max": ("count", "a whole number from 1 to 500: most event pages read per run"),
    "event_links": ("selector", "a CSS selector for the links to event pages, such as 'a.event-link'"),
    "max_pages": ("count", "a whole number from 1 to 500: most further pages read per run"),
    "calendar_id": ("id", "the LibCal calendar id, a whole number such as 12345"),
    "page_size": ("count", "a whole number from 1 to 500: events asked for per page"),
    "page_param": ("name", "the query parameter that names the page, such as page"),
    "size_param": ("name", "the query parameter that names the page size, such as pageSize"),
}
