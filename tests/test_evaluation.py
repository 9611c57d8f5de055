"""The labelled questions in tests/eval: kept apart from the fact base, and the engine's floor on them."""

from __future__ import annotations

from pathlib import Path

import pytest
from rapidfuzz import fuzz

from bot.engine import Engine
from bot.evaluation import EvalCase, evaluate, load_cases
from bot.models import Answer, FactBase, FactRef
from bot.text import words

EVAL_DIR = Path(__file__).parent / "eval"
FILES = sorted(EVAL_DIR.glob("*.yaml"))
# The floor the engine holds on all labelled questions together; the README reports the
# measured shares per file and how the thresholds were fitted (benchmarks/calibrate.py).
# Both are held just under their measured shares (88.0% and 98.2%): right answers are below
# the 95% the bot aims for, right abstentions above it.
MIN_ANSWERED_RIGHT = 0.87
MIN_ABSTAINED_RIGHT = 0.97


def _all_cases() -> list[EvalCase]:
    return [case for path in FILES for case in load_cases(path)]


def _key(text: str) -> str:
    return " ".join(words(text))


def test_there_are_enough_questions_of_every_kind() -> None:
    cases = _all_cases()
    assert len(cases) >= 150
    kinds = {case.kind for case in cases}
    assert kinds == {"paraphrase", "typo", "short", "out_of_scope", "near_miss", "help"}
    assert sum(case.expect is None for case in cases) >= 40


def test_no_evaluation_question_is_a_phrasing_of_any_fact(fact_base: FactBase) -> None:
    phrasings = {_key(p): fact.id for fact in fact_base.facts.values() for p in fact.phrasings}
    overlap = [(case.q, phrasings[_key(case.q)]) for case in _all_cases() if _key(case.q) in phrasings]
    assert not overlap, f"evaluation questions copied into the fact base: {overlap}"


def test_no_evaluation_question_is_a_near_copy_of_a_phrasing(fact_base: FactBase) -> None:
    phrasings = [_key(p) for fact in fact_base.facts.values() for p in fact.phrasings]
    near = []
    for case in _all_cases():
        key = _key(case.q)
        if len(key.split()) >= 4 and any(fuzz.ratio(key, p) >= 95 for p in phrasings):
            near.append(case.q)
    assert not near, f"evaluation questions nearly identical to a phrasing: {near}"


def test_questions_are_unique_across_files() -> None:
    keys = [_key(case.q) for case in _all_cases()]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_every_expected_fact_exists(path: Path, fact_base: FactBase) -> None:
    missing = {c.expect for c in load_cases(path) if c.expect and c.expect not in fact_base.facts}
    assert not missing


def test_the_engine_holds_its_floor_on_all_labelled_questions(engine: Engine, fact_base: FactBase) -> None:
    report = evaluate(_all_cases(), engine.answer, known_ids=set(fact_base.facts))
    misses = "\n".join(f"{m.case.kind}: {m.case.q!r} expected {m.case.expect}, got {m.got}" for m in report.misses)
    assert report.accuracy >= MIN_ANSWERED_RIGHT, misses
    assert report.abstention >= MIN_ABSTAINED_RIGHT, misses


def test_the_report_tells_wrong_answers_from_abstentions_that_suggest_the_right_fact() -> None:
    replies = {
        "right": Answer(question="right", status="answered", fact_id="x"),
        "wrong": Answer(question="wrong", status="answered", fact_id="y"),
        "offered": Answer(
            question="offered",
            status="abstained",
            suggestions=[FactRef(fact_id="y", question="?"), FactRef(fact_id="x", question="?")],
        ),
        "lost": Answer(question="lost", status="abstained", suggestions=[FactRef(fact_id="y", question="?")]),
    }
    cases = [EvalCase(q=q, expect="x", kind="paraphrase") for q in replies]
    report = evaluate(cases, replies.__getitem__, known_ids={"x", "y"})
    assert (report.answered_right, report.answered_wrong, report.answerable_abstained) == (1, 1, 2)
    assert report.suggested_right == 1

