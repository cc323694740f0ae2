"""What only the DynamoDB store has: the table layout, TTL, retries and the requests it sends (DynamoDB Local)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from factories import make_event, make_stored
from storedata import NY

from events.models import GroupState
from events.store.base import StoreError, ttl_for
from events.store.dynamodb import GROUP_STATES_KEY, DynamoDBStore, create_table

DAY = datetime(2026, 3, 2, 9, 0, tzinfo=NY)


def operations(client: Any) -> list[str]:
    """The DynamoDB operations a client sends, in order, as they leave the process."""
    sent: list[str] = []

    def on_send(request: Any, **kwargs: Any) -> None:
        target = request.headers.get("X-Amz-Target", "")
        sent.append((target.decode() if isinstance(target, bytes) else target).rpartition(".")[2])

    client.meta.events.register("before-send.dynamodb", on_send)
    return sent


def test_table_is_laid_out_as_the_design_says(dynamodb_table):
    client = boto3.client("dynamodb")
    name = dynamodb_table + "-design"
    assert create_table(name, client) is True
    table = client.describe_table(TableName=name)["Table"]
    assert table["TableStatus"] == "ACTIVE"
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert [(k["AttributeName"], k["KeyType"]) for k in table["KeySchema"]] == [
        ("event_id", "HASH"),
        ("start_datetime", "RANGE"),
    ]
    indexes = {
        i["IndexName"]: ([(k["AttributeName"], k["KeyType"]) for k in i["KeySchema"]], i["Projection"]["ProjectionType"])
        for i in table["GlobalSecondaryIndexes"]
    }
    assert indexes == {
        "DateIndex": ([("state", "HASH"), ("start_datetime", "RANGE")], "ALL"),
        "GroupIndex": ([("group_id", "HASH"), ("start_datetime", "RANGE")], "ALL"),
        "LocationTypeIndex": ([("location_type", "HASH"), ("start_datetime", "RANGE")], "ALL"),
    }
    ttl = client.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
    assert ttl["TimeToLiveStatus"] in ("ENABLED", "ENABLING") and ttl["AttributeName"] == "ttl"


def test_create_table_twice_is_harmless(dynamodb_table):
    client = boto3.client("dynamodb")
    sent = operations(client)
    name = dynamodb_table + "-twice"
    assert create_table(name, client) is True
    assert create_table(name, client) is False
    assert sent.count("CreateTable") == 1 and sent.count("UpdateTimeToLive") == 1


def test_create_table_refuses_a_table_with_other_keys(dynamodb_table):
    client = boto3.client("dynamodb")
    other = dynamodb_table + "-other"
    client.create_table(
        TableName=other,
        BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "event_id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "event_id", "AttributeType": "S"}],
    )
    with pytest.raises(StoreError, match="expected keys"):
        create_table(other, client)


def test_a_missing_table_says_how_to_create_it(dynamodb_table):
    store = DynamoDBStore(dynamodb_table + "-missing")
    with pytest.raises(StoreError, match="invoke create-table"):
        store.window(DAY, DAY + timedelta(days=1))
    with pytest.raises(StoreError, match="invoke create-table"):
        store.write([make_stored(make_event("x", DAY), created_at=DAY)], [])


def test_items_carry_ttl_archive_days_after_the_end_and_states_carry_none(dynamodb_table):
    store = DynamoDBStore(dynamodb_table, archive_days=30)
    event = make_stored(make_event("x", DAY), created_at=DAY)
    store.write([event], [])
    store.put_group_state(GroupState("g", DAY, DAY, "ok", "", 1))
    client = boto3.client("dynamodb")
    item = client.get_item(TableName=dynamodb_table, Key={"event_id": {"S": "x"}, "start_datetime": {"S": DAY.isoformat()}})["Item"]
    assert int(item["ttl"]["N"]) == ttl_for(event.event, 30) == int((event.event.end + timedelta(days=30)).timestamp())
    assert item["sequence"] == {"N": "0"} and item["all_day"] == {"BOOL": False}
    state = client.get_item(TableName=dynamodb_table, Key={"event_id": {"S": GROUP_STATES_KEY}, "start_datetime": {"S": "g"}})["Item"]
    assert "ttl" not in state and not {"state", "group_id", "location_type"} & state.keys()


def test_reads_are_queries_never_scans(dynamodb_table):
    store = DynamoDBStore(dynamodb_table)
    store.write([make_stored(make_event(f"e{n}", DAY + timedelta(days=n)), created_at=DAY) for n in range(30)], [])
    sent = operations(store.client)
    assert len(store.window(DAY - timedelta(days=365), DAY + timedelta(days=90))) == 30
    store.group_events("g")
    store.group_states()
    assert set(sent) == {"Query"}


def test_unprocessed_items_are_sent_again(dynamodb_table):
    waits: list[float] = []
    store = DynamoDBStore(dynamodb_table, sleep=waits.append)
    refusals = [2]

    def refuse_some(parsed: dict[str, Any], model: Any, **kwargs: Any) -> None:
        # The items were written, but the service says it left the last five for later:
        # the store must send them again, and writing them twice must change nothing.
        if model.name == "BatchWriteItem" and refusals[0] > 0:
            refusals[0] -= 1
            sent = json.loads(kwargs["context"]["sent_body"])["RequestItems"][dynamodb_table]
            # The JSON body and the parsed response share the wire shape of write requests.
            parsed["UnprocessedItems"] = {dynamodb_table: sent[-5:]}

    def keep_body(params: dict[str, Any], context: dict[str, Any], **kwargs: Any) -> None:
        context["sent_body"] = params["body"]

    store.client.meta.events.register("before-call.dynamodb.BatchWriteItem", keep_body)
    store.client.meta.events.register("after-call.dynamodb.BatchWriteItem", refuse_some)
    events = [make_stored(make_event(f"e{n:02d}", DAY + timedelta(hours=n)), created_at=DAY) for n in range(30)]
    store.write(events, [])
    assert store.window(DAY, DAY + timedelta(days=3)) == events
    assert store.stats.items_written == 30 and store.stats.items_sent == 30 + 5 + 5
    assert store.stats.requests >= 4 and len(waits) == 2 and all(w > 0 for w in waits)


def test_throttled_batches_back_off_and_succeed(dynamodb_table):
    waits: list[float] = []
    store = DynamoDBStore(dynamodb_table, sleep=waits.append)
    throttles = [3]

    def throttle(model: Any, **kwargs: Any) -> Any:
        if model.name == "BatchWriteItem" and throttles[0] > 0:
            throttles[0] -= 1
            response = AWSResponse("http://dynamodb.local/", 400, {}, None)
            error = {"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "slow down"}}
            return response, {**error, "ResponseMetadata": {"HTTPStatusCode": 400}}
        return None

    store.client.meta.events.register("before-call.dynamodb.BatchWriteItem", throttle)
    events = [make_stored(make_event(f"e{n:02d}", DAY + timedelta(hours=n)), created_at=DAY) for n in range(10)]
    store.write(events, [])
    assert store.stats.requests == 3 + 1 and store.stats.items_sent == 4 * 10
    assert store.window(DAY, DAY + timedelta(days=3)) == events
    assert len(waits) == 3 and waits == sorted(waits)  # the backoff grows


def test_gives_up_after_its_tries_with_a_clear_error(dynamodb_table):
    waits: list[float] = []
    store = DynamoDBStore(dynamodb_table, sleep=waits.append, max_attempts=4)

    def throttle(model: Any, **kwargs: Any) -> Any:
        response = AWSResponse("http://dynamodb.local/", 400, {}, None)
        return response, {"Error": {"Code": "ThrottlingException", "Message": "no"}, "ResponseMetadata": {}}

    store.client.meta.events.register("before-call.dynamodb.BatchWriteItem", throttle)
    with pytest.raises(StoreError, match="after 4 tries"):
        store.write([make_stored(make_event("x", DAY), created_at=DAY)], [])
    assert len(waits) == 3


def test_consumed_capacity_is_counted_as_dynamodb_reports_it(dynamodb_table):
    store = DynamoDBStore(dynamodb_table)
    store.write([make_stored(make_event(f"c{n}", DAY + timedelta(days=n)), created_at=DAY) for n in range(10)], [])
    # Each put writes the item and its entries in the indexes: at least one unit each.
    assert store.stats.write_units >= 10
    written = store.stats.write_units
    store.put_group_state(GroupState("g", DAY, DAY, "ok", "", 10))
    assert store.stats.write_units > written
    assert store.stats.read_units == 0
    assert len(store.window(DAY - timedelta(days=1), DAY + timedelta(days=30))) == 10
    assert 0 < store.stats.read_units < 10  # a Query pays per 4 KB read, not per item
