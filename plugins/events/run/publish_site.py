"""`invoke publish`: sync a built site to S3 and invalidate CloudFront, with the guard."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from events.run.outcome import Outcome
from events.settings import EventsSettings

__all__ = ["publish_command", "publish_stage"]


def publish_stage(settings: EventsSettings, output: Path, force: bool) -> dict[str, Any]:
    """Publish `output` and return the counts the nightly run summary keeps."""
    from events.publish import PublishOptions, publish
    from events.publish.aws import make_clients

    s3, cloudfront = make_clients()
    report = publish(output, PublishOptions.from_settings(settings, force=force), s3, cloudfront)
    return {
        "uploaded": len(report.uploaded),
        "deleted": len(report.deleted),
        "unchanged": report.unchanged,
        "bytes_uploaded": report.bytes_uploaded,
        "invalidated_paths": len(report.invalidated),
        "invalidations": len(report.invalidation_ids),
    }


def publish_command(settings: EventsSettings, output: Path, dry_run: bool, force: bool) -> Outcome:
    from events.publish import PublishError, PublishOptions, publish
    from events.publish.aws import make_clients

    options = PublishOptions.from_settings(settings, dry_run=dry_run, force=force)
    s3, cloudfront = make_clients()
    try:
        report = publish(output, options, s3, cloudfront)
    except PublishError as error:
        return Outcome((), f"publish failed: {error}")
    details = tuple(report.details()) if dry_run else ()
    return Outcome((*details, report.summary()))
