"""The nightly run's exit rules and summary."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from conftest import NEW_YORK

from events.clock import Clock
from events.collect.collector import CollectReport, GroupReport
from events.run.nightly import NightlyRun, judge, upcoming_count, write_summary
from events.settings import EventsSettings


@pytest.mark.parametrize(
    "total, failed, upcoming, share, publish, ok",
    [
        (10, 0, 25, 0.5, True, True),
        (10, 5, 25, 0.5, True, True),  # exactly the share is tolerated
        (10, 6, 25, 0.5, True, False),  # too many failed: alert, but publishing stays safe
        (10, 0, 0, 0.5, False, False),  # nothing upcoming: never publish
        (10, 10, 0, 0.5, False, False),
        (0, 0, None, 0.5, True, True),
    ],
)
def test_exit_rules(total, failed, upcoming, share, publish, ok):
    verdict = judge(total, failed, upcoming, share)
    assert (verdict.publish, verdict.ok) == (publish, ok)
    assert bool(verdict.reasons) == (not ok)


def test_upcoming_count_reads_the_built_site(tmp_path):
    assert upcoming_count(tmp_path) is None
    (tmp_path / "api").mkdir()
    (tmp_path / "api" / "events.json").write_text('{"count": 7, "events": []}')
    assert upcoming_count(tmp_path) == 7
    (tmp_path / "health.json").write_text('{"upcoming": 4}')
    assert upcoming_count(tmp_path) == 4


def reports(ok: int, failed: int) -> CollectReport:
    groups = [GroupReport(f"ok-{n}", True, "", 2, (), {"added": 2}) for n in range(ok)]
    groups += [GroupReport(f"bad-{n}", False, "fetch failed: timed out") for n in range(failed)]
    return CollectReport(datetime(2026, 3, 2, 9, tzinfo=NEW_YORK), tuple(groups))


def site_with(tmp_path: Path, upcoming: int) -> Path:
    output = tmp_path / "output"
    output.mkdir(exist_ok=True)
    (output / "health.json").write_text(json.dumps({"upcoming": upcoming}))
    return output


def test_run_publishes_a_healthy_build_and_summarizes_it(tmp_path):
    published: list[Path] = []
    clock = Clock(NEW_YORK, datetime(2026, 3, 2, 9, tzinfo=NEW_YORK))
    run = NightlyRun(
        clock,
        collect=lambda: reports(3, 1),
        generate=lambda: site_with(tmp_path, 12),
        publish=lambda out: published.append(out) or {"uploaded": 5, "deleted": 0},
        max_failed_share=0.5,
    )
    result = run.run()
    assert result.ok and published == [tmp_path / "output"]
    summary = result.summary
    assert summary["totals"]["groups_failed"] == 1 and summary["totals"]["added"] == 6
    assert summary["totals"]["upcoming"] == 12
    assert summary["stages"]["publish"]["uploaded"] == 5
    assert set(summary["stages"]) == {"collect", "generate", "publish"}
    assert [g["group_id"] for g in summary["groups"] if not g["ok"]] == ["bad-0"]
    write_summary(tmp_path / "summary.json", summary)
    assert json.loads((tmp_path / "summary.json").read_text())["ok"] is True


def test_run_with_no_upcoming_events_publishes_nothing_and_fails(tmp_path):
    published: list[Path] = []
    clock = Clock(NEW_YORK, datetime(2026, 3, 2, 9, tzinfo=NEW_YORK))
    result = NightlyRun(
        clock, lambda: reports(3, 0), lambda: site_with(tmp_path, 0), lambda out: published.append(out) or {}, 0.5
    ).run()
    assert not result.ok and published == []
    assert "no upcoming events" in result.reasons[0]


def test_a_stage_that_raises_ends_the_run_cleanly(tmp_path):
    def broken_collect() -> CollectReport:
        raise ConnectionError("store unreachable")

    clock = Clock(NEW_YORK, datetime(2026, 3, 2, 9, tzinfo=NEW_YORK))
    result = NightlyRun(clock, broken_collect, lambda: site_with(tmp_path, 3), None, 0.5).run()
    assert not result.ok and result.reasons == ("ConnectionError: store unreachable",)
    assert result.summary["stages"]["collect"] == {"ok": False}


def test_share_setting_is_validated(tmp_path):
    with pytest.raises(ValueError, match="EVENTS_NIGHTLY_MAX_FAILED_SHARE: expected a share between 0 and 1"):
        EventsSettings.from_mapping({"EVENTS_NIGHTLY_MAX_FAILED_SHARE": 1.5}, tmp_path)


def test_the_summary_carries_the_builds_file_counts(tmp_path):
    from events.site.manifest import finish_output

    def generate() -> Path:
        output = site_with(tmp_path, 5)
        (output / "stray.html").write_text("old")
        finish_output(output, {"health.json": "0" * 64}, extra={"pages": 0, "files": 1})
        return output

    clock = Clock(NEW_YORK, datetime(2026, 3, 2, 9, tzinfo=NEW_YORK))
    result = NightlyRun(clock, lambda: reports(1, 0), generate, None, 0.5).run()
    stage = result.summary["stages"]["generate"]
    assert stage["ok"] is True
    assert {k: stage[k] for k in ("planned", "written", "unchanged", "removed", "files")} == {
        "planned": 1, "written": 1, "unchanged": 0, "removed": 1, "files": 1
    }
    # The process's own memory high-water mark, rising (never falling) from stage to stage.
    import resource

    collect, now = result.summary["stages"]["collect"]["peak_rss_mib"], resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assert 0 < collect <= stage["peak_rss_mib"] <= round(now)
