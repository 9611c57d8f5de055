"""Where the fact base confuses itself: phrasings that an unrelated fact matches about as well.

A curator's check, run on the base alone (no logged questions, no labelled ones): every
phrasing of every fact is asked, and a phrasing on which another fact, not listed as
related, scores within `margin` of its own fact (or above it) is a confusion. Such a pair
either answers overlapping questions (link them as related) or shares a generic phrasing
(make it say what only its own fact's quote says).

Also listed: phrasings of two facts that the engine reads as the same words, and phrasings
that promise what their fact's own text does not give. The engine takes a phrasing's word
for what its fact can answer ("how many organizations ..." vouches for a count of
organizations), so a phrasing asking for a count or for names of a kind that the answer and
quotes never give makes such questions get the fact instead of "I don't know".
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.engine import Engine
from bot.question_reading import CARDINAL, counted, counted_in, wants_kind
from bot.text import words

DEFAULT_MARGIN = 0.1
CONTENDERS = 3


@dataclass(frozen=True)
class Confusion:
    """Two unrelated facts that some phrasings cannot tell apart."""

    fact_ids: tuple[str, str]
    phrasings: list[tuple[str, str, float, float]] = field(default_factory=list)
    """(the fact the phrasing belongs to, the phrasing, its own score, the other fact's score);
    an own score of 0 means the phrasing does not even find its own fact."""


def find_overpromises(engine: Engine) -> list[tuple[str, str, str]]:
    """(fact id, phrasing, what it asks for) for each phrasing asking "how many" of a thing its
    fact's answer and quotes give no count of, or "which" things of a kind its fact lists none of."""
    base = engine.base
    found = []
    for fact in base.facts.values():
        counts = {engine.canon(w) for w in counted_in(fact.answer, list(CARDINAL.finditer(fact.answer)))}
        counts |= {engine.canon(w) for quote in fact.quotes for w in counted_in(quote.text)}
        kinds = {base.entity_kinds.get(entity) for entity in fact.entities}
        for phrasing in fact.phrasings:
            raw = words(phrasing)
            asked = counted(raw)
            if asked and not {engine.canon(w) for w in asked} & counts:
                found.append((fact.id, phrasing, f"a count of {asked[0]}"))
            kind = wants_kind(raw)
            if kind and kind != "any" and kind not in kinds:
                found.append((fact.id, phrasing, f"names of a {kind}"))
    return found


def find_twin_phrasings(engine: Engine) -> list[list[tuple[str, str]]]:
    """Phrasings of different facts that the engine reads as the same words, each group as
    (fact id, phrasing) pairs: a question in those words matches both facts alike, and when
    the facts are related, nothing marks them too close to call, so it gets whichever comes
    first. The loader's duplicate check only folds case and punctuation; this folds as the
    engine does (stems, synonyms, filler words)."""
    by_words: dict[tuple[str, ...], list[tuple[str, str]]] = {}
    for fact in engine.base.facts.values():
        for phrasing in fact.phrasings:
            read = engine.words_read(phrasing)
            if read:
                by_words.setdefault(read, []).append((fact.id, phrasing))
    return [group for group in by_words.values() if len({fact_id for fact_id, _ in group}) > 1]


def find_lost_phrasings(engine: Engine) -> list[tuple[str, str]]:
    """(fact id, phrasing) for each phrasing that finds neither its own fact nor any unrelated
    one, so `find_confusions` cannot list it: a phrasing of filler words only ("What is it?")
    finds nothing, and no question reaches the fact through it."""
    lost = []
    for fact in engine.base.facts.values():
        related = engine.linked(fact.id)
        for phrasing in fact.phrasings:
            ranked = engine.rank(phrasing)
            contenders = {parts.fact_id for parts in ranked[:CONTENDERS]}
            if all(parts.fact_id != fact.id for parts in ranked) and contenders <= related:
                lost.append((fact.id, phrasing))
    return lost


def find_confusions(engine: Engine, *, margin: float = DEFAULT_MARGIN) -> list[Confusion]:
    """Every confusable pair of unrelated facts, the pair with most confused phrasings first."""
    pairs: dict[tuple[str, str], Confusion] = {}
    for fact in engine.base.facts.values():
        related = engine.linked(fact.id)
        for phrasing in fact.phrasings:
            ranked = engine.rank(phrasing)
            own = next((parts.score for parts in ranked if parts.fact_id == fact.id), 0.0)
            # Only facts that compete for the answer: the best few, not every distant match.
            for parts in ranked[:CONTENDERS]:
                if parts.fact_id == fact.id or parts.fact_id in related or parts.score < own - margin:
                    continue
                key = (min(fact.id, parts.fact_id), max(fact.id, parts.fact_id))
                pairs.setdefault(key, Confusion(key)).phrasings.append((fact.id, phrasing, own, parts.score))
    return sorted(pairs.values(), key=lambda c: (-len(c.phrasings), c.fact_ids))
