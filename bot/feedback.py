"""👍 / 👎 votes on answers, one per user per answer message (a second click changes the vote)."""

from __future__ import annotations

import logging
import sqlite3
from datetime import datetime, timezone
from typing import Literal

from bot.db import Database, to_db_time
from bot.logging_setup import redact
from bot.text import clean_text

log = logging.getLogger(__name__)

Vote = Literal["up", "down"]
# A vote is recorded on the path that answers the click (in Slack's handlers, the event loop):
# a busy database fails the vote quickly instead of holding up every other event.
WRITE_TIMEOUT_SECONDS = 2.0
MAX_QUESTION_CHARS = 2000

SCHEMA = """
CREATE TABLE IF NOT EXISTS votes (
    id INTEGER PRIMARY KEY,
    platform TEXT NOT NULL,
    message_ref TEXT NOT NULL,
    user_hash TEXT NOT NULL,
    question TEXT NOT NULL,
    fact_id TEXT,
    score REAL NOT NULL,
    vote TEXT NOT NULL CHECK (vote IN ('up', 'down')),
    voted_at TEXT NOT NULL,
    UNIQUE (platform, message_ref, user_hash)
);
CREATE INDEX IF NOT EXISTS votes_by_time ON votes (voted_at);
"""


class FeedbackStore:
    def __init__(self, db: Database, *, write_timeout: float = WRITE_TIMEOUT_SECONDS) -> None:
        self.db = db
        self.write_timeout = write_timeout
        db.ensure(SCHEMA)

    def record_vote(
        self,
        *,
        platform: str,
        message_ref: str,
        user_id: str,
        question: str,
        fact_id: str | None,
        score: float,
        vote: Vote,
        at: datetime | None = None,
    ) -> None:
        """Store a vote; the same user voting again on the same answer replaces their vote.

        The question is stored as the question log stores it: anything shaped like a Slack or
        Discord token redacted, and bounded. A database busy for more than `write_timeout`
        seconds raises `sqlite3.OperationalError`.
        """
        if vote not in ("up", "down"):
            raise ValueError(f"vote must be 'up' or 'down', not {vote!r}")
        when = to_db_time(at or datetime.now(timezone.utc))
        self.db.execute(
            """
            INSERT INTO votes (platform, message_ref, user_hash, question, fact_id, score, vote, voted_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (platform, message_ref, user_hash)
            DO UPDATE SET vote = excluded.vote, voted_at = excluded.voted_at
            """,
            (
                platform,
                message_ref,
                self.db.user_hash(platform, clean_text(user_id), timeout=self.write_timeout),
                # A button's value is the platform's JSON: "\ud800" in it is a lone surrogate,
                # which SQLite cannot store as text.
                redact(clean_text(question).strip())[:MAX_QUESTION_CHARS],
                fact_id,
                score,
                vote,
                when,
            ),
            timeout=self.write_timeout,
        )

    def prune(self, *, before: datetime) -> int:
        """Delete votes last cast before `before` and return how many went. A vote holds the
        question asked, so it is kept as long as the question log keeps questions. A database
        that is unavailable is logged, and the next prune catches up."""
        try:
            return self.db.delete_in_batches(
                "votes", "voted_at < ?", (to_db_time(before),), timeout=self.write_timeout
            )
        except sqlite3.Error as error:
            log.warning("votes: old votes were not pruned: the database %s is unavailable (%s)", self.db.path, error)
            return 0

    def votes(self, *, since: datetime | None = None) -> list[dict]:
        sql = "SELECT platform, question, fact_id, score, vote, voted_at, user_hash FROM votes"
        params: tuple = ()
        if since is not None:
            sql += " WHERE voted_at >= ?"
            params = (to_db_time(since),)
        return [dict(row) for row in self.db.query(sql + " ORDER BY id", params)]
