"""The shared SQLite database: opened by several processes at once, errors as one line."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path
from typing import Any

import pytest

from bot import db as db_module
from bot.db import Database
from bot.errors import ConfigError


class _LockedAtFirst:
    """A connection whose first statements meet another process's lock, as SQLite reports it
    when two processes switch a fresh database to WAL at once (no busy handler is called)."""

    def __init__(self, conn: sqlite3.Connection, failures: list[str]) -> None:
        self._conn = conn
        self._failures = failures

    def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:
        if self._failures:
            raise sqlite3.OperationalError(self._failures.pop(0))
        return self._conn.execute(sql, *args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)


def _connect_locked_at_first(monkeypatch: pytest.MonkeyPatch, failures: list[str]) -> list[int]:
    real_connect = sqlite3.connect
    opened: list[int] = []

    def connect(*args: Any, **kwargs: Any) -> Any:
        opened.append(1)
        return _LockedAtFirst(real_connect(*args, **kwargs), failures)

    monkeypatch.setattr(db_module.sqlite3, "connect", connect)
    monkeypatch.setattr(db_module, "OPEN_RETRY_SECONDS", 0.0)
    return opened


def test_a_database_another_process_is_setting_up_is_opened_once_it_is_free(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened = _connect_locked_at_first(monkeypatch, ["database is locked", "database is locked"])
    database = Database.in_data_dir(tmp_path)
    try:
        assert len(opened) == 3
        assert database.query("PRAGMA journal_mode")[0][0] == "wal"
        assert database.query("SELECT name FROM sqlite_master WHERE name = 'settings'")
    finally:
        database.close()


def test_a_database_that_cannot_be_opened_for_another_reason_is_one_line_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened = _connect_locked_at_first(monkeypatch, ["disk I/O error"])
    with pytest.raises(ConfigError, match=r"cannot open the database at .*disk I/O error; make BOT_DATA_DIR a writable directory"):
        Database.in_data_dir(tmp_path)
    assert len(opened) == 1


def test_a_database_locked_for_longer_than_the_busy_timeout_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db_module, "BUSY_TIMEOUT_SECONDS", 0.0)
    _connect_locked_at_first(monkeypatch, ["database is locked"] * 1000)
    with pytest.raises(ConfigError, match="database is locked; another process holds it"):
        Database.in_data_dir(tmp_path)


def test_a_damaged_database_file_is_one_line_saying_to_restore_or_move_it(tmp_path: Path) -> None:
    (tmp_path / "bot.sqlite3").write_bytes(b"not a database, whatever it once was " * 40)
    with pytest.raises(ConfigError) as error:
        Database.in_data_dir(tmp_path)
    message = str(error.value)
    assert "\n" not in message and "file is not a database" in message
    assert "restore it from a backup, or move it aside" in message


@pytest.mark.parametrize("data_dir", ["a-file", "a-file/below"])
def test_a_data_dir_that_is_a_file_or_under_one_is_one_line_saying_so(tmp_path: Path, data_dir: str) -> None:
    # BOT_DATA_DIR=/dev/null said "[Errno 17] File exists: '/dev/null'".
    (tmp_path / "a-file").write_text("not a directory")
    with pytest.raises(ConfigError) as raised:
        Database.in_data_dir(tmp_path / data_dir)
    assert str(raised.value) == (
        f"cannot open the database at {tmp_path / data_dir / 'bot.sqlite3'}: {tmp_path / data_dir} (or a folder "
        "above it) is not a directory; set BOT_DATA_DIR to a writable directory"
    )


def test_a_new_database_and_its_wal_files_are_readable_by_their_owner_alone(tmp_path: Path) -> None:
    # Every question asked, and the salt of the user hashes, were readable by any user of the machine.
    umask = os.umask(0o022)  # the usual one, which SQLite's own files followed
    try:
        database = Database.in_data_dir(tmp_path / "data")
        database.ensure("CREATE TABLE IF NOT EXISTS notes (text TEXT)")
        database.execute("INSERT INTO notes (text) VALUES (?)", ("who is Yann LeCun?",))
        files = sorted((tmp_path / "data").iterdir())
        assert [f.name for f in files] == ["bot.sqlite3", "bot.sqlite3-shm", "bot.sqlite3-wal"]
        assert {f.name: oct(stat.S_IMODE(f.stat().st_mode)) for f in files} == {f.name: "0o600" for f in files}
        database.close()
    finally:
        os.umask(umask)


def test_a_database_that_is_there_keeps_its_mode(tmp_path: Path) -> None:
    sqlite3.connect(tmp_path / "bot.sqlite3").close()
    (tmp_path / "bot.sqlite3").chmod(0o640)  # group-readable, by the operator's choice
    database = Database.in_data_dir(tmp_path)
    database.ensure("CREATE TABLE IF NOT EXISTS notes (text TEXT)")
    assert stat.S_IMODE((tmp_path / "bot.sqlite3").stat().st_mode) == 0o640
    database.close()
