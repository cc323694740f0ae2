"""The assistant's MCP server, driven by the official SDK's own client against the demo site.

The demo site is built once per session from the recorded feeds in
tests/data/demo/ with the clock pinned to 2026-03-02 09:00 EST (the
`demo_site` fixture of tests/conftest.py). Tools are called through
`mcp.Client` in-process (mode "legacy": the SDK's in-memory transport,
`mcp.client._memory.InMemoryTransport` over
`mcp.shared.memory.create_client_server_memory_streams`, with the JSON-RPC
framing and initialize handshake of a real client), over HTTP
from the folder served on loopback, and once through the real
`python -m events.assistant` command on stdio.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import anyio.to_thread
import pytest
import requests
import yaml
from feedserver import FeedServer, LoopbackServer
from mcp import Client, StdioServerParameters
from mcp.types import CallToolResult

from events.assistant.__main__ import parse_args
from events.assistant.server import build_server
from events.assistant.source import FolderSource, HttpSource, SourceError

# The project's overlay rules: a drafted correction must pass them.
from events.inputs.overlays import load_overlays, validate_overlay

ROOT = Path(__file__).resolve().parents[2]
DEMO_NOW = datetime.fromisoformat("2026-03-02T09:00:00-05:00")
REPOSITORY = "octo-org/dc-tech"

pytestmark = pytest.mark.anyio

# Every event of the demo feeds, by id, soonest first.
TITLES = {
    "90fe8dd783c5cf59b8c1": "NoVALUG Monthly Meeting",  # Mar 2, Falls Church VA
    "72faf9e893dd9ab2a527": "Python Project Night",  # Mar 3, DC, dc-python
    "7bef3220787e98fe7254": "Civic Tech Hack Night",  # Mar 4, DC
    "c0c15693f5f1b57c8ea5": "Data Science Happy Hour",  # Mar 5, DC, dc-python, cancelled
    "0f7c27c1878fda4a9f72": "Open Data Webinar",  # Mar 6, online, civic-tech
    "9bf2e47d30021c6e0f3b": "Linux Installfest Weekend",  # Mar 7-8, Fairfax VA
    "0ff9a51fcd23922eac32": "Joint meeting with Baltimore LUG",  # Mar 9, Towson MD
    "cd8f65f00ffb5c015231": "Intro to Type Hints",  # Mar 10, DC, dc-python
    "64d2787c7c3a0b95e7aa": "Civic Tech Hack Night (moved to Thursday)",  # Mar 12
    "355b68bcc0d43ea20517": "Civic Tech Hack Night",  # Mar 25
    "e24a1bebb72ab5b22f3c": "Civic Tech Hack Night",  # Apr 1
    "954a8a0c21228c09f13d": "NoVALUG Monthly Meeting",  # Apr 6
    "41a34ddbad663e672890": "Civic Tech Hack Night",  # Apr 8
    "bd7bc2e26dac0352e5b0": "NoVALUG Monthly Meeting",  # May 4
}
ALL = list(TITLES)
NOVALUG = ["90fe8dd783c5cf59b8c1", "9bf2e47d30021c6e0f3b", "0ff9a51fcd23922eac32", "954a8a0c21228c09f13d", "bd7bc2e26dac0352e5b0"]
DC_PYTHON = ["72faf9e893dd9ab2a527", "c0c15693f5f1b57c8ea5", "cd8f65f00ffb5c015231"]
HACK_NIGHTS = ["7bef3220787e98fe7254", "64d2787c7c3a0b95e7aa", "355b68bcc0d43ea20517", "e24a1bebb72ab5b22f3c", "41a34ddbad663e672890"]
WEBINAR = "0f7c27c1878fda4a9f72"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def demo_output(demo_site: Path) -> Path:
    """The demo site's output folder, built once per session."""
    assert (demo_site / "api" / "events.json").is_file()
    return demo_site


@pytest.fixture(scope="module")
def categories() -> dict[str, str]:
    return {str(slug): str(name) for slug, name in yaml.safe_load((ROOT / "data" / "categories.yaml").read_text()).items()}


@pytest.fixture
def server(demo_output: Path):
    return build_server(FolderSource(demo_output), now=lambda: DEMO_NOW, repository=REPOSITORY)


async def call(server: Any, tool: str, mode: str = "legacy", **arguments: Any) -> CallToolResult:
    """One tool call from a fresh SDK client, as an assistant makes it."""
    async with Client(server, mode=mode) as client:
        return await client.call_tool(tool, arguments)


def answer(result: CallToolResult) -> Any:
    assert not result.is_error, result.content
    assert result.structured_content is not None
    return result.structured_content


def error_text(result: CallToolResult) -> str:
    assert result.is_error
    return " ".join(getattr(block, "text", "") for block in result.content)


def listed(result: CallToolResult) -> list[tuple[str, str]]:
    return [(event["id"], event["title"]) for event in answer(result)["events"]]


def expected(ids: list[str]) -> list[tuple[str, str]]:
    return [(event_id, TITLES[event_id]) for event_id in ids]


# --- The tools, as a client sees them ----------------------------------------


@pytest.mark.parametrize("mode", ["legacy", "auto"])
async def test_every_tool_is_listed_and_read_only(server, mode):
    async with Client(server, mode=mode) as client:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
    assert sorted(tools) == ["draft_correction", "get_event", "list_categories", "list_events", "list_groups", "search_events"]
    for tool in tools.values():
        assert tool.annotations is not None and tool.annotations.read_only_hint is True, tool.name
        assert tool.description


# --- list_events: upcoming events by date range, state, category, group, online / in person ---

LIST_CASES = {
    "everything upcoming": ({}, ALL),
    "date range, both days inclusive": (
        {"start_date": "2026-03-03", "end_date": "2026-03-06"},
        ["72faf9e893dd9ab2a527", "7bef3220787e98fe7254", "c0c15693f5f1b57c8ea5", WEBINAR],
    ),
    "state": ({"state": "MD"}, ["0ff9a51fcd23922eac32"]),
    "state in lower case": (
        {"state": "va"},
        ["90fe8dd783c5cf59b8c1", "9bf2e47d30021c6e0f3b", "954a8a0c21228c09f13d", "bd7bc2e26dac0352e5b0"],
    ),
    "category": ({"category": "programming-languages"}, DC_PYTHON),
    "group": ({"group": "novalug"}, NOVALUG),
    "online": ({"attendance": "online"}, [WEBINAR]),
    "in person in DC for a week": (
        {"attendance": "in_person", "state": "DC", "end_date": "2026-03-10"},
        ["72faf9e893dd9ab2a527", "7bef3220787e98fe7254", "c0c15693f5f1b57c8ea5", "cd8f65f00ffb5c015231"],
    ),
    "without the cancelled": ({"group": "dc-python", "include_cancelled": False}, ["72faf9e893dd9ab2a527", "cd8f65f00ffb5c015231"]),
    "a later now": ({"now": "2026-04-02T00:00:00-04:00"}, ["954a8a0c21228c09f13d", "41a34ddbad663e672890", "bd7bc2e26dac0352e5b0"]),
    "an event that has started is no longer upcoming": (
        {"now": "2026-03-02T19:30:00-05:00", "end_date": "2026-03-04"},
        ["72faf9e893dd9ab2a527", "7bef3220787e98fe7254"],
    ),
    "the past, when asked": (
        {"now": "2026-04-02T00:00:00-04:00", "include_past": True, "end_date": "2026-03-04"},
        ["90fe8dd783c5cf59b8c1", "72faf9e893dd9ab2a527", "7bef3220787e98fe7254"],
    ),
    "nothing matches": ({"state": "DC", "attendance": "online"}, []),
}


@pytest.mark.parametrize("arguments, ids", LIST_CASES.values(), ids=LIST_CASES.keys())
async def test_list_events_filters(server, arguments, ids):
    result = await call(server, "list_events", **arguments)
    assert listed(result) == expected(ids)
    assert answer(result)["count"] == len(ids)


async def test_list_events_counts_what_the_limit_leaves_out(server):
    result = answer(await call(server, "list_events", limit=2))
    assert (result["count"], result["returned"], result["truncated"]) == (14, 2, True)
    assert [event["title"] for event in result["events"]] == ["NoVALUG Monthly Meeting", "Python Project Night"]


async def test_upcoming_starts_at_the_injected_clock(demo_output):
    later = datetime.fromisoformat("2026-04-07T12:00:00-04:00")
    server = build_server(FolderSource(demo_output), now=lambda: later)
    result = await call(server, "list_events")
    assert answer(result)["now"] == "2026-04-07T12:00:00-04:00"
    assert listed(result) == expected(["41a34ddbad663e672890", "bd7bc2e26dac0352e5b0"])


async def test_a_time_without_offset_is_refused(server):
    assert "timezone" in error_text(await call(server, "list_events", now="2026-03-02T09:00:00"))


async def test_events_are_the_published_records(server, demo_output):
    import json

    published = {record["id"]: record for record in json.loads((demo_output / "api" / "events.json").read_text())["events"]}
    for event in answer(await call(server, "list_events", state="MD"))["events"]:
        assert event == published[event["id"]]


# --- search_events ------------------------------------------------------------

SEARCH_CASES = {
    "title words, any case": ({"text": "HACK night"}, HACK_NIGHTS),
    "two words apart": ({"text": "type hints"}, ["cd8f65f00ffb5c015231"]),
    "the place": ({"text": "towson"}, ["0ff9a51fcd23922eac32"]),
    "the group's name": ({"text": "python"}, DC_PYTHON),
    "with a filter": ({"text": "hack night", "end_date": "2026-03-12"}, HACK_NIGHTS[:2]),
    "every word must match": ({"text": "python linux"}, []),
}


@pytest.mark.parametrize("arguments, ids", SEARCH_CASES.values(), ids=SEARCH_CASES.keys())
async def test_search_events(server, arguments, ids):
    assert listed(await call(server, "search_events", **arguments)) == expected(ids)


async def test_search_needs_words(server):
    assert (await call(server, "search_events", text="  ")).is_error


# --- get_event ------------------------------------------------------------------


async def test_get_event_by_id(server):
    event = answer(await call(server, "get_event", event_id=WEBINAR))
    assert event["title"] == "Open Data Webinar"
    assert (event["location_type"], event["group_id"], event["start"]) == ("virtual", "civic-tech", "2026-03-06T12:00:00-05:00")
    assert event["page"] == f"/events/{WEBINAR}/"


async def test_get_event_names_an_unknown_id(server):
    assert "no published event has the id '0123456789abcdef0123'" in error_text(await call(server, "get_event", event_id="0123456789abcdef0123"))


# --- list_groups and list_categories ------------------------------------------


@pytest.mark.parametrize(
    "arguments, groups",
    [
        ({}, {"civic-tech": 6, "dc-python": 3, "novalug": 5, "offline-group": 0}),
        ({"category": "open-source-community"}, {"civic-tech": 6, "novalug": 5}),
        ({"text": "python"}, {"dc-python": 3}),
        ({"text": "linux users"}, {"novalug": 5}),
    ],
)
async def test_list_groups(server, arguments, groups):
    result = answer(await call(server, "list_groups", **arguments))
    assert {group["id"]: group["upcoming"] for group in result["groups"]} == groups
    assert result["count"] == len(groups)


async def test_list_groups_gives_names_and_fetch_results(server):
    by_id = {group["id"]: group for group in answer(await call(server, "list_groups"))["groups"]}
    assert by_id["novalug"]["name"] == "Northern Virginia Linux Users Group"
    assert by_id["dc-python"]["last_fetch"]["result"] == "ok"
    assert by_id["offline-group"]["last_fetch"]["result"] == "error"


async def test_list_categories(server, categories):
    result = answer(await call(server, "list_categories"))
    counts = {category["slug"]: category["upcoming"] for category in result["categories"]}
    assert sorted(counts) == sorted(categories)
    assert (counts["govtech"], counts["open-source-community"], counts["programming-languages"], counts["ai"]) == (6, 11, 3, 0)


# --- draft_correction: the overlay YAML and its pull-request link ---------------

CORRECTIONS = {
    "hide spam": ({"event_id": WEBINAR, "hide": True, "reason": "spam"}, {"hide": True, "reason": "spam"}),
    "retitle": (
        {"event_id": "64d2787c7c3a0b95e7aa", "title": "Civic Tech Hack Night: Thursday edition"},
        {"title": "Civic Tech Hack Night: Thursday edition"},
    ),
    "categories and attendance": (
        {"event_id": "cd8f65f00ffb5c015231", "categories": ["programming-languages", "training"], "location_type": "hybrid", "reason": "streamed too"},
        {"categories": ["programming-languages", "training"], "location_type": "hybrid", "reason": "streamed too"},
    ),
    "a place with YAML-special characters": (
        {"event_id": "7bef3220787e98fe7254", "location": "Room #4: 1425 K St NW, Washington, DC 20005"},
        {"location": "Room #4: 1425 K St NW, Washington, DC 20005"},
    ),
    "duplicate": (
        {"event_id": "355b68bcc0d43ea20517", "duplicate_of": "64d2787c7c3a0b95e7aa"},
        {"duplicate_of": "64d2787c7c3a0b95e7aa"},
    ),
}


@pytest.mark.parametrize("arguments, fields", CORRECTIONS.values(), ids=CORRECTIONS.keys())
async def test_draft_correction_validates_and_its_link_carries_it(server, categories, tmp_path, arguments, fields):
    draft = answer(await call(server, "draft_correction", **arguments))
    event_id = arguments["event_id"]
    assert draft["path"] == f"_overlays/{event_id}.yaml"
    assert draft["yaml"].startswith(f"# {TITLES[event_id]} (")

    data = yaml.safe_load(draft["yaml"])
    assert data == {"event": event_id, **fields}
    assert validate_overlay(draft["path"], data, categories) == []
    overlays_dir = tmp_path / "_overlays"
    overlays_dir.mkdir()
    (overlays_dir / f"{event_id}.yaml").write_text(draft["yaml"], encoding="utf-8")
    loaded = load_overlays(overlays_dir, categories)
    assert loaded.problems == ()
    assert list(loaded.overlays) == [event_id]

    link = urlsplit(draft["pull_request_url"])
    assert (link.scheme, link.netloc, link.path) == ("https", "github.com", f"/{REPOSITORY}/new/main")
    assert link.query.startswith(f"filename=_overlays/{event_id}.yaml&value=")
    assert parse_qs(link.query, strict_parsing=True) == {"filename": [draft["path"]], "value": [draft["yaml"]]}


REFUSED = {
    "unknown event": ({"event_id": "0123456789abcdef0123", "hide": True}, "no published event has the id"),
    "unknown category": ({"event_id": WEBINAR, "categories": ["knitting"]}, "unknown 'knitting'"),
    "nothing changes": ({"event_id": WEBINAR, "title": "Open  Data Webinar", "reason": "same"}, "changes nothing"),
    "duplicate of itself": ({"event_id": WEBINAR, "duplicate_of": WEBINAR}, "cannot duplicate itself"),
    "duplicate of an unknown event": ({"event_id": WEBINAR, "duplicate_of": "0123456789abcdef0123"}, "no published event has the id"),
    "bad location type": ({"event_id": WEBINAR, "location_type": "hologram"}, "location_type"),
    "empty title": ({"event_id": WEBINAR, "title": "  "}, "cannot be empty"),
}


@pytest.mark.parametrize("arguments, message", REFUSED.values(), ids=REFUSED.keys())
async def test_draft_correction_refuses_what_would_be_wrong(server, arguments, message):
    assert message in error_text(await call(server, "draft_correction", **arguments))


def test_a_repository_that_is_not_owner_and_name_is_refused_at_start(demo_output):
    with pytest.raises(ValueError, match="is not OWNER/NAME"):
        build_server(FolderSource(demo_output), now=lambda: DEMO_NOW, repository="https://github.com/o/r")


async def test_draft_correction_goes_to_the_configured_repository_and_branch(demo_output):
    server = build_server(FolderSource(demo_output), now=lambda: DEMO_NOW, repository="someone/fork", branch="dev")
    draft = answer(await call(server, "draft_correction", event_id=WEBINAR, hide=True))
    assert draft["pull_request_url"].startswith("https://github.com/someone/fork/new/dev?filename=_overlays/")


# --- The published site over HTTP ------------------------------------------------


async def test_the_published_site_over_http_answers_the_same(demo_output):
    with FeedServer(demo_output) as site:
        server = build_server(HttpSource(site.base_url, timeout=5), now=lambda: DEMO_NOW, site_url=site.base_url)
        result = await call(server, "list_events", state="MD")
        assert listed(result) == expected(["0ff9a51fcd23922eac32"])
        page = answer(result)["events"][0]["page"]
        assert page == f"{site.base_url}/events/0ff9a51fcd23922eac32/"
        response = await anyio.to_thread.run_sync(lambda: requests.get(page, timeout=5))
        assert response.status_code == 200
        assert listed(await call(server, "search_events", text="hack night")) == expected(HACK_NIGHTS)


async def test_a_file_larger_than_the_cap_is_refused(demo_output):
    with FeedServer(demo_output) as site:
        server = build_server(HttpSource(site.base_url, timeout=5, max_bytes=1000), now=lambda: DEMO_NOW)
        assert "more than the 1000 bytes accepted" in error_text(await call(server, "list_events"))
    server = build_server(FolderSource(demo_output, max_bytes=1000), now=lambda: DEMO_NOW)
    assert "more than the 1000 bytes accepted" in error_text(await call(server, "list_events"))


class _Unsized(BaseHTTPRequestHandler):
    """Answers with a body and no Content-Length, as a streaming or misbehaving server may."""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"count": 0, "events": [' + b" " * 5000 + b"]}")

    def log_message(self, format: str, *args: object) -> None:
        pass


async def test_a_body_without_a_declared_size_is_cut_at_the_cap():
    with LoopbackServer(_Unsized) as site:
        capped = build_server(HttpSource(site.base_url, timeout=5, max_bytes=1000), now=lambda: DEMO_NOW)
        assert "is more than the 1000 bytes accepted" in error_text(await call(capped, "list_events"))
        roomy = build_server(HttpSource(site.base_url, timeout=5), now=lambda: DEMO_NOW)
        assert answer(await call(roomy, "list_events"))["count"] == 0


class _Dripping(BaseHTTPRequestHandler):
    """Sends a byte at a time for 5 seconds, each well within the read timeout."""

    def do_GET(self) -> None:
        self.send_response(200)
        self.end_headers()
        for _ in range(100):
            self.wfile.write(b" ")
            self.wfile.flush()
            time.sleep(0.05)

    def log_message(self, format: str, *args: object) -> None:
        pass


async def test_a_slow_body_is_cut_at_the_deadline():
    with LoopbackServer(_Dripping) as site:
        server = build_server(HttpSource(site.base_url, timeout=5, deadline=0.5), now=lambda: DEMO_NOW)
        started = time.monotonic()
        assert "took more than 0.5 seconds to read" in error_text(await call(server, "list_events"))
        # The whole body takes 5 s to arrive; a cut at the deadline ends long before, even on a loaded machine.
        assert time.monotonic() - started < 4, "the deadline must cut the body while it arrives, not at its end"


async def test_a_site_without_the_api_says_so(tmp_path):
    with FeedServer(tmp_path) as site:
        server = build_server(HttpSource(site.base_url, timeout=5), now=lambda: DEMO_NOW)
        assert "api/groups.json answered HTTP 404" in error_text(await call(server, "list_groups"))


@pytest.mark.parametrize("path", ["../secrets.json", "api/../../x.json", "/etc/passwd", "api/events.txt"])
def test_only_api_json_paths_are_read(demo_output, path):
    with pytest.raises(SourceError, match="not a path of the JSON API"):
        FolderSource(demo_output).read_json(path)


# --- The command, as an assistant's configuration runs it --------------------------


async def test_the_command_serves_on_stdio(demo_output):
    command = StdioServerParameters(
        command=sys.executable,
        args=["-m", "events.assistant", "--site", str(demo_output), "--repository", REPOSITORY],
        env={"PYTHONPATH": str(ROOT / "plugins"), "PATH": os.environ.get("PATH", "")},
        cwd=str(ROOT),
    )
    async with Client(command, read_timeout_seconds=60) as client:
        result = await client.call_tool("list_events", {"group": "dc-python", "now": DEMO_NOW.isoformat()})
        draft = await client.call_tool("draft_correction", {"event_id": WEBINAR, "hide": True})
    assert listed(result) == expected(DC_PYTHON)
    assert answer(draft)["pull_request_url"].startswith(f"https://github.com/{REPOSITORY}/new/main?")


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--site", "{empty}"], "has no api/events.json"),
        (["--base-url", "ftp://example.org"], "is not an http(s) URL"),
        (["--site", "{demo}", "--repository", "not a repo"], "is not OWNER/NAME"),
    ],
)
def test_the_command_refuses_bad_options(demo_output, tmp_path, capsys, argv, message):
    argv = [arg.format(empty=tmp_path, demo=demo_output) for arg in argv]
    with pytest.raises(SystemExit):
        parse_args(argv, environ={})
    assert message in capsys.readouterr().err


def test_the_command_reads_its_settings_from_the_environment(demo_output):
    args = parse_args([], environ={"EVENTS_ASSISTANT_SITE": str(demo_output), "EVENTS_ASSISTANT_REPOSITORY": "a/b", "EVENTS_ASSISTANT_BRANCH": "dev"})
    assert (args.site, args.base_url, args.repository, args.branch) == (demo_output, None, "a/b", "dev")
    args = parse_args([], environ={"EVENTS_ASSISTANT_BASE_URL": "https://dctech.events"})
    assert (args.site, args.base_url) == (None, "https://dctech.events")


@pytest.mark.parametrize(
    "document, message",
    [
        ('{"events": {}}', "expected an object with a list 'events'"),
        ('{"events": [{"id": "x", "title": "T", "start": "2026-03-03T18:30:00", "end": "2026-03-03T20:00:00-05:00"}]}', "has no UTC offset"),
        ('{"events": [{"id": "x", "start": "2026-03-03T18:30:00-05:00"}]}', "'title' is missing or not a text"),
        ("not json", "is not JSON"),
    ],
)
async def test_a_broken_events_file_is_named_in_the_answer(tmp_path, document, message):
    (tmp_path / "api").mkdir()
    (tmp_path / "api" / "events.json").write_text(document)
    server = build_server(FolderSource(tmp_path), now=lambda: DEMO_NOW)
    text = error_text(await call(server, "list_events"))
    assert "events.json" in text and message in text
