"""`invoke collect`, `build` and `generate`: the settings of a run, Pelican started in this process, one exit rule.

Every entry point reads its settings the same way (the Pelican settings
file, `EVENTS_*` environment variables winning, then the run's own
overrides), starts Pelican one way (in this process, with collection off,
because collection has already run here), and judges the run with the
nightly's rule (`judge`), so `collect`, `build` and `nightly` agree on their
exit status.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from events.run.outcome import Outcome
from events.settings import EventsSettings

__all__ = ["build_site", "collect_only", "events_settings", "generate_site", "pelican_settings"]


def pelican_settings(root: Path, conf: str, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The Pelican settings of `conf` (which applies `EVENTS_*` environment variables), then `overrides`."""
    from pelican.settings import read_settings

    return dict(read_settings(str(root / conf), override=dict(overrides or {})))


def events_settings(root: Path, conf: str, overrides: Mapping[str, Any] | None = None) -> EventsSettings:
    return EventsSettings.from_mapping(pelican_settings(root, conf, overrides), root)


def generate_site(root: Path, conf: str, output: Path, overrides: Mapping[str, Any] | None = None) -> Path:
    """Pelican in this process (its logs in our format), generating `output` from what the store holds."""
    from pelican import Pelican

    settings = pelican_settings(
        root, conf, {**(overrides or {}), "PATH": str(root / "content"), "OUTPUT_PATH": str(output), "EVENTS_COLLECT": False}
    )
    Pelican(settings).run()
    return output


def collect_only(root: Path, conf: str, overrides: Mapping[str, Any] | None = None) -> Outcome:
    """Collect every active group into the store; fails as the nightly would."""
    from events.run.collection import run_collection
    from events.run.nightly import judge

    settings = events_settings(root, conf, overrides)
    report = run_collection(settings)
    verdict = judge(len(report.groups), len(report.failed), None, settings.nightly_max_failed_share)
    return Outcome((report.summary_line(),), "; ".join(verdict.reasons))


def build_site(root: Path, conf: str, output: Path, overrides: Mapping[str, Any] | None = None) -> Outcome:
    """Collect, then generate `output`; fails as the nightly would (too many groups failed, nothing to list)."""
    from events.run.collection import run_collection
    from events.run.nightly import judge, upcoming_count

    settings = events_settings(root, conf, overrides)
    report = run_collection(settings)
    generate_site(root, conf, output, overrides)
    verdict = judge(len(report.groups), len(report.failed), upcoming_count(output), settings.nightly_max_failed_share)
    return Outcome((report.summary_line(), f"site written to {output}"), "; ".join(verdict.reasons))

