"""Doing a list of independent jobs in two processes: half here, half in a forked child.

Rendering and writing ~2,800 pages is pure CPU work on data the build
already holds; a forked child shares that data without pickling it, so
both cores render. Where fork is missing or there is one core, all jobs
run here, in the same order.
"""

from __future__ import annotations

import os
import sys
import traceback
from typing import Callable, Sequence, TypeVar

__all__ = ["in_two_halves", "can_fork"]

T = TypeVar("T")


def can_fork() -> bool:
    """Fork only on Linux: macOS forbids it after some system frameworks load, Windows lacks it."""
    return sys.platform.startswith("linux") and hasattr(os, "fork") and (os.cpu_count() or 1) > 1


def in_two_halves(jobs: Sequence[T], work: Callable[[Sequence[T]], int], fork: bool | None = None) -> int:
    """`work(jobs)`'s result, computed as work(every other job) here plus work(the rest) in a child.

    `work` must only have effects outside this process (files written) and
    return a count; the child's count comes back through a pipe, and its
    failure is raised here with the child's traceback.
    """
    if not (can_fork() if fork is None else fork) or len(jobs) < 2:
        return work(jobs)
    mine, theirs = jobs[0::2], jobs[1::2]
    reader, writer = os.pipe()
    # Buffered output would otherwise be written twice, once by each process.
    sys.stdout.flush()
    sys.stderr.flush()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child, which coverage does not follow
        os.close(reader)
        status = 0
        try:
            message = str(work(theirs))
        except BaseException:  # noqa: BLE001 - every failure must reach the parent
            message, status = "error:" + traceback.format_exc(), 1
        with os.fdopen(writer, "w", encoding="utf-8") as pipe:
            pipe.write(message)
        # Leave without atexit handlers or finalizers: they belong to the parent.
        os._exit(status)
    os.close(writer)
    try:
        done = work(mine)
    finally:
        with os.fdopen(reader, "r", encoding="utf-8") as pipe:
            message = pipe.read()
        _, status = os.waitpid(child, 0)
    if status != 0 or not message.lstrip("-").isdigit():
        detail = message.removeprefix("error:") or f"exit status {status}"
        raise RuntimeError(f"the child process doing half the jobs failed:\n{detail}")
    return done + int(message)
