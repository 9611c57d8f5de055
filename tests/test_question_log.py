"""The question log: what is stored (and what never is), the off switch, and retention."""

from __future__ import annotations

import logging
import sqlite3
import subprocess
import sys
import textwrap
import threading
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

    # Day 91: only day 0 is older than 90 days. Recording never prunes (serve does, off the
    # path that answers): the row goes at the next prune.
    now.now = START + timedelta(days=90, hours=12)
    log.record("asked on day 90", answer, platform="slack", user_id="U1")
    assert len(log.rows()) == 4
    assert log.prune() == 1
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


def test_a_locked_database_costs_the_log_row_not_the_answer_and_says_so_once(
    db: Database, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    log = QuestionLog(db, clock=FakeNow(), write_timeout=0)
    service = AskService(engine, hooks=[log.hook])
    other = sqlite3.connect(db.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    try:
        with caplog.at_level(logging.INFO):
            answers = [service.ask("gpu spending", platform="slack", user_id=f"U{n}") for n in range(3)]
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert [a.status for a in answers] == ["answered"] * 3
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1, [r.getMessage() for r in warnings]
    line = warnings[0].getMessage()
    assert warnings[0].name == "bot.question_log" and not warnings[0].exc_info
    assert "not logged" in line and "locked" in line and str(db.path) in line and "\n" not in line

    caplog.clear()
    with caplog.at_level(logging.INFO):
        service.ask("gpu spending", platform="slack", user_id="U9")
    assert [r["question"] for r in log.rows()] == ["gpu spending"]
    assert [r.getMessage() for r in caplog.records] == ["question log: writing again; 3 writes failed meanwhile"]


def test_a_database_held_by_another_thread_does_not_hold_up_the_answer(db: Database, engine: Engine) -> None:
    log = QuestionLog(db, clock=FakeNow(), write_timeout=0)
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with db._lock:  # e.g. a digest claim waiting on another process
            held.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert held.wait(10)
        answer = AskService(engine, hooks=[log.hook]).ask("gpu spending", platform="slack", user_id="U1")
        written_while_held = release.is_set()
    finally:
        release.set()
        holder.join(10)
    assert answer.status == "answered" and not written_while_held
    assert log.rows() == []


def test_a_read_only_database_is_one_warning_and_pruning_carries_on_later(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    now = FakeNow()
    log = QuestionLog(db, clock=now, write_timeout=0)
    answer = Answer(question="q", status="abstained", reason="low_score")
    log.record("kept", answer, platform="slack", user_id="U1")
    db.execute("PRAGMA query_only = ON")
    with caplog.at_level(logging.WARNING, logger="bot.question_log"):
        assert log.prune(now=START + timedelta(days=200)) == 0
        log.record("lost", answer, platform="slack", user_id="U1")
    assert len(caplog.records) == 1 and "cannot be written" in caplog.records[0].getMessage()
    db.execute("PRAGMA query_only = OFF")
    assert log.prune(now=START + timedelta(days=200)) == 1


def test_two_processes_log_into_one_database(tmp_path: Path) -> None:
    data = tmp_path / "data"
    script = textwrap.dedent(
        """
        import sys
        from pathlib import Path
        from bot.db import Database
        from bot.models import Answer
        from bot.question_log import QuestionLog

        db = Database.in_data_dir(Path(sys.argv[1]))
        log = QuestionLog(db, write_timeout=30.0)  # correctness under contention, not the timeout
        answer = Answer(question="q", status="abstained", reason="low_score")
        for n in range(150):
            log.record(f"{sys.argv[2]} {n}", answer, platform="slack", user_id=f"U{n}")
        db.close()
        """
    )
    root = Path(__file__).resolve().parents[1]
    writers = [
        subprocess.Popen([sys.executable, "-c", script, str(data), tag], cwd=root, stderr=subprocess.PIPE)
        for tag in ("first", "second")
    ]
    errors = [writer.communicate(timeout=120)[1] for writer in writers]
    assert [writer.returncode for writer in writers] == [0, 0], errors

    database = Database.in_data_dir(data)
    try:
        rows = QuestionLog(database).rows()
        assert len(rows) == 300
        by_question = {r["question"]: r["user_hash"] for r in rows}
        # One salt for the installation: the same user hashes alike whichever process logged them.
        assert all(by_question[f"first {n}"] == by_question[f"second {n}"] for n in range(150))
        assert by_question["first 1"] == database.user_hash("slack", "U1")
    finally:
        database.close()


def test_the_retention_holds_while_logging_is_off(db: Database) -> None:
    now = FakeNow()
    answer = Answer(question="q", status="abstained", reason="low_score")
    QuestionLog(db, clock=now).record("asked before logging was turned off", answer, platform="slack", user_id="U1")
    off = QuestionLog(db, enabled=False, retention_days=90, clock=now)
    off.record("not stored", answer, platform="slack", user_id="U1")
    assert [r["question"] for r in off.rows()] == ["asked before logging was turned off"]

    now.now = START + timedelta(days=91)  # the bot kept running, with logging off
    off.record("not stored either", answer, platform="slack", user_id="U1")
    assert off.prune() == 1 and off.rows() == []


def test_each_installation_has_its_own_salt(tmp_path: Path) -> None:
    first, second = Database.in_data_dir(tmp_path / "a"), Database.in_data_dir(tmp_path / "b")
    try:
        assert first.user_hash("slack", "U1") != second.user_hash("slack", "U1")
        assert first.user_hash("slack", "U1") != first.user_hash("discord", "U1")
        reopened = Database.in_data_dir(tmp_path / "a")
        assert reopened.user_hash("slack", "U1") == first.user_hash("slack", "U1")
        reopened.close()
    finally:
        first.close()
        second.close()


def test_a_question_with_a_lone_surrogate_is_answered_logged_and_serialisable(db: Database, engine: Engine) -> None:
    # JSON from a chat platform can decode to text no encoding holds ("\ud800").
    log = QuestionLog(db)
    service = AskService(engine, hooks=[log.hook])
    answer = service.ask("how much of scale ai does meta own \ud800?", platform="slack", user_id="U1")
    assert answer.fact_id == "scale-ai-stake" and "\ud800" not in answer.question
    answer.model_dump_json().encode("utf-8")
    assert [row["question"] for row in log.rows()] == [answer.question]
    limited = service.admit("\udfff" * 3, platform="slack", user_id="U2")
    assert limited is None
