"""Golden files: a few pages of the demo site and its events.ics, byte for byte.

The demo build is deterministic (recorded feeds, pinned clock), so any
difference is a change of output. After an intended one, refresh the files
and review their diff in the commit:

    UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/site/test_golden.py
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "golden" / "site"
REFRESH = "UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/site/test_golden.py"
DIFF_LINES = 60

# Output paths, each kept under GOLDEN at the same path.
OUTPUTS = (
    "index.html",
    "2026/03/03/index.html",
    "events/72faf9e893dd9ab2a527/index.html",  # Python Project Night, 2026-03-03: markup, categories, calendar links
    "groups/index.html",
    "events.ics",
)


def mismatch_report(path: str, expected: bytes, built: bytes) -> str:
    """The first DIFF_LINES lines of a unified diff, golden -> built, and how to refresh."""
    old = expected.decode("utf-8", errors="replace").splitlines()
    new = built.decode("utf-8", errors="replace").splitlines()
    diff = list(difflib.unified_diff(old, new, f"golden/{path}", f"built/{path}", lineterm=""))
    if not diff:
        diff = ["(the lines are equal: the bytes differ in line endings or encoding)"]
    elif len(diff) > DIFF_LINES:
        diff = [*diff[:DIFF_LINES], f"... {len(diff) - DIFF_LINES} more diff lines"]
    return "\n".join([f"{path} differs from its golden file {GOLDEN / path}:", *diff, f"If the change is intended, refresh with: {REFRESH}"])


@pytest.mark.parametrize("path", OUTPUTS)
def test_demo_output_matches_golden(demo_site: Path, path: str) -> None:
    output = demo_site / path
    assert output.is_file(), f"the demo build has no {path}; if it moved, update OUTPUTS in {Path(__file__).name}"
    built = output.read_bytes()
    golden = GOLDEN / path
    if os.environ.get("UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_bytes(built)
        return
    assert golden.is_file(), f"no golden file {golden}; write it with: {REFRESH}"
    expected = golden.read_bytes()
    if built != expected:
        pytest.fail(mismatch_report(path, expected, built), pytrace=False)
