"""How often `/ask`'s first suggestion, while a question is being typed, is the fact it asks for.

Every labelled question that names its fact (tests/eval/*.yaml) is typed again a character
at a time, from the fourth; each prefix is completed as Discord's autocomplete completes
it, and the script prints the share whose first suggestion is the expected fact, over all
prefixes and over those with at least three quarters of the question typed. Prints
numbers; asserts nothing.

    .venv/bin/python benchmarks/autocomplete.py [FILE ...]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.cli import run_to_stdout  # noqa: E402
from bot.engine import Engine  # noqa: E402
from bot.evaluation import read_case_files  # noqa: E402
from bot.knowledge import default_knowledge_dir, load_fact_base  # noqa: E402

FIRST_PREFIX = 4
LATE_SHARE = 0.75


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, help="labelled question files (default: tests/eval/*.yaml)")
    args = parser.parse_args()
    files = args.files or sorted((ROOT / "tests" / "eval").glob("*.yaml"))
    base = load_fact_base(default_knowledge_dir())
    engine = Engine(base)
    cases = [case for found in read_case_files(files, known_ids=set(base.facts)) for case in found.cases if case.expect]
    right = total = late_right = late_total = 0
    for case in cases:
        for end in range(FIRST_PREFIX, len(case.q) + 1):
            top = engine.complete(case.q[:end], limit=1)
            hit = bool(top) and top[0].fact_id == case.expect
            total += 1
            right += hit
            if end >= LATE_SHARE * len(case.q):
                late_total += 1
                late_right += hit
    print(f"questions: {len(cases)}, prefixes: {total}")
    print(f"  first suggestion right:                 {right} ({right / max(total, 1):.1%})")
    print(f"  with three quarters of the question in: {late_right}/{late_total} ({late_right / max(late_total, 1):.1%})")
    return 0


if __name__ == "__main__":
    raise SystemExit(run_to_stdout(main))
