"""Project tasks, in the style `pelican-quickstart` users know.

    invoke nightly    collect -> build with publishconf.py -> publish, one exit status
    invoke build      collect every group's feed, then generate output/
    invoke collect    collect into the store only
    invoke validate   check group, single-event and overlay files (all, or the ones given)
    invoke serve      serve output/ on http://127.0.0.1:8000
    invoke demo       build a full site from the recorded feeds in tests/data/
    invoke clean      remove output/ (and the store and HTTP cache with --all)
    invoke test       install the test tools and run the whole suite
"""

from __future__ import annotations

import os
import shlex
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


def _logging(log_format: str = "text") -> None:
    from events.logsetup import configure_logging

    configure_logging(log_format)


def _events_settings(conf: str):
    from pelican.settings import read_settings

    from events.settings import EventsSettings

    settings = read_settings(str(ROOT / conf))
    return EventsSettings.from_mapping(settings, ROOT)


def _pelican(conf: str, output: Path, env: dict[str, str] | None = None) -> None:
    command = [sys.executable, "-m", "pelican", str(ROOT / "content"), "-s", str(ROOT / conf), "-o", str(output)]
    subprocess.run(command, check=True, cwd=ROOT, env={**os.environ, **(env or {})})


@task(help={"conf": "settings file (pelicanconf.py or publishconf.py)", "log_format": "text (default) or json"})
def collect(c, conf="pelicanconf.py", log_format="text"):
    """Collect every active group's calendar into the store."""
    _logging(log_format)
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


@task(
    iterable=["files"],
    help={"files": "a file to check (repeatable); or list files after --, as in: invoke validate -- _groups/a.yaml"},
)
def validate(c, files=None, conf="pelicanconf.py"):
    """Check group, single-event and overlay files; one line per problem, non-zero exit when any is wrong.

    With no files, checks all of _groups/, _single_events/ and _overlays/.
    """
    from events.runner import validate_all

    given = [*(files or ()), *shlex.split(getattr(c, "remainder", "") or "")]
    checked = validate_all(_events_settings(conf), [Path(f) for f in given])
    for problem in checked.problems:
        print(problem)
    if checked.problems:
        sys.exit(f"{len(checked.problems)} problem(s) found")
    print(checked.summary())


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
    from events.publish import PublishError, PublishOptions
    from events.publish import publish as publish_site
    from events.publish.remote import make_clients

    options = PublishOptions.from_settings(_events_settings(conf), dry_run=dry_run, force=force)
    s3, cloudfront = make_clients()
    try:
        report = publish_site(Path(output), options, s3, cloudfront)
    except PublishError as error:
        sys.exit(f"publish failed: {error}")
    if dry_run:
        for line in report.details():
            print(line)
    print(report.summary())


@task(
    iterable=["files"],
    help={"files": "group files to preview (repeat --files for each)", "count": "events shown per group"},
)
def preview(c, files=None, conf="pelicanconf.py", count=5):
    """Fetch each given group's feed and print its next events; writes nothing (for pull requests)."""
    _logging()
    from events.preview import format_preview, preview_groups
    from events.runner import validate_files
    from events.fetch import Fetcher

    settings = _events_settings(conf)
    if not files:
        sys.exit("name the group files to preview: invoke preview --files _groups/NAME.yaml")
    loaded = validate_files(settings, [Path(f) for f in files])
    for problem in loaded.problems:
        print(problem)
    fetcher = Fetcher(
        None,  # an in-memory HTTP cache: a preview leaves nothing behind
        timeout=settings.fetch_timeout,
        retries=settings.fetch_retries,
        max_bytes=settings.fetch_max_bytes,
        user_agent=settings.user_agent,
    )
    now = settings.clock.now()
    try:
        previews = preview_groups(settings, loaded.groups, fetcher, now)
    finally:
        fetcher.close()
    for group_preview in previews:
        for line in format_preview(group_preview, now, settings.timezone, int(count)):
            print(line)
    failed = [p for p in previews if not p.ok]
    if loaded.problems or failed:
        sys.exit(f"{len(loaded.problems)} problem(s) in group files, {len(failed)} feed(s) failed")


def _aws_setup_problem(error: Exception) -> str:
    """One line for a missing region, an unreachable endpoint or missing credentials, instead of botocore's traceback."""
    from botocore.exceptions import (
        ConnectTimeoutError,
        EndpointConnectionError,
        NoCredentialsError,
        NoRegionError,
        PartialCredentialsError,
    )

    if isinstance(error, NoRegionError):
        return (
            "no AWS region: set AWS_DEFAULT_REGION (for example AWS_DEFAULT_REGION=us-east-1) or a region in your "
            "AWS profile; boto3 does not read AWS_REGION"
        )
    if isinstance(error, (EndpointConnectionError, ConnectTimeoutError)):
        endpoint = error.kwargs.get("endpoint_url", "the AWS endpoint")
        return f"cannot reach {endpoint}: check the network, or that the server an AWS_ENDPOINT_URL_* names is running"
    if isinstance(error, (NoCredentialsError, PartialCredentialsError)):
        return "no AWS credentials: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
    return f"AWS: {error}"


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
    import boto3
    from botocore.exceptions import BotoCoreError

    from events.publish.stack import StackError, deploy_stack, repository_variables, stack_parameters

    try:
        parameters = stack_parameters(repo, branch, table, oidc_provider_arn, domain, certificate_arn)
    except ValueError as error:
        sys.exit(str(error))
    try:
        client = boto3.client("cloudformation")
        outputs = deploy_stack(client, stack, (ROOT / "infra" / "site.yaml").read_text(), parameters)
    except StackError as error:
        sys.exit(str(error))
    except BotoCoreError as error:
        sys.exit(_aws_setup_problem(error))
    print(f"Stack {stack} is ready; the site is served at https://{outputs.get('DistributionDomainName', '?')}/")
    print("Set these GitHub repository variables (Settings > Secrets and variables > Actions > Variables):")
    for name, value in repository_variables(outputs, client.meta.region_name).items():
        print(f"  {name}={value}")


def _generate_in_process(conf: str, output: Path) -> Path:
    """Pelican in this process (so its logs use our format), generating from the store only."""
    from pelican import Pelican
    from pelican.settings import read_settings

    settings = read_settings(
        str(ROOT / conf), override={"PATH": str(ROOT / "content"), "OUTPUT_PATH": str(output), "EVENTS_COLLECT": False}
    )
    Pelican(settings).run()
    return output


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
    from events.nightly import NightlyRun, write_summary
    from events.publish import PublishOptions
    from events.publish import publish as publish_to_bucket
    from events.publish.remote import make_clients
    from events.runner import run_collection

    settings = _events_settings(conf)

    def publish_stage(built: Path) -> dict[str, object]:
        s3, cloudfront = make_clients()
        report = publish_to_bucket(built, PublishOptions.from_settings(settings, force=force), s3, cloudfront)
        return {
            "uploaded": len(report.uploaded),
            "deleted": len(report.deleted),
            "unchanged": report.unchanged,
            "bytes_uploaded": report.bytes_uploaded,
            "invalidated_paths": len(report.invalidated),
            "invalidations": len(report.invalidation_ids),
        }

    run = NightlyRun(
        settings.clock,
        collect=lambda: run_collection(settings),
        generate=lambda: _generate_in_process(conf, Path(output)),
        publish=publish_stage if publish_site else None,
        max_failed_share=settings.nightly_max_failed_share,
    )
    result = run.run()
    write_summary(settings.run_summary, result.summary)
    print(f"run summary: {settings.run_summary}")
    if not result.ok:
        sys.exit("nightly run failed: " + "; ".join(result.reasons))


@task(help={"conf": "settings file whose EVENTS_DYNAMODB_TABLE names the table (publishconf.py in production)"})
def create_table(c, conf="publishconf.py"):
    """Create the DynamoDB events table if missing, wait until ACTIVE, turn TTL on (safe to run again)."""
    _logging()
    from botocore.exceptions import BotoCoreError

    from events.store.dynamodb import create_table as create

    table = _events_settings(conf).dynamodb_table
    try:
        created = create(table)
    except BotoCoreError as error:
        sys.exit(_aws_setup_problem(error))
    print(f"DynamoDB table {table}: {'created' if created else 'already there'}, ACTIVE, TTL on 'ttl'")
