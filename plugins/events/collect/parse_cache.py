"""Parsed documents kept between runs: an unchanged feed is not parsed and expanded again.

A source adapter is a pure function of the document's bytes and the
request (window, time zone, budgets, settings), so its result can be reused
whenever both are the same: any night of the same week (documents are
parsed over the week-stable `parse_window`), a feed answered 304, or one
that sends the same bytes. The
key is a SHA-256 of the adapter's name, the code's version, the request and
the bytes, and the code is part of the key too (a digest of the adapters'
source files), so an upgrade never reuses an older parse. Entries not used for
`KEEP_DAYS` are dropped.

Results of the ical adapter whose expansion was cut by the wall-clock
guard are never kept: they depend on the machine's speed, and the next
run should try again.
"""

from __future__ import annotations

import hashlib
import pickle
import sqlite3
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from events.collect.sources.base import ParseRequest, ParseResult

__all__ = ["KEEP_DAYS", "ParseCache"]

KEEP_DAYS = 3
_FORMAT = 1


class ParseCache:
    """One SQLite file of parse results by key; `None` folder keeps nothing (every document is parsed)."""

    def __init__(self, path: Path | None, now: datetime) -> None:
        self._now = now
        self._code = _code_digest()
        self._db: sqlite3.Connection | None = None
        self.hits = 0
        self.misses = 0
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, check_same_thread=False)
            self._db.execute("CREATE TABLE IF NOT EXISTS parsed (key TEXT PRIMARY KEY, result BLOB NOT NULL, used TEXT NOT NULL)")
        except sqlite3.Error:
            self._db = None  # an unusable cache file costs time, never a result

    def parse(self, kind: str, content: bytes, request: ParseRequest, parse: Callable[[bytes, ParseRequest], ParseResult]) -> ParseResult:
        """`parse(content, request)`, or the result kept from an earlier run with the same inputs."""
        key = _key(self._code, kind, content, request)
        kept = self._read(key)
        if kept is not None:
            self.hits += 1
            return kept
        self.misses += 1
        result = parse(content, request)
        if not any("took longer than" in w for w in result.warnings):
            self._write(key, result)
        return result

    def close(self) -> None:
        """Drop entries unused for KEEP_DAYS, then close."""
        if self._db is None:
            return
        try:
            with self._db:
                self._db.execute("DELETE FROM parsed WHERE used < ?", ((self._now - timedelta(days=KEEP_DAYS)).isoformat(),))
        except sqlite3.Error:
            pass
        self._db.close()
        self._db = None

    def _read(self, key: str) -> ParseResult | None:
        if self._db is None:
            return None
        try:
            row = self._db.execute("SELECT result FROM parsed WHERE key = ?", (key,)).fetchone()
            if row is None:
                return None
            result = pickle.loads(row[0])
            with self._db:
                self._db.execute("UPDATE parsed SET used = ? WHERE key = ?", (self._now.isoformat(), key))
        except (sqlite3.Error, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
            return None
        return result if isinstance(result, ParseResult) else None

    def _write(self, key: str, result: ParseResult) -> None:
        if self._db is None:
            return
        try:
            with self._db:
                self._db.execute(
                    "INSERT OR REPLACE INTO parsed (key, result, used) VALUES (?, ?, ?)",
                    (key, pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL), self._now.isoformat()),
                )
        except (sqlite3.Error, pickle.PicklingError, TypeError):
            pass


def _code_digest() -> str:
    """The adapters' code and the records they build: a parse is reused only by the code that made it."""
    package = Path(__file__).resolve().parent
    hasher = hashlib.sha256()
    for path in sorted([*(package / "sources").glob("*.py"), package.parent / "models.py", package.parent / "collect" / "deadline.py"]):
        hasher.update(path.name.encode() + b"\0" + path.read_bytes())
    return hasher.hexdigest()


def _key(code: str, kind: str, content: bytes, request: ParseRequest) -> str:
    hasher = hashlib.sha256(f"{_FORMAT}\0{code}\0{kind}\0".encode())
    hasher.update(repr(request).encode())
    hasher.update(b"\0")
    hasher.update(content)
    return hasher.hexdigest()
