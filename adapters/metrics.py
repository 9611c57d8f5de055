"""Prometheus metrics for the bot, in a registry of their own (served at /metrics).

A dedicated CollectorRegistry rather than the process-global one: tests and a second bot in
one process each get clean counters, and nothing registers twice.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from bot.models import Answer
from bot.reload import ReloadResult

# The engine answers in about a millisecond; the buckets resolve that and catch slow outliers.
LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)


class BotMetrics:
    """The bot's counters and histograms, plus the hooks that feed them."""

    def __init__(self, *, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.questions = Counter("factbot_questions", "Questions asked, by platform.", ["platform"], registry=r)
        self.answers = Counter(
            "factbot_answers", "Questions answered with a fact, by platform.", ["platform"], registry=r
        )
        self.abstentions = Counter(
            "factbot_abstentions",
            "Questions the bot declined to answer, by reason.",
            ["platform", "reason"],
            registry=r,
        )
        self.help_replies = Counter("factbot_help_replies", "Help replies given.", ["platform"], registry=r)
        self.limited = Counter(
            "factbot_rate_limited", "Questions refused by the per-user rate limit.", ["platform"], registry=r
        )
        self.latency = Histogram(
            "factbot_answer_seconds", "Time to answer one question.", ["platform"], buckets=LATENCY_BUCKETS, registry=r
        )
        self.digest_posts = Counter("factbot_digest_posts", "Digests posted, by platform.", ["platform"], registry=r)
        self.digest_failures = Counter(
            "factbot_digest_failures", "Digest posts that failed, by platform.", ["platform"], registry=r
        )
        self.reloads = Counter(
            "factbot_knowledge_reloads", "Fact base reloads, by result (ok or failed).", ["result"], registry=r
        )
        self.facts = Gauge("factbot_facts", "Facts in the live fact base.", registry=r)
        for result in ("ok", "failed"):
            self.reloads.labels(result=result)  # both series exist from the start, at 0

    def observe_answer(self, answer: Answer, platform: str, seconds: float) -> None:
        """The AskService timing hook: `AskService(engine, timing_hooks=[metrics.observe_answer])`."""
        self.questions.labels(platform=platform).inc()
        self.latency.labels(platform=platform).observe(seconds)
        if answer.status == "answered":
            self.answers.labels(platform=platform).inc()
        elif answer.status == "abstained":
            # The reason's kind only: `unknown_entity:Sam Altman` would make a series per name.
            reason = (answer.reason or "unknown").split(":", 1)[0]
            self.abstentions.labels(platform=platform, reason=reason).inc()
        elif answer.status == "help":
            self.help_replies.labels(platform=platform).inc()
        elif answer.status == "limited":
            self.limited.labels(platform=platform).inc()

    def record_reload(self, result: ReloadResult) -> None:
        """The KnowledgeReloader `on_reload` callback."""
        self.reloads.labels(result="ok" if result.ok else "failed").inc()
        self.facts.set(result.facts)

    def record_digest(self, platform: str, *, ok: bool) -> None:
        """Count one digest post attempt (the digest scheduler calls this per channel)."""
        (self.digest_posts if ok else self.digest_failures).labels(platform=platform).inc()
