"""Calibrate the engine's score weights and thresholds on the labelled questions.

The engine's score parts (coverage, phrasing, fuzzy and the penalties) are computed once per
question; every combination of weights, minimum score and minimum margin is then replayed
on them. The chosen setting maximises a utility that makes the product's promise explicit:
+1 for a right answer or a right abstention, 0 for an abstention on an answerable question
(its suggestions still help), -1 for a wrong fact stated with confidence. Among equally good
threshold pairs it takes the middle of the plateau, so a small drift in scores does not flip
answers. Margins from 0.01 to 0.06 are tried: the too-close rule must exist, but a wide one
refuses right answers whenever two facts are near neighbours.

Each file is also a fold: the setting is fitted on the other files and scored on the one
left out, which estimates how the engine does on questions it was not fitted to. The final
setting is fitted on all files.

    .venv/bin/python benchmarks/calibrate.py tests/eval/*.yaml
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
from bot.cli import run_to_stdout  # noqa: E402
from bot.engine import Engine  # noqa: E402
from bot.evaluation import EvalCase, read_case_files  # noqa: E402
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


def outcome(engine: Engine, item: Prepared, weights: tuple[float, float, float]) -> tuple[str | None, float, float]:
    """(best fact or "help"/None, its score, the best unrelated runner-up's score) under `weights`."""
    if item.decided == "help":
        return "help", 1.0, 0.0
    if item.decided == "outside" or not item.parts:
        return None, 0.0, 0.0
    wc, wp, wf = weights
    scored = sorted(
        ((pen * (wc * c + wp * p + wf * f), fid) for fid, c, p, f, pen in item.parts),
        key=lambda pair: -pair[0],
    )
    best_score, best = scored[0]
    related = engine._by_id[best].related  # noqa: SLF001
    runner = next((s for s, fid in scored[1:] if fid not in related), 0.0)
    return best, best_score, runner


def _decisions(outcomes: list[tuple[Prepared, tuple]], min_score: float, min_margin: float):
    for item, (best, score, runner) in outcomes:
        got = best if best == "help" or (best and score >= min_score and score - runner >= min_margin) else None
        yield item.case, got


def shares(outcomes: list[tuple[Prepared, tuple]], min_score: float, min_margin: float) -> tuple[float, float]:
    """(answerable questions answered with the right fact, unanswerable ones abstained or helped)."""
    right = answerable = abstained = unanswerable = 0
    for case, got in _decisions(outcomes, min_score, min_margin):
        if case.kind == "help":
            unanswerable += 1
            abstained += got == "help"
        elif case.expect is None:
            unanswerable += 1
            abstained += got in (None, "help")
        else:
            answerable += 1
            right += got == case.expect
    return right / max(answerable, 1), abstained / max(unanswerable, 1)


def utility(outcomes: list[tuple[Prepared, tuple]], min_score: float, min_margin: float) -> int:
    """+1 for a right answer or a right abstention, 0 for abstaining on an answerable question
    (its suggestions may still help), -1 for a wrong fact: the bot must never state one."""
    total = 0
    for case, got in _decisions(outcomes, min_score, min_margin):
        if case.kind == "help":
            total += 1 if got == "help" else -1
        elif got is None or got == "help":
            total += 1 if case.expect is None else 0
        else:
            total += 1 if got == case.expect else -1
    return total


WEIGHT_STEPS = [round(x * 0.1, 1) for x in range(0, 11)]
MIN_SCORES = [round(0.30 + 0.01 * i, 2) for i in range(41)]
MIN_MARGINS = [round(0.01 * i, 2) for i in range(1, 7)]


def fit(prepared: dict[float, list[Prepared]], engines: dict[float, Engine]) -> tuple:
    """The best (unknown weight, weights, min_score, min_margin) for these questions, and its plateau width."""
    best = None
    for unknown_weight, items in prepared.items():
        engine = engines[unknown_weight]
        for wc, wp in itertools.product(WEIGHT_STEPS, WEIGHT_STEPS):
            wf = round(1 - wc - wp, 2)
            if wf < 0:
                continue
            weights = (wc, wp, wf)
            outcomes = [(item, outcome(engine, item, weights)) for item in items]
            grid = {}
            for min_score in MIN_SCORES:
                for min_margin in MIN_MARGINS:
                    grid[(min_score, min_margin)] = utility(outcomes, min_score, min_margin)
            top = max(grid.values())
            plateau = [key for key, value in grid.items() if value == top]
            scores = sorted({k[0] for k in plateau})
            middle_score = scores[len(scores) // 2]
            margins = sorted(k[1] for k in plateau if k[0] == middle_score)
            key = (top, len(plateau))
            if best is None or key > best[0]:
                best = (key, unknown_weight, weights, middle_score, margins[len(margins) // 2])
    (_, width), unknown_weight, weights, min_score, min_margin = best
    return unknown_weight, weights, min_score, min_margin, width


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", type=Path, nargs="+", help="labelled question files; each is also a fold")
    args = parser.parse_args()
    base = load_fact_base(default_knowledge_dir())
    # Checked as eval checks them: an expected fact the base lacks would be fitted on silently.
    cases = {found.path: found.cases for found in read_case_files(args.files, known_ids=set(base.facts))}
    engines: dict[float, Engine] = {}
    by_file: dict[float, dict[Path, list[Prepared]]] = {}
    for unknown_weight in (0.5, 0.7, 0.9):
        engine_module.UNKNOWN_WEIGHT = unknown_weight
        engines[unknown_weight] = Engine(base)
        by_file[unknown_weight] = {p: prepare(engines[unknown_weight], cases[p]) for p in args.files}

    def pooled(paths: list[Path]) -> dict[float, list[Prepared]]:
        return {uw: [item for p in paths for item in files[p]] for uw, files in by_file.items()}

    def score(params: tuple, path: Path) -> tuple[float, float]:
        unknown_weight, weights, min_score, min_margin, _ = params
        engine = engines[unknown_weight]
        items = by_file[unknown_weight][path]
        return shares([(item, outcome(engine, item, weights)) for item in items], min_score, min_margin)

    if len(args.files) > 1:
        print("leave-one-file-out: calibrate on the others, score the file left out")
        for held in args.files:
            params = fit(pooled([p for p in args.files if p != held]), engines)
            acc, abst = score(params, held)
            print(f"  {held.name}: answerable {acc:.1%}, unanswerable {abst:.1%}  (min_score {params[2]}, weights {params[1]})")
    params = fit(pooled(args.files), engines)
    unknown_weight, weights, min_score, min_margin, width = params
    print(f"all files: unknown weight {unknown_weight}, weights coverage/phrasing/fuzzy {weights}")
    print(f"  min_score {min_score}, min_margin {min_margin} (plateau of {width} equally good threshold pairs)")
    for path in args.files:
        acc, abst = score(params, path)
        print(f"  {path.name}: answerable {acc:.1%}, unanswerable {abst:.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(run_to_stdout(main))
