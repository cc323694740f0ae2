"""Real calendar clients for the tests: Mozilla ical.js (through node) and icalendar."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import icalendar

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
