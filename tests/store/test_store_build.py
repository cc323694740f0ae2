"""The same site, byte for byte, from either store; `invoke create-table` against DynamoDB Local."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import boto3
from conftest import DATA, ROOT, build_site
from feedserver import FeedServer, write_demo_groups


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_demo_site_is_byte_identical_from_sqlite_and_dynamodb(tmp_path, dynamodb_table):
    with FeedServer(DATA / "demo" / "feeds") as server:
        groups = write_demo_groups(DATA / "demo" / "groups", tmp_path / "_groups", server.base_url)
        from_sqlite = build_site(tmp_path / "sqlite", groups, extra_env={"EVENTS_STORE": "sqlite"})
        from_dynamodb = build_site(
            tmp_path / "dynamodb", groups, extra_env={"EVENTS_STORE": "dynamodb", "EVENTS_DYNAMODB_TABLE": dynamodb_table}
        )
    sqlite_files, dynamodb_files = files(from_sqlite), files(from_dynamodb)
    assert any(name.endswith(".ics") for name in sqlite_files) and len(sqlite_files) > 10
    assert json.loads(dynamodb_files["api/events.json"])["count"] > 0
    assert sorted(sqlite_files) == sorted(dynamodb_files)
    different = [name for name in sqlite_files if sqlite_files[name] != dynamodb_files[name]]
    assert different == []
    assert not (tmp_path / "dynamodb" / "cache" / "events.sqlite3").exists()
    count = boto3.client("dynamodb").query(
        TableName=dynamodb_table,
        IndexName="LocationTypeIndex",
        KeyConditionExpression="location_type = :t",
        ExpressionAttributeValues={":t": {"S": "in_person"}},
        Select="COUNT",
    )["Count"]
    assert count > 0


def test_invoke_create_table_is_idempotent(dynamodb_table):
    table = dynamodb_table + "-task"
    command = [sys.executable, "-m", "invoke", "create-table"]
    env = {**os.environ, "EVENTS_DYNAMODB_TABLE": table}
    first = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    assert "created" in first.stdout
    second = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert second.returncode == 0 and "already there" in second.stdout
    client = boto3.client("dynamodb")
    assert client.describe_table(TableName=table)["Table"]["TableStatus"] == "ACTIVE"
    assert client.describe_time_to_live(TableName=table)["TimeToLiveDescription"]["AttributeName"] == "ttl"

