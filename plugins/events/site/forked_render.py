"""Sharing independent jobs between this process and a forked child.

Rendering and writing ~2,800 pages and planning and writing ~3,000 other
files is CPU work on data the build already holds; a forked child shares
that data without pickling it, so both cores work. Where fork is missing or
there is one core, every job runs here, ours first.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

__all__ = ["can_fork", "share_with_child"]

T = TypeVar("T")
# Counts (added up) and mappings such as {path: digest} (merged); JSON, to cross the pipe.
Counts = dict[str, Any]


def can_fork() -> bool:
    """Fork only on Linux: macOS forbids it after some system frameworks load, Windows lacks it."""
    return sys.platform.startswith("linux") and hasattr(os, "fork") and (os.cpu_count() or 1) > 1


def share_with_child(
    ours: Sequence[T], theirs: Sequence[T], work: Callable[[Sequence[T]], Counts], fork: bool | None = None
) -> Counts:
    """work(ours) here and work(theirs) in a forked child, their counts added up.

    `work` must only have effects outside this process (files written) and
    return counts (numbers, added up) or mappings (merged); the child's come
    back through a pipe as JSON, and its failure is raised here with the
    child's traceback.
    """
    if not (can_fork() if fork is None else fork) or not ours or not theirs:
        return work([*ours, *theirs])
    reader, writer = os.pipe()
    # Buffered output would otherwise be written twice, once by each process.
    sys.stdout.flush()
    sys.stderr.flush()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child, which coverage does not follow
        os.close(reader)
        status = 0
        try:
            message = json.dumps(work(theirs))
        except BaseException:
            message, status = traceback.format_exc(), 1
        with os.fdopen(writer, "w", encoding="utf-8") as pipe:
            pipe.write(message)
        # Leave without atexit handlers or finalizers: they belong to the parent.
        os._exit(status)
    os.close(writer)
    try:
        counts = work(ours)
    finally:
        with os.fdopen(reader, "r", encoding="utf-8") as pipe:
            message = pipe.read()
        _, status = os.waitpid(child, 0)
    if status != 0:
        raise RuntimeError(f"the child process sharing the work failed ({status}):\n{message}")
    theirs_counts: Counts = json.loads(message)
    return {key: _merge(counts.get(key), theirs_counts.get(key)) for key in sorted({*counts, *theirs_counts})}


def _merge(ours: Any, theirs: Any) -> Any:
    if isinstance(ours, dict) or isinstance(theirs, dict):
        return {**(ours or {}), **(theirs or {})}
    return (ours or 0) + (theirs or 0)
