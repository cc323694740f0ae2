"""Sharing jobs with a forked child: same effects and counts as doing them all here."""

from __future__ import annotations

import pytest

from events.site.forked_render import can_fork, share_with_child


def _writer(folder):
    def work(jobs):
        for job in jobs:
            (folder / f"{job}.txt").write_text(str(job), encoding="utf-8")
        return {"jobs": len(jobs), "odd": sum(job % 2 for job in jobs)}

    return work


@pytest.mark.parametrize("fork", [False, pytest.param(True, marks=pytest.mark.skipif(not can_fork(), reason="no fork here"))])
def test_every_job_is_done_once_and_counts_add_up(tmp_path, fork):
    counts = share_with_child([1, 2, 3], [4, 5], _writer(tmp_path), fork=fork)
    assert counts == {"jobs": 5, "odd": 3}
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"{n}.txt" for n in range(1, 6)]


@pytest.mark.skipif(not can_fork(), reason="no fork here")
def test_a_failing_child_fails_the_parent_with_its_traceback(tmp_path):
    def work(jobs):
        if "boom" in jobs:
            raise ValueError("the child's own failure")
        return {"jobs": len(jobs)}

    with pytest.raises(RuntimeError, match="the child's own failure"):
        share_with_child(["fine"], ["boom"], work, fork=True)


def test_without_jobs_for_one_side_nothing_is_forked(tmp_path):
    assert share_with_child([], [1, 2], _writer(tmp_path), fork=True) == {"jobs": 2, "odd": 1}


@pytest.mark.parametrize("fork", [False, pytest.param(True, marks=pytest.mark.skipif(not can_fork(), reason="no fork here"))])
def test_mappings_from_both_sides_are_merged(fork):
    def work(jobs):
        return {"jobs": len(jobs), "digests": {str(job): f"d{job}" for job in jobs}}

    assert share_with_child([1, 2], [3], work, fork=fork) == {"jobs": 3, "digests": {"1": "d1", "2": "d2", "3": "d3"}}
