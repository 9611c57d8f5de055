"""The answer gate: whether the engine's best fact is the answer or it should say it doesn't know.

The score, the margin over the runner-up and the share of the question a fact holds each
tell part of it; how far to trust one depends on the others (a wide margin means less when
most of the question is words the base never uses, a long message shares more words with
every fact by chance). The gate weighs them together: a small ensemble of decision trees
(gradient boosting, fitted by `benchmarks/fit_gate.py` on the labelled questions in
`tests/eval/`, held monotone where a better match must never lower the confidence) gives the
probability that the best fact is the right answer. It stands beside the thresholds: an
answer they allow is refused when that probability is under the veto, a score too low for
them is overruled when it reaches the threshold (two facts too close to call stay so).

The trees are plain data (`answer_gate.json`), walked here without any learning library.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from bot.errors import BotError

GATE_FEATURES = (
    "score",  # the best fact's score
    "coverage",  # the share of the question's word weight the best fact knows
    "phrasing",  # its best weighted overlap with one of its phrasings
    "fuzzy",  # its closest phrasing's fuzzy similarity
    "penalty",  # the product of the cuts its score took (1.0: none)
    "penalties",  # how many cuts
    "runner_up",  # the score of the best fact not related to it (0.0: none)
    "runner_up_coverage",
    "runner_up_phrasing",
    "third",  # the score of the third fact ranked (0.0: none)
    "terms",  # how many index terms the question has
    "unknown",  # how many of its words the base never uses
    "unknown_share",  # the share of the question's weight those words carry
    "weight",  # the question's whole word weight, in words as rare as the base's rarest
    "entities",  # how many names the base knows it names
    "related_near",  # how many of the five best facts are related to the best one
    "words",  # how many words the message has, as typed
)
"""What the gate reads, in the order its trees index them."""

DEFAULT_GATE_FILE = Path(__file__).with_name("answer_gate.json")
FITS_SHARE = 0.9


class GateFileError(BotError, ValueError):
    """The gate file is missing, malformed or made for other features."""


@dataclass(frozen=True)
class AnswerGate:
    """Fitted trees: each node is (feature index, threshold, left, right, value); a node whose
    feature index is -1 is a leaf worth `value`. A feature value at or under the threshold goes
    left. The trees' values add to `baseline`; the sum is the log-odds of a right answer."""

    baseline: float
    trees: tuple[tuple[tuple[int, float, int, int, float], ...], ...]
    threshold: float
    """The confidence at which the gate answers what the thresholds would not."""
    veto: float
    """The confidence under which it refuses what the thresholds would answer."""
    clear_score: float = 1.0
    clear_margin: float = 1.0
    """A match scoring this much, this far ahead of the runner-up, is clear: no veto. Where the
    labelled questions are few (a name typed alone) the trees guess; a clear match is not
    left to a guess."""
    facts: frozenset[str] = frozenset()
    """The ids of the facts of the base it was fitted on (empty: made for any base)."""

    def fits(self, fact_ids: Iterable[str]) -> bool:
        """Whether a base is (mostly) the one the gate was fitted on: nine in ten of the facts
        each has are the other's. Fitted on one base's scores, it would only guess on another."""
        if not self.facts:
            return True
        ids = set(fact_ids)
        shared = len(ids & self.facts)
        return shared >= FITS_SHARE * len(self.facts) and shared >= FITS_SHARE * len(ids)

    def confidence(self, features: tuple[float, ...]) -> float:
        """The probability, as fitted, that the best fact is the right answer."""
        total = self.baseline
        for nodes in self.trees:
            feature, limit, left, right, value = nodes[0]
            while feature >= 0:
                feature, limit, left, right, value = nodes[left if features[feature] <= limit else right]
            total += value
        return 1.0 / (1.0 + math.exp(-total))


def gate_from_data(data: object, *, origin: str = "the gate file") -> AnswerGate:
    """The gate a parsed gate file describes; GateFileError saying what is wrong otherwise."""
    if not isinstance(data, dict):
        raise GateFileError(f"{origin}: expected an object with features, baseline, threshold, veto and trees")
    features = data.get("features")
    if features != list(GATE_FEATURES):
        raise GateFileError(
            f"{origin}: its trees read other features than this engine gives; refit it with benchmarks/fit_gate.py"
        )
    baseline, threshold, veto, trees = (data.get(k) for k in ("baseline", "threshold", "veto", "trees"))
    if not _finite(baseline) or not all(_finite(x) and 0.0 <= x <= 1.0 for x in (threshold, veto)):
        raise GateFileError(f"{origin}: baseline must be a number, threshold and veto numbers from 0 to 1")
    if not isinstance(trees, list) or not trees:
        raise GateFileError(f"{origin}: trees must be a non-empty list")
    parsed = tuple(_tree(tree, origin=f"{origin}, tree {k + 1}") for k, tree in enumerate(trees))
    clear = data.get("clear_score", 1.0), data.get("clear_margin", 1.0)
    if not all(_finite(x) and 0.0 <= x <= 1.0 for x in clear):
        raise GateFileError(f"{origin}: clear_score and clear_margin must be numbers from 0 to 1")
    facts = data.get("facts", [])
    if not isinstance(facts, list) or not all(isinstance(x, str) and x for x in facts):
        raise GateFileError(f"{origin}: facts must be a list of fact ids")
    return AnswerGate(
        baseline=float(baseline),
        trees=parsed,
        threshold=float(threshold),
        veto=float(veto),
        clear_score=float(clear[0]),
        clear_margin=float(clear[1]),
        facts=frozenset(facts),
    )


def load_gate(path: Path = DEFAULT_GATE_FILE) -> AnswerGate:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise GateFileError(f"{path}: cannot be read ({error.strerror or error}); {_REFIT}") from None
    try:
        data = json.loads(text)
    except ValueError as error:
        raise GateFileError(f"{path}: not valid JSON ({error}); {_REFIT}") from None
    return gate_from_data(data, origin=str(path))


_REFIT = "reinstall the bot, or refit the file with benchmarks/fit_gate.py"


def _finite(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _tree(nodes: object, *, origin: str) -> tuple[tuple[int, float, int, int, float], ...]:
    """One tree's nodes, checked: every split names a feature and points at later nodes, so
    walking a tree always ends at a leaf."""
    if not isinstance(nodes, list) or not nodes:
        raise GateFileError(f"{origin}: expected a non-empty list of nodes")
    parsed = []
    for k, node in enumerate(nodes):
        if not (isinstance(node, list) and len(node) == 5 and all(_finite(x) for x in node)):
            raise GateFileError(f"{origin}, node {k}: expected [feature, threshold, left, right, value]")
        feature, limit, left, right, value = node
        if feature != -1 and not (
            isinstance(feature, int)
            and 0 <= feature < len(GATE_FEATURES)
            and isinstance(left, int)
            and isinstance(right, int)
            and k < left < len(nodes)
            and k < right < len(nodes)
        ):
            raise GateFileError(f"{origin}, node {k}: a split must name a feature and point at later nodes")
        parsed.append((int(feature), float(limit), int(left), int(right), float(value)))
    return tuple(parsed)
