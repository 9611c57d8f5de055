"""Calibrate the engine's score weights and thresholds on the dev questions; report the holdout.

The engine's score parts (coverage, phrasing, fuzzy and the penalties) are computed once per
question; every combination of weights, minimum score and minimum margin is then replayed
on them. The chosen setting maximises the sum of the two shares (answerable questions answered
right, unanswerable ones abstained) on the calibration files, preferring the middle of the
widest plateau of equally good thresholds, so a small drift in scores does not flip answers.
Margins above 0.06 are not tried: a wide margin rule refuses right answers whenever two facts
are near neighbours. The
holdout file is only scored, never tuned on.

    .venv/bin/python benchmarks/calibrate.py tests/eval/dev.yaml tests/eval/holdout.yaml --holdout tests/eval/fresh.yaml
"""

from __future__ import annotations

import argparse
import itertools
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot import engine as engine_module  # noqa: E402
from bot.engine import Engine  # noqa: E402
from bot.evaluation import EvalCase, load_cases  # noqa: E402
from bot.knowledge import default_knowledge_dir, load_fact_base  # noqa: E402


@dataclass
class Prepared:
    case: EvalCase
    decided: str | None  # "help" or "outside" when the engine decides before scoring
    parts: list[tuple[str, float, float, float, float]]  # fact id, coverage, phrasing, fuzzy, penalty


def prepare(engine: Engine, cases: list[EvalCase]) -> list[Prepared]:
    prepared = []
    for case in cases:
        query = engine._analyze(case.q)  # noqa: SLF001 - calibration replays the engine's own parts
        decided = None
        if not case.q.strip() or (query.help_only and not query.outside):
            decided = "help"
        elif query.outside:
            decided = "outside"
        parts = [(p.fact_id, p.coverage, p.phrasing, p.fuzzy, p.penalty) for p in engine._rank(query)]  # noqa: SLF001
        prepared.append(Prepared(case, decided, parts))
    return prepared


def decide(engine: Engine, item: Prepared, weights: tuple[float, float, float], min_score: float, min_margin: float) -> str | None:
    """The fact id answered, "help", or None for an abstention."""
    if item.decided == "help":
        return "help"
    if item.decided == "outside" or not item.parts:
        return None
    wc, wp, wf = weights
    scored = sorted(
        ((pen * (wc * c + wp * p + wf * f), fid) for fid, c, p, f, pen in item.parts),
        key=lambda pair: -pair[0],
    )
    best_score, best = scored[0]
    related = engine._by_id[best].related  # noqa: SLF001
    runner = next((s for s, fid in scored[1:] if fid not in related), 0.0)
    if best_score < min_score or best_score - runner < min_margin:
        return None
    return best


def shares(engine: Engine, items: list[Prepared], weights, min_score, min_margin) -> tuple[float, float]:
    right = answerable = abstained = unanswerable = 0
    for item in items:
        got = decide(engine, item, weights, min_score, min_margin)
        if item.case.kind == "help":
            unanswerable += 1
            abstained += got == "help"
        elif item.case.expect is None:
            unanswerable += 1
            abstained += got is None
        else:
            answerable += 1
            right += got == item.case.expect
    return right / max(answerable, 1), abstained / max(unanswerable, 1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dev", type=Path, nargs="+", help="the files to calibrate on")
    parser.add_argument("--holdout", type=Path, help="a file only scored, never tuned on")
    args = parser.parse_args()
    base = load_fact_base(default_knowledge_dir())
    best_overall = None
    for unknown_weight in (0.5, 0.7):
        engine_module.UNKNOWN_WEIGHT = unknown_weight
        engine = Engine(base)
        dev = prepare(engine, [c for path in args.dev for c in load_cases(path)])
        steps = [round(x * 0.1, 1) for x in range(0, 11)]
        for wc, wp in itertools.product(steps, steps):
            wf = round(1 - wc - wp, 2)
            if wf < 0:
                continue
            weights = (wc, wp, wf)
            grid = {}
            for min_score in [round(0.30 + 0.01 * i, 2) for i in range(41)]:
                for min_margin in [round(0.01 * i, 2) for i in range(0, 7)]:
                    acc, abst = shares(engine, dev, weights, min_score, min_margin)
                    grid[(min_score, min_margin)] = (round(acc + abst, 6),)
            top = max(grid.values())
            plateau = [key for key, value in grid.items() if value == top]
            scores = sorted({k[0] for k in plateau})
            middle_score = scores[len(scores) // 2]
            margins = sorted(k[1] for k in plateau if k[0] == middle_score)
            choice = (middle_score, margins[len(margins) // 2])
            key = (top, len(plateau))
            if best_overall is None or key > best_overall[0]:
                best_overall = (key, unknown_weight, weights, choice)
    (_, width), unknown_weight, weights, (min_score, min_margin) = best_overall
    engine_module.UNKNOWN_WEIGHT = unknown_weight
    engine = Engine(base)
    print(f"unknown weight {unknown_weight}, weights coverage/phrasing/fuzzy {weights}")
    print(f"min_score {min_score}, min_margin {min_margin} (plateau of {width} equally good threshold pairs)")
    for label, paths in (("calibration", args.dev), ("holdout", [args.holdout] if args.holdout else [])):
        if not paths:
            continue
        cases = [c for path in paths for c in load_cases(path)]
        acc, abst = shares(engine, prepare(engine, cases), weights, min_score, min_margin)
        print(f"{label}: answerable {acc:.1%}, unanswerable {abst:.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
