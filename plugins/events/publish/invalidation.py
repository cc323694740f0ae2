"""Which CloudFront paths to invalidate for a set of changed keys."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from urllib.parse import quote

__all__ = ["EVERYTHING", "invalidation_batches", "invalidation_paths"]

EVERYTHING = "/*"


def _paths_of(key: str) -> list[str]:
    # Visitors ask for `/a/b/`; the CloudFront Function rewrites it to
    # `/a/b/index.html` before the cache, but a cache entry may exist under
    # either name (a direct link, an older distribution), so both go.
    path = "/" + quote(key, safe="/-._~!$&'()+,;=:@")
    if key == "index.html" or key.endswith("/index.html"):
        return [path[: -len("index.html")], path]
    return [path]


def invalidation_paths(changed_keys: Iterable[str], max_paths: int) -> tuple[str, ...]:
    """Sorted URL paths for the changed keys; one `/*` when there are more than `max_paths`.

    Nothing changed means nothing to invalidate.
    """
    paths = sorted({p for key in changed_keys for p in _paths_of(key)})
    if len(paths) > max_paths:
        return (EVERYTHING,)
    return tuple(paths)


def invalidation_batches(paths: Sequence[str], batch_size: int) -> tuple[tuple[str, ...], ...]:
    """Paths split into CreateInvalidation requests of at most `batch_size` each."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    return tuple(tuple(paths[i : i + batch_size]) for i in range(0, len(paths), batch_size))
