"""The answer gate: its file, its trees, and how the engine decides with it and without it."""

from __future__ import annotations

import json
import math
import random
from pathlib import Path

import pytest

from bot.answer_gate import DEFAULT_GATE_FILE, GATE_FEATURES, AnswerGate, GateFileError, gate_from_data, load_gate
from bot.config import Settings, Thresholds
from bot.engine import Engine
from bot.models import FactBase
from bot.terminal import DONT_KNOW, dont_know

SCORE = GATE_FEATURES.index("score")


def _gate_data(trees: list, *, baseline: float = 0.0, threshold: float = 0.5, veto: float = 0.5) -> dict:
    return {"features": list(GATE_FEATURES), "baseline": baseline, "threshold": threshold, "veto": veto, "trees": trees}


def _constant_gate(log_odds: float) -> AnswerGate:
    """A gate of one leaf: the same confidence whatever it reads."""
    return gate_from_data(_gate_data([[[-1, 0.0, 0, 0, log_odds]]]))


def _features(**named: float) -> tuple[float, ...]:
    return tuple(named.get(name, 0.0) for name in GATE_FEATURES)


def test_the_shipped_gate_reads_the_features_the_engine_gives() -> None:
    gate = load_gate()
    assert 0.0 < gate.veto <= gate.threshold < 1.0 and len(gate.trees) > 1
    assert json.loads(DEFAULT_GATE_FILE.read_text())["features"] == list(GATE_FEATURES)


def test_a_tree_goes_left_at_or_under_its_threshold_and_adds_to_the_baseline() -> None:
    split = [[SCORE, 0.5, 1, 2, 0.0], [-1, 0.0, 0, 0, -2.0], [-1, 0.0, 0, 0, 3.0]]
    gate = gate_from_data(_gate_data([split, [[-1, 0.0, 0, 0, 0.5]]], baseline=-1.0))
    assert gate.confidence(_features(score=0.5)) == pytest.approx(1 / (1 + math.exp(-(-1.0 - 2.0 + 0.5))))
    assert gate.confidence(_features(score=0.51)) == pytest.approx(1 / (1 + math.exp(-(-1.0 + 3.0 + 0.5))))


def test_the_shipped_gate_never_trusts_a_better_score_less() -> None:
    # Fitted monotone in the score: raising it alone never lowers the confidence.
    gate = load_gate()
    rng = random.Random(5)
    for _ in range(300):
        features = [rng.random() for _ in GATE_FEATURES]
        features[GATE_FEATURES.index("words")] = float(rng.randint(1, 40))
        features[GATE_FEATURES.index("terms")] = float(rng.randint(1, 15))
        low = gate.confidence(tuple(features))
        features[SCORE] = min(1.0, features[SCORE] + 0.2)
        assert gate.confidence(tuple(features)) >= low - 1e-12


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ([], "expected an object"),
        (_gate_data([[[-1, 0, 0, 0, 1.0]]]) | {"features": ["score"]}, "other features"),
        (_gate_data([[[-1, 0, 0, 0, 1.0]]], threshold=1.5), "threshold and veto numbers from 0 to 1"),
        ({k: v for k, v in _gate_data([[[-1, 0, 0, 0, 1.0]]]).items() if k != "veto"}, "threshold and veto numbers"),
        (_gate_data([[[-1, 0, 0, 0, 1.0]]]) | {"baseline": float("nan")}, "baseline must be a number"),
        (_gate_data([]), "trees must be a non-empty list"),
        (_gate_data([[]]), "tree 1: expected a non-empty list"),
        (_gate_data([[[0, 0.5, 1]]]), "tree 1, node 0: expected [feature"),
        (_gate_data([[[0, 0.5, 0, 0, 0.0]]]), "point at later nodes"),  # a loop on itself
        (_gate_data([[[len(GATE_FEATURES), 0.5, 1, 2, 0.0], [-1, 0, 0, 0, 0], [-1, 0, 0, 0, 0]]]), "name a feature"),
        (_gate_data([[[0, 0.5, 1, 5, 0.0], [-1, 0, 0, 0, 0]]]), "point at later nodes"),
    ],
)
def test_a_malformed_gate_is_refused_with_what_is_wrong(data: object, problem: str) -> None:
    with pytest.raises(GateFileError, match=r"the gate file.*" + problem.replace("[", r"\[")):
        gate_from_data(data)


def test_an_unreadable_or_broken_gate_file_names_the_file(tmp_path: Path) -> None:
    broken = tmp_path / "gate.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(GateFileError, match=r"gate\.json: not valid JSON"):
        load_gate(broken)
    with pytest.raises(GateFileError, match=r"missing\.json: cannot be read .*; reinstall the bot, or refit"):
        load_gate(tmp_path / "missing.json")


def test_a_broken_gate_file_stops_the_cli_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import bot.answer_gate
    from bot.cli import main

    broken = tmp_path / "gate.json"
    broken.write_text('{"features": []}', encoding="utf-8")
    monkeypatch.setattr(bot.answer_gate, "DEFAULT_GATE_FILE", broken)
    monkeypatch.setattr(bot.answer_gate.load_gate, "__defaults__", (broken,))
    monkeypatch.setenv("BOT_ENGINE_CACHE", "false")
    assert main(["ask", "How much of Scale AI does Meta own?"]) != 0
    error = capsys.readouterr().err.strip()
    assert "\n" not in error and "gate.json: its trees read other features" in error and "Traceback" not in error


def test_the_engine_answers_only_what_the_gate_trusts(fact_base: FactBase) -> None:
    question = "How much of Scale AI does Meta own?"
    doubting = Engine(fact_base, gate=_constant_gate(-5.0))
    answer = doubting.answer(question)
    assert not answer.answered and answer.reason == "doubtful"
    assert dont_know(answer) == f"{DONT_KNOW} The closest fact I have may not be what you asked; it comes first below."
    assert answer.confidence == pytest.approx(1 / (1 + math.exp(5.0)))
    assert answer.suggestions[0].fact_id == "scale-ai-stake"  # still one tap away
    trusting = Engine(fact_base, gate=_constant_gate(5.0))
    weak = "What did LeCunn pitch on stage at the AI Action Sumit"  # under min_score, far ahead of the rest
    assert Engine(fact_base, thresholds=Thresholds(learned_gate=False)).answer(weak).reason == "low_score"
    answer = trusting.answer(weak)
    assert answer.fact_id == "lecun-ai-action-summit" and answer.confidence == pytest.approx(1 / (1 + math.exp(-5.0)))
    assert Engine(fact_base).answer(weak).fact_id == "lecun-ai-action-summit"  # and the shipped gate is sure of it


def test_a_clear_match_is_never_vetoed(fact_base: FactBase) -> None:
    doubting = gate_from_data(_gate_data([[[-1, 0.0, 0, 0, -5.0]]]) | {"clear_score": 0.7, "clear_margin": 0.2})
    engine = Engine(fact_base, gate=doubting)
    assert engine.answer("How much of Scale AI does Meta own?").fact_id == "scale-ai-stake"  # 1.0, far ahead
    assert engine.answer("how helpful is open source to startups").reason == "doubtful"  # 0.62, close behind


def test_a_doubted_answer_still_says_what_its_fact_does_not_give(fact_base: FactBase) -> None:
    # "Does the blog mention X?" of a fact quoting another source: that is the reply, doubt or not.
    doubting = Engine(fact_base, gate=_constant_gate(-5.0))
    assert doubting.answer("does the blog mention open washing anywhere").reason == "not_given:source"


def test_what_the_gate_does_not_weigh_it_cannot_overrule(fact_base: FactBase) -> None:
    # Help, names the sources never mention and requests to do a task are decided before it.
    trusting = Engine(fact_base, gate=_constant_gate(9.0))
    assert trusting.answer("hello").status == "help"
    assert trusting.answer("What is Mistral's AI strategy?").reason == "unknown_entity:Mistral"
    assert trusting.gate_cases("What is Mistral's AI strategy?") == []
    assert trusting.answer("what's 49 percent of 2300").reason == "task:calculate"


def test_the_shipped_gate_is_only_used_on_the_base_it_was_fitted_on(fact_base: FactBase) -> None:
    gate = load_gate()
    assert gate.facts == set(fact_base.facts) and gate.fits(fact_base.facts)
    assert Engine(fact_base).gate is not None
    ids = sorted(fact_base.facts)
    assert gate.fits(ids[:-5]) and gate.fits(ids + ["new-1", "new-2"])  # a base curated a little
    assert not gate.fits(ids[:50]) and not gate.fits(ids + [f"new-{k}" for k in range(30)])
    other = fact_base.model_copy(update={"facts": {k: v for k, v in list(fact_base.facts.items())[:20]}})
    assert Engine(other).gate is None


def test_thresholds_set_by_hand_decide_without_the_gate(fact_base: FactBase) -> None:
    assert Settings().thresholds().learned_gate
    by_hand = Settings(bot_min_score=0.3).thresholds()
    assert not by_hand.learned_gate and by_hand.min_score == 0.3
    assert not Settings(bot_min_margin=0.02).thresholds().learned_gate
    plain = Engine(fact_base, thresholds=Thresholds(learned_gate=False))
    assert plain.gate is None
    answer = plain.answer("How much of Scale AI does Meta own?")
    assert answer.fact_id == "scale-ai-stake" and answer.confidence is None


def test_gate_cases_list_each_decision_weighed_with_its_features(fact_base: FactBase) -> None:
    engine = Engine(fact_base, thresholds=Thresholds(learned_gate=False))
    cases = engine.gate_cases("How much of Scale AI does Meta own?")
    assert [fact for fact, _ in cases] == ["scale-ai-stake"]
    named = dict(zip(GATE_FEATURES, cases[0][1]))
    answer = engine.answer("How much of Scale AI does Meta own?")
    assert named["score"] == pytest.approx(answer.score)
    assert named["score"] - named["runner_up"] == pytest.approx(answer.margin)
    assert named["words"] == 8.0 and named["terms"] >= 2


@pytest.mark.parametrize(
    ("question", "fact_id"),
    [
        ("Did Sam Lobby for regulation?", "altman-international-oversight"),
        ("did Altman write to Congress about oversight?", "altman-international-oversight"),
        ("how helpful is open source to startups", "democratize-access"),
        ("what is zuckerberg's rationale for open source", "zuckerberg-essay-argument"),
        ("are OpenAI and Google hiding their models?", "closed-models-openai-google"),
        ("In the Zuckerberg essay, what does he say about Android?", "android-vs-ios"),
        ("How does India fit in LeCun's proposal?", "linguistic-diversity-india"),
        ("will devs actually contribute", "developer-community-contributions"),
        ("hey, where did lecun make his pitch for a global model?", "lecun-ai-action-summit"),
        ("[01:12:09] context? something about holding back", "holding-back-unsafe-models"),
        ("what llama models are covered in the articles?", "llama-versions"),
        ("does the gizmodo-based piece mention open washing?", "open-washing"),
    ],
)
def test_an_answer_the_gate_doubts_is_still_the_first_suggestion(engine: Engine, question: str, fact_id: str) -> None:
    # Borderline answers the thresholds allow, some of which the gate refuses: never for
    # another fact, and the one refused is offered first ("did you mean ...?").
    answer = engine.answer(question)
    if answer.answered:
        assert answer.fact_id == fact_id
    else:
        assert answer.reason == "doubtful" and answer.suggestions[0].fact_id == fact_id


def test_explain_says_what_the_gate_decided(fact_base: FactBase) -> None:
    from bot.curation_cli import explain, explain_to_text

    doubted = explain(Engine(fact_base, gate=_constant_gate(-5.0)), "how helpful is open source to startups")
    assert doubted["status"] == "abstained" and doubted["confidence"] == pytest.approx(1 / (1 + math.exp(5.0)))
    assert "pass the thresholds, but the answer gate doubts the best fact (confidence 0.007 < veto 0.500)" in doubted["decision"]
    sure = explain(Engine(fact_base, gate=_constant_gate(5.0)), "What did LeCunn pitch on stage at the AI Action Sumit")
    assert sure["fact_id"] == "lecun-ai-action-summit"
    assert "fall short of the thresholds, but the answer gate is sure (confidence 0.993 >= 0.500)" in sure["decision"]
    text = explain_to_text(explain(Engine(fact_base), "How much of Scale AI does Meta own?"))
    assert "answer gate: veto 0.50, threshold 0.70" in text
    plain = explain(Engine(fact_base, thresholds=Thresholds(learned_gate=False)), "How much of Scale AI does Meta own?")
    assert plain["gate"] is None and "answer gate off" in explain_to_text(plain)
