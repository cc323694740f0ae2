"""Content-Type and Cache-Control for each published file, from its name alone."""

from __future__ import annotations

import mimetypes
import re
from dataclasses import dataclass
from pathlib import PurePosixPath

__all__ = ["SHORT_KINDS", "ObjectHeaders", "headers_for", "is_hashed_asset"]

_UTF8 = "; charset=utf-8"

# Explicit, because the platform's mimetypes table varies between machines
# and calendar clients are picky about text/calendar.
_TYPES: dict[str, str] = {
    ".html": "text/html" + _UTF8,
    ".htm": "text/html" + _UTF8,
    ".ics": "text/calendar" + _UTF8,
    ".json": "application/json",
    ".xml": "application/xml",
    ".rss": "application/rss+xml",
    ".atom": "application/atom+xml",
    ".css": "text/css" + _UTF8,
    ".js": "text/javascript" + _UTF8,
    ".mjs": "text/javascript" + _UTF8,
    ".txt": "text/plain" + _UTF8,
    ".md": "text/markdown" + _UTF8,
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/x-icon",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".webmanifest": "application/manifest+json",
    ".pdf": "application/pdf",
}

# Documents whose content changes under the same name every night: browsers
# revalidate soon, CloudFront is told by invalidation.
SHORT_KINDS = frozenset({".html", ".htm", ".ics", ".json", ".xml", ".rss", ".atom", ".txt", ".md", ".webmanifest"})

# `site.3f2a9c1b.css`, `app-3f2a9c1b8e4d.js`: a name that changes whenever the
# content does may be cached for a year.
_HASHED = re.compile(r"[.\-_][0-9a-f]{8,64}\.[A-Za-z0-9]+$")


@dataclass(frozen=True)
class ObjectHeaders:
    content_type: str
    cache_control: str


def is_hashed_asset(key: str) -> bool:
    path = PurePosixPath(key)
    return path.suffix.lower() not in SHORT_KINDS and bool(_HASHED.search(path.name))


def headers_for(key: str, short_max_age: int = 300, asset_max_age: int = 3600) -> ObjectHeaders:
    """Headers for the object `key` (a path relative to the site root)."""
    suffix = PurePosixPath(key).suffix.lower()
    content_type = _TYPES.get(suffix) or mimetypes.guess_type(key)[0] or "application/octet-stream"
    if is_hashed_asset(key):
        cache = "public, max-age=31536000, immutable"
    elif suffix in SHORT_KINDS or not suffix:
        cache = f"public, max-age={short_max_age}"
    else:
        cache = f"public, max-age={asset_max_age}"
    return ObjectHeaders(content_type, cache)
