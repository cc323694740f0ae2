"""Stores: where collected events live between runs."""

from __future__ import annotations

from ..settings import EventsSettings
from .base import Store, StoreStats

__all__ = ["open_store", "Store", "StoreStats"]


def open_store(settings: EventsSettings) -> Store:
    """The store the settings name: SQLite by default, DynamoDB in production."""
    if settings.store == "dynamodb":
        from .dynamodb import DynamoDBStore

        return DynamoDBStore(settings.dynamodb_table, archive_days=settings.archive_days)
    from .sqlite import SQLiteStore

    return SQLiteStore(settings.sqlite_path, archive_days=settings.archive_days)
