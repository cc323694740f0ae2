"""JSON Schemas (draft 2020-12) of the three kinds of input file: group, single event, overlay.

Built from the tables `invoke validate` reads, never a second copy of the
rules: each file kind's field table (its `_FIELDS`: names and the
"expected" texts, which become the schema's descriptions), the slug and
state tables of `groups.py`, the source registry (`SOURCES`,
`SETTING_CHECKS`, `COUNT_RANGE`, `PARAMETER_NAME`), `models.LOCATION_TYPES`,
the overlay id pattern and the site's categories. `_VALUES` says which kind
of value each field holds; a test checks it names exactly the fields of
each table.

A schema checks what one file's content can show. Four rules stay with the
validator alone, because JSON Schema cannot say them: the file name (slug,
reserved slugs, one file per slug), an end after its start, a CSS selector
that parses, and an overlay's `duplicate_of` differing from its `event`
(and one overlay per event across files). Timezones are checked by shape;
the validator checks that the zone exists. The README lists these.

Editors read a schema through the first line of each file
(`# yaml-language-server: $schema=../schemas/group.json`), which points at
the copy checked in under `schemas/` (`invoke schemas` writes both).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime, time
from typing import Any

from dateutil.rrule import FREQNAMES

from events.collect.sources.registry import COUNT_RANGE, PARAMETER_NAME, SETTING_CHECKS, SOURCES
from events.inputs.groups import _FIELDS as GROUP_FIELDS
from events.inputs.groups import US_STATES
from events.inputs.overlays import _CHANGES as OVERLAY_CHANGES
from events.inputs.overlays import _FIELDS as OVERLAY_FIELDS
from events.inputs.overlays import EVENT_ID_PATTERN
from events.inputs.single_events import _FIELDS as SINGLE_EVENT_FIELDS
from events.inputs.single_events import TOO_FREQUENT
from events.models import LOCATION_TYPES

__all__ = [
    "DIALECT",
    "FILE_KINDS",
    "HEADER_PREFIX",
    "FileKind",
    "as_json",
    "file_schema",
    "file_schemas",
    "schema_header",
    "schema_text",
]

DIALECT = "https://json-schema.org/draft/2020-12/schema"
HEADER_PREFIX = "# yaml-language-server: $schema="
# Where the first line of an input file finds its schema: the checked-in copy, relative to the file.
_HEADER_FOLDER = "../schemas/"


class FileKind:
    """One kind of input file: its schema's file name, its folder setting, its field table."""

    def __init__(self, name: str, folder_setting: str, title: str, fields: Mapping[str, str]) -> None:
        self.name = name
        self.schema_file = f"{name}.json"
        self.folder_setting = folder_setting
        self.title = title
        self.fields = fields


FILE_KINDS: dict[str, FileKind] = {
    "group": FileKind("group", "EVENTS_GROUPS_DIR", "A group file of _groups/", GROUP_FIELDS),
    "single-event": FileKind("single-event", "EVENTS_SINGLE_EVENTS_DIR", "An event file of _single_events/", SINGLE_EVENT_FIELDS),
    "overlay": FileKind("overlay", "EVENTS_OVERLAYS_DIR", "A correction file of _overlays/", OVERLAY_FIELDS),
}

# Shapes of values, as the validator's checks accept them.
_NOT_BLANK = {"type": "string", "pattern": r"\S"}
# is_http_url: an http(s) scheme (any case), a host, no spaces inside.
_HTTP_URL = {"type": "string", "pattern": r"^\s*[Hh][Tt][Tt][Pp][Ss]?://[^\s/?#]+[^\s]*\s*$"}
_TIMEZONE = {"type": "string", "pattern": r"^[A-Za-z][A-Za-z0-9_+\-]*(/[A-Za-z0-9_+\-]+)*$"}
# single_events._when: a date, or what datetime.fromisoformat reads (YAML dates arrive as ISO text here).
_WHEN = {
    "anyOf": [
        {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
        {"type": "string", "pattern": r"^\s*\d{4}-\d{2}-\d{2}[T ]\d{2}(:\d{2}(:\d{2}(\.\d+)?)?)?\s*(Z|[+-]\d{2}(:?\d{2})?)?\s*$"},
    ]
}
_TEXT_OR_NUMBER = {"type": ["string", "number"]}


def _state_pattern() -> str:
    """Two letters of US_STATES in any case, as the validator upper-cases them."""
    codes = sorted(US_STATES)
    return "^(" + "|".join("".join(f"[{c.upper()}{c.lower()}]" for c in code) for code in codes) + ")$"


def _rule_pattern() -> str:
    """An RRULE with a FREQ the validator accepts: dateutil's frequencies less the too frequent ones."""
    allowed = "|".join(f for f in FREQNAMES if f not in TOO_FREQUENT)
    part = r"[A-Za-z]+=[^;\s]+"
    return rf"^\s*(RRULE:)?({part};)*FREQ=({allowed})(;{part})*\s*$"


def _setting_schema(check: str) -> dict[str, Any]:
    """One source setting, by the check SETTING_CHECKS names for it."""
    if check == "bool":
        return {"type": "boolean"}
    if check == "count":
        return {"type": "integer", "minimum": COUNT_RANGE[0], "maximum": COUNT_RANGE[1]}
    if check == "id":
        return {"type": "integer", "minimum": 1}
    if check == "name":
        return {"type": "string", "pattern": PARAMETER_NAME}
    if check == "selector":
        return _NOT_BLANK
    raise ValueError(f"no schema for the source setting check {check!r}")


def _source_schema() -> dict[str, Any]:
    branches = []
    for kind, source in SOURCES.items():
        properties: dict[str, Any] = {"type": {"const": kind}, "url": {**_HTTP_URL, "description": f"the http(s) URL the {kind} source reads"}}
        for key in source.settings:
            check, expected = SETTING_CHECKS[key]
            properties[key] = {**_setting_schema(check), "description": expected}
        branches.append(
            {
                "if": {"properties": {"type": {"const": kind}}, "required": ["type"]},
                "then": {"properties": properties, "required": ["url"], "additionalProperties": False},
            }
        )
    return {
        "type": "object",
        "properties": {"type": {"enum": list(SOURCES), "description": f"one of {', '.join(SOURCES)}"}},
        "required": ["type"],
        "allOf": branches,
    }


def _values(categories: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    """Field name -> the schema of its value, for every field of the three tables (fields of the same name mean the same)."""
    category_list = {"type": "array", "items": {"enum": sorted(categories)}}
    return {
        # groups
        "name": _NOT_BLANK,
        "website": _HTTP_URL,
        "active": {"type": "boolean"},
        "categories": category_list,
        "ical": _HTTP_URL,
        "source": _source_schema(),
        "skip_phrases": {"type": "array", "items": _NOT_BLANK},
        "suppress_urls": {"type": "array", "items": _HTTP_URL},
        "fallback_url": _HTTP_URL,
        "default_state": {"type": "string", "pattern": _state_pattern()},
        "timezone": _TIMEZONE,
        # single events
        "start": _WHEN,
        "end": _WHEN,
        "url": _HTTP_URL,
        "location": {"type": "string"},
        "cost": _TEXT_OR_NUMBER,
        "description": _TEXT_OR_NUMBER,
        "organizer": _TEXT_OR_NUMBER,
        "organizer_url": _HTTP_URL,
        "rrule": {"type": "string", "pattern": _rule_pattern()},
        "exdates": {"type": "array", "items": _WHEN},
        # overlays
        "event": {"type": "string", "pattern": EVENT_ID_PATTERN.pattern},
        "hide": {"type": "boolean"},
        "duplicate_of": {"type": "string", "pattern": EVENT_ID_PATTERN.pattern},
        "title": _NOT_BLANK,
        "location_type": {"enum": list(LOCATION_TYPES)},
        "reason": {"type": "string"},
    }


# Where a field of the same name differs between kinds.
_KIND_VALUES: dict[str, dict[str, dict[str, Any]]] = {
    "single-event": {"location": _TEXT_OR_NUMBER},
}


def _object(kind: FileKind, categories: Mapping[str, str]) -> dict[str, Any]:
    values = {**_values(categories), **_KIND_VALUES.get(kind.name, {})}
    properties = {name: {**values[name], "description": expected} for name, expected in kind.fields.items()}
    return {"type": "object", "properties": properties, "additionalProperties": False}


def file_schema(name: str, categories: Mapping[str, str]) -> dict[str, Any]:
    """The schema of one kind of input file ("group", "single-event" or "overlay")."""
    kind = FILE_KINDS[name]
    body = _object(kind, categories)
    if name == "group":
        body["required"] = ["name", "website"]
        body["oneOf"] = [{"required": ["ical"]}, {"required": ["source"]}]
    elif name == "single-event":
        body["required"] = ["title", "start"]
        body["dependentRequired"] = {"exdates": ["rrule"]}
    else:
        body["required"] = ["event"]
        body["anyOf"] = [{"required": [change]} for change in OVERLAY_CHANGES]
    schema: dict[str, Any] = {"$schema": DIALECT, "title": kind.title}
    if name == "overlay":
        # A file holds one overlay or a list of them.
        schema["$defs"] = {"overlay": body}
        schema["anyOf"] = [{"$ref": "#/$defs/overlay"}, {"type": "array", "items": {"$ref": "#/$defs/overlay"}}]
        return schema
    return {**schema, **body}


def file_schemas(categories: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    """Schema file name ("group.json") -> schema, for every kind."""
    return {kind.schema_file: file_schema(name, categories) for name, kind in FILE_KINDS.items()}


def schema_text(schema: dict[str, Any]) -> str:
    """The text of a schema file: sorted keys, two-space indent, one final newline (stable diffs)."""
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def schema_header(name: str) -> str:
    """The first line of an input file of this kind: where an editor's YAML language server finds its schema."""
    return f"{HEADER_PREFIX}{_HEADER_FOLDER}{FILE_KINDS[name].schema_file}"


def as_json(value: Any) -> Any:
    """Parsed YAML as a JSON document, as an editor's YAML 1.2 language server sees it: dates and times become ISO text."""
    if isinstance(value, dict):
        return {str(k): as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return value
