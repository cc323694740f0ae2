"""Publishing `output/` to S3 behind CloudFront.

A pure core plans everything from the local files and the bucket listing
(`plan.py`, `headers.py`, `invalidation.py`, `guard.py`); only `remote.py`
calls boto3 and `publisher.py` runs the plan. No Pelican imports here.
"""

from events.publish.guard import GuardResult, check_guard, upcoming_count
from events.publish.headers import ObjectHeaders, headers_for
from events.publish.invalidation import invalidation_batches, invalidation_paths
from events.publish.local_files import LocalFile, scan_output
from events.publish.publisher import PublishError, PublishOptions, PublishReport, publish
from events.publish.upload_plan import RemoteObject, UploadPlan, plan_upload

__all__ = [
    "GuardResult",
    "LocalFile",
    "ObjectHeaders",
    "PublishError",
    "PublishOptions",
    "PublishReport",
    "RemoteObject",
    "UploadPlan",
    "check_guard",
    "headers_for",
    "invalidation_batches",
    "invalidation_paths",
    "plan_upload",
    "publish",
    "scan_output",
    "upcoming_count",
]
