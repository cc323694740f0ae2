"""Logging for tasks: readable lines by default, one JSON object per line for log systems."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import IO, Any

__all__ = ["LOG_FORMATS", "JsonFormatter", "configure_logging"]

LOG_FORMATS = ("text", "json")
# Extra attributes callers attach with `extra=`; the JSON format carries them as fields.
_EXTRA_FIELDS = ("group", "stage", "counts", "url", "seconds", "reason")


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, and any known extras."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in _EXTRA_FIELDS:
            if hasattr(record, name):
                data[name] = getattr(record, name)
        if record.exc_info:
            data["error"] = self.formatException(record.exc_info)
        return json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)


class _TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        stage = getattr(record, "stage", "")
        prefix = f"{record.levelname:<7} " + (f"[{stage}] " if stage else "")
        return prefix + super().format(record)


def configure_logging(log_format: str = "text", level: int = logging.INFO, stream: IO[str] | None = None) -> None:
    """Route every logger (ours and Pelican's) to one handler in the chosen format."""
    if log_format not in LOG_FORMATS:
        raise ValueError(f"--log-format: {log_format!r} is not a log format; expected one of {', '.join(LOG_FORMATS)}")
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json" else _TextFormatter("%(message)s"))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # Pelican configures its own rich handler when run as a command; in-process it must use ours.
    for name in ("pelican", "events"):
        logger = logging.getLogger(name)
        for old in list(logger.handlers):
            logger.removeHandler(old)
        logger.propagate = True
