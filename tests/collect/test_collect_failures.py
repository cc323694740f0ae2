"""A collection run that cannot fetch everything: no network, unresolvable names, the fetch-phase deadline.

Failed groups keep their stored events and carry a reason; the run ends with
its failures counted by reason. Names ending in `.invalid` never resolve
(RFC 6761); the resolver is injected, so no test asks a real DNS server, and
every feed that is read is served on 127.0.0.1.
"""

from __future__ import annotations

import logging
import socket
from datetime import datetime
from pathlib import Path

import pytest
from conftest import NEW_YORK
from routedserver import RoutedServer

from events.clock import Clock
from events.collect.collector import Collector, CollectReport, GroupReport
from events.collect.fetch import REASONS, Fetcher
from events.collect.guarded_http import Address, Names
from events.models import Group
from events.run.nightly import NightlyRun
from events.settings import EventsSettings
from events.store.sqlite import SQLiteStore

NOW = "2026-03-02T09:00:00-05:00"
ICS = "text/calendar; charset=utf-8"


def feed(slug: str) -> bytes:
    lines = [
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN",
        "BEGIN:VEVENT", f"UID:{slug}-1@test", "DTSTAMP:20260201T000000Z",
        "DTSTART;TZID=America/New_York:20260310T183000", "DTEND;TZID=America/New_York:20260310T203000",
        f"SUMMARY:{slug} meetup", "LOCATION:1630 7th St NW, Washington, DC 20001", "END:VEVENT",
        "END:VCALENDAR", "",
    ]
    return "\r\n".join(lines).encode()


SLUGS = ("alpha", "beta", "gamma", "delta", "epsilon", "zeta")


class Resolver:
    """Fails for `.invalid` names as a resolver does (EAI_NONAME), at once; refuses to look up anything else."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def __call__(self, host: str) -> list[Address]:
        self.asked.append(host)
        if host.endswith(".invalid"):
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        raise AssertionError(f"the test looked up {host}")


@pytest.fixture
def settings(tmp_path: Path) -> EventsSettings:
    return EventsSettings.from_mapping({"EVENTS_NOW": NOW, "EVENTS_CACHE_DIR": str(tmp_path / "cache")}, tmp_path)


@pytest.fixture
def server():
    with RoutedServer({f"/{slug}.ics": (200, ICS, feed(slug)) for slug in SLUGS}) as running:
        yield running


def local_groups(base: str) -> list[Group]:
    return [Group(slug, slug.title(), "https://example.org/", ical=f"{base}/{slug}.ics") for slug in SLUGS]


def run(settings: EventsSettings, groups: list[Group], fetcher: Fetcher) -> tuple[CollectReport, set[str]]:
    store = SQLiteStore(settings.sqlite_path)
    try:
        report = Collector(settings, store, fetcher).run(groups)
        window = (datetime.fromisoformat("2026-03-01T00:00:00-05:00"), datetime.fromisoformat("2026-04-01T00:00:00-05:00"))
        kept = {stored.event.group_id for stored in store.window(*window)}
    finally:
        fetcher.close()
        store.close()
    return report, kept


def collect_locally(settings: EventsSettings, base: str) -> None:
    report, kept = run(settings, local_groups(base), Fetcher(None, allow_private=True))
    assert all(g.ok for g in report.groups) and kept == set(SLUGS)


def test_no_network_fails_every_group_at_once_and_keeps_their_events(settings, server, caplog):
    collect_locally(settings, server.base_url)
    offline = [Group(slug, slug.title(), "https://example.org/", ical=f"https://feeds{n % 3}.invalid/{slug}.ics") for n, slug in enumerate(SLUGS)]
    resolver, waits = Resolver(), []
    caplog.set_level(logging.INFO, logger="events.collect.collector")
    report, kept = run(settings, offline, Fetcher(None, resolve=resolver, sleep=waits.append))
    assert {g.reason for g in report.groups} == {"no-network"} and len(report.failed) == 6
    assert report.failed[0].error.startswith("fetch failed: no network: none of the 3 host names of this run could be resolved (")
    assert sorted(resolver.asked) == ["feeds0.invalid", "feeds1.invalid", "feeds2.invalid"]  # once per name, no retries
    assert waits == []
    assert kept == set(SLUGS)  # the store kept every group's events
    assert report.summary_line() == "collected 6 group(s): 0 ok, 6 failed (no-network 6); 0 event(s) found"
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert warnings == ["no network: no host name could be resolved; 6 group(s) failed, their stored events kept"]


def test_one_unresolvable_name_is_a_dns_failure_not_no_network(settings, server):
    groups = [*local_groups(server.base_url)[:2], Group("typo", "Typo", "https://example.org/", ical="https://nonexistent.invalid/feed.ics")]
    report, _ = run(settings, groups, Fetcher(None, allow_private=True, resolve=Resolver()))
    failed = {g.group_id: (g.reason, g.error) for g in report.failed}
    assert failed == {
        "typo": ("dns", "fetch failed: the host name nonexistent.invalid could not be resolved (Name or service not known) (https://nonexistent.invalid/feed.ics)")
    }
    assert report.summary_line() == "collected 3 group(s): 2 ok, 1 failed (dns 1); 2 event(s) found"


def test_a_temporary_resolver_failure_is_asked_again():
    answers: list[object] = [socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution"), [(socket.AF_INET, "127.0.0.1", 0)]]

    def resolve(host: str) -> list[Address]:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer  # type: ignore[return-value]

    names = Names(resolve, tries=3)
    assert names.addresses("feeds.test") == ((socket.AF_INET, "127.0.0.1", 0),)
    assert names.addresses("FEEDS.test.") == ((socket.AF_INET, "127.0.0.1", 0),)  # the same name, not asked again
    assert answers == [] and names.counts() == (1, 0)


def test_groups_not_fetched_by_the_phase_deadline_fail_and_keep_their_events(settings, server):
    collect_locally(settings, server.base_url)
    clock = [0.0]

    def alpha_then_late() -> tuple[int, str, bytes]:
        clock[0] += 1000.0  # reading alpha "takes" 1000 s on the injected clock
        return (200, ICS, feed("alpha"))

    server.routes["/alpha.ics"] = alpha_then_late
    late = settings.replace(fetch_phase_seconds=60.0)
    fetcher = Fetcher(None, allow_private=True, workers=1, monotonic=lambda: clock[0])  # one worker: alpha goes first
    report, kept = run(late, local_groups(server.base_url), fetcher)
    status = {g.group_id: (g.ok, g.reason) for g in report.groups}
    assert status == {"alpha": (True, ""), **dict.fromkeys(SLUGS[1:], (False, "deadline"))}
    assert report.failed[0].error.startswith("fetch failed: the run's time for fetching ran out (")
    assert kept == set(SLUGS)
    assert report.summary_line() == "collected 6 group(s): 1 ok, 5 failed (deadline 5); 1 event(s) found"
    assert server.hits == {**{f"/{slug}.ics": 1 for slug in SLUGS}, "/alpha.ics": 2}  # nothing asked after the deadline


def test_the_run_summary_counts_failures_by_reason(tmp_path):
    groups = (
        GroupReport("ok", True, "", 3),
        GroupReport("a", False, "fetch failed: ...", reason="timeout"),
        GroupReport("b", False, "fetch failed: ...", reason="dns"),
        GroupReport("c", False, "fetch failed: ...", reason="dns"),
        GroupReport("d", False, "not a calendar", reason="not-a-calendar"),
    )
    report = CollectReport(datetime(2026, 3, 2, 9, tzinfo=NEW_YORK), groups)
    assert report.failures_by_reason() == {"dns": 2, "not-a-calendar": 1, "timeout": 1}
    assert report.summary_line() == "collected 5 group(s): 1 ok, 4 failed (dns 2, not-a-calendar 1, timeout 1); 3 event(s) found"
    assert set(report.failures_by_reason()) <= set(REASONS)
    output = tmp_path / "output"
    output.mkdir()
    (output / "health.json").write_text('{"upcoming": 3}')
    clock = Clock(NEW_YORK, datetime(2026, 3, 2, 9, tzinfo=NEW_YORK))
    result = NightlyRun(clock, lambda: report, lambda: output, None, max_failed_share=1.0).run()
    assert result.summary["failed_by_reason"] == {"dns": 2, "not-a-calendar": 1, "timeout": 1}
    assert {g["group_id"]: g["reason"] for g in result.summary["groups"]} == {"ok": "", "a": "timeout", "b": "dns", "c": "dns", "d": "not-a-calendar"}
