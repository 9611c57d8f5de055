"""Which facts a channel's daily digest holds: a deterministic rotation through the whole base.

The rotation order of the base is fixed by the facts themselves: the newest `date` first
(facts without a date after every dated one), and among facts of the same date the topics
take turns (round robin, in topic order, each topic's facts in file order). A digest takes
the first facts of that order the channel has not had in its current round, preferring a
topic it does not already hold, so one digest spans different topics. Once a channel has
had every fact a new round starts; a fact added to the base simply joins the queue.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Iterable

from bot.models import Fact, FactBase, Frozen, ResolvedQuote

_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)


class DigestItem(Frozen):
    """One fact of a digest, ready to render."""

    fact_id: str
    topic: str
    topic_title: str
    question: str
    answer: str
    quotes: list[ResolvedQuote]
    date: str | None = None
    new_round: bool = False
    """True when the channel had every fact already and this one opens its next round."""


class Digest(Frozen):
    """What one channel gets on one day."""

    channel: str
    day: date
    title: str
    items: list[DigestItem]
    posted_again_at: float | None = None
    """For a post forced on a day whose digest went out already: when it was asked for, so a
    platform that drops a message it has just seen (Discord's nonce) posts this one."""

    @property
    def fact_ids(self) -> list[str]:
        return [item.fact_id for item in self.items]


def digest_title(day: date) -> str:
    """`Fact of the day · Monday 31 March 2025`, spelled the same whatever the locale."""
    return f"Fact of the day · {_WEEKDAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]} {day.year}"


def _date_key(value: str | None) -> tuple[int, int, int, int]:
    """Sorts newest first; a bare year sorts after the months of that year, undated after all."""
    if value is None:
        return (1, 0, 0, 0)
    parts = [int(p) for p in value.split("-")] + [0, 0]
    return (0, -parts[0], -parts[1], -parts[2])


def rotation_order(base: FactBase) -> list[Fact]:
    """Every fact of the base in the order a channel's digests go through them."""
    topic_rank = {topic_id: i for i, topic_id in enumerate(base.topics)}
    position = {fid: i for topic in base.topics.values() for i, fid in enumerate(topic.fact_ids)}
    groups: dict[tuple[int, int, int, int], dict[str, list[Fact]]] = defaultdict(lambda: defaultdict(list))
    for fact in sorted(base.facts.values(), key=lambda f: (position.get(f.id, len(position)), f.id)):
        groups[_date_key(fact.date)][fact.topic].append(fact)
    order: list[Fact] = []
    for key in sorted(groups):
        by_topic = groups[key]
        topics = sorted(by_topic, key=lambda t: (topic_rank.get(t, len(topic_rank)), t))
        turn = 0
        while any(turn < len(by_topic[t]) for t in topics):
            order.extend(by_topic[t][turn] for t in topics if turn < len(by_topic[t]))
            turn += 1
    return order


def choose_facts(base: FactBase, *, size: int, posted: Iterable[str]) -> list[tuple[Fact, bool]]:
    """The next `size` facts for a channel that had `posted` in its current round.

    Returns (fact, new_round) pairs: `new_round` marks facts taken from the next round once
    the current one is used up. Never returns a fact twice.
    """
    order = rotation_order(base)
    seen = set(posted)
    chosen: list[tuple[Fact, bool]] = []
    used_topics: set[str] = set()

    def take(queue: list[Fact], *, new_round: bool) -> None:
        while len(chosen) < size and queue:
            pick = next((f for f in queue if f.topic not in used_topics), None)
            if pick is None:
                # Every topic left is in this digest already: let topics repeat.
                used_topics.clear()
                continue
            queue.remove(pick)
            chosen.append((pick, new_round))
            used_topics.add(pick.topic)

    take([f for f in order if f.id not in seen], new_round=False)
    if len(chosen) < size:
        taken = {f.id for f, _ in chosen}
        take([f for f in order if f.id not in taken], new_round=True)
    return chosen


def to_item(base: FactBase, fact: Fact, *, new_round: bool = False) -> DigestItem:
    topic = base.topics.get(fact.topic)
    return DigestItem(
        fact_id=fact.id,
        topic=fact.topic,
        topic_title=topic.title if topic else fact.topic,
        question=fact.question,
        answer=fact.answer,
        quotes=[
            ResolvedQuote(text=q.text, source=base.source_info(q.source), timestamp=q.timestamp) for q in fact.quotes
        ],
        date=fact.date,
        new_round=new_round,
    )


def build_digest(base: FactBase, *, channel: str, day: date, size: int, posted: Iterable[str]) -> Digest:
    """The digest `channel` gets on `day`, given the facts of its current round it had already."""
    items = [to_item(base, fact, new_round=new) for fact, new in choose_facts(base, size=size, posted=posted)]
    return Digest(channel=channel, day=day, title=digest_title(day), items=items)


def digest_of(
    base: FactBase, *, channel: str, day: date, fact_ids: Iterable[str], new_round: Iterable[str] = ()
) -> Digest:
    """A digest of the given facts (as planned earlier); ids the base no longer has are left out."""
    fresh = set(new_round)
    items = [to_item(base, base.facts[fid], new_round=fid in fresh) for fid in fact_ids if fid in base.facts]
    return Digest(channel=channel, day=day, title=digest_title(day), items=items)
