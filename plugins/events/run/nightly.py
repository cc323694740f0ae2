"""The whole nightly run as one command: collect -> generate -> publish.

`judge` is the pure exit rule; `NightlyRun` times each stage, decides
whether publishing is safe, and writes a run summary as JSON. Stages are
passed in, so the rules are tested without a network, a bucket or Pelican.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from events.clock import Clock
from events.collect.collector import CollectReport, GroupReport
from events.publish.guard import site_upcoming_count
from events.run.outcome import Outcome
from events.site.manifest import build_counts

__all__ = ["NightlyResult", "NightlyRun", "Verdict", "judge", "nightly_command", "upcoming_count"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Verdict:
    publish: bool
    ok: bool
    reasons: tuple[str, ...] = ()


def judge(groups_total: int, groups_failed: int, upcoming: int | None, max_failed_share: float) -> Verdict:
    """Whether to publish and whether the run succeeded.

    Too many failed groups is a failure, but publishing stays safe: a failed
    group's events are kept in the store. A site with no upcoming events is
    never published.
    """
    reasons = []
    publish = True
    if upcoming is not None and upcoming <= 0:
        reasons.append("the site has no upcoming events (a site without any is never published)")
        publish = False
    if groups_total and groups_failed / groups_total > max_failed_share:
        reasons.append(
            f"{groups_failed} of {groups_total} groups failed to collect, more than {max_failed_share:.0%}"
        )
    return Verdict(publish, not reasons, tuple(reasons))


def upcoming_count(output: Path) -> int | None:
    """Upcoming events in a built site, read as the publish guard reads them."""
    return site_upcoming_count(lambda key: (output / key).read_bytes() if (output / key).is_file() else None)


@dataclass
class NightlyResult:
    ok: bool
    reasons: tuple[str, ...]
    summary: dict[str, Any] = field(default_factory=dict)


class NightlyRun:
    """Runs the stages in order and records what each did and how long it took."""

    def __init__(
        self,
        clock: Clock,
        collect: Callable[[], CollectReport],
        generate: Callable[[], Path],
        publish: Callable[[Path], Mapping[str, Any]] | None,
        max_failed_share: float,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._clock = clock
        self._collect = collect
        self._generate = generate
        self._publish = publish
        self._max_failed_share = max_failed_share
        self._monotonic = monotonic

    def run(self) -> NightlyResult:
        summary: dict[str, Any] = {"started": self._clock.now().isoformat(), "stages": {}}
        try:
            report = self._stage(summary, "collect", self._collect)
            summary["groups"] = [_group_summary(g) for g in report.groups]
            summary["withdrawn"] = [_group_summary(g) for g in report.withdrawn]
            # A feed held as suspect counts as failed, and is named here for a person to look at.
            summary["warnings"] = [f"group {g.group_id}: {g.error}" for g in report.suspect]
            for warning in summary["warnings"]:
                log.warning("nightly: %s", warning, extra={"stage": "collect"})
            summary["totals"] = report.totals()
            summary["left_out"] = report.left_out_totals()
            summary["failed_by_reason"] = report.failures_by_reason()
            summary["store"] = dict(report.store_stats)
            summary["documents"] = dict(report.parse_stats)
            output = self._stage(summary, "generate", self._generate)
            # Files planned, written, unchanged and removed, as the build's manifest recorded them.
            summary["stages"]["generate"].update(build_counts(output))
            upcoming = upcoming_count(output)
            summary["totals"]["upcoming"] = upcoming
            verdict = judge(len(report.groups), len(report.failed), upcoming, self._max_failed_share)
            publish = self._publish
            if verdict.publish and publish is not None:
                published = self._stage(summary, "publish", lambda: publish(output))
                summary["stages"]["publish"].update(dict(published))
            elif self._publish is None:
                log.info("publishing skipped (no publish stage configured)", extra={"stage": "publish"})
        except Exception as error:  # any stage's failure ends the run with one clear message
            log.error("nightly run stopped: %s", error, extra={"stage": "nightly"}, exc_info=True)
            verdict = Verdict(False, False, (f"{type(error).__name__}: {error}",))
        summary["ok"] = verdict.ok
        summary["reasons"] = list(verdict.reasons)
        for reason in verdict.reasons:
            log.error("nightly: %s", reason, extra={"stage": "nightly"})
        return NightlyResult(verdict.ok, verdict.reasons, summary)

    def _stage(self, summary: dict[str, Any], name: str, action: Callable[[], Any]) -> Any:
        started = self._monotonic()
        summary["stages"][name] = {"ok": False}
        log.info("%s: started", name, extra={"stage": name})
        result = action()
        seconds = round(self._monotonic() - started, 3)
        summary["stages"][name] = {"ok": True, "seconds": seconds}
        peak = peak_memory_mib()
        if peak is not None:
            # This process's high-water mark so far (not its forked render processes or Pagefind's).
            summary["stages"][name]["peak_rss_mib"] = peak
        log.info("%s: done in %.1f s", name, seconds, extra={"stage": name, "seconds": seconds})
        return result


def peak_memory_mib() -> int | None:
    """The most memory this process has held so far (peak resident set), in MiB; None where it cannot be read."""
    try:
        import resource
    except ImportError:  # Windows
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux counts kilobytes, macOS bytes.
    return round(peak / (1024 * 1024 if sys.platform == "darwin" else 1024))


def _group_summary(report: GroupReport) -> dict[str, Any]:
    return {
        "group_id": report.group_id,
        "ok": report.ok,
        "error": report.error,
        "reason": report.reason,
        "events_found": report.events_found,
        "warnings": len(report.warnings),
        "suspect": report.suspect,
        "left_out": dict(report.left_out),
        **dict(report.counts),
    }


def write_summary(path: Path, summary: Mapping[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(summary, indent=2, sort_keys=True, default=str) + "\n", encoding="utf-8")


def nightly_command(
    root: Path, conf: str, output: Path, publish_site: bool, force: bool, overrides: Mapping[str, Any] | None = None
) -> Outcome:
    """`invoke nightly`: collect, generate and publish, the run summary written, one exit status.

    `overrides` win over the settings file and the environment (the time-lapse
    runs many nights in one process, each with its own EVENTS_NOW).
    """
    from events.run.collection import run_collection
    from events.run.publish_site import publish_stage
    from events.run.site_build import events_settings, generate_site

    settings = events_settings(root, conf, overrides)
    run = NightlyRun(
        settings.clock,
        collect=lambda: run_collection(settings),
        generate=lambda: generate_site(root, conf, output, overrides),
        publish=(lambda built: publish_stage(settings, built, force)) if publish_site else None,
        max_failed_share=settings.nightly_max_failed_share,
    )
    result = run.run()
    write_summary(settings.run_summary, result.summary)
    return Outcome((f"run summary: {settings.run_summary}",), "nightly run failed: " + "; ".join(result.reasons) if not result.ok else "")
