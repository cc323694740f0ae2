"""What to upload and delete: a pure function of the build and the bucket listing."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

from events.publish.headers import SHORT_KINDS
from events.publish.local_files import LocalFile

__all__ = ["RemoteObject", "UploadPlan", "plan_upload", "upload_order"]


@dataclass(frozen=True)
class RemoteObject:
    """One object of the live site; `key` is relative to the site root (no prefix)."""

    key: str
    etag: str
    size: int

    @property
    def md5(self) -> str | None:
        """The content MD5, or None when the ETag is not one (multipart uploads)."""
        etag = self.etag.strip('"').lower()
        if "-" in etag or len(etag) != 32:
            return None
        return etag


@dataclass(frozen=True)
class UploadPlan:
    uploads: tuple[LocalFile, ...]
    deletes: tuple[str, ...]
    unchanged: tuple[str, ...]

    @property
    def upload_bytes(self) -> int:
        return sum(f.size for f in self.uploads)

    @property
    def changed_keys(self) -> tuple[str, ...]:
        return tuple(sorted({f.key for f in self.uploads} | set(self.deletes)))


def upload_order(key: str) -> tuple[int, str]:
    """Assets first, data next, pages last and the home page at the very end.

    A visitor who loads a new page during the upload then never finds an
    asset or a feed it links to missing.
    """
    suffix = PurePosixPath(key).suffix.lower()
    if key == "index.html":
        rank = 3
    elif suffix in (".html", ".htm"):
        rank = 2
    elif suffix in SHORT_KINDS:
        rank = 1
    else:
        rank = 0
    return rank, key


def plan_upload(local: Sequence[LocalFile], remote: Mapping[str, RemoteObject] | Iterable[RemoteObject]) -> UploadPlan:
    """Upload what is new or different, delete what the build no longer has.

    An object whose ETag is not a plain MD5 (a multipart upload) cannot be
    compared, so it is uploaded again; the new upload is single-part.
    """
    live = remote if isinstance(remote, Mapping) else {obj.key: obj for obj in remote}
    uploads = []
    unchanged = []
    for file in local:
        existing = live.get(file.key)
        if existing is not None and existing.md5 == file.md5 and existing.size == file.size:
            unchanged.append(file.key)
        else:
            uploads.append(file)
    built = {f.key for f in local}
    deletes = sorted(key for key in live if key not in built)
    uploads.sort(key=lambda f: upload_order(f.key))
    return UploadPlan(tuple(uploads), tuple(deletes), tuple(sorted(unchanged)))
