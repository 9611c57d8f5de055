"""The curation report: what colleagues asked, what the bot missed, and where the misses belong.

Pure over counts: the question log counted (a LogTally, from rows or from the database),
the votes table's rows and the current engine go in; a Report comes out, and
`to_text`/`to_yaml` render it. Nothing here writes anything: the YAML is for a curator to
review and paste, never applied.
"""

from __future__ import annotations

import heapq
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Iterable, Mapping

import yaml
from rapidfuzz import fuzz

from bot.engine import Engine
from bot.matching_aids import OutsideNames
from bot.text import STOPWORDS, printable, stem, words

# Two questions whose folded words are this similar (0-100) are one cluster.
CLUSTER_SIMILARITY = 70.0
# A cluster is compared through at most this many of its questions, which bounds the work
# on a long log while still letting a cluster grow along a chain of similar phrasings.
CLUSTER_REPRESENTATIVES = 10
# Beyond this many distinct missed questions, the rarest are counted but not clustered (and
# not kept: this bounds the report's memory however long the log).
MAX_CLUSTERED = 2000
EXAMPLES = 5
MAX_YAML_ALTERNATES = 20


@dataclass(frozen=True)
class LogTally:
    """The question log as the report reads it: counts, never the rows themselves."""

    statuses: Mapping[str, int]
    """Questions per status: answered, abstained, help, limited."""
    reasons: Mapping[str, int]
    """Abstentions per reason kind (see `reason_kind`)."""
    answered_facts: frozenset[str]
    """Facts at least one question was answered with."""
    unanswered: Iterable[tuple[str, int]]
    """Each distinct abstained question, stripped and not blank, with how often it came; in any
    order, read once."""


def reason_kind(reason: str | None) -> str:
    """What abstentions are counted by: `unknown_entity:Mistral` is an `unknown_entity`."""
    return (reason or "unknown").split(":", 1)[0]


def tally_rows(rows: Iterable[dict]) -> LogTally:
    """Count logged question rows (QuestionLog.rows) in one pass."""
    statuses: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    unanswered: Counter[str] = Counter()
    answered: set[str] = set()
    for row in rows:
        statuses[row["status"]] += 1
        if row["status"] == "abstained":
            reasons[reason_kind(row.get("reason"))] += 1
            text = row["question"].strip()
            if text:
                unanswered[text] += 1
        elif row["status"] == "answered" and row.get("fact_id"):
            answered.add(row["fact_id"])
    return LogTally(
        statuses=statuses, reasons=reasons, answered_facts=frozenset(answered), unanswered=unanswered.items()
    )


@dataclass(frozen=True)
class FactVotes:
    fact_id: str
    question: str | None
    up: int
    down: int


@dataclass(frozen=True)
class Nearest:
    """The fact a cluster's questions come closest to, by the engine's own ranking."""

    fact_id: str
    question: str
    topic: str
    score: float


@dataclass(frozen=True)
class Cluster:
    """Similar questions the bot abstained on or got a 👎 for."""

    count: int
    abstained: int
    downvoted: int
    questions: list[tuple[str, int]]
    """Each distinct question with how often it came, most frequent first."""
    nearest: Nearest | None

    @property
    def examples(self) -> list[str]:
        return [text for text, _ in self.questions[:EXAMPLES]]


@dataclass(frozen=True)
class Report:
    since: datetime | None
    asked: int
    answered: int
    abstained: int
    help: int
    limited: int
    reasons: dict[str, int]
    votes: list[FactVotes]
    clusters: list[Cluster]
    never_matched: list[tuple[str, str]]
    """(fact id, canonical question) of facts no logged question was answered with."""
    facts: int
    min_score: float = 0.0
    """The engine's answering threshold: a nearest fact below it is only a weak guess."""
    unclustered: int = 0
    existing_phrasings: frozenset[str] = field(default_factory=frozenset)
    """Folded phrasings the base already has (the loader rejects a repeat)."""
    naming_outside: frozenset[str] = field(default_factory=frozenset)
    """Missed questions that name an outside entity (the loader rejects one as a phrasing)."""
    not_covered: frozenset[str] = field(default_factory=frozenset)
    """Missed questions the engine finds the sources silent on: about something no fact
    speaks of ("is Llama 4 a flop?"), or asking a detail its nearest fact does not give."""


def cluster_key(question: str) -> str:
    """What clustering compares: the question's content words, folded and stemmed."""
    return " ".join(stem(w) for w in words(question) if w not in STOPWORDS)


def similarity(a: str, b: str) -> float:
    """0-100: how alike two cluster keys are.

    Word order doesn't matter (token sort); a question that repeats another with more words
    counts too (token set), but only when the shorter one says at least two things, so a
    one-word question ("meta") doesn't swallow every question that mentions it.
    """
    sort = fuzz.token_sort_ratio(a, b)
    if min(len(a.split()), len(b.split())) < 2:
        return sort
    return (sort + fuzz.token_set_ratio(a, b)) / 2


def cluster_questions(counts: dict[str, int], *, threshold: float = CLUSTER_SIMILARITY) -> list[list[str]]:
    """Group questions (with how often each came) into clusters of similar ones; deterministic.

    Most frequent questions first, each joins the cluster it is most similar to (the
    earliest on a tie) or starts a new one.
    """
    keyed: dict[str, list[str]] = defaultdict(list)
    for text in counts:
        keyed[cluster_key(text)].append(text)
    key_count = {key: sum(counts[t] for t in texts) for key, texts in keyed.items()}
    order = sorted(key_count, key=lambda key: (-key_count[key], key))
    clusters: list[list[str]] = []
    for key in order:
        best, best_score = None, threshold
        for index, members in enumerate(clusters):
            score = max(similarity(key, other) for other in members[:CLUSTER_REPRESENTATIVES])
            if score > best_score or (best is None and score >= threshold):
                best, best_score = index, score
        if best is None:
            clusters.append([key])
        else:
            clusters[best].append(key)
    return [
        sorted((t for key in members for t in keyed[key]), key=lambda t: (-counts[t], t)) for members in clusters
    ]


def nearest_fact(engine: Engine, questions: Iterable[tuple[str, int, str | None]]) -> Nearest | None:
    """The fact most of the questions rank first, weighted by how often each was asked.

    Each item is (question, count, fact to skip): a 👎 answer names the fact the asker said
    was wrong, and suggesting its own question as an alternate of that fact would only
    entrench the miss, so it is passed over for the next best.
    """
    weight: Counter[str] = Counter()
    best_score: dict[str, float] = {}
    first_seen: dict[str, int] = {}
    for text, count, skip in questions:
        ranked = [p for p in engine.rank(text) if p.fact_id != skip]
        if not ranked:
            continue
        top = ranked[0]
        weight[top.fact_id] += count
        best_score[top.fact_id] = max(best_score.get(top.fact_id, 0.0), top.score)
        first_seen.setdefault(top.fact_id, len(first_seen))
    if not weight:
        return None
    fact_id = min(weight, key=lambda f: (-weight[f], -best_score[f], first_seen[f]))
    fact = engine.base.facts[fact_id]
    return Nearest(fact_id=fact_id, question=fact.question, topic=fact.topic, score=best_score[fact_id])


def build_report(
    questions: Iterable[dict], votes: list[dict], *, engine: Engine, since: datetime | None = None
) -> Report:
    """The report over logged question rows (QuestionLog.rows) and vote rows (FeedbackStore.votes)."""
    return build_report_from_tally(tally_rows(questions), votes, engine=engine, since=since)


def build_report_from_tally(
    tally: LogTally, votes: list[dict], *, engine: Engine, since: datetime | None = None
) -> Report:
    """The report over the question log counted and vote rows (FeedbackStore.votes)."""
    tally_votes: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for vote in votes:
        if vote.get("fact_id"):
            tally_votes[vote["fact_id"]][0 if vote["vote"] == "up" else 1] += 1
    fact_votes = [
        FactVotes(fact_id=f, question=_question_of(engine, f), up=up, down=down)
        for f, (up, down) in sorted(tally_votes.items(), key=lambda item: (-item[1][1], -item[1][0], item[0]))
    ]

    # What was missed: abstentions, and answers somebody voted down.
    downvoted_n: Counter[str] = Counter()
    skip: dict[str, str | None] = {}
    for vote in votes:
        if vote["vote"] == "down" and vote["question"].strip():
            text = vote["question"].strip()
            downvoted_n[text] += 1
            skip[text] = vote.get("fact_id")
    abstained_n: Counter[str] = Counter()
    missed_total = sum(downvoted_n.values())

    def not_downvoted() -> Iterable[tuple[str, int]]:
        nonlocal missed_total
        for text, count in tally.unanswered:
            missed_total += count
            if text in downvoted_n:
                abstained_n[text] += count
            else:
                yield text, count

    # Only the MAX_CLUSTERED most missed are clustered, so only they are kept. A question with
    # no 👎 is missed as often as it abstained: if it is not among the MAX_CLUSTERED most
    # abstained of those, it cannot be among the most missed either.
    abstained_n.update(dict(heapq.nsmallest(MAX_CLUSTERED, not_downvoted(), key=_most_first)))
    missed = abstained_n + downvoted_n
    kept = dict(sorted(missed.items(), key=_most_first)[:MAX_CLUSTERED])
    clusters = []
    for texts in cluster_questions(kept):
        clusters.append(
            Cluster(
                count=sum(kept[t] for t in texts),
                abstained=sum(abstained_n[t] for t in texts),
                downvoted=sum(downvoted_n[t] for t in texts),
                questions=[(t, kept[t]) for t in texts],
                nearest=nearest_fact(engine, [(t, kept[t], skip.get(t)) for t in texts]),
            )
        )
    clusters.sort(key=lambda c: (-c.count, c.questions[0][0]))

    order = [f for topic in engine.base.topics.values() for f in topic.fact_ids if f in engine.base.facts]
    never = [(f, engine.base.facts[f].question) for f in order if f not in tally.answered_facts]

    phrasings = frozenset(" ".join(words(p)) for fact in engine.base.facts.values() for p in fact.phrasings)
    entities = {e for fact in engine.base.facts.values() for e in fact.entities}
    outside = OutsideNames(engine.base.outside_entities, entities)
    return Report(
        since=since,
        asked=sum(tally.statuses.values()),
        answered=tally.statuses.get("answered", 0),
        abstained=tally.statuses.get("abstained", 0),
        help=tally.statuses.get("help", 0),
        limited=tally.statuses.get("limited", 0),
        reasons=dict(sorted(tally.reasons.items(), key=lambda item: (-item[1], item[0]))),
        votes=fact_votes,
        clusters=clusters,
        never_matched=never,
        facts=len(engine.base.facts),
        min_score=engine.thresholds.min_score,
        unclustered=missed_total - sum(kept.values()),
        existing_phrasings=phrasings,
        naming_outside=frozenset(text for text in kept if outside.used_in(text)),
        not_covered=frozenset(text for text in kept if _sources_silent_on(engine, text)),
    )


# Why the engine abstains on a question the sources say nothing of (or on a task, a request
# for advice or a reply pointing back into a thread, which no fact answers): an alternate made of one would have the fact answer what
# it does not say.
_SILENT_REASONS = ("unknown_subject:", "unknown_entity:", "not_given:", "task:", "advice", "pointing_back:", "not_english")


def _sources_silent_on(engine: Engine, question: str) -> bool:
    return (engine.answer(question).reason or "").startswith(_SILENT_REASONS)


def _most_first(item: tuple[str, int]) -> tuple[int, str]:
    text, count = item
    return -count, text


def _question_of(engine: Engine, fact_id: str) -> str | None:
    fact = engine.base.facts.get(fact_id)
    return fact.question if fact else None


def _minute(when: datetime) -> str:
    """`when` to the minute, in UTC as the report says (a naive time is UTC already)."""
    if when.tzinfo is not None:
        try:
            when = when.astimezone(timezone.utc)
        except OverflowError:  # the calendar's very edge: shown as given, with its offset
            return f"{when.year:04d}-{when:%m-%d %H:%M} {when:%z}"
    # strftime's %Y drops the leading zeros of years before 1000 on some platforms.
    return f"{when.year:04d}-{when:%m-%d %H:%M} UTC"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def to_text(report: Report) -> str:
    """The report as `python -m bot report` prints it."""
    window = f"since {_minute(report.since)}" if report.since else "in the whole log"
    lines = [
        f"Questions {window}: {report.asked} asked, {report.answered} answered, "
        f"{report.abstained} abstained, {report.help} help, {report.limited} rate-limited"
    ]
    if report.asked == 0:
        lines.append("  (none logged: is BOT_LOG_QUESTIONS off, or has nobody asked yet?)")
    if report.reasons:
        lines.append("Abstentions by reason: " + ", ".join(f"{r} {n}" for r, n in report.reasons.items()))

    lines += ["", "Votes per fact (👍 / 👎):"]
    if not report.votes:
        lines.append("  none")
    for v in report.votes:
        question = printable(v.question) if v.question else "(no longer in the fact base)"
        lines.append(f"  {v.fact_id:<32} 👍 {v.up:<3} 👎 {v.down:<3} {question}")

    lines += ["", f"Unanswered or 👎 questions, in {_plural(len(report.clusters), 'cluster')}:"]
    if not report.clusters:
        lines.append("  none")
    for number, cluster in enumerate(report.clusters, start=1):
        parts = [f"{cluster.abstained} abstained"] if cluster.abstained else []
        if cluster.downvoted:
            parts.append(f"{cluster.downvoted} 👎")
        lines.append(f"  {number}. {_plural(cluster.count, 'question')} ({', '.join(parts)})")
        if cluster.nearest:
            n = cluster.nearest
            lines.append(f"     nearest fact: {n.fact_id} (score {n.score:.2f}): {n.question}")
            if n.score < report.min_score:
                lines.append("     (a weak match: the sources may not cover this)")
        else:
            lines.append("     nearest fact: none; this may need a new fact")
        for text, count in cluster.questions[:EXAMPLES]:
            times = f"  (x{count})" if count > 1 else ""
            lines.append(f"     - {printable(text)}{times}")
        if len(cluster.questions) > EXAMPLES:
            lines.append(f"     ... and {len(cluster.questions) - EXAMPLES} more")
    if report.unclustered:
        lines.append(f"  ({report.unclustered} rarer questions not clustered)")

    if report.asked == 0:
        # With nothing asked, every fact is "never matched": listing them all says nothing.
        when = f"since {_minute(report.since)}" if report.since else "yet"
        lines += ["", f"No questions logged {when}; no facts to report as never matched."]
    else:
        lines += ["", f"Facts never matched: {len(report.never_matched)} of {report.facts}"]
        lines += [f"  - {fact_id}: {question}" for fact_id, question in report.never_matched]
    return "\n".join(lines)


def new_alternates(cluster: Cluster, report: Report) -> list[str]:
    """The cluster's questions that would be new phrasings (the loader rejects a repeated one,
    and one that names an outside entity)."""
    seen = set(report.existing_phrasings)
    picked = []
    for text, _ in cluster.questions:
        if text in report.naming_outside or text in report.not_covered:
            continue
        text = printable(text, limit=300)
        key = " ".join(words(text))
        if not key or key in seen:
            continue
        seen.add(key)
        picked.append(text)
    return picked[:MAX_YAML_ALTERNATES]


def _why_no_alternates(cluster: Cluster, report: Report) -> str:
    """Why none of the cluster's questions is suggested as an alternate."""
    outside = sum(text in report.naming_outside for text, _ in cluster.questions)
    silent = sum(text in report.not_covered for text, _ in cluster.questions)
    if outside == len(cluster.questions):
        return "names something the sources never mention (outside_entities.yaml)"
    if silent == len(cluster.questions):
        return "asks what the sources do not say: no fact can answer it"
    if outside or silent:
        return "is already a phrasing of some fact, or asks what the sources do not say"
    return "is already a phrasing of some fact"


class _IndentedDumper(yaml.SafeDumper):
    """Indents list items under their key, as the fact files do."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:  # type: ignore[override]
        super().increase_indent(flow, False)


def to_yaml(report: Report, *, fact_files: dict[str, str] | None = None) -> str:
    """Per cluster, a YAML document naming the nearest fact and the questions to add as its alternates.

    For review only: a person checks each question really asks what the fact answers, then
    pastes the `alternates` items under that fact's `alternates:` in the named file.
    """
    fact_files = fact_files or {}
    documents = [
        "# Suggested alternates from unanswered and 👎 questions. Review before pasting:",
        "# nothing here is applied automatically. Run `python -m bot knowledge check` after editing.",
    ]
    if not report.clusters:
        documents.append("# No unanswered or 👎 questions in this window.")
    for number, cluster in enumerate(report.clusters, start=1):
        header = [f"--- # cluster {number}: {_plural(cluster.count, 'question')}"]
        nearest = cluster.nearest
        alternates = new_alternates(cluster, report)
        if nearest is None:
            header.append("# no fact comes near: these may need a new fact and a quote from a source")
            body: dict[str, object] = {"fact": None, "questions": alternates}
        else:
            file = fact_files.get(nearest.topic, f"the `{nearest.topic}` topic file")
            header.append(f"# nearest fact: {nearest.fact_id} in {file}: {printable(nearest.question)}")
            if nearest.score < report.min_score:
                header.append(
                    f"# a weak match (score {nearest.score:.2f} < min_score {report.min_score:.2f}): "
                    "the sources may not cover these; don't force them onto this fact"
                )
            header.append("# paste the items under its `alternates:` if they ask what it answers")
            body = {"fact": nearest.fact_id, "alternates": alternates}
            if not alternates:
                header.append(f"# every question here {_why_no_alternates(cluster, report)}")
        dumped = yaml.dump(body, Dumper=_IndentedDumper, sort_keys=False, allow_unicode=True, width=1000)
        documents.append("\n".join(header) + "\n" + dumped.rstrip("\n"))
    return "\n".join(documents) + "\n"
