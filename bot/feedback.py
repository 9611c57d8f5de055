"""👍 / 👎 votes on answers, one per user per answer message (a second click changes the vote)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Literal

from bot.db import Database

Vote = Literal["up", "down"]

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
    def __init__(self, db: Database) -> None:
        self.db = db
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
        """Store a vote; the same user voting again on the same answer replaces their vote."""
        if vote not in ("up", "down"):
            raise ValueError(f"vote must be 'up' or 'down', not {vote!r}")
        when = (at or datetime.now(timezone.utc)).astimezone(timezone.utc).isoformat(timespec="seconds")
        self.db.execute(
            """
            INSERT INTO votes (platform, message_ref, user_hash, question, fact_id, score, vote, voted_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (platform, message_ref, user_hash)
            DO UPDATE SET vote = excluded.vote, voted_at = excluded.voted_at
            """,
            (platform, message_ref, self.db.user_hash(platform, user_id), question[:2000], fact_id, score, vote, when),
        )

    def votes(self, *, since: datetime | None = None) -> list[dict]:
        sql = "SELECT platform, question, fact_id, score, vote, voted_at, user_hash FROM votes"
        params: tuple = ()
        if since is not None:
            sql += " WHERE voted_at >= ?"
            params = (since.astimezone(timezone.utc).isoformat(timespec="seconds"),)
        return [dict(row) for row in self.db.query(sql + " ORDER BY id", params)]
