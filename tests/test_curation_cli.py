"""`python -m bot report` over a seeded database, and `python -m bot explain`."""

from __future__ import annotations

import io
import json
import sqlite3
import tracemalloc
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml

import bot.engine as engine_module
from bot.cli import main
from bot.config import Settings
from bot.db import DB_FILE, Database
from bot.engine import Engine
from bot.feedback import FeedbackStore
from bot.models import Answer
from bot.question_log import QuestionLog
from bot.service import AskService

NOW = datetime.now(timezone.utc)


def _run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(list(argv), out=out), out.getvalue()


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "data"
    monkeypatch.setenv("BOT_DATA_DIR", str(path))
    return path


def _seed(data_dir: Path, engine: Engine) -> None:
    """Real traffic through the service and the log: two weeks ago, and this week."""
    db = Database.in_data_dir(data_dir)
    clock = {"now": NOW - timedelta(days=14)}
    log = QuestionLog(db, clock=lambda: clock["now"])
    service = AskService(engine, hooks=[log.hook])
    service.ask("an old question about banana bread", platform="slack", user_id="U0")
    clock["now"] = NOW - timedelta(hours=2)
    for _ in range(3):
        service.ask("what is meta's stock price", platform="slack", user_id="U1")
    service.ask("meta stock price today", platform="discord", user_id="U2")
    service.ask("How much of Scale AI does Meta own?", platform="slack", user_id="U3")
    FeedbackStore(db).record_vote(
        platform="slack", message_ref="m1", user_id="U3", question="How much of Scale AI does Meta own?",
        fact_id="scale-ai-stake", score=0.9, vote="up",
    )
    db.close()


def test_report_shows_this_weeks_questions_clusters_and_votes(data_dir: Path, engine: Engine) -> None:
    _seed(data_dir, engine)
    code, out = _run("report")
    assert code == 0
    assert "5 asked, 1 answered, 4 abstained" in out  # the one from two weeks ago is outside 7d
    assert "banana" not in out
    assert "scale-ai-stake                   👍 1" in out
    assert "1. 4 questions (4 abstained)" in out
    assert "what is meta's stock price  (x3)" in out
    assert f"Facts never matched: {len(engine.base.facts) - 1} of" in out


def test_report_since_all_and_a_date(data_dir: Path, engine: Engine) -> None:
    _seed(data_dir, engine)
    assert "6 asked" in _run("report", "--since", "all")[1]
    assert "6 asked" in _run("report", "--since", "30d")[1]
    since = (NOW - timedelta(days=20)).date().isoformat()
    assert "6 asked" in _run("report", "--since", since)[1]
    assert "5 asked" in _run("report", "--since", "1w")[1]


def test_report_yaml_is_yaml_naming_the_fact_and_its_file(data_dir: Path, engine: Engine) -> None:
    _seed(data_dir, engine)
    code, out = _run("report", "--yaml")
    assert code == 0
    documents = [d for d in yaml.safe_load_all(out) if d is not None]
    assert len(documents) == 1
    assert set(documents[0]["alternates"]) == {"what is meta's stock price", "meta stock price today"}
    assert "knowledge/facts/" in out and "Review before pasting" in out


def test_report_prunes_past_the_retention(data_dir: Path, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    _seed(data_dir, engine)
    db = Database.in_data_dir(data_dir)
    FeedbackStore(db).record_vote(
        platform="slack", message_ref="m0", user_id="U0", question="an old question about banana bread",
        fact_id=None, score=0.2, vote="down", at=NOW - timedelta(days=14),
    )  # fmt: skip
    db.close()
    monkeypatch.setenv("BOT_RETENTION_DAYS", "10")
    assert "5 asked" in _run("report", "--since", "all")[1]
    db = Database.in_data_dir(data_dir)
    try:  # votes hold the question asked: kept no longer than the questions
        assert [v["question"] for v in FeedbackStore(db).votes()] == ["How much of Scale AI does Meta own?"]
    finally:
        db.close()


def test_report_prunes_only_what_serve_would_not_keep(data_dir: Path, engine: Engine) -> None:
    # Run from a shell without serve's BOT_RETENTION_DAYS, the report deleted for good what
    # serve still kept (and what `--since all` was meant to show).
    db = Database.in_data_dir(data_dir)
    clock = {"now": NOW - timedelta(days=120)}
    log = QuestionLog.from_settings(Settings(bot_retention_days=365), db, clock=lambda: clock["now"])  # as serve does
    AskService(engine, hooks=[log.hook]).ask("an old question about banana bread", platform="slack", user_id="U0")
    db.close()

    assert "1 asked" in _run("report", "--since", "all")[1]  # BOT_RETENTION_DAYS unset: 90
    db = Database.in_data_dir(data_dir)
    try:
        assert len(QuestionLog(db).rows()) == 1
    finally:
        db.close()


def test_report_memory_stays_flat_however_long_the_log(
    data_dir: Path, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.report.MAX_CLUSTERED", 10)  # clustering is not what is measured here
    db = Database.in_data_dir(data_dir)
    QuestionLog(db)  # the table, empty
    db.close()

    def report_peak() -> tuple[str, int]:
        tracemalloc.start()
        try:
            out = _run("report")[1]
            return out, tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    _, peak_when_empty = report_peak()
    many = 20_000
    stamp = NOW.isoformat(timespec="seconds")
    conn = sqlite3.connect(data_dir / DB_FILE)
    with conn:  # one transaction: row by row through QuestionLog.record would take a while
        conn.executemany(
            "INSERT INTO question_log (asked_at, platform, question, status, reason, score, margin)"
            " VALUES (?, 'slack', ?, 'abstained', 'low_score', 0.1, 0.0)",
            ((stamp, f"unanswered question number {i}: " + "x" * 100) for i in range(many)),
        )
    conn.close()
    out, peak_when_long = report_peak()

    assert f"{many} asked" in out and f"({many - 10} rarer questions not clustered)" in out
    # Held as rows, these would take about 17 MiB more.
    assert peak_when_long - peak_when_empty < 4 * 2**20


def test_report_without_a_database_says_so_and_creates_nothing(data_dir: Path) -> None:
    data_dir.mkdir()
    code, out = _run("report")
    assert code == 0
    assert "0 asked" in out and "none logged" in out
    assert not (data_dir / DB_FILE).exists()


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (lambda data: None, "at {data}/bot.sqlite3: BOT_DATA_DIR '{data}' does not exist"),
        (lambda data: data.write_text("root:x:0:0\n"), "at {data}: BOT_DATA_DIR '{data}' is a file, not a directory"),
    ],
)
@pytest.mark.parametrize("argv", [("report",), ("report", "--yaml")])
def test_report_where_there_is_no_data_dir_says_so_and_exits_1(
    make, says: str, argv: tuple[str, ...], data_dir: Path, capsys: pytest.CaptureFixture[str]  # noqa: ANN001
) -> None:
    # It reported "0 asked ... has nobody asked yet?" and exit 0, however wrong BOT_DATA_DIR was.
    make(data_dir)
    assert _run(*argv) == (1, "")
    err = capsys.readouterr().err
    assert err.startswith(f"error: there is no question log {says.format(data=data_dir)}; set BOT_DATA_DIR to ")
    assert len(err.splitlines()) == 1 and not (data_dir / DB_FILE).exists()


def test_report_rejects_a_bad_since(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _ = _run("report", "--since", "last tuesday")
    assert code == 2
    assert "--since 'last tuesday' is not a duration" in capsys.readouterr().err


def test_explain_shows_the_decision_thresholds_and_top_five(engine: Engine) -> None:
    question = "How much of Scale AI does Meta own?"
    code, out = _run("explain", question)
    assert code == 0
    ranked = engine.rank(question)[:5]
    t = engine.thresholds
    assert f"Question: {question}" in out
    assert "Decision: answered with scale-ai-stake" in out
    assert f"min_score {t.min_score:.3f}, min_margin {t.min_margin:.3f}" in out
    assert out.count("matched phrasing:") == len(ranked) == 5
    for rank, parts in enumerate(ranked, start=1):
        assert f"{rank}. {parts.fact_id}  score {parts.score:.3f}" in out
        assert f"coverage {parts.coverage:.3f}  phrasing {parts.phrasing:.3f}  fuzzy {parts.fuzzy:.3f}" in out
        assert f"matched phrasing: {parts.matched_phrasing}" in out


def test_explain_json_agrees_with_the_engine(engine: Engine) -> None:
    question = "best recipe for a team lunch"
    code, out = _run("explain", "--json", question)
    assert code == 0
    data = json.loads(out)
    answer: Answer = engine.answer(question)
    assert data["status"] == answer.status == "abstained"
    assert data["reason"] == answer.reason
    assert data["decision"].startswith(f"abstained ({answer.reason}): best score")
    assert data["thresholds"] == engine.thresholds.model_dump()
    assert [c["fact_id"] for c in data["candidates"]] == [p.fact_id for p in engine.rank(question)[:5]]
    assert {"coverage", "phrasing", "fuzzy", "penalty", "matched_phrasing"} <= set(data["candidates"][0])


def test_explain_says_which_part_of_a_long_message_was_answered(engine: Engine) -> None:
    message = "Not sure this is the right channel, but how much of Scale AI does Meta own?"
    part = "how much of Scale AI does Meta own?"
    code, out = _run("explain", "--json", message)
    assert code == 0
    data = json.loads(out)
    assert data["question"] == message and data["matched_part"] == part
    assert data["fact_id"] == "scale-ai-stake" and repr(part) in data["decision"]
    # The candidates shown are the ones that decided: the part's, not the whole message's.
    assert [c["fact_id"] for c in data["candidates"]] == [p.fact_id for p in engine.rank(part)[:5]]


def test_explain_says_a_question_on_how_a_text_ends_takes_the_fact_quoting_it_last() -> None:
    code, out = _run("explain", "--json", "how does the Gizmodo piece end?")
    assert code == 0
    data = json.loads(out)
    assert data["fact_id"] == "strengthen-place-lead"
    assert data["decision"] == (
        "answered with strengthen-place-lead: it asks how \"Meta's risky move to open-source its AI models\""
        " ends, which the fact quoting that text last tells"
    )


def test_explain_shows_the_candidates_of_the_question_read_past_a_plea(engine: Engine) -> None:
    code, out = _run("explain", "--json", "Can you help? Who is Yann LeCun?")
    assert code == 0
    data = json.loads(out)
    assert data["fact_id"] == "who-is-yann-lecun" and data["candidates"][0]["fact_id"] == "who-is-yann-lecun"
    assert [c["fact_id"] for c in data["candidates"]] == [p.fact_id for p in engine.rank("Who is Yann LeCun?")[:5]]


def test_explain_a_greeting_and_bad_calls(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _run("explain", "hi")
    assert code == 0 and "Decision: help" in out and "Candidates: none" in out
    assert _run("explain")[0] == 2
    assert _run("explain", "x" * 600)[0] == 2
    assert "too long" in capsys.readouterr().err


def test_explain_says_when_too_little_of_the_question_is_in_the_best_fact(engine: Engine) -> None:
    code, out = _run("explain", "What percentage of Meta's revenue goes into AI R&D?")
    assert code == 0
    t = engine.thresholds
    assert "Decision: abstained (low_score): the best fact holds less than min_coverage" in out
    assert f"min_coverage {t.min_coverage:.3f}" in out


def test_explain_says_when_one_word_is_shared_among_words_the_base_does_not_know(monkeypatch: pytest.MonkeyPatch) -> None:
    # The cut for a question naming nothing the base is about takes it under min_score first;
    # without that cut, the check on the one word shared still tells it apart.
    code, out = _run("explain", "gym discount code")
    assert code == 0
    assert "Decision: abstained (low_score): best score" in out and "(off_domain)" in out
    monkeypatch.setattr(engine_module, "OFF_DOMAIN_PENALTY", 1.0)
    code, out = _run("explain", "gym discount code")
    assert "Decision: abstained (low_score): it shares one word with the base among words the base does not know" in out


def test_explain_says_when_a_message_asks_a_task() -> None:
    code, out = _run("explain", "can you draft an email to legal about the Llama license?")
    assert code == 0
    assert "Decision: abstained (task): it asks the bot to draft something, a task rather than a question" in out


def test_explain_says_when_a_message_asks_the_bots_own_advice() -> None:
    code, out = _run("explain", "should our team build on Llama?")
    assert code == 0
    assert "Decision: abstained (advice): it asks the bot's own advice or opinion, which no source gives" in out


def test_explain_says_when_a_related_fact_holding_more_of_the_question_is_the_answer() -> None:
    code, out = _run("explain", "the billions in GPUs and the 49% Scale AI stake: what are Meta's goals there?")
    assert code == 0
    assert "Decision: answered with ai-leadership-pursuit (over scale-ai-stake, a related fact" in out
    assert "1. scale-ai-stake" in out


def test_explain_says_when_a_message_points_back_into_a_thread() -> None:
    code, out = _run("explain", "and what did he say about oversight?")
    assert code == 0
    assert 'Decision: abstained (pointing_back): it points back with "he" at something it does not name' in out


def test_explain_says_when_a_message_is_in_another_language() -> None:
    code, out = _run("explain", "¿Qué porcentaje de Scale AI tiene Meta?")
    assert code == 0
    assert "Decision: abstained (not_english): it is written in another language" in out
