"""Rendering spread over forked processes: the same files and counts as one process, whatever the number of processes."""

from __future__ import annotations

import multiprocessing
import os

import pytest

from events.site.render_pool import can_fork, default_processes, share_work

forking = pytest.mark.skipif(not can_fork(), reason="no fork here")


def _writer(folder):
    def work(jobs):
        for job in jobs:
            (folder / f"{job}.txt").write_text(str(job), encoding="utf-8")
        return {"jobs": len(jobs), "odd": sum(job % 2 for job in jobs), "digests": {str(job): f"d{job}" for job in jobs}}

    return work


@pytest.mark.parametrize("processes", [1, pytest.param(2, marks=forking), pytest.param(5, marks=forking)])
def test_every_job_is_done_once_and_counts_add_up(tmp_path, processes):
    batches = [list(range(start, start + 7)) for start in range(0, 70, 7)]
    counts = share_work(batches, _writer(tmp_path), processes)
    assert counts == {"digests": {str(n): f"d{n}" for n in range(70)}, "jobs": 70, "odd": 35}
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{n}.txt" for n in range(70))


@forking
def test_every_process_takes_batches():
    """Each process's first batch waits for the others' first: had one taken every batch, the barrier would break."""
    barrier = multiprocessing.get_context("fork").Barrier(3, timeout=60)
    first = {"done": False}

    def work(jobs):
        if not first["done"]:  # each process has its own copy after the fork
            first["done"] = True
            barrier.wait()
        return {"by": {f"{jobs[0]}": os.getpid()}}

    counts = share_work([[n] for n in range(12)], work, 3)
    assert sorted(counts["by"]) == sorted(str(n) for n in range(12)) and len(set(counts["by"].values())) == 3


@forking
def test_a_failing_child_fails_the_build_with_its_traceback():
    parent = os.getpid()
    barrier = multiprocessing.get_context("fork").Barrier(2, timeout=60)

    def work(jobs):
        if jobs == [0] or jobs == [1]:  # the first two batches: one per process
            barrier.wait()
        if os.getpid() != parent:
            raise ValueError("the child's own failure")
        return {"jobs": len(jobs)}

    with pytest.raises(RuntimeError, match="the child's own failure"):
        share_work([[n] for n in range(40)], work, 2)


def test_no_more_processes_than_batches_and_one_at_least():
    assert default_processes() >= 1
    assert share_work([], lambda jobs: {"jobs": len(jobs)}, 4) == {}
    assert share_work([[1, 2]], lambda jobs: {"jobs": len(jobs), "pid": {str(os.getpid()): 1}}, 4) == {"jobs": 2, "pid": {str(os.getpid()): 1}}
