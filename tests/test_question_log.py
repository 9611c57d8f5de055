"""The question log: what is stored (and what never is), the off switch, and retention."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from bot.config import Settings
from bot.db import Database
from bot.engine import Engine
from bot.models import Answer
from bot.question_log import QuestionLog
from bot.service import AskService
from bot.terminal import MAX_QUESTION_CHARS

START = datetime(2025, 6, 1, 12, 0, tzinfo=timezone.utc)


class FakeNow:
    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def db(tmp_path: Path) -> Database:
    database = Database.in_data_dir(tmp_path / "data")
    yield database
    database.close()


def test_every_question_is_logged_with_what_the_engine_made_of_it(db: Database, engine: Engine) -> None:
    log = QuestionLog(db, clock=FakeNow())
    service = AskService(engine, hooks=[log.hook])
    answered = service.ask("How much of Scale AI does Meta own?", platform="slack", user_id="U123SECRET")
    abstained = service.ask("recipe for banana bread", platform="discord", user_id="998877")
    service.ask("help", platform="cli")

    rows = log.rows()
    assert [r["status"] for r in rows] == ["answered", "abstained", "help"]
    first, second, third = rows
    assert first["question"] == "How much of Scale AI does Meta own?"
    assert first["platform"] == "slack"
    assert first["fact_id"] == answered.fact_id == "scale-ai-stake"
    assert first["score"] == pytest.approx(answered.score)
    assert first["margin"] == pytest.approx(answered.margin)
    assert first["asked_at"] == "2025-06-01T12:00:00+00:00"
    assert second["fact_id"] is None and second["reason"] == abstained.reason
    assert second["platform"] == "discord"
    # The user only as a salted hash: stable per user, never the id itself.
    assert first["user_hash"] == db.user_hash("slack", "U123SECRET")
    assert first["user_hash"] != second["user_hash"]
    assert third["user_hash"] is None


def test_the_user_id_never_reaches_the_database_file(db: Database, engine: Engine) -> None:
    log = QuestionLog(db)
    AskService(engine, hooks=[log.hook]).ask("gpu spending", platform="slack", user_id="UVERYSECRETID")
    db.close()
    raw = b"".join(p.read_bytes() for p in db.path.parent.iterdir() if p.is_file())
    assert b"gpu spending" in raw  # the check can see what was written
    assert b"UVERYSECRETID" not in raw


def test_the_question_text_is_bounded(db: Database) -> None:
    log = QuestionLog(db)
    log.record("x" * 5000, Answer(question="x", status="abstained", reason="no_match"), platform="slack", user_id="U")
    assert len(log.rows()[0]["question"]) == MAX_QUESTION_CHARS


def test_a_pasted_token_is_not_stored(db: Database) -> None:
    log = QuestionLog(db)
    answer = Answer(question="x", status="abstained", reason="no_match")
    log.record("why does xoxb-123-456-abcDEF fail?", answer, platform="slack", user_id="U")
    assert log.rows()[0]["question"] == "why does [redacted] fail?"


def test_logging_off_stores_nothing(db: Database, engine: Engine) -> None:
    log = QuestionLog.from_settings(Settings(bot_log_questions=False), db)
    AskService(engine, hooks=[log.hook]).ask("gpu spending", platform="slack", user_id="U1")
    assert log.rows() == []
    assert QuestionLog.from_settings(Settings(), db).enabled


def test_rows_older_than_the_retention_are_pruned(db: Database) -> None:
    now = FakeNow()
    log = QuestionLog(db, retention_days=90, clock=now)
    answer = Answer(question="q", status="abstained", reason="low_score")
    for day in (0, 1, 30):
        now.now = START + timedelta(days=day)
        log.record(f"asked on day {day}", answer, platform="slack", user_id="U1")
    assert len(log.rows()) == 3

    # Day 91: only day 0 is older than 90 days; recording prunes on its own.
    now.now = START + timedelta(days=90, hours=12)
    log.record("asked on day 90", answer, platform="slack", user_id="U1")
    assert [r["question"] for r in log.rows()] == ["asked on day 1", "asked on day 30", "asked on day 90"]

    assert log.prune(now=START + timedelta(days=125)) == 2
    assert [r["question"] for r in log.rows()] == ["asked on day 90"]


def test_rows_since_a_time(db: Database) -> None:
    now = FakeNow()
    log = QuestionLog(db, clock=now)
    answer = Answer(question="q", status="abstained", reason="low_score")
    for day in range(5):
        now.now = START + timedelta(days=day)
        log.record(f"day {day}", answer, platform="slack", user_id=None)
    assert [r["question"] for r in log.rows(since=START + timedelta(days=3))] == ["day 3", "day 4"]


def test_a_failing_hook_never_costs_the_answer(engine: Engine, caplog: pytest.LogCaptureFixture) -> None:
    def broken(question: str, answer: Answer, platform: str, user_id: str | None) -> None:
        raise RuntimeError("disk full")

    seen: list[str] = []
    service = AskService(engine, hooks=[broken, lambda q, a, p, u: seen.append(q)])
    with caplog.at_level(logging.ERROR):
        answer = service.ask("gpu spending", platform="slack", user_id="U1")
    assert answer.status == "answered"
    assert seen == ["gpu spending"]  # the hooks after the broken one still ran
    assert "broken" in caplog.text and "disk full" in caplog.text
