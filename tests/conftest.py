"""Shared fixtures: paths, the pinned clock, a loopback feed server, site builds."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "plugins"))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from feedserver import FeedServer, write_demo_groups  # noqa: E402

DATA = ROOT / "tests" / "data"
CORPUS = ROOT.parent / "shared" / "corpus" / "ics"
DEMO_NOW = "2026-03-02T09:00:00-05:00"
NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture
def data_dir() -> Path:
    return DATA


@pytest.fixture
def now() -> datetime:
    return datetime.fromisoformat(DEMO_NOW).astimezone(NEW_YORK)


@pytest.fixture
def demo_feeds():
    with FeedServer(DATA / "demo" / "feeds") as server:
        yield server


def build_site(tmp_path: Path, groups_dir: Path, now: str = DEMO_NOW, extra_env: dict[str, str] | None = None) -> Path:
    """Run Pelican on the project with its own store and cache under tmp_path; return the output folder."""
    output = tmp_path / "output"
    env = {
        **os.environ,
        "EVENTS_GROUPS_DIR": str(groups_dir),
        "EVENTS_CACHE_DIR": str(tmp_path / "cache"),
        "EVENTS_NOW": now,
        "EVENTS_COLLECT": "true",
        **(extra_env or {}),
    }
    result = subprocess.run(
        [sys.executable, "-m", "pelican", str(ROOT / "content"), "-s", str(ROOT / "pelicanconf.py"), "-o", str(output)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    (tmp_path / "build.log").write_text(result.stdout + result.stderr)
    assert result.returncode == 0, result.stdout + result.stderr
    return output


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo site, built once per session from the recorded feeds."""
    work = tmp_path_factory.mktemp("demo")
    with FeedServer(DATA / "demo" / "feeds") as server:
        groups = write_demo_groups(DATA / "demo" / "groups", work / "_groups", server.base_url)
        return build_site(work, groups)


# Tools the test venv installs (weed, moto_server, hadolint) are found even
# when pytest runs by path from a venv that is not activated.
_VENV_BIN = str(Path(sys.executable).parent)
if _VENV_BIN not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _VENV_BIN + os.pathsep + os.environ.get("PATH", "")
