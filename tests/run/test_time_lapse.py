"""The many-nights time-lapse: the real nightly, night after night, against an independent model.

Six groups (about 40 events) served from 127.0.0.1 change every night from
a seeded script (tests/timelapse.py); each night runs `invoke nightly` in
this process (collect into SQLite, generate with publishconf.py, publish to
SeaweedFS, invalidate on moto's CloudFront) with EVENTS_NOW a day later.
After each night: the bucket holds the build, a fresh full build from the
same store gives the same files, and the events the site lists (with their
status, title and start) are exactly what the README's rules say.
`benchmarks/time_lapse.py` runs the same for a year.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import pytest
from conftest import ROOT
from timelapse import FAULTS, NightCheck, TimeLapse, World, aws_site

NIGHTS = 30
SEED = 20261130
FRESH_BUILD_EVERY = 5  # a second full build to compare with costs a generate: every fifth night and the last
NIGHT_BOUND_SECONDS = 120.0  # generous: a night here takes a few seconds; this catches a hang, not slowness


@dataclass
class Lapse:
    nights: list[NightCheck]
    faults: Counter[str]
    changes: Counter[str]


@pytest.fixture(scope="module")
def lapse(tmp_path_factory) -> Lapse:
    work = tmp_path_factory.mktemp("timelapse")
    with aws_site(work / "servers") as (publish_settings, list_bucket):
        run = TimeLapse(SEED, work, ROOT, publish_settings, list_bucket)
        nights = list(run.nights(NIGHTS, FRESH_BUILD_EVERY))
    return Lapse(nights, run.world.faults, run.world.changes)


def test_the_script_exercised_every_kind_of_change_and_fault(lapse):
    assert set(FAULTS) <= set(lapse.faults), lapse.faults
    assert {"added", "edited", "moved", "cancelled", "removed"} <= set(lapse.changes), lapse.changes
    assert {"group-deactivated", "group-deleted", "group-broken"} & set(lapse.changes), lapse.changes
    assert any(check.held for check in lapse.nights), "no feed was held as suspect"
    # The comparison is not vacuous: the site listed events, some of them cancelled.
    assert min(c.listed for c in lapse.nights) >= 20 and max(c.cancelled for c in lapse.nights) > 0


def test_every_night_the_site_is_what_the_rules_say(lapse):
    divergences = [f"night {c.night}: {d}" for c in lapse.nights for d in c.divergences]
    assert divergences == [], "\n".join(divergences[:40])


def test_every_night_finished_within_its_bound(lapse):
    assert len(lapse.nights) == NIGHTS
    assert max(c.seconds for c in lapse.nights) < NIGHT_BOUND_SECONDS


def test_suspect_feeds_are_named_in_the_summary_and_on_the_sources_page(lapse):
    for check in lapse.nights:
        assert check.sources_warned == check.held, check
        assert sorted(w.split(":")[0].removeprefix("group ") for w in check.summary_warnings) == check.held


def test_no_file_outside_the_plan_is_in_the_bucket(lapse):
    outside = Counter(key for c in lapse.nights for key in c.outside_plan)
    assert not outside, sorted(outside)[:20]


def test_the_same_seed_gives_the_same_nights():
    def story(seed: int) -> list[tuple[str, str, tuple[tuple[str, int, str, bool], ...]]]:
        world = World(seed)
        told = []
        for _ in range(40):
            world.advance()
            told += [(g.slug, f"{g.file}/{g.fault}", tuple((e.uid, e.day, e.title, e.cancelled) for e in g.events.values())) for g in world.groups.values()]
        return told

    assert story(7) == story(7)
    assert story(7) != story(8)
