"""The curation report over a seeded log: counts, votes, clusters of misses, unmatched facts, YAML."""

from __future__ import annotations

import io
import random
import shutil
import sys
from collections import Counter
from contextlib import closing
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterable

import pytest
import yaml

from bot.cli import main
from bot.curation_cli import fact_files
from bot.db import Database
from bot.engine import Engine
from bot.knowledge import default_knowledge_dir, load_fact_base
from bot.models import Answer
from bot.question_log import WHITESPACE, QuestionLog
from bot.report import (
    LogTally,
    Report,
    build_report,
    new_alternates,
    build_report_from_tally,
    cluster_questions,
    similarity,
    to_text,
    to_yaml,
)

STOCK = ["what is meta's stock price", "what is meta's stock price", "what is meta's stock price",
         "meta stock price today", "What is the Meta share price?"]
EXISTING = "Meta's ownership in Scale AI"  # already an alternate of scale-ai-stake
SCALE = ["scale ai ownership percentage", "percentage of scale ai owned by meta", "scale ai ownership share", EXISTING]
BREAD = ["recipe for banana bread", "banana bread recipe"]
LUNCH = ["best recipe for a team lunch", "a good recipe for the team lunch"]  # share a weak word with a fact


def _row(question: str, status: str, *, fact_id: str | None = None, reason: str | None = None) -> dict:
    return {
        "asked_at": "2025-06-01T12:00:00+00:00",
        "platform": "slack",
        "user_hash": "h",
        "question": question,
        "status": status,
        "fact_id": fact_id,
        "reason": reason,
        "score": 0.3 if status == "abstained" else 0.9,
        "margin": 0.1,
    }


def _vote(question: str, fact_id: str | None, vote: str) -> dict:
    return {"platform": "slack", "question": question, "fact_id": fact_id, "score": 0.8, "vote": vote,
            "voted_at": "2025-06-01T12:00:00+00:00", "user_hash": "h"}


def _seeded_rows() -> list[dict]:
    rows = [_row(q, "abstained", reason="low_score") for q in STOCK + SCALE + BREAD]
    rows += [_row("who is the ceo of mistral", "abstained", reason="unknown_entity:Mistral")]
    rows += [_row("How much of Scale AI does Meta own?", "answered", fact_id="scale-ai-stake")] * 4
    rows += [_row("gpu spending", "answered", fact_id="gpu-spending")]
    rows += [_row("hi", "help"), _row("gpu spending", "limited", reason="You've asked ...")]
    return rows


def _seeded_votes() -> list[dict]:
    return [
        _vote("How much of Scale AI does Meta own?", "scale-ai-stake", "up"),
        _vote("How much of Scale AI does Meta own?", "scale-ai-stake", "up"),
        _vote("gpu spending", "gpu-spending", "down"),
        _vote("old question", "a-removed-fact", "up"),
    ]


def _report(engine: Engine) -> Report:
    return build_report(_seeded_rows(), _seeded_votes(), engine=engine)


def test_counts_and_abstention_reasons(engine: Engine) -> None:
    report = _report(engine)
    assert (report.asked, report.answered, report.abstained, report.help, report.limited) == (19, 5, 12, 1, 1)
    assert report.reasons == {"low_score": 11, "unknown_entity": 1}


def test_votes_per_fact_most_downvoted_first(engine: Engine) -> None:
    votes = {v.fact_id: v for v in _report(engine).votes}
    assert (votes["scale-ai-stake"].up, votes["scale-ai-stake"].down) == (2, 0)
    assert (votes["gpu-spending"].up, votes["gpu-spending"].down) == (0, 1)
    assert votes["a-removed-fact"].question is None
    assert _report(engine).votes[0].fact_id == "gpu-spending"


def test_misses_are_clustered_by_similarity_with_count_examples_and_nearest_fact(engine: Engine) -> None:
    report = _report(engine)
    by_first = {frozenset(t for t, _ in c.questions): c for c in report.clusters}
    stock = by_first[frozenset(STOCK)]
    assert stock.count == 5 and stock.abstained == 5
    assert stock.questions[0] == ("what is meta's stock price", 3)  # most asked first
    scale = by_first[frozenset(SCALE)]
    assert scale.count == 4
    assert scale.nearest is not None and scale.nearest.fact_id == "scale-ai-stake"
    bread = by_first[frozenset(BREAD)]
    assert bread.count == 2
    # The 👎 answer joins the misses: its question forms a cluster of its own here.
    gpu = by_first[frozenset({"gpu spending"})]
    assert gpu.downvoted == 1 and gpu.abstained == 0
    # Five clusters (stock, scale, bread, mistral, the 👎), biggest first.
    assert len(report.clusters) == 5
    assert [c.count for c in report.clusters] == sorted((c.count for c in report.clusters), reverse=True)


def test_a_downvoted_answer_is_not_suggested_for_the_fact_that_was_voted_down(engine: Engine) -> None:
    question = "How much of Scale AI does Meta own?"
    assert engine.rank(question)[0].fact_id == "scale-ai-stake"
    report = build_report([], [_vote(question, "scale-ai-stake", "down")], engine=engine)
    (cluster,) = report.clusters
    assert cluster.downvoted == 1
    assert cluster.nearest is not None and cluster.nearest.fact_id != "scale-ai-stake"


def test_clustering_is_deterministic_whatever_the_row_order(engine: Engine) -> None:
    rows, votes = _seeded_rows(), _seeded_votes()
    expected = to_text(build_report(rows, votes, engine=engine))
    for seed in range(3):
        random.Random(seed).shuffle(rows)
        random.Random(seed).shuffle(votes)
        assert to_text(build_report(rows, votes, engine=engine)) == expected


def test_similarity_keeps_unrelated_questions_apart() -> None:
    clusters = cluster_questions({"meta": 1, "does meta own scale ai": 1, "meta stock price": 1, "weather today": 1})
    assert len(clusters) == 4
    assert similarity("own scal ai", "scal ai own") == 100


def test_facts_never_matched(engine: Engine) -> None:
    report = _report(engine)
    never = [fact_id for fact_id, _ in report.never_matched]
    assert "scale-ai-stake" not in never and "gpu-spending" not in never
    assert len(never) == len(engine.base.facts) - 2
    assert report.facts == len(engine.base.facts)


def test_an_empty_log_says_so_in_one_line_instead_of_listing_every_fact(engine: Engine) -> None:
    text = to_text(build_report([], [], engine=engine))
    assert "0 asked" in text
    assert text.count("No questions logged yet; no facts to report as never matched.") == 1
    assert not [line for line in text.splitlines() if line.startswith("  - ")]
    assert "Facts never matched" not in text
    assert not any(fact_id in text for fact_id in engine.base.facts)


def test_an_empty_window_names_the_window_instead_of_listing_every_fact(engine: Engine) -> None:
    since = datetime(2025, 6, 1, 12, 0, tzinfo=timezone.utc)
    text = to_text(build_report([], [], engine=engine, since=since))
    assert "No questions logged since 2025-06-01 12:00 UTC; no facts to report as never matched." in text
    assert not any(fact_id in text for fact_id in engine.base.facts)


def test_a_window_from_the_first_years_keeps_four_digit_years(engine: Engine) -> None:
    text = to_text(build_report([], [], engine=engine, since=datetime(1, 1, 1, tzinfo=timezone.utc)))
    assert text.startswith("Questions since 0001-01-01 00:00 UTC:")
    assert "No questions logged since 0001-01-01 00:00 UTC" in text


def test_a_window_given_with_an_offset_is_shown_in_utc(engine: Engine) -> None:
    since = datetime(2025, 6, 1, 0, 0, tzinfo=timezone(timedelta(hours=2)))
    text = to_text(build_report([], [], engine=engine, since=since))
    assert text.startswith("Questions since 2025-05-31 22:00 UTC:")


@pytest.mark.parametrize(
    ("since", "shown", "counted"),
    [
        ("0001-01-01T00:00+02:00", "since 0001-01-01 00:00 +0200", 2),  # before any time UTC can name
        ("9999-12-31T23:00-02:00", "since 9999-12-31 23:00 -0200", 0),  # after any
        ("2025-06-01T14:00+02:00", "since 2025-06-01 12:00 UTC", 1),
    ],
)
def test_report_since_a_time_with_an_offset_even_at_the_edge_of_the_calendar(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, since: str, shown: str, counted: int
) -> None:
    data_dir = tmp_path / "data"
    monkeypatch.setenv("BOT_DATA_DIR", str(data_dir))
    monkeypatch.setenv("BOT_RETENTION_DAYS", "36500")
    db = Database.in_data_dir(data_dir)
    now = [datetime(2025, 6, 1, 11, 0, tzinfo=timezone.utc)]
    log = QuestionLog(db, retention_days=36500, clock=lambda: now[0])
    for _ in range(2):
        log.record("recipe for banana bread", Answer(question="q", status="abstained", reason="low_score"),
                   platform="slack", user_id="U1")
        now[0] += timedelta(hours=1)
    db.close()
    out = io.StringIO()

    code = main(["report", "--since", since], out=out)

    assert code == 0
    assert out.getvalue().startswith(f"Questions {shown}: {counted} asked")


def test_a_log_with_only_unanswered_questions_still_lists_every_fact(engine: Engine) -> None:
    text = to_text(build_report([_row("recipe for banana bread", "abstained", reason="low_score")], [], engine=engine))
    assert f"Facts never matched: {len(engine.base.facts)} of {len(engine.base.facts)}" in text
    assert all(f"  - {fact_id}: " in text for fact_id in engine.base.facts)
    assert "No questions logged" not in text


def test_report_command_on_an_empty_question_log_exits_0_without_listing_facts(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data_dir = tmp_path / "data"
    monkeypatch.setenv("BOT_DATA_DIR", str(data_dir))
    db = Database.in_data_dir(data_dir)
    QuestionLog(db)  # the table exists, with no question in it
    db.close()
    out = io.StringIO()

    code = main(["report", "--since", "all"], out=out)

    assert code == 0
    assert "No questions logged yet; no facts to report as never matched." in out.getvalue()
    assert not any(fact_id in out.getvalue() for fact_id in engine.base.facts)


def test_text_report_shows_every_part(engine: Engine) -> None:
    text = to_text(_report(engine))
    assert "19 asked, 5 answered, 12 abstained, 1 help, 1 rate-limited" in text
    assert "nearest fact: scale-ai-stake" in text
    assert "what is meta's stock price  (x3)" in text
    assert "(no longer in the fact base)" in text
    assert f"Facts never matched: {len(engine.base.facts) - 2} of {len(engine.base.facts)}" in text


def test_control_characters_in_questions_never_reach_the_terminal(engine: Engine) -> None:
    report = build_report([_row("evil \x1b[2J\x1b[31mquestion\n\rhere", "abstained", reason="low_score")], [],
                          engine=engine)
    text = to_text(report)
    assert "\x1b" not in text and "evil [2J [31mquestion here" in text


def test_yaml_suggestions_paste_into_the_fact_base_and_still_validate(engine: Engine, tmp_path: Path) -> None:
    """Apply what --yaml suggests to a copy of knowledge/ the way a curator would: it must load."""
    root = tmp_path / "knowledge"
    shutil.copytree(default_knowledge_dir(), root)
    files = fact_files(root)
    report = _report(engine)
    documents = [d for d in yaml.safe_load_all(to_yaml(report, fact_files=files)) if d is not None]
    assert len(documents) == len(report.clusters)
    scale = next(d for d in documents if d["fact"] == "scale-ai-stake")
    # One question is already an alternate of the fact: suggesting it again would break the base.
    assert EXISTING in engine.base.facts["scale-ai-stake"].alternates, "the seed assumes this alternate exists"
    assert sorted(scale["alternates"]) == sorted(q for q in SCALE if q != EXISTING)

    for document in documents:
        if not document.get("fact") or not document["alternates"]:
            continue
        fact = engine.base.facts[document["fact"]]
        path = Path(files[fact.topic])
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for item in data["facts"]:
            if item["id"] == fact.id:
                item["alternates"] += document["alternates"]
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    base = load_fact_base(root)
    assert set(SCALE) <= set(base.facts["scale-ai-stake"].phrasings)
    # And the engine built on it now answers the question it missed.
    assert Engine(base).answer("scale ai ownership percentage").fact_id == "scale-ai-stake"


def test_yaml_does_not_suggest_a_question_naming_an_outside_entity(engine: Engine) -> None:
    """The loader refuses a phrasing that names a name the sources never mention (Mistral)."""
    text = to_yaml(_report(engine))
    mistral = next(part for part in text.split("--- ") if "who-is-mark-zuckerberg" in part)
    assert "# every question here names something the sources never mention" in mistral
    assert yaml.safe_load(mistral)["alternates"] == []


def test_yaml_says_clearly_when_there_is_nothing_to_suggest(engine: Engine) -> None:
    text = to_yaml(build_report([], [], engine=engine))
    assert "No unanswered or 👎 questions" in text
    assert [d for d in yaml.safe_load_all(text) if d is not None] == []


def test_a_weak_nearest_fact_is_flagged_not_pushed(engine: Engine) -> None:
    report = build_report([_row(q, "abstained", reason="low_score") for q in LUNCH], [], engine=engine)
    (cluster,) = report.clusters
    assert cluster.nearest is not None and cluster.nearest.score < engine.thresholds.min_score
    assert "a weak match" in to_text(report)
    assert "# a weak match" in to_yaml(report)
    strong = build_report([_row(q, "abstained", reason="low_score") for q in SCALE[:3]], [], engine=engine)
    assert "weak match" not in to_text(strong) + to_yaml(strong)


# -- the log counted by the database, never held -----------------------------------------------


def _tally_from_database(log: QuestionLog, unanswered: Iterable[tuple[str, int]], since: datetime | None) -> LogTally:
    return LogTally(
        statuses=log.status_counts(since=since),
        reasons=log.abstention_reasons(since=since),
        answered_facts=frozenset(log.answered_fact_ids(since=since)),
        unanswered=unanswered,
    )


def test_the_database_counts_the_log_exactly_as_the_rows_would(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.report.MAX_CLUSTERED", 4)  # so the 👎 decide which misses are clustered
    db = Database.in_data_dir(tmp_path)
    log = QuestionLog(db, retention_days=36500)
    old = "2025-05-01T00:00:00+00:00"  # before the window; _row's time is inside it
    rows = [_row(q, "abstained", reason="low_score") for q in STOCK + SCALE + BREAD]
    rows += [
        # Rows as an older version, a truncation or another writer may have left them.
        _row("  what is meta's stock price \u3000", "abstained", reason=None),
        _row("what is meta's stock price\u2028", "abstained", reason=""),
        _row("\t \u00a0", "abstained", reason=":odd"),
        _row("who is the ceo of mistral", "abstained", reason="unknown_entity:Mistral"),
        _row("who founded Acme", "abstained", reason="unknown_entity:Acme:Inc"),
        _row("How much of Scale AI does Meta own?", "answered", fact_id="scale-ai-stake"),
        _row("gpu spending", "answered", fact_id="gpu-spending"),
        _row("odd answered row", "answered", fact_id=""),
        _row("hi", "help"),
        _row("gpu spending", "limited", reason="You've asked ..."),
        {**_row("asked before the window", "abstained", reason="too_close"), "asked_at": old},
        {**_row("old answer", "answered", fact_id="llama-4-release"), "asked_at": old},
    ]
    for row in rows:
        db.execute(
            f"INSERT INTO question_log ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})", tuple(row.values())
        )
    votes = [
        _vote("gpu spending", "gpu-spending", "down"),
        _vote(" gpu spending ", "gpu-spending", "down"),
        _vote("banana bread recipe", "scale-ai-stake", "down"),  # a 👎 lifts an abstained question
        _vote("banana bread recipe", None, "down"),
        _vote("How much of Scale AI does Meta own?", "scale-ai-stake", "up"),
    ]

    for since in (None, datetime(2025, 6, 1, tzinfo=timezone.utc)):
        from_rows = build_report(log.rows(since=since), votes, engine=engine, since=since)
        with closing(log.unanswered_questions(since=since)) as unanswered:
            tally = _tally_from_database(log, unanswered, since)
            from_database = build_report_from_tally(tally, votes, engine=engine, since=since)
        assert from_database == from_rows
        assert to_text(from_database) == to_text(from_rows)
        assert to_yaml(from_database) == to_yaml(from_rows)
        assert from_rows.unclustered > 0  # the bound was reached, and is said
        assert f"({from_rows.unclustered} rarer questions not clustered)" in to_text(from_rows)
    db.close()


@pytest.mark.parametrize("seed", range(8))
def test_the_most_missed_are_kept_whatever_order_the_counts_come_in(
    seed: int, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    limit = 5
    monkeypatch.setattr("bot.report.MAX_CLUSTERED", limit)
    monkeypatch.setattr("bot.report.nearest_fact", lambda engine, questions: None)  # only the choice matters here
    rng = random.Random(seed)
    texts = [f"{rng.choice(['banana', 'weather', 'lunch', 'vpn'])} question {i}" for i in range(30)]
    abstained = Counter({t: rng.randint(1, 6) for t in rng.sample(texts, 20)})
    downvotes = [_vote(rng.choice(texts), None, "down") for _ in range(12)]
    unanswered = list(abstained.items())
    rng.shuffle(unanswered)
    tally = LogTally(
        statuses={"abstained": sum(abstained.values())}, reasons={}, answered_facts=frozenset(), unanswered=unanswered
    )

    report = build_report_from_tally(tally, downvotes, engine=engine)

    missed = abstained + Counter(v["question"] for v in downvotes)
    expected = sorted(missed.items(), key=lambda item: (-item[1], item[0]))[:limit]
    assert sorted(q for c in report.clusters for q in c.questions) == sorted(expected)
    assert report.unclustered == sum(missed.values()) - sum(n for _, n in expected)


def test_the_database_strips_what_python_strips() -> None:
    assert set(WHITESPACE) == {ch for ch in map(chr, range(sys.maxunicode + 1)) if ch.isspace()}


def test_yaml_does_not_suggest_a_question_the_sources_are_silent_on(engine: Engine) -> None:
    """"is llama 4 a flop" is abstained on because no fact says so: pasted as an alternate of
    llama-4, it would have the bot answer it with a fact that does not."""
    silent = ["is llama 4 a flop", "is llama 4 a flop?", "was llama 4 a flop"]
    report = build_report([_row(q, "abstained", reason="unknown_subject:flop") for q in silent], [], engine=engine)
    (cluster,) = report.clusters
    assert new_alternates(cluster, report) == []
    text = to_yaml(report)
    assert "# every question here asks what the sources do not say" in text
    assert [d["alternates"] for d in yaml.safe_load_all(text) if d is not None] == [[]]


def test_yaml_does_not_suggest_a_request_for_the_bots_own_advice(engine: Engine) -> None:
    asked = ["should our team build on Llama?", "should we build on llama", "should my team build on Llama"]
    report = build_report([_row(q, "abstained", reason="advice") for q in asked], [], engine=engine)
    (cluster,) = report.clusters
    assert new_alternates(cluster, report) == []
