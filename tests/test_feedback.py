"""Votes: one per user per answer, stored like the question log (hashed users, no pasted tokens)."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from bot.db import Database
from bot.feedback import FeedbackStore

WHEN = datetime(2025, 6, 1, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def db(tmp_path: Path) -> Database:
    database = Database.in_data_dir(tmp_path / "data")
    yield database
    database.close()


def _vote(store: FeedbackStore, question: str, *, user_id: str = "U1", vote: str = "up") -> None:
    store.record_vote(
        platform="slack",
        message_ref="C1:1700000000.000100",
        user_id=user_id,
        question=question,
        fact_id="scale-ai-stake",
        score=0.8,
        vote=vote,  # type: ignore[arg-type]
        at=WHEN,
    )


def test_a_second_click_changes_the_vote_and_the_user_is_only_a_hash(db: Database) -> None:
    store = FeedbackStore(db)
    _vote(store, "How much of Scale AI does Meta own?", user_id="UVERYSECRET")
    _vote(store, "How much of Scale AI does Meta own?", user_id="UVERYSECRET", vote="down")
    votes = store.votes()
    assert [v["vote"] for v in votes] == ["down"]
    assert votes[0]["user_hash"] == db.user_hash("slack", "UVERYSECRET") != "UVERYSECRET"
    assert votes[0]["voted_at"] == "2025-06-01T12:00:00+00:00"


def test_a_token_pasted_into_the_question_is_not_stored_with_the_vote(db: Database) -> None:
    store = FeedbackStore(db)
    _vote(store, "why does xoxb-123-456-abcDEF fail? MTA1NjQ3ODk0NTY3ODkwMTIzNA.GhIjKl.abcdefghijklmnopqrstuvwxyz0123")
    assert store.votes()[0]["question"] == "why does [redacted] fail? [redacted]"
    db.close()
    raw = b"".join(p.read_bytes() for p in db.path.parent.iterdir() if p.is_file())
    assert b"xoxb-123" not in raw and b"GhIjKl" not in raw


def test_votes_last_cast_before_the_cut_off_are_pruned_and_a_changed_vote_counts_from_its_change(
    db: Database,
) -> None:
    store = FeedbackStore(db)
    _vote(store, "old and never changed", user_id="U1")
    _vote(store, "old but changed since", user_id="U2")
    store.record_vote(
        platform="slack", message_ref="C1:1700000000.000100", user_id="U2", question="old but changed since",
        fact_id="scale-ai-stake", score=0.8, vote="down", at=WHEN + timedelta(days=30),
    )  # fmt: skip
    assert store.prune(before=WHEN + timedelta(days=1)) == 1
    assert [v["question"] for v in store.votes()] == ["old but changed since"]


def test_a_prune_on_a_read_only_database_is_one_warning_not_an_error(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    store = FeedbackStore(db)
    _vote(store, "kept for now")
    db.execute("PRAGMA query_only = ON")
    with caplog.at_level("WARNING", logger="bot.feedback"):
        assert store.prune(before=WHEN + timedelta(days=1)) == 0
    assert len(caplog.records) == 1 and "not pruned" in caplog.records[0].getMessage()
    db.execute("PRAGMA query_only = OFF")
    assert store.prune(before=WHEN + timedelta(days=1)) == 1


def test_a_lone_surrogate_from_a_button_value_is_stored_replaced(db: Database) -> None:
    store = FeedbackStore(db)
    _vote(store, "what about \ud800 this?", user_id="U\udcff1")
    [vote] = store.votes()
    assert vote["question"] in ("what about ? this?", "what about \ufffd this?") and vote["user_hash"]


def test_a_vote_on_a_locked_database_fails_fast_instead_of_holding_up_the_bot(db: Database) -> None:
    store = FeedbackStore(db, write_timeout=0)
    other = sqlite3.connect(db.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            _vote(store, "gpu spending")
    finally:
        other.execute("ROLLBACK")
        other.close()
    _vote(store, "gpu spending")
    assert [v["question"] for v in store.votes()] == ["gpu spending"]
