"""`invoke nightly` end to end: recorded feeds on 127.0.0.1, SQLite store, SeaweedFS, moto's CloudFront."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from conftest import DATA, DEMO_NOW, ROOT
from feedserver import FeedServer, write_demo_groups
from s3servers import TEST_KEY, TEST_SECRET, MotoServer, SeaweedS3

BUCKET = "nightly"


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    s3 = SeaweedS3(tmp_path_factory.mktemp("seaweed-nightly"), BUCKET)
    cloudfront = MotoServer(tmp_path_factory.mktemp("moto-nightly"))
    s3.start()
    cloudfront.start()
    yield s3, cloudfront
    s3.stop()
    cloudfront.stop()


@pytest.fixture
def site_env(servers, tmp_path):
    s3, cloudfront = servers
    aws = {
        "AWS_ENDPOINT_URL_S3": s3.endpoint,
        "AWS_ENDPOINT_URL_CLOUDFRONT": cloudfront.endpoint,
        "AWS_ACCESS_KEY_ID": TEST_KEY,
        "AWS_SECRET_ACCESS_KEY": TEST_SECRET,
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    cf = boto3.client("cloudfront", endpoint_url=cloudfront.endpoint, region_name="us-east-1",
                      aws_access_key_id=TEST_KEY, aws_secret_access_key=TEST_SECRET)
    distribution = cf.create_distribution(
        DistributionConfig={
            "CallerReference": f"nightly-{tmp_path.name}",
            "Comment": "nightly tests",
            "Enabled": True,
            "Origins": {"Quantity": 1, "Items": [{"Id": "s3", "DomainName": "b.s3.amazonaws.com", "S3OriginConfig": {"OriginAccessIdentity": ""}}]},
            "DefaultCacheBehavior": {"TargetOriginId": "s3", "ViewerProtocolPolicy": "redirect-to-https", "MinTTL": 0,
                                     "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}}, "TrustedSigners": {"Enabled": False, "Quantity": 0}},  # noqa: E501 - one literal, easier to read whole
        }
    )["Distribution"]["Id"]
    return {
        **aws,
        "EVENTS_STORE": "sqlite",
        "EVENTS_CACHE_DIR": str(tmp_path / "cache"),
        "EVENTS_NOW": DEMO_NOW,
        "EVENTS_FETCH_ALLOW_PRIVATE": "true",  # the feeds are served on 127.0.0.1
        "EVENTS_RUN_SUMMARY": str(tmp_path / "summary.json"),
        "EVENTS_PUBLISH_BUCKET": BUCKET,
        "EVENTS_PUBLISH_PREFIX": tmp_path.name,
        "EVENTS_PUBLISH_DISTRIBUTION": distribution,
    }


def nightly(tmp_path: Path, env: dict[str, str], groups: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "invoke", "nightly", "--log-format", "json", "--output", str(tmp_path / "output")],
        cwd=ROOT,
        env={**os.environ, **env, "EVENTS_GROUPS_DIR": str(groups)},
        capture_output=True,
        text=True,
        timeout=300,
    )


def keys(env: dict[str, str]) -> list[str]:
    s3 = boto3.client("s3", endpoint_url=env["AWS_ENDPOINT_URL_S3"], region_name="us-east-1",
                      aws_access_key_id=TEST_KEY, aws_secret_access_key=TEST_SECRET)
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=env["EVENTS_PUBLISH_PREFIX"] + "/")
    return [item["Key"] for page in pages for item in page.get("Contents", [])]


def test_healthy_night_publishes_and_summarizes(tmp_path, site_env):
    with FeedServer(DATA / "demo" / "feeds") as feeds:
        groups = write_demo_groups(DATA / "demo" / "groups", tmp_path / "_groups", feeds.base_url)
        first = nightly(tmp_path, site_env, groups)
        second = nightly(tmp_path, site_env, groups)
    assert first.returncode == 0, first.stderr
    records = [json.loads(line) for line in first.stderr.splitlines() if line.strip()]
    assert {r["stage"] for r in records if "stage" in r} >= {"collect", "generate", "publish"}
    by_group = {r["group"]: r for r in records if "group" in r}
    assert by_group["dc-python"]["counts"]["added"] == 3 and by_group["dc-python"]["counts"]["events"] == 3
    assert by_group["offline-group"]["level"] == "warning" and by_group["offline-group"]["stage"] == "collect"
    summary = json.loads((tmp_path / "summary.json").read_text())
    published = keys(site_env)
    assert f"{site_env['EVENTS_PUBLISH_PREFIX']}/index.html" in published
    assert f"{site_env['EVENTS_PUBLISH_PREFIX']}/events.ics" in published
    # The second night changed nothing: the store wrote nothing new and nothing was uploaded.
    assert second.returncode == 0, second.stderr
    assert summary["ok"] is True and summary["stages"]["publish"]["uploaded"] == 0
    assert summary["stages"]["publish"]["invalidated_paths"] == 0
    assert summary["totals"]["groups_failed"] == 1  # the demo's offline group
    assert summary["totals"]["upcoming"] > 0
    assert {g["group_id"] for g in summary["groups"]} >= {"dc-python", "civic-tech", "novalug", "offline-group"}


def test_nothing_upcoming_publishes_nothing_and_fails(tmp_path, site_env):
    dead = write_demo_groups(DATA / "demo" / "groups", tmp_path / "_groups", "http://127.0.0.1:9")
    result = nightly(tmp_path, {**site_env, "EVENTS_FETCH_RETRIES": "1"}, dead)
    assert result.returncode != 0
    assert "no upcoming events" in result.stderr
    assert keys(site_env) == []
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["ok"] is False and "publish" not in summary["stages"]


def test_too_many_failed_groups_fails_but_keeps_the_site(tmp_path, site_env):
    with FeedServer(DATA / "demo" / "feeds") as feeds:
        groups = write_demo_groups(DATA / "demo" / "groups", tmp_path / "_groups", feeds.base_url)
        assert nightly(tmp_path, site_env, groups).returncode == 0
    dead = write_demo_groups(DATA / "demo" / "groups", tmp_path / "_dead", "http://127.0.0.1:9")
    result = nightly(tmp_path, {**site_env, "EVENTS_FETCH_RETRIES": "1"}, dead)
    assert result.returncode != 0 and "4 of 4 groups failed to collect" in result.stderr
    summary = json.loads((tmp_path / "summary.json").read_text())
    # The store kept every event of the failed groups, so the published site is unchanged, not emptied.
    assert summary["stages"]["publish"]["deleted"] == 0 and summary["totals"]["upcoming"] > 0
