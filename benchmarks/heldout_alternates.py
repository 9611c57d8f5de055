"""How well each fact's phrasings cover the ways it is asked, measured on the base alone.

Every fifth alternate of every fact is held out, the engine is built without them, and
each held-out alternate is asked: it should come back with its own fact. Five rounds hold
out a different fifth each, so every alternate is asked once by an engine that never saw
it. The facts with the lowest share are the ones whose paraphrases colleagues are most
likely to miss: where new alternates or synonyms pay most.

    .venv/bin/python benchmarks/heldout_alternates.py [--worst 15]
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.cli import run_to_stdout  # noqa: E402
from bot.engine import Engine  # noqa: E402
from bot.knowledge import default_knowledge_dir, load_fact_base  # noqa: E402
from bot.models import FactBase  # noqa: E402

ROUNDS = 5


def held_out(base: FactBase) -> dict[str, list[tuple[str, str | None]]]:
    """Fact id -> (held-out alternate, what the engine without it answered) for every alternate."""
    found: dict[str, list[tuple[str, str | None]]] = defaultdict(list)
    for round_ in range(ROUNDS):
        kept = {
            fact_id: fact.model_copy(
                update={"alternates": [a for i, a in enumerate(fact.alternates) if i % ROUNDS != round_]}
            )
            for fact_id, fact in base.facts.items()
        }
        engine = Engine(base.model_copy(update={"facts": kept}))
        for fact_id, fact in base.facts.items():
            for i, alternate in enumerate(fact.alternates):
                if i % ROUNDS == round_:
                    answer = engine.answer(alternate)
                    found[fact_id].append((alternate, answer.fact_id if answer.answered else None))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worst", type=int, default=15, help="list this many facts with the lowest share")
    args = parser.parse_args()

    base = load_fact_base(default_knowledge_dir())
    results = held_out(base)
    asked = sum(len(r) for r in results.values())
    right = sum(got == fact_id for fact_id, r in results.items() for _, got in r)
    wrong = sum(got is not None and got != fact_id for fact_id, r in results.items() for _, got in r)
    print(f"held-out alternates: {asked}")
    print(f"  own fact:      {right} ({right / asked:.1%})")
    print(f"  I don't know:  {asked - right - wrong} ({(asked - right - wrong) / asked:.1%})")
    print(f"  another fact:  {wrong} ({wrong / asked:.1%})")
    shares = sorted(results, key=lambda f: (sum(got == f for _, got in results[f]) / len(results[f]), f))
    print("facts with the lowest share (own fact / held out):")
    for fact_id in shares[: args.worst]:
        own = sum(got == fact_id for _, got in results[fact_id])
        print(f"  {fact_id}: {own}/{len(results[fact_id])}")
    return 0


if __name__ == "__main__":
    raise SystemExit(run_to_stdout(main))
