"""Choosing a digest's facts: deterministic, newest first, topics spread, a full rotation before any repeat."""

from __future__ import annotations

from datetime import date

from bot.digest import build_digest, choose_facts, digest_of, digest_title, rotation_order
from bot.models import Fact, FactBase, Topic

DAY = date(2025, 3, 31)


def _base_with(fact_base: FactBase, facts: list[Fact]) -> FactBase:
    """The real base's sources with a chosen set of facts, topics in the order the facts give."""
    members: dict[str, list[str]] = {}
    for fact in facts:
        members.setdefault(fact.topic, []).append(fact.id)
    topics = {t: Topic(id=t, title=fact_base.topics[t].title, fact_ids=ids) for t, ids in members.items()}
    return FactBase(sources=fact_base.sources, topics=topics, facts={f.id: f for f in facts})


def _rotate(base: FactBase, *, days: int, size: int) -> list[list[str]]:
    """Digest fact ids day by day, keeping each channel's round the way the store does."""
    posted: set[str] = set()
    history = []
    for _ in range(days):
        chosen = choose_facts(base, size=size, posted=posted)
        if any(new for _, new in chosen):
            posted = {f.id for f, new in chosen if new}
        else:
            posted |= {f.id for f, _ in chosen}
        history.append([f.id for f, _ in chosen])
    return history


def test_the_same_state_gives_the_same_digest(fact_base: FactBase) -> None:
    first = build_digest(fact_base, channel="slack:C1", day=DAY, size=3, posted={"scale-ai-stake"})
    again = build_digest(fact_base, channel="slack:C1", day=DAY, size=3, posted={"scale-ai-stake"})
    assert first == again
    assert len(first.items) == 3
    assert "scale-ai-stake" not in first.fact_ids


def test_a_digest_spans_different_topics(fact_base: FactBase) -> None:
    for day in _rotate(fact_base, days=20, size=3):
        topics = [fact_base.facts[fid].topic for fid in day]
        assert len(set(topics)) == len(topics), day


def test_every_fact_is_posted_once_before_any_repeats(fact_base: FactBase) -> None:
    total = len(fact_base.facts)
    history = _rotate(fact_base, days=2 * total // 3 + 3, size=3)
    flat = [fid for day in history for fid in day]
    assert len(set(flat[:total])) == total, "the first round must hold every fact exactly once"
    for start in range(len(flat) - total + 1):
        window = flat[start : start + total]
        assert len(set(window)) == total, f"a fact repeated within {total} posts (from post {start})"
    assert all(len(day) == 3 and len(set(day)) == 3 for day in history)


def test_newest_dated_facts_come_first_and_undated_last(fact_base: FactBase) -> None:
    facts = list(fact_base.facts.values())[:6]
    dated = [
        facts[0].model_copy(update={"date": "2023"}),
        facts[1].model_copy(update={"date": "2025-06-01"}),
        facts[2].model_copy(update={"date": "2024-11"}),
        facts[3],
        facts[4].model_copy(update={"date": "2025-06"}),
        facts[5],
    ]
    base = _base_with(fact_base, dated)
    order = [f.id for f in rotation_order(base)]
    assert order[:4] == [facts[1].id, facts[4].id, facts[2].id, facts[0].id]
    assert set(order[4:]) == {facts[3].id, facts[5].id}


def test_topics_take_turns_among_facts_of_the_same_date(fact_base: FactBase) -> None:
    order = rotation_order(fact_base)
    topics = list(fact_base.topics)
    assert [f.topic for f in order[: len(topics)]] == topics
    assert [f.id for f in order[: len(topics)]] == [fact_base.topics[t].fact_ids[0] for t in topics]
    assert order[len(topics)].id == fact_base.topics[topics[0]].fact_ids[1]


def test_a_new_fact_joins_the_queue(fact_base: FactBase) -> None:
    posted = {f.id for f in rotation_order(fact_base)[:30]}
    template = fact_base.facts["scale-ai-stake"]
    newest = template.model_copy(update={"id": "brand-new-fact", "date": "2030-01-01"})
    grown = FactBase(
        sources=fact_base.sources,
        topics={
            **fact_base.topics,
            template.topic: fact_base.topics[template.topic].model_copy(
                update={"fact_ids": [*fact_base.topics[template.topic].fact_ids, "brand-new-fact"]}
            ),
        },
        facts={**fact_base.facts, "brand-new-fact": newest},
    )
    digest = build_digest(grown, channel="discord:1", day=DAY, size=3, posted=posted)
    assert digest.fact_ids[0] == "brand-new-fact"
    assert not any(item.new_round for item in digest.items)


def test_when_the_round_runs_out_the_rest_comes_from_the_next_round(fact_base: FactBase) -> None:
    order = [f.id for f in rotation_order(fact_base)]
    posted = set(order[:-1])
    digest = build_digest(fact_base, channel="slack:C1", day=DAY, size=3, posted=posted)
    assert digest.fact_ids[0] == order[-1]
    assert [item.new_round for item in digest.items] == [False, True, True]
    assert len(set(digest.fact_ids)) == 3
    everything = build_digest(fact_base, channel="slack:C1", day=DAY, size=3, posted=set(order))
    assert all(item.new_round for item in everything.items)


def test_an_item_carries_the_answer_and_resolved_quotes(fact_base: FactBase) -> None:
    digest = digest_of(fact_base, channel="slack:C1", day=DAY, fact_ids=["scale-ai-stake", "no-such-fact"])
    assert digest.title == digest_title(DAY) == "Fact of the day · Monday 31 March 2025"
    [item] = digest.items
    fact = fact_base.facts["scale-ai-stake"]
    assert (item.question, item.answer) == (fact.question, fact.answer)
    assert item.quotes[0].text == fact.quotes[0].text
    assert item.quotes[0].source.title == fact_base.sources[fact.quotes[0].source].title
    assert item.topic_title == fact_base.topics[fact.topic].title
