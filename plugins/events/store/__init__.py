"""Stores: where collected events live between runs."""

from __future__ import annotations

from events.settings import EventsSettings
from events.store.base import Store, StoreStats

__all__ = ["Store", "StoreStats", "open_store"]


def open_store(settings: EventsSettings) -> Store:
    """The store the settings name: SQLite by default, DynamoDB in production."""
    if settings.store == "dynamodb":
        from events.store.dynamodb import DynamoDBStore

        return DynamoDBStore(settings.dynamodb_table, archive_days=settings.archive_days)
    from events.store.sqlite import SQLiteStore

    return SQLiteStore(settings.sqlite_path, archive_days=settings.archive_days)
