"""Load and validate `_groups/*.yaml`.

Validation never stops at the first problem: it returns every problem, one
per file and field, so a contributor fixes a pull request in one go.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from events.collect.sources.registry import COUNT_RANGE, PARAMETER_NAME, SETTING_CHECKS, SOURCES
from events.inputs.yaml_files import (
    SLUG_PATTERN,
    Problem,
    ShownPaths,
    check_categories,
    checked_file,
    describe,
    guarded,
    is_http_url,
    one_line,
    parse_yaml,
    quoted,
    timezone_problem,
    yaml_files,
)
from events.models import Group

__all__ = [
    "RESERVED_SLUGS",
    "SLUG_PATTERN",
    "US_STATES",
    "GroupLoad",
    "Problem",
    "describe",
    "is_http_url",
    "load_categories",
    "load_groups",
    "validate_group",
]

RESERVED_SLUGS = frozenset({"single-events"})
US_STATES = frozenset(
    [
        "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS", "KY",
        "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH",
        "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY", "PR",
    ]
)
_FIELDS: dict[str, str] = {
    "name": "the group's name, a non-empty string",
    "website": "an http(s) URL",
    "active": "true or false",
    "categories": "a list of category slugs from data/categories.yaml",
    "ical": "the http(s) URL of an iCalendar feed",
    "source": f"a mapping with 'type' (one of {', '.join(SOURCES)}) and 'url'",
    "skip_phrases": "a list of strings",
    "suppress_urls": "a list of http(s) URLs",
    "fallback_url": "an http(s) URL",
    "default_state": "a two-letter US state code such as VA",
    "timezone": "an IANA timezone such as America/New_York",
}


@dataclass(frozen=True)
class GroupLoad:
    """The groups that loaded, every problem found, and the slugs whose file exists but is broken.

    `broken_slugs` tells "this group's file is broken" (keep its events: a
    typo must not withdraw a group) from "this group's file is gone or says
    `active: false`" (the group is no longer listed). A slug another file
    loads under is not broken.
    """

    groups: tuple[Group, ...]
    problems: tuple[Problem, ...]
    broken_slugs: frozenset[str] = frozenset()


def load_categories(path: Path) -> dict[str, str]:
    """Category slug -> display name."""
    data = parse_yaml(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping of category slug to name")
    return {str(k): str(v) for k, v in data.items()}


def load_groups(
    folder: Path, categories: Mapping[str, str], only: Sequence[Path] | None = None
) -> GroupLoad:
    """Every group file in `folder` (or just `only`), with every problem found.

    Each file is checked on its own: a broken file, whatever is wrong with
    it, is reported and left out (its slug in `broken_slugs`); the good
    ones still load.
    """
    all_files = yaml_files(folder)
    chosen = [Path(p) for p in only] if only else all_files
    groups: list[Group] = []
    problems: list[Problem] = []
    broken: set[str] = set()
    owners: dict[str, Path] = {}
    # Each path resolved once: resolving walks the file system, and was a third of loading 150 groups.
    resolved = {path: _resolve(path) for path in [*all_files, *chosen]}
    shown_path = ShownPaths(folder)
    for path in [*all_files, *chosen]:
        owners.setdefault(path.stem.lower(), resolved[path])
    for path in chosen:
        shown = shown_path(path, resolved[path])
        owner = owners[path.stem.lower()]
        if owner != resolved[path]:
            problems.append(
                Problem(shown, "slug", f"duplicate slug {quoted(path.stem.lower())}, also used by {shown_path(owner, owner)}", "one file per slug")
            )
            continue
        data, found = checked_file(path, shown, "a group YAML file", functools.partial(validate_group, categories=categories))
        group, failed = (None, None) if found else guarded(shown, functools.partial(_to_group, path, data))
        if group is None:
            problems.extend(found or [failed or Problem(shown, "file", "could not be read", "a group YAML file")])
            broken.add(path.stem.lower())
            continue
        groups.append(group)
    loaded = {g.slug for g in groups}
    broken_slugs = frozenset(s for s in broken - loaded if SLUG_PATTERN.match(s) and s not in RESERVED_SLUGS)
    return GroupLoad(tuple(groups), tuple(problems), broken_slugs)


def _resolve(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a symlink loop: the path as given still names the file
        return path.absolute()


def validate_group(shown: str, stem: str, data: Any, categories: Mapping[str, str]) -> list[Problem]:
    """Every problem of one group file's parsed YAML."""
    problems: list[Problem] = []

    def bad(field: str, message: str, expected: str = "") -> None:
        problems.append(Problem(shown, field, message, expected or _FIELDS.get(field.split(".", maxsplit=1)[0], "")))

    if not SLUG_PATTERN.match(stem):
        problems.append(Problem(shown, "slug", f"file name {quoted(stem)} is not a slug", "lowercase letters, digits, '-' and '_', like dc-python.yaml"))
    elif stem in RESERVED_SLUGS:
        problems.append(Problem(shown, "slug", f"the slug {quoted(stem)} is reserved for events added by hand", "another file name"))
    if not isinstance(data, dict):
        problems.append(Problem(shown, "file", f"the file holds {describe(data)}, not a mapping of fields", "name, website, ical..."))
        return problems
    for key in sorted(map(str, data)):
        if key not in _FIELDS:
            problems.append(Problem(shown, key, "unknown field", f"one of {', '.join(_FIELDS)}"))
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        quote = " (YAML reads yes, no, on and off as true or false: put the name in quotes)" if isinstance(name, bool) else ""
        bad("name", "missing" if name is None else f"{describe(name)} is not a name{quote}")
    _url_field(data, "website", bad, required=True)
    if "active" in data and not isinstance(data["active"], bool):
        bad("active", f"{describe(data['active'])} is not true or false")
    check_categories(data.get("categories", []), categories, bad)
    has_ical, has_source = "ical" in data, "source" in data
    if has_ical and has_source:
        bad("source", "give either 'ical' or 'source', not both")
    elif not has_ical and not has_source:
        bad("ical", "missing: a group needs a calendar ('ical' or 'source')")
    elif has_ical:
        _url_field(data, "ical", bad, required=True)
    else:
        _source_field(data["source"], bad)
    for key in ("skip_phrases", "suppress_urls"):
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            bad(key, f"{describe(value)} is not a list of non-empty strings")
        elif key == "suppress_urls":
            for item in value:
                if not is_http_url(item):
                    bad(key, _not_url(item))
    _url_field(data, "fallback_url", bad, required=False)
    state = data.get("default_state")
    if state is not None and (not isinstance(state, str) or state.upper() not in US_STATES):
        bad("default_state", f"{quoted(state) if isinstance(state, str) else describe(state)} is not a US state code")
    zone = data.get("timezone")
    if zone is not None and timezone_problem(zone):
        bad("timezone", timezone_problem(zone))
    return problems


def _source_field(source: Any, bad: Any) -> None:
    if not isinstance(source, dict):
        bad("source", f"{describe(source)} is not a mapping")
        return
    kind = source.get("type")
    if not isinstance(kind, str) or kind not in SOURCES:
        shown = "missing" if kind is None else f"{quoted(kind) if isinstance(kind, str) else describe(kind)} is not a source type"
        bad("source.type", shown, f"one of {', '.join(SOURCES)}")
        return
    for key in sorted(map(str, source)):
        if key not in SOURCES[kind].keys:
            bad(f"source.{key}", f"unknown setting for a {kind} source", f"one of {', '.join(SOURCES[kind].keys)}")
    url = source.get("url")
    if not is_http_url(url):
        bad("source.url", "missing" if url is None else _not_url(url), f"the http(s) URL the {kind} source reads")
    for key in SOURCES[kind].settings:
        if key in source:
            check, expected = SETTING_CHECKS[key]
            message = _setting_problem(check, source[key])
            if message:
                bad(f"source.{key}", message, expected)


def _setting_problem(check: str, value: Any) -> str:
    """What is wrong with one source setting, or ''."""
    if check == "bool":
        return "" if isinstance(value, bool) else f"{describe(value)} is not true or false"
    if check in ("count", "id"):
        if isinstance(value, bool) or not isinstance(value, int):
            return f"{describe(value)} is not a whole number"
        if check == "count" and not COUNT_RANGE[0] <= value <= COUNT_RANGE[1]:
            return f"{value} is out of range"
        return "" if value >= 1 else f"{value} is not a positive number"
    if check == "name":
        ok = isinstance(value, str) and re.fullmatch(PARAMETER_NAME, value)
        return "" if ok else f"{describe(value)} is not a query parameter name"
    if check == "selector":
        if not isinstance(value, str) or not value.strip():
            return f"{describe(value)} is not a CSS selector"
        # Imported here: soupsieve costs 0.07 s of start-up, and few groups have a selector.
        import soupsieve

        try:
            soupsieve.compile(value)
        except (soupsieve.SelectorSyntaxError, ValueError) as error:
            return f"{quoted(value)} is not a valid CSS selector ({one_line(error).split(' line ')[0]})"
    return ""


def _url_field(data: dict[str, Any], key: str, bad: Any, required: bool) -> None:
    if key not in data:
        if required:
            bad(key, "missing")
        return
    if not is_http_url(data[key]):
        bad(key, _not_url(data[key]))


def _not_url(value: Any) -> str:
    shown = quoted(value) if isinstance(value, str) else describe(value)
    return f"{shown} is not an http(s) URL"


def _to_group(path: Path, data: dict[str, Any]) -> Group:
    source = data.get("source") or {}
    return Group(
        slug=path.stem.lower(),
        name=data["name"].strip(),
        website=data["website"].strip(),
        active=data.get("active", True),
        categories=tuple(data.get("categories", [])),
        ical=str(data.get("ical", "")).strip(),
        source=tuple(sorted(source.items())),
        skip_phrases=tuple(data.get("skip_phrases", [])),
        suppress_urls=tuple(data.get("suppress_urls", [])),
        fallback_url=str(data.get("fallback_url", "")).strip(),
        default_state=str(data.get("default_state", "")).upper(),
        timezone=str(data.get("timezone", "")),
        path=str(path),
    )
