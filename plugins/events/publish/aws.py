"""The thin I/O layer: the only module that calls S3 and CloudFront.

Clients come from boto3's own configuration, so `AWS_ENDPOINT_URL_S3` and
`AWS_ENDPOINT_URL_CLOUDFRONT` point them at local servers in tests.
"""

from __future__ import annotations

import base64
import logging
import uuid
from collections.abc import Sequence
from typing import Any

import boto3
from botocore.config import Config

from events.publish.headers import ObjectHeaders
from events.publish.local_files import LocalFile
from events.publish.upload_plan import RemoteObject

__all__ = ["Bucket", "Distribution", "make_clients"]

log = logging.getLogger(__name__)

_DELETE_BATCH = 1000  # DeleteObjects takes at most 1000 keys


def make_clients(connect_timeout: float = 10.0, read_timeout: float = 60.0) -> tuple[Any, Any]:
    """(s3, cloudfront) clients with bounded timeouts and retries."""
    config = Config(
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        retries={"max_attempts": 3, "mode": "standard"},
        # Checksums only where S3 requires them: S3-compatible servers differ
        # in how they take the newer trailing checksums, and Content-MD5 is sent anyway.
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
    )
    session = boto3.session.Session()
    return session.client("s3", config=config), session.client("cloudfront", config=config)


def _normal_prefix(prefix: str) -> str:
    prefix = prefix.strip("/")
    return f"{prefix}/" if prefix else ""


class Bucket:
    """The live site's objects under one prefix of one bucket."""

    def __init__(self, client: Any, name: str, prefix: str = "") -> None:
        self._client = client
        self.name = name
        self.prefix = _normal_prefix(prefix)

    def listing(self) -> dict[str, RemoteObject]:
        objects: dict[str, RemoteObject] = {}
        paginator = self._client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.name, Prefix=self.prefix):
            for item in page.get("Contents", ()):
                key = item["Key"][len(self.prefix) :]
                if key and not key.endswith("/"):
                    objects[key] = RemoteObject(key, item["ETag"], int(item["Size"]))
        return objects

    def read(self, key: str) -> bytes | None:
        try:
            response = self._client.get_object(Bucket=self.name, Key=self.prefix + key)
        except self._client.exceptions.NoSuchKey:
            return None
        body: bytes = response["Body"].read()
        return body

    def upload(self, file: LocalFile, headers: ObjectHeaders) -> None:
        with file.path.open("rb") as body:
            self._client.put_object(
                Bucket=self.name,
                Key=self.prefix + file.key,
                Body=body,
                ContentType=headers.content_type,
                CacheControl=headers.cache_control,
                ContentMD5=base64.b64encode(bytes.fromhex(file.md5)).decode("ascii"),
            )

    def delete(self, keys: Sequence[str]) -> None:
        for start in range(0, len(keys), _DELETE_BATCH):
            chunk = keys[start : start + _DELETE_BATCH]
            response = self._client.delete_objects(
                Bucket=self.name,
                Delete={"Objects": [{"Key": self.prefix + key} for key in chunk], "Quiet": True},
            )
            errors = response.get("Errors") or []
            if errors:
                first = errors[0]
                raise RuntimeError(f"S3 refused to delete {len(errors)} object(s), first {first.get('Key')}: {first.get('Message')}")


class Distribution:
    """One CloudFront distribution, for invalidations."""

    def __init__(self, client: Any, distribution_id: str) -> None:
        self._client = client
        self.distribution_id = distribution_id

    def invalidate(self, paths: Sequence[str]) -> str:
        response = self._client.create_invalidation(
            DistributionId=self.distribution_id,
            InvalidationBatch={
                "Paths": {"Quantity": len(paths), "Items": list(paths)},
                "CallerReference": f"publish-{uuid.uuid4()}",
            },
        )
        invalidation_id = str(response["Invalidation"]["Id"])
        log.info("invalidation %s: %d path(s) on %s", invalidation_id, len(paths), self.distribution_id)
        return invalidation_id
