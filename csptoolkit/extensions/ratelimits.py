"""Where sign-in and API throttling counts are kept by default: a SQLite file shared by the app's workers."""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from pathlib import Path

from limits.storage import Storage


class SQLiteStorage(Storage):
    """Rate-limit counters in a SQLite file (`sqlite:///path`), for the embedded default.

    gunicorn's workers are separate processes: counters in each one's memory would let an attacker have the limit
    once per worker. A file on the machine is shared by all of them, and one upsert statement increments a counter
    and reads it back atomically (SQLite serialises writers). Fixed windows only: a window starts at a key's first hit.
    """

    STORAGE_SCHEME = ["sqlite"]
    _PURGE_EVERY = 500  # increments between sweeps of expired counters

    def __init__(self, uri: str, wrap_exceptions: bool = False, **options) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.path = uri.split(":///", 1)[1]
        self._local = threading.local()
        self._increments = 0

    @property
    def base_exceptions(self) -> type[Exception]:
        return sqlite3.Error

    def _connection(self) -> sqlite3.Connection:
        # One connection per thread and per process: sqlite3 connections must not cross threads or a fork.
        connection = getattr(self._local, "connection", None)
        if connection is None or self._local.pid != os.getpid():
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path, timeout=30, isolation_level=None)  # each statement commits
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("CREATE TABLE IF NOT EXISTS counters "
                               "(key TEXT PRIMARY KEY, count INTEGER NOT NULL, expires REAL NOT NULL)")
            self._local.connection, self._local.pid = connection, os.getpid()
        return connection

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        now = time.time()
        connection = self._connection()
        # SET expressions all read the row as it was, so an expired window restarts at this hit.
        (count,) = connection.execute(
            "INSERT INTO counters (key, count, expires) VALUES (?1, ?2, ?3) ON CONFLICT (key) DO UPDATE SET "
            "count = CASE WHEN expires <= ?4 THEN ?2 ELSE count + ?2 END, "
            "expires = CASE WHEN expires <= ?4 THEN ?3 ELSE expires END RETURNING count",
            (key, amount, now + expiry, now)).fetchone()
        self._increments += 1
        if self._increments % self._PURGE_EVERY == 0:
            connection.execute("DELETE FROM counters WHERE expires <= ?", (now,))
        return int(count)

    def get(self, key: str) -> int:
        row = self._connection().execute(
            "SELECT count FROM counters WHERE key = ? AND expires > ?", (key, time.time())).fetchone()
        return int(row[0]) if row else 0

    def get_expiry(self, key: str) -> float:
        row = self._connection().execute(
            "SELECT expires FROM counters WHERE key = ? AND expires > ?", (key, time.time())).fetchone()
        return float(row[0]) if row else time.time()

    def check(self) -> bool:
        try:
            self._connection().execute("SELECT 1").fetchone()
        except sqlite3.Error:
            return False
        return True

    def reset(self) -> int | None:
        return self._connection().execute("DELETE FROM counters").rowcount

    def clear(self, key: str) -> None:
        self._connection().execute("DELETE FROM counters WHERE key = ?", (key,))
