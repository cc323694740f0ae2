"""The one clock of a run. Tests and reproducible builds pin it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

__all__ = ["Clock", "collection_window", "parse_now"]


@dataclass(frozen=True)
class Clock:
    """Tells the time in the site's timezone; `fixed` pins it."""

    tz: ZoneInfo
    fixed: datetime | None = None

    def now(self) -> datetime:
        if self.fixed is not None:
            return self.fixed.astimezone(self.tz)
        return datetime.now(UTC).astimezone(self.tz)

    def today(self) -> date:
        return self.now().date()


def parse_now(value: str) -> datetime:
    """Read an ISO 8601 instant such as 2026-03-01T09:00:00-05:00."""
    parsed = datetime.fromisoformat(value.strip())
    if parsed.tzinfo is None:
        raise ValueError(f"{value!r} has no UTC offset; write it like 2026-03-01T09:00:00-05:00")
    return parsed


def collection_window(now: datetime, horizon_days: int) -> tuple[datetime, datetime]:
    """From the start of yesterday to the end of the horizon's day, in the site's timezone.

    Both ends are whole days, so every run of one day reads the same window
    (and an unchanged feed's parse can be reused all day).
    """
    yesterday = datetime.combine(now.date() - timedelta(days=1), time(0), now.tzinfo)
    return yesterday, datetime.combine(now.date() + timedelta(days=horizon_days + 1), time(0), now.tzinfo)
