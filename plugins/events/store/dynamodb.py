"""The production store: one DynamoDB table, laid out as DESIGN.md gives it.

Events are the flat items of `base.to_item`, keyed by `event_id` (HASH) and
`start_datetime` (RANGE, ISO 8601 with the event's own UTC offset). Three
global secondary indexes, all projecting every attribute:

- `DateIndex` (`state`, `start_datetime`): per-state reads;
- `GroupIndex` (`group_id`, `start_datetime`): what collection reads per group;
- `LocationTypeIndex` (`location_type`, `start_datetime`): what the build reads.

Group states live in the same table under the partition key `#groups` with
the group's slug as sort key. They carry none of the index keys (`state`,
`group_id`, `location_type`), so no index sees them and one strongly
consistent Query reads them all.

Sort keys keep their offsets, so "2026-03-02T09:00:00-05:00" and
"2026-03-02T14:00:00+00:00" are the same instant but different strings. A
range read therefore asks the index for a key range widened by a day on
each side (more than any UTC offset, -12:00 to +14:00) and then keeps the
items whose parsed start lies exactly in the range. The extra items read
are those of two days at most, whatever the size of the table.

Endpoint, region and credentials come from boto3's own configuration
(`AWS_ENDPOINT_URL_DYNAMODB`, `AWS_REGION`, profiles...).
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import boto3
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from events.models import LOCATION_TYPES, GroupState, StoredEvent
from events.store.base import (
    StoreError,
    StoreStats,
    check_writable,
    from_item,
    sort_key,
    state_from_item,
    state_to_item,
    to_item,
    unique_writes,
)

__all__ = ["BATCH_SIZE", "GROUP_STATES_KEY", "DynamoDBStore", "create_table", "table_definition"]

log = logging.getLogger(__name__)

BATCH_SIZE = 25  # the most BatchWriteItem accepts in one request
GROUP_STATES_KEY = "#groups"
_WIDEN = timedelta(days=1)
_THROTTLED = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "InternalServerError",
        "ServiceUnavailable",
    }
)
_INDEXES = {
    "DateIndex": "state",
    "GroupIndex": "group_id",
    "LocationTypeIndex": "location_type",
}


def table_definition(table_name: str) -> dict[str, Any]:
    """CreateTable arguments for the events table (on-demand billing)."""
    return {
        "TableName": table_name,
        "BillingMode": "PAY_PER_REQUEST",
        "KeySchema": [
            {"AttributeName": "event_id", "KeyType": "HASH"},
            {"AttributeName": "start_datetime", "KeyType": "RANGE"},
        ],
        "AttributeDefinitions": [
            {"AttributeName": name, "AttributeType": "S"}
            for name in ("event_id", "start_datetime", *_INDEXES.values())
        ],
        "GlobalSecondaryIndexes": [
            {
                "IndexName": index,
                "KeySchema": [
                    {"AttributeName": partition, "KeyType": "HASH"},
                    {"AttributeName": "start_datetime", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
            for index, partition in _INDEXES.items()
        ],
    }


def create_table(table_name: str, client: Any = None, wait_seconds: int = 300) -> bool:
    """Create the table unless it exists, wait until it is ACTIVE and make sure TTL is on.

    Returns True when it created the table. An existing table with other
    keys or indexes is an error rather than something to paper over.
    """
    client = client or boto3.client("dynamodb")
    created = False
    try:
        description = client.describe_table(TableName=table_name)["Table"]
        _check_layout(description)
    except ClientError as error:
        if _code(error) != "ResourceNotFoundException":
            raise
        try:
            client.create_table(**table_definition(table_name))
            created = True
            log.info("created DynamoDB table %s", table_name)
        except ClientError as race:
            # Another run created it between our describe and create.
            if _code(race) != "ResourceInUseException":
                raise
    client.get_waiter("table_exists").wait(
        TableName=table_name, WaiterConfig={"Delay": 2, "MaxAttempts": max(1, wait_seconds // 2)}
    )
    ttl = client.describe_time_to_live(TableName=table_name)["TimeToLiveDescription"]
    if ttl.get("TimeToLiveStatus") not in ("ENABLED", "ENABLING"):
        client.update_time_to_live(
            TableName=table_name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "ttl"}
        )
        log.info("enabled TTL on %s.ttl", table_name)
    elif ttl.get("AttributeName") != "ttl":
        raise StoreError(f"table {table_name}: TTL is on attribute {ttl.get('AttributeName')!r}, expected 'ttl'")
    return created


def _check_layout(description: dict[str, Any]) -> None:
    expected = table_definition(description["TableName"])
    keys = [(k["AttributeName"], k["KeyType"]) for k in description["KeySchema"]]
    want_keys = [(k["AttributeName"], k["KeyType"]) for k in expected["KeySchema"]]
    indexes = {
        i["IndexName"]: [(k["AttributeName"], k["KeyType"]) for k in i["KeySchema"]]
        for i in description.get("GlobalSecondaryIndexes", [])
    }
    want_indexes = {
        i["IndexName"]: [(k["AttributeName"], k["KeyType"]) for k in i["KeySchema"]]
        for i in expected["GlobalSecondaryIndexes"]
    }
    if keys != want_keys or any(indexes.get(name) != schema for name, schema in want_indexes.items()):
        raise StoreError(
            f"table {description['TableName']} exists with keys {keys} and indexes {indexes}; "
            f"expected keys {want_keys} and indexes {want_indexes}"
        )


class DynamoDBStore:
    """The Store protocol over one DynamoDB table.

    `sleep` is injected so tests of backoff need not wait; `client` lets a
    caller share or instrument a boto3 client.

    Index reads are eventually consistent (DynamoDB offers nothing else on
    a global secondary index). Nightly runs are a day apart, far beyond the
    usual sub-second lag; a rerun started the instant another ended could
    read a group's events as they were just before.
    """

    def __init__(
        self,
        table_name: str,
        archive_days: int = 365,
        *,
        client: Any = None,
        sleep: Callable[[float], None] = time.sleep,
        max_attempts: int = 10,
    ) -> None:
        self.table_name = table_name
        self.client = client or boto3.client("dynamodb")
        self.stats = StoreStats()
        self._archive_days = archive_days
        self._sleep = sleep
        self._max_attempts = max_attempts
        self._random = random.Random()
        self._serialize = TypeSerializer().serialize
        self._deserialize = TypeDeserializer().deserialize

    # Reads

    def group_events(self, group_id: str) -> list[StoredEvent]:
        items = self._query(
            IndexName="GroupIndex",
            KeyConditionExpression="group_id = :g",
            ExpressionAttributeValues={":g": {"S": group_id}},
        )
        return sorted((from_item(item) for item in items), key=sort_key)

    def window(self, start: datetime, end: datetime) -> list[StoredEvent]:
        # Every event item has exactly one location_type of LOCATION_TYPES
        # (check_writable enforces it), so one Query per type finds each once.
        low, high = _key_text(start - _WIDEN), _key_text(end + _WIDEN)
        found: list[StoredEvent] = []
        for location_type in LOCATION_TYPES:
            items = self._query(
                IndexName="LocationTypeIndex",
                KeyConditionExpression="location_type = :t AND start_datetime BETWEEN :low AND :high",
                ExpressionAttributeValues={":t": {"S": location_type}, ":low": {"S": low}, ":high": {"S": high}},
            )
            found.extend(s for s in map(from_item, items) if start <= s.start < end)
        return sorted(found, key=sort_key)

    def group_states(self) -> dict[str, GroupState]:
        items = self._query(
            KeyConditionExpression="event_id = :k",
            ExpressionAttributeValues={":k": {"S": GROUP_STATES_KEY}},
            ConsistentRead=True,
        )
        states = [state_from_item({**item, "group_id": item["start_datetime"]}) for item in items]
        return {s.group_id: s for s in states}

    def _query(self, **arguments: Any) -> Iterator[dict[str, Any]]:
        paginator = self.client.get_paginator("query")
        try:
            for page in paginator.paginate(TableName=self.table_name, ReturnConsumedCapacity="TOTAL", **arguments):
                self.stats.requests += 1
                self.stats.items_read += len(page["Items"])
                self.stats.read_units += _units(page.get("ConsumedCapacity"))
                for raw in page["Items"]:
                    yield {key: self._deserialize(value) for key, value in raw.items()}
        except ClientError as error:
            raise self._explain(error) from error

    # Writes

    def write(self, puts: Sequence[StoredEvent], deletes: Sequence[tuple[str, str]]) -> None:
        """Puts first, then deletes, each key once, in batches of 25.

        Puts go first so that a run interrupted between batches never has
        deleted the old copy of a moved event before writing the new one;
        the next run sees both copies and removes the stale one.
        """
        for stored in puts:
            check_writable(stored)
        by_key, gone = unique_writes(puts, deletes)
        pending = [
            {"PutRequest": {"Item": self._dynamo_item(to_item(stored, self._archive_days))}} for stored in by_key.values()
        ]
        pending += [
            {"DeleteRequest": {"Key": {"event_id": {"S": event_id}, "start_datetime": {"S": start}}}}
            for event_id, start in gone
        ]
        for offset in range(0, len(pending), BATCH_SIZE):
            self._batch_write(pending[offset : offset + BATCH_SIZE])
        self.stats.items_written += len(by_key)
        self.stats.items_deleted += len(gone)

    def _dynamo_item(self, item: dict[str, Any]) -> dict[str, Any]:
        return {key: self._serialize(_numbers(value)) for key, value in item.items()}

    def _batch_write(self, batch: list[dict[str, Any]]) -> None:
        attempt = 0
        while batch:
            self.stats.requests += 1
            self.stats.items_sent += len(batch)
            try:
                response = self.client.batch_write_item(
                    RequestItems={self.table_name: batch}, ReturnConsumedCapacity="TOTAL"
                )
            except ClientError as error:
                if _code(error) not in _THROTTLED:
                    raise self._explain(error) from error
                log.info("DynamoDB throttled a batch of %d (%s); backing off", len(batch), _code(error))
            else:
                self.stats.write_units += sum(_units(c) for c in response.get("ConsumedCapacity", []))
                batch = response.get("UnprocessedItems", {}).get(self.table_name, [])
                if not batch:
                    return
                log.info("DynamoDB left %d items unprocessed; backing off", len(batch))
            attempt += 1
            if attempt >= self._max_attempts:
                raise StoreError(f"table {self.table_name}: {len(batch)} writes still refused after {attempt} tries")
            self._backoff(attempt)

    def _backoff(self, attempt: int) -> None:
        # Exponential with jitter, as AWS advises for BatchWriteItem retries.
        ceiling = min(10.0, 0.05 * 2**attempt)
        self._sleep(ceiling / 2 + self._random.uniform(0, ceiling / 2))

    def put_group_state(self, state: GroupState) -> None:
        item = {k: v for k, v in state_to_item(state).items() if k != "group_id" and v not in ("", [])}
        item.update(event_id=GROUP_STATES_KEY, start_datetime=state.group_id)
        self.stats.requests += 1
        try:
            response = self.client.put_item(
                TableName=self.table_name, Item=self._dynamo_item(item), ReturnConsumedCapacity="TOTAL"
            )
        except ClientError as error:
            raise self._explain(error) from error
        self.stats.write_units += _units(response.get("ConsumedCapacity"))
        self.stats.state_writes += 1

    def close(self) -> None:
        self.client.close()

    def _explain(self, error: Exception) -> Exception:
        if _code(error) == "ResourceNotFoundException":
            return StoreError(
                f"DynamoDB table {self.table_name!r} not found at {self.client.meta.endpoint_url}; "
                "create it with `invoke create-table`"
            )
        return error


def _key_text(moment: datetime) -> str:
    """A sort-key bound: the UTC wall time with no offset, so it sorts before every key of that second."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


def _numbers(value: Any) -> Any:
    """DynamoDB numbers are Decimals; booleans stay booleans."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return value
    return Decimal(str(value))


def _units(consumed: Any) -> float:
    """Capacity units of one ConsumedCapacity answer (absent: 0)."""
    if not isinstance(consumed, dict):
        return 0.0
    return float(consumed.get("CapacityUnits", 0) or 0)


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))
