"""Rendering and writing spread over processes: this one and forked children, each taking the next batch.

Generation is CPU work on data the build already holds (the plan, the
compiled templates); a forked child shares that data without pickling it.
The jobs are cut into batches, and every process (this one included)
takes the next batch from a shared counter as it finishes the last, so the
work balances itself on any machine and grows with its cores: no share is
tuned to one machine. Where fork is missing (macOS forbids it after some
system frameworks load, Windows lacks it) or there is one core, every batch
runs in this process: the same jobs, in the same order, the same files.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

__all__ = ["can_fork", "default_processes", "share_work"]

T = TypeVar("T")
# Counts (added up) and mappings such as {path: digest} (merged); JSON, to cross the pipe.
Counts = dict[str, Any]


def can_fork() -> bool:
    """Fork only on Linux: macOS forbids it after some system frameworks load, Windows lacks it."""
    return sys.platform.startswith("linux") and hasattr(os, "fork")


def default_processes() -> int:
    """One process per core this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def share_work(batches: Sequence[Sequence[T]], work: Callable[[Sequence[T]], Counts], processes: int = 1) -> Counts:
    """work(batch) for every batch, spread over `processes` processes; their counts added up.

    Put the longest batches first: they are taken first. `work` must only
    have effects outside this process (files written) and return counts
    (numbers, added up) or mappings (merged); a child's come back through a
    pipe as JSON, and a child's failure is raised here with its traceback.
    """
    processes = min(processes, len(batches)) if can_fork() else 1
    if processes <= 1:
        return _merge_all([work(batch) for batch in batches])
    context = multiprocessing.get_context("fork")
    taken = context.Value("q", 0)  # the next batch to take, in memory shared with the children

    def take_and_work() -> Counts:
        done: list[Counts] = []
        while True:
            with taken.get_lock():
                number = taken.value
                taken.value += 1
            if number >= len(batches):
                return _merge_all(done)
            done.append(work(batches[number]))

    # Buffered output would otherwise be written twice, once by each process.
    sys.stdout.flush()
    sys.stderr.flush()
    children: list[tuple[int, int]] = []
    try:
        for _ in range(processes - 1):
            reader, writer = os.pipe()
            child = os.fork()
            if child == 0:  # pragma: no cover - runs in the child, which coverage does not follow
                os.close(reader)
                _child(writer, take_and_work)
            os.close(writer)
            children.append((child, reader))
        ours = take_and_work()
    finally:
        results = [_collect(child, reader) for child, reader in children]
    failures = [message for status, message in results if status != 0]
    if failures:
        raise RuntimeError(f"a process sharing the work failed:\n{failures[0]}")
    return _merge_all([ours, *(json.loads(message) for _, message in results)])


def _child(writer: int, job: Callable[[], Counts]) -> None:  # pragma: no cover - runs in the child
    status = 0
    try:
        message = json.dumps(job())
    except BaseException:
        message, status = traceback.format_exc(), 1
    with os.fdopen(writer, "w", encoding="utf-8") as pipe:
        pipe.write(message)
    # Leave without atexit handlers or finalizers: they belong to the parent.
    os._exit(status)


def _collect(child: int, reader: int) -> tuple[int, str]:
    with os.fdopen(reader, "r", encoding="utf-8") as pipe:
        message = pipe.read()
    _, status = os.waitpid(child, 0)
    return status, message


def _merge_all(parts: Sequence[Counts]) -> Counts:
    """Numbers added up, mappings merged (in place: a national build merges thousands of batches of digests)."""
    merged: Counts = {}
    for part in parts:
        for key, value in part.items():
            if isinstance(value, dict):
                merged.setdefault(key, {}).update(value)
            else:
                merged[key] = merged.get(key, 0) + value
    return dict(sorted(merged.items()))
