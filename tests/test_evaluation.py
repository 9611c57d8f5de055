"""The labelled questions in tests/eval: kept apart from the fact base, and the engine's floor on them."""

from __future__ import annotations

from pathlib import Path

import pytest
from rapidfuzz import fuzz

from bot.engine import Engine
from bot.errors import EvalError, EvalUsageError, UsageError
from bot.evaluation import EvalCase, evaluate, load_cases, read_case_files
from bot.models import Answer, FactBase, FactRef
from bot.text import words

EVAL_DIR = Path(__file__).parent / "eval"
FILES = sorted(EVAL_DIR.glob("*.yaml"))
IDS = {"llama-4", "scale-ai-stake"}
"""The fact base of the small files written below."""
# The floor the engine holds on all labelled questions together; the README reports the
# measured shares per file and how the thresholds (benchmarks/calibrate.py) and the answer
# gate (benchmarks/fit_gate.py) were fitted. The gate is fitted on these very files, so both
# floors are held under its held-out estimate (87.4% and 94.2% over ninety files), not
# under the shares measured here: both are below the 95% the bot aims for since the
# twenty-first and twenty-second sets (near misses about details of known subjects,
# questions in words the articles do not use).
MIN_ANSWERED_RIGHT = 0.86
MIN_ABSTAINED_RIGHT = 0.93


def _all_cases(fact_base: FactBase) -> list[EvalCase]:
    return [case for found in read_case_files(FILES, known_ids=set(fact_base.facts)) for case in found.cases]


def _key(text: str) -> str:
    return " ".join(words(text))


def test_there_are_enough_questions_of_every_kind(fact_base: FactBase) -> None:
    cases = _all_cases(fact_base)
    assert len(cases) >= 150
    kinds = {case.kind for case in cases}
    assert kinds == {"paraphrase", "typo", "short", "out_of_scope", "near_miss", "help"}
    assert sum(case.expect is None for case in cases) >= 40


def test_no_evaluation_question_is_a_phrasing_of_any_fact(fact_base: FactBase) -> None:
    phrasings = {_key(p): fact.id for fact in fact_base.facts.values() for p in fact.phrasings}
    overlap = [(case.q, phrasings[_key(case.q)]) for case in _all_cases(fact_base) if _key(case.q) in phrasings]
    assert not overlap, f"evaluation questions copied into the fact base: {overlap}"


def test_no_evaluation_question_is_a_near_copy_of_a_phrasing(fact_base: FactBase) -> None:
    phrasings = [_key(p) for fact in fact_base.facts.values() for p in fact.phrasings]
    near = []
    for case in _all_cases(fact_base):
        key = _key(case.q)
        if len(key.split()) >= 4 and any(fuzz.ratio(key, p) >= 95 for p in phrasings):
            near.append(case.q)
    assert not near, f"evaluation questions nearly identical to a phrasing: {near}"


def test_questions_are_unique_across_files(fact_base: FactBase) -> None:
    keys = [_key(case.q) for case in _all_cases(fact_base)]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_every_expected_fact_exists(path: Path, fact_base: FactBase) -> None:
    assert load_cases(path, known_ids=set(fact_base.facts))


def test_the_engine_holds_its_floor_on_all_labelled_questions(engine: Engine, fact_base: FactBase) -> None:
    report = evaluate(_all_cases(fact_base), engine.answer)
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
    report = evaluate(cases, replies.__getitem__)
    assert (report.answered_right, report.answered_wrong, report.answerable_abstained) == (1, 1, 2)
    assert report.suggested_right == 1



@pytest.mark.parametrize(
    ("item", "problem"),
    [
        (
            "{q: 'who owns Scale?', expect: null, kind: paraphrase}",
            "`expect` is null, but a question of kind paraphrase has a fact that answers it; give that fact's id, "
            "or make the kind out_of_scope or near_miss",
        ),
        (
            "{q: 'who owns Scale?', expect: '', kind: typo}",
            "`expect` is empty text, but a question of kind typo has a fact that answers it",
        ),
        (
            "{q: 'who owns Scale?', expect: scale-ai-stake, kind: out_of_scope}",
            "`expect` is the text 'scale-ai-stake', but a question of kind out_of_scope has no fact to get; "
            "write expect: null, or make the kind paraphrase, typo or short",
        ),
        ("{q: hi, expect: llama-4, kind: help}", "but a question of kind help has no fact to get"),
        ("{q: hi, expect: llama-4, kind: near_miss}", "but a question of kind near_miss has no fact to get"),
        ("{q: hi, expect: null, kind: help, kind: short}", "`kind` is given twice in the same mapping (first on line 3)"),
        ("{q: '', expect: null, kind: help}", "`q` is empty text; write the question as text"),
        ("{q: 12, expect: null, kind: help}", "`q` is the number 12; write the question as text"),
        ("{q: hi, expect: null, kind: outofscope}", "`kind` is the text 'outofscope'; use one of paraphrase, typo"),
        ("{q: hi, expect: null}", "this item has no `kind`; write it as - {q: ..., expect: ..., kind: ...}"),
        ("{q: hi, expect: null, kind: help, note: x}", "`note` is not a field of a question; give only q, expect and kind"),
        ("just a question?", "this item is the text 'just a question?'; write it as - {q: ..., expect: ..., kind: ...}"),
        ("!!python/object:os.system {q: hi}", "uses the YAML tag !!python/object:os.system; tags are not supported"),
    ],
)
def test_an_eval_item_that_says_the_wrong_thing_is_named_with_its_line(item: str, problem: str, tmp_path: Path) -> None:
    path = tmp_path / "cases.yaml"
    path.write_text(f"# a good one, then one to fix\n- {{q: hello, expect: null, kind: help}}\n- {item}\n")
    with pytest.raises(EvalError) as error:
        load_cases(path, known_ids=IDS)
    [only] = error.value.problems
    assert only.startswith(f"{path}:3: ") and problem in only


def test_an_eval_file_with_anchors_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "cases.yaml"
    path.write_text("- &hi {q: hello, expect: null, kind: help}\n- *hi\n")
    with pytest.raises(EvalError) as error:
        load_cases(path, known_ids=IDS)
    assert str(error.value) == f"{path}:2: uses the alias *hi; anchors and aliases are not supported, so write the value out"


def test_the_problems_of_an_eval_file_are_listed_in_the_order_of_its_lines(tmp_path: Path) -> None:
    path = tmp_path / "cases.yaml"
    path.write_text(
        "- {q: a, expect: no-such-fact, kind: paraphrase}\n- {q: '', expect: null, kind: near_miss}\n- {q: c, expect: null, kind: odd}\n"
    )
    with pytest.raises(EvalError) as error:
        load_cases(path, known_ids=IDS)
    assert [p.split(": ")[0] for p in error.value.problems] == [f"{path}:1", f"{path}:2", f"{path}:3"]


def test_every_problem_of_an_eval_file_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "cases.yaml"
    path.write_text(
        "- {q: a, expect: null, kind: paraphrase}\n- {q: b, expect: llama-4, kind: short}\n- {q: c, expect: x, kind: help}\n"
    )
    with pytest.raises(EvalError) as error:
        load_cases(path, known_ids=IDS)
    assert [p.split(": ")[0] for p in error.value.problems] == [f"{path}:1", f"{path}:3"]
    assert str(error.value).splitlines()[0] == "the evaluation files have 2 problems:"


def test_an_expected_fact_the_base_lacks_is_named_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "cases.yaml"
    path.write_text("- {q: hello, expect: null, kind: help}\n- {q: what of llama 5, expect: llama-5, kind: short}\n")
    with pytest.raises(EvalError) as error:
        load_cases(path, known_ids=IDS)
    assert str(error.value) == (
        f"{path}:2: `expect` is 'llama-5', which is no fact in the fact base; use an id that "
        "'python -m bot topics --all' lists"
    )


def test_every_problem_of_every_file_is_raised_at_once(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("- {q: a, expect: null, kind: paraphrase}\n- {q: b, expect: llama-5, kind: short}\n")
    (tmp_path / "b.yaml").write_text("- {q: c, expect: llama-6, kind: typo}\n")
    with pytest.raises(EvalError) as error:
        read_case_files([tmp_path / "a.yaml", tmp_path / "b.yaml"], known_ids=IDS)
    assert not isinstance(error.value, UsageError)  # bad files, not a command called the wrong way
    assert [p.split(": ")[0] for p in error.value.problems] == [f"{tmp_path}/a.yaml:1", f"{tmp_path}/a.yaml:2", f"{tmp_path}/b.yaml:1"]
    with pytest.raises(EvalUsageError) as error:
        read_case_files([tmp_path / "a.yaml", tmp_path / "gone.yaml"], known_ids=IDS)
    assert error.value.problems[-1] == f"{tmp_path}/gone.yaml: no such file; check the path"
    assert len(error.value.problems) == 3
