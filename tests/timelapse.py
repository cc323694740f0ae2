"""The many-nights time-lapse: a seeded world of groups and feeds, an independent model, the real nightly.

`World` is what the groups really do, night after night, from one seed:
events added, edited, moved, cancelled and removed; groups added,
deactivated, deleted and broken; feeds failing (404, 500, garbage, an empty
VCALENDAR, a server slower than the fetch timeout). It serves its feeds on
127.0.0.1 and writes its group files.

`Model` is what the site should show, written from the README's rules
("last seen", withdrawal, suspect feeds) and never calling the code under
test: it only sees what the world served. `TimeLapse` runs the real
`invoke nightly` in this process (collect, generate, publish to an S3
server, invalidate on CloudFront) once per night with EVENTS_NOW a day
later, and compares the published site with the model.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import random
import shutil
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from routedserver import Answer, RoutedServer

__all__ = ["FAULTS", "Model", "NightCheck", "TimeLapse", "World", "aws_site"]

NY = ZoneInfo("America/New_York")
FIRST_NIGHT = datetime(2026, 3, 2, 3, 17, tzinfo=NY)
GRACE_NIGHTS = 1  # "seen yesterday or today": kept one night after it left its feed
SUSPECT_NIGHTS = 3  # EVENTS_EMPTY_FEED_NIGHTS
DROP_SHARE = 0.8  # EVENTS_SUSPECT_DROP_SHARE
DROP_MIN = 5
HORIZON_DAYS = 90
# A loaded machine must never make a healthy local answer time out (the model would
# call it a success), so the timeout is generous and the slow server slower still.
FETCH_TIMEOUT = 2.0
SLOW_SECONDS = 2.6
FAULTS = ("404", "500", "garbage", "empty", "slow")
MIN_LIVE_GROUPS = 4
MAX_GROUPS = 8


@dataclass(frozen=True)
class WorldEvent:
    uid: str
    day: int  # start date, in nights after the first: the event runs 18:30-20:30 New York time
    title: str
    cancelled: bool = False

    @property
    def start(self) -> datetime:
        return datetime.combine(FIRST_NIGHT.date() + timedelta(days=self.day), datetime.min.time(), NY).replace(hour=18, minute=30)


@dataclass
class WorldGroup:
    slug: str
    events: dict[str, WorldEvent] = field(default_factory=dict)
    file: str = "active"  # active | inactive | deleted | broken
    fault: str = ""
    fault_nights: int = 0


class World:
    """The groups as they really behave, one seeded step per night."""

    def __init__(self, seed: int, groups: int = 6, events_per_group: int = 6) -> None:
        self.random = random.Random(seed)
        self.night = 0
        self.serial = 0
        self.groups: dict[str, WorldGroup] = {}
        self.faults: Counter[str] = Counter()
        self.changes: Counter[str] = Counter()
        for _ in range(groups):
            self._new_group(events_per_group)

    def _uid(self) -> str:
        self.serial += 1
        return f"u{self.serial:04d}"

    def _new_group(self, events: int) -> WorldGroup:
        group = WorldGroup(f"g{len(self.groups) + 1:02d}")
        for _ in range(events):
            self._add_event(group)
        self.groups[group.slug] = group
        return group

    def _add_event(self, group: WorldGroup) -> None:
        uid = self._uid()
        group.events[uid] = WorldEvent(uid, self.night + self.random.randint(2, 35), f"{group.slug} meetup {uid}")

    def advance(self) -> None:
        """The next night: the groups' calendars change, files change, feeds fail."""
        self.night += 1
        rnd = self.random
        for group in self.groups.values():
            future = sorted(uid for uid, e in group.events.items() if e.day > self.night + 1)
            roll = rnd.random()
            if roll < 0.25:
                self._add_event(group)
                self.changes["added"] += 1
            elif roll < 0.40 and future:
                uid = rnd.choice(future)
                group.events[uid] = replace(group.events[uid], title=f"{group.events[uid].title} (v{self.night})")
                self.changes["edited"] += 1
            elif roll < 0.50 and future:
                uid = rnd.choice(future)
                group.events[uid] = replace(group.events[uid], day=self.night + rnd.randint(2, 35))
                self.changes["moved"] += 1
            elif roll < 0.57 and future:
                uid = rnd.choice(future)
                group.events[uid] = replace(group.events[uid], cancelled=True)
                self.changes["cancelled"] += 1
            elif roll < 0.70 and future:
                del group.events[rnd.choice(future)]
                self.changes["removed"] += 1
            past = [uid for uid, e in group.events.items() if e.day < self.night]
            if past and rnd.random() < 0.5:  # feeds such as Meetup's drop what has happened
                for uid in past:
                    del group.events[uid]
                self.changes["dropped-past"] += 1
            self._fault(group)
        self._group_change()

    def _fault(self, group: WorldGroup) -> None:
        if group.fault_nights > 0:
            group.fault_nights -= 1
            if group.fault_nights:
                self.faults[group.fault] += 1
                return
            group.fault = ""
        if self.random.random() < 0.12:
            group.fault = self.random.choice(FAULTS)
            # An empty calendar may last past the suspect nights, so the rule's "then believe it" is seen too.
            lasting = {"empty": (1, 5), "slow": (1, 1)}.get(group.fault, (1, 2))
            group.fault_nights = self.random.randint(*lasting)
            self.faults[group.fault] += 1

    def _group_change(self) -> None:
        rnd = self.random
        if rnd.random() > 0.3:
            return
        live = sorted(g.slug for g in self.groups.values() if g.file == "active")
        asleep = {state: sorted(g.slug for g in self.groups.values() if g.file == state) for state in ("inactive", "deleted", "broken")}
        possible = [kind for kind, able in (
            ("group-added", len(self.groups) < MAX_GROUPS),
            ("group-deactivated", len(live) > MIN_LIVE_GROUPS),
            ("group-deleted", len(live) > MIN_LIVE_GROUPS),
            ("group-broken", len(live) > MIN_LIVE_GROUPS),
            ("group-reactivated", bool(asleep["inactive"])),
            ("group-restored", bool(asleep["deleted"])),
            ("group-fixed", bool(asleep["broken"])),
        ) if able]
        kind = rnd.choice(possible)
        if kind == "group-added":
            self._new_group(rnd.randint(3, 6))
        elif kind in ("group-deactivated", "group-deleted", "group-broken"):
            self.groups[rnd.choice(live)].file = {"group-deactivated": "inactive", "group-deleted": "deleted", "group-broken": "broken"}[kind]
        else:
            was = {"group-reactivated": "inactive", "group-restored": "deleted", "group-fixed": "broken"}[kind]
            self.groups[rnd.choice(asleep[was])].file = "active"
        self.changes[kind] += 1

    # What the world serves and writes.
    def answer(self, slug: str) -> Answer:
        group = self.groups[slug]
        fault = group.fault
        if fault == "404":
            return 404, "text/plain", b"not found"
        if fault == "500":
            return 500, "text/plain", b"server error"
        if fault == "garbage":
            return 200, "text/calendar", b"\x00\xff\xfe not a calendar at all"
        if fault == "slow":
            time.sleep(SLOW_SECONDS)
        listed = [] if fault == "empty" else sorted(group.events.values(), key=lambda e: e.uid)
        return 200, "text/calendar; charset=utf-8", ical_body(slug, listed)

    def write_files(self, folder: Path, base_url: str) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        for group in self.groups.values():
            path = folder / f"{group.slug}.yaml"
            if group.file == "deleted":
                path.unlink(missing_ok=True)
                continue
            if group.file == "broken":
                path.write_text("name: [this file is broken\n", encoding="utf-8")
                continue
            active = "true" if group.file == "active" else "false"
            path.write_text(
                f"name: Group {group.slug}\nwebsite: https://{group.slug}.example.org/\n"
                f"ical: {base_url}/{group.slug}.ics\nactive: {active}\n",
                encoding="utf-8",
            )


def ical_body(slug: str, events: list[WorldEvent]) -> bytes:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:-//time-lapse {slug}//EN"]
    for event in events:
        start = event.start.astimezone(ZoneInfo("UTC"))
        lines += [
            "BEGIN:VEVENT",
            f"UID:{event.uid}@{slug}",
            "DTSTAMP:20260101T000000Z",
            f"DTSTART:{start:%Y%m%dT%H%M%SZ}",
            f"DTEND:{start + timedelta(hours=2):%Y%m%dT%H%M%SZ}",
            f"SUMMARY:{event.title}",
            "LOCATION:1630 7th St NW, Washington, DC 20001",
            f"STATUS:{'CANCELLED' if event.cancelled else 'CONFIRMED'}",
            f"URL:https://{slug}.example.org/events/{event.uid}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


@dataclass
class Expected:
    """One event as the model expects the store, and so the site, to hold it."""

    event: WorldEvent
    last_listed: int
    removed: bool = False

    @property
    def status(self) -> str:
        return "cancelled" if self.removed or self.event.cancelled else "confirmed"


class Model:
    """What the site should list, from the README's rules alone."""

    def __init__(self) -> None:
        self.events: dict[tuple[str, str], Expected] = {}
        self.known: set[str] = set()  # groups the store knows (it has read them once)
        self.suspect: dict[str, int] = {}
        self.held: list[str] = []  # groups held as suspect tonight

    def night(self, world: World) -> None:
        night = world.night
        self.held = []
        for group in world.groups.values():
            if group.file == "broken":
                continue  # a broken file is a failed group: nothing changes
            if group.file in ("inactive", "deleted"):
                if group.slug in self.known:
                    self._accept(group.slug, [], night)  # withdrawn: as if its feed listed nothing
                continue
            self.known.add(group.slug)
            if group.fault in ("404", "500", "garbage", "slow"):
                continue  # a failed fetch: nothing of the group changes
            window_start = night - 1  # from the start of yesterday
            listed = [] if group.fault == "empty" else [e for e in group.events.values() if window_start <= e.day <= night + HORIZON_DAYS]
            if self._suspect(group.slug, listed, night):
                continue
            self._accept(group.slug, listed, night)

    def _suspect(self, slug: str, listed: list[WorldEvent], night: int) -> bool:
        upcoming = {k for k, e in self.events.items() if k[0] == slug and not e.removed and e.event.day > night}
        if not upcoming:
            self.suspect[slug] = 0
            return False
        lost = len(upcoming - {(slug, e.uid) for e in listed})
        empty = lost == len(upcoming) and not any(e.day >= night for e in listed)
        if not empty and not (lost >= DROP_MIN and lost / len(upcoming) > DROP_SHARE):
            self.suspect[slug] = 0
            return False
        count = self.suspect.get(slug, 0) + 1
        if count <= SUSPECT_NIGHTS:
            self.suspect[slug] = count
            self.held.append(slug)
            return True
        self.suspect[slug] = 0
        return False

    def _accept(self, slug: str, listed: list[WorldEvent], night: int) -> None:
        names = set()
        for event in listed:
            names.add(event.uid)
            self.events[(slug, event.uid)] = Expected(event, night)
        for key, held in list(self.events.items()):
            if key[0] != slug or key[1] in names or held.event.day < night - 1:
                continue  # listed, or started before the window: the archive
            if held.removed:
                if held.event.day < night:  # it has ended: dropped
                    del self.events[key]
                continue
            if held.event.day <= night:
                continue  # started or starts today: kept as it was
            if held.last_listed >= night - GRACE_NIGHTS:
                continue  # seen yesterday or today: the grace period
            held.removed = True

    def site(self) -> dict[str, tuple[str, str, str]]:
        """url -> (status, title, start) of every event the site should list."""
        return {
            f"https://{slug}.example.org/events/{uid}": (held.status, held.event.title, held.event.start.isoformat())
            for (slug, uid), held in self.events.items()
        }


@dataclass
class NightCheck:
    night: int
    seconds: float
    ok: bool
    reasons: list[str]
    divergences: list[str]
    outside_plan: list[str]
    held: list[str]
    summary_warnings: list[str]
    sources_warned: list[str]
    stages: dict[str, float] = field(default_factory=dict)
    listed: int = 0
    cancelled: int = 0


class TimeLapse:
    """Runs the world night after night through the real nightly and checks each night against the model."""

    def __init__(
        self,
        seed: int,
        work: Path,
        root: Path,
        publish_settings: dict[str, str],
        list_bucket: Callable[[], dict[str, str]],
        groups: int = 6,
        events_per_group: int = 6,
    ) -> None:
        self.world = World(seed, groups, events_per_group)
        self.model = Model()
        self.work = work
        self.root = root
        self.publish_settings = publish_settings
        self.list_bucket = list_bucket

    def nights(self, count: int, fresh_build_every: int = 1) -> Iterator[NightCheck]:
        server = RoutedServer({})
        with server:
            for index in range(count):
                if index:
                    self.world.advance()
                server.routes = {f"/{slug}.ics": _answering(self.world, slug) for slug in self.world.groups}
                self.world.write_files(self.work / "_groups", server.base_url)
                yield self._night(index % fresh_build_every == 0 or index == count - 1)

    def _night(self, fresh_build: bool) -> NightCheck:
        from events.run.nightly import nightly_command
        from events.run.site_build import generate_site

        night = self.world.night
        now = FIRST_NIGHT + timedelta(days=night)
        overrides: dict[str, Any] = {
            **self.publish_settings,
            "EVENTS_NOW": now.isoformat(),
            "EVENTS_STORE": "sqlite",
            "EVENTS_GROUPS_DIR": str(self.work / "_groups"),
            "EVENTS_SINGLE_EVENTS_DIR": str(self.work / "_single_events"),
            "EVENTS_OVERLAYS_DIR": str(self.work / "_overlays"),
            "EVENTS_CACHE_DIR": str(self.work / "cache"),
            "EVENTS_RUN_SUMMARY": str(self.work / "summary.json"),
            "EVENTS_FETCH_TIMEOUT": FETCH_TIMEOUT,
            "EVENTS_FETCH_RETRIES": 1,
            "EVENTS_FETCH_ALLOW_PRIVATE": True,
            "EVENTS_HORIZON_DAYS": HORIZON_DAYS,
            "EVENTS_EMPTY_FEED_NIGHTS": SUSPECT_NIGHTS,
            "EVENTS_SUSPECT_DROP_SHARE": DROP_SHARE,
        }
        output = self.work / "output"
        started = time.monotonic()
        outcome = nightly_command(self.root, "publishconf.py", output, True, False, overrides)
        seconds = time.monotonic() - started
        self.model.night(self.world)
        summary = json.loads((self.work / "summary.json").read_text(encoding="utf-8"))
        built = _md5s(output)
        bucket = self.list_bucket()
        divergences = [f"bucket differs from the build at {key}" for key in sorted(set(built) & set(bucket)) if built[key] != bucket[key]]
        divergences += [f"missing from the bucket: {key}" for key in sorted(set(built) - set(bucket))]
        outside: list[str] = sorted(set(bucket) - set(built))
        if fresh_build:
            fresh_output = generate_site(self.root, "publishconf.py", self.work / "fresh", overrides)
            fresh = _md5s(fresh_output)
            shutil.rmtree(fresh_output)
            divergences += [f"a fresh build differs at {key}" for key in sorted(fresh) if built.get(key) != fresh[key]]
            outside += sorted(set(built) - set(fresh))
        expected = self.model.site()
        divergences += _compare_site(json.loads((output / "api" / "events.json").read_text(encoding="utf-8")), expected)
        divergences += _check_withdrawn(self.world, self.model, summary)
        divergences += _check_schemas(output)
        sources = (output / "sources" / "index.html").read_text(encoding="utf-8")
        notice = sources.split("Suspect feeds", 1)[1].split("</div>", 1)[0] if "Suspect feeds" in sources else ""
        warned = sorted(slug for slug in self.world.groups if f'href="#{slug}"' in notice)
        return NightCheck(
            night,
            seconds,
            not outcome.failure,
            list(summary.get("reasons", [])),
            divergences,
            outside,
            sorted(self.model.held),
            list(summary.get("warnings", [])),
            warned,
            {name: float(stage.get("seconds", 0.0)) for name, stage in summary.get("stages", {}).items()},
            len(expected),
            sum(1 for status, _, _ in expected.values() if status == "cancelled"),
        )


def _check_schemas(output: Path) -> list[str]:
    """The JSON files whose content the rules change (group results, event statuses) still match their published schemas."""
    from jsonschema import Draft202012Validator

    problems = []
    for name, path in (("groups", "api/groups.json"), ("events", "api/events.json"), ("health", "health.json")):
        schema = json.loads((output / "api" / "schema" / f"{name}.json").read_text(encoding="utf-8"))
        document = json.loads((output / path).read_text(encoding="utf-8"))
        problems += [f"{path}: {error.message}" for error in Draft202012Validator(schema).iter_errors(document)]
    return problems


def _check_withdrawn(world: World, model: Model, summary: dict[str, Any]) -> list[str]:
    """A removed or inactive group that still has events to withdraw is in the summary's `withdrawn`, and only those."""
    night = world.night
    pending = {slug for (slug, _), held in model.events.items() if held.event.day >= night}
    expected = {g.slug for g in world.groups.values() if g.file in ("inactive", "deleted") and g.slug in pending}
    reported = {g["group_id"] for g in summary.get("withdrawn", [])}
    gone = {g.slug for g in world.groups.values() if g.file in ("inactive", "deleted")}
    problems = [f"group {slug} still has events to withdraw but was not withdrawn" for slug in sorted(expected - reported)]
    problems += [f"group {slug} was withdrawn but its file is there and active" for slug in sorted(reported - gone)]
    return problems


def _answering(world: World, slug: str) -> Callable[[], Answer]:
    return lambda: world.answer(slug)


def _md5s(folder: Path) -> dict[str, str]:
    """The site's files as publish sees them: hidden ones (the build's own manifest) are never published."""
    files = (p for p in sorted(folder.rglob("*")) if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts))
    return {str(p.relative_to(folder)): hashlib.md5(p.read_bytes()).hexdigest() for p in files}


def _compare_site(events_json: dict[str, Any], expected: dict[str, tuple[str, str, str]]) -> list[str]:
    shown = {
        record["url"]: (record["status"], record["title"], datetime.fromisoformat(record["start"]).astimezone(NY).isoformat())
        for record in events_json["events"]
    }
    problems = []
    for url, want in sorted(expected.items()):
        got = shown.get(url)
        if got is None:
            problems.append(f"not on the site: {url} {want}")
        elif got != want:
            problems.append(f"shown as {got}, expected {want}: {url}")
    for url in sorted(set(shown) - set(expected)):
        problems.append(f"on the site but gone from the model: {url} {shown[url]}")
    return problems


@contextlib.contextmanager
def aws_site(work: Path, bucket: str = "timelapse", prefix: str = "site") -> Iterator[tuple[dict[str, str], Callable[[], dict[str, str]]]]:
    """SeaweedFS and moto's CloudFront on 127.0.0.1, the AWS environment pointing at them (restored after).

    Yields the publish settings and a function listing the bucket (key under the prefix -> ETag).
    """
    import os

    import boto3
    from s3servers import TEST_KEY, TEST_SECRET, MotoServer, SeaweedS3

    (work / "seaweed").mkdir(parents=True, exist_ok=True)
    (work / "moto").mkdir(parents=True, exist_ok=True)
    s3 = SeaweedS3(work / "seaweed", bucket)
    cloudfront = MotoServer(work / "moto")
    aws = {
        "AWS_ENDPOINT_URL_S3": s3.endpoint,
        "AWS_ENDPOINT_URL_CLOUDFRONT": cloudfront.endpoint,
        "AWS_ACCESS_KEY_ID": TEST_KEY,
        "AWS_SECRET_ACCESS_KEY": TEST_SECRET,
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    saved = {name: os.environ.get(name) for name in aws}
    s3.start()
    cloudfront.start()
    try:
        os.environ.update(aws)
        keys = {"region_name": "us-east-1", "aws_access_key_id": TEST_KEY, "aws_secret_access_key": TEST_SECRET}
        cf = boto3.client("cloudfront", endpoint_url=cloudfront.endpoint, **keys)
        distribution = cf.create_distribution(
            DistributionConfig={
                "CallerReference": "timelapse",
                "Comment": "time-lapse",
                "Enabled": True,
                "Origins": {"Quantity": 1, "Items": [{"Id": "s3", "DomainName": "b.s3.amazonaws.com", "S3OriginConfig": {"OriginAccessIdentity": ""}}]},
                "DefaultCacheBehavior": {
                    "TargetOriginId": "s3",
                    "ViewerProtocolPolicy": "redirect-to-https",
                    "MinTTL": 0,
                    "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}},
                    "TrustedSigners": {"Enabled": False, "Quantity": 0},
                },
            }
        )["Distribution"]["Id"]
        client = boto3.client("s3", endpoint_url=s3.endpoint, **keys)

        def list_bucket() -> dict[str, str]:
            pages = client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=f"{prefix}/")
            return {o["Key"].removeprefix(f"{prefix}/"): o["ETag"].strip('"') for page in pages for o in page.get("Contents", [])}

        yield {"EVENTS_PUBLISH_BUCKET": bucket, "EVENTS_PUBLISH_PREFIX": prefix, "EVENTS_PUBLISH_DISTRIBUTION": str(distribution)}, list_bucket
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        s3.stop()
        cloudfront.stop()
