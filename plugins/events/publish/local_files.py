"""The build as a list of files with their MD5, the way S3 reports ETags."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

__all__ = ["LocalFile", "md5_of", "scan_output"]

_CHUNK = 1 << 20


@dataclass(frozen=True)
class LocalFile:
    """One built file; `key` is its path under the site root, with '/' separators."""

    key: str
    path: Path
    size: int
    md5: str


def md5_of(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def scan_output(root: Path) -> tuple[LocalFile, ...]:
    """Every regular file under `root`, sorted by key; hidden files are left out."""
    if not root.is_dir():
        raise FileNotFoundError(f"{root}: no such folder; build the site first (invoke generate)")
    files = []
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if not path.is_file() or any(part.startswith(".") for part in relative.parts):
            continue
        files.append(LocalFile(relative.as_posix(), path, path.stat().st_size, md5_of(path)))
    return tuple(files)
