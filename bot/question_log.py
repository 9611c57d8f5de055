"""The log of every question the bot sees, for the curation report; users only as salted hashes."""

from __future__ import annotations

import logging
import sqlite3
import threading
from datetime import datetime, timedelta, timezone
from typing import Callable, Iterator

from bot.config import Settings
from bot.db import Database, to_db_time
from bot.logging_setup import redact
from bot.models import Answer
from bot.terminal import MAX_QUESTION_CHARS

SCHEMA = """
CREATE TABLE IF NOT EXISTS question_log (
    id INTEGER PRIMARY KEY,
    asked_at TEXT NOT NULL,
    platform TEXT NOT NULL,
    user_hash TEXT,
    question TEXT NOT NULL,
    status TEXT NOT NULL,
    fact_id TEXT,
    reason TEXT,
    score REAL NOT NULL,
    margin REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS question_log_by_time ON question_log (asked_at);
"""

# How long one write may wait for the database. The log is written on the path that answers
# (in Slack's handlers, on the event loop itself): a busy database costs a row, never the bot.
WRITE_TIMEOUT_SECONDS = 1.0
# While the database stays unavailable, the warning is repeated this often, with a count.
WARN_EVERY = timedelta(hours=1)
# Where `serve` notes how long it keeps the log (the `settings` table), so that a report run
# with other settings prunes as the bot does, never what the bot still keeps.
RETENTION_KEY = "question_log_retention_days"

# What Python's str.strip() strips (every character whose isspace() is true), so the database
# folds a question exactly as the report does when it is handed rows.
WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
# The report's reason kind, `(reason or "unknown").split(":", 1)[0]`, in SQL.
_REASON_KIND = """
CASE
    WHEN reason IS NULL OR reason = '' THEN 'unknown'
    WHEN instr(reason, ':') > 0 THEN substr(reason, 1, instr(reason, ':') - 1)
    ELSE reason
END
"""

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


def _stamp(when: datetime) -> str:
    # Fixed-width UTC ISO text sorts like the time it names, so SQL can compare strings.
    return to_db_time(when)


class QuestionLog:
    """Records questions with what the engine made of them; prunes rows older than the retention.

    When disabled (BOT_LOG_QUESTIONS=false) `record` stores nothing, but `rows` and `prune`
    still work on what an earlier run stored, so a report and the retention keep working.
    `serve` prunes at start and hourly in a worker thread, never on the path that answers.

    Writes wait at most `write_timeout` seconds for the database; one that fails (locked by
    another process, disk full, read-only) is skipped with one warning line, repeated hourly
    while the trouble lasts, and the question is still answered.
    """

    def __init__(
        self,
        db: Database,
        *,
        enabled: bool = True,
        retention_days: int = 90,
        clock: Clock = _utc_now,
        write_timeout: float = WRITE_TIMEOUT_SECONDS,
    ) -> None:
        if retention_days < 1:
            raise ValueError(f"retention_days must be at least 1, not {retention_days}")
        self.db = db
        self.enabled = enabled
        self.retention = timedelta(days=retention_days)
        self.write_timeout = write_timeout
        self._clock = clock
        self._trouble = threading.Lock()
        self._dropped = 0
        self._warned_at: datetime | None = None
        db.ensure(SCHEMA)

    @classmethod
    def from_settings(cls, settings: Settings, db: Database, *, clock: Clock = _utc_now) -> "QuestionLog":
        """The log `serve` keeps; its retention is noted in the database for `for_report`."""
        log = cls(db, enabled=settings.bot_log_questions, retention_days=settings.bot_retention_days, clock=clock)
        try:
            db.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (RETENTION_KEY, str(settings.bot_retention_days)),
                timeout=log.write_timeout,
            )
        except sqlite3.Error as error:
            log._not_written(error, now=clock(), what="its retention was not noted for the report")
        return log

    @classmethod
    def for_report(cls, settings: Settings, db: Database, *, clock: Clock = _utc_now) -> "QuestionLog":
        """The log as a report reads it: pruned with the retention `serve` noted, not the report's
        own BOT_RETENTION_DAYS, which the shell running it may not set as `serve` does."""
        rows = db.query("SELECT value FROM settings WHERE key = ?", (RETENTION_KEY,))
        try:
            days = int(rows[0][0]) if rows else settings.bot_retention_days
        except ValueError:
            days = settings.bot_retention_days
        return cls(db, enabled=False, retention_days=max(1, days), clock=clock)

    def record(self, question: str, answer: Answer, *, platform: str, user_id: str | None) -> None:
        """Store one question; the text is bounded and the user id is stored only as a salted hash.

        Anything shaped like a Slack or Discord token is redacted first: people do paste them.
        """
        if not self.enabled:
            return
        now = self._clock()
        try:
            self.db.execute(
                """
                INSERT INTO question_log
                    (asked_at, platform, user_hash, question, status, fact_id, reason, score, margin)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                (
                    _stamp(now),
                    platform,
                    self.db.user_hash(platform, user_id, timeout=self.write_timeout),
                    redact(question.strip())[:MAX_QUESTION_CHARS],
                    answer.status,
                    answer.fact_id,
                    answer.reason[:200] if answer.reason else None,
                    float(answer.score),
                    float(answer.margin),
                ),
                timeout=self.write_timeout,
            )
        except sqlite3.Error as error:
            self._not_written(error, now=now, what="a question was answered but not logged")
            return
        self._written()

    def hook(self, question: str, answer: Answer, platform: str, user_id: str | None) -> None:
        """The AskService hook: `AskService(engine, hooks=[log.hook])`."""
        self.record(question, answer, platform=platform, user_id=user_id)

    def prune(self, *, now: datetime | None = None) -> int:
        """Delete rows older than the retention; return how many went (0 when the database is
        unavailable: that is logged, and the next prune catches up)."""
        now = now or self._clock()
        try:
            return self.db.delete_in_batches(
                "question_log", "asked_at < ?", (_stamp(now - self.retention),), timeout=self.write_timeout
            )
        except sqlite3.Error as error:
            self._not_written(error, now=now, what="old questions were not pruned")
            return 0

    def _not_written(self, error: sqlite3.Error, *, now: datetime, what: str) -> None:
        with self._trouble:
            self._dropped += 1
            if self._warned_at is not None and now - self._warned_at < WARN_EVERY:
                return
            self._warned_at = now
            count = self._dropped
        text = str(error)
        state = "is locked by another process or thread" if "locked" in text or "busy" in text else "cannot be written"
        since = "" if count == 1 else f"; {count} writes have failed since the first warning"
        log.warning("question log: %s: the database %s %s (%s)%s", what, self.db.path, state, text, since)

    def _written(self) -> None:
        if not self._dropped:  # read without the lock: the common case costs nothing
            return
        with self._trouble:
            count, self._dropped, self._warned_at = self._dropped, 0, None
        if count:
            log.info("question log: writing again; %d write%s failed meanwhile", count, "" if count == 1 else "s")

    def rows(self, *, since: datetime | None = None) -> list[dict]:
        """Logged questions, oldest first, as plain dicts (the report's input)."""
        sql = (
            "SELECT asked_at, platform, user_hash, question, status, fact_id, reason, score, margin FROM question_log"
        )
        params: tuple = ()
        if since is not None:
            sql += " WHERE asked_at >= ?"
            params = (_stamp(since),)
        return [dict(row) for row in self.db.query(sql + " ORDER BY asked_at, id", params)]

    # The counts below are what the report reads. The database counts, so a report over a long
    # log holds a handful of numbers, not every row.

    def status_counts(self, *, since: datetime | None = None) -> dict[str, int]:
        """How many logged questions ended in each status (answered, abstained, help, limited)."""
        where, params = _window(since)
        sql = f"SELECT status, COUNT(*) FROM question_log {where} GROUP BY status"
        return {status: count for status, count in self.db.query(sql, params)}

    def abstention_reasons(self, *, since: datetime | None = None) -> dict[str, int]:
        """Abstentions per kind of reason: the reason up to any `:` (`unknown_entity:X` counts as
        `unknown_entity`), `unknown` when there is none."""
        where, params = _window(since, "status = 'abstained'")
        sql = f"SELECT {_REASON_KIND} AS kind, COUNT(*) FROM question_log {where} GROUP BY kind"
        return {kind: count for kind, count in self.db.query(sql, params)}

    def answered_fact_ids(self, *, since: datetime | None = None) -> set[str]:
        """The facts at least one logged question was answered with."""
        where, params = _window(since, "status = 'answered'", "fact_id IS NOT NULL", "fact_id != ''")
        return {row[0] for row in self.db.query(f"SELECT DISTINCT fact_id FROM question_log {where}", params)}

    def unanswered_questions(self, *, since: datetime | None = None) -> Iterator[tuple[str, int]]:
        """Each distinct question the bot abstained on, stripped and not blank, with how often it
        came; in no particular order.

        Streamed from the database as it groups them (see `Database.stream`: read it through
        or close it).
        """
        where, params = _window(since, "status = 'abstained'")
        sql = (
            f"SELECT trim(question, ?) AS text, COUNT(*) FROM question_log {where} "
            "GROUP BY text HAVING text != ''"
        )
        for text, count in self.db.stream(sql, (WHITESPACE, *params)):
            yield text, count


def _window(since: datetime | None, *conditions: str) -> tuple[str, tuple]:
    """A WHERE clause for rows asked at or after `since` (if given) that meet every condition."""
    params: tuple = ()
    if since is not None:
        conditions = (*conditions, "asked_at >= ?")
        params = (_stamp(since),)
    return ("WHERE " + " AND ".join(conditions) if conditions else ""), params
