"""The MCP server: read-only tools over the site's published JSON.

`build_server` takes where the JSON comes from, the clock that says what
"upcoming" means, and the repository corrections are proposed to; it
returns an `MCPServer` (the official SDK's) with these tools:

| tool | answers |
| --- | --- |
| `list_events` | upcoming events, by date range, state, category, group, online / in person |
| `search_events` | the same, for events whose text holds every word of a query |
| `get_event` | one event by id |
| `list_groups` | the groups, optionally one category's or by name |
| `list_categories` | the category slugs, names and upcoming counts |
| `draft_correction` | an `_overlays/` file and the GitHub link that proposes it |

Every tool is read-only: the server reads the JSON at each call and never
writes, not even the drafted correction.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any, Literal, TypedDict, TypeVar
from urllib.parse import urljoin

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ToolAnnotations
from pydantic import AwareDatetime, Field

from .corrections import (
    REPOSITORY_PATTERN,
    Correction,
    CorrectionError,
    draft_correction,
)
from .queries import (
    MAX_LIMIT,
    Attendance,
    EventQuery,
    category_slugs,
    find_event,
    select_events,
    select_groups,
)
from .records import Event, SiteDataError
from .source import SiteReader, SiteSource, SourceError

__all__ = ["DEFAULT_REPOSITORY", "SERVER_NAME", "CategoryList", "CorrectionResult", "EventList", "GroupList", "build_server"]

SERVER_NAME = "dc-tech-events"
DEFAULT_REPOSITORY = "dctech-events/site"
DEFAULT_LIMIT = 50
_LINK_KEYS = ("page", "api", "feed")
_T = TypeVar("_T")

_INSTRUCTIONS = """\
Answers questions about the technology events this site lists (its groups' meetups, talks and hack nights),
from the site's published JSON. Times are ISO 8601 with the site timezone's offset; dates are local days.
Upcoming means starting at or after now. States are two-letter codes (DC, MD, VA); categories and groups are
slugs (list_categories, list_groups). Read-only: to fix a wrong event, draft_correction gives an overlay file
and a GitHub link that opens it as a pull request for the maintainers to review; share the link, nothing is
changed until they merge it."""

_READ_ONLY = ToolAnnotations(read_only_hint=True, idempotent_hint=True, destructive_hint=False)


class EventList(TypedDict):
    """Events answering a query, soonest first."""

    now: str
    count: int
    returned: int
    truncated: bool
    events: list[dict[str, Any]]


class GroupList(TypedDict):
    count: int
    groups: list[dict[str, Any]]


class CategoryList(TypedDict):
    count: int
    categories: list[dict[str, Any]]


class CorrectionResult(TypedDict):
    event_id: str
    path: str
    yaml: str
    pull_request_url: str
    instructions: str


# Argument types, shared by the tools that take them. Descriptions become the tools' JSON Schema.
StartDate = Annotated[date | None, Field(description="first local day (YYYY-MM-DD) an event may start on; default: no bound")]
EndDate = Annotated[date | None, Field(description="last local day (YYYY-MM-DD) an event may start on, inclusive; default: no bound")]
State = Annotated[str | None, Field(description="two-letter state code, e.g. DC, MD or VA (online-only events have none)", pattern=r"^[A-Za-z]{2}$")]
CategorySlug = Annotated[str | None, Field(description="a category slug from list_categories, e.g. open-source-community")]
GroupId = Annotated[str | None, Field(description="a group id from list_groups, e.g. dc-python (also matches events the group co-lists)")]
AttendanceArg = Annotated[
    Attendance | None, Field(description="in_person: in-person and hybrid events; online: virtual and hybrid events; default: both")
]
IncludePast = Annotated[bool, Field(description="also events that started before now (the site keeps an archive of past events)")]
IncludeCancelled = Annotated[bool, Field(description="also cancelled events (their status says cancelled)")]
Limit = Annotated[int, Field(ge=1, le=MAX_LIMIT, description=f"most events returned (1-{MAX_LIMIT}); count says how many matched")]
Now = Annotated[AwareDatetime | None, Field(description="the time 'upcoming' starts from, ISO 8601 with offset; default: the server's clock")]


def build_server(
    source: SiteSource,
    *,
    now: Callable[[], datetime],
    repository: str = DEFAULT_REPOSITORY,
    branch: str = "main",
    site_url: str = "",
) -> MCPServer:
    """An MCP server answering from `source`.

    `now` is the one clock (tests pin it; the command line passes the real
    time). `repository` (OWNER/NAME) and `branch` are where drafted
    corrections are proposed. `site_url`, when given, makes the records'
    site-relative links (`page`, `api`, `feed`) absolute.
    """
    if not REPOSITORY_PATTERN.match(repository):
        raise ValueError(f"repository {repository!r} is not OWNER/NAME")
    clock = now
    reader = SiteReader(source)
    server = MCPServer(name=SERVER_NAME, instructions=_INSTRUCTIONS)

    def published(read: Callable[[], _T]) -> _T:
        try:
            return read()
        except (SourceError, SiteDataError) as error:
            raise ToolError(f"the site's data could not be read: {error}") from None

    def answer(query: EventQuery, limit: int) -> EventList:
        chosen = select_events(published(reader.events), query)
        shown = chosen[:limit]
        return EventList(
            now=query.now.isoformat(),
            count=len(chosen),
            returned=len(shown),
            truncated=len(shown) < len(chosen),
            events=[_absolute(event.record, site_url) for event in shown],
        )

    @server.tool(annotations=_READ_ONLY)
    def list_events(
        start_date: StartDate = None,
        end_date: EndDate = None,
        state: State = None,
        category: CategorySlug = None,
        group: GroupId = None,
        attendance: AttendanceArg = None,
        include_past: IncludePast = False,
        include_cancelled: IncludeCancelled = True,
        limit: Limit = DEFAULT_LIMIT,
        now: Now = None,
    ) -> EventList:
        """Upcoming events, soonest first, filtered by local date range, state, category, group and online / in person."""
        query = EventQuery(
            now=now or clock(),
            start_date=start_date,
            end_date=end_date,
            state=state,
            category=category,
            group=group,
            attendance=attendance,
            include_past=include_past,
            include_cancelled=include_cancelled,
        )
        return answer(query, limit)

    @server.tool(annotations=_READ_ONLY)
    def search_events(
        text: Annotated[str, Field(min_length=1, description="words that must all appear in the title, summary, place, group or categories")],
        start_date: StartDate = None,
        end_date: EndDate = None,
        state: State = None,
        attendance: AttendanceArg = None,
        include_past: IncludePast = False,
        limit: Limit = DEFAULT_LIMIT,
        now: Now = None,
    ) -> EventList:
        """Upcoming events whose text holds every word of `text` (case-insensitive), soonest first."""
        if not text.split():
            raise ToolError("text: give at least one word to search for")
        query = EventQuery(
            now=now or clock(),
            start_date=start_date,
            end_date=end_date,
            state=state,
            attendance=attendance,
            text=text,
            include_past=include_past,
        )
        return answer(query, limit)

    @server.tool(annotations=_READ_ONLY)
    def get_event(
        event_id: Annotated[str, Field(description="the event's id: 20 characters, the last part of its page /events/<id>/")],
    ) -> dict[str, Any]:
        """One event: title, start and end, place, state, online or in person, group, categories, status, links."""
        event = _event(published(reader.events), event_id)
        return _absolute(event.record, site_url)

    @server.tool(annotations=_READ_ONLY)
    def list_groups(
        category: CategorySlug = None,
        text: Annotated[str | None, Field(description="words that must all appear in the group's id, name or categories")] = None,
        include_inactive: Annotated[bool, Field(description="also groups no longer collected")] = False,
    ) -> GroupList:
        """The groups whose calendars the site collects: id, name, website, categories, upcoming count, last fetch."""
        groups = select_groups(published(reader.groups), category=category, text=text, include_inactive=include_inactive)
        return GroupList(count=len(groups), groups=[_absolute(group.record, site_url) for group in groups])

    @server.tool(annotations=_READ_ONLY)
    def list_categories() -> CategoryList:
        """The site's categories: slug (for the category filters), name, upcoming count."""
        categories = published(reader.categories)
        return CategoryList(count=len(categories), categories=[_absolute(category.record, site_url) for category in categories])

    # Named apart from the imported `draft_correction`, which it calls.
    @server.tool(name="draft_correction", annotations=_READ_ONLY)
    def draft_correction_tool(
        event_id: Annotated[str, Field(description="the id of the event to correct")],
        reason: Annotated[str, Field(description="why, for the reviewers (e.g. 'spam', 'moved to Thursday')")] = "",
        hide: Annotated[bool, Field(description="leave the event out of the site (spam, not a tech event)")] = False,
        duplicate_of: Annotated[
            str | None, Field(description="the id of the event this one repeats: this one is left out, the other shown as also listed by its group")
        ] = None,
        title: Annotated[str | None, Field(description="the title to show instead")] = None,
        categories: Annotated[list[str] | None, Field(description="category slugs to show instead (list_categories)")] = None,
        location: Annotated[str | None, Field(description="the place or street address to show instead; its city and state are read again")] = None,
        location_type: Annotated[Literal["in_person", "virtual", "hybrid"] | None, Field(description="how people attend it")] = None,
    ) -> CorrectionResult:
        """Draft a correction to a wrong event as an `_overlays/` YAML file plus the GitHub link that proposes it as a pull request.

        Writes nothing: the user opens the link, reviews the file and submits it for the maintainers.
        """
        events = published(reader.events)
        event = _event(events, event_id)
        correction = Correction(
            hide=hide,
            duplicate_of=duplicate_of,
            title=title,
            categories=tuple(categories) if categories is not None else None,
            location=location,
            location_type=location_type,
            reason=reason,
        )
        try:
            draft = draft_correction(
                event,
                correction,
                repository=repository,
                branch=branch,
                categories=category_slugs(published(reader.categories)),
                event_ids={other.id for other in events},
            )
        except CorrectionError as error:
            raise ToolError(str(error)) from None
        return CorrectionResult(
            event_id=draft.event_id,
            path=draft.path,
            yaml=draft.text,
            pull_request_url=draft.pull_request_url,
            instructions=(
                f"Open pull_request_url while signed in to GitHub: it proposes {draft.path} to {repository}. "
                "Commit it to a new branch and open the pull request; a maintainer reviews it and the nightly build applies it."
            ),
        )

    return server


def _event(events: tuple[Event, ...], event_id: str) -> Event:
    event = find_event(events, event_id)
    if event is None:
        raise ToolError(f"no published event has the id {event_id.strip()!r}; list_events or search_events give ids")
    return event


def _absolute(record: dict[str, Any], site_url: str) -> dict[str, Any]:
    """The record, with its site-relative links made absolute when the site's URL is known."""
    if not site_url:
        return record
    base = site_url.rstrip("/") + "/"
    return {key: urljoin(base, value) if key in _LINK_KEYS and isinstance(value, str) and value.startswith("/") else value for key, value in record.items()}
