"""Project tasks, in the style `pelican-quickstart` users know. Each parses its options and calls one
function of `plugins/events/run/`; `invoke --list` shows them, `invoke --help TASK` their options.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from invoke import task

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "plugins"))

OUTPUT = ROOT / "output"


def _logging(log_format: str = "text") -> None:
    from events.logsetup import configure_logging

    configure_logging(log_format)


def _settings(conf: str):
    from events.run.site_build import events_settings

    return events_settings(ROOT, conf)


def _finish(outcome) -> None:
    """Print what the command says; exit non-zero with its reason when it failed."""
    for line in outcome.lines:
        print(line)
    if outcome.failure:
        sys.exit(outcome.failure)


@task(help={"conf": "settings file (pelicanconf.py or publishconf.py)", "log_format": "text (default) or json"})
def collect(c, conf="pelicanconf.py", log_format="text"):
    """Collect every active group's calendar into the store."""
    _logging(log_format)
    from events.run.site_build import collect_only

    _finish(collect_only(ROOT, conf))


@task(help={"conf": "settings file", "output": "output folder", "log_format": "text (default) or json"})
def build(c, conf="pelicanconf.py", output=str(OUTPUT), log_format="text"):
    """Collect, then generate the site into output/."""
    _logging(log_format)
    from events.run.site_build import build_site

    _finish(build_site(ROOT, conf, Path(output)))


@task(help={"conf": "settings file", "output": "output folder", "log_format": "text (default) or json"})
def generate(c, conf="pelicanconf.py", output=str(OUTPUT), log_format="text"):
    """Generate the site from what the store holds, without collecting."""
    _logging(log_format)
    from events.run.site_build import generate_site

    generate_site(ROOT, conf, Path(output))


@task(
    iterable=["files"],
    help={"files": "a file to check (repeatable); or list files after --, as in: invoke validate -- _groups/a.yaml"},
)
def validate(c, files=None, conf="pelicanconf.py"):
    """Check group, single-event and overlay files; one line per problem, non-zero exit when any is wrong.

    With no files, checks all of _groups/, _single_events/ and _overlays/.
    """
    from events.run.validate import validate_command

    given = [*(files or ()), *shlex.split(getattr(c, "remainder", "") or "")]
    _finish(validate_command(_settings(conf), [Path(f) for f in given]))


@task(help={"check": "change nothing; fail when a schema or a schema line is out of date", "conf": "settings file"})
def schemas(c, check=False, conf="pelicanconf.py"):
    """Write schemas/*.json (JSON Schemas of input files) and put the schema line first in every input file."""
    from events.run.schema_files import schemas_command

    _finish(schemas_command(_settings(conf), ROOT, check=check))


@task(help={"port": "port on 127.0.0.1", "output": "folder to serve"})
def serve(c, port=8000, output=str(OUTPUT)):
    """Serve the built site on http://127.0.0.1:PORT/."""
    import time

    from events.run.local_server import serve_folder

    with serve_folder(Path(output), int(port)) as server:
        print(f"Serving {output} on {server.base_url}/ (Ctrl-C to stop)")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


@task(help={"output": "output folder", "serve_site": "serve the site afterwards", "now": "the pinned clock"})
def demo(c, output=str(OUTPUT), serve_site=False, now=""):
    """Build a full site from the recorded feeds in tests/data/demo, served on 127.0.0.1."""
    _logging()
    from events.run.demo import DEMO_NOW, build_demo

    _finish(build_demo(ROOT, "pelicanconf.py", Path(output), now or DEMO_NOW))
    if serve_site:
        serve(c, output=output)


@task(help={"all": "also remove the store, the HTTP cache and the compiled templates"})
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
    # Many tests wait on servers (DynamoDB Local, SeaweedFS, moto, Chromium) rather than compute: one worker more
    # than the cores keeps both busy (3:40 instead of 4:00-4:40 for the suite on 2 cores). An explicit setting wins.
    workers = os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS") or str((os.cpu_count() or 1) + 1)
    env = {**os.environ, "PYTEST_XDIST_AUTO_NUM_WORKERS": workers}
    result = subprocess.run([sys.executable, "-m", "pytest", "-n", "auto", *pytest_args.split()], cwd=ROOT, env=env, check=False)
    if result.returncode == 5:
        sys.exit("pytest collected no tests; that is a failure here")
    sys.exit(result.returncode)


@task(
    help={
        "conf": "settings file (EVENTS_PUBLISH_* settings name the bucket and the distribution)",
        "output": "the built site to publish",
        "dry_run": "print what would be uploaded, deleted and invalidated, and change nothing",
        "force": "publish even when the build lost most of the live site's upcoming events",
        "log_format": "text (default) or json",
    }
)
def publish(c, conf="publishconf.py", output=str(OUTPUT), dry_run=False, force=False, log_format="text"):
    """Sync output/ to S3 (changed files only), then invalidate the changed paths on CloudFront."""
    _logging(log_format)
    from events.run.publish_site import publish_command

    _finish(publish_command(_settings(conf), Path(output), dry_run, force))


@task(
    iterable=["files"],
    help={"files": "group files to preview (repeat --files for each)", "count": "events shown per group"},
)
def preview(c, files=None, conf="pelicanconf.py", count=5):
    """Fetch each given group's feed and print its next events; writes nothing (for pull requests)."""
    _logging()
    from events.run.preview import preview_command

    _finish(preview_command(_settings(conf), [Path(f) for f in files or ()], int(count)))


@task(
    help={
        "repo": "GitHub repository allowed to deploy, as owner/name",
        "stack": "CloudFormation stack name",
        "branch": "branch whose workflow runs may deploy",
        "table": "DynamoDB table name",
        "oidc_provider_arn": "reuse the account's GitHub OIDC provider instead of creating one",
        "domain": "the site's own domain name (needs --certificate-arn)",
        "certificate_arn": "ACM certificate for --domain, in us-east-1",
    }
)
def deploy_infra(
    c, repo, stack="dctech-events", branch="main", table="dctech-events", oidc_provider_arn="", domain="", certificate_arn=""
):
    """Create or update the AWS resources of infra/site.yaml; prints the repository variables to set."""
    _logging()
    from events.run.infra import deploy_infra_command

    template = ROOT / "infra" / "site.yaml"
    _finish(deploy_infra_command(template, repo, stack, branch, table, oidc_provider_arn, domain, certificate_arn))


@task(
    help={
        "conf": "settings file (default publishconf.py)",
        "output": "output folder",
        "log_format": "text (default) or json",
        "publish_site": "publish to S3/CloudFront (--no-publish-site to stop after the build)",
        "force": "publish even when the guard refuses",
    }
)
def nightly(c, conf="publishconf.py", output=str(OUTPUT), log_format="text", publish_site=True, force=False):
    """The whole nightly run: collect -> build -> publish, one exit status, a JSON run summary."""
    _logging(log_format)
    from events.run.nightly import nightly_command

    _finish(nightly_command(ROOT, conf, Path(output), publish_site, force))


@task(help={"conf": "settings file whose EVENTS_DYNAMODB_TABLE names the table (publishconf.py in production)"})
def create_table(c, conf="publishconf.py"):
    """Create the DynamoDB events table if missing, wait until ACTIVE, turn TTL on (safe to run again)."""
    _logging()
    from events.run.infra import create_table_command

    _finish(create_table_command(_settings(conf).dynamodb_table))
