"""`invoke demo`: a full site built from the recorded feeds of `tests/data/demo/`, with no network."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from events.run.local_server import FolderServer

if TYPE_CHECKING:
    from events.run.outcome import Outcome

__all__ = ["DEMO_NOW", "build_demo", "write_demo_groups"]

DEMO_NOW = "2026-03-02T09:00:00-05:00"


def write_demo_groups(source: Path, target: Path, base_url: str) -> Path:
    """Copy the demo group files, pointing their feeds at `base_url`."""
    target.mkdir(parents=True, exist_ok=True)
    for path in sorted(source.glob("*.yaml")):
        (target / path.name).write_text(path.read_text(encoding="utf-8").replace("{base}", base_url), encoding="utf-8")
    return target


def build_demo(root: Path, conf: str, output: Path, now: str = DEMO_NOW) -> Outcome:
    """Serve the recorded feeds on 127.0.0.1, collect them into a throwaway store, generate `output`."""
    from events.run.site_build import build_site

    demo = root / "tests" / "data" / "demo"
    work = Path(tempfile.mkdtemp(prefix="events-demo-"))
    try:
        with FolderServer(demo / "feeds") as feeds:
            groups = write_demo_groups(demo / "groups", work / "_groups", feeds.base_url)
            env = {
                "EVENTS_GROUPS_DIR": str(groups),
                "EVENTS_CACHE_DIR": str(work / "cache"),
                "EVENTS_NOW": now,
                # The recorded feeds are served on 127.0.0.1, which the address rule refuses by default.
                "EVENTS_FETCH_ALLOW_PRIVATE": True,
            }
            return build_site(root, conf, output, env)
    finally:
        shutil.rmtree(work, ignore_errors=True)
