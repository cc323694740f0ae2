"""What every source adapter takes and returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from ..models import Occurrence

__all__ = ["ParseRequest", "ParseResult", "SourceError"]


class SourceError(Exception):
    """The whole feed is unusable (not a calendar, not parsable)."""


@dataclass(frozen=True)
class ParseRequest:
    """The window to read and the limits to respect."""

    window_start: datetime
    window_end: datetime
    timezone: ZoneInfo
    max_occurrences: int = 2000
    expand_seconds: float = 10.0


@dataclass(frozen=True)
class ParseResult:
    occurrences: tuple[Occurrence, ...] = ()
    warnings: tuple[str, ...] = field(default_factory=tuple)
