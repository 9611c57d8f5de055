"""How the engine holds up against typing slips nobody wrote down.

Every fact's canonical question is asked again with one or two of its longer words
mistyped (a swapped, dropped, added or changed letter), several times with a fixed seed,
and the script prints how many of those come back with the fact, with "I don't know",
and with another fact. The typos are generated, so no labelled question or alternate can
have been fitted to them.

    .venv/bin/python benchmarks/typos.py [--rounds 3] [--seed 7] [--show]
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.cli import run_to_stdout  # noqa: E402
from bot.engine import Engine  # noqa: E402
from bot.knowledge import default_knowledge_dir, load_fact_base  # noqa: E402

LETTERS = "aeiourstnlm"


def mistype(word: str, rng: random.Random) -> str:
    """One slip of the fingers: swap two neighbours, drop, add or change a letter."""
    i = rng.randrange(len(word))
    kind = rng.choice(("swap", "drop", "add", "change"))
    if kind == "swap" and i < len(word) - 1:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == "drop":
        return word[:i] + word[i + 1 :]
    if kind == "add":
        return word[:i] + rng.choice(LETTERS) + word[i:]
    return word[:i] + rng.choice(LETTERS) + word[i + 1 :]


def misspell(question: str, rng: random.Random, *, slips: int = 2) -> str:
    tokens = question.split()
    long_words = [i for i, token in enumerate(tokens) if len(token) > 3]
    for i in rng.sample(long_words, min(slips, len(long_words))):
        tokens[i] = mistype(tokens[i], rng)
    return " ".join(tokens)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="misspelt versions of each question")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--show", action="store_true", help="print every question that is not answered right")
    args = parser.parse_args()

    base = load_fact_base(default_knowledge_dir())
    engine = Engine(base)
    rng = random.Random(args.seed)
    right = abstained = wrong = 0
    for fact in base.facts.values():
        for _ in range(args.rounds):
            question = misspell(fact.question, rng)
            answer = engine.answer(question)
            if answer.answered and answer.fact_id == fact.id:
                right += 1
                continue
            if answer.answered:
                wrong += 1
                outcome = f"got {answer.fact_id}"
            else:
                abstained += 1
                outcome = f"abstained ({answer.reason})"
            if args.show:
                print(f"  {fact.id}: {question!r}: {outcome}")
    total = right + abstained + wrong
    print(f"misspelt questions: {total}")
    print(f"  right fact:    {right} ({right / total:.1%})")
    print(f"  I don't know:  {abstained} ({abstained / total:.1%})")
    print(f"  another fact:  {wrong} ({wrong / total:.1%})")
    return 0


if __name__ == "__main__":
    raise SystemExit(run_to_stdout(main))
