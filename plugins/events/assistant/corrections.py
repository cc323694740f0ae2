"""Draft a correction to a collected event: an `_overlays/` file and the link that proposes it.

The assistant never writes to the repository. It drafts the overlay YAML
(fields as in `_overlays/`: hide, duplicate_of, title, categories,
location, location_type, reason) and GitHub's "new file" link for the
repository, with the file name and text filled in: whoever opens it signs
in, GitHub forks if needed, and the pull request goes through the usual
review and `invoke validate`.

Checks here are the ones only the published site can answer (the event
and the duplicate exist, the categories are the site's); the overlay
format itself is the project's validator's job, and the tests run the
drafts through it.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import yaml

from .records import LOCATION_TYPES, Event

__all__ = ["OVERLAYS_DIR", "REPOSITORY_PATTERN", "Correction", "CorrectionDraft", "CorrectionError", "draft_correction", "new_file_url"]

OVERLAYS_DIR = "_overlays"
REPOSITORY_PATTERN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?/[A-Za-z0-9._-]+$")


class CorrectionError(ValueError):
    """The correction asked for cannot be drafted; the message says why."""


@dataclass(frozen=True)
class Correction:
    """What to change; None leaves a field as the feed says."""

    hide: bool = False
    duplicate_of: str | None = None
    title: str | None = None
    categories: tuple[str, ...] | None = None
    location: str | None = None
    location_type: str | None = None
    reason: str = ""


@dataclass(frozen=True)
class CorrectionDraft:
    """The file to add (`path`, `text`) and the link that opens it as a new file on GitHub."""

    event_id: str
    path: str
    text: str
    pull_request_url: str


def draft_correction(
    event: Event,
    correction: Correction,
    *,
    repository: str,
    branch: str = "main",
    categories: Collection[str],
    event_ids: Collection[str],
) -> CorrectionDraft:
    """The overlay for `event` and its pull-request link; raises CorrectionError when it would be wrong.

    `categories` are the site's category slugs and `event_ids` the ids of
    the events it publishes (for `duplicate_of`).
    """
    fields = _fields(event, correction, categories, event_ids)
    path = f"{OVERLAYS_DIR}/{event.id}.yaml"
    text = _header(event) + yaml.safe_dump(fields, sort_keys=False, allow_unicode=True, default_flow_style=False, width=4096)
    return CorrectionDraft(event.id, path, text, new_file_url(repository, branch, path, text))


def new_file_url(repository: str, branch: str, path: str, text: str) -> str:
    """GitHub's page for adding `path` with `text` to `branch` of `repository` (OWNER/NAME)."""
    if not REPOSITORY_PATTERN.match(repository):
        raise CorrectionError(f"repository {repository!r} is not OWNER/NAME")
    if not branch.strip():
        raise CorrectionError("the branch is empty")
    # The file name keeps its slash readable, as GitHub's own links do; the text is encoded whole.
    query = f"filename={quote(path, safe='/')}&value={quote(text, safe='')}"
    return f"https://github.com/{repository}/new/{quote(branch.strip(), safe='')}?{query}"


def _fields(event: Event, correction: Correction, categories: Collection[str], event_ids: Collection[str]) -> dict[str, Any]:
    fields: dict[str, Any] = {"event": event.id}
    changed = False
    if correction.hide:
        fields["hide"] = True
        changed = True
    if correction.duplicate_of is not None:
        other = correction.duplicate_of.strip().lower()
        if other == event.id:
            raise CorrectionError("an event cannot duplicate itself")
        if other not in event_ids:
            raise CorrectionError(f"duplicate_of: no published event has the id {other!r}")
        fields["duplicate_of"] = other
        changed = True
    if correction.title is not None:
        title = " ".join(correction.title.split())
        if not title:
            raise CorrectionError("title: a title cannot be empty (to leave the event out, use hide)")
        fields["title"] = title
        changed = changed or title != event.title
    if correction.categories is not None:
        slugs = list(dict.fromkeys(slug.strip().lower() for slug in correction.categories))
        unknown = [slug for slug in slugs if slug not in categories]
        if unknown:
            raise CorrectionError(f"categories: unknown {', '.join(map(repr, unknown))}; the site's are {', '.join(sorted(categories))}")
        fields["categories"] = slugs
        changed = changed or tuple(slugs) != event.categories
    if correction.location is not None:
        location = " ".join(correction.location.split())
        if not location:
            raise CorrectionError("location: a place cannot be empty")
        fields["location"] = location
        changed = changed or location != event.record.get("location")
    if correction.location_type is not None:
        if correction.location_type not in LOCATION_TYPES:
            raise CorrectionError(f"location_type: {correction.location_type!r} is not one of {', '.join(LOCATION_TYPES)}")
        fields["location_type"] = correction.location_type
        changed = changed or correction.location_type != event.location_type
    if not changed:
        raise CorrectionError(
            "the correction changes nothing: give hide, duplicate_of, or a title, categories, location or location_type that differs from the event's"
        )
    reason = " ".join(correction.reason.split())
    if reason:
        fields["reason"] = reason
    return fields


def _header(event: Event) -> str:
    """A comment naming the event, so a reviewer sees what the id is without looking it up."""
    title = " ".join(event.title.split())
    group = " ".join(str(event.record.get("group_name") or event.group_id).split())
    return f"# {title} ({group}, {event.start:%Y-%m-%d %H:%M})\n"
