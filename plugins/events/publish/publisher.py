"""One publish run: guard, plan, upload, delete, invalidate.

Deletions wait until every upload succeeded, so a failed run never leaves
the live site missing a page it still links to; the next run finishes the
job because it plans again from what the bucket then holds.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path
from typing import Any

from events.publish.aws import Bucket, Distribution
from events.publish.guard import GuardResult, check_guard, site_upcoming_count
from events.publish.headers import headers_for
from events.publish.invalidation import invalidation_batches, invalidation_paths
from events.publish.local_files import LocalFile, scan_output
from events.publish.upload_plan import RemoteObject, UploadPlan, plan_upload, upload_order
from events.settings import EventsSettings

__all__ = ["GuardRefused", "PublishError", "PublishOptions", "PublishReport", "publish"]

log = logging.getLogger(__name__)


class PublishError(Exception):
    """The publish stopped; the message says what is live and what to do."""


class GuardRefused(PublishError):
    """The build lost most of the live site's upcoming events."""


@dataclass(frozen=True)
class PublishOptions:
    bucket: str
    prefix: str = ""
    distribution_id: str = ""
    dry_run: bool = False
    force: bool = False
    guard_ratio: float = 0.5
    max_paths: int = 500
    batch_size: int = 250
    workers: int = 8
    short_max_age: int = 300
    asset_max_age: int = 3600

    @classmethod
    def from_settings(cls, settings: EventsSettings, *, dry_run: bool = False, force: bool = False) -> PublishOptions:
        return cls(
            bucket=settings.publish_bucket,
            prefix=settings.publish_prefix,
            distribution_id=settings.publish_distribution,
            dry_run=dry_run,
            force=force,
            guard_ratio=settings.publish_guard_ratio,
            max_paths=settings.publish_invalidate_max,
            batch_size=settings.publish_invalidate_batch,
            workers=settings.publish_workers,
            short_max_age=settings.publish_max_age,
            asset_max_age=settings.publish_asset_max_age,
        )


@dataclass(frozen=True)
class PublishReport:
    uploaded: tuple[str, ...]
    deleted: tuple[str, ...]
    unchanged: int
    bytes_uploaded: int
    invalidated: tuple[str, ...]
    invalidation_ids: tuple[str, ...]
    guard: GuardResult
    dry_run: bool = False

    def summary(self) -> str:
        verb = "would upload" if self.dry_run else "uploaded"
        return (
            f"{verb} {len(self.uploaded)} file(s) ({self.bytes_uploaded} bytes), "
            f"{'would delete' if self.dry_run else 'deleted'} {len(self.deleted)}, unchanged {self.unchanged}, "
            f"{'would invalidate' if self.dry_run else 'invalidated'} {len(self.invalidated)} path(s)"
        )

    def details(self) -> list[str]:
        """One line per upload, deletion and invalidated path, for --dry-run and logs."""
        return (
            [f"upload {key}" for key in self.uploaded]
            + [f"delete {key}" for key in self.deleted]
            + [f"invalidate {path}" for path in self.invalidated]
        )


Uploaded = Callable[[LocalFile], None]


def publish(
    output: Path,
    options: PublishOptions,
    s3_client: Any,
    cloudfront_client: Any = None,
    on_uploaded: Uploaded | None = None,
) -> PublishReport:
    """Sync `output` to the bucket and invalidate what changed; raises PublishError on any failure."""
    if not options.bucket:
        raise PublishError("EVENTS_PUBLISH_BUCKET is empty: set it to the site's S3 bucket")
    local = scan_output(output)
    if not local:
        # Syncing an empty folder would delete the whole live site.
        raise PublishError(f"{output} is empty: nothing to publish; build the site first (invoke generate)")
    bucket = Bucket(s3_client, options.bucket, options.prefix)
    try:
        live = bucket.listing()
        live_count = _live_count(bucket, live)
    except Exception as error:
        raise PublishError(f"cannot read s3://{options.bucket}/{bucket.prefix}: {error}; nothing was changed") from error
    guard = check_guard(_built_count(local), live_count, options.guard_ratio, live_objects=len(live))
    if not guard.ok:
        if not options.force:
            raise GuardRefused(guard.message)
        log.warning("guard overridden by --force: %s", guard.message)
    plan = plan_upload(local, live)
    distribution = Distribution(cloudfront_client, options.distribution_id) if options.distribution_id else None
    if options.dry_run:
        planned = invalidation_paths(plan.changed_keys, options.max_paths) if distribution else ()
        return _report(plan, plan.uploads, plan.deletes, planned, (), guard, dry_run=True)
    uploaded, failure = _upload_all(bucket, plan.uploads, options, on_uploaded)
    if failure is not None:
        failed_key, upload_error = failure
        _invalidate_quietly(distribution, [f.key for f in uploaded], options)
        raise PublishError(
            f"upload of {failed_key} failed: {upload_error}. {len(uploaded)} of {len(plan.uploads)} file(s) were uploaded "
            "and nothing was deleted; the live site is whole. Run publish again to finish."
        ) from upload_error
    try:
        bucket.delete(plan.deletes)
    except Exception as error:
        _invalidate_quietly(distribution, [f.key for f in uploaded], options)
        raise PublishError(f"deleting {len(plan.deletes)} old object(s) failed: {error}. Run publish again.") from error
    paths: tuple[str, ...] = ()
    ids: tuple[str, ...] = ()
    if distribution is None:
        if plan.changed_keys:
            log.warning("EVENTS_PUBLISH_DISTRIBUTION is empty: nothing invalidated")
    else:
        paths = invalidation_paths(plan.changed_keys, options.max_paths)
        try:
            ids = tuple(distribution.invalidate(batch) for batch in invalidation_batches(paths, options.batch_size))
        except Exception as error:
            log.error("paths still to invalidate on %s: %s", options.distribution_id, " ".join(paths))
            raise PublishError(
                f"the bucket is up to date but invalidating {len(paths)} path(s) failed: {error}. "
                "Invalidate them by hand (the paths are in the log) or wait for the cache to expire."
            ) from error
    report = _report(plan, plan.uploads, plan.deletes, paths, ids, guard)
    log.info("published to s3://%s/%s: %s", options.bucket, bucket.prefix, report.summary())
    return report


def _report(
    plan: UploadPlan,
    uploads: Sequence[LocalFile],
    deletes: Sequence[str],
    paths: tuple[str, ...],
    ids: tuple[str, ...],
    guard: GuardResult,
    dry_run: bool = False,
) -> PublishReport:
    return PublishReport(
        uploaded=tuple(f.key for f in uploads),
        deleted=tuple(deletes),
        unchanged=len(plan.unchanged),
        bytes_uploaded=sum(f.size for f in uploads),
        invalidated=paths,
        invalidation_ids=ids,
        guard=guard,
        dry_run=dry_run,
    )


def _built_count(local: Sequence[LocalFile]) -> int | None:
    by_key = {f.key: f for f in local}
    return site_upcoming_count(lambda key: by_key[key].path.read_bytes() if key in by_key else None)


def _live_count(bucket: Bucket, live: dict[str, RemoteObject]) -> int | None:
    """The live count, from the first count file that can be read; a file that cannot is skipped (the guard
    then refuses when none can, so an unreadable object never lets a build through)."""

    def read(key: str) -> bytes | None:
        if key not in live:
            return None
        try:
            return bucket.read(key)
        except Exception as error:  # an unreadable count file is a missing one; the guard fails closed
            log.warning("cannot read the live %s: %s", key, error)
            return None

    return site_upcoming_count(read)


def _upload_all(
    bucket: Bucket, files: Sequence[LocalFile], options: PublishOptions, on_uploaded: Uploaded | None
) -> tuple[list[LocalFile], tuple[str, Exception] | None]:
    """Upload rank by rank (assets, data, pages, home); stop at the first failure.

    Returns what was uploaded and the first failure, if any.
    """
    stop = threading.Event()
    uploaded: list[LocalFile] = []

    def one(file: LocalFile) -> LocalFile | None:
        if stop.is_set():
            return None
        try:
            bucket.upload(file, headers_for(file.key, options.short_max_age, options.asset_max_age))
        except Exception:
            stop.set()
            raise
        log.debug("uploaded %s (%d bytes)", file.key, file.size)
        if on_uploaded is not None:
            on_uploaded(file)
        return file

    with ThreadPoolExecutor(max_workers=max(1, options.workers)) as pool:
        for _rank, group in groupby(files, key=lambda f: upload_order(f.key)[0]):
            futures = [(file, pool.submit(one, file)) for file in group]
            failure: tuple[str, Exception] | None = None
            for file, future in futures:
                try:
                    done = future.result()
                except Exception as error:
                    failure = failure or (file.key, error)
                    continue
                if done is not None:
                    uploaded.append(done)
            if failure is not None:
                return uploaded, failure
    return uploaded, None


def _invalidate_quietly(distribution: Distribution | None, keys: Sequence[str], options: PublishOptions) -> None:
    """After a failed run, still invalidate what did reach the bucket: the next run sees it unchanged."""
    if distribution is None or not keys:
        return
    paths = invalidation_paths(keys, options.max_paths)
    try:
        for batch in invalidation_batches(paths, options.batch_size):
            distribution.invalidate(batch)
    except Exception as error:  # the upload error matters more; this one is logged
        log.error("could not invalidate %d path(s) uploaded before the failure: %s", len(paths), error)
