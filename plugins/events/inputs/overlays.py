"""Corrections to collected events, by event id: `_overlays/*.yaml`.

A feed sometimes says something wrong that its group cannot fix (a spam
event, a wrong address, the same event listed twice). An overlay names the
event by its id (the last part of its page's address, `/events/<id>/`) and
says what to change. Overlays are applied while normalizing, so the store
and every output see the corrected event. Loading is here; applying is the
pure `normalize.apply_overlay`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from events.inputs.yaml_files import Problem, ShownPaths, capped, check_categories, describe, guarded, read_document, with_line, yaml_files
from events.models import LOCATION_TYPES

__all__ = ["EVENT_ID_PATTERN", "Overlay", "OverlayLoad", "load_overlays", "validate_overlay"]

EVENT_ID_PATTERN = re.compile(r"^[0-9a-f]{20}$")
_FIELDS: dict[str, str] = {
    "event": "the id of the event to correct, 20 characters 0-9 and a-f (from its page /events/<id>/)",
    "hide": "true to leave the event out",
    "duplicate_of": "the id of the event this one repeats; it is left out and the other is shown as also listed by its group",
    "title": "the title to show, a non-empty string",
    "categories": "a list of category slugs from data/categories.yaml",
    "location": "the place or street address to show",
    "location_type": f"one of {', '.join(LOCATION_TYPES)}",
    "reason": "a note on why, for the log and reviewers",
}
_CHANGES = ("hide", "duplicate_of", "title", "categories", "location", "location_type")


@dataclass(frozen=True)
class Overlay:
    """One correction. Fields left as None change nothing."""

    event_id: str
    hide: bool = False
    duplicate_of: str = ""
    title: str | None = None
    categories: tuple[str, ...] | None = None
    location: str | None = None
    location_type: str | None = None
    reason: str = ""
    path: str = ""


@dataclass(frozen=True)
class OverlayLoad:
    overlays: dict[str, Overlay]
    problems: tuple[Problem, ...]


def load_overlays(folder: Path, categories: Mapping[str, str], only: Sequence[Path] | None = None) -> OverlayLoad:
    """Every overlay of `folder` (or of `only`). A file holds one overlay, or a list of them.

    Each overlay is checked on its own: a broken one, whatever is wrong with it, is reported and left out.
    """
    files = [Path(p) for p in only] if only else yaml_files(folder)
    overlays: dict[str, Overlay] = {}
    problems: list[Problem] = []
    shown_path = ShownPaths(folder)
    for path in files:
        shown = shown_path(path)
        document, unreadable = read_document(path, shown, "an overlay YAML file")
        if document is None:
            problems.append(unreadable or Problem(shown, "file", "cannot be read", "an overlay YAML file"))
            continue
        data = document.data
        if data == []:
            problems.append(Problem(shown, "file", "the file holds an empty list", "one overlay, or a list of them"))
            continue
        entries = data if isinstance(data, list) else [data]
        in_file: list[Problem] = []
        for index, entry in enumerate(entries):
            where = f"{shown}[{index}]" if isinstance(data, list) else shown
            prefix = f"[{index}]." if isinstance(data, list) else ""
            found, failed = guarded(where, functools.partial(validate_overlay, where, entry, categories))
            overlay = None
            if failed is None and not found:
                overlay, failed = guarded(where, functools.partial(_to_overlay, entry, str(path)))
            if overlay is None:
                in_file.extend([with_line(p, document, prefix) for p in found or []] or [failed or Problem(where, "file", "could not be read", "an overlay")])
                continue
            if overlay.event_id in overlays:
                earlier = shown_path(Path(overlays[overlay.event_id].path))
                in_file.append(Problem(where, "event", f"event {overlay.event_id} is already corrected in {earlier}", "one overlay per event"))
                continue
            overlays[overlay.event_id] = overlay
        problems.extend(capped(in_file, shown))
    return OverlayLoad(overlays, tuple(problems))


def validate_overlay(shown: str, data: Any, categories: Mapping[str, str]) -> list[Problem]:
    """Every problem of one overlay."""
    problems: list[Problem] = []

    def bad(field: str, message: str) -> None:
        problems.append(Problem(shown, field, message, _FIELDS.get(field, "")))

    if not isinstance(data, dict):
        expected = "event, and hide, duplicate_of, title, categories, location or location_type"
        problems.append(Problem(shown, "file", f"the file holds {describe(data)}, not a mapping of fields", expected))
        return problems
    for key in sorted(map(str, data)):
        if key not in _FIELDS:
            problems.append(Problem(shown, key, "unknown field", f"one of {', '.join(_FIELDS)}"))
    event = data.get("event")
    if event is None:
        bad("event", "missing")
    elif not isinstance(event, str) or not EVENT_ID_PATTERN.match(event):
        bad("event", f"{describe(event)} is not an event id")
    if not any(key in data for key in _CHANGES):
        problems.append(Problem(shown, "file", "changes nothing", f"at least one of {', '.join(_CHANGES)}"))
    if "hide" in data and not isinstance(data["hide"], bool):
        bad("hide", f"{describe(data['hide'])} is not true or false")
    if "duplicate_of" in data:
        other = data["duplicate_of"]
        if not isinstance(other, str) or not EVENT_ID_PATTERN.match(other):
            bad("duplicate_of", f"{describe(other)} is not an event id")
        elif other == event:
            bad("duplicate_of", "an event cannot duplicate itself")
    for key in ("title", "location", "reason"):
        if key in data and (not isinstance(data[key], str) or (key == "title" and not data[key].strip())):
            bad(key, f"{describe(data[key])} is not a text" if key != "title" else f"{describe(data[key])} is not a title")
    if "categories" in data:
        check_categories(data["categories"], categories, bad)
    if "location_type" in data and (not isinstance(data["location_type"], str) or data["location_type"] not in LOCATION_TYPES):
        bad("location_type", f"{describe(data['location_type'])} is not a location type")
    return problems


def _to_overlay(data: dict[str, Any], path: str) -> Overlay:
    return Overlay(
        event_id=data["event"],
        hide=bool(data.get("hide", False)),
        duplicate_of=str(data.get("duplicate_of", "") or ""),
        title=" ".join(data["title"].split()) if "title" in data else None,
        categories=tuple(data["categories"]) if "categories" in data else None,
        location=" ".join(data["location"].split()) if "location" in data else None,
        location_type=data.get("location_type"),
        reason=str(data.get("reason", "") or ""),
        path=path,
    )
