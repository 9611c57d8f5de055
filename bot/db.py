"""The bot's SQLite database under BOT_DATA_DIR, shared by feedback, the question log and the digest."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import sqlite3
import threading
from pathlib import Path
from typing import Any, Iterable

from bot.errors import ConfigError

DB_FILE = "bot.sqlite3"


class Database:
    """One connection, serialised by a lock, so async handlers and threads can share it.

    Every module that keeps state declares its own tables with `ensure(schema)`; WAL mode
    lets a second bot process read while this one writes, and a unique constraint (not a
    read-then-write) is what makes a claim exclusive across processes.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA busy_timeout=30000")
        except (OSError, sqlite3.Error) as error:
            raise ConfigError(
                f"cannot open the database at {self.path}: {error}; set BOT_DATA_DIR to a writable directory"
            ) from None
        self._conn.row_factory = sqlite3.Row
        self._lock = threading.RLock()
        self.ensure("CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)")

    @classmethod
    def in_data_dir(cls, data_dir: Path) -> "Database":
        return cls(Path(data_dir) / DB_FILE)

    def ensure(self, schema: str) -> None:
        with self._lock:
            self._conn.executescript(schema)

    def execute(self, sql: str, params: Iterable[Any] = ()) -> sqlite3.Cursor:
        with self._lock:
            return self._conn.execute(sql, tuple(params))

    def query(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._conn.execute(sql, tuple(params)).fetchall()

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def user_hash(self, platform: str, user_id: str | None) -> str | None:
        """A salted hash of a user id: stable for this installation, useless elsewhere."""
        if not user_id:
            return None
        key = bytes.fromhex(self._salt())
        return hmac.new(key, f"{platform}:{user_id}".encode(), hashlib.sha256).hexdigest()[:32]

    def _salt(self) -> str:
        with self._lock:
            self._conn.execute(
                "INSERT OR IGNORE INTO settings (key, value) VALUES ('user_salt', ?)", (secrets.token_hex(32),)
            )
            return self._conn.execute("SELECT value FROM settings WHERE key = 'user_salt'").fetchone()[0]
