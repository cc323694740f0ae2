"""A sync stopped midway and run again ends exactly where one uninterrupted run ends."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import pytest
from storedata import DAY1, snapshot, spec

from events.models import StoredEvent
from events.store.base import unique_writes

BATCH = 25


class Interrupted(Exception):
    """Stands for a crash, a killed runner or a lost connection."""


class StopAfterBatches:
    """Passes writes to a real SQLite store in batches of 25, puts first, and fails after `limit` requests (batches or group states)."""

    def __init__(self, store: Any, limit: int) -> None:
        self._store = store
        self._left = limit
        self.stats = store.stats

    def write(self, puts: Sequence[StoredEvent], deletes: Sequence[tuple[str, str]]) -> None:
        by_key, gone = unique_writes(puts, deletes)
        steps: list[tuple[list[StoredEvent], list[tuple[str, str]]]] = [([s], []) for s in by_key.values()]
        steps += [([], [key]) for key in gone]
        for offset in range(0, len(steps), BATCH):
            if self._left == 0:
                raise Interrupted()
            chunk = steps[offset : offset + BATCH]
            self._store.write([p for s in chunk for p in s[0]], [d for s in chunk for d in s[1]])
            self._left -= 1

    def put_group_state(self, state: Any) -> None:
        if self._left == 0:
            raise Interrupted()
        self._store.put_group_state(state)
        self._left -= 1

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


def stop_after_batches(store: Any, limit: int) -> Any:
    """The store, made to fail once `limit` write batches went through.

    DynamoDB: a botocore `before-call` hook raises inside the real store's
    own batching, so the failure lands between real BatchWriteItem calls.
    """
    client = getattr(store, "client", None)
    if client is None:
        return StopAfterBatches(store, limit)
    left = [limit]

    def before_call(model: Any, **kwargs: Any) -> None:
        if model.name in ("BatchWriteItem", "PutItem"):
            if left[0] == 0:
                raise Interrupted()
            left[0] -= 1

    client.meta.events.register("before-call.dynamodb", before_call)
    return store


def day_two_feeds() -> dict[str, list[dict[str, Any]]]:
    """Day 2 moves, renames, drops and adds events in both groups, so its writes span several batches of puts and deletes."""
    base = DAY1 + timedelta(days=5)
    alpha = [spec(f"a{n}", base + timedelta(hours=n)) for n in range(40)]
    beta = [spec(f"b{n}", base + timedelta(hours=n, minutes=30)) for n in range(30)]
    alpha2 = [
        spec(f"a{n}", base + timedelta(hours=n, minutes=15), title=f"Moved {n}") if n < 20 else spec(f"a{n}", base + timedelta(hours=n))
        for n in range(40)
        if n % 8 != 7
    ] + [spec(f"new{n}", base + timedelta(days=2, hours=n)) for n in range(6)]
    beta2 = [spec(f"b{n}", base + timedelta(hours=n, minutes=30), title=f"Renamed {n}") for n in range(30)]
    return {"day1-alpha": alpha, "day1-beta": beta, "day2-alpha": alpha2, "day2-beta": beta2}


def day_one_in_both(open_test_store, feeds):
    """A reference store that ran days 1 and 2 whole, and a store that ran day 1; day 2's feeds published."""
    plan = day_two_feeds()
    day2 = DAY1 + timedelta(days=1)
    reference = open_test_store(name="reference")
    store = open_test_store()
    for target in (reference, store):
        feeds.publish("alpha", plan["day1-alpha"])
        feeds.publish("beta", plan["day1-beta"])
        feeds.collect(target, DAY1)
    feeds.publish("alpha", plan["day2-alpha"])
    feeds.publish("beta", plan["day2-beta"])
    feeds.collect(reference, day2)
    return plan, day2, reference, store


@pytest.mark.parametrize("batches", [0, 1, 3, 5])
def test_interrupted_sync_run_again_ends_as_one_run(open_test_store, feeds, batches):
    plan, day2, reference, store = day_one_in_both(open_test_store, feeds)

    with pytest.raises(Interrupted):
        feeds.collect(stop_after_batches(store, batches), day2)
    assert snapshot(store) != snapshot(reference)
    again = open_test_store()
    feeds.collect(again, day2)
    assert snapshot(again) == snapshot(reference)
    moved = [s for s in again.group_events("alpha") if s.event.title.startswith("Moved")]
    expected = [s for s in plan["day2-alpha"] if s.get("title", "").startswith("Moved")]
    assert len(moved) == len(expected) > 0 and all(s.sequence == 1 for s in moved)


def test_interrupted_twice_then_finished(open_test_store, feeds):
    _plan, day2, reference, _store = day_one_in_both(open_test_store, feeds)
    for limit in (1, 2):
        with pytest.raises(Interrupted):
            feeds.collect(stop_after_batches(open_test_store(), limit), day2)
    feeds.collect(open_test_store(), day2)
    assert snapshot(open_test_store()) == snapshot(reference)


def test_dynamodb_local_killed_midway_then_run_again(tmp_path, feeds, dynamodb_table):
    """A real crash: DynamoDB Local, keeping its data on disk, is killed between two batches, then restarted."""
    import boto3
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError
    from dynamodb_local import DynamoDBLocal, find_jar_dir

    from events.store.dynamodb import DynamoDBStore, create_table

    def client_for(server: DynamoDBLocal) -> Any:
        # One try, short timeouts: a dead server should fail the run at once, not after botocore's retries.
        config = Config(retries={"mode": "standard", "max_attempts": 1}, connect_timeout=2, read_timeout=10)
        return boto3.client("dynamodb", endpoint_url=server.endpoint, config=config)

    plan = day_two_feeds()
    day2 = DAY1 + timedelta(days=1)
    reference = DynamoDBStore(dynamodb_table)
    feeds.publish("alpha", plan["day1-alpha"])
    feeds.publish("beta", plan["day1-beta"])
    feeds.collect(reference, DAY1)

    jar_dir, db_path = find_jar_dir(), tmp_path / "dynamodb-files"
    db_path.mkdir()
    crashing = DynamoDBLocal(jar_dir, tmp_path / "first.log", db_path)
    with crashing:
        create_table("events", client_for(crashing))
        store = DynamoDBStore("events", client=client_for(crashing))
        feeds.collect(store, DAY1)
        assert snapshot(store) == snapshot(reference)
        feeds.publish("alpha", plan["day2-alpha"])
        feeds.publish("beta", plan["day2-beta"])
        batches = [0]

        def kill_on_third_batch(model: Any, **kwargs: Any) -> None:
            if model.name == "BatchWriteItem":
                batches[0] += 1
                if batches[0] == 3:
                    crashing.kill()

        store.client.meta.events.register("before-call.dynamodb", kill_on_third_batch)
        with pytest.raises(BotoCoreError):
            feeds.collect(store, day2)
    feeds.collect(reference, day2)

    with DynamoDBLocal(jar_dir, tmp_path / "second.log", db_path) as restarted:
        store = DynamoDBStore("events", client=client_for(restarted))
        assert snapshot(store) != snapshot(reference)
        feeds.collect(store, day2)
        assert snapshot(store) == snapshot(reference)
