"""The embedded store: one SQLite file, the default for local builds."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from events.models import GroupState, StoredEvent
from events.store.base import StoreStats, check_writable, from_item, state_from_item, state_to_item, to_item, unique_writes

__all__ = ["SQLiteStore"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    event_id TEXT NOT NULL,
    start_datetime TEXT NOT NULL,
    start_utc TEXT NOT NULL,
    group_id TEXT NOT NULL,
    item TEXT NOT NULL,
    PRIMARY KEY (event_id, start_datetime)
);
CREATE INDEX IF NOT EXISTS events_by_start ON events (start_utc);
CREATE INDEX IF NOT EXISTS events_by_group ON events (group_id, start_utc);
CREATE TABLE IF NOT EXISTS group_states (
    group_id TEXT PRIMARY KEY,
    item TEXT NOT NULL
);
"""


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class SQLiteStore:
    """Keeps the same items as the DynamoDB table, as JSON in one SQLite file."""

    def __init__(self, path: Path, archive_days: int = 365) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path))
        # One transaction per group: with the default rollback journal each
        # commit costs several fsyncs, which dominated a 1,000-group sync.
        # WAL with NORMAL sync stays consistent after a crash of the process.
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        self._archive_days = archive_days
        self.stats = StoreStats()

    def group_events(self, group_id: str) -> list[StoredEvent]:
        rows = self._db.execute(
            "SELECT item FROM events WHERE group_id = ? ORDER BY start_utc, event_id", (group_id,)
        ).fetchall()
        self.stats.items_read += len(rows)
        return [from_item(json.loads(row[0])) for row in rows]

    def window(self, start: datetime, end: datetime) -> list[StoredEvent]:
        rows = self._db.execute(
            "SELECT item FROM events WHERE start_utc >= ? AND start_utc < ? ORDER BY start_utc, event_id",
            (_utc(start), _utc(end)),
        ).fetchall()
        self.stats.items_read += len(rows)
        return [from_item(json.loads(row[0])) for row in rows]

    def write(self, puts: Sequence[StoredEvent], deletes: Sequence[tuple[str, str]]) -> None:
        for stored in puts:
            check_writable(stored)
        by_key, gone = unique_writes(puts, deletes)
        with self._db:
            self._db.executemany("DELETE FROM events WHERE event_id = ? AND start_datetime = ?", gone)
            self._db.executemany(
                "INSERT OR REPLACE INTO events VALUES (?, ?, ?, ?, ?)",
                [
                    (
                        event_id,
                        start,
                        _utc(s.event.start),
                        s.event.group_id,
                        json.dumps(to_item(s, self._archive_days), sort_keys=True, ensure_ascii=False),
                    )
                    for (event_id, start), s in by_key.items()
                ],
            )
        self.stats.items_written += len(by_key)
        self.stats.items_deleted += len(gone)

    def group_states(self) -> dict[str, GroupState]:
        rows = self._db.execute("SELECT item FROM group_states").fetchall()
        states = [state_from_item(json.loads(row[0])) for row in rows]
        return {s.group_id: s for s in states}

    def put_group_state(self, state: GroupState) -> None:
        with self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO group_states VALUES (?, ?)",
                (state.group_id, json.dumps(state_to_item(state), sort_keys=True)),
            )
        self.stats.state_writes += 1

    def close(self) -> None:
        self._db.close()
