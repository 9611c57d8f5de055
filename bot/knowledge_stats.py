"""Statistics about a valid fact base, which `python -m bot knowledge check` reports."""

from __future__ import annotations

from dataclasses import dataclass

from bot.models import FactBase
from bot.text import normalize_typography, sentences, strip_markup


@dataclass(frozen=True)
class KnowledgeStats:
    """What `knowledge check` reports about a valid fact base."""

    sources: int
    topics: int
    facts: int
    alternates_min: int
    alternates_mean: float
    alternates_max: int
    quotes: int
    sentences: int
    quoted_sentences: int
    per_source: dict[str, tuple[int, int]]

    @property
    def quoted_share(self) -> float:
        return self.quoted_sentences / self.sentences if self.sentences else 0.0


def knowledge_stats(base: FactBase) -> KnowledgeStats:
    """Counts, and the share of source sentences that some fact quotes (half or more of it)."""
    counts = [len(f.alternates) for f in base.facts.values()] or [0]
    quotes_by_source: dict[str, list[str]] = {}
    for fact in base.facts.values():
        for quote in fact.quotes:
            quotes_by_source.setdefault(quote.source, []).append(normalize_typography(quote.text))
    per_source: dict[str, tuple[int, int]] = {}
    for source in base.sources.values():
        body = normalize_typography(strip_markup(source.body))
        quoted = [False] * len(body)
        for quote in quotes_by_source.get(source.id, []):
            start = body.find(quote)
            while start != -1:
                quoted[start : start + len(quote)] = [True] * len(quote)
                start = body.find(quote, start + 1)
        found = [normalize_typography(s) for s in sentences(source.body)]
        covered = 0
        for sentence in found:
            start = body.find(sentence)
            if start != -1 and sum(quoted[start : start + len(sentence)]) * 2 >= len(sentence):
                covered += 1
        per_source[source.id] = (covered, len(found))
    return KnowledgeStats(
        sources=len(base.sources),
        topics=len(base.topics),
        facts=len(base.facts),
        alternates_min=min(counts),
        alternates_mean=sum(counts) / len(counts),
        alternates_max=max(counts),
        quotes=sum(len(f.quotes) for f in base.facts.values()),
        sentences=sum(total for _, total in per_source.values()),
        quoted_sentences=sum(covered for covered, _ in per_source.values()),
        per_source=per_source,
    )
