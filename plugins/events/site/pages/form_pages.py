"""The contribution forms: add a group, submit an event, suggest a correction.

No backend: each form writes one YAML file of `_groups/`, `_single_events/`
or `_overlays/`. Without JavaScript a form page shows the file to copy and
where it goes. With JavaScript (`theme/static/js/forms.js`, no third-party
code) the form builds the file, checks it against the published JSON
Schema of its kind (`/schemas/<kind>.json`) and the file-name rule, shows
each problem next to its field, and opens GitHub's new-file page of
EVENTS_REPOSITORY with the file name and text filled in; GitHub offers the
fork and the pull request, and the pull-request check gives its verdict.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from events.collect.sources.registry import SOURCES
from events.inputs.file_schemas import FILE_KINDS, file_schemas, schema_header, schema_text
from events.inputs.groups import RESERVED_SLUGS, US_STATES
from events.inputs.overlays import _CHANGES as OVERLAY_CHANGES
from events.inputs.overlays import EVENT_ID_PATTERN
from events.inputs.yaml_files import SLUG_PATTERN
from events.models import LOCATION_TYPES
from events.settings import SETTING_DOCS
from events.site.records import Artifact, PageSpec, SiteInfo
from events.site.urls import absolute_url, correction_form, event_form, group_form, input_schema, submit_index

__all__ = ["FORMS", "FormSpec", "form_paths", "input_schema_files", "new_file_url", "plan_form_pages"]

LOCATION_TYPE_LABELS = {"in_person": "In person", "virtual": "Online", "hybrid": "In person and online"}
# How the group form names each source type; a type missing here shows by its name.
SOURCE_LABELS = {
    "ical": "iCalendar feed (.ics; Meetup, Luma, Google Calendar)",
    "jsonld": "Web pages with schema.org event data (jsonld)",
    "libcal": "LibCal calendar (libcal)",
    "json_api": "JSON API (json_api)",
}


@dataclass(frozen=True)
class FormSpec:
    """One form: its page, the kind of file it writes, its template and its words."""

    kind: str
    path: str
    template: str
    title: str
    description: str
    example: str  # the file a contributor copies when JavaScript is off (after the schema line)


FORMS: tuple[FormSpec, ...] = (
    FormSpec(
        "group",
        group_form(),
        "form_group",
        "Add your group",
        "Propose your group's calendar for this site: one YAML file, reviewed by pull request.",
        "name: Your Group Name\nwebsite: https://www.example.org/\nical: https://www.example.org/events.ics\ncategories: [communities]\n",
    ),
    FormSpec(
        "single-event",
        event_form(),
        "form_event",
        "Submit an event",
        "Propose a one-off or recurring event for this site: one YAML file, reviewed by pull request.",
        'title: "Your Event"\nstart: "2026-04-02 18:00"\nend: "2026-04-02 20:00"\nurl: https://www.example.org/your-event\n'
        'location: "1630 7th St NW, Washington, DC 20001"\ncategories: [communities]\n'
        "# For a recurring event, add a rule such as:\n# rrule: FREQ=MONTHLY;BYDAY=1TH\n",
    ),
    FormSpec(
        "overlay",
        correction_form(),
        "form_correction",
        "Suggest a correction",
        "Propose a correction to a collected event (hide it, mark it a duplicate, fix its title, topics or place).",
        "event: 0123456789abcdef0123  # the id at the end of the event page's address, /events/<id>/\n"
        "title: The corrected title\nreason: What is wrong, for the reviewers\n",
    ),
)


def new_file_url(repository: str, branch: str, path: str = "", text: str | None = None) -> str:
    """GitHub's new-file page of `repository`: in a folder (`path` ending in '/'), or for a named file with its text."""
    base = f"https://github.com/{repository}/new/{quote(branch, safe='')}"
    if text is None:
        return f"{base}/{quote(path, safe='/')}"
    return f"{base}?filename={quote(path, safe='/')}&value={quote(text, safe='')}"


def _folder(kind: str) -> str:
    """The folder of a file kind in the repository: its setting's default (`_groups`)."""
    return str(SETTING_DOCS[FILE_KINDS[kind].folder_setting][0])


def plan_form_pages(site: SiteInfo, page: Callable[..., PageSpec]) -> list[PageSpec]:
    """The three form pages and the page that leads to them."""
    categories = sorted(site.categories.items(), key=lambda item: item[1].lower())
    states = [*site.states, *sorted(US_STATES - set(site.states))]
    pages = [
        page(
            f"{form.path}index.html",
            form.template,
            form.title,
            form.description,
            section="submit",
            form=_form_context(form, site),
            categories=categories,
            location_types=[(t, LOCATION_TYPE_LABELS.get(t, t)) for t in LOCATION_TYPES],
            states=[(s, s) for s in states],
            source_options=[(kind, SOURCE_LABELS.get(kind, kind)) for kind in SOURCES],
            changes_key="|".join(OVERLAY_CHANGES),
        )
        for form in FORMS
    ]
    pages.insert(
        0,
        page(
            f"{submit_index()}index.html",
            "form_index",
            "Contribute",
            "Add your group, submit an event or suggest a correction: every change is a reviewed pull request.",
            section="submit",
            forms=FORMS,
            repository=site.repository,
        ),
    )
    return pages


def _form_context(form: FormSpec, site: SiteInfo) -> dict[str, Any]:
    folder = _folder(form.kind)
    header = schema_header(form.kind)
    return {
        "spec": form,
        "kind": form.kind,
        "folder": folder,
        "header": header,
        "example": f"{header}\n{form.example}",
        "schema_url": absolute_url(site.url, input_schema(FILE_KINDS[form.kind].schema_file)),
        "repository": site.repository,
        "branch": site.repository_branch,
        "folder_url": new_file_url(site.repository, site.repository_branch, f"{folder}/"),
        "slug_pattern": SLUG_PATTERN.pattern,
        "reserved": " ".join(sorted(RESERVED_SLUGS)),
        "event_id_pattern": EVENT_ID_PATTERN.pattern,
    }


def form_paths() -> Sequence[str]:
    return [submit_index(), *(f.path for f in FORMS)]


def input_schema_files(site: SiteInfo) -> list[Artifact]:
    """The JSON Schemas of input files, published under /schemas/ (with their absolute `$id` when SITEURL is absolute)."""
    files = []
    for name, schema in sorted(file_schemas(site.categories).items()):
        published = {"$id": absolute_url(site.url, input_schema(name)), **schema} if site.url.startswith(("http://", "https://")) else schema
        files.append(Artifact(input_schema(name), schema_text(published).encode("utf-8")))
    return files
