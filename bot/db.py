"""The bot's SQLite database under BOT_DATA_DIR, shared by feedback, the question log and the digest."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import sqlite3
import threading
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Iterator

from bot.errors import ConfigError

DB_FILE = "bot.sqlite3"
# How long a statement waits for another process's write to finish, unless it asks otherwise.
BUSY_TIMEOUT_SECONDS = 30.0
# Rows `Database.stream` fetches at a time: few enough to stay small, enough to be quick.
STREAM_BATCH = 1000


def to_db_time(when: datetime) -> str:
    """`when` as the tables store times: UTC ISO text to the second, which sorts like the time.

    A naive time is read as UTC. A time at the very edge of the calendar that UTC cannot hold
    (year 1 east of Greenwich, 9999 west of it) becomes text that sorts before or after every
    stored time, so a bound there still means "everything" or "nothing".
    """
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    try:
        return when.astimezone(timezone.utc).isoformat(timespec="seconds")
    except OverflowError:
        return "0000" if when.year < 5000 else "99999"


# Rows one statement of `delete_in_batches` deletes: a few milliseconds of holding the database.
DELETE_BATCH = 2000
# The pause between two batches, in which a waiting write takes the database.
DELETE_PAUSE_SECONDS = 0.002
# How long to wait between tries when another process holds the database while it is opened.
OPEN_RETRY_SECONDS = 0.05


def _create_private(path: Path) -> None:
    """Create the database file, empty, readable and writable by its owner alone, unless it is
    there already. SQLite made it readable by every user of the machine (and its -wal and -shm
    files, which take the database file's mode): every question asked, and the salt of the user
    hashes beside them. A file that is there keeps the mode it has."""
    if path.exists() or path.is_symlink():
        return
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass  # another process made it first


def _open_shared(path: Path) -> sqlite3.Connection:
    """Connect in WAL mode, with the settings table there, while other processes may be doing the same.

    Switching a new database to WAL, and creating its first table, take a lock that SQLite
    does not always wait for (a second process opening the same fresh file at the same moment
    gets "database is locked" at once): those are tried again for up to BUSY_TIMEOUT_SECONDS.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
    while True:
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None, check_same_thread=False)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
            conn.execute("CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            return conn
        except sqlite3.OperationalError as error:
            conn.close()
            if not _is_busy(error) or time.monotonic() >= deadline:
                raise
            time.sleep(OPEN_RETRY_SECONDS)
        except BaseException:
            conn.close()
            raise


def how_to_fix(error: BaseException) -> str:
    """What to do about a database error, for the one line that reports it."""
    text = str(error)
    if "locked" in text or "busy" in text:
        return "another process holds it; try again in a moment, or stop the process that writes to it"
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return (
            "the file is damaged: restore it from a backup, or move it aside and a new one is made "
            "(its question log, votes and digest history are then gone)"
        )
    return "make BOT_DATA_DIR a writable directory with free space"


def _is_busy(error: sqlite3.OperationalError) -> bool:
    text = str(error).lower()
    return "locked" in text or "busy" in text


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
            _create_private(self.path)
            self._conn = _open_shared(self.path)
        except (FileExistsError, NotADirectoryError):
            raise ConfigError(
                f"cannot open the database at {self.path}: {self.path.parent} (or a folder above it) is not a "
                "directory; set BOT_DATA_DIR to a writable directory"
            ) from None
        except (OSError, sqlite3.Error) as error:
            fix = how_to_fix(error) if isinstance(error, sqlite3.Error) else "set BOT_DATA_DIR to a writable directory"
            raise ConfigError(f"cannot open the database at {self.path}: {error}; {fix}") from None
        self._conn.row_factory = sqlite3.Row
        self._lock = threading.RLock()
        # Read once: hashing a user id then never touches the database (nor waits for its lock).
        self._user_salt: bytes | None = None

    @classmethod
    def in_data_dir(cls, data_dir: Path) -> "Database":
        return cls(Path(data_dir) / DB_FILE)

    def ensure(self, schema: str) -> None:
        with self._lock:
            self._conn.executescript(schema)

    def execute(self, sql: str, params: Iterable[Any] = (), *, timeout: float | None = None) -> sqlite3.Cursor:
        """Run one statement; with `timeout`, give up after that many seconds of waiting for the
        database (another process's write, or another thread of this one) with
        `sqlite3.OperationalError` instead of waiting the full BUSY_TIMEOUT_SECONDS."""
        with self._locked(timeout):
            return self._conn.execute(sql, tuple(params))

    def delete_in_batches(
        self, table: str, where: str, params: Iterable[Any] = (), *, timeout: float | None = None
    ) -> int:
        """Delete the rows of `table` matching `where`, DELETE_BATCH rows per statement; return how many.

        The lock is let go between batches, so a prune of hundreds of thousands of rows (run in
        a worker thread) holds up a write on the event loop for one batch, not the whole prune.
        `table` and `where` come from the code, never from input; `params` fill `where`.
        """
        values = tuple(params)
        statement = f"DELETE FROM {table} WHERE rowid IN (SELECT rowid FROM {table} WHERE {where} LIMIT {DELETE_BATCH})"
        deleted = 0
        while True:
            count = self.execute(statement, values, timeout=timeout).rowcount
            deleted += count
            if count < DELETE_BATCH:
                return deleted
            # Python's lock is not fair: without a pause, this thread takes it straight back.
            time.sleep(DELETE_PAUSE_SECONDS)

    def query(self, sql: str, params: Iterable[Any] = (), *, timeout: float | None = None) -> list[sqlite3.Row]:
        with self._locked(timeout):
            return self._conn.execute(sql, tuple(params)).fetchall()

    def stream(self, sql: str, params: Iterable[Any] = ()) -> Iterator[sqlite3.Row]:
        """Run one query and yield its rows a batch at a time, so a large result never sits in memory.

        Other threads wait for the database until the iteration ends: read it through, or
        close it (`contextlib.closing`) to end it early.
        """
        with self._lock:
            cursor = self._conn.execute(sql, tuple(params))
            try:
                while rows := cursor.fetchmany(STREAM_BATCH):
                    yield from rows
            finally:
                cursor.close()

    @contextmanager
    def _locked(self, timeout: float | None) -> Iterator[None]:
        if timeout is None:
            with self._lock:
                yield
            return
        if not self._lock.acquire(timeout=max(0.0, timeout)):
            raise sqlite3.OperationalError("database is busy: another thread of this process is using it")
        try:
            self._set_busy_timeout(timeout)
            try:
                yield
            finally:
                self._set_busy_timeout(BUSY_TIMEOUT_SECONDS)
        finally:
            self._lock.release()

    def _set_busy_timeout(self, seconds: float) -> None:
        self._conn.execute(f"PRAGMA busy_timeout = {max(0, int(seconds * 1000))}")

    def close(self, *, wait: float | None = None) -> bool:
        """Close the connection; with `wait`, only if no other thread holds it for longer than
        that many seconds. False when it was left open: a process exiting without a worker
        thread stuck in a statement (waiting out another process's write) closes it anyway."""
        if not self._lock.acquire(timeout=-1 if wait is None else max(0.0, wait)):
            return False
        try:
            self._conn.close()
        finally:
            self._lock.release()
        return True

    def user_hash(self, platform: str, user_id: str | None, *, timeout: float | None = None) -> str | None:
        """A salted hash of a user id: stable for this installation, useless elsewhere.

        The salt is read from the database once; `timeout` bounds that first read like `execute`'s.
        """
        if not user_id:
            return None
        if self._user_salt is None:
            self._user_salt = bytes.fromhex(self._salt(timeout=timeout))
        return hmac.new(self._user_salt, f"{platform}:{user_id}".encode(), hashlib.sha256).hexdigest()[:32]

    def _salt(self, *, timeout: float | None = None) -> str:
        # Insert-or-ignore, then read: two processes (or threads) starting at once agree on one salt.
        self.execute(
            "INSERT OR IGNORE INTO settings (key, value) VALUES ('user_salt', ?)",
            (secrets.token_hex(32),),
            timeout=timeout,
        )
        return self.query("SELECT value FROM settings WHERE key = 'user_salt'", timeout=timeout)[0][0]
