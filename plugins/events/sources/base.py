"""What every source adapter takes and returns.

An adapter is one module with a pure `parse(content, request)`; an adapter
whose calendar spans several documents (pages of an API, event pages linked
from a listing) also has a pure `further_urls(url, content, options)` that
names the documents it needs next. Collection fetches them; adapters never
do I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Mapping
from zoneinfo import ZoneInfo

from ..models import Occurrence

__all__ = ["ParseRequest", "ParseResult", "SourceError", "option"]


class SourceError(Exception):
    """The whole document is unusable (not a calendar, not parsable)."""


@dataclass(frozen=True)
class ParseRequest:
    """The window to read, the limits to respect, and where the document came from.

    `url` is the document's own address (to resolve relative links and to
    tell documents apart); `options` are the group's source settings.
    """

    window_start: datetime
    window_end: datetime
    timezone: ZoneInfo
    max_occurrences: int = 2000
    expand_seconds: float = 10.0
    url: str = ""
    options: tuple[tuple[str, Any], ...] = ()

    def option(self, name: str, default: Any = None) -> Any:
        return dict(self.options).get(name, default)


@dataclass(frozen=True)
class ParseResult:
    occurrences: tuple[Occurrence, ...] = ()
    warnings: tuple[str, ...] = field(default_factory=tuple)


def option(options: Mapping[str, Any], name: str, default: Any) -> Any:
    """A source setting, or its default when absent."""
    value = options.get(name)
    return default if value is None else value
