"""Project tasks, in the style `pelican-quickstart` users know.

    invoke build      collect every group's feed, then generate output/
    invoke collect    collect into the store only
    invoke validate   check group files (all, or the ones given)
    invoke serve      serve output/ on http://127.0.0.1:8000
    invoke demo       build a full site from the recorded feeds in tests/data/
    invoke clean      remove output/ (and the store and HTTP cache with --all)
    invoke test       install the test tools and run the whole suite
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from invoke import task

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "plugins"))

OUTPUT = ROOT / "output"
DEMO = ROOT / "tests" / "data" / "demo"
DEMO_NOW = "2026-03-02T09:00:00-05:00"


def _logging() -> None:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s", stream=sys.stderr)


def _events_settings(conf: str):
    from pelican.settings import read_settings

    from events.settings import EventsSettings

    settings = read_settings(str(ROOT / conf))
    return EventsSettings.from_mapping(settings, ROOT)


def _pelican(conf: str, output: Path, env: dict[str, str] | None = None) -> None:
    command = [sys.executable, "-m", "pelican", str(ROOT / "content"), "-s", str(ROOT / conf), "-o", str(output)]
    subprocess.run(command, check=True, cwd=ROOT, env={**os.environ, **(env or {})})


@task(help={"conf": "settings file (pelicanconf.py or publishconf.py)"})
def collect(c, conf="pelicanconf.py"):
    """Collect every active group's calendar into the store."""
    _logging()
    from events.runner import run_collection

    report = run_collection(_events_settings(conf))
    if report.groups and len(report.failed) == len(report.groups):
        sys.exit("every group failed to collect; see the warnings above")


@task(help={"conf": "settings file", "output": "output folder"})
def build(c, conf="pelicanconf.py", output=str(OUTPUT)):
    """Collect, then generate the site into output/."""
    _pelican(conf, Path(output), {"EVENTS_COLLECT": "true"})


@task(help={"conf": "settings file", "output": "output folder"})
def generate(c, conf="pelicanconf.py", output=str(OUTPUT)):
    """Generate the site from what the store holds, without collecting."""
    _pelican(conf, Path(output), {"EVENTS_COLLECT": "false"})


@task(iterable=["files"], help={"files": "group files to check (default: all of _groups/)"})
def validate(c, files=None, conf="pelicanconf.py"):
    """Check group files; one line per problem, non-zero exit when any is wrong."""
    from events.runner import validate_files

    loaded = validate_files(_events_settings(conf), [Path(f) for f in files or ()])
    for problem in loaded.problems:
        print(problem)
    if loaded.problems:
        sys.exit(f"{len(loaded.problems)} problem(s) in group files")
    print(f"{len(loaded.groups)} group file(s) OK")


@task(help={"port": "port on 127.0.0.1", "output": "folder to serve"})
def serve(c, port=8000, output=str(OUTPUT)):
    """Serve the built site on http://127.0.0.1:PORT/."""
    import functools
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    handler = functools.partial(SimpleHTTPRequestHandler, directory=output)
    with ThreadingHTTPServer(("127.0.0.1", int(port)), handler) as server:
        print(f"Serving {output} on http://127.0.0.1:{server.server_port}/ (Ctrl-C to stop)")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass


@task(help={"output": "output folder", "serve_site": "serve the site afterwards", "now": "the pinned clock"})
def demo(c, output=str(OUTPUT), serve_site=False, now=DEMO_NOW):
    """Build a full site from the recorded feeds in tests/data/demo, served on 127.0.0.1."""
    sys.path.insert(0, str(ROOT / "tests"))
    from feedserver import FeedServer, write_demo_groups

    work = Path(tempfile.mkdtemp(prefix="events-demo-"))
    try:
        with FeedServer(DEMO / "feeds") as feeds:
            groups = write_demo_groups(DEMO / "groups", work / "_groups", feeds.base_url)
            env = {
                "EVENTS_GROUPS_DIR": str(groups),
                "EVENTS_CACHE_DIR": str(work / "cache"),
                "EVENTS_NOW": now,
                "EVENTS_COLLECT": "true",
            }
            _pelican("pelicanconf.py", Path(output), env)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"Demo site written to {output}")
    if serve_site:
        serve(c, output=output)


@task(help={"all": "also remove the store and the HTTP cache"})
def clean(c, all=False):
    """Remove output/ (and .cache/ with --all)."""
    shutil.rmtree(OUTPUT, ignore_errors=True)
    if all:
        shutil.rmtree(ROOT / ".cache", ignore_errors=True)


@task(help={"pytest_args": "extra arguments for pytest", "setup_only": "install the test tools and stop"})
def test(c, pytest_args="", setup_only=False):
    """Install the test tools (npm packages, Chromium) and run the whole suite."""
    if shutil.which("npm") and not (ROOT / "node_modules" / ".package-lock.json").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], check=True, cwd=ROOT)
    if not Path("/usr/bin/chromium").exists() and hasattr(os, "geteuid") and os.geteuid() == 0:
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "chromium", "chromium-driver"], check=True
        )
    if setup_only:
        return
    result = subprocess.run([sys.executable, "-m", "pytest", *pytest_args.split()], cwd=ROOT)
    if result.returncode == 5:
        sys.exit("pytest collected no tests; that is a failure here")
    sys.exit(result.returncode)


@task(help={"conf": "settings file whose EVENTS_DYNAMODB_TABLE names the table (publishconf.py in production)"})
def create_table(c, conf="publishconf.py"):
    """Create the DynamoDB events table if missing, wait until ACTIVE, turn TTL on (safe to run again)."""
    _logging()
    from events.store.dynamodb import create_table as create

    table = _events_settings(conf).dynamodb_table
    created = create(table)
    print(f"DynamoDB table {table}: {'created' if created else 'already there'}, ACTIVE, TTL on 'ttl'")
