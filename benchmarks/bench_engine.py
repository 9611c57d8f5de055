"""Engine speed and memory: latency per question, index build time, peak memory, CLI process time.

Prints numbers; asserts nothing (the machines are shared and noisy, so targets are read,
not enforced). Each base size runs in its own subprocess so peak memory is its own.

    .venv/bin/python benchmarks/bench_engine.py            # real base, 10k, 100k, CLI
    .venv/bin/python benchmarks/bench_engine.py --sizes 10000 --questions 300
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.engine import Engine  # noqa: E402
from bot.knowledge import default_knowledge_dir, load_fact_base  # noqa: E402
from bot.models import Fact, FactBase, Quote, Source, Topic  # noqa: E402

SYLLABLES = "ka lo mi ne ru sa ti vo ze pa qu bi do fe gu ha ji ke lu ma no pe ri so tu va we xi yo zu".split()
COMMON = "meta ai open source model models strategy company data developers risk growth".split()


def _pseudo_words(count: int, rng: random.Random) -> list[str]:
    found: set[str] = set()
    while len(found) < count:
        found.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(found)


def generated_base(size: int, *, seed: int = 7) -> FactBase:
    """A synthetic base shaped like the real one: topics of ~10 facts, 7 phrasings, rare and common words."""
    rng = random.Random(seed)
    vocabulary = _pseudo_words(max(2000, size // 2), rng)

    def sentence(length: int) -> str:
        picks = [rng.choice(vocabulary) if rng.random() < 0.7 else rng.choice(COMMON) for _ in range(length)]
        return " ".join(picks)

    body_parts: list[str] = []
    facts: dict[str, Fact] = {}
    topics: dict[str, Topic] = {}
    for index in range(size):
        quote = sentence(18).capitalize() + "."
        body_parts.append(quote)
        fact_id = f"fact-{index}"
        core = sentence(5)
        facts[fact_id] = Fact(
            id=fact_id,
            topic=f"topic-{index // 10}",
            question=f"What about {core}?",
            alternates=[f"{core} {sentence(2)}" for _ in range(6)],
            answer=sentence(16).capitalize() + ".",
            quotes=[Quote(text=quote, source="generated")],
            entities=[rng.choice(vocabulary).capitalize()],
        )
        topics.setdefault(f"topic-{index // 10}", Topic(id=f"topic-{index // 10}", title=f"Topic {index // 10}", fact_ids=[]))
        topics[f"topic-{index // 10}"].fact_ids.append(fact_id)
    source = Source(id="generated", title="Generated", kind="blog post", body=" ".join(body_parts[:1000]) or "x")
    return FactBase(sources={"generated": source}, topics=topics, facts=facts)


def questions_for(base: FactBase, count: int, *, seed: int = 11) -> list[str]:
    """Questions as people type them: reworded phrasings, dropped words, typos, and off-base ones."""
    rng = random.Random(seed)
    facts = list(base.facts.values())
    found = []
    for _ in range(count):
        fact = rng.choice(facts)
        words = rng.choice(fact.phrasings).split()
        rng.shuffle(words)
        words = words[: max(2, len(words) - rng.randint(0, 2))]
        if rng.random() < 0.4:
            i = rng.randrange(len(words))
            w = words[i]
            if len(w) > 4:
                j = rng.randrange(len(w) - 1)
                words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
        if rng.random() < 0.15:
            words = ["what", "is", "the", "weather", "in", "oslo"]
        found.append(" ".join(words))
    return found


def measure(size: int, question_count: int) -> dict[str, float]:
    started = time.perf_counter()
    if size == 0:
        base = load_fact_base(default_knowledge_dir())
        loaded = time.perf_counter()
        eval_questions = []
        for path in sorted((ROOT / "tests" / "eval").glob("*.yaml")):
            import yaml

            eval_questions += [item["q"] for item in yaml.safe_load(path.read_text(encoding="utf-8"))]
        questions = (eval_questions + questions_for(base, question_count))[:question_count]
    else:
        base = generated_base(size)
        loaded = time.perf_counter()
        questions = questions_for(base, question_count)
    indexing = time.perf_counter()  # the questions are made outside the timed build
    engine = Engine(base)
    built = time.perf_counter()
    for question in questions[:20]:
        engine.answer(question)  # warm-up
    latencies = []
    for question in questions:
        t0 = time.perf_counter()
        engine.answer(question)
        latencies.append((time.perf_counter() - t0) * 1000)
    latencies.sort()
    return {
        "facts": len(base.facts),
        "questions": len(questions),
        "load_s": loaded - started,
        "index_build_s": built - indexing,
        "p50_ms": statistics.median(latencies),
        "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
        "max_ms": latencies[-1],
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def cli_process_times(runs: int, *, cache: bool) -> list[float]:
    """Seconds per `python -m bot ask`, sorted: with the engine cache warm (an untimed run
    writes it, in a folder of its own), or off, so every run reads and indexes the base, as the
    first run after an edit does. Python may write its bytecode cache, as on any machine the
    bot is installed on, and the untimed run writes it: with it forbidden
    (PYTHONDONTWRITEBYTECODE) every run would compile the modules changed since the cache."""
    with tempfile.TemporaryDirectory() as folder:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env.update(BOT_ENGINE_CACHE="true" if cache else "false", BOT_CACHE_DIR=folder)
        command = [sys.executable, "-m", "bot", "ask", "How much of Scale AI does Meta own?"]
        subprocess.run(command, cwd=ROOT, check=True, capture_output=True, env=env)
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            subprocess.run(command, cwd=ROOT, check=True, capture_output=True, env=env)
            times.append(time.perf_counter() - t0)
    return sorted(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="0,10000,100000", help="0 is the real base; others are generated")
    parser.add_argument("--questions", type=int, default=1000)
    parser.add_argument("--cli-runs", type=int, default=10)
    parser.add_argument("--one", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one is not None:
        print(json.dumps(measure(args.one, args.questions)))
        return 0
    print(f"{'base':>12} {'facts':>7} {'load s':>7} {'index s':>8} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7} {'peak MB':>8}")
    for size in (int(s) for s in args.sizes.split(",")):
        out = subprocess.run(
            [sys.executable, __file__, "--one", str(size), "--questions", str(args.questions)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        r = json.loads(out)
        name = "real" if size == 0 else "generated"
        print(
            f"{name:>12} {r['facts']:>7} {r['load_s']:>7.2f} {r['index_build_s']:>8.2f} {r['p50_ms']:>7.3f} "
            f"{r['p99_ms']:>7.3f} {r['max_ms']:>7.2f} {r['peak_rss_mb']:>8.0f}"
        )
    if args.cli_runs:
        for cache, label in ((True, "engine cache warm"), (False, "index built, no cache")):
            times = cli_process_times(args.cli_runs, cache=cache)
            print(
                f"python -m bot ask (whole process, {label}, {len(times)} runs): "
                f"median {statistics.median(times):.3f} s, max {times[-1]:.3f} s"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
