"""Real calendar clients for the tests: Mozilla ical.js (through node) and icalendar."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import icalendar

from events.models import Event, StoredEvent

TESTS = Path(__file__).resolve().parent
ICALJS = TESTS.parent / "node_modules" / "ical.js" / "package.json"


def icaljs_available() -> bool:
    """True where ical.js can run; in CI it must, so there a missing install fails instead of skipping."""
    if os.environ.get("CI"):
        return True
    return shutil.which("node") is not None and ICALJS.exists()


def icaljs_parse(paths: list[Path]) -> dict[Path, dict[str, Any]]:
    """What ical.js reads from each file; one node process for all of them."""
    result = subprocess.run(
        ["node", str(TESTS / "icaljs.mjs"), *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=TESTS,
        check=True,
    )
    return {Path(k): v for k, v in json.loads(result.stdout).items()}


def icalendar_events(path_or_bytes: Path | bytes) -> list[icalendar.Event]:
    raw = path_or_bytes.read_bytes() if isinstance(path_or_bytes, Path) else path_or_bytes
    return list(icalendar.Calendar.from_ical(raw).walk("VEVENT"))


def stored_event(event_id: str = "abc123", **changes: Any) -> StoredEvent:
    """A stored event with plain defaults; tests change what they exercise."""
    moment = datetime(2026, 2, 20, 12, 0, tzinfo=UTC)
    values: dict[str, Any] = {
        "event_id": event_id,
        "group_id": "dc-python",
        "group_name": "DC Python",
        "group_website": "https://example.org/",
        "title": "Python Project Night",
        "start": datetime.fromisoformat("2026-03-03T18:30:00-05:00"),
        "end": datetime.fromisoformat("2026-03-03T20:30:00-05:00"),
        "all_day": False,
        "timezone": "America/New_York",
        "url": "https://example.org/e/1",
        "location": "901 G St NW, Washington, DC",
        "city": "Washington",
        "state": "DC",
        "location_type": "in_person",
        "description": "",
        "summary": "Bring a laptop.",
        "categories": ("software-development",),
        "status": "confirmed",
        "source_type": "ical",
        "source_uid": "uid-1",
    }
    stored: dict[str, Any] = {"sequence": 0, "content_hash": "x", "created_at": moment, "updated_at": moment, "removed": False}
    for key, value in changes.items():
        (stored if key in stored else values)[key] = value
    return StoredEvent(event=Event(**values), **stored)
