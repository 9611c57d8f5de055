"""Fit the answer gate (bot/answer_gate.py) on the labelled questions and write its trees.

Every question of the given files is answered with the plain thresholds (so the fit does
not depend on the gate it replaces), and each decision the gate would weigh (the whole
message, then any of its parts) is one case: its features, labelled right when its best fact
is the one the question expects (never, for a question that expects an abstention).
Gradient-boosted trees, monotone where a better match must not lower the confidence, learn
the probability of a right answer.

The gate stands beside the thresholds rather than in their place: an answer they allow is
refused when the confidence is under the veto, an abstention they call for is overruled
when it reaches the threshold. Both are chosen on answers the engine really gives with trees
that never saw the question: the files are split into ten folds, trees are fitted without
each fold, and the fold's questions are answered with them at every setting tried. Each
setting's utility is counted as the calibration counts it (+1 for a right answer or a right
abstention, 0 for an abstention on an answerable question, -1 for a wrong fact); the utility
is flat near its best, so the middle of the settings within `PLATEAU` of the best is taken,
as the calibration takes the middle of its plateau. Those held-out figures are the estimate
of how the gate does on new questions; the figures on the files it was fitted to are printed
too.

Needs scikit-learn (`.venv/bin/pip install -e '.[fit]'`); the bot itself only reads the file.

    .venv/bin/python benchmarks/fit_gate.py tests/eval/*.yaml
    .venv/bin/python benchmarks/fit_gate.py --check tests/eval/*.yaml   # print, write nothing
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.answer_gate import DEFAULT_GATE_FILE, GATE_FEATURES, gate_from_data  # noqa: E402
from bot.config import Thresholds  # noqa: E402
from bot.engine import Engine  # noqa: E402
from bot.evaluation import EvalCase, evaluate, read_case_files  # noqa: E402
from bot.knowledge import default_knowledge_dir, load_fact_base  # noqa: E402

# Confidence may only rise with these features (+1) or only fall (-1); 0: either way.
MONOTONE = {"score": 1, "coverage": 1, "phrasing": 1, "fuzzy": 1, "runner_up": -1, "unknown_share": -1}
TREES, LEAVES, MIN_LEAF, LEARNING_RATE = 200, 15, 40, 0.05
FOLDS = 10
# (veto, threshold): under the veto an answer the thresholds allow is refused; at the threshold
# an abstention they call for is overruled.
SETTINGS = tuple((veto, threshold) for veto in (0.3, 0.4, 0.5) for threshold in (0.6, 0.7, 0.8))
# A match scoring this much, this far ahead, is clear and never vetoed: the trees only guess
# where the labelled questions are few (a name typed alone), and no veto above it was right.
CLEAR_SCORE, CLEAR_MARGIN = 0.7, 0.2
PLATEAU = 0.001
"""Thresholds whose utility is within this share of the questions of the best one are as good."""


@dataclass
class Tally:
    """The evaluation's counts (bot.evaluation), added up over files answered apart."""

    right: int = 0
    wrong: int = 0
    abstained: int = 0
    right_abstention: int = 0
    wrong_unanswerable: int = 0

    def add(self, cases: list[EvalCase], engine: Engine) -> None:
        report = evaluate(cases, engine.answer)
        self.right += report.answered_right
        self.wrong += report.answered_wrong
        self.abstained += report.answerable_abstained
        self.right_abstention += report.abstained_right
        self.wrong_unanswerable += report.unanswerable - report.abstained_right

    def merge(self, other: Tally) -> None:
        self.right += other.right
        self.wrong += other.wrong
        self.abstained += other.abstained
        self.right_abstention += other.right_abstention
        self.wrong_unanswerable += other.wrong_unanswerable

    @property
    def utility(self) -> int:
        return self.right + self.right_abstention - self.wrong - self.wrong_unanswerable

    def line(self, label: str) -> str:
        answerable = self.right + self.wrong + self.abstained
        unanswerable = self.right_abstention + self.wrong_unanswerable
        return (
            f"{label:34s} answerable {self.right:5d}/{answerable} ({100 * self.right / max(answerable, 1):.1f}%),"
            f" {self.wrong:3d} wrong | unanswerable {self.right_abstention:5d}/{unanswerable}"
            f" ({100 * self.right_abstention / max(unanswerable, 1):.1f}%), {self.wrong_unanswerable:3d} wrong"
            f" | utility {self.utility}"
        )


def collect(engine: Engine, files: dict[str, list[EvalCase]]):
    """(features, label, file) for every decision the gate weighs."""
    rows = []
    for name, cases in files.items():
        for case in cases:
            if case.kind == "help":
                continue
            for fact_id, features in engine.gate_cases(case.q):
                rows.append((features, int(case.expect == fact_id), name))
    return rows


def _model():
    from sklearn.ensemble import HistGradientBoostingClassifier

    return HistGradientBoostingClassifier(
        max_iter=TREES,
        learning_rate=LEARNING_RATE,
        max_leaf_nodes=LEAVES,
        min_samples_leaf=MIN_LEAF,
        early_stopping=False,
        monotonic_cst=[MONOTONE.get(name, 0) for name in GATE_FEATURES],
        random_state=0,
    )


def export(model, setting: tuple[float, float], fact_ids: list[str]) -> dict:
    """The fitted trees, with the (veto, threshold) they are used at, as plain data (see `AnswerGate`)."""
    trees = []
    for (predictor,) in model._predictors:  # noqa: SLF001 - the trees are the model
        nodes = []
        for node in predictor.nodes:
            if node["is_leaf"]:
                nodes.append([-1, 0.0, 0, 0, float(node["value"])])
            else:
                nodes.append(
                    [int(node["feature_idx"]), float(node["num_threshold"]), int(node["left"]), int(node["right"]), 0.0]
                )
        trees.append(nodes)
    baseline = float(model._baseline_prediction.ravel()[0])  # noqa: SLF001
    veto, threshold = setting
    return {
        "features": list(GATE_FEATURES),
        "baseline": baseline,
        "veto": veto,
        "threshold": threshold,
        "clear_score": CLEAR_SCORE,
        "clear_margin": CLEAR_MARGIN,
        "facts": sorted(fact_ids),
        "trees": trees,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("files", nargs="+")
    parser.add_argument("--out", type=Path, default=DEFAULT_GATE_FILE)
    parser.add_argument("--check", action="store_true", help="print the figures, write nothing")
    parser.add_argument("--per-file", action="store_true", help="also print each file's held-out figures")
    args = parser.parse_args(argv)
    try:
        import numpy as np
        from sklearn.model_selection import GroupKFold
    except ImportError:
        print("fit_gate.py needs scikit-learn: .venv/bin/pip install -e '.[fit]'", file=sys.stderr)
        return 2

    base = load_fact_base(default_knowledge_dir())
    files = {Path(f.path).name: f.cases for f in read_case_files(args.files, known_ids=set(base.facts))}
    plain = Engine(base, thresholds=Thresholds(learned_gate=False))
    rows = collect(plain, files)
    features = np.array([row[0] for row in rows])
    labels = np.array([row[1] for row in rows])
    groups = np.array([row[2] for row in rows])
    print(f"{len(rows)} decisions from {len(files)} files, {int(labels.sum())} with the right fact first")

    plain_tally = Tally()
    for cases in files.values():
        plain_tally.add(cases, plain)
    held_out = {setting: Tally() for setting in SETTINGS}
    by_file: dict[tuple[tuple[float, float], str], Tally] = {}
    judged = Engine(base, thresholds=Thresholds(learned_gate=False))
    for train, test in GroupKFold(n_splits=min(FOLDS, len(files))).split(features, labels, groups):
        data = export(_model().fit(features[train], labels[train]), (0.5, 0.5), list(base.facts))
        for (veto, threshold), tally in held_out.items():
            judged.gate = gate_from_data({**data, "veto": veto, "threshold": threshold}, origin="a fold's gate")
            for name in sorted(set(groups[test])):
                mine = by_file[(veto, threshold), name] = Tally()
                mine.add(files[name], judged)
                tally.merge(mine)
    # Files none of whose questions reach the gate are the same under every threshold.
    reached = set(groups)
    for name, cases in files.items():
        if name not in reached:
            for tally in held_out.values():
                tally.add(cases, plain)
    best = max(tally.utility for tally in held_out.values())
    questions = sum(len(cases) for cases in files.values())
    plateau = [setting for setting, tally in held_out.items() if tally.utility >= best - PLATEAU * questions]
    chosen = plateau[len(plateau) // 2]

    model = _model().fit(features, labels)
    data = export(model, chosen, list(base.facts))
    gate = gate_from_data(data, origin="the fitted gate")
    mine = np.array([gate.confidence(tuple(row[0])) for row in rows])
    if float(np.abs(mine - model.predict_proba(features)[:, 1]).max()) > 1e-6:
        print("the exported trees do not reproduce the fitted model; nothing written", file=sys.stderr)
        return 1
    judged.gate = gate
    fitted = Tally()
    for cases in files.values():
        fitted.add(cases, judged)

    print(plain_tally.line("plain thresholds"))
    for (veto, threshold), tally in held_out.items():
        mark = " *" if (veto, threshold) == chosen else ""
        print(tally.line(f"veto {veto:.2f}, threshold {threshold:.2f}, held out{mark}"))
    print(fitted.line(f"veto {chosen[0]:.2f}, threshold {chosen[1]:.2f}, fitted here"))
    if args.per_file:
        for name in files:
            if (chosen, name) in by_file:
                print(by_file[chosen, name].line(f"  {name}, held out"))
    if not args.check:
        args.out.write_text(json.dumps(data, separators=(",", ":")) + "\n", encoding="utf-8")
        print(f"wrote {args.out} ({len(data['trees'])} trees, veto {chosen[0]:.2f}, threshold {chosen[1]:.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
