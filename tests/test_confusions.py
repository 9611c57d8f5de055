"""`knowledge confusions`: phrasings an unrelated fact matches as well as their own."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from bot.confusions import Confusion, find_confusions, find_lost_phrasings, find_overpromises, find_twin_phrasings
from bot.engine import Engine
from bot.models import Fact, FactBase, Quote, Source, Topic


def _fact(fact_id: str, alternates: list[str], *, related: list[str] | None = None) -> Fact:
    return Fact(
        id=fact_id,
        topic="t",
        question=f"What is the {fact_id.replace('-', ' ')}?",
        alternates=alternates,
        answer=f"Answer {fact_id}.",
        quotes=[Quote(text="Alpha beta gamma.", source="s")],
        related=related or [],
    )


def _base(*facts: Fact) -> FactBase:
    return FactBase(
        sources={"s": Source(id="s", title="S", kind="blog post", body="Alpha beta gamma.")},
        topics={"t": Topic(id="t", title="T", fact_ids=[f.id for f in facts])},
        facts={f.id: f for f in facts},
    )


def test_a_generic_phrasing_shared_in_meaning_by_two_unrelated_facts_is_a_confusion() -> None:
    base = _base(
        _fact("red-team-cost", ["red team money", "red team"]),
        _fact("red-team-size", ["red team headcount", "all about the red team"]),
        _fact("blue-sky", ["blue sky thinking", "sky colour"]),
    )
    [confusion] = find_confusions(Engine(base))
    assert confusion.fact_ids == ("red-team-cost", "red-team-size")
    assert ("red-team-cost", "red team") in [(owner, phrasing) for owner, phrasing, _, _ in confusion.phrasings]


def test_related_facts_are_not_a_confusion() -> None:
    base = _base(
        _fact("red-team-cost", ["red team money", "red team"], related=["red-team-size"]),
        _fact("red-team-size", ["red team headcount", "all about the red team"]),
        _fact("blue-sky", ["blue sky thinking", "sky colour"]),
    )
    assert find_confusions(Engine(base)) == []


def test_phrasings_of_two_facts_read_as_the_same_words_are_twins_even_when_related() -> None:
    """The loader folds only case and punctuation; the engine also stems ("spending", "spend")."""
    base = _base(
        _fact("red-team-cost", ["How much is the red team spending?", "red team money"], related=["red-team-size"]),
        _fact("red-team-size", ["How much does the red team spend?", "red team headcount"]),
        _fact("blue-sky", ["blue sky thinking", "sky colour"]),
    )
    assert find_twin_phrasings(Engine(base)) == [
        [("red-team-cost", "How much is the red team spending?"), ("red-team-size", "How much does the red team spend?")]
    ]


def test_the_real_base_has_no_twin_phrasings(engine: Engine) -> None:
    assert find_twin_phrasings(engine) == []


def test_a_phrasing_of_filler_words_finds_nothing_and_is_listed_as_lost() -> None:
    base = _base(
        _fact("red-team-cost", ["red team money", "What is it?"]),
        _fact("blue-sky", ["blue sky thinking", "sky colour"]),
    )
    engine = Engine(base)
    assert find_confusions(engine) == []  # no unrelated fact competes, so no pair to list
    assert find_lost_phrasings(engine) == [("red-team-cost", "What is it?")]


def test_the_real_base_has_no_lost_phrasings(engine: Engine) -> None:
    assert find_lost_phrasings(engine) == []


def test_the_command_lists_the_real_base_and_refuses_a_bad_margin(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["knowledge", "confusions"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert any(line.startswith("no confusions") or "pairs of unrelated facts" in line for line in lines)
    assert main(["knowledge", "confusions", "--margin", "2"]) == 2
    assert capsys.readouterr().err.strip() == "error: --margin 2.0 is not between 0 and 1; try 0.1"


def test_the_command_names_a_phrasing_that_finds_no_fact(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    base = _base(
        _fact("red-team-cost", ["red team money", "What is it?"]),
        _fact("blue-sky", ["blue sky thinking", "sky colour"]),
    )
    monkeypatch.setattr("bot.cli.load_engine", lambda settings: Engine(base))
    assert main(["knowledge", "confusions"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[:2] == [
        "1 phrasing finds no fact at all: give each words that say what its fact is about",
        "  [red-team-cost] 'What is it?'",
    ]


def test_the_command_names_phrasings_of_two_facts_that_read_the_same(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    base = _base(
        _fact("red-team-cost", ["How much is the red team spending?", "red team money"], related=["red-team-size"]),
        _fact("red-team-size", ["How much does the red team spend?", "red team headcount"]),
    )
    monkeypatch.setattr("bot.cli.load_engine", lambda settings: Engine(base))
    assert main(["knowledge", "confusions"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[:3] == [
        "1 set of phrasings reads as the same words to the engine across facts: "
        "reword one so it says what only its own fact says",
        "  [red-team-cost] 'How much is the red team spending?'; [red-team-size] 'How much does the red team spend?'",
        "",
    ]


def test_a_phrasing_asking_for_what_its_fact_does_not_give_is_listed() -> None:
    counted = _fact("widget-count", ["How many widgets are there?", "widget total"])
    given = _fact("gadget-count", ["How many gadgets are there?", "gadget total"]).model_copy(
        update={"answer": "There are three gadgets."}
    )
    named = _fact("widget-makers", ["Which companies make widgets?", "widget makers"]).model_copy(
        update={"entities": ["Acme"]}
    )
    base = _base(counted, given, named).model_copy(update={"entity_kinds": {"Acme": "product"}})
    assert find_overpromises(Engine(base)) == [
        ("widget-count", "How many widgets are there?", "a count of widgets"),
        ("widget-makers", "Which companies make widgets?", "names of a company"),
    ]



def test_the_command_counts_confused_phrasings_and_pairs_in_words_that_agree(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    base = _base(_fact("red-team-cost", ["red team money", "red team budget"]), _fact("blue-sky", ["blue sky", "sky"]))
    monkeypatch.setattr("bot.cli.load_engine", lambda settings: Engine(base))
    one = [Confusion(("blue-sky", "red-team-cost"), [("blue-sky", "sky", 0.5, 0.45)])]
    monkeypatch.setattr("bot.confusions.find_confusions", lambda engine, margin: one)
    assert main(["knowledge", "confusions"]) == 0
    assert "1 phrasing scores within 0.1 on 1 pair of unrelated facts" in capsys.readouterr().out.splitlines()
    two = [*one, Confusion(("blue-sky", "red-team-size"), [("blue-sky", "blue sky", 0.5, 0.45)])]
    monkeypatch.setattr("bot.confusions.find_confusions", lambda engine, margin: two)
    assert main(["knowledge", "confusions"]) == 0
    assert "2 phrasings score within 0.1 on 2 pairs of unrelated facts" in capsys.readouterr().out.splitlines()
